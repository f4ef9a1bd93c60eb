#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# stale_tlb_sqpoll can fail: on the host kernel (no mips race) it counts
# no stale read, and with -X, which makes every last read land in the old
# page on purpose, it counts one per round and fails. Needs io_uring
# SQPOLL (root) and 2 CPUs on the host; skipped with the reason otherwise.
set -u
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

echo "1..2"
skip() {
	echo "ok 1 # SKIP $1"
	echo "ok 2 # SKIP $1"
	exit 0
}
cc=${HOSTCC:-cc}
"$cc" -O2 -Wall -Wextra -Werror -pthread -I"$ROOT/tests" -o "$tmp/stq" \
	"$ROOT/tests/stale_tlb_sqpoll.c" >"$tmp/cc.log" 2>&1 ||
	{ echo "not ok 1 stale_tlb_sqpoll builds for the host"; sed 's/^/# /' "$tmp/cc.log"; echo "not ok 2"; exit 0; }

"$tmp/stq" -d 1 >"$tmp/plain.out" 2>&1
rc=$?
if grep -q '^1..0 # SKIP\|# SKIP' "$tmp/plain.out"; then
	skip "$(grep -m1 'SKIP' "$tmp/plain.out" | sed 's/.*SKIP *//')"
fi
metric() { sed -n 's/^# metric: stale_reads \([0-9]*\)$/\1/p' "$1"; }
rounds() { sed -n 's/^# \([0-9]*\) rounds in .*/\1/p' "$1"; }

[ "$rc" -le 1 ] && [ "$(metric "$tmp/plain.out")" = 0 ] &&
	grep -q '^ok 2 no read landed through a stale TLB entry' "$tmp/plain.out"
t $? "the host kernel: no stale read # rc $rc" "$(cat "$tmp/plain.out")"

"$tmp/stq" -d 1 -X >"$tmp/x.out" 2>&1
rc=$?
s=$(metric "$tmp/x.out")
nr=$(rounds "$tmp/x.out")
[ "$rc" -ne 0 ] && [ -n "$s" ] && [ "$s" -gt 0 ] && [ "$s" = "$nr" ] &&
	grep -q '^not ok 2 no read landed through a stale TLB entry' "$tmp/x.out" &&
	grep -q 'landed in the old page' "$tmp/x.out"
if [ $? = 0 ]; then
	t 0 "-X (every last read lands in the old page): $s of $nr rounds counted stale, the test fails"
else
	t 1 "-X: stale reads counted and the test fails # rc $rc, stale ${s:-none} of ${nr:-none}" "$(cat "$tmp/x.out")"
fi
exit 0
