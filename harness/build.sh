#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# build.sh - build the kernel image of a configured build directory.
#
# usage: build.sh ARCH TREE BUILD_DIR [BASE_TAG]
#
# Incremental: the same build directory serves the unpatched and the
# patched kernel, so the second build only recompiles what the series
# touched. ccache is used when present. The harness's build fixes for the
# tree's version and ARCH (harness/buildfix/, see buildfix_files in
# lib.sh) are used: BUILD_KCFLAGS from KEY.conf, and KEY.patch applied to
# racefix's own copy of the tree for the build and taken out again after
# it (TREE is always racefix's copy, never a user's tree). BASE_TAG is
# accepted for older callers and not used. The log is BUILD_DIR/build.log.
# Exit 0 built, 1 failed, 128+N interrupted by signal N.
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$RACEFIX_ROOT/harness/lib.sh"

[ $# -eq 3 ] || [ $# -eq 4 ] || die "usage: build.sh ARCH TREE BUILD_DIR"
load_arch "$1"
tree=$2
build=$3
kcflags=
fixes=$(buildfix_files "$tree" "$ARCH_NAME")
record=$tree/.racefix-buildfix.patch

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
is_count "$jobs" || die "JOBS='$jobs' is not a positive whole number: give JOBS=$(nproc)"

# unfix: take the build fixes out of the tree again.
unfix() {
	if [ -f "$record" ]; then
		patch -s -R -p1 -d "$tree" <"$record" >/dev/null 2>&1 ||
			warn "could not take the build fix out of $tree: the next run copies the tree again"
		rm -f -- "$record"
	fi
}
trap 'unfix' EXIT
trap 'unfix; trap - EXIT; printf "racefix: interrupted: the %s kernel build in %s was stopped\n" "$ARCH_NAME" "$build" >&2; exit 143' TERM
trap 'unfix; trap - EXIT; printf "racefix: interrupted: the %s kernel build in %s was stopped\n" "$ARCH_NAME" "$build" >&2; exit 130' INT
trap 'unfix; trap - EXIT; printf "racefix: interrupted: the %s kernel build in %s was stopped\n" "$ARCH_NAME" "$build" >&2; exit 129' HUP

unfix
if [ -n "$fixes" ]; then
	while read -r f; do
		case $f in
		*.conf)
			k=$(conf_get "$f" BUILD_KCFLAGS)
			kcflags="$kcflags${kcflags:+ }$k"
			;;
		*.patch)
			patch -s -p1 -d "$tree" --dry-run <"$f" >"$build/buildfix.log" 2>&1 ||
				die "the harness's build fix ${f##*/} does not apply to the tree in $tree (log: $build/buildfix.log): update $f for Linux $(tree_version "$tree")"
			patch -s -p1 -d "$tree" <"$f" >>"$build/buildfix.log" 2>&1
			cat "$f" >>"$record"
			progress "build fix ${f##*/} applied to racefix's copy of the tree for this build"
			;;
		esac
	done <<X
$fixes
X
fi

rc=0
make -C "$tree" O="$build" ARCH="$KARCH" CROSS_COMPILE="$CROSS_COMPILE" \
	CC="$cc" KCFLAGS="$kcflags" -j"$jobs" "$IMAGE_TARGET" >"$build/build.log" 2>&1 || rc=$?
if [ "$rc" -gt 128 ]; then
	die "interrupted: the $ARCH_NAME kernel build in $build was stopped by signal $((rc - 128)) (log: $build/build.log)"
elif [ "$rc" -ne 0 ]; then
	grep -E 'error|Error' "$build/build.log" | head -n 20 | sed 's/^/  /' >&2
	die "kernel build failed for $ARCH_NAME in $build (above; log: $build/build.log): fix the error, or report it with the log"
fi
[ -f "$build/$IMAGE" ] || die "the build left no $IMAGE in $build: see $build/build.log"
