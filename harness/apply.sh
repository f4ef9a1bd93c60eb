#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# apply.sh - apply a series to the harness's copy of the tree.
#
# usage: apply.sh SERIES TREE
#
# git am on a git tree, quilt push -a on a plain one. A patch that does
# not apply stops the run with its name, file and hunk, and the tree is
# put back to its base: nothing is left half applied.
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$RACEFIX_ROOT/harness/lib.sh"

[ $# -eq 2 ] || die "usage: apply.sh SERIES TREE"
sdir=$(series_dir "$1")
tree=$2
log=$OUT/$1/apply.log
patches=$(series_patches "$sdir")
[ -n "$patches" ] || { progress "$1: the series is empty, nothing to apply"; exit 0; }

if [ -d "$tree/.git" ]; then
	# The committer of the harness's private copy; the author stays
	# whoever wrote the patch.
	GIT_COMMITTER_NAME=racefix GIT_COMMITTER_EMAIL=racefix@localhost.invalid
	export GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
	# shellcheck disable=SC2086 # one word per patch file
	if ! git -C "$tree" am -q $patches >"$log" 2>&1; then
		failed=$(git -C "$tree" am --show-current-patch=raw 2>/dev/null |
			sed -n 's/^Subject: //p' | head -n 1)
		git -C "$tree" am --abort >/dev/null 2>&1 || true
		git -C "$tree" reset -q --hard "$(cat "$OUT/$1/base-commit")"
		sed 's/^/  /' "$log" >&2
		die "series $1 does not apply with git am: patch '$failed' failed (above: file and hunk); the tree was reset to its base"
	fi
else
	need_cmd quilt quilt
	if ! (cd "$tree" && QUILT_PATCHES=$sdir quilt push -a) >"$log" 2>&1; then
		(cd "$tree" && QUILT_PATCHES=$sdir quilt pop -afq) >/dev/null 2>&1 || true
		sed 's/^/  /' "$log" >&2
		die "series $1 does not apply with quilt push: $(grep '^Applying patch' "$log" | tail -n 1) failed (above: file and hunk); the tree was put back to its base"
	fi
fi
progress "$1: applied $(printf '%s\n' "$patches" | wc -l) patches"
