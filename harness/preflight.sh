#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# preflight.sh - every cheap check of a run, before anything is built.
#
# usage: preflight.sh ARCH [SERIES...]
#
# The host: each tool a kernel build needs (make, gcc, flex, bison, bc,
# perl, cpio, libelf headers), the harness's own (flock, ps, git, quilt,
# xz), the compiler for ARCH, which must compile AND link a static
# threaded C program (this catches a missing cross libc, e.g.
# libc6-dev-sparc64-cross), and QEMU for ARCH. The values: RUNS,
# DURATION, BOOT_MARGIN, SILENCE, JOBS, VERBOSE, SUITE. Each series: a complete
# series file, its patches present, its signatures, unrelated and
# fixed-tests valid (judge --check), its guest manifest valid (manifest
# check) and, when KERNEL_ARGS selects tests with racefix_tests=, the
# selection known (manifest select). ccache is optional.
# Every problem found is printed, one line each
# ("racefix: error: CAUSE: FIX"); exit 0 all good, 1 otherwise.
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
export RACEFIX_ROOT
. "$RACEFIX_ROOT/harness/lib.sh"

[ $# -ge 1 ] || die "usage: preflight.sh ARCH [SERIES...]"
load_arch "$1"
shift
bad=0
err() {
	printf 'racefix: error: %s\n' "$*" >&2
	bad=$((bad + 1))
}
tool() {
	command -v "$1" >/dev/null 2>&1 ||
		err "$1 not found: install it with 'apt-get install $2' (or run harness/install-deps.sh as root)"
}

# The values. Each is data: it must be exactly a number where a number
# is meant.
count() {
	# count NAME VALUE WHAT
	is_count "$2" || err "$1='$2' is not a positive whole number: give $3"
}
count RUNS "${RUNS:-1}" "the boots per kernel, e.g. RUNS=10"
count DURATION "${DURATION:-10}" "the seconds per race test, e.g. DURATION=10"
[ -z "${JOBS:-}" ] || count JOBS "$JOBS" "the parallel build jobs, e.g. JOBS=2"
[ -z "${SMOKE_DURATION:-}" ] || count SMOKE_DURATION "$SMOKE_DURATION" "the seconds per race test of make smoke, e.g. 3"
[ -z "${BOOT_MARGIN:-}" ] || [ "$BOOT_MARGIN" = 0 ] || count BOOT_MARGIN "$BOOT_MARGIN" "the seconds a boot may take beyond its tests, e.g. 120"
[ -z "${SILENCE:-}" ] || count SILENCE "$SILENCE" "the seconds of console silence that end a boot, e.g. 120"
case ${VERBOSE:-0} in
0 | 1 | '') ;;
*) err "VERBOSE='$VERBOSE': give VERBOSE=1 (console on the terminal) or leave it unset" ;;
esac
case ${SUITE:-yes} in
yes | no) ;;
*) err "SUITE='$SUITE': give SUITE=no (no regression suite boots) or leave it unset" ;;
esac

# The host tools.
tool make make
tool "${HOSTCC:-cc}" gcc
tool flex flex
tool bison bison
tool bc bc
tool perl perl
tool cpio cpio
tool flock util-linux
tool ps procps
tool git git
tool xz xz-utils
tool quilt quilt
command -v ccache >/dev/null 2>&1 ||
	printf 'racefix: note: ccache not found: builds work, but rebuilds are slower (apt-get install ccache)\n' >&2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/racefix-preflight.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' HUP INT TERM
# objtool and the x86 build need libelf's headers on the host.
if [ "$KARCH" = x86_64 ] && command -v "${HOSTCC:-cc}" >/dev/null 2>&1 &&
   ! printf '#include <gelf.h>\nint main(void) { return 0; }\n' |
	${HOSTCC:-cc} -x c -o "$tmp/gelf" - -lelf >"$tmp/gelf.log" 2>&1; then
	err "the host compiler cannot build with libelf (<gelf.h>, -lelf), which the x86_64 kernel build needs: install it with 'apt-get install libelf-dev'"
fi

# The compiler for the arch: compile and link a static threaded program,
# as the guest's /init and tests are.
cc=${CROSS_COMPILE}gcc
pkg=${CROSS_PKG:-gcc}
if ! command -v "$cc" >/dev/null 2>&1; then
	err "$cc not found, needed to build the $ARCH_NAME kernel and guest: install it with 'apt-get install $pkg${CROSS_PKG:+ ${LIBC_PKG:-libc6-dev-$KARCH${CROSS_COMPILE:+64}-cross}}'"
else
	cat >"$tmp/t.c" <<'EOF'
#include <pthread.h>
#include <stdio.h>
static void *run(void *arg) { return arg; }
int main(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, run, NULL))
		return 1;
	pthread_join(t, NULL);
	puts("ok");
	return 0;
}
EOF
	if ! "$cc" -static -O2 -pthread -o "$tmp/t" "$tmp/t.c" >"$tmp/cc.log" 2>&1; then
		libc=libc6-dev
		[ -z "$CROSS_COMPILE" ] || libc=libc6-dev-$(printf '%s' "$CROSS_COMPILE" | sed 's/-linux-gnu-$//')-cross
		[ -z "${LIBC_PKG:-}" ] || libc=$LIBC_PKG
		err "$cc cannot build a static program for $ARCH_NAME ($(grep -m1 -i 'error' "$tmp/cc.log" || head -n 1 "$tmp/cc.log")): install the C library for it with 'apt-get install $libc'"
	fi
fi
tool "$QEMU" "$QEMU_PKG"

# The series.
host_tools
set -f
# shellcheck disable=SC2086 # words, unglobbed
selection=$(tests_selection ${KERNEL_ARGS:-})
set +f
for s in "$@"; do
	sdir=$(series_dir "$s") || { bad=$((bad + 1)); continue; }
	name=$(series_name "$s")
	case " $(series_arches "$sdir") " in
	*" $ARCH_NAME "*) ;;
	*) err "series $name does not support ARCH=$ARCH_NAME: give ARCH=$(series_arches "$sdir" | sed 's/ /|/g')" ;;
	esac
	( series_patches "$sdir" >/dev/null ) || bad=$((bad + 1))
	"$TOOLS/judge" --check "$sdir" || err "series $name: its signatures, unrelated or fixed-tests file is invalid (above): fix it in $sdir"
	manifest=$sdir/tests
	if [ ! -r "$manifest" ]; then
		err "series $name has no guest manifest: write $manifest"
	else
		if ! "$TOOLS/manifest" check "$manifest"; then
			err "series $name: its guest manifest is invalid (above): fix $manifest"
		elif [ -n "$selection" ] &&
		     ! "$TOOLS/manifest" select "$manifest" "$selection" >/dev/null; then
			err "KERNEL_ARGS racefix_tests=$selection selects a test series $name does not have (above): give names from $manifest"
		fi
	fi
done
[ "$bad" -eq 0 ] || exit 1
exit 0
