#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The tree's own selftests in the guest (harness/build-selftests.sh and
# harness/initramfs.sh), on a tiny stand-in for a kernel tree: the list
# is checked line by line; every program a manifest runs is listed; the
# UAPI headers are built into the harness's directory, never into the
# tree; a program that does not build is left out with its reason; a
# program only the patched tree has is built from it by --patched while
# the base programs stay the very same files (the same binary on A and
# B); the build is kept until its key (tree, list, compiler) changes.
set -u
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"
export RACEFIX_ROOT=$ROOT
export OUT=$tmp/out
H=$ROOT/harness

echo "1..14"

# 1. The real lists parse, and each program a real manifest runs is listed.
bad=
for d in "$ROOT"/patches/*/ "$ROOT"/harness/smoke/; do
	d=${d%/}
	progs=$(sed -e 's/#.*//' "$d/tests" "$d/suite" 2>/dev/null |
		awk '$3 ~ /^\/bin\/selftests\// { sub(/^\/bin\/selftests\//, "", $3); print $3 }')
	[ -n "$progs" ] || [ -e "$d/selftests" ] || continue
	if ! listed=$("$H/build-selftests.sh" --parse "$d/selftests" 2>&1); then
		bad="$bad $listed;"
		continue
	fi
	for p in $progs; do
		printf '%s\n' "$listed" | cut -f 1 | grep -qx -- "$p" ||
			bad="$bad ${d##*/} runs $p, which ${d##*/}/selftests does not list;"
	done
done
[ -z "$bad" ]
t $? "every series' selftests list parses and lists each program its manifests run #$bad"

# 2. Bad list lines are refused with FILE:LINE and the reason.
printf 'good\nbad/name\nx y.h\ngood\nz@X86\nw -lm uffd-common.c # fine\n' >"$tmp/list.bad"
err=$("$H/build-selftests.sh" --parse "$tmp/list.bad" 2>&1 >/dev/null)
rc=$?
[ $rc -eq 1 ] && [ "$(printf '%s\n' "$err" | grep -c "^racefix: error: $tmp/list.bad:[2345]: ")" -eq 4 ] &&
	! printf '%s\n' "$err" | grep -q 'list.bad:[16]:'
t $? "a bad list line stops with FILE:LINE and its reason, exit 1"

# The "kernel": Makefile with a headers target that honours O=, UAPI
# headers, the selftests directory and a gen_init_cpio that writes its list.
k=$tmp/linux
mkdir -p "$k/include/uapi/linux" "$k/usr" "$k/tools/testing/selftests/mm"
cat >"$k/Makefile" <<'EOF'
headers:
	@test -n "$(O)" || { echo "racefix must build headers with O=" >&2; exit 1; }
	mkdir -p $(O)/usr/include/linux
	cp $(CURDIR)/include/uapi/linux/mman.h $(O)/usr/include/linux/mman.h
	echo x >>$(HEADERS_RUNS)
EOF
echo '#define RACEFIX_FAKE_UAPI 1' >"$k/include/uapi/linux/mman.h"
cat >"$k/usr/gen_init_cpio.c" <<'EOF'
#include <stdio.h>
int main(int argc, char **argv)
{
	FILE *f = argc > 1 ? fopen(argv[1], "r") : NULL;
	int c;

	if (!f)
		return 1;
	while ((c = getc(f)) != EOF)
		putchar(c);
	return 0;
}
EOF
m=$k/tools/testing/selftests/mm
echo '#include <stdio.h>' >"$k/tools/testing/selftests/kselftest.h"
echo 'int vm_util_here(void) { return 1; }' >"$m/vm_util.c"
echo 'int thp_here(void) { return 1; }' >"$m/thp_settings.c"
echo 'int helper(void) { return 2; }' >"$m/helper.c"
cat >"$m/good.c" <<'EOF'
#include <linux/mman.h>
#include "../kselftest.h"
#ifndef RACEFIX_FAKE_UAPI
#error not built against the tree's own UAPI headers
#endif
int vm_util_here(void);
int main(void) { puts("base-good"); return !vm_util_here(); }
EOF
printf '#error this program does not build\n' >"$m/broken.c"
echo 'int helper(void); int main(void) { return helper() != 2; }' >"$m/extra.c"
echo 'int main(void) { return 0; }' >"$m/armonly.c"
tree_state() { (cd "$k" && find . -newer "$tmp/stamp" -o -type f -print | LC_ALL=C sort | xargs cksum); }

# The series: a patch (its content does not matter here), a race
# manifest, a suite and the list.
export RACEFIX_PATCHES=$tmp/patches
s=$RACEFIX_PATCHES/fake
mkdir -p "$s"
printf 'ARCHES="x86_64"\n' >"$s/base.conf"
echo 0001-x.patch >"$s/series"
: >"$s/0001-x.patch"
printf 'good 60 /bin/selftests/good\n' >"$s/tests"
cat >"$s/suite" <<'EOF'
good	60	/bin/selftests/good
broken	60	/bin/selftests/broken -x
extra	60	/bin/selftests/extra
armonly	60	/bin/selftests/armonly
new	60	/bin/selftests/new
EOF
cat >"$s/selftests" <<'EOF'
good		# the base's
broken		# does not build
extra helper.c	# needs a second source
armonly@sparc64	# sparc only, for the test
new		# only the patched tree has it
EOF
g=$tmp/guest
export HEADERS_RUNS=$tmp/headers-runs
: >"$tmp/stamp"
sleep 1
before=$(tree_state)

"$H/initramfs.sh" x86_64 "$s" "$k" "$g" >"$tmp/base.out" 2>&1
rc=$?
[ $rc -eq 0 ] && [ -x "$g/root/bin/selftests/good" ] && [ -x "$g/root/bin/selftests/extra" ] &&
	[ "$("$g/root/bin/selftests/good")" = base-good ]
t $? "the base tree's programs are built static against its UAPI headers and vm_util.c"

[ ! -e "$g/root/bin/selftests/broken" ] &&
	grep -q 'selftest broken is left out.*this program does not build' "$tmp/base.out" &&
	grep -q "^broken$(printf '\t').*this program does not build" "$g/selftests.skipped" &&
	grep -q '^# racefix: not built: broken.*this program does not build' "$g/suite/root/etc/racefix/tests" &&
	! grep -q '^broken' "$g/suite/root/etc/racefix/tests" &&
	grep -q '^armonly.*not for x86_64.*sparc only' "$g/selftests.skipped" &&
	grep -q '^extra' "$g/suite/root/etc/racefix/tests"
t $? "a program that does not build (or is not for the arch) is left out, its reason printed and recorded"

[ "$(cat "$g/selftests.pending")" = new ] && [ ! -e "$g/suite/initramfs.cpio" ] &&
	grep -q 'suite/initramfs.cpio waits for the patched tree.*: new$' "$tmp/base.out" &&
	grep -q "^file /bin/selftests/good " "$g/initramfs.cpio"
t $? "a program the base lacks waits for the patched tree: only the archive that runs it is held back"

[ -f "$g/selftests-hdr/usr/include/linux/mman.h" ] && [ "$(tree_state)" = "$before" ]
t $? "the UAPI headers go to the harness's directory and nothing in the tree changes"

# The patched tree: the same tree plus the series' own new program.
kp=$tmp/linux-patched
cp -a "$k" "$kp"
echo 'int main(void) { puts("patched-new"); return 0; }' >"$kp/tools/testing/selftests/mm/new.c"
sed -i '1i #include <stdio.h>' "$kp/tools/testing/selftests/mm/new.c"
sum_base=$(cd "$g/root/bin/selftests" && ls -l --time-style=+%s.%N good extra && cksum good extra)
cache_base=$(ls -l --time-style=+%s.%N "$g/selftests-base/bin/good")
"$H/initramfs.sh" x86_64 "$s" "$kp" "$g" --patched >"$tmp/patched.out" 2>&1
rc=$?
[ $rc -eq 0 ] && [ "$("$g/root/bin/selftests/new")" = patched-new ] &&
	grep -q "^file /bin/selftests/new $g/root/bin/selftests/new " "$g/suite/initramfs.cpio" &&
	grep -q "^file /etc/racefix/tests $g/suite/root/etc/racefix/tests " "$g/suite/initramfs.cpio" &&
	grep -q "^file /bin/selftests/good " "$g/initramfs.cpio" &&
	! grep -q "selftests/new" "$g/initramfs.cpio"
t $? "--patched builds the series' own program from the patched tree and writes the archives"

[ "$(cd "$g/root/bin/selftests" && ls -l --time-style=+%s.%N good extra && cksum good extra)" = "$sum_base" ] &&
	grep -q "^file /bin/selftests/good $g/root/bin/selftests/good " "$g/suite/initramfs.cpio" &&
	[ "$(wc -l <"$HEADERS_RUNS")" -eq 1 ]
t $? "--patched leaves the base programs as they were (the same binaries for A and B)"

# Built once per tree: a second base call reuses everything.
"$H/initramfs.sh" x86_64 "$s" "$k" "$g" >"$tmp/again.out" 2>&1 &&
	grep -q cached "$g/selftests-base.log" &&
	[ "$(ls -l --time-style=+%s.%N "$g/selftests-base/bin/good")" = "$cache_base" ]
t $? "a second call with the same tree, list and compiler rebuilds nothing"

# The key: the list, the tree's sources and the compiler.
key() { cat "$g/selftests-base/key"; }
k0=$(key)
echo 'good # a new note' >"$tmp/list2" && sed 1d "$s/selftests" >>"$tmp/list2" && cp "$tmp/list2" "$s/selftests"
"$H/initramfs.sh" x86_64 "$s" "$k" "$g" >/dev/null 2>&1
k1=$(key)
echo '/* changed */' >>"$m/good.c"
"$H/initramfs.sh" x86_64 "$s" "$k" "$g" >/dev/null 2>&1
k2=$(key)
mkdir -p "$tmp/bin"
printf '#!/bin/sh\nexec %s "$@"\n' "$(command -v gcc)" >"$tmp/bin/gcc"
chmod +x "$tmp/bin/gcc"
PATH=$tmp/bin:$PATH "$H/initramfs.sh" x86_64 "$s" "$k" "$g" >/dev/null 2>&1
k3=$(key)
[ "$k0" != "$k1" ] && [ "$k1" != "$k2" ] && [ "$k2" != "$k3" ] && ! grep -q cached "$g/selftests-base.log"
t $? "a change of the list, of the tree's selftests or of the compiler rebuilds"

# Wrong uses stop with one clear line.
rm -rf "$tmp/g2"
"$H/initramfs.sh" x86_64 "$s" "$kp" "$tmp/g2" --patched >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "no base initramfs.*while the tree is at its base" "$tmp/err"
t $? "--patched without a base call stops, saying what to run first"

printf 'good 60 /bin/selftests/good\nnolist 60 /bin/selftests/nolist\n' >"$s/tests"
"$H/initramfs.sh" x86_64 "$s" "$k" "$tmp/g3" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "names /bin/selftests/nolist, which .*selftests does not list" "$tmp/err"
t $? "a manifest program missing from the list stops the build, naming it"

printf 'good 60 /bin/selftests/good\n' >"$s/tests"
: >"$s/series"
"$H/initramfs.sh" x86_64 "$s" "$k" "$tmp/g4" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "selftests/new, which the tree lacks and no patch adds" "$tmp/err"
t $? "a program the tree lacks, in a series without patches, stops the build"

"$H/build-selftests.sh" x86_64 "$s/selftests" "$k" "$k/out" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "inside the kernel tree" "$tmp/err" && [ ! -e "$k/out/bin" ]
t $? "build-selftests.sh refuses an output directory inside the tree"
