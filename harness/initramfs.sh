#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# initramfs.sh - build the guest's initramfs for one series and arch.
#
# usage: initramfs.sh ARCH SERIES TREE GUEST_DIR [--patched]
#
# The series' "tests" file is the guest's manifest (see tests/init.c); a
# NAME written NAME@ARCH[,ARCH] runs only on those arches. A series may
# also have a "suite" file, a second manifest in the same form for a boot
# of its own (the tree's mm selftests, too long for every race boot).
# Each /bin/NAME a manifest names is built static from tests/NAME.c for
# the arch; each /bin/selftests/NAME is the tree's own kselftest, built by
# harness/build-selftests.sh as the series' "selftests" list says.
# tests/init.c becomes /init. The archives are written by the tree's
# usr/gen_init_cpio: GUEST_DIR/initramfs.cpio (the "tests" manifest) and
# GUEST_DIR/suite/initramfs.cpio (the "suite" manifest, if the series has
# one). Next to each archive, root/etc/racefix/tests is the manifest in it
# (this arch's lines), as boot.sh and the judge expect.
#
# Two calls, so that A and B run the same programs:
#  - without --patched, while TREE is at the series' base: /init, the
#    guest tests and the base tree's selftests (built once per tree, kept
#    in GUEST_DIR/selftests-base). A selftest the base tree lacks (the
#    series' own new one) is left for the second call
#    (GUEST_DIR/selftests.pending), and an archive that runs it is not
#    written until then.
#  - with --patched, after the series is applied to TREE: only the pending
#    programs, from the patched tree; then the archives.
# A program that does not build statically (or is not for ARCH) is left
# out: its manifest line becomes a "# racefix: not built" comment, and the
# reason is printed and kept in GUEST_DIR/selftests.skipped.
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$RACEFIX_ROOT/harness/lib.sh"

usage="usage: initramfs.sh ARCH SERIES TREE GUEST_DIR [--patched]"
patched=
case $# in
4) ;;
5) [ "$5" = --patched ] || die "$usage"; patched=1 ;;
*) die "$usage" ;;
esac
load_arch "$1"
sdir=$(series_dir "$2")
tree=$3
guest=$4
manifest=$sdir/tests
suite=$sdir/suite
list=$sdir/selftests
[ -r "$manifest" ] || die "series $2 has no tests file ($manifest)"
[ -d "$tree" ] || die "no kernel tree at $tree"

cc=${CROSS_COMPILE}gcc
need_cmd "$cc" "${CROSS_PKG:-gcc}"
cflags="-static -O2 -Wall -Wextra -pthread -I$RACEFIX_ROOT/tests"
root=$guest/root
tab=$(printf '\t')

# Every manifest line is checked (tests/manifest.h, as /init reads it)
# before anything is built: a bad line names FILE:LINE.
host_tools
"$TOOLS/manifest" check "$manifest" ||
	die "the guest manifest $manifest is invalid (above): fix the line it names"
[ ! -e "$suite" ] || "$TOOLS/manifest" check "$suite" ||
	die "the suite manifest $suite is invalid (above): fix the line it names"

# arch_lines MANIFEST OUTPUT: this arch's lines, without the arch filters.
arch_lines() {
	"$TOOLS/manifest" filter "$1" "$ARCH_NAME" >"$2" ||
		die "cannot filter $1 for $ARCH_NAME (above): fix the line it names"
}

# The guest's manifests: the race boot's, and the suite boot's if any.
guest_manifests() {
	echo "$root/etc/racefix/tests"
	[ ! -f "$guest/suite/root/etc/racefix/tests" ] || echo "$guest/suite/root/etc/racefix/tests"
}

# paths MANIFEST...: the program path of every test line.
paths() {
	sed -e 's/#.*//' "$@" | awk 'NF >= 3 { print $3 }' | sort -u
}

# leave_out NAME REASON: drop /bin/selftests/NAME from the guest's
# manifests, saying why in its place, and record it.
leave_out() {
	for m in $(guest_manifests); do
		awk -v p="/bin/selftests/$1" -v why="$2" '
			!/^[[:space:]]*#/ && $3 == p { print "# racefix: not built: " $0 " # " why; next }
			{ print }' "$m" >"$m.new"
		mv "$m.new" "$m"
	done
	printf '%s\t%s\n' "$1" "$2" >>"$guest/selftests.skipped"
	warn "selftest $1 is left out of the $ARCH_NAME guest: $2"
}

# selftests KIND NAME...: build the named programs of TREE (KIND base or
# patched) and put them into the guest; prints the names the tree lacks.
selftests() {
	kind=$1
	shift
	out=$guest/selftests-$kind
	[ -r "$list" ] || die "$manifest names /bin/selftests/$1, but the series has no selftests list: add $list (one program per line)"
	set -- "$(printf '%s\n' "$@" | paste -sd, -)"
	if [ "$kind" = patched ]; then
		set -- --only "$1"
	else
		set --
	fi
	"$RACEFIX_ROOT/harness/build-selftests.sh" "$@" --headers "$guest/selftests-hdr" \
		"$ARCH_NAME" "$list" "$tree" "$out" >"$guest/selftests-$kind.log" 2>&1 || {
		sed 's/^/  /' "$guest/selftests-$kind.log" >&2
		die "cannot build the $kind tree's selftests for $ARCH_NAME (log: $guest/selftests-$kind.log)"
	}
	mkdir -p "$root/bin/selftests"
}

# take KIND NAME: put program NAME of the KIND build into the guest, or
# leave it out with its reason; sets absent=1 if the tree lacks it.
take() {
	absent=
	line=$(awk -F "$tab" -v n="$2" '$1 == n' "$guest/selftests-$1/status")
	st=$(printf '%s\n' "$line" | cut -f 2)
	why=$(printf '%s\n' "$line" | cut -f 3-)
	case $st in
	built) cp "$guest/selftests-$1/bin/$2" "$root/bin/selftests/$2" ;;
	skipped) leave_out "$2" "$why" ;;
	absent) absent=1 ;;
	*) die "a manifest of series $(basename "$sdir") names /bin/selftests/$2, which $list does not list: add a line '$2' there" ;;
	esac
}

if [ -z "$patched" ]; then
	rm -rf "$root" "$guest/selftests.pending" "$guest/selftests.skipped" \
		"$guest/suite" "$guest/initramfs.cpio"
	mkdir -p "$root/bin" "$root/etc/racefix"
	# shellcheck disable=SC2086 # cflags are words
	$cc $cflags -o "$root/init" "$RACEFIX_ROOT/tests/init.c" ||
		die "cannot build tests/init.c with $cc"
	arch_lines "$manifest" "$root/etc/racefix/tests"
	if [ -e "$suite" ]; then
		mkdir -p "$guest/suite/root/etc/racefix"
		arch_lines "$suite" "$guest/suite/root/etc/racefix/tests"
	fi
	: >"$guest/selftests.pending"
	names=
	# shellcheck disable=SC2046 # one word per manifest
	for path in $(paths $(guest_manifests)); do
		case $path in
		/bin/selftests/*/* | /bin/*/*/*)
			die "$manifest: $path: programs live in /bin or /bin/selftests"
			;;
		/bin/selftests/*)
			names="$names ${path#/bin/selftests/}"
			;;
		/bin/*)
			name=${path#/bin/}
			src=$RACEFIX_ROOT/tests/$name.c
			[ -r "$src" ] || die "$manifest names $path, but $src does not exist"
			# shellcheck disable=SC2086
			$cc $cflags -o "$root/bin/$name" "$src" || die "cannot build $src with $cc"
			;;
		*)
			die "$manifest: $path is not under /bin"
			;;
		esac
	done
	if [ -n "$names" ]; then
		# shellcheck disable=SC2086 # one word per program
		selftests base $names
		for name in $names; do
			take base "$name"
			[ -z "$absent" ] || echo "$name" >>"$guest/selftests.pending"
		done
		if [ -s "$guest/selftests.pending" ] && [ -z "$(series_patches "$sdir")" ]; then
			die "series $(basename "$sdir") runs /bin/selftests/$(head -n 1 "$guest/selftests.pending"), which the tree lacks and no patch adds"
		fi
	fi
else
	[ -d "$root" ] && [ -f "$guest/selftests.pending" ] ||
		die "no base initramfs in $guest: run 'initramfs.sh ARCH SERIES TREE GUEST_DIR' while the tree is at its base, then --patched"
	names=$(cat "$guest/selftests.pending")
	if [ -n "$names" ]; then
		# shellcheck disable=SC2086 # one word per program
		selftests patched $names
		for name in $names; do
			take patched "$name"
			[ -z "$absent" ] ||
				die "neither the base nor the patched tree has tools/testing/selftests/mm/$name.c, which a manifest of series $(basename "$sdir") runs: fix the manifest or the series"
		done
		: >"$guest/selftests.pending"
	fi
fi

gen=$guest/gen_init_cpio
if [ ! -x "$gen" ]; then
	${HOSTCC:-cc} -O2 -o "$gen" "$tree/usr/gen_init_cpio.c" ||
		die "cannot build $tree/usr/gen_init_cpio.c"
fi
# cpio MANIFEST ARCHIVE: /init, MANIFEST as /etc/racefix/tests and the
# programs it names.
cpio() {
	{
		echo "dir /dev 0755 0 0"
		echo "nod /dev/console 0600 0 0 c 5 1"
		echo "dir /proc 0755 0 0"
		echo "dir /sys 0755 0 0"
		echo "dir /tmp 1777 0 0"
		echo "dir /bin 0755 0 0"
		echo "dir /bin/selftests 0755 0 0"
		echo "dir /etc 0755 0 0"
		echo "dir /etc/racefix 0755 0 0"
		echo "file /init $root/init 0755 0 0"
		echo "file /etc/racefix/tests $1 0644 0 0"
		for p in $(paths "$1"); do
			[ -f "$root$p" ] || die "$p, which $1 names, was not built"
			echo "file $p $root$p 0755 0 0"
		done
	} >"${2%.cpio}.list"
	"$gen" "${2%.cpio}.list" >"$2" || die "gen_init_cpio failed on ${2%.cpio}.list"
}
# An archive whose manifest runs a program that waits for the patched
# tree is written by the --patched call.
for m in $(guest_manifests); do
	a=${m%/root/etc/racefix/tests}/initramfs.cpio
	waits=
	for p in $(paths "$m"); do
		! grep -qxF -- "${p#/bin/selftests/}" "$guest/selftests.pending" || waits="$waits ${p#/bin/selftests/}"
	done
	if [ -n "$waits" ]; then
		rm -f "$a"
		progress "$(basename "$sdir")/$ARCH_NAME: ${a#"$guest"/} waits for the patched tree (initramfs.sh --patched), for the series' own selftests:$waits"
	else
		cpio "$m" "$a"
	fi
done
