#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# table.sh passes a series only when the patched kernel passes every
# test, ends every run, and shows neither a new splat nor a target race.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run DIR VARIANT N TESTS_LINES SPLAT_LINES
run() {
	mkdir -p "$1/$2/$3"
	printf '%b' "$4" >"$1/$2/$3/tests.tsv"
	printf '%b' "$5" >"$1/$2/$3/splats.tsv"
}
race="kcsan\tdo_mremap / vma_complete\t3\t5.1\t1\t0.25\n"
noise="kcsan\tcall_rcu / mtree_range_walk\t1\t9.0\t0\t2.0\n"
ok="t1\tpass\t\nt2\tpass\t\n"
echo 'do_mremap' >"$tmp/sigs"
printf '# reason\n^osq_lock / osq_wait_next$\n' >"$tmp/unrelated"

echo "1..8"
check() {
	n=$1 name=$2 want=$3 dir=$4 grep=$5
	out=$("$ROOT/harness/table.sh" "$dir" "$tmp/sigs" "$tmp/unrelated" 2>&1)
	rc=$?
	if [ "$rc" -eq "$want" ] && printf '%s\n' "$out" | grep -q "$grep"; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
		printf '%s\n' "rc=$rc" "$out" | sed 's/^/# /'
	fi
}

d=$tmp/pass
run "$d" A 1 "$ok" "$race$noise"
run "$d" A 2 "$ok" "$race"
run "$d" B 1 "$ok" "$noise"
run "$d" B 2 "$ok" ""
check 1 "fixed race gone, old noise allowed: PASS" 0 "$d" 'VERDICT: PASS'
check 2 "time to first report is the median over A runs" 0 "$d" 'with a target race report: 2 of 2.*median 0.25'

d=$tmp/target
run "$d" A 1 "$ok" "$race"
run "$d" B 1 "$ok" "$race"
check 3 "a declared-fixed race on B: FAIL" 2 "$d" 'B shows kcsan: do_mremap / vma_complete'

d=$tmp/new
run "$d" A 1 "$ok" ""
run "$d" B 1 "$ok" "warning\tmm/mremap.c:42 move_vma\t1\t3.0\t0\t1.0\n"
check 4 "a splat only B shows: FAIL" 2 "$d" 'no A run showed: warning'

d=$tmp/test
run "$d" A 1 "$ok" ""
run "$d" B 1 "t1\tpass\t\nt2\tfail\texit code 1\n" ""
check 5 "a test B fails: FAIL" 2 "$d" 'B fails test t2'

d=$tmp/boot
run "$d" A 1 "$ok" ""
run "$d" B 1 "$ok" "boot\tsilence, no sentinel\t1\t-1\t0\t-1\n"
check 6 "a B run that did not end cleanly: FAIL" 2 "$d" 'B shows boot: silence'

d=$tmp/unrel
run "$d" A 1 "$ok" "$race"
run "$d" B 1 "$ok" "kcsan\tosq_lock / osq_wait_next\t1\t9.0\t0\t2.0\n"
check 7 "a race declared unrelated, only on B: PASS, marked ~" 0 "$d" '~ kcsan: osq_lock / osq_wait_next'

d=$tmp/unrel2
run "$d" A 1 "$ok" "$race"
run "$d" B 1 "$ok" "kcsan\tosq_lock / do_mremap\t1\t9.0\t0\t2.0\n"
check 8 "only what the pattern names is unrelated" 2 "$d" 'no A run showed: kcsan: osq_lock / do_mremap'
