#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# build.sh - build the kernel image of a configured build directory.
#
# usage: build.sh ARCH TREE BUILD_DIR BASE_TAG
#
# Incremental: the same build directory serves the unpatched and the
# patched kernel, so the second build only recompiles what the series
# touched. ccache is used when present; the base's build fixes
# (harness/buildfix/BASE_TAG.conf) are added. The log is BUILD_DIR/build.log.
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$RACEFIX_ROOT/harness/lib.sh"

[ $# -eq 4 ] || die "usage: build.sh ARCH TREE BUILD_DIR BASE_TAG"
load_arch "$1"
tree=$2
build=$3
fix=$RACEFIX_ROOT/harness/buildfix/$4.conf
kcflags=$(conf_get "$fix" BUILD_KCFLAGS)

cc=${CROSS_COMPILE}gcc
if [ -n "$CROSS_COMPILE" ]; then
	need_cmd "$cc" "$CROSS_PKG"
fi
if command -v ccache >/dev/null 2>&1; then
	cc="ccache $cc"
	# Paths under $OUT become relative, so another checkout's build
	# of the same tree hits the cache too.
	CCACHE_BASEDIR=${CCACHE_BASEDIR:-$OUT}
	export CCACHE_BASEDIR
fi
jobs=${JOBS:-$(nproc)}

if ! make -C "$tree" O="$build" ARCH="$KARCH" CROSS_COMPILE="$CROSS_COMPILE" \
	CC="$cc" KCFLAGS="$kcflags" -j"$jobs" "$IMAGE_TARGET" >"$build/build.log" 2>&1; then
	grep -E 'error|Error' "$build/build.log" | head -n 20 | sed 's/^/  /' >&2
	die "kernel build failed for $ARCH_NAME in $build (log: $build/build.log)"
fi
[ -f "$build/$IMAGE" ] || die "the build left no $IMAGE in $build"
