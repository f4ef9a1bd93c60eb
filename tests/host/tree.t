#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tree.sh and apply.sh on a tiny stand-in for a kernel tree: the user's
# repository, branch and uncommitted work never change; a wrong base, a
# bad source and a patch that does not apply each stop with one clear
# error and exit 1; a failed apply leaves nothing half applied and the
# next run works; a plain directory is known by its content; a copy that
# does not fit in OUT is refused before copying.
set -u
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"
export RACEFIX_ROOT=$ROOT
trap 'umount "$tmp/small" 2>/dev/null; rm -rf "$tmp"' EXIT
export OUT="$tmp/out dir" RACEFIX_CONFIG=$tmp/config RACEFIX_PATCHES=$tmp/patches
unset KERNEL_SRC KERNEL_TARBALL KERNEL_REF
g() { git -c user.name=t -c user.email=t@t "$@"; }

# The "kernel": a git repository with a v1.0 tag and local work on top.
k=$tmp/linux
git init -q "$k"
printf 'VERSION = 1\nPATCHLEVEL = 0\nSUBLEVEL = 0\n' >"$k/Makefile"
mkdir -p "$k/mm" "$k/arch/x86" "$k/scripts/kconfig" "$k/usr"
: >"$k/Kconfig"
: >"$k/arch/x86/Kconfig"
: >"$k/scripts/kconfig/merge_config.sh"
: >"$k/usr/gen_init_cpio.c"
printf 'int a = 1;\nint b = 2;\n' >"$k/mm/a.c"
for i in 1 2 3 4 5 6 7 8 9 10 11; do
	printf 'int f%s = 0;\n' "$i" >"$k/mm/f$i.c"
done
(cd "$k" && g add -A && g commit -qm base && git tag v1.0)
printf 'int a = 1;\nint b = 3;\n' >"$k/mm/a.c"
(cd "$k" && g commit -qam "user work on top")
git -C "$k" checkout -q -b topic
echo 'uncommitted' >>"$k/Makefile"
state() { (cd "$k" && git rev-parse HEAD && git branch --show-current && git status --porcelain && cat Makefile mm/a.c); }
before=$(state)

# mkseries NAME COMMANDS: a series made on v1.0 by running COMMANDS (one
# commit each, separated by ';') in a clone.
mkdir -p "$RACEFIX_PATCHES"
git clone -q "$k" "$tmp/mk"
mkseries() {
	s=$RACEFIX_PATCHES/$1
	mkdir -p "$s"
	(cd "$tmp/mk" && git checkout -q -f v1.0 && git clean -fdq &&
		printf '%s\n' "$2" | tr ';' '\n' | while read -r c; do
			sh -c "$c" && g commit -qam "$c"
		done && git format-patch -q --full-index -o "$s" v1.0..HEAD)
	(cd "$s" && ls ./*.patch | sed 's|^\./||') >"$s/series"
	printf 'BASE_TAG=v1.0\nBASE_VERSION=1.0.0\nARCHES="x86_64"\n' >"$s/base.conf"
	cp "$ROOT/harness/smoke/tests" "$s/tests"
}
mkseries s1 "sed -i 's/a = 1/a = 10/' mm/a.c"

echo "1..26"
tree() { "$ROOT/harness/tree.sh" "$@"; }
apply() { "$ROOT/harness/apply.sh" "$@"; }

src=$(KERNEL_SRC=$k tree s1 2>"$tmp/err")
rc=$?
[ $rc -eq 0 ] && grep -q 'a = 1;' "$src/mm/a.c" && grep -q 'b = 2' "$src/mm/a.c"
t $? "a git KERNEL_SRC gives a private copy at the pinned tag"
[ "$(state)" = "$before" ]
t $? "the user's commit, branch and uncommitted work are untouched"

apply s1 "$src" >/dev/null 2>&1 && grep -q 'a = 10' "$src/mm/a.c"
t $? "git am applies the series in the copy"

# Run again: the copy is back at its base before anything else.
src=$(KERNEL_SRC=$k tree s1 2>/dev/null) && grep -q 'a = 1;' "$src/mm/a.c"
t $? "the copy is reset to the unpatched base on every run"

# A tag that points at the wrong content: exit 1 (2 is a failed verdict).
err=$(KERNEL_SRC=$k KERNEL_REF=topic tree s1 2>&1 >/dev/null)
rc=$?
[ $rc -eq 1 ] && printf '%s' "$err" | grep -q 'base mismatch: mm/a.c'
t $? "a tree at another base is refused, naming the file, exit 1 # rc $rc"

err=$(KERNEL_SRC=$tmp/nowhere tree s1 2>&1 >/dev/null)
[ $? -eq 1 ] && printf '%s' "$err" | grep -q 'KERNEL_SRC=.*nowhere is not a directory'
t $? "a missing KERNEL_SRC says so and how to fix it"

# A series whose patch does not apply on its own base.
s2=$RACEFIX_PATCHES/s2
mkdir -p "$s2"
cp "$RACEFIX_PATCHES/s1/base.conf" "$s2/"
sed 's/^-int a = 1;/-int a = 7;/' "$RACEFIX_PATCHES"/s1/0001-*.patch >"$s2/0001-bad.patch"
echo 0001-bad.patch >"$s2/series"
src=$(KERNEL_SRC=$k tree s2 2>/dev/null)
err=$(apply --check s2 "$src" 2>&1)
rc=$?
[ $rc -eq 1 ] && printf '%s' "$err" | grep -q 'patch 1, 0001-bad.patch, fails' &&
	[ -z "$(git -C "$src" status --porcelain)" ]
t $? "apply --check finds the patch that does not apply, changing nothing"
err=$(apply s2 "$src" 2>&1)
rc=$?
[ $rc -eq 1 ] && printf '%s' "$err" | grep -q '0001-bad.patch failed' &&
	printf '%s' "$err" | grep -q 'mm/a.c'
t $? "a patch that does not apply is named, with its file"
[ -z "$(git -C "$src" status --porcelain)" ] && [ ! -d "$src/.git/rebase-apply" ] &&
	grep -q 'a = 1;' "$src/mm/a.c"
t $? "nothing is left half applied"

# git am numbers patches 0008, 0009, 0010: decimal, not octal.
cmds=
for i in 1 2 3 4 5 6 7 8 9 10 11; do
	cmds="$cmds${cmds:+;}sed -i 's/= 0/= $i/' mm/f$i.c"
done
mkseries s10 "$cmds"
for bad in 8 9 10; do
	s=$RACEFIX_PATCHES/s10x$bad
	rm -rf "$s"
	cp -r "$RACEFIX_PATCHES/s10" "$s"
	p=$(sed -n "${bad}p" "$s/series")
	# The pre-image no longer matches, the index line (fingerprint) does.
	sed -i "s/^-int f$bad = 0;/-int f$bad = 5;/" "$s/$p"
	src=$(KERNEL_SRC=$k tree "s10x$bad" 2>/dev/null)
	err=$(apply "s10x$bad" "$src" 2>&1)
	rc=$?
	[ $rc -eq 1 ] && printf '%s' "$err" | grep -q "$p failed" &&
		! printf '%s' "$err" | grep -q 'arithmetic' &&
		[ ! -d "$src/.git/rebase-apply" ] && [ -z "$(git -C "$src" status --porcelain)" ]
	t $? "patch $bad of 11 failing is blamed by name, no rebase left in progress # rc $rc"
done

# A path to a series under patches/ is the same series: same name, same
# lock. Any other path is refused.
. "$ROOT/harness/lib.sh"
[ "$(cd "$RACEFIX_PATCHES/.." && series_name ./patches/s1/)" = s1 ] &&
	[ "$(series_name "$RACEFIX_PATCHES/s1")" = s1 ] &&
	[ "$(RACEFIX_PATCHES=$ROOT/patches; cd "$ROOT" && series_name ./patches/mm)" = mm ]
t $? "a path-like SERIES is canonicalized to its name"
mkdir -p "$tmp/elsewhere/s1"
cp "$RACEFIX_PATCHES"/s1/* "$tmp/elsewhere/s1/"
err=$( (series_name "$tmp/elsewhere/s1") 2>&1)
rc=$?
err2=$( (series_name 'mm; touch x') 2>&1)
rc2=$?
[ $rc -eq 1 ] && printf '%s' "$err" | grep -q "unknown SERIES.*one of: .*s1" &&
	[ $rc2 -eq 1 ] && printf '%s' "$err2" | grep -q "unknown SERIES 'mm; touch x'"
t $? "a series directory elsewhere, or a name with other characters, is refused listing the known series"
mkdir -p "$tmp/out2/s1"
: >"$tmp/out2/.racefix-out"
exec 8>"$tmp/out2/s1/lock"
flock -n 8
err=$(cd "$RACEFIX_PATCHES/.." && OUT=$tmp/out2 KERNEL_SRC=$k "$ROOT/harness/boot-test.sh" x86_64 ./patches/s1 2>&1)
rc=$?
exec 8>&-
[ $rc -eq 1 ] && printf '%s' "$err" | grep -q 'another racefix run is using series s1'
t $? "SERIES=./patches/s1 waits for the lock of a running SERIES=s1 # rc $rc"

# A plain directory (no git): copied, patched with quilt; a failed quilt
# push leaves the copy reusable.
plain=$tmp/plain
mkdir -p "$plain"
git -C "$k" archive v1.0 | tar -x -C "$plain"
if command -v quilt >/dev/null; then
	src=$(KERNEL_SRC=$plain tree s1 2>/dev/null) &&
		apply s1 "$src" >/dev/null 2>&1 &&
		grep -q 'a = 10' "$src/mm/a.c" && grep -q 'a = 1;' "$plain/mm/a.c"
	t $? "a plain source directory is copied and patched with quilt"
	src=$(KERNEL_SRC=$plain tree s2 2>/dev/null) &&
		! apply s2 "$src" >/dev/null 2>&1 && [ ! -e "$src/.pc" ] &&
		src=$(KERNEL_SRC=$plain tree s2 2>/dev/null) && grep -q 'a = 1;' "$src/mm/a.c"
	t $? "a failed quilt push leaves no .pc and the next run works"
else
	for d in "a plain source directory is copied and patched with quilt" \
		 "a failed quilt push leaves no .pc and the next run works"; do
		n=$((n + 1))
		echo "ok $n $d # SKIP no quilt"
	done
fi

# The plain directory is known by content: an edit is seen.
src=$(KERNEL_SRC=$plain tree s1 2>/dev/null)
sleep 1
printf 'int b = 2;\n' >>"$plain/mm/f1.c"
src=$(KERNEL_SRC=$plain tree s1 2>"$tmp/err") && grep -q 'int b = 2' "$src/mm/f1.c" &&
	grep -q 'changed since it was copied' "$tmp/err"
t $? "an edit to a plain KERNEL_SRC is seen and the copy made again"
# A series that now touches another file needs no new copy of the tree.
rm -rf "${RACEFIX_PATCHES:?}/s1"
mkseries s1 "sed -i 's/a = 1/a = 10/' mm/a.c;sed -i 's/f2 = 0/f2 = 2/' mm/f2.c"
src=$(KERNEL_SRC=$plain tree s1 2>"$tmp/err") && [ -n "$src" ] &&
	! grep -q 'copying' "$tmp/err"
t $? "a series edited to touch another file reuses the copy of a plain KERNEL_SRC" "$(cat "$tmp/err")"
rm -rf "${RACEFIX_PATCHES:?}/s1"
mkseries s1 "sed -i 's/a = 1/a = 10/' mm/a.c"
printf 'int a = 2;\nint b = 2;\n' >"$plain/mm/a.c"
err=$(KERNEL_SRC=$plain tree s1 2>&1 >/dev/null)
rc=$?
[ $rc -eq 1 ] && printf '%s' "$err" | grep -q 'base mismatch: mm/a.c'
t $? "an edit to a fingerprinted file of the user's tree fails the base check, exit 1"
git -C "$k" show v1.0:mm/a.c >"$plain/mm/a.c"

# A Makefile-only tree of the right version is not a tree.
mkdir -p "$tmp/mkonly"
printf 'VERSION = 1\nPATCHLEVEL = 0\nSUBLEVEL = 0\n' >"$tmp/mkonly/Makefile"
err=$(KERNEL_SRC=$tmp/mkonly tree s1 2>&1 >/dev/null)
rc=$?
[ $rc -eq 1 ] && printf '%s' "$err" | grep -q 'is not a kernel source tree'
t $? "a Makefile-only tree fails the base check"
sed -i 's/SUBLEVEL = 0/SUBLEVEL = 9/' "$plain/Makefile"
err=$(KERNEL_SRC=$plain tree s1 2>&1 >/dev/null)
rc=$?
[ $rc -eq 1 ] && printf '%s' "$err" | grep -q 'is Linux 1.0.9, series s1 needs 1.0.0'
t $? "a tree of another version is refused, not warned about"
sed -i 's/SUBLEVEL = 9/SUBLEVEL = 0/' "$plain/Makefile"

# A missing patch: one error naming it, before anything else.
mkseries s3 "sed -i 's/b = 2/b = 20/' mm/a.c;sed -i 's/= 0/= 1/' mm/f1.c"
rm "$RACEFIX_PATCHES"/s3/0002-*.patch
err=$(KERNEL_SRC=$plain tree s3 2>&1 >/dev/null)
rc=$?
[ $rc -eq 1 ] && [ "$(printf '%s\n' "$err" | grep -c 'missing')" -eq 1 ] &&
	! printf '%s' "$err" | grep -q 'fingerprint ok'
t $? "a missing patch is one error, with no 'fingerprint ok' after it"

# Full disk: a copy that does not fit is refused before copying, and a
# copy that runs out of space is removed; one line each, exit 1.
big=$tmp/big
mkdir -p "$big"
git -C "$k" archive v1.0 | tar -x -C "$big"
head -c 3000000 /dev/urandom >"$big/blob"
mkdir -p "$tmp/small"
if mount -t tmpfs -o size=1m racefix-test "$tmp/small" 2>/dev/null; then
	err=$(OUT=$tmp/small/out KERNEL_SRC=$big tree s1 2>&1 >/dev/null)
	rc=$?
	[ $rc -eq 1 ] && [ "$(printf '%s\n' "$err" | grep -c .)" -eq 1 ] &&
		printf '%s' "$err" | grep -q 'needs [0-9]* MiB, [0-9]* MiB are free' &&
		[ ! -e "$tmp/small/out/s1/src" ]
	t $? "a tree larger than the free space is refused before copying # rc $rc"
	# df says there is room (it lies): tar hits ENOSPC.
	mkdir -p "$tmp/fakebin"
	printf '#!/bin/sh\necho "Filesystem 1024-blocks Used Available Capacity Mounted"\necho "x 99999999 0 99999999 0%% %s"\n' "$tmp/small" >"$tmp/fakebin/df"
	chmod +x "$tmp/fakebin/df"
	err=$(PATH=$tmp/fakebin:$PATH OUT=$tmp/small/out KERNEL_SRC=$big tree s1 2>&1 >/dev/null)
	rc=$?
	[ $rc -eq 1 ] && [ "$(printf '%s\n' "$err" | grep -c '^racefix:')" -eq 1 ] &&
		[ "$(printf '%s\n' "$err" | grep -vc '^\[')" -eq 1 ] &&
		printf '%s' "$err" | grep -q 'no space left' && [ ! -e "$tmp/small/out/s1/src" ]
	t $? "running out of space while copying removes the partial copy, one line # rc $rc"
	umount "$tmp/small"
else
	for d in "a tree larger than the free space is refused before copying" \
		 "running out of space while copying removes the partial copy, one line"; do
		n=$((n + 1))
		echo "ok $n $d # SKIP cannot mount a tmpfs (not root)"
	done
fi
[ "$(state)" = "$before" ]
t $? "after all of this the user's repository is still untouched"
