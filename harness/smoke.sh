#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# smoke.sh - one real boot through the whole pipeline, with what is here.
#
# usage: smoke.sh [ARCH...]   (default: x86_64 sparc64)
#
# For each arch: first harness/preflight.sh (a missing tool, cross C
# library or QEMU fails the smoke test: it is what a fresh machine gets
# wrong); then every series whose tree is configured (KERNEL_SRC or
# KERNEL_TARBALL, in the environment or the per-user config file) runs
# boot-test once unpatched and once patched with short race tests. Where
# no series ran on an arch, Debian's linux-source-6.12
# (DEBIAN_TARBALL, default /usr/src/linux-source-6.12.tar.xz) boots with
# no series instead, so a machine with no pinned tree still proves the
# pipeline on a real kernel of every arch. What cannot run for want of a
# tree is reported as SKIP with the reason.
# Environment: SMOKE_DURATION (race test seconds, default 3),
# DEBIAN_TARBALL. Exit codes as boot-test.sh (the worst of all runs).
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
export RACEFIX_ROOT
. "$RACEFIX_ROOT/harness/lib.sh"
trap_signals smoke

[ $# -gt 0 ] || set -- x86_64 sparc64
: "${DEBIAN_TARBALL:=/usr/src/linux-source-6.12.tar.xz}"
is_count "${SMOKE_DURATION:-3}" ||
	die "SMOKE_DURATION='$SMOKE_DURATION' is not a positive whole number: give the seconds per race test, e.g. SMOKE_DURATION=3"
RUNS=1
DURATION=${SMOKE_DURATION:-3}
export RUNS DURATION
status=0
ran=0

note() {
	rc=$1
	[ "$rc" -le 3 ] || rc=1
	[ "$(rank "$rc")" -le "$(rank "$status")" ] || status=$rc
}

for arch in "$@"; do
	load_arch "$arch"
	rc=0
	run_stage "$RACEFIX_ROOT/harness/preflight.sh" "$arch" || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL $arch: the host cannot build or boot $arch (above)"
		note 1
		continue
	fi
	ran_arch=0
	for d in "$RACEFIX_PATCHES"/*/; do
		[ -d "$d" ] || continue
		s=$(basename "$d")
		case " $(series_arches "$d") " in
		*" $arch "*) ;;
		*) continue ;;
		esac
		if [ -z "$(user_setting "$s" KERNEL_SRC)$(user_setting "$s" KERNEL_TARBALL)" ]; then
			echo "SKIP $s on $arch: no tree configured (set KERNEL_SRC, or $s.KERNEL_SRC in $RACEFIX_CONFIG)"
			continue
		fi
		ran=$((ran + 1))
		ran_arch=$((ran_arch + 1))
		rc=0
		run_stage "$RACEFIX_ROOT/harness/boot-test.sh" "$arch" "$s" || rc=$?
		note "$rc"
	done
	if [ "$ran_arch" -gt 0 ]; then
		echo "SKIP Debian smoke boot on $arch: a pinned tree was booted instead"
	elif [ -r "$DEBIAN_TARBALL" ]; then
		ran=$((ran + 1))
		rc=0
		# Only the Debian tree: no tree setting of the user's applies.
		run_stage env RACEFIX_CONFIG=/dev/null KERNEL_SRC= KERNEL_REF= \
			KERNEL_TARBALL="$DEBIAN_TARBALL" \
			"$RACEFIX_ROOT/harness/boot-test.sh" "$arch" smoke || rc=$?
		note "$rc"
	else
		echo "SKIP Debian smoke boot on $arch: $DEBIAN_TARBALL is missing (apt-get install linux-source-6.12)"
	fi
done
[ "$ran" -gt 0 ] || echo "SKIP: no kernel tree at all on this machine"
exit "$status"
