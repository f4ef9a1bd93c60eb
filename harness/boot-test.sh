#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# boot-test.sh - build, boot and race-test unpatched and patched kernels.
#
# usage: boot-test.sh ARCH [SERIES...]
#
# For each series that supports ARCH (all of patches/ by default): its
# own copy of the tree at the pinned base, the config, the unpatched
# build (A), the initramfs, the series applied and an incremental
# rebuild (B), then RUNS boots of A and of B and one verdict table.
# Environment: RUNS (default 1), DURATION (race test seconds, default
# 10), KERNEL_ARGS (more kernel parameters, e.g. kcsan.skip_watch=50),
# OUT (default ./out), KERNEL_SRC / KERNEL_TARBALL / KERNEL_REF (see
# tree.sh), VERBOSE=1 (console on the terminal).
# Exit codes: 0 every series passed, 1 the harness could not run,
# 2 a series failed its verdict.
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
export RACEFIX_ROOT
. "$RACEFIX_ROOT/harness/lib.sh"
H=$RACEFIX_ROOT/harness

[ $# -ge 1 ] || die "usage: boot-test.sh ARCH [SERIES...]"
arch=$1
shift
load_arch "$arch"
runs=${RUNS:-1}
case $runs in
'' | *[!0-9]* | 0) die "RUNS=$runs: give a positive number of boots per kernel" ;;
esac
export DURATION=${DURATION:-10}
need_cmd "$QEMU" "$QEMU_PKG"
[ -z "$CROSS_COMPILE" ] || need_cmd "${CROSS_COMPILE}gcc" "$CROSS_PKG"
host_tools

if [ $# -eq 0 ]; then
	for d in "$RACEFIX_ROOT"/patches/*/; do
		s=$(basename "$d")
		case " $(series_arches "$d") " in
		*" $arch "*) set -- "$@" "$s" ;;
		esac
	done
	[ $# -gt 0 ] || die "no series supports ARCH=$arch"
fi

stamp=$(date +%Y%m%d-%H%M%S)
runroot=$OUT/runs/$stamp-$arch
mkdir -p "$runroot"
ln -sfn "$runroot" "$OUT/runs/latest-$arch"
status=0

for series in "$@"; do
	sdir=$(series_dir "$series")
	case " $(series_arches "$sdir") " in
	*" $arch "*) ;;
	*) die "series $series does not support ARCH=$arch (it supports: $(series_arches "$sdir"))" ;;
	esac
	work=$OUT/$series/$arch
	build=$work/build
	mkdir -p "$work/A" "$work/B" "$build"
	lock_series "$series"
	tag=$(conf_get "$sdir/base.conf" BASE_TAG)

	tree=$("$H/tree.sh" "$series")

	frags=$(series_fragments "$arch" "$sdir")
	# shellcheck disable=SC2086 # frags is a word list
	"$H/config.sh" "$arch" "$tree" "$build" $frags
	# A kernel is rebuilt only when its inputs changed: the tree, the
	# config, the build fixes and, for B, the patches. Re-runs then only
	# boot, instead of rebuilding what the series' headers touch twice.
	stamp_a=$( (echo "$arch"; cat "$OUT/$series/origin" "$build/.racefix-config" \
		"$RACEFIX_ROOT/harness/buildfix/$tag.conf" 2>/dev/null) | cksum)
	patches=$(series_patches "$sdir")
	# shellcheck disable=SC2086 # one word per patch file
	stamp_b=$( (echo "$stamp_a"; cat /dev/null $patches) | cksum)
	if [ -s "$work/A/image" ] && [ "$(cat "$work/A/stamp" 2>/dev/null)" = "$stamp_a" ] &&
	   { [ -z "$patches" ] ||
	     { [ -s "$work/B/image" ] && [ "$(cat "$work/B/stamp" 2>/dev/null)" = "$stamp_b" ]; }; }; then
		reuse=1
		progress "$series/$arch: kernels are up to date, not rebuilding"
	else
		reuse=
		t=$(date +%s)
		progress "$series/$arch: building unpatched kernel (A)"
		"$H/build.sh" "$arch" "$tree" "$build" "$tag"
		cp "$build/$IMAGE" "$work/A/image"
		echo "$stamp_a" >"$work/A/stamp"
		progress "$series/$arch: A built in $(( $(date +%s) - t )) s"
	fi

	progress "$series/$arch: building the guest initramfs"
	"$H/initramfs.sh" "$arch" "$series" "$tree" "$work/guest"

	variants=A
	if [ -n "$patches" ]; then
		"$H/apply.sh" "$series" "$tree"
		# shellcheck disable=SC2086
		"$H/config.sh" "$arch" "$tree" "$build" $frags
		if [ -z "$reuse" ]; then
			t=$(date +%s)
			progress "$series/$arch: building patched kernel (B), incremental"
			"$H/build.sh" "$arch" "$tree" "$build" "$tag"
			cp "$build/$IMAGE" "$work/B/image"
			echo "$stamp_b" >"$work/B/stamp"
			progress "$series/$arch: B built in $(( $(date +%s) - t )) s"
		fi
		variants="A B"
	fi

	args="$(conf_get "$sdir/base.conf" KERNEL_ARGS) ${KERNEL_ARGS:-}"
	for v in $variants; do
		i=1
		while [ "$i" -le "$runs" ]; do
			rd=$runroot/$series/$v/$i
			line=$("$H/boot.sh" "$arch" "$work/$v/image" "$work/guest/initramfs.cpio" \
				"$rd" "$sdir/signatures" $args)
			progress "$series/$arch: $v run $i/$runs: $line"
			i=$((i + 1))
		done
	done
	mkdir -p "$runroot/$series"
	printf '== %s on %s: %s runs per kernel, race tests %s s, kernel args: %s\n' \
		"$series" "$arch" "$runs" "$DURATION" "${args# }" >"$runroot/$series/header"
	echo
	cat "$runroot/$series/header"
	"$H/table.sh" "$runroot/$series" "$sdir/signatures" "$sdir/unrelated" || status=2
	echo
	exec 9>&-
done
progress "done: runs in $runroot"
exit "$status"
