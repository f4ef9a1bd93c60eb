#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# boot.sh - boot one kernel once under QEMU and record the boot.
#
# usage: boot.sh ARCH IMAGE INITRAMFS RUN_DIR [KERNEL_ARG...]
#
# The console goes to RUN_DIR/console.log, qemu-run's outcome to
# RUN_DIR/status, the record of the boot to RUN_DIR/run.json (written
# before QEMU starts, replaced atomically when it ends: the exact argv,
# kernel arguments, sha256 of the image and initramfs, start and end,
# outcome and reason) and the exact command to RUN_DIR/command; verdict
# then writes what the console shows (tests.tsv, splats.tsv, ...,
# results.ktap, results.json) next to them. The series' verdict is the
# judge's (harness/tools/judge.c), over every boot.
# The total limit is the sum of the selected tests' limits (manifest
# limits, racefix_tests= of the kernel arguments) plus BOOT_MARGIN
# (default 120 s); the silence limit is the longest test limit plus
# 60 s, or SILENCE seconds when set. QEMU is killed on panic, on either
# limit, and with every other child on SIGHUP, SIGINT and SIGTERM.
# Environment: DURATION (race test run time, default 10), VERBOSE=1 to
# copy the console to the terminal, QEMU_EXTRA for more QEMU arguments.
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$RACEFIX_ROOT/harness/lib.sh"
trap_signals boot

[ $# -ge 4 ] || die "usage: boot.sh ARCH IMAGE INITRAMFS RUN_DIR [KERNEL_ARG...]"
load_arch "$1"
image=$2
initrd=$3
run=$4
shift 4
duration=${DURATION:-10}
need_cmd "$QEMU" "$QEMU_PKG"
need_cmd sha256sum coreutils
[ -r "$image" ] || die "no kernel image at $image: build it first (boot-test.sh does)"
[ -r "$initrd" ] || die "no initramfs at $initrd: build it first (initramfs.sh)"
host_tools
mkdir -p "$run"

# The limits follow from the manifest inside the initramfs' source and
# the tests the kernel arguments select.
manifest=$(dirname "$initrd")/root/etc/racefix/tests
selection=$(tests_selection "$@")
limits=$("$TOOLS/manifest" limits "$manifest" "$duration" "$selection") ||
	die "cannot take the time limits from $manifest (above): fix it or the racefix_tests= selection"
total=$(( ${limits% *} + ${BOOT_MARGIN:-120} ))
silence=${SILENCE:-$(( ${limits#* } + 60 ))}

append="console=$CONSOLE panic=-1 racefix_duration=$duration $*"
# make lava-jobs: this boot becomes a LAVA job (harness/lava.sh), not a run here.
[ -z "${RACEFIX_LAVA_PLAN:-}" ] ||
	exec "$RACEFIX_ROOT/harness/lava.sh" plan "$ARCH_NAME" "$run" "$image" "$initrd" \
		"$manifest" "$duration" "$total" "$silence" "$append"
set -f
# shellcheck disable=SC2086 # QEMU_ARGS and QEMU_EXTRA are word lists
set -- "$QEMU" $QEMU_ARGS ${QEMU_EXTRA:-} -nographic -no-reboot \
	-kernel "$image" -initrd "$initrd" -append "$append"
set +f
# The exact command, one shell word per argument.
for a in "$@"; do
	printf "'%s' " "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"
done >"$run/command"
echo >>"$run/command"

verbose=
[ "${VERBOSE:-0}" = 1 ] && verbose=-v
# In the background, so that a signal reaches this shell's trap at once
# (it ends qemu-run, QEMU and every other child).
rc=0
run_stage "$TOOLS/qemu-run" $verbose -l "$run/console.log" -s "$run/status" \
	-t "$total" -q "$silence" -j "$run/run.json" \
	-m "arch=$ARCH_NAME" -m "kernel=$image" \
	-m "kernel_sha256=$(sha256sum <"$image" | cut -d ' ' -f 1)" \
	-m "initramfs=$initrd" \
	-m "initramfs_sha256=$(sha256sum <"$initrd" | cut -d ' ' -f 1)" \
	-m "manifest_sha256=$(sha256sum <"$manifest" | cut -d ' ' -f 1)" \
	-m "duration=$duration" -m "qemu_extra=${QEMU_EXTRA:-}" \
	-- "$@" || rc=$?
[ "$rc" -eq 0 ] || die "qemu-run stopped (exit $rc, interrupted?): the log so far is $run/console.log"
"$TOOLS/verdict" -l "$run/console.log" -s "$run/status" -o "$run"
