#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# initramfs.sh - build the guest's initramfs for one series and arch.
#
# usage: initramfs.sh ARCH SERIES TREE GUEST_DIR
#
# The series' "tests" file is the guest's manifest (see tests/init.c); a
# NAME written NAME@ARCH[,ARCH] runs only on those arches.
# Each /bin/NAME it names is built static from tests/NAME.c for the arch;
# each /bin/selftests/NAME is the tree's own kselftest, built by
# harness/build-selftests.sh. tests/init.c becomes /init. The archive is
# written by the tree's usr/gen_init_cpio to GUEST_DIR/initramfs.cpio.
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$RACEFIX_ROOT/harness/lib.sh"

[ $# -eq 4 ] || die "usage: initramfs.sh ARCH SERIES TREE GUEST_DIR"
load_arch "$1"
sdir=$(series_dir "$2")
tree=$3
guest=$4
manifest=$sdir/tests
[ -r "$manifest" ] || die "series $2 has no tests file ($manifest)"

cc=${CROSS_COMPILE}gcc
need_cmd "$cc" "${CROSS_PKG:-gcc}"
cflags="-static -O2 -Wall -Wextra -pthread -I$RACEFIX_ROOT/tests"
root=$guest/root
rm -rf "$root"
mkdir -p "$root/bin" "$root/etc/racefix"

# shellcheck disable=SC2086 # cflags are words
$cc $cflags -o "$root/init" "$RACEFIX_ROOT/tests/init.c" ||
	die "cannot build tests/init.c with $cc"
# This arch's lines, without the arch filters.
awk -v arch="$ARCH_NAME" '
	/^[[:space:]]*(#|$)/ { print; next }
	{
		n = index($1, "@")
		if (n) {
			if (index("," substr($1, n + 1) ",", "," arch ",") == 0)
				next
			sub(/@[^[:space:]]*/, "")
		}
		print
	}' "$manifest" >"$root/etc/racefix/tests"
need_selftests=
for path in $(sed -e 's/#.*//' "$root/etc/racefix/tests" | awk 'NF >= 3 { print $3 }'); do
	case $path in
	/bin/selftests/*)
		need_selftests=1
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
if [ -n "$need_selftests" ]; then
	"$RACEFIX_ROOT/harness/build-selftests.sh" "$tree" "$root/bin/selftests" "$cc" >"$guest/selftests.log" 2>&1 || {
		sed 's/^/  /' "$guest/selftests.log" >&2
		die "cannot build the tree's selftests for $ARCH_NAME (log: $guest/selftests.log)"
	}
fi
gen=$guest/gen_init_cpio
if [ ! -x "$gen" ]; then
	${HOSTCC:-cc} -O2 -o "$gen" "$tree/usr/gen_init_cpio.c" ||
		die "cannot build $tree/usr/gen_init_cpio.c"
fi
{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "dir /proc 0755 0 0"
	echo "dir /sys 0755 0 0"
	echo "dir /tmp 1777 0 0"
	(cd "$root" && find . -mindepth 1 | sort) | while read -r f; do
		f=${f#.}
		if [ -d "$root$f" ]; then
			echo "dir $f 0755 0 0"
		else
			echo "file $f $root$f 0755 0 0"
		fi
	done
} >"$guest/initramfs.list"
"$gen" "$guest/initramfs.list" >"$guest/initramfs.cpio" ||
	die "gen_init_cpio failed on $guest/initramfs.list"
