#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# send.sh - prepare a series for the lists with b4, and mail only on request.
#
# usage: send.sh SERIES
#
# Makes a b4 branch in the harness's own worktree of the series' tree
# (never the user's checkout), puts the series and its cover letter
# (patches/SERIES/cover-letter.txt: subject line, blank line, body) on
# it, fills To/Cc from the base tree's get_maintainer.pl with racefix's
# MAINTAINERS.snippet, and then, by default, writes the exact messages
# to $OUT/send/SERIES/ (b4 send -o) and prints the recipients.
#   SEND=reflect   mail the series to yourself only (b4 send --reflect)
#   SEND=yes       mail it to the lists (b4 send)
# Every patch must carry the sender's Signed-off-by (git config
# user.name and user.email).
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
	die "no git identity: set 'git config --global user.name' and user.email; b4 sends as that identity"
for p in $patches; do
	grep -qxF "Signed-off-by: $name <$email>" "$p" ||
		die "${p##*/} lacks your Signed-off-by ($name <$email>): add the line 'Signed-off-by: $name <$email>' after the other trailers (or git am the series, run 'git rebase --signoff $(conf_get "$sdir/base.conf" BASE_TAG)' and export it again with git format-patch --full-index)"
done

lock_series "$series"
tree=$("$H/tree.sh" "$series")
work=$OUT/send/$series
rm -rf "$work"
mkdir -p "$work"

# A git repository of the tree for b4: the private copy's own history
# when it has one (a worktree of it), else a one-commit repository.
if [ -s "$OUT/$series/base-commit" ]; then
	base=$(cat "$OUT/$series/base-commit")
	git -C "$tree" worktree prune
	git -C "$tree" branch -D "b4/racefix-$series" >/dev/null 2>&1 || true
	git -C "$tree" worktree add -q --detach "$work/tree" "$base"
	repo=$work/tree
else
	progress "$series: the tree is a plain directory: making a git repository for b4 (once)"
	repo=$work/tree
	mkdir -p "$repo"
	(cd "$tree" && tar -cf - --exclude=./.pc .) | (cd "$repo" && tar -xf -)
	git -C "$repo" init -q
	# No background gc: it would repack the whole tree after the commit.
	git -C "$repo" config gc.auto 0
	git -C "$repo" add -A
	git -C "$repo" -c user.name="$name" -c user.email="$email" commit -qm \
		"Linux $(conf_get "$sdir/base.conf" BASE_VERSION)"
	base=$(git -C "$repo" rev-parse HEAD)
fi

# Recipients: the tree's get_maintainer.pl, then racefix's snippet.
recipients() {
	# shellcheck disable=SC2086
	maintainers "$tree" "$@" $patches
}
{ recipients; recipients --mpath "$RACEFIX_ROOT/MAINTAINERS.snippet"; } |
	awk 'NF && !seen[$0]++' >"$work/recipients"
# Maintainers go in To, everything else (reviewers, lists) in Cc, as
# b4 --auto-to-cc does.
{ recipients --no-r --no-l; recipients --mpath "$RACEFIX_ROOT/MAINTAINERS.snippet" --no-r --no-l; } |
	awk 'NF && !seen[$0]++' >"$work/to"
grep -vxFf "$work/to" "$work/recipients" >"$work/cc" || true

cd "$repo"
git config user.name "$name"
git config user.email "$email"
b4 prep -n "racefix-$series" -f "$base" >"$work/b4.log" 2>&1 ||
	{ cat "$work/b4.log" >&2; die "b4 prep failed"; }
# shellcheck disable=SC2086
git am -q $patches || die "the series does not apply in $repo"

# The cover letter, with its recipients as trailers, through b4's editor.
# @RESULTS@ becomes the verdict tables of the last boot-test runs; b4
# writes base-commit: itself, from the branch's fork point.
results() {
	found=
	for a in $(series_arches "$sdir"); do
		f=$OUT/runs/latest-$a/$series/summary.txt
		[ -r "$f" ] || continue
		found=1
		printf '%s, %s:\n\n' "$a" "$(sed -n 's/^== .* on [^:]*: //p' "$OUT/runs/latest-$a/$series/header" 2>/dev/null || echo "last run")"
		sed 's/^/  /' "$f"
		echo
	done
	[ -n "$found" ] || echo "  (no boot-test run is recorded in $OUT: run make boot-test first)"
}
{
	while IFS= read -r line; do
		case $line in
		@RESULTS@) results ;;
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
