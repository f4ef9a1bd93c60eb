#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# preflight.sh finds what a fresh machine lacks before anything is built:
# a cross compiler that cannot link a static program (no cross C
# library), a missing QEMU, a bad series file, signatures or manifest, a
# racefix_tests= selection naming no test; boot-test.sh and smoke.sh stop
# on it with exit 1 (smoke does not call it a SKIP), copying no tree.
set -u
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"
harness_env

# A PATH like this machine's, less QEMU for sparc64, with a sparc64 cross
# compiler that has no C library (as --no-install-recommends leaves it).
sys=$tmp/sys
mkdir -p "$sys"
for d in /usr/local/bin /usr/bin /bin; do
	for f in "$d"/*; do
		b=${f##*/}
		case $b in
		qemu-system-sparc64 | sparc64-linux-gnu-gcc*) continue ;;
		esac
		[ -e "$sys/$b" ] || ln -s "$f" "$sys/$b"
	done
done
cat >"$sys/sparc64-linux-gnu-gcc" <<'EOF'
#!/bin/sh
echo "/usr/sparc64-linux-gnu/include/features.h:1: fatal error: bits/wordsize.h: No such file or directory" >&2
exit 1
EOF
chmod +x "$sys/sparc64-linux-gnu-gcc"

echo "1..9"

out=$(PATH=$sys "$ROOT/harness/preflight.sh" sparc64 2>&1)
rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -q "cannot build a static program for sparc64.*apt-get install libc6-dev-sparc64-cross"
t $? "a cross compiler without its C library is found, naming libc6-dev-sparc64-cross" "$out"
printf '%s' "$out" | grep -q "qemu-system-sparc64 not found: install it with 'apt-get install qemu-system-sparc'"
t $? "a missing QEMU is found, naming its package" "$out"

out=$(PATH=$sys "$ROOT/harness/boot-test.sh" sparc64 sparc64 2>&1)
rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -q 'libc6-dev-sparc64-cross' && [ ! -e "$OUT/sparc64" ]
t $? "boot-test.sh stops on it with exit 1 before any tree is copied" "$out"

out=$(PATH=$sys "$ROOT/harness/smoke.sh" sparc64 2>&1)
rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -q '^FAIL sparc64' && ! printf '%s' "$out" | grep -q '^SKIP Debian' &&
	[ ! -e "$OUT/smoke" ]
t $? "smoke.sh calls it a failure, not a SKIP, and builds nothing" "$out"

if command -v qemu-system-x86_64 >/dev/null && command -v flex >/dev/null && command -v bison >/dev/null; then
	out=$("$ROOT/harness/preflight.sh" x86_64 mm smoke 2>&1)
	t $? "this machine passes the x86_64 preflight of mm and smoke" "$out"
else
	n=$((n + 1))
	echo "ok $n this machine passes the x86_64 preflight # SKIP no x86_64 toolchain here"
fi

# The series' own files, checked by the judge's and the manifest's tools
# (harness/tools/judge.c and manifest.c, the judge issue's).
export RACEFIX_PATCHES=$tmp/patches
mkdir -p "$RACEFIX_PATCHES"
cp -r "$ROOT/patches/mm" "$RACEFIX_PATCHES/bad"
echo 'missing-patch.patch' >>"$RACEFIX_PATCHES/bad/series"
out=$("$ROOT/harness/preflight.sh" x86_64 bad 2>&1)
rc=$?
[ $rc -eq 1 ] && [ "$(printf '%s\n' "$out" | grep -c 'missing-patch.patch')" -eq 1 ]
t $? "a series file naming a missing patch: one error, exit 1" "$out"
cp -r "$ROOT/patches/mm" "$RACEFIX_PATCHES/sig"
echo 'do_mremap(' >>"$RACEFIX_PATCHES/sig/signatures"
out=$("$ROOT/harness/preflight.sh" x86_64 sig 2>&1)
rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -q 'signatures:[0-9]*:'
t $? "a signature that is no regular expression is refused with file:line" "$out"
out=$(RACEFIX_PATCHES=$ROOT/patches KERNEL_ARGS='racefix_tests=typo' "$ROOT/harness/preflight.sh" x86_64 mm 2>&1)
rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -q 'typo'
t $? "racefix_tests= naming no test of the series is refused before any build" "$out"
out=$(RACEFIX_PATCHES=$ROOT/patches SUITE='$(rm -rf /)' "$ROOT/harness/preflight.sh" x86_64 mm 2>&1)
rc=$?
[ $rc -eq 1 ] && [ "$(printf '%s\n' "$out" | grep -c "SUITE=.*give SUITE=no")" -eq 1 ]
t $? "SUITE other than yes or no: one line naming it, exit 1" "$out"
