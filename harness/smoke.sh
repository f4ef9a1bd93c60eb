#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# smoke.sh - one real boot through the whole pipeline, with what is here.
#
# usage: smoke.sh [ARCH...]   (default: x86_64)
#
# For each arch: every series whose tree is configured (KERNEL_SRC or
# KERNEL_TARBALL, in the environment or the per-user config file) runs
# boot-test once unpatched and once patched with short race tests. On
# x86_64 with no configured tree, Debian's linux-source-6.12
# (/usr/src/linux-source-6.12.tar.xz) boots with no series instead, so a
# machine with no pinned tree still proves the pipeline on a real
# kernel. What cannot run is reported as SKIP with the reason.
# Exit codes as boot-test.sh.
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
export RACEFIX_ROOT
. "$RACEFIX_ROOT/harness/lib.sh"

[ $# -gt 0 ] || set -- x86_64
: "${DEBIAN_TARBALL:=/usr/src/linux-source-6.12.tar.xz}"
export RUNS=1 DURATION="${SMOKE_DURATION:-3}"
status=0
ran=0

for arch in "$@"; do
	load_arch "$arch"
	if [ -n "$CROSS_COMPILE" ] && ! command -v "${CROSS_COMPILE}gcc" >/dev/null; then
		echo "SKIP $arch: ${CROSS_COMPILE}gcc is missing (apt-get install $CROSS_PKG)"
		continue
	fi
	for d in "$RACEFIX_ROOT"/patches/*/; do
		s=$(basename "$d")
		case " $(series_arches "$d") " in
		*" $arch "*) ;;
		*) continue ;;
		esac
		if [ -z "$(user_setting "$s" KERNEL_SRC)$(user_setting "$s" KERNEL_TARBALL)" ]; then
			echo "SKIP $s on $arch: no tree configured (set $s.KERNEL_SRC in $RACEFIX_CONFIG)"
			continue
		fi
		ran=$((ran + 1))
		"$RACEFIX_ROOT/harness/boot-test.sh" "$arch" "$s" || status=$?
	done
	if [ "$arch" = x86_64 ] && [ "$ran" -gt 0 ]; then
		echo "SKIP Debian smoke boot: a pinned tree was booted instead"
	elif [ "$arch" = x86_64 ]; then
		if [ -r "$DEBIAN_TARBALL" ]; then
			ran=$((ran + 1))
			KERNEL_SRC='' KERNEL_TARBALL=$DEBIAN_TARBALL \
				"$RACEFIX_ROOT/harness/boot-test.sh" "$arch" smoke || status=$?
		else
			echo "SKIP Debian smoke boot: $DEBIAN_TARBALL is missing (apt-get install linux-source-6.12)"
		fi
	fi
done
[ "$ran" -gt 0 ] || echo "SKIP: no kernel tree at all on this machine"
exit "$status"
