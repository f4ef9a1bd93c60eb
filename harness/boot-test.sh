#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# boot-test.sh - build, boot and race-test unpatched and patched kernels.
#
# usage: boot-test.sh ARCH [SERIES...]
#
# SERIES are names of patches/ (several may be given in one word,
# separated by spaces or commas); none means every series that supports
# ARCH. First every cheap check (harness/preflight.sh: tools, the cross
# C library, QEMU, the values, each series' files); then, per series
# under its lock: its own copy of the tree at the pinned base, a check
# that the series applies, the config, the unpatched build (A), the
# guest initramfs, the series applied, an incremental rebuild (B), RUNS
# boots of A and of B, and the verdict. A series with a "suite" manifest
# (the base tree's own selftests, a regression guard) then boots it once
# on A and once on B, judged apart (judge -S) into RUNDIR/SERIES+suite/.
# Environment: RUNS (default 1), DURATION (race test seconds, default
# 10), KERNEL_ARGS (more kernel parameters, e.g. kcsan.skip_watch=50),
# OUT (default ./out), KERNEL_SRC / KERNEL_TARBALL / KERNEL_REF (see
# tree.sh), SUITE=no (no suite boots), VERBOSE=1 (console on the
# terminal), and boot.sh's.
# Exit codes: 0 every series passed, 1 the harness could not run a
# series (bad input, tools, tree, build), 2 a series failed its verdict,
# 3 a verdict was inconclusive; with several series the worst (1, then
# 2, then 3). Interrupted by SIGHUP, SIGINT or SIGTERM: every child ends,
# the locks are released, and the exit code is 128+N (129, 130, 143).
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
export RACEFIX_ROOT
. "$RACEFIX_ROOT/harness/lib.sh"
H=$RACEFIX_ROOT/harness
trap_signals boot-test

[ $# -ge 1 ] || die "usage: boot-test.sh ARCH [SERIES...]"
arch=$1
shift
load_arch "$arch"

# The series, canonical (so ./patches/mm and mm share one lock), once each.
names=
set -f
for w in "$@"; do
	case $w in
	*[!A-Za-z0-9._/,\ -]*) die "unknown SERIES '$w': give series names, one or more of: $(known_series)" ;;
	esac
	for s in $(printf '%s\n' "$w" | tr ',' ' '); do
		n=$(series_name "$s") || exit 1
		case " $names " in
		*" $n "*) ;;
		*) names="$names $n" ;;
		esac
	done
done
set +f
if [ -z "$names" ]; then
	for d in "$RACEFIX_PATCHES"/*/; do
		[ -d "$d" ] || continue
		s=$(basename "$d")
		case " $(series_arches "$d") " in
		*" $arch "*) names="$names $s" ;;
		esac
	done
	[ -n "$names" ] || die "no series supports ARCH=$arch: give ARCH=$(list_arches | sed 's/ $//; s/ /|/g')"
fi

out_usable_for_kbuild
case $RACEFIX_ROOT in
*[[:space:]:]*) die "the racefix checkout '$RACEFIX_ROOT' has a space or a colon in its path, which the builds cannot handle: move it" ;;
esac
out_init
host_tools
# shellcheck disable=SC2086 # names are checked series names
"$H/preflight.sh" "$arch" $names || exit 1
# shellcheck disable=SC2086
[ -z "${CANDIDATES:-}" ] || "$H/variants.sh" --check $names || exit 1
runs=${RUNS:-1}
DURATION=${DURATION:-10}
export DURATION

# The run directory; runs/latest-ARCH moves to it only once a boot has
# left results there.
stamp=$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT/runs"
runroot=$OUT/runs/$stamp-$arch
i=1
while ! mkdir "$runroot" 2>/dev/null; do
	i=$((i + 1))
	runroot=$OUT/runs/$stamp-$arch-$i
done

# run_series SERIES: everything for one series, in a subshell that holds
# its lock. Exit code: the verdict's (0, 2, 3), or 1 when a stage failed.
run_series() {
	series=$1
	sdir=$(series_dir "$series") || exit 1
	work=$OUT/$series/$arch
	build=$work/build
	lock_series "$series"
	mkdir -p "$work/A" "$work/B" "$build"
	tree=$OUT/$series/src

	"$H/tree.sh" "$series" >/dev/null || exit 1
	patches=$(series_patches "$sdir") || exit 1
	# Does the series apply? Known before the first build.
	if [ -n "$patches" ]; then
		"$H/apply.sh" --check "$series" "$tree" || exit 1
	fi

	frags=$(series_fragments "$arch" "$sdir")
	# shellcheck disable=SC2086 # frags is a word list
	"$H/config.sh" "$arch" "$tree" "$build" $frags || exit 1
	# A kernel is rebuilt only when its inputs changed: the tree, the
	# config, the build fixes and, for B, the patches. Re-runs then only
	# boot, instead of rebuilding what the series' headers touch twice.
	stamp_a=$( (echo "$arch"; cat "$OUT/$series/origin" "$build/.racefix-config" 2>/dev/null
		buildfix_files "$tree" "$arch" | while read -r f; do cat "$f"; done) | cksum)
	stamp_b=$( (echo "$stamp_a"; printf '%s\n' "$patches" | while read -r p; do
		[ -z "$p" ] || cat "$p"; done) | cksum)
	if [ -s "$work/A/image" ] && [ "$(cat "$work/A/stamp" 2>/dev/null)" = "$stamp_a" ] &&
	   { [ -z "$patches" ] ||
	     { [ -s "$work/B/image" ] && [ "$(cat "$work/B/stamp" 2>/dev/null)" = "$stamp_b" ]; }; }; then
		reuse=1
		progress "$series/$arch: kernels are up to date, not rebuilding"
	else
		reuse=
		t=$(date +%s)
		progress "$series/$arch: building unpatched kernel (A)"
		rm -f "$work/A/stamp" "$work/B/stamp"
		"$H/build.sh" "$arch" "$tree" "$build" || exit 1
		cp "$build/$IMAGE" "$work/A/image"
		echo "$stamp_a" >"$work/A/stamp"
		progress "$series/$arch: A built in $(( $(date +%s) - t )) s"
	fi

	progress "$series/$arch: building the guest initramfs"
	"$H/initramfs.sh" "$arch" "$series" "$tree" "$work/guest" || exit 1

	variants=A
	if [ -n "$patches" ]; then
		"$H/apply.sh" "$series" "$tree" || exit 1
		# shellcheck disable=SC2086
		"$H/config.sh" "$arch" "$tree" "$build" $frags || exit 1
		if [ -z "$reuse" ]; then
			t=$(date +%s)
			progress "$series/$arch: building patched kernel (B), incremental"
			"$H/build.sh" "$arch" "$tree" "$build" || exit 1
			cp "$build/$IMAGE" "$work/B/image"
			echo "$stamp_b" >"$work/B/stamp"
			progress "$series/$arch: B built in $(( $(date +%s) - t )) s"
		fi
		variants="A B"
	fi
	# The series' own new programs, from the patched tree; the same
	# binaries then run on A and B.
	"$H/initramfs.sh" "$arch" "$series" "$tree" "$work/guest" --patched || exit 1

	# The kernel arguments are words, never globbed.
	args="$(conf_get "$sdir/base.conf" KERNEL_ARGS) ${KERNEL_ARGS:-}"
	set -f
	# shellcheck disable=SC2086 # split into words on purpose, unglobbed
	set -- $args
	set +f
	# The tests racefix_tests= selects, for the judge (preflight checked
	# that the manifest has them).
	selection=$(tests_selection "$@")
	mkdir -p "$runroot/$series"
	printf '== %s on %s: %s runs per kernel, race tests %s s, kernel args: %s\n' \
		"$series" "$arch" "$runs" "$DURATION" "$*" >"$runroot/$series/header"
	for v in $variants; do
		i=1
		while [ "$i" -le "$runs" ]; do
			rd=$runroot/$series/$v/$i
			line=$("$H/boot.sh" "$arch" "$work/$v/image" "$work/guest/initramfs.cpio" \
				"$rd" "$@") || exit 1
			progress "$series/$arch: $v run $i/$runs: $line"
			i=$((i + 1))
		done
	done
	# Candidate fixes, C1..Cn (CANDIDATES): harness/variants.sh.
	if [ -n "${CANDIDATES:-}" ]; then
		"$H/variants.sh" "$arch" "$series" "$runroot/$series" "$work/guest/initramfs.cpio" "$@" || exit 1
	fi
	# make lava-jobs: the boots were written as LAVA jobs (boot.sh,
	# harness/lava.sh); make lava-collect judges them.
	[ -z "${RACEFIX_LAVA_PLAN:-}" ] || exit 0
	echo
	cat "$runroot/$series/header"
	rc=0
	judge_run "$selection" -m "$work/guest/root/etc/racefix/tests" -d "$sdir" "$runroot/$series" || rc=$?
	echo
	case $rc in
	0 | 2 | 3) ;;
	*) exit 1 ;;
	esac
	# The regression suite: one boot per kernel of its own, without the
	# race tests' selection. Its verdict counts as the race boots' does.
	suite=$work/guest/suite
	if [ "${SUITE:-yes}" = yes ] && [ -s "$suite/initramfs.cpio" ] && [ "$variants" = "A B" ]; then
		for a in "$@"; do
			shift
			case $a in
			racefix_tests=*) ;;
			*) set -- "$@" "$a" ;;
			esac
		done
		sr=$runroot/$series+suite
		mkdir -p "$sr"
		printf '== %s on %s: the regression suite (%s), one boot per kernel, kernel args: %s\n' \
			"$series" "$arch" "$sdir/suite" "$*" >"$sr/header"
		for v in $variants; do
			line=$("$H/boot.sh" "$arch" "$work/$v/image" "$suite/initramfs.cpio" \
				"$sr/$v/1" "$@") || exit 1
			progress "$series/$arch: $v suite boot: $line"
		done
		cat "$sr/header"
		src=0
		"$TOOLS/judge" -S -m "$suite/root/etc/racefix/tests" -d "$sdir" "$sr" || src=$?
		echo
		case $src in
		0 | 2 | 3) ;;
		*) exit 1 ;;
		esac
		[ "$(rank "$src")" -le "$(rank "$rc")" ] || rc=$src
	elif [ -s "$suite/initramfs.cpio" ] && [ "${SUITE:-yes}" = yes ]; then
		progress "$series/$arch: no regression suite boots: the series has no patched kernel here"
	fi
	exit "$rc"
}

status=0
summary=
for series in $names; do
	rc=0
	run_stage run_series "$series" || rc=$?
	[ "$rc" -le 3 ] || rc=1
	[ "$(rank "$rc")" -le "$(rank "$status")" ] || status=$rc
	case $rc in
	0) if [ -n "${RACEFIX_LAVA_PLAN:-}" ]; then summary="$summary $series:LAVA-JOBS"; else summary="$summary $series:PASS"; fi ;;
	2) summary="$summary $series:FAIL" ;;
	3) summary="$summary $series:INCONCLUSIVE" ;;
	*) summary="$summary $series:NOT-RUN" ;;
	esac
	# Results? Then this run is the latest one for make send.
	if [ -n "$(find "$runroot" -name console.log 2>/dev/null | head -n 1)" ]; then
		ln -sfn "$runroot" "$OUT/runs/latest-$arch"
	fi
done
if rmdir "$runroot" 2>/dev/null; then
	progress "done:$summary (no boot ran, nothing recorded; exit $status)"
else
	progress "done:$summary (runs in $runroot; exit $status)"
fi
exit "$status"
