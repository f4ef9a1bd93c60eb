#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# build-selftests.sh [--only NAME[,NAME...]] [--headers DIR] ARCH LIST KERNEL_SRC OUTDIR
# build-selftests.sh --parse LIST
#
# Build the kernel tree's own mm selftests (tools/testing/selftests/mm)
# that LIST names, as static programs for the ARCH guest, the way the
# tree's own Makefile builds them: -Wall -O2 -U_FORTIFY_SOURCE, the tree's
# UAPI headers first on the include path, vm_util.c and thp_settings.c
# (where the tree has them) linked into every program, -lrt -lpthread -lm.
#
# LIST is data, one program per line (patches/SERIES/selftests):
#
#	NAME[@ARCH[,ARCH...]] [FILE.c...] [-lLIB...] [# note]
#
# FILE.c are more sources from the tree's selftests/mm directory (e.g.
# uffd-common.c), -lLIB more libraries; @ARCH limits the program to those
# arches (elsewhere it is skipped, with the note as the reason). --parse
# checks LIST and prints it as NAME<TAB>ARCHES<TAB>SOURCES<TAB>LIBS<TAB>NOTE
# ("-" for an empty field); a bad line is reported as LIST:LINE: reason (exit 1).
#
# The UAPI headers come from "make O=DIR headers" of KERNEL_SRC, into
# --headers DIR (default OUTDIR/hdr); nothing is ever written into
# KERNEL_SRC. --only builds just those programs of LIST (initramfs.sh
# uses it for the programs only the patched tree has).
#
# Output in OUTDIR: bin/NAME, log/NAME.log, and "status", one line per
# program: NAME<TAB>built, NAME<TAB>skipped<TAB>REASON (does not build
# statically, or not for ARCH) or NAME<TAB>absent<TAB>REASON (the tree has
# no such program). A program that does not build is skipped, never fatal.
# The result is kept: the build is redone only when its key changes (the
# tree's selftests and UAPI sources, LIST, --only, the compiler and this
# script), so it is built once per tree.
#
# Exit codes: 0 built (skips included), 1 could not run.

set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$RACEFIX_ROOT/harness/lib.sh"

usage="usage: build-selftests.sh [--only NAME,...] [--headers DIR] ARCH LIST KERNEL_SRC OUTDIR | --parse LIST"

# parse_list LIST: check LIST and print it in tab-separated form.
parse_list() {
	[ -r "$1" ] || die "cannot read the selftests list $1: create it (one program per line)"
	awk -v file="$1" '
	function bad(why) {
		printf "racefix: error: %s:%d: %s\n", file, NR, why > "/dev/stderr"
		err = 1
	}
	{
		line = $0
		note = ""
		if ((i = index(line, "#")) > 0) {
			note = substr(line, i + 1)
			line = substr(line, 1, i - 1)
		}
		gsub(/^[[:space:]]+|[[:space:]]+$/, "", note)
		gsub(/[[:space:]]+/, " ", note)
		n = split(line, w, /[[:space:]]+/)
		k = 1
		if (n > 0 && w[1] == "")
			k = 2
		if (k > n || w[k] == "")
			next
		name = w[k]
		arches = ""
		if ((i = index(name, "@")) > 0) {
			arches = substr(name, i + 1)
			name = substr(name, 1, i - 1)
			if (arches !~ /^[a-z0-9_]+(,[a-z0-9_]+)*$/) {
				bad("\"" w[k] "\": write NAME@ARCH[,ARCH...]")
				next
			}
		}
		if (name !~ /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/) {
			bad("\"" name "\" is not a program name (letters, digits, _ . -)")
			next
		}
		if (name in seen) {
			bad(name " is listed twice (first on line " seen[name] ")")
			next
		}
		seen[name] = NR
		srcs = ""
		libs = ""
		for (k++; k <= n; k++) {
			if (w[k] == "")
				continue
			if (w[k] ~ /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.c$/)
				srcs = srcs (srcs == "" ? "" : " ") w[k]
			else if (w[k] ~ /^-l[A-Za-z0-9_+.-]+$/)
				libs = libs (libs == "" ? "" : " ") w[k]
			else {
				bad("\"" w[k] "\" is neither a source file of selftests/mm (FILE.c) nor a library (-lNAME)")
				break
			}
		}
		if (k <= n)
			next
		printf "%s\t%s\t%s\t%s\t%s\n", name, arches == "" ? "-" : arches,
			srcs == "" ? "-" : srcs, libs == "" ? "-" : libs, note == "" ? "-" : note
	}
	END { exit err }' "$1"
}

only=
hdr=
while [ $# -gt 0 ]; do
	case $1 in
	--parse)
		[ $# -eq 2 ] || die "$usage"
		parse_list "$2"
		exit
		;;
	--only)
		[ $# -ge 2 ] || die "$usage"
		only=$2
		shift 2
		;;
	--headers)
		[ $# -ge 2 ] || die "$usage"
		hdr=$2
		shift 2
		;;
	-*)
		die "$usage"
		;;
	*)
		break
		;;
	esac
done
[ $# -eq 4 ] || die "$usage"
load_arch "$1"
list=$2
ksrc=$3
outdir=$4
: "${hdr:=$outdir/hdr}"

cc=${CROSS_COMPILE}gcc
need_cmd "$cc" "${CROSS_PKG:-gcc}"
need_cmd make make
[ -d "$ksrc" ] || die "kernel source directory '$ksrc' not found: pass the tree"
ksrc=$(cd "$ksrc" && pwd -P)
mmdir=$ksrc/tools/testing/selftests/mm
[ -f "$ksrc/tools/testing/selftests/kselftest.h" ] && [ -d "$mmdir" ] ||
	die "$ksrc has no tools/testing/selftests/mm: the tree is too old for the mm selftests list $list"

mkdir -p "$outdir" "$hdr" || die "cannot create '$outdir' or '$hdr'"
outdir=$(cd "$outdir" && pwd -P)
hdr=$(cd "$hdr" && pwd -P)
for d in "$outdir" "$hdr"; do
	case $d/ in
	"$ksrc"/*) die "'$d' is inside the kernel tree $ksrc: choose a directory in racefix's OUT" ;;
	esac
done

parsed=$(parse_list "$list") || exit 1

# file_sums DIR "PATTERN...": the checksum of the files under the paths
# that the PATTERNs (globs, relative to DIR) name.
file_sums() {
	# shellcheck disable=SC2086 # the patterns are globbed inside DIR
	(cd "$1" && set -- $2 && find "$@" -type f 2>/dev/null | LC_ALL=C sort |
		tr '\n' '\0' | xargs -0 cksum) | cksum
}
hdr_key=$( (echo "racefix headers $KARCH"; file_sums "$ksrc" "Makefile include/uapi
	arch/*/include/uapi scripts/headers_install.sh scripts/Makefile.headersinst
	scripts/unifdef.c") | cksum)
# The key of the build: the tree's headers and selftests, the list, the
# choice of programs, the compiler and this script.
key=$( (echo "$hdr_key $ARCH_NAME only=$only"; printf '%s\n' "$parsed"
	command -v "$cc"; "$cc" -dumpmachine; "$cc" -dumpversion
	cat "$0"; file_sums "$ksrc" "tools/testing/selftests/mm
	tools/testing/selftests/kselftest*.h tools/include/uapi") | cksum)

if [ -s "$outdir/status" ] && [ "$(cat "$outdir/key" 2>/dev/null)" = "$key" ]; then
	echo "selftests for $ARCH_NAME are up to date in $outdir (cached)"
	exit 0
fi
rm -rf "${outdir:?}/bin" "$outdir/log" "$outdir/obj" "$outdir/inc" "$outdir/status" \
	"$outdir/status.new" "$outdir/key"
mkdir -p "$outdir/bin" "$outdir/log" "$outdir/obj" "$outdir/inc"

if [ ! -f "$hdr/usr/include/linux/mman.h" ] || [ "$(cat "$hdr/.racefix-key" 2>/dev/null)" != "$hdr_key" ]; then
	rm -rf "$hdr"
	mkdir -p "$hdr"
	t=$(date +%s)
	# O= keeps every product out of the tree; "headers" (unlike
	# headers_install) needs no rsync and no .config.
	make -s -C "$ksrc" O="$hdr" ARCH="$KARCH" headers >"$outdir/log/headers.log" 2>&1 || {
		tail -n 20 "$outdir/log/headers.log" >&2
		die "make O=$hdr ARCH=$KARCH headers failed in $ksrc (log: $outdir/log/headers.log)"
	}
	echo "$hdr_key" >"$hdr/.racefix-key"
	echo "UAPI headers of $ksrc for $KARCH in $hdr ($(( $(date +%s) - t )) s)"
fi

# check_config.sh of the tree probes for liburing, which a static guest
# program cannot use: say "none", as the tree does where it is missing.
echo "// No liburing support found" >"$outdir/inc/local_config.h"
cflags="-static -Wall -O2 -U_FORTIFY_SOURCE -Wunreachable-code -ffile-prefix-map=$ksrc/= -I$outdir/inc -I$ksrc -isystem $hdr/usr/include -isystem $ksrc/tools/include/uapi"

# reason LOG: the first error of a compiler log, on one line.
reason() {
	r=$(grep -m 1 -E 'error|undefined reference|cannot find' "$1" |
		awk -v k="$mmdir/" -v t="$ksrc/" '{
			while ((i = index($0, k)) > 0)
				$0 = substr($0, 1, i - 1) substr($0, i + length(k))
			while ((i = index($0, t)) > 0)
				$0 = substr($0, 1, i - 1) substr($0, i + length(t))
			print
		}') || true
	[ -n "$r" ] || r=$(tail -n 1 "$1")
	printf '%.200s' "$r"
}

# object FILE.c: build selftests/mm/FILE.c once into obj/; prints the
# object, or fails with the reason on stdout.
# shellcheck disable=SC2086 # cflags are words
object() {
	o=$outdir/obj/${1%.c}.o
	if [ -f "$o" ]; then
		echo "$o"
	elif [ -f "$outdir/obj/${1%.c}.err" ]; then
		cat "$outdir/obj/${1%.c}.err"
		return 1
	elif [ ! -f "$mmdir/$1" ]; then
		echo "the tree has no tools/testing/selftests/mm/$1" | tee "$outdir/obj/${1%.c}.err"
		return 1
	elif "$cc" $cflags -c -o "$o" "$mmdir/$1" >"$outdir/log/$1.log" 2>&1; then
		echo "$o"
	else
		echo "$1 does not build with $cc: $(reason "$outdir/log/$1.log")" | tee "$outdir/obj/${1%.c}.err"
		return 1
	fi
}

helpers=
for h in vm_util.c thp_settings.c; do
	[ ! -f "$mmdir/$h" ] || helpers="$helpers $h"
done

t=$(date +%s)
nbuilt=0
nskipped=0
tab=$(printf '\t')
printf '%s\n' "$parsed" | while IFS=$tab read -r name arches srcs libs note; do
	[ "$arches" != - ] || arches=
	[ "$srcs" != - ] || srcs=
	[ "$libs" != - ] || libs=
	[ "$note" != - ] || note=
	case ",$only," in
	,,|*",$name,"*) ;;
	*) continue ;;
	esac
	if [ -n "$arches" ]; then
		case ",$arches," in
		*",$ARCH_NAME,"*) ;;
		*)
			printf '%s\tskipped\tnot for %s (listed for %s)%s\n' "$name" "$ARCH_NAME" \
				"$arches" "${note:+: $note}" >>"$outdir/status.new"
			continue
			;;
		esac
	fi
	if [ ! -f "$mmdir/$name.c" ]; then
		printf '%s\tabsent\tthe tree has no tools/testing/selftests/mm/%s.c\n' "$name" "$name" >>"$outdir/status.new"
		continue
	fi
	objs=
	why=
	for s in $helpers $srcs; do
		if o=$(object "$s"); then
			objs="$objs $o"
		else
			why=$o
			break
		fi
	done
	# shellcheck disable=SC2086 # cflags, objs and libs are words
	if [ -z "$why" ] && "$cc" $cflags -o "$outdir/bin/$name" "$mmdir/$name.c" $objs \
		-lrt -lpthread -lm $libs >"$outdir/log/$name.log" 2>&1; then
		printf '%s\tbuilt\n' "$name" >>"$outdir/status.new"
		echo "built $name"
	else
		rm -f "$outdir/bin/$name"
		[ -n "$why" ] || why="does not build statically with $cc: $(reason "$outdir/log/$name.log")"
		printf '%s\tskipped\t%s\n' "$name" "$why" >>"$outdir/status.new"
	fi
done
[ -f "$outdir/status.new" ] || : >"$outdir/status.new"
while IFS=$tab read -r name st why; do
	case $st in
	built) nbuilt=$((nbuilt + 1)) ;;
	skipped) nskipped=$((nskipped + 1)); echo "skipped $name: $why" ;;
	absent) echo "absent $name: $why" ;;
	esac
done <"$outdir/status.new"
mv "$outdir/status.new" "$outdir/status"
echo "$key" >"$outdir/key"
echo "selftests for $ARCH_NAME: $nbuilt built, $nskipped skipped, in $(( $(date +%s) - t )) s ($outdir)"
