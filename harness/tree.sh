#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tree.sh - give a series its own copy of the kernel tree, at its base.
#
# usage: tree.sh SERIES
#
# The tree comes from, in this order: KERNEL_SRC (a git repository, of
# which the pinned tag or KERNEL_REF is cloned with --shared; or a plain
# source directory, which is copied), KERNEL_TARBALL, the per-user config
# file ("SERIES.KERNEL_SRC=..." or "KERNEL_SRC=..."), and last a shallow
# clone of the pinned tag when the network allows. The user's tree is
# only ever read, and is checked (version, fingerprint) before anything
# is copied. A plain directory is known by its content (the blobs of the
# fingerprinted files and a listing of every path with its size and
# mtime), so an edit to it is seen and the copy made again. Before a
# copy, the space it needs is compared with what OUT has free. The copy
# lives in $OUT/SERIES/src; it is reset to the unpatched base on every
# call and its fingerprint is checked.
# Prints the path of the copy on stdout. Exit 0, or 1 with one line.
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$RACEFIX_ROOT/harness/lib.sh"

[ $# -eq 1 ] || die "usage: tree.sh SERIES"
tree_arg=$1
sdir=$(series_dir "$1")
series=$(series_name "$1")
base_tag=$(conf_get "$sdir/base.conf" BASE_TAG)
base_url=$(conf_get "$sdir/base.conf" BASE_URL)
base_version=$(conf_get "$sdir/base.conf" BASE_VERSION)
src=$(user_setting "$series" KERNEL_SRC)
tarball=$(user_setting "$series" KERNEL_TARBALL)
ref=$(user_setting "$series" KERNEL_REF)
[ -n "$ref" ] || ref=$base_tag
case $ref in
-*) die "KERNEL_REF='$ref' starts with '-': give a tag, branch or commit id" ;;
esac
out_init
work=$OUT/$series
dest=$work/src
mkdir -p "$work"
H=$RACEFIX_ROOT/harness
# A series file naming a missing patch: one error, before anything else.
series_patches "$sdir" >/dev/null || exit 1

hint="set KERNEL_SRC=/path/to/linux (a git repository with $base_tag, or a $base_tag source directory) or KERNEL_TARBALL=/path/to/linux.tar.xz, or add '$series.KERNEL_SRC=/path' to $RACEFIX_CONFIG"

# Decide where the tree comes from and give that an identity, so that
# an unchanged origin reuses the existing copy (incremental builds).
if [ -n "$src" ] && [ -n "$tarball" ]; then
	die "both KERNEL_SRC and KERNEL_TARBALL are set for series $series: set only one"
elif [ -n "$src" ]; then
	[ -d "$src" ] || die "KERNEL_SRC=$src is not a directory: $hint"
	[ -f "$src/Makefile" ] || [ -d "$src/.git" ] || [ -f "$src/HEAD" ] ||
		die "KERNEL_SRC=$src holds no kernel tree (no Makefile, no git repository): $hint"
	if top=$(git -C "$src" rev-parse --show-toplevel 2>/dev/null) &&
	   [ "$(cd "$top" && pwd -P)" = "$(cd "$src" && pwd -P)" ] ||
	   [ "$(git -C "$src" rev-parse --is-bare-repository 2>/dev/null)" = true ]; then
		commit=$(git -C "$src" rev-parse -q --verify "$ref^{commit}") ||
			die "KERNEL_SRC=$src has no '$ref': run 'git -C $src fetch --tags' or set KERNEL_REF to the commit of $base_tag"
		kind=git
		origin="git $src $commit"
	else
		kind=dir
		src=$(cd "$src" && pwd -P)
		origin="dir $src"
	fi
elif [ -n "$tarball" ]; then
	[ -r "$tarball" ] || die "KERNEL_TARBALL=$tarball cannot be read: $hint"
	kind=tar
	origin="tar $tarball $(stat -c '%s %Y' "$tarball")"
elif [ -n "$base_url" ] && [ -n "$base_tag" ] &&
     timeout 30 git ls-remote --exit-code "$base_url" "refs/tags/$base_tag" >/dev/null 2>&1; then
	kind=clone
	origin="clone $base_url $base_tag"
else
	die "no kernel tree for series $series: $hint (cloning $base_tag from ${base_url:-nowhere} failed: no network?)"
fi


# is_tree DIR WHAT: DIR has what the harness needs of a kernel tree (a
# Makefile alone is not a tree).
is_tree() {
	for f in Makefile Kconfig arch scripts/kconfig/merge_config.sh usr/gen_init_cpio.c; do
		[ -e "$1/$f" ] || die "$2 is not a kernel source tree ($f is missing): $hint"
	done
	have=$(tree_version "$1")
	if [ -n "$base_version" ] && [ "$have" != "$base_version" ]; then
		die "$2 is Linux ${have:-of no version}, series $series needs $base_version: $hint"
	fi
}

# The content of a plain source directory: every path with its size and
# mtime. The files the series touches need no more: fingerprint.sh checks
# their blobs against the base on every run, before this, so editing the
# series (other files, other patches) keeps the copy.
signature() {
	find "$1" \( -name .git -o -name .pc \) -prune -o -printf '%P %s %T@\n' | LC_ALL=C sort | cksum
}

# A copy is made when the origin changed, a plain source directory's
# content changed, or there is no copy.
sig=
if [ "$kind" = dir ]; then
	is_tree "$src" "KERNEL_SRC=$src"
	# The user's tree itself must be the base: checked before copying.
	"$H/fingerprint.sh" "$sdir" "$src" >/dev/null || exit 1
	sig="$origin $(signature "$src")"
fi
fresh=
if [ "$(cat "$work/origin" 2>/dev/null)" != "$origin" ] || [ ! -d "$dest" ]; then
	fresh=1
elif [ "$kind" = dir ] && [ -s "$work/origin.sig" ] && [ "$(cat "$work/origin.sig")" != "$sig" ]; then
	progress "$series: KERNEL_SRC=$src changed since it was copied: copying it again" >&2
	fresh=1
fi

# space_needed: the KiB the copy will take.
space_needed() {
	case $kind in
	dir) du -sk --exclude=.git --exclude=.pc "$src" 2>/dev/null | awk '{ print $1 }' ;;
	git) git -C "$src" ls-tree -r -l "$commit" | awk '{ s += $4 } END { print int(s / 1024) + 1 }' ;;
	tar)
		case $tarball in
		*.xz) xz --robot --list "$tarball" | awk '$1 == "totals" { print int($5 / 1024) + 1 }' ;;
		*) echo $(( $(stat -c %s "$tarball") * 8 / 1024 )) ;;
		esac
		;;
	*) echo 0 ;;
	esac
}
space_free() {
	df -Pk "$work" | awk 'NR == 2 { print $4 }'
}
# copy_failed LOG: remove the partial copy and say why, in one line.
copy_failed() {
	rm -rf -- "$dest"
	if grep -q 'No space left' "$1" 2>/dev/null; then
		die "no space left in OUT while copying the tree into $dest (needs $((need / 1024)) MiB, $(( $(space_free) / 1024 )) MiB free now; the partial copy was removed): free space there or give OUT another disk"
	fi
	die "copying the tree into $dest failed ($(grep -m1 . "$1" 2>/dev/null)): check the $kind source and run again"
}

if [ -n "$fresh" ]; then
	rm -rf -- "$dest" "$work/origin" "$work/origin.sig" "$work/base-commit"
	# Kernels built from the old copy are stale.
	rm -f -- "$work"/*/A/stamp "$work"/*/B/stamp
	need=$(space_needed)
	# Files take whole blocks: a tarball or git tree is counted in bytes.
	need=$((need + need / 8))
	free=$(space_free)
	if [ "$need" -gt "$free" ]; then
		die "not enough space in OUT for the tree: the copy needs $((need / 1024)) MiB, $((free / 1024)) MiB are free on $(df -P "$work" | awk 'NR == 2 { print $6 }'): free space there or give OUT another disk"
	fi
	progress "$series: copying the tree ($kind) into $dest" >&2
	# The log is kept off OUT: OUT may be the disk that is full.
	log=$(mktemp "${TMPDIR:-/tmp}/racefix-copy.XXXXXX")
	trap 'rm -f "$log"' EXIT
	case $kind in
	git)
		{ git clone -q --shared --no-checkout "$src" "$dest" &&
		  git -C "$dest" checkout -q --detach "$commit"; } >"$log" 2>&1 || copy_failed "$log"
		;;
	clone)
		git clone -q --depth 1 --branch "$base_tag" "$base_url" "$dest" >"$log" 2>&1 || copy_failed "$log"
		;;
	dir)
		mkdir -p "$dest"
		# Both ends are checked: a full disk shows in the unpacking tar.
		if ! { (cd "$src" && tar -cf - --exclude=./.git --exclude=./.pc .) |
		       (cd "$dest" && tar -xf -); } >"$log" 2>&1; then
			copy_failed "$log"
		fi
		[ ! -s "$log" ] || ! grep -q 'No space left' "$log" || copy_failed "$log"
		# An in-tree configured source cannot take O= builds.
		if [ -f "$dest/.config" ] || [ -d "$dest/include/config" ]; then
			make -s -C "$dest" mrproper
		fi
		;;
	tar)
		mkdir -p "$dest"
		if ! tar -xf "$tarball" -C "$dest" --strip-components=1 >"$log" 2>&1; then
			grep -q 'No space left' "$log" && copy_failed "$log"
			rm -rf -- "$dest"
			die "cannot unpack KERNEL_TARBALL=$tarball ($(grep -m1 . "$log")): give a kernel tarball with one top-level directory"
		fi
		;;
	esac
	if [ -d "$dest/.git" ]; then
		git -C "$dest" rev-parse HEAD >"$work/base-commit"
	fi
	printf '%s\n' "$origin" >"$work/origin"
	[ -z "$sig" ] || printf '%s\n' "$sig" >"$work/origin.sig"
fi
# A copy from before content signatures: it is adopted (its fingerprint
# is checked below) and known by content from now on.
[ -z "$sig" ] || [ -s "$work/origin.sig" ] || printf '%s\n' "$sig" >"$work/origin.sig"

# Back to the unpatched base, whatever an earlier run left applied: a
# series (git am, quilt) or a build fix of the harness. A copy that
# cannot be put back is made again.
recopy() {
	warn "$1: copying the tree again"
	rm -rf -- "$dest" "$work/origin" "$work/origin.sig"
	exec "$0" "$tree_arg"
}
if [ -s "$work/base-commit" ]; then
	git -C "$dest" am --abort >/dev/null 2>&1 || true
	git -C "$dest" rebase --abort >/dev/null 2>&1 || true
	git -C "$dest" reset -q --hard "$(cat "$work/base-commit")" &&
		git -C "$dest" clean -fdq ||
		recopy "cannot reset $dest to its base"
else
	if [ -d "$dest/.pc" ]; then
		if [ -s "$dest/.pc/applied-patches" ]; then
			(cd "$dest" && QUILT_PATCHES=$sdir quilt pop -afq >/dev/null 2>&1) ||
				recopy "cannot pop the quilt patches in $dest"
		fi
		rm -rf -- "$dest/.pc"
	fi
fi
if [ -f "$dest/.racefix-buildfix.patch" ]; then
	if [ -d "$dest/.git" ]; then
		rm -f -- "$dest/.racefix-buildfix.patch"
	else
		patch -s -R -p1 -d "$dest" <"$dest/.racefix-buildfix.patch" >/dev/null 2>&1 ||
			recopy "cannot take the harness's build fix out of $dest"
		rm -f -- "$dest/.racefix-buildfix.patch"
	fi
fi

is_tree "$dest" "the copy $dest"
n=$("$H/fingerprint.sh" "$sdir" "$dest") || exit 1
progress "$series: tree Linux $(tree_version "$dest"), base fingerprint ok ($n files)" >&2
printf '%s\n' "$dest"
