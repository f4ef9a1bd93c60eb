#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# qemu-run ends every kind of guest with the right outcome, within its
# limits, and leaves no process behind. The "guests" are small shell
# stand-ins for QEMU.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -Wall -Wextra -o "$tmp/qemu-run" "$ROOT/harness/tools/qemu-run.c" || {
	echo "1..0 # SKIP no C compiler"
	exit 0
}
tag=racefix-fake-$$

# case NAME EXPECTED_OUTCOME MAX_SECONDS QEMU_RUN_ARGS -- SCRIPT
n=0
check() {
	name=$1 want=$2 max=$3 script=$4
	shift 4
	n=$((n + 1))
	t0=$(date +%s)
	"$tmp/qemu-run" -l "$tmp/$name.log" -s "$tmp/$name.status" "$@" \
		-- sh -c "$script" "$tag" >/dev/null 2>&1
	took=$(( $(date +%s) - t0 ))
	got=$(sed -n 's/^outcome=//p' "$tmp/$name.status")
	sleep 0.3
	left=$(pgrep -f "$tag" | wc -l)
	if [ "$got" = "$want" ] && [ "$took" -le "$max" ] && [ "$left" -eq 0 ]; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
		echo "# outcome $got (want $want), $took s (max $max), $left processes left"
	fi
}

echo "1..9"
check poweroff poweroff 5 'echo booting; echo "racefix-init: done"; exit 0' \
	-t 20 -q 10 -e "racefix-init: done"
check silence silence 6 'echo booting; sleep 100' -t 60 -q 2
check timeout timeout 6 'while :; do echo tick; sleep 0.2; done' -t 3 -q 2
# sparc64 loops after a panic and never exits: the monitor must end it.
check panic panic 8 'echo "Kernel panic - not syncing: Attempted to kill init!"; while :; do echo "Reboot failed!"; sleep 0.1; done' \
	-t 60 -q 10 -e "racefix-init: done"
check exited exited 5 'echo "early exit"; exit 3' -t 20 -q 10 -e "racefix-init: done"
check no-poweroff no-poweroff 20 'echo "racefix-init: done"; sleep 100' -t 60 -q 50 -e "racefix-init: done"

# Ctrl-C: the monitor is interrupted, the guest goes with it.
n=$((n + 1))
"$tmp/qemu-run" -l "$tmp/int.log" -s "$tmp/int.status" -t 60 -q 60 -- \
	sh -c 'while :; do echo tick; sleep 0.2; done' "$tag" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -INT "$pid"
wait "$pid"
rc=$?
sleep 0.3
left=$(pgrep -f "$tag" | wc -l)
got=$(sed -n 's/^outcome=//p' "$tmp/int.status")
if [ "$rc" -eq 130 ] && [ "$got" = interrupted ] && [ "$left" -eq 0 ]; then
	echo "ok $n interrupted"
else
	echo "not ok $n interrupted"
	echo "# exit $rc, outcome $got, $left processes left"
fi

# The sentinel is tests/protocol.h's unless -e gives another.
check default-sentinel poweroff 5 'echo booting; echo "racefix-init: done"; exit 0' -t 20 -q 10

# run.json: before the command starts (outcome running), then replaced
# whole: argv, kernel arguments, -m fields, outcome and reason.
n=$((n + 1))
"$tmp/qemu-run" -l "$tmp/j.log" -s "$tmp/j.status" -t 20 -q 10 -j "$tmp/run.json" \
	-m arch=x86_64 -m 'kernel_sha256=abc' -- \
	sh -c 'cp "$1" "$2"; echo "racefix-init: done"' "$tag" "$tmp/run.json" "$tmp/early.json" \
	-append 'console=ttyS0 racefix_tests=a' >/dev/null 2>&1
j=$(cat "$tmp/run.json")
if grep -q '"outcome": "running"' "$tmp/early.json" &&
   printf '%s' "$j" | grep -q '"outcome": "poweroff"' &&
   printf '%s' "$j" | grep -qF '"kernel_args": "console=ttyS0 racefix_tests=a"' &&
   printf '%s' "$j" | grep -qF '"argv": ["sh", "-c", ' &&
   printf '%s' "$j" | grep -qF '"arch": "x86_64",' &&
   printf '%s' "$j" | grep -qF '"reason": "the guest printed' && [ ! -e "$tmp/run.json.tmp" ]; then
	echo "ok $n run.json written before the command and completed atomically"
else
	echo "not ok $n run.json written before the command and completed atomically"
	printf '%s\n' "$j" | sed 's/^/# /'
fi
