#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# harness/results.sh, the cover letter's @RESULTS@ (make send): the real
# judge's summary of real console fixtures, laid out as make boot-test
# leaves a run, becomes the evidence lines: B's statistics, the metrics
# of the fixed tests with every variant named, the candidates' and the
# series' verdicts, the regression suite's totals. No run: one line, or
# exit 1 with SEND=yes.
set -u
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"
FIX=$ROOT/tests/host/fixtures
export RACEFIX_ROOT=$ROOT OUT=$tmp/out RACEFIX_PATCHES=$tmp/patches RACEFIX_CONFIG=/dev/null
unset SEND
if ! cc -O2 -Wall -Wextra -I"$ROOT/tests" -o "$tmp/judge" "$ROOT/harness/tools/judge.c"; then
	echo "Bail out! harness/tools/judge.c does not build"
	exit 1
fi

echo "1..4"

# The series: the kept mm fixtures' files, x86_64 only, declaring
# mremap_limit fixed (so that its metrics are the fixed tests').
s=$RACEFIX_PATCHES/mm
mkdir -p "$s"
cp "$FIX/series-mm/"* "$s/"
cp "$FIX/kcsan-6182-mm.manifest" "$s/tests"
printf 'BASE_TAG=v6.18.2\nBASE_VERSION=6.18.2\nARCHES="x86_64"\nKCSAN=yes\n' >"$s/base.conf"
printf 'mremap_limit\tthe room a move needs\n' >"$s/fixed-tests"

# no run yet
out=$("$ROOT/harness/results.sh" mm 2>&1)
rc=$?
[ "$rc" -eq 0 ] && [ "$out" = "  (no boot-test run is recorded in $OUT: run make boot-test first)" ]
t $? "no run: one line saying so" "$out"
out=$(SEND=yes "$ROOT/harness/results.sh" mm 2>&1)
rc=$?
[ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -q "no boot-test result in $OUT"
t $? "no run with SEND=yes: exit 1, naming OUT" "$out"

# A run as boot-test leaves it: A, B and one candidate, and the suite.
r=$OUT/runs/20261203-120000-x86_64
boot() {
	mkdir -p "$1"
	cp "$2.log" "$1/console.log"
	cp "$2.status" "$1/status"
	printf '{"arch": "x86_64", "kernel_args": "console=ttyS0"}\n' >"$1/run.json"
}
for i in 1 2; do
	boot "$r/mm/A/$i" "$FIX/kcsan-6182-mm-A"
	boot "$r/mm/B/$i" "$FIX/kcsan-6182-mm-B"
	boot "$r/mm/C1/$i" "$FIX/kcsan-6182-mm-A"
done
echo data-race >"$r/mm/C1/label"
# Two values in one cell (a metric differs between A's boots).
sed -i 's/# metric: fixed_room_needed 6/# metric: fixed_room_needed 7/' "$r/mm/A/2/console.log"
printf '== mm on x86_64: 2 runs per kernel, race tests 5 s, kernel args: \n' >"$r/mm/header"
"$tmp/judge" -m "$s/tests" -d "$s" "$r/mm" >/dev/null 2>&1
for v in A B; do
	boot "$r/mm+suite/$v/1" "$FIX/suite-6182/$v"
done
"$tmp/judge" -S -m "$FIX/suite-6182/manifest" -d "$s" "$r/mm+suite" >/dev/null 2>&1
ln -s "$r" "$OUT/runs/latest-x86_64"
out=$("$ROOT/harness/results.sh" mm 2>&1)
rc=$?
exp_metric='    mremap_limit.fixed_room_needed (value x boots): A 6x1 7x1; B 3x2; C1:data-race 6x2'
[ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -qx '  x86_64, 2 runs per kernel, race tests 5 s:' &&
	printf '%s\n' "$out" | grep -q '^    do_mremap / vma_complete  A 2/2  B 0/2  B <= 78% (95%)  p = 0.17' &&
	! printf '%s\n' "$out" | grep -q 'C1 <=' &&
	printf '%s\n' "$out" | grep -qxF "$exp_metric" &&
	printf '%s\n' "$out" | grep -qx '    C1 (data-race): FAIL' &&
	printf '%s\n' "$out" | grep -q '^    VERDICT: ' &&
	[ "$(printf '%s\n' "$out" | grep -c 'fixed_dontunmap_room_needed')" -eq 1 ]
t $? "B's statistics, the fixed tests' metrics with each variant named, the verdicts" "$out"
printf '%s\n' "$out" | grep -qx '    total: A 286/0/52; B 286/0/52' &&
	printf '%s\n' "$out" | grep -q '^    VERDICT: PASS (regression suite'
t $? "the regression suite's totals per kernel and its verdict" "$out"
