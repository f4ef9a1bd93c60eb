#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# build-selftests.sh KERNEL_SRC OUTDIR CC
#
# Build the kernel tree's own mremap selftests (tools/testing/selftests/mm
# mremap_test and mremap_dontunmap) as static binaries for a guest, with CC
# (gcc or sparc64-linux-gnu-gcc).  Nothing is written into KERNEL_SRC.
#
# Neither test needs vm_util.c or thp_settings.c (checked for v6.18.2 and
# Debian's 6.12): each is one .c file plus ../kselftest.h, and the libc's
# kernel headers (linux-libc-dev) are enough.  If a future tree needs newer
# uapi headers, point KHDR at a "make headers_install INSTALL_HDR_PATH=..."
# result (its include/ directory) and it is put first on the include path.
#
# Output: OUTDIR/mremap_test, OUTDIR/mremap_dontunmap.  Exit 0 on success.

set -eu

usage() {
	echo "usage: $0 KERNEL_SRC OUTDIR CC" >&2
	exit 2
}

die() {
	echo "build-selftests.sh: error: $*" >&2
	exit 1
}

[ $# -eq 3 ] || usage
ksrc=$1
outdir=$2
cc=$3

[ -d "$ksrc" ] || die "kernel source directory '$ksrc' not found"
mmdir=$ksrc/tools/testing/selftests/mm
incdir=$ksrc/tools/testing/selftests

command -v "$cc" >/dev/null 2>&1 || die "compiler '$cc' not found in PATH"
[ -f "$incdir/kselftest.h" ] || die "missing $incdir/kselftest.h"

tests="mremap_test mremap_dontunmap"
for t in $tests; do
	[ -f "$mmdir/$t.c" ] || die "missing $mmdir/$t.c"
done

khdr=
if [ -n "${KHDR:-}" ]; then
	[ -d "$KHDR" ] || die "KHDR='$KHDR' is not a directory"
	khdr="-isystem $KHDR"
fi

case $(cd "$outdir" 2>/dev/null && pwd -P || echo "$outdir") in
"$(cd "$ksrc" && pwd -P)"|"$(cd "$ksrc" && pwd -P)"/*)
	die "OUTDIR '$outdir' is inside KERNEL_SRC; choose another directory"
	;;
esac

mkdir -p "$outdir" || die "cannot create '$outdir'"

# The selftests Makefile uses -Wall -O2 -I $(top_srcdir); keep its flags so
# that warnings are upstream's, and add -static for the initramfs.
for t in $tests; do
	# shellcheck disable=SC2086
	if ! "$cc" -static -O2 -Wall $khdr -I "$incdir" \
		-o "$outdir/$t" "$mmdir/$t.c"; then
		die "$cc failed to build $mmdir/$t.c"
	fi
	echo "built $outdir/$t"
done
