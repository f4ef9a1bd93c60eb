#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# verdict reads real guest console logs (tests/host/fixtures/NAME.log,
# kept from racefix runs, with NAME.status from qemu-run) into exactly
# the tests and splats recorded in NAME.tests and NAME.splats.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FIX=$ROOT/tests/host/fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -Wall -I"$ROOT/tests" -o "$tmp/verdict" "$ROOT/harness/tools/verdict.c" || exit 1

logs=$(ls "$FIX"/*.log 2>/dev/null)
[ -n "$logs" ] || { echo "1..0 # SKIP no fixtures"; exit 0; }
echo "1..$(( $(echo "$logs" | wc -l) * 2 + 2 ))"
n=0
for log in $logs; do
	name=$(basename "$log" .log)
	out=$tmp/$name
	mkdir -p "$out"
	sigs=
	[ -r "$FIX/$name.signatures" ] && sigs="-f $FIX/$name.signatures"
	# shellcheck disable=SC2086
	"$tmp/verdict" -l "$log" -s "$FIX/$name.status" -o "$out" $sigs >/dev/null
	n=$((n + 1))
	if cmp -s "$out/tests.tsv" "$FIX/$name.tests"; then
		echo "ok $n $name: test results"
	else
		echo "not ok $n $name: test results"
		diff "$FIX/$name.tests" "$out/tests.tsv" | sed 's/^/# /'
	fi
	n=$((n + 1))
	# Kind, signature, count and target flag; timestamps are kept apart.
	cut -f1-3,5 "$out/splats.tsv" >"$out/splats.cut"
	if cmp -s "$out/splats.cut" "$FIX/$name.splats"; then
		echo "ok $n $name: splats"
	else
		echo "not ok $n $name: splats"
		diff "$FIX/$name.splats" "$out/splats.cut" | sed 's/^/# /'
	fi
done

# A log that never reached the sentinel is a failed boot, whatever the
# status file says.
n=$((n + 1))
printf 'KTAP version 1\n1..1\nok 1 early\n' >"$tmp/cut.log"
printf 'outcome=poweroff\nelapsed_ms=5\n' >"$tmp/cut.status"
mkdir -p "$tmp/cut"
"$tmp/verdict" -l "$tmp/cut.log" -s "$tmp/cut.status" -o "$tmp/cut" >/dev/null
if grep -q '^boot	poweroff, no sentinel	1' "$tmp/cut/splats.tsv" &&
   grep -q '^not ok 2 boot' "$tmp/cut/results.ktap"; then
	echo "ok $n a run without the sentinel is a boot failure"
else
	echo "not ok $n a run without the sentinel is a boot failure"
fi

# A sparc64 fault line whose Oops line never reached the console (the
# boot was cut) is a splat still, with its address hidden.
n=$((n + 1))
printf 'KTAP version 1\n1..0\n[    5.000000] Unable to handle kernel paging request at virtual address 000000000c0ffee8\n' >"$tmp/fault.log"
printf 'outcome=silence\nelapsed_ms=5\n' >"$tmp/fault.status"
mkdir -p "$tmp/fault"
"$tmp/verdict" -l "$tmp/fault.log" -s "$tmp/fault.status" -o "$tmp/fault" >/dev/null
if grep -q '^oops	Unable to handle kernel paging request at virtual address X	1' "$tmp/fault/splats.tsv"; then
	echo "ok $n a fault line without its Oops line is a splat"
else
	echo "not ok $n a fault line without its Oops line is a splat"
	sed 's/^/# /' "$tmp/fault/splats.tsv"
fi
