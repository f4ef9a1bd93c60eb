# SPDX-License-Identifier: GPL-2.0
# racefix harness: helpers shared by the stage scripts (POSIX sh).
# Sourced, never run. Expects RACEFIX_ROOT to be set by the caller.

: "${RACEFIX_ROOT:?RACEFIX_ROOT must point at the racefix checkout}"
: "${OUT:=$RACEFIX_ROOT/out}"
: "${RACEFIX_T0:=$(date +%s)}"
export OUT RACEFIX_T0

RACEFIX_CONFIG=${RACEFIX_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/racefix/config}
TOOLS=$OUT/tools

# die MESSAGE...: the harness could not do its job (exit 1).
die() {
	printf 'racefix: error: %s\n' "$*" >&2
	exit 1
}

warn() {
	printf 'racefix: warning: %s\n' "$*" >&2
}

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
# then "KEY=" in the per-user config file.
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

# load_arch ARCH: read harness/arch/ARCH.conf into the environment.
load_arch() {
	f=$RACEFIX_ROOT/harness/arch/$1.conf
	[ -r "$f" ] || die "unknown ARCH '$1': supported are $(list_arches)"
	for k in KARCH CROSS_COMPILE CROSS_PKG IMAGE IMAGE_TARGET QEMU \
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

# series_dir NAME: where the series lives ("smoke" is the harness's own
# empty series used to boot a tree with no patches; a NAME with a slash
# is a series directory elsewhere, as the host tests use).
series_dir() {
	case $1 in
	*/*)
		[ -d "$1" ] || die "no series directory at $1"
		(cd "$1" && pwd)
		return
		;;
	esac
	if [ "$1" = smoke ]; then
		printf '%s\n' "$RACEFIX_ROOT/harness/smoke"
	elif [ -d "$RACEFIX_ROOT/patches/$1" ]; then
		printf '%s\n' "$RACEFIX_ROOT/patches/$1"
	else
		die "unknown SERIES '$1': known are $(ls "$RACEFIX_ROOT/patches") smoke"
	fi
}

# series_name NAME: the key of a series in $OUT and in the config file.
series_name() {
	basename "$1"
}

# series_patches DIR: the patch files of a series, in quilt series order.
series_patches() {
	[ -r "$1/series" ] || return 0
	sed -e 's/#.*//' -e 's/[[:space:]].*//' "$1/series" | while read -r p; do
		[ -n "$p" ] || continue
		[ -r "$1/$p" ] || die "$1/series names $p, which is missing"
		printf '%s\n' "$1/$p"
	done
}

# series_arches DIR: the arches a series supports.
series_arches() {
	conf_get "$1/base.conf" ARCHES
}

# series_fragments ARCH SERIES_DIR: the kconfig fragments of a series'
# kernel for ARCH (load_arch ARCH first), in merge order.
series_fragments() {
	printf '%s\n' "$RACEFIX_ROOT/kconfig/common.config" \
		"$RACEFIX_ROOT/kconfig/$1.config" "$RACEFIX_ROOT/kconfig/debug.config"
	if [ "$HAVE_KCSAN" = yes ] && [ "$(conf_get "$2/base.conf" KCSAN)" != no ]; then
		printf '%s\n' "$RACEFIX_ROOT/kconfig/kcsan.config"
	fi
}

# lock_series NAME: one racefix run at a time per series (they share
# the tree copy); the lock is held on fd 9 until the caller exits.
lock_series() {
	mkdir -p "$OUT/$1"
	exec 9>"$OUT/$1/lock"
	flock -n 9 || die "another racefix run is using series $1 ($OUT/$1): wait for it to end"
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
		die "$1 not found: install it with 'apt-get install $2'"
}

# host_tools: build the harness's C tools once into $TOOLS.
host_tools() {
	mkdir -p "$TOOLS"
	for t in qemu-run verdict; do
		src=$RACEFIX_ROOT/harness/tools/$t.c
		if [ ! -x "$TOOLS/$t" ] || [ -n "$(find "$src" -newer "$TOOLS/$t")" ]; then
			${HOSTCC:-cc} -O2 -Wall -Wextra -o "$TOOLS/$t" "$src" ||
				die "cannot build harness tool $t"
		fi
	done
}
