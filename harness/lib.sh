# SPDX-License-Identifier: GPL-2.0
# racefix harness: helpers shared by the stage scripts (POSIX sh).
# Sourced, never run. Expects RACEFIX_ROOT to be set by the caller.
#
# Every user value (ARCH, SERIES, OUT, KERNEL_SRC, KERNEL_ARGS, ...) is
# data: quoted, never evaluated, never globbed.

: "${RACEFIX_ROOT:?RACEFIX_ROOT must point at the racefix checkout}"

# die MESSAGE...: the harness could not do its job (exit 1). MESSAGE is
# "CAUSE: FIX".
die() {
	printf 'racefix: error: %s\n' "$*" >&2
	exit 1
}

warn() {
	printf 'racefix: warning: %s\n' "$*" >&2
}

# An OUT set but empty is a mistake (make OUT=): refuse it rather than
# guess; unset means ./out of the checkout.
if [ -z "${OUT-unset}" ]; then
	die "OUT is empty: give OUT=/path/to/racefix-output, or leave it unset for $RACEFIX_ROOT/out"
fi
: "${OUT:=$RACEFIX_ROOT/out}"
# OUT is used from other directories too: make it absolute.
case $OUT in
/*) ;;
*) OUT=$(pwd)/$OUT ;;
esac
: "${RACEFIX_T0:=$(date +%s)}"
export OUT RACEFIX_T0
# The kernel's make must not inherit a caller's make variables (make
# passes command-line values on in MAKEFLAGS).
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES

RACEFIX_CONFIG=${RACEFIX_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/racefix/config}
TOOLS=$OUT/tools
# Where the series live. Host tests point this at series of their own;
# the name of a series is still its directory's name, so the lock and the
# work directory are shared exactly as for patches/.
: "${RACEFIX_PATCHES:=$RACEFIX_ROOT/patches}"
# The file that marks a directory as racefix's own output (make clean
# and distclean delete nothing else).
OUT_MARKER=.racefix-out

# progress STAGE...: one line per stage with the time since the start.
progress() {
	now=$(date +%s)
	printf '[%4ss] %s\n' "$((now - RACEFIX_T0))" "$*"
}

# conf_get FILE KEY: the value of KEY=VALUE in FILE (last one wins),
# without running the file. Surrounding quotes are removed.
conf_get() {
	[ -r "$1" ] || return 0
	sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*//p" "$1" |
		tail -n 1 | sed 's/^"\(.*\)"$/\1/; s/^'"'"'\(.*\)'"'"'$/\1/'
}

# user_setting SERIES KEY: the environment wins, then "SERIES.KEY=" and
# then "KEY=" in the per-user config file. KEY is one of racefix's own
# names, never a user value.
user_setting() {
	eval "v=\${$2:-}"
	if [ -z "$v" ]; then
		v=$(conf_get "$RACEFIX_CONFIG" "$1\\.$2")
		[ -n "$v" ] || v=$(conf_get "$RACEFIX_CONFIG" "$2")
	fi
	# Expand a leading ~ as a shell would.
	case $v in
	"~"/*) v=$HOME/${v#"~"/} ;;
	esac
	printf '%s\n' "$v"
}

# is_name WORD: a plain name (letters, digits, . _ -), safe as a path
# component and as a make or shell word.
is_name() {
	case $1 in
	'' | .* | -* | *[!A-Za-z0-9._-]*) return 1 ;;
	esac
	return 0
}

# is_count WORD: a positive decimal integer without leading zeros.
is_count() {
	case $1 in
	'' | 0* | *[!0-9]*) return 1 ;;
	esac
	# At most 9 digits: no overflow in shell arithmetic.
	[ "${#1}" -le 9 ]
}

# load_arch ARCH: read harness/arch/ARCH.conf into the environment.
load_arch() {
	[ -n "$1" ] || die "ARCH is empty: give ARCH=$(list_arches | sed 's/ $//; s/ /|/g')"
	is_name "$1" && [ -r "$RACEFIX_ROOT/harness/arch/$1.conf" ] ||
		die "unknown ARCH '$1': give one of: $(list_arches)"
	f=$RACEFIX_ROOT/harness/arch/$1.conf
	# LIBC_PKG (optional): the cross C library's package, where its name
	# does not follow from CROSS_COMPILE (mips64el's R6 one).
	for k in KARCH CROSS_COMPILE CROSS_PKG LIBC_PKG IMAGE IMAGE_TARGET QEMU \
		 QEMU_PKG QEMU_ARGS CONSOLE HAVE_KCSAN; do
		eval "$k=\$(conf_get \"\$f\" $k)"
	done
	# shellcheck disable=SC2034 # read by the scripts that source this
	ARCH_NAME=$1
}

list_arches() {
	for f in "$RACEFIX_ROOT"/harness/arch/*.conf; do
		b=${f##*/}
		printf '%s ' "${b%.conf}"
	done
}

# known_series: the series racefix knows, and "smoke".
known_series() {
	case $- in
	*f*) set +f; ks_f=1 ;;
	*) ks_f= ;;
	esac
	for d in "$RACEFIX_PATCHES"/*/; do
		[ -d "$d" ] || continue
		b=${d%/}
		printf '%s ' "${b##*/}"
	done
	printf 'smoke\n'
	[ -z "$ks_f" ] || set -f
}

# series_name NAME: the canonical name of a series, the key of its lock,
# of its work directory in $OUT and of the config file. NAME is a series
# name (mm) or a path to a series directory under patches/ (./patches/mm,
# patches/mm/): both give the same name, so they share one lock. Anything
# else is refused, listing the known series.
series_name() {
	sn=$1
	while :; do
		case $sn in
		?*/) sn=${sn%/} ;;
		*) break ;;
		esac
	done
	case $sn in
	*/*)
		sn_dir=$(cd -P -- "$sn" 2>/dev/null && pwd -P) || sn_dir=
		sn_base=${sn_dir##*/}
		if [ -n "$sn_dir" ] && [ "$sn_dir" = "$(cd -P -- "$RACEFIX_PATCHES" 2>/dev/null && pwd -P)/$sn_base" ]; then
			sn=$sn_base
		elif [ -n "$sn_dir" ] && [ "$sn_dir" = "$(cd -P -- "$RACEFIX_ROOT/harness/smoke" && pwd -P)" ]; then
			sn=smoke
		else
			die "unknown SERIES '$1': give a series name, one of: $(known_series)"
		fi
		;;
	esac
	if [ "$sn" != smoke ] && { ! is_name "$sn" || [ ! -d "$RACEFIX_PATCHES/$sn" ]; }; then
		die "unknown SERIES '$1': give a series name, one of: $(known_series)"
	fi
	printf '%s\n' "$sn"
}

# series_dir NAME: where the series lives ("smoke" is the harness's own
# empty series used to boot a tree with no patches).
series_dir() {
	sd=$(series_name "$1") || exit 1
	if [ "$sd" = smoke ]; then
		printf '%s\n' "$RACEFIX_ROOT/harness/smoke"
	else
		printf '%s\n' "$RACEFIX_PATCHES/$sd"
	fi
}

# series_patches DIR: the patch files of a series, in quilt series order.
# A series file that names a missing patch stops the caller once, naming
# every missing patch.
series_patches() {
	[ -r "$1/series" ] || return 0
	sp_list=$(sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]].*//' "$1/series" | grep -v '^$') || true
	sp_missing=
	while read -r p; do
		[ -n "$p" ] || continue
		[ -r "$1/$p" ] || sp_missing="$sp_missing $p"
	done <<EOF
$sp_list
EOF
	[ -z "$sp_missing" ] ||
		die "series ${1##*/}: its series file names patches that are missing:$sp_missing: add them to $1 or remove them from $1/series"
	[ -z "$sp_list" ] || printf '%s\n' "$sp_list" | sed "s|^|$(printf '%s' "$1" | sed 's/[|&\\]/\\&/g')/|"
}

# series_arches DIR: the arches a series supports.
series_arches() {
	conf_get "$1/base.conf" ARCHES
}

# series_fragments ARCH SERIES_DIR: the kconfig fragments of a series'
# kernel for ARCH (load_arch ARCH first), in merge order: racefix's own
# (kconfig/), then the series' own, if it has them: SERIES_DIR/kconfig
# (every arch of the series) and SERIES_DIR/kconfig-ARCH (ARCH only),
# for options its guest tests need beyond every guest's.
series_fragments() {
	printf '%s\n' "$RACEFIX_ROOT/kconfig/common.config" \
		"$RACEFIX_ROOT/kconfig/$1.config" "$RACEFIX_ROOT/kconfig/debug.config"
	if [ "$HAVE_KCSAN" = yes ] && [ "$(conf_get "$2/base.conf" KCSAN)" != no ]; then
		printf '%s\n' "$RACEFIX_ROOT/kconfig/kcsan.config"
	fi
	for sf in "$2/kconfig" "$2/kconfig-$1"; do
		[ ! -f "$sf" ] || printf '%s\n' "$sf"
	done
}

# out_init: make sure OUT is racefix's own output directory: a new or
# empty directory gets the marker; one with the marker is used as is; a
# directory from before the marker existed (it holds racefix's tools or
# runs) is adopted. Anything else (a home directory, a source tree) is refused:
# racefix writes into, and make clean deletes, only its own output.
out_init() {
	if [ -d "$OUT" ] && [ ! -e "$OUT/$OUT_MARKER" ]; then
		if [ -n "$(ls -A "$OUT" 2>/dev/null)" ] && [ ! -x "$OUT/tools/qemu-run" ] &&
		   [ ! -x "$OUT/tools/verdict" ] && [ ! -d "$OUT/runs" ]; then
			die "OUT=$OUT is not empty and is not racefix's output (no $OUT_MARKER in it): give OUT a new or empty directory"
		fi
	fi
	mkdir -p "$OUT" || die "cannot create OUT=$OUT: give OUT a directory you can write"
	[ -e "$OUT/$OUT_MARKER" ] ||
		printf 'racefix output directory: make clean and make distclean may delete it\n' >"$OUT/$OUT_MARKER" ||
		die "cannot write to OUT=$OUT: give OUT a directory you can write"
}

# out_check_safe: OUT is a directory racefix may delete things in.
out_check_safe() {
	oc=$(cd -P -- "$OUT" 2>/dev/null && pwd -P) || return 1
	case $oc in
	/ | "$(cd -P -- "${HOME:-/}" 2>/dev/null && pwd -P)" | "$(cd -P -- "$RACEFIX_ROOT" && pwd -P)")
		die "refusing to delete in OUT=$OUT: it is /, your home or the racefix checkout; give OUT racefix's output directory"
		;;
	esac
	[ -f "$oc/$OUT_MARKER" ] ||
		die "refusing to delete in OUT=$OUT: it holds no $OUT_MARKER, so it is not racefix's output; give OUT racefix's output directory"
}

# out_clean runs|all: delete the run logs and tools, or all of OUT.
out_clean() {
	if [ ! -e "$OUT" ]; then
		echo "racefix: nothing to clean: OUT=$OUT does not exist"
		return 0
	fi
	out_check_safe || die "OUT=$OUT is not a directory: give OUT racefix's output directory"
	case $1 in
	runs)
		rm -rf -- "$OUT/runs" "$OUT/tools"
		;;
	all)
		rm -rf -- "$OUT"
		;;
	esac
}

# out_usable_for_kbuild: the kernel's build system cannot take a space or
# a colon in O= or in the source path; say so before any copy.
out_usable_for_kbuild() {
	case $OUT in
	*[[:space:]:]*)
		die "OUT='$OUT' contains a space or a colon, which the kernel's build system cannot handle: give OUT a path without them"
		;;
	esac
}

# lock_series NAME: one racefix run at a time per series (they share
# the tree copy); the lock is held on fd 9 until the caller exits.
lock_series() {
	ls_name=$(series_name "$1") || exit 1
	out_init
	mkdir -p "$OUT/$ls_name"
	exec 9>"$OUT/$ls_name/lock"
	flock -n 9 || die "another racefix run is using series $ls_name ($OUT/$ls_name): wait for it to end"
}

# maintainers TREE [GET_MAINTAINER_ARGS...] -- PATCH...: the addresses
# the tree's get_maintainer.pl gives for the patches, one per line.
maintainers() {
	gm_tree=$1
	shift
	(cd "$gm_tree" && perl scripts/get_maintainer.pl --no-git --no-git-fallback \
		--no-rolestats --separator '
' "$@") 2>/dev/null
}

# need_cmd CMD PACKAGE: stop with an install hint when CMD is missing.
need_cmd() {
	command -v "$1" >/dev/null 2>&1 ||
		die "$1 not found: install it with 'apt-get install $2' (or run harness/install-deps.sh as root)"
}

# host_tools: build every harness tool (harness/tools/NAME.c) into
# $TOOLS/NAME, when it is missing or older than its sources.
host_tools() {
	out_init
	mkdir -p "$TOOLS"
	for src in "$RACEFIX_ROOT"/harness/tools/*.c; do
		[ -r "$src" ] || continue
		t=${src##*/}
		t=${t%.c}
		if [ ! -x "$TOOLS/$t" ] ||
		   [ -n "$(find "$src" "$RACEFIX_ROOT/harness/tools" "$RACEFIX_ROOT/tests" \
			-maxdepth 1 \( -name "$t.c" -o -name '*.h' \) -newer "$TOOLS/$t" 2>/dev/null)" ]; then
			# shellcheck disable=SC2086 # HOSTCC may be "ccache cc"
			${HOSTCC:-cc} -O2 -Wall -Wextra -I"$RACEFIX_ROOT/tests" -o "$TOOLS/$t.tmp" "$src" ||
				die "cannot build the harness tool $t from $src: check that ${HOSTCC:-cc} works (apt-get install gcc libc6-dev)"
			mv -f "$TOOLS/$t.tmp" "$TOOLS/$t"
		fi
	done
}

# tree_version TREE: VERSION.PATCHLEVEL.SUBLEVEL of a kernel tree.
tree_version() {
	sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p; s/^SUBLEVEL = //p' "$1/Makefile" 2>/dev/null |
		head -n 3 | paste -sd.
}

# buildfix_files TREE ARCH: the harness's build fixes for this tree and
# arch (harness/buildfix/KEY.conf with BUILD_KCFLAGS, KEY.patch applied
# to racefix's own copy while it builds), KEY being, in this order,
# X.Y, X.Y.Z, X.Y-ARCH and X.Y.Z-ARCH of the tree's version. Harness
# only: never part of a series, never applied to a user's tree.
buildfix_files() {
	bf_v3=$(tree_version "$1")
	bf_v2=${bf_v3%.*}
	for k in "$bf_v2" "$bf_v3" "$bf_v2-$2" "$bf_v3-$2"; do
		for e in conf patch; do
			[ ! -r "$RACEFIX_ROOT/harness/buildfix/$k.$e" ] ||
				printf '%s\n' "$RACEFIX_ROOT/harness/buildfix/$k.$e"
		done
	done
}

# descendants PID: every process below PID, parents first (one snapshot).
descendants() {
	ps -e -o pid= -o ppid= 2>/dev/null | awk -v root="$1" '
		{ parent[$1] = $2; order[NR] = $1 }
		END {
			want[root] = 1
			do {
				more = 0
				for (i = 1; i <= NR; i++) {
					p = order[i]
					if (!(p in want) && (parent[p] in want)) { want[p] = 1; more = 1 }
				}
			} while (more)
			for (i = 1; i <= NR; i++)
				if (order[i] != root && order[i] in want)
					print order[i]
		}'
}

# kill_descendants PID: end every process below PID (QEMU, builds,
# stage scripts): stopped first so that none can start another, then
# terminated, and killed if one is still there a moment later.
kill_descendants() {
	# Some of the processes may be gone already: that is not an error.
	case $- in
	*e*) set +e; kd_e=1 ;;
	*) kd_e= ;;
	esac
	kd_do "$1"
	[ -z "$kd_e" ] || set -e
	return 0
}
kd_do() {
	kd=$(descendants "$1")
	[ -n "$kd" ] || return 0
	# shellcheck disable=SC2086 # one word per pid
	kill -STOP $kd 2>/dev/null
	# shellcheck disable=SC2086
	kill -TERM $kd 2>/dev/null
	# shellcheck disable=SC2086
	kill -CONT $kd 2>/dev/null
	i=0
	while [ "$i" -lt 20 ]; do
		left=
		for p in $kd; do
			# A zombie has ended: only its parent's wait is missing.
			case $(ps -o stat= -p "$p" 2>/dev/null) in
			'' | Z*) ;;
			*) left="$left $p" ;;
			esac
		done
		[ -n "$left" ] || return 0
		sleep 0.1
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	kill -KILL $left 2>/dev/null
	return 0
}

# rank CODE: the severity of an exit code (1 > 2 > 3 > 0), so that a run
# of several series or boots exits with the worst.
rank() {
	case $1 in
	0) echo 0 ;;
	3) echo 1 ;;
	2) echo 2 ;;
	*) echo 3 ;;
	esac
}

# tests_selection WORD...: what racefix_tests= among the kernel arguments
# WORD... selects (the last one, as the guest reads them), or nothing.
tests_selection() {
	ts=
	for a in "$@"; do
		case $a in
		racefix_tests=*) ts=${a#racefix_tests=} ;;
		esac
	done
	printf '%s\n' "$ts"
}

# judge_run SELECTION ARG...: the judge (harness/tools/judge.c) on ARG...,
# narrowed to SELECTION with -s when there is one.
judge_run() {
	jr_sel=$1
	shift
	if [ -n "$jr_sel" ]; then
		"$TOOLS/judge" -s "$jr_sel" "$@"
	else
		"$TOOLS/judge" "$@"
	fi
}

# trap_signals WHAT: on SIGHUP, SIGINT or SIGTERM end every child
# process, say "interrupted" and exit 128+N (129, 130, 143) as shells
# do. Long stages must run through run_stage so the trap runs at once.
trap_signals() {
	RACEFIX_WHAT=$1
	trap 'on_signal HUP 129' HUP
	trap 'on_signal INT 130' INT
	trap 'on_signal TERM 143' TERM
}

on_signal() {
	trap '' HUP INT TERM
	set +e
	kill_descendants $$
	printf 'racefix: interrupted by SIG%s: %s stopped, every child process ended, its locks released\n' \
		"$1" "$RACEFIX_WHAT" >&2
	exit "$2"
}

# run_stage CMD [ARG...]: run a stage in the background and wait for it,
# so that a signal reaches trap_signals' handler at once (a shell defers
# traps while a foreground child runs). The series lock (fd 9) is not
# passed on. Returns the stage's exit status.
run_stage() {
	"$@" 9>&- &
	wait "$!"
}
