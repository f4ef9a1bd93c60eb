#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# model.t - check the spin model of the sparc64 mm_cpumask trimming race.
#
# The v5.9 logic (trim mm_cpumask when mm_users == 1) must violate an
# assertion; the patched logic (always cross-call the mask) must pass
# with a complete search of the state space.  Emits TAP for prove(1).

here=$(cd "$(dirname "$0")" && pwd)
model="$here/../model/sparc64_tlb.pml"

if ! command -v spin >/dev/null 2>&1; then
	echo "1..0 # SKIP spin is not installed"
	exit 0
fi
cc=${CC:-cc}
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "1..0 # SKIP no C compiler ($cc) for pan"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/model.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

n=0
fail=0

# run NAME "SPIN FLAGS": verify in $tmp/NAME, output in $tmp/NAME/pan.out
run() {
	mkdir "$tmp/$1" && cp "$model" "$tmp/$1/" || return 1
	(
		cd "$tmp/$1" || exit 1
		# shellcheck disable=SC2086
		spin -a $2 sparc64_tlb.pml >spin.out 2>&1 || exit 1
		"$cc" -O2 -o pan pan.c >cc.out 2>&1 || exit 1
		start=$(date +%s)
		./pan >pan.out 2>&1
		echo "$(($(date +%s) - start))" >secs
	)
}

errors() {
	sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' "$tmp/$1/pan.out"
}

diag() {
	states=$(sed -n 's/^ *\([0-9][0-9]*\) states, stored.*/\1/p' \
		"$tmp/$1/pan.out")
	echo "# $1: errors: $(errors "$1"), $states states stored, $(cat "$tmp/$1/secs" 2>/dev/null) s"
	grep 'assertion violated' "$tmp/$1/pan.out" | sed 's/^/# /'
}

result() {
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fail=1
	fi
}

# expect_violation NAME FLAGS DESCRIPTION
expect_violation() {
	if run "$1" "$2" && e=$(errors "$1") && [ -n "$e" ] && [ "$e" -ge 1 ] &&
	    grep -q 'assertion violated' "$tmp/$1/pan.out"; then
		diag "$1"
		result ok "$3"
	else
		diag "$1"
		result fail "$3"
	fi
}

# expect_pass NAME FLAGS DESCRIPTION
expect_pass() {
	if run "$1" "$2" && [ "$(errors "$1")" = 0 ] &&
	    grep -q 'Full statespace search' "$tmp/$1/pan.out" &&
	    ! grep -q -e 'search not completed' -e 'max search depth too small' \
		"$tmp/$1/pan.out"; then
		diag "$1"
		result ok "$3"
	else
		diag "$1"
		result fail "$3"
	fi
}

echo "TAP version 13"
echo "1..4"
expect_violation prepatch "" \
	"v5.9 trimming: kthread using the mm is missing from mm_cpumask"
expect_pass patched "-DPATCHED" \
	"patched: every cpu using the mm is in mm_cpumask (full search)"
expect_violation prepatch-stale "-DSTALE_ONLY" \
	"v5.9 trimming: stale TLB entry after a completed flush"
expect_pass patched-stale "-DPATCHED -DSTALE_ONLY" \
	"patched: no stale TLB entry after a completed flush (full search)"
exit $fail
