#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tree.sh and apply.sh on a tiny stand-in for a kernel tree: the user's
# repository, branch and uncommitted work never change; a wrong base, a
# bad source and a patch that does not apply each stop with one clear
# error; a failed apply leaves nothing half applied.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export RACEFIX_ROOT=$ROOT
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OUT=$tmp/out RACEFIX_CONFIG=$tmp/config
unset KERNEL_SRC KERNEL_TARBALL KERNEL_REF
g() { git -c user.name=t -c user.email=t@t "$@"; }

# The "kernel": a git repository with a v1.0 tag and local work on top.
k=$tmp/linux
git init -q "$k"
printf 'VERSION = 1\nPATCHLEVEL = 0\nSUBLEVEL = 0\n' >"$k/Makefile"
mkdir -p "$k/mm"
printf 'int a = 1;\nint b = 2;\n' >"$k/mm/a.c"
(cd "$k" && g add -A && g commit -qm base && git tag v1.0)
printf 'int a = 1;\nint b = 3;\n' >"$k/mm/a.c"
(cd "$k" && g commit -qam "user work on top")
git -C "$k" checkout -q -b topic
echo 'uncommitted' >>"$k/Makefile"
state() { (cd "$k" && git rev-parse HEAD && git branch --show-current && git status --porcelain && cat Makefile mm/a.c); }
before=$(state)

# A series made on v1.0.
s=$tmp/s1
mkdir -p "$s"
git clone -q "$k" "$tmp/mk"
(cd "$tmp/mk" && git checkout -q v1.0 && sed -i 's/a = 1/a = 10/' mm/a.c &&
	g commit -qam "mm: change a" && git format-patch -q --full-index -o "$s" v1.0..HEAD)
(cd "$s" && ls ./*.patch | sed 's|^\./||') >"$s/series"
printf 'BASE_TAG=v1.0\nBASE_VERSION=1.0.0\nARCHES="x86_64"\n' >"$s/base.conf"

echo "1..9"
n=0
t() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}

src=$(KERNEL_SRC=$k "$ROOT/harness/tree.sh" "$s" 2>"$tmp/err")
rc=$?
[ $rc -eq 0 ] && grep -q 'a = 1;' "$src/mm/a.c" && grep -q 'b = 2' "$src/mm/a.c"
t $? "a git KERNEL_SRC gives a private copy at the pinned tag"
[ "$(state)" = "$before" ]
t $? "the user's commit, branch and uncommitted work are untouched"

"$ROOT/harness/apply.sh" "$s" "$src" >/dev/null 2>&1 && grep -q 'a = 10' "$src/mm/a.c"
t $? "git am applies the series in the copy"

# Run again: the copy is back at its base before anything else.
src=$(KERNEL_SRC=$k "$ROOT/harness/tree.sh" "$s" 2>/dev/null) && grep -q 'a = 1;' "$src/mm/a.c"
t $? "the copy is reset to the unpatched base on every run"

# A tag that points at the wrong content.
err=$(KERNEL_SRC=$k KERNEL_REF=topic "$ROOT/harness/tree.sh" "$s" 2>&1 >/dev/null)
[ $? -ne 0 ] && printf '%s' "$err" | grep -q 'base mismatch: mm/a.c'
t $? "a tree at another base is refused, naming the file"

err=$(KERNEL_SRC=$tmp/nowhere "$ROOT/harness/tree.sh" "$s" 2>&1 >/dev/null)
[ $? -ne 0 ] && printf '%s' "$err" | grep -q 'KERNEL_SRC=.*nowhere is not a directory'
t $? "a missing KERNEL_SRC says so and how to fix it"

# A series whose patch does not apply on its own base.
s2=$tmp/s2
mkdir -p "$s2"
cp "$s/base.conf" "$s2/"
sed 's/^-int a = 1;/-int a = 7;/' "$s"/0001-*.patch >"$s2/0001-bad.patch"
echo 0001-bad.patch >"$s2/series"
# Keep the fingerprint of the good patch, so the tree passes it.
sed -i "s/^index .*/$(grep '^index' "$s"/0001-*.patch)/" "$s2/0001-bad.patch"
src=$(KERNEL_SRC=$k "$ROOT/harness/tree.sh" "$s2" 2>/dev/null)
err=$("$ROOT/harness/apply.sh" "$s2" "$src" 2>&1)
rc=$?
[ $rc -ne 0 ] && printf '%s' "$err" | grep -q '0001-bad.patch failed' &&
	printf '%s' "$err" | grep -q 'mm/a.c'
t $? "a patch that does not apply is named, with its file"
[ -z "$(git -C "$src" status --porcelain)" ] && [ ! -d "$src/.git/rebase-apply" ] &&
	grep -q 'a = 1;' "$src/mm/a.c"
t $? "nothing is left half applied"

# A plain directory (no git): copied, patched with quilt.
plain=$tmp/plain
mkdir -p "$plain"
git -C "$k" archive v1.0 | tar -x -C "$plain"
if command -v quilt >/dev/null; then
	src=$(KERNEL_SRC=$plain "$ROOT/harness/tree.sh" "$s" 2>/dev/null) &&
		"$ROOT/harness/apply.sh" "$s" "$src" >/dev/null 2>&1 &&
		grep -q 'a = 10' "$src/mm/a.c" && grep -q 'a = 1;' "$plain/mm/a.c"
	t $? "a plain source directory is copied and patched with quilt"
else
	n=$((n + 1))
	echo "ok $n a plain source directory is copied and patched with quilt # SKIP no quilt"
fi
