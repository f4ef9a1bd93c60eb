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
# only ever read. The copy lives in $OUT/SERIES/src; it is reset to the
# unpatched base on every call and its fingerprint is checked.
# Prints the path of the copy on stdout.
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$RACEFIX_ROOT/harness/lib.sh"

[ $# -eq 1 ] || die "usage: tree.sh SERIES"
sdir=$(series_dir "$1")
series=$(series_name "$1")
base_tag=$(conf_get "$sdir/base.conf" BASE_TAG)
base_url=$(conf_get "$sdir/base.conf" BASE_URL)
base_version=$(conf_get "$sdir/base.conf" BASE_VERSION)
src=$(user_setting "$series" KERNEL_SRC)
tarball=$(user_setting "$series" KERNEL_TARBALL)
ref=$(user_setting "$series" KERNEL_REF)
[ -n "$ref" ] || ref=$base_tag
work=$OUT/$series
dest=$work/src
mkdir -p "$work"

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
		origin="dir $(cd "$src" && pwd -P)"
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

if [ "$(cat "$work/origin" 2>/dev/null)" != "$origin" ] || [ ! -d "$dest" ]; then
	progress "$series: copying the tree ($kind) into $dest" >&2
	rm -rf "$dest" "$work/origin" "$work/base-commit"
	case $kind in
	git)
		git clone -q --shared --no-checkout "$src" "$dest"
		git -C "$dest" checkout -q --detach "$commit"
		;;
	clone)
		git clone -q --depth 1 --branch "$base_tag" "$base_url" "$dest"
		;;
	dir)
		mkdir -p "$dest"
		(cd "$src" && tar -cf - --exclude=./.git --exclude=./.pc .) |
			(cd "$dest" && tar -xf -)
		# An in-tree configured source cannot take O= builds.
		if [ -f "$dest/.config" ] || [ -d "$dest/include/config" ]; then
			make -s -C "$dest" mrproper
		fi
		;;
	tar)
		mkdir -p "$dest"
		tar -xf "$tarball" -C "$dest" --strip-components=1 ||
			die "cannot unpack KERNEL_TARBALL=$tarball (expected one top-level directory)"
		;;
	esac
	if [ -d "$dest/.git" ]; then
		git -C "$dest" rev-parse HEAD >"$work/base-commit"
	fi
	printf '%s\n' "$origin" >"$work/origin"
fi

# Back to the unpatched base, whatever an earlier run left applied.
if [ -s "$work/base-commit" ]; then
	git -C "$dest" am --abort >/dev/null 2>&1 || true
	git -C "$dest" reset -q --hard "$(cat "$work/base-commit")"
	git -C "$dest" clean -fdq
elif [ -d "$dest/.pc" ]; then
	(cd "$dest" && QUILT_PATCHES=$sdir quilt pop -afq >/dev/null) ||
		die "cannot pop the quilt patches in $dest: remove it and run again"
	rm -rf "$dest/.pc"
fi

[ -f "$dest/Makefile" ] || die "$dest holds no kernel Makefile: $hint"
have=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p; s/^SUBLEVEL = //p' "$dest/Makefile" | paste -sd.)
if [ -n "$base_version" ] && [ "$have" != "$base_version" ]; then
	warn "the tree for $series is Linux $have, the series is based on $base_version"
fi
n=$("$RACEFIX_ROOT/harness/fingerprint.sh" "$sdir" "$dest") || exit $?
progress "$series: tree Linux $have, base fingerprint ok ($n files)" >&2
printf '%s\n' "$dest"
