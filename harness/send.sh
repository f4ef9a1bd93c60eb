#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# send.sh - prepare a series for the lists with b4, and mail only on request.
#
# usage: send.sh SERIES
#
# Makes a b4 branch in the harness's own git repository of the series'
# tree (never the user's checkout; made once and reused for as long as
# the base tree is the same), puts the series and its cover letter
# (patches/SERIES/cover-letter.txt: subject line, blank line, body) on
# it, fills To/Cc from racefix's MAINTAINERS.snippet and the base tree's
# get_maintainer.pl (the snippet's address wins where they differ:
# people move), and then, by default, writes the exact messages to
# $OUT/send/SERIES/messages/ (b4 send -o) and prints the recipients.
#   SEND=reflect   mail the series to yourself only (b4 send --reflect)
#   SEND=yes       mail it to the lists (b4 send)
# The patches in patches/ name no author: each is stamped with the
# sender's git identity (git config user.name and user.email) as From:
# and Signed-off-by: (harness/stamp.sh); without an identity it refuses.
# In the cover letter, @RESULTS@ becomes the statistics lines of the last
# make boot-test of each arch of the series (the judge's summary.txt).
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
export RACEFIX_ROOT
. "$RACEFIX_ROOT/harness/lib.sh"
H=$RACEFIX_ROOT/harness

[ $# -eq 1 ] || die "usage: send.sh SERIES"
series=$1
sdir=$(series_dir "$series")
need_cmd b4 b4
patches=$(series_patches "$sdir")
[ -n "$patches" ] || die "series $series is empty: nothing to send"
cover=$sdir/cover-letter.txt
[ -r "$cover" ] || die "series $series has no cover letter ($cover)"
case ${SEND:-} in
'' | no | reflect | yes) ;;
*) die "SEND=$SEND: use SEND=reflect (mail yourself) or SEND=yes (mail the lists); unset writes files only" ;;
esac

name=$(git -C "$RACEFIX_ROOT" config user.name || true)
email=$(git -C "$RACEFIX_ROOT" config user.email || true)
[ -n "$name" ] && [ -n "$email" ] ||
	die "no git identity to send as: set 'git config --global user.name' and user.email; they become the patches' From: and Signed-off-by:"

lock_series "$series"
tree=$("$H/tree.sh" "$series")
work=$OUT/send/$series
rm -rf "$work"
mkdir -p "$work"
# shellcheck disable=SC2086 # one word per patch file
stamped=$(GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email \
	"$H/stamp.sh" "$work/stamped" $patches)

# A git repository of the tree for b4, kept in $OUT/send/ and reused for
# as long as the base tree is the same: a worktree of the private copy
# when that has history, else a one-commit repository of it.
if [ -s "$OUT/$series/base-commit" ]; then
	base=$(cat "$OUT/$series/base-commit")
	repo=$OUT/send/.worktree-$series
	git -C "$tree" worktree prune
	if ! git -C "$repo" rev-parse -q --verify "$base^{commit}" >/dev/null 2>&1; then
		rm -rf "$repo"
		git -C "$tree" worktree add -q --detach "$repo" "$base"
	fi
else
	repo=$OUT/send/.repo-$series
	base_id=$(cat "$OUT/$series/origin" "$OUT/$series/origin.sig" 2>/dev/null || true)
	if [ -n "$base_id" ] &&
	   [ "$(cat "$repo/.git/racefix-base" 2>/dev/null || true)" = "$base_id" ] &&
	   base=$(git -C "$repo" rev-parse -q --verify "refs/tags/racefix-base^{commit}"); then
		progress "$series: reusing the git repository of the base tree ($repo)"
	else
		progress "$series: the tree is a plain directory: making a git repository of it for b4 (once per base tree)"
		rm -rf "$repo"
		mkdir -p "$repo"
		(cd "$tree" && tar -cf - --exclude=./.pc .) | (cd "$repo" && tar -xf -)
		git -C "$repo" init -q
		# No background gc: it would repack the whole tree after the commit.
		git -C "$repo" config gc.auto 0
		git -C "$repo" add -A
		git -C "$repo" -c user.name="$name" -c user.email="$email" commit -qm \
			"Linux $(conf_get "$sdir/base.conf" BASE_VERSION)"
		git -C "$repo" tag racefix-base
		base=$(git -C "$repo" rev-parse HEAD)
		printf '%s\n' "$base_id" >"$repo/.git/racefix-base"
	fi
fi
# Back to the base, on a branch (b4 prep wants one), with no b4 branch
# left from an earlier run.
git -C "$repo" checkout -q -f -B "racefix-send-$series" "$base"
git -C "$repo" clean -qfdx
git -C "$repo" branch -D "b4/racefix-$series" >/dev/null 2>&1 || true

# Recipients: everyone racefix's snippet names, with its addresses, then
# anyone the tree's get_maintainer.pl names whom the snippet does not (a
# person by name, a list by address): where the two differ, the snippet's
# current address wins over the pinned tree's.
recipients() {
	rsrc=$1
	shift
	# shellcheck disable=SC2086
	maintainers "$tree" "$@" $patches | awk -v src="$rsrc" '
		NF {
			key = $0
			if (match(key, /<[^>]*>/) && RSTART > 1)
				key = substr(key, 1, RSTART - 1)
			gsub(/["[:space:]]/, "", key)
			print src "\t" tolower(key) "\t" $0
		}'
}
pick() {
	awk -F '\t' '
		$1 == "snippet" { named[$2] = 1 }
		$1 == "tree" && ($2 in named) { next }
		!seen[$3]++ { print $3 }'
}
snippet=$RACEFIX_ROOT/MAINTAINERS.snippet
{ recipients snippet --mpath "$snippet"; recipients tree; } | pick >"$work/recipients"
# Maintainers go in To, everything else (reviewers, lists) in Cc, as
# b4 --auto-to-cc does.
{ recipients snippet --mpath "$snippet" --no-r --no-l; recipients tree --no-r --no-l; } |
	pick | grep -xFf "$work/recipients" >"$work/to" || true
grep -vxFf "$work/to" "$work/recipients" >"$work/cc" || true

cd "$repo"
git config user.name "$name"
git config user.email "$email"
b4 prep -n "racefix-$series" -f "$base" >"$work/b4.log" 2>&1 ||
	{ cat "$work/b4.log" >&2; die "b4 prep failed"; }
# shellcheck disable=SC2086
git am -q $stamped || die "the series does not apply in $repo"

# The cover letter, with its recipients as trailers, through b4's editor.
# @RESULTS@ becomes the statistics of the last boot-test run of each arch
# (the judge's lines with boot counts, bound and p-value, the half-done
# moves, the verdict); b4 writes base-commit: itself, from the branch's
# fork point.
{
	while IFS= read -r line; do
		case $line in
		@RESULTS@) "$H/results.sh" "$series" || exit 1 ;;
		base-commit:*) ;;
		*) printf '%s\n' "$line" ;;
		esac
	done <"$cover"
	echo
	sed 's/^/To: /' "$work/to"
	sed 's/^/Cc: /' "$work/cc"
} >"$work/cover"
cat >"$work/editor" <<EOF
#!/bin/sh
cp "$work/cover" "\$1"
EOF
chmod +x "$work/editor"
EDITOR=$work/editor GIT_EDITOR=$work/editor b4 prep --edit-cover >>"$work/b4.log" 2>&1 ||
	{ cat "$work/b4.log" >&2; die "b4 prep --edit-cover failed"; }

# Messages are signed with patatt when the sender has a key; unsigned
# otherwise (b4 would refuse to send at all).
sign=
if [ -z "$(git config patatt.signingkey || true)$(git config user.signingkey || true)" ]; then
	sign=--no-sign
fi
case ${SEND:-} in
yes)
	progress "$series: mailing the series to the lists (SEND=yes)"
	b4 send $sign
	;;
reflect)
	progress "$series: mailing the series to $email only (SEND=reflect)"
	b4 send --reflect $sign
	;;
*)
	mkdir -p "$work/messages"
	# Writing files only: tell b4 an SMTP server exists (it is never
	# contacted with -o) so it does not insist on signing for the web
	# endpoint. The user's own configuration is untouched.
	GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=sendemail.smtpserver \
	GIT_CONFIG_VALUE_0=localhost.invalid \
		b4 send -o "$work/messages" --no-sign >>"$work/b4.log" 2>&1 ||
		{ cat "$work/b4.log" >&2; die "b4 send -o failed"; }
	progress "$series: $(ls "$work/messages" | wc -l) messages written to $work/messages (nothing mailed)"
	;;
esac
echo "To:"
sed 's/^/  /' "$work/to"
echo "Cc:"
sed 's/^/  /' "$work/cc"
