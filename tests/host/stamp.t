#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Patches name no author; harness/stamp.sh gives them the running user's.
#
# - no file in patches/ carries a From: or a Signed-off-by: (nobody's
#   identity, least of all a non-person's, is kept in the repository);
# - stamp.sh refuses, in one line with exit 1, when there is no git
#   identity, and --local falls back to a placeholder;
# - a stamped patch has exactly one From: and one Signed-off-by: of the
#   given identity, also when stamped twice, and an existing From: stays;
# - git am takes the stamped copy and refuses the bare file, so the
#   stamping is what makes git am work (end to end on a real series).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..7"

# 1. No identity in patches/.
found=$(grep -l -E '^(From|Signed-off-by): ' "$ROOT"/patches/*/*.patch \
	"$ROOT"/patches/*/*/*.patch 2>/dev/null)
if [ -z "$found" ]; then
	echo "ok 1 no patch in patches/ names an author or a Signed-off-by"
else
	echo "not ok 1 no patch in patches/ names an author or a Signed-off-by # $(echo $found)"
fi

# A throwaway home with no git identity, and one patch to stamp.
home=$tmp/home
mkdir -p "$home"
mkdir -p "$tmp/repo"
(
	cd "$tmp/repo" && HOME=$home git init -q &&
	echo a >f && HOME=$home git add f &&
	HOME=$home git -c user.name=x -c user.email=x@y commit -qm base &&
	echo b >>f &&
	HOME=$home git -c user.name=x -c user.email=x@y commit -qam "add b" &&
	HOME=$home git format-patch -q -1 -o "$tmp/p" &&
	HOME=$home git reset -q --hard HEAD~1
) || exit 1
p=$(ls "$tmp"/p/*.patch)
sed -i -e '/^From: /d' -e '/^Signed-off-by: /d' "$p"

# 2. No identity: one line, exit 1.
out=$(cd "$tmp" && HOME=$home GIT_CONFIG_NOSYSTEM=1 "$ROOT/harness/stamp.sh" "$tmp/s0" "$p" 2>&1)
rc=$?
if [ $rc -eq 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] &&
   printf '%s' "$out" | grep -q '^racefix: error: no git identity'; then
	echo "ok 2 refuses without a git identity, in one line"
else
	echo "not ok 2 refuses without a git identity, in one line # rc=$rc: $out"
fi

# 3. --local: the placeholder.
if out=$(cd "$tmp" && HOME=$home GIT_CONFIG_NOSYSTEM=1 "$ROOT/harness/stamp.sh" --local "$tmp/s1" "$p" 2>&1) &&
   grep -qx 'From: racefix <racefix@localhost.invalid>' "$tmp/s1/${p##*/}"; then
	echo "ok 3 --local stamps a placeholder for scratch trees"
else
	echo "not ok 3 --local stamps a placeholder for scratch trees # $out"
fi

# 4. An identity: one From: and one Signed-off-by:, also when stamped twice.
id="Test Sender <test.sender@example.org>"
HOME=$home git config --global user.name "Test Sender"
HOME=$home git config --global user.email test.sender@example.org
s2=$(cd "$tmp" && HOME=$home "$ROOT/harness/stamp.sh" "$tmp/s2" "$p")
s3=$(cd "$tmp" && HOME=$home "$ROOT/harness/stamp.sh" "$tmp/s3" "$s2")
if [ "$(grep -cx "From: $id" "$s3")" -eq 1 ] &&
   [ "$(grep -cx "Signed-off-by: $id" "$s3")" -eq 1 ] &&
   [ "$(grep -c '^From: ' "$s3")" -eq 1 ]; then
	echo "ok 4 stamps one From: and one Signed-off-by: of the user"
else
	echo "not ok 4 stamps one From: and one Signed-off-by: of the user # $(grep -E '^(From|Signed-off-by):' "$s3" | tr '\n' '|')"
fi

# 5. An existing author stays; the stamper signs off after it.
sed '1a\
From: Someone Else <someone@example.org>' "$p" >"$tmp/authored.patch"
s4=$(cd "$tmp" && HOME=$home "$ROOT/harness/stamp.sh" "$tmp/s4" "$tmp/authored.patch")
if grep -qx 'From: Someone Else <someone@example.org>' "$s4" &&
   ! grep -q "^From: $id" "$s4" && grep -qx "Signed-off-by: $id" "$s4"; then
	echo "ok 5 an existing From: is kept"
else
	echo "not ok 5 an existing From: is kept"
fi

# 6. git am: the bare file fails, the stamped one applies with that author.
(cd "$tmp/repo" && HOME=$home git am -q "$p" >/dev/null 2>&1)
bare=$?
(cd "$tmp/repo" && HOME=$home git am --abort >/dev/null 2>&1)
(cd "$tmp/repo" && HOME=$home git am -q "$s2" >/dev/null 2>&1)
stamped=$?
author=$(cd "$tmp/repo" && HOME=$home git log -1 --format='%an <%ae>')
if [ $bare -ne 0 ] && [ $stamped -eq 0 ] && [ "$author" = "$id" ]; then
	echo "ok 6 git am needs the stamp, and takes the author from it"
else
	echo "not ok 6 git am needs the stamp, and takes the author from it # bare=$bare stamped=$stamped author=$author"
fi

# 7. The real series: every stamped mm patch checks out as signed by the user.
# shellcheck disable=SC2046 # one word per patch name
set -- $(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$ROOT/patches/mm/series")
list=
for f in "$@"; do
	list="$list $ROOT/patches/mm/$f"
done
# shellcheck disable=SC2086
out=$(cd "$tmp" && HOME=$home "$ROOT/harness/stamp.sh" "$tmp/mm" $list | while read -r s; do
	grep -qx "From: $id" "$s" && grep -qx "Signed-off-by: $id" "$s" || echo "${s##*/}"
done)
if [ -z "$out" ]; then
	echo "ok 7 every mm patch stamps with the user's From: and Signed-off-by:"
else
	echo "not ok 7 every mm patch stamps with the user's From: and Signed-off-by: # $out"
fi
