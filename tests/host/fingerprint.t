#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# fingerprint.sh accepts the base a series was made on, and refuses any
# other tree naming the first file that differs.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export RACEFIX_ROOT=$ROOT OUT
tmp=$(mktemp -d)
OUT=$tmp/out
trap 'rm -rf "$tmp"' EXIT

# A tiny git tree and a two-patch series made from it.
git init -q "$tmp/repo"
cd "$tmp/repo" || exit 1
printf 'int a;\n' >a.c
printf 'int b;\n' >b.c
git add a.c b.c
git -c user.name=t -c user.email=t@t commit -qm base
git tag base
printf 'int a2;\n' >a.c
git -c user.name=t -c user.email=t@t commit -qam one
printf 'int new;\n' >new.c
printf 'int a3;\n' >a.c
git add new.c
git -c user.name=t -c user.email=t@t commit -qam two
mkdir -p "$tmp/series"
git format-patch -q --full-index -o "$tmp/series" base..HEAD
(cd "$tmp/series" && ls ./*.patch | sed 's|^\./||') >"$tmp/series/series"
echo 'BASE_TAG=vT' >"$tmp/series/base.conf"
git checkout -q base
cd "$ROOT" || exit 1

echo "1..5"
fp=$("$ROOT/harness/fingerprint.sh" --print "$tmp/series")
want_a=$(git -C "$tmp/repo" rev-parse base:a.c)
if printf '%s\n' "$fp" | grep -qx "$want_a a.c" &&
   printf '%s\n' "$fp" | grep -q '^0\{40\} new.c$' &&
   [ "$(printf '%s\n' "$fp" | wc -l)" -eq 2 ]; then
	echo "ok 1 fingerprint lists each file once with its pre-image at the base"
else
	echo "not ok 1 fingerprint lists each file once with its pre-image at the base"
	printf '%s\n' "$fp" | sed 's/^/# /'
fi

if n=$("$ROOT/harness/fingerprint.sh" "$tmp/series" "$tmp/repo") && [ "$n" = 2 ]; then
	echo "ok 2 the base tree matches"
else
	echo "not ok 2 the base tree matches"
fi

printf 'int changed;\n' >"$tmp/repo/a.c"
msg=$("$ROOT/harness/fingerprint.sh" "$tmp/series" "$tmp/repo" 2>&1)
rc=$?
if [ "$rc" -eq 2 ] && printf '%s' "$msg" | grep -q 'a.c' && printf '%s' "$msg" | grep -q vT; then
	echo "ok 3 a changed file is refused by name"
else
	echo "not ok 3 a changed file is refused by name"
	echo "# rc $rc: $msg"
fi
git -C "$tmp/repo" checkout -q a.c

printf 'int early;\n' >"$tmp/repo/new.c"
"$ROOT/harness/fingerprint.sh" "$tmp/series" "$tmp/repo" >/dev/null 2>&1
rc=$?
[ "$rc" -eq 2 ] && echo "ok 4 a file the series creates must not exist" ||
	echo "not ok 4 a file the series creates must not exist # rc $rc"
rm -f "$tmp/repo/new.c"

# The real series: every patch carries full pre-image ids.
bad=0
for s in "$ROOT"/patches/*/; do
	if grep -h '^index ' "$s"*.patch 2>/dev/null | grep -qv '^index [0-9a-f]\{40\}\.\.[0-9a-f]\{40\}'; then
		bad=1
		echo "# $s: patches need git format-patch --full-index"
	fi
done
[ "$bad" -eq 0 ] && echo "ok 5 racefix's series carry full blob ids" ||
	echo "not ok 5 racefix's series carry full blob ids"
