#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# stamp.sh - give a series' patches an author and a Signed-off-by.
#
# usage: stamp.sh [--local] OUTDIR PATCH...
#
# The patches in patches/ name no author and carry no Signed-off-by: only
# a person can certify the DCO, and this repository has no person's
# identity to put there. Whoever applies or sends them supplies it: each
# PATCH is copied to OUTDIR with a "From:" header and a "Signed-off-by:"
# trailer (git interpret-trailers) of the running user's git identity
# (GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL, else git config user.name and
# user.email). A patch that already has a From: keeps it; a Signed-off-by
# that is already there is not added twice. The copies' paths are printed
# one per line, in order, for git am.
#
# Without an identity it refuses, naming the fix. --local (for scratch
# trees whose commits never leave the machine: make check, the harness's
# private build copy) uses "racefix <racefix@localhost.invalid>" instead.
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$RACEFIX_ROOT/harness/lib.sh"

local_ok=
if [ "${1:-}" = --local ]; then
	local_ok=1
	shift
fi
[ $# -ge 2 ] || die "usage: stamp.sh [--local] OUTDIR PATCH..."
outdir=$1
shift

name=${GIT_AUTHOR_NAME:-$(git config user.name || true)}
email=${GIT_AUTHOR_EMAIL:-$(git config user.email || true)}
if [ -z "$name" ] || [ -z "$email" ]; then
	[ -n "$local_ok" ] ||
		die "no git identity to sign the patches with: set it with 'git config --global user.name \"Your Name\"' and 'git config --global user.email you@example.org'"
	name=racefix
	email=racefix@localhost.invalid
fi
case $name$email in
*'
'*) die "the git identity spans lines: fix git config user.name and user.email" ;;
esac

mkdir -p "$outdir"
for p in "$@"; do
	[ -r "$p" ] || die "no such patch: $p"
	out=$outdir/${p##*/}
	# From: goes into the mail header (up to the first blank line), right
	# after the mbox "From <id> <date>" line when there is one.
	if sed '/^$/q' "$p" | grep -q '^From: '; then
		cp "$p" "$out.tmp"
	else
		awk -v from="From: $name <$email>" '
			NR == 1 && !/^From / { print from }
			{ print }
			NR == 1 && /^From / { print from }' "$p" >"$out.tmp"
	fi
	git interpret-trailers --if-exists addIfDifferent \
		--trailer "Signed-off-by: $name <$email>" "$out.tmp" >"$out"
	rm -f "$out.tmp"
	printf '%s\n' "$out"
done
