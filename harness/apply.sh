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
series=$(series_name "$1")
tree=$2
log=$OUT/$series/apply.log
patches=$(series_patches "$sdir")
[ -n "$patches" ] || { progress "$series: the series is empty, nothing to apply"; exit 0; }

if [ -d "$tree/.git" ]; then
	# The committer of the harness's private copy; the author stays
	# whoever wrote the patch.
	GIT_COMMITTER_NAME=racefix GIT_COMMITTER_EMAIL=racefix@localhost.invalid
	export GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
	# shellcheck disable=SC2086 # one word per patch file
	if ! git -C "$tree" am -q $patches >"$log" 2>&1; then
		num=$(sed -n 's/^Patch failed at \([0-9]*\) .*/\1/p' "$log" | head -n 1)
		failed=$(printf '%s\n' "$patches" | sed -n "$((${num:-1} + 0))p")
		git -C "$tree" am --abort >/dev/null 2>&1 || true
		git -C "$tree" reset -q --hard "$(cat "$OUT/$series/base-commit")"
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
		sed 's/^/  /' "$log" >&2
		die "series $series does not apply with quilt push: $(grep '^Applying patch' "$log" | tail -n 1) failed (above: file and hunk); the tree was put back to its base"
	fi
fi
progress "$series: applied $(printf '%s\n' "$patches" | wc -l) patches"
