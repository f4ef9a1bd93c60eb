#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# boot.sh - boot one kernel once under QEMU and judge the run.
#
# usage: boot.sh ARCH IMAGE INITRAMFS RUN_DIR SIGNATURES [KERNEL_ARG...]
#
# The console goes to RUN_DIR/console.log, qemu-run's outcome to
# RUN_DIR/status and the verdict (tests.tsv, splats.tsv, results.ktap,
# results.json) next to them. The total limit is the sum of the tests'
# limits plus BOOT_MARGIN (default 120 s); the silence limit is the
# longest test limit plus 60 s, or SILENCE seconds when set. QEMU is
# killed on panic, on either limit and on Ctrl-C.
# Environment: DURATION (race test run time, default 10), VERBOSE=1 to
# copy the console to the terminal, QEMU_EXTRA for more QEMU arguments.
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$RACEFIX_ROOT/harness/lib.sh"

[ $# -ge 5 ] || die "usage: boot.sh ARCH IMAGE INITRAMFS RUN_DIR SIGNATURES [KERNEL_ARG...]"
load_arch "$1"
image=$2
initrd=$3
run=$4
sigs=$5
shift 5
duration=${DURATION:-10}
need_cmd "$QEMU" "$QEMU_PKG"
host_tools
mkdir -p "$run"

# The limits follow from the manifest inside the initramfs' source.
manifest=$(dirname "$initrd")/root/etc/racefix/tests
limits=$(sed -e 's/#.*//' "$manifest" | awk -v d="$duration" '
	NF >= 3 {
		t = $2
		if (t ~ /D/) {
			k = substr(t, 1, index(t, "D") - 1); if (k == "") k = 1
			t = k * d + substr(t, index(t, "+") + 1)
		}
		sum += t; if (t + 0 > max + 0) max = t
	}
	END { print sum + 0, max + 0 }')
total=$(( ${limits% *} + ${BOOT_MARGIN:-120} ))
silence=${SILENCE:-$(( ${limits#* } + 60 ))}

verbose=
[ "${VERBOSE:-0}" = 1 ] && verbose=-v
# shellcheck disable=SC2086 # QEMU_ARGS and QEMU_EXTRA are word lists
"$TOOLS/qemu-run" $verbose -l "$run/console.log" -s "$run/status" \
	-t "$total" -q "$silence" -e "racefix-init: done" -- \
	"$QEMU" $QEMU_ARGS ${QEMU_EXTRA:-} -nographic -no-reboot \
	-kernel "$image" -initrd "$initrd" \
	-append "console=$CONSOLE panic=-1 racefix_duration=$duration $*" ||
	die "qemu-run stopped (interrupted?): the log so far is $run/console.log"
printf '%s\n' "$QEMU $QEMU_ARGS -kernel $image -initrd $initrd -append 'console=$CONSOLE panic=-1 racefix_duration=$duration $*'" >"$run/command"
if [ -s "$sigs" ]; then
	"$TOOLS/verdict" -l "$run/console.log" -s "$run/status" -o "$run" -f "$sigs"
else
	"$TOOLS/verdict" -l "$run/console.log" -s "$run/status" -o "$run"
fi
