#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# apply.sh - apply a series to the harness's copy of the tree.
#
# usage: apply.sh [--check] SERIES TREE
#
# git am on a git tree, quilt push -a on a plain one. A patch that does
# not apply stops the run with its name, file and hunk, and the tree is
# put back to its base: nothing is left half applied, no git am or quilt
# state is left behind, and the next run works. --check changes nothing:
# it tells whether the whole series applies (git apply --check, patch
# after patch), so that a series that does not apply is known before any
# build. Exit 0, or 1 with one line naming the patch.
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$RACEFIX_ROOT/harness/lib.sh"

check=
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
[ $# -eq 2 ] || die "usage: apply.sh [--check] SERIES TREE"
sdir=$(series_dir "$1")
series=$(series_name "$1")
tree=$2
# Only racefix's own copy is ever patched.
[ -n "$tree" ] && [ -d "$tree" ] &&
	[ "$(cd -P -- "$tree" && pwd -P)" = "$(cd -P -- "$OUT/$series/src" 2>/dev/null && pwd -P)" ] ||
	die "apply.sh patches only racefix's copy of the tree, $OUT/$series/src, not '$tree': run tree.sh $series first"
log=$OUT/$series/apply.log
patches=$(series_patches "$sdir")
[ -n "$patches" ] || { progress "$series: the series is empty, nothing to apply"; exit 0; }
mkdir -p "$OUT/$series"

# git_apply_check PATCH...: do these patches apply, one after the other?
# On a plain tree git must not take a repository above it for its own.
git_apply_check() {
	(cd "$tree" && GIT_CEILING_DIRECTORIES=$(dirname "$(pwd -P)") git apply --check "$@")
}

if [ -n "$check" ]; then
	# Apply the series, one patch after the other, to a scratch copy of
	# the files it touches: later patches build on earlier ones, so a
	# single "git apply --check" of them all would refuse a good series.
	scratch=$(mktemp -d "$OUT/$series/applycheck.XXXXXX") ||
		die "cannot make a scratch directory under $OUT/$series"
	"$RACEFIX_ROOT/harness/fingerprint.sh" --print "$sdir" | while read -r _ path; do
		[ -f "$tree/$path" ] || continue
		mkdir -p "$(dirname "$scratch/$path")"
		cp "$tree/$path" "$scratch/$path"
	done
	set -f
	# shellcheck disable=SC2086 # one word per patch file
	set -- $patches
	set +f
	k=0
	for p in "$@"; do
		k=$((k + 1))
		if ! (cd "$scratch" && GIT_CEILING_DIRECTORIES=$(dirname "$(pwd -P)") git apply "$p") >"$log" 2>&1; then
			rm -rf -- "$scratch"
			sed 's/^/  /' "$log" >&2
			die "series $series does not apply to its base: patch $k, ${p##*/}, fails (above: the file and the hunk): rebase the series onto its base and export it again"
		fi
	done
	rm -rf -- "$scratch"
	progress "$series: the series applies to its base ($# patches)"
	exit 0
fi

if [ -d "$tree/.git" ]; then
	# The committer of the harness's private copy; the author stays
	# whoever wrote the patch.
	GIT_COMMITTER_NAME=racefix GIT_COMMITTER_EMAIL=racefix@localhost.invalid
	export GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
	# The files in patches/ name no author: git am needs one, so the
	# private copy gets copies stamped with a local identity.
	# shellcheck disable=SC2086 # one word per patch file
	if ! grep -L '^From: ' $patches | grep -q .; then
		:
	elif ! patches=$("$RACEFIX_ROOT/harness/stamp.sh" --local "$OUT/$series/stamped" $patches); then
		die "cannot stamp the patches of series $series for git am"
	fi
	# shellcheck disable=SC2086 # one word per patch file
	if ! git -C "$tree" am -q $patches >"$log" 2>&1; then
		# Undo first: nothing below may leave a rebase in progress.
		git -C "$tree" am --abort >/dev/null 2>&1 || true
		git -C "$tree" reset -q --hard "$(cat "$OUT/$series/base-commit")"
		# git am numbers the patch with leading zeros ("0010"): a
		# decimal number, not an octal one.
		num=$(sed -n 's/^Patch failed at 0*\([0-9][0-9]*\) .*/\1/p' "$log" | head -n 1)
		failed=$(printf '%s\n' "$patches" | sed -n "${num:-1}p")
		# git apply -v shows the hunk it could not place.
		git -C "$tree" apply --check -v "$failed" 2>&1 |
			sed -n '/^error: while searching for:/,$p' | head -n 30 >>"$log"
		# git am's advice on resolving does not apply: it was aborted.
		grep -v -e '^hint:' -e '^When you have' -e '^If you prefer' \
			-e '^To restore' "$log" | sed 's/^/  /' >&2
		die "series $series does not apply with git am: ${failed##*/} failed (above: the file and the hunk); the tree was reset to its base"
	fi
else
	need_cmd quilt quilt
	if ! (cd "$tree" && QUILT_PATCHES=$sdir quilt push -a) >"$log" 2>&1; then
		(cd "$tree" && QUILT_PATCHES=$sdir quilt pop -afq) >/dev/null 2>&1 || true
		# quilt's state would stop the next run: the tree is at its
		# base again, so it goes.
		if [ -s "$tree/.pc/applied-patches" ]; then
			die "series $series does not apply with quilt push, and quilt pop could not undo it: the next run copies the tree again"
		fi
		rm -rf -- "$tree/.pc"
		sed 's/^/  /' "$log" >&2
		die "series $series does not apply with quilt push: $(grep '^Applying patch' "$log" | tail -n 1) failed (above: file and hunk); the tree was put back to its base"
	fi
fi
progress "$series: applied $(printf '%s\n' "$patches" | wc -l) patches"
