#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make boot-test and harness/boot-test.sh end to end on a tiny stand-in
# kernel tree, with a stand-in for the kernel's make and for QEMU (the
# real stages, tools and verdict run): values are data, never code;
# exit codes are 0 pass, 1 could not run, 2 fail, 3 inconclusive, the
# worst over the series; a signal ends every process and frees the lock;
# runs/latest-ARCH moves only for a run with results; make clean deletes
# only racefix's own output; the checks come before any build.
set -u
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"
export RACEFIX_ROOT=$ROOT
cleanup() {
	for p in $(pgrep -f "$tmp/bin/" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
export OUT=$tmp/out RACEFIX_CONFIG=/dev/null RACEFIX_PATCHES=$tmp/patches
export FAKE_LOG=$tmp/fake.log FIX=$ROOT/tests/host/fixtures
unset KERNEL_SRC KERNEL_TARBALL KERNEL_REF KERNEL_ARGS SERIES ARCH RUNS DURATION \
	JOBS VERBOSE BOOT_MARGIN SILENCE QEMU_EXTRA MAKEFLAGS MAKELEVEL
g() { git -c user.name=t -c user.email=t@t "$@"; }

# Stand-ins: the kernel's make (any make with O=), QEMU, a long sleep.
mkdir -p "$tmp/bin"
cp "$(command -v sleep)" "$tmp/bin/sleeper"
real_make=$(command -v make)
cat >"$tmp/bin/make" <<EOF
#!/bin/sh
case " \$* " in
*" O="*) ;;
*) exec "$real_make" "\$@" ;;
esac
echo "make \$* MAKEFLAGS=\${MAKEFLAGS:-}" >>"\$FAKE_LOG"
for a; do
	case \$a in
	O=*) o=\${a#O=} ;;
	tinyconfig) : >"\$o/.config"; exit 0 ;;
	olddefconfig) exit 0 ;;
	esac
done
case \${FAKE_BUILD:-ok} in
sleep) : >"$tmp/building"; "$tmp/bin/sleeper" 300; exit 0 ;;
fail) echo "error: stand-in build failure"; exit 2 ;;
esac
mkdir -p "\$o/arch/x86/boot"
echo kernel >"\$o/arch/x86/boot/bzImage"
EOF
cat >"$tmp/bin/qemu-system-x86_64" <<EOF
#!/bin/sh
printf '%s\n' "\$@" >"$tmp/qemu.args"
case " \$* " in
*/fail/*) cat "\$FIX/deb612-panic.log" ;;
*/inconc/*) sed -e '/^  /d' -e 's/^ok 1 mremap_limit/ok 1 mremap_limit # SKIP stand-in/' "\$FIX/deb612-smoke.log" ;;
*)
	if [ "\${FAKE_QEMU:-ok}" = sleep ]; then
		: >"$tmp/booting"
		"$tmp/bin/sleeper" 300
	fi
	cat "\$FIX/deb612-smoke.log"
	;;
esac
exit 0
EOF
chmod +x "$tmp/bin/make" "$tmp/bin/qemu-system-x86_64"
export PATH="$tmp/bin:$PATH"

# The "kernel": enough of a tree for every stage.
k=$tmp/linux
mkdir -p "$k/mm" "$k/arch/x86" "$k/scripts/kconfig" "$k/usr"
printf 'VERSION = 1\nPATCHLEVEL = 0\nSUBLEVEL = 0\n' >"$k/Makefile"
: >"$k/Kconfig"
: >"$k/arch/x86/Kconfig"
printf '#!/bin/sh\nwhile [ "$1" != -O ]; do shift; done\nshift 2\ncat "$@" >>"$1.config"\n' \
	>"$k/scripts/kconfig/merge_config.sh"
sed -i 's|>>"$1.config"|>>"$o/.config"|; s|^shift 2$|o=$2; shift 2|' "$k/scripts/kconfig/merge_config.sh"
chmod +x "$k/scripts/kconfig/merge_config.sh"
printf '#include <stdio.h>\nint main(int c, char **v) { (void)c; (void)v; puts("cpio"); return 0; }\n' \
	>"$k/usr/gen_init_cpio.c"
printf 'int a = 1;\n' >"$k/mm/a.c"
git init -q "$k"
(cd "$k" && g add -A && g commit -qm base && git tag v1.0)
git clone -q "$k" "$tmp/mk"
# mkseries NAME SED: a one-patch series made on v1.0.
mkseries() {
	s=$RACEFIX_PATCHES/$1
	mkdir -p "$s"
	(cd "$tmp/mk" && git checkout -q -f v1.0 && sed -i "$2" mm/a.c &&
		g commit -qam "$1" && git format-patch -q --full-index -o "$s" v1.0..HEAD)
	(cd "$s" && ls ./*.patch | sed 's|^\./||') >"$s/series"
	printf 'BASE_TAG=v1.0\nBASE_VERSION=1.0.0\nARCHES="x86_64"\nKCSAN=no\n' >"$s/base.conf"
	cp "$ROOT/harness/smoke/tests" "$s/tests"
}
mkseries ok 's/1/2/'
mkseries fail 's/1/3/'
mkseries noapply 's/1/4/'
mkseries inconc 's/1/5/'
sed -i 's/^-int a = 1;/-int a = 9;/' "$RACEFIX_PATCHES"/noapply/0001-*.patch
export KERNEL_SRC=$k

echo "1..31"
left() { pgrep -f "$tmp/bin/" | grep -v "^$$\$" | wc -l; }
# reap PID: wait for PID, at most 15 s (a run that ignores the signal
# fails the test instead of hanging it); sets rc.
reap() {
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
	if kill -0 "$1" 2>/dev/null; then
		for p in $(pgrep -f "$tmp/bin/") $(pgrep -f "$ROOT/harness/") "$1"; do
			ps -o args= -p "$p" 2>/dev/null | grep -q "$tmp\|$1" && kill -9 "$p" 2>/dev/null
		done
		kill -9 "$1" 2>/dev/null
		wait "$1"
		rc=255
	else
		wait "$1"
		rc=$?
	fi
}
lock_free() { flock -n "$OUT/$1/lock" true; }
bt() { "$ROOT/harness/boot-test.sh" "$@"; }

# 1. A passing run through make, with values that would be code.
: >"$FAKE_LOG"
out=$(cd "$ROOT" && make -s boot-test SERIES=ok DURATION=1 \
	KERNEL_ARGS='M* $(shell touch '"$tmp"'/canary1) `touch '"$tmp"'/canary2` ;touch$IFS'"$tmp"'/canary3' 2>&1)
rc=$?
[ $rc -eq 0 ] && printf '%s' "$out" | grep -q 'VERDICT: PASS' && [ -L "$OUT/runs/latest-x86_64" ]
t $? "make boot-test passes a good series, exit 0, runs/latest-x86_64 set # rc $rc" "$out"
[ ! -e "$tmp/canary1" ] && [ ! -e "$tmp/canary2" ] && [ ! -e "$tmp/canary3" ]
t $? "KERNEL_ARGS with \$(shell), backquotes and ; runs nothing"
grep -q 'racefix_duration=1 M\* \$(shell' "$tmp/qemu.args"
t $? "KERNEL_ARGS='M*' reaches the guest as M*, not globbed"
! grep -q 'KERNEL_ARGS\|canary' "$FAKE_LOG"
t $? "the kernel's make gets no racefix variable through MAKEFLAGS"
latest=$(readlink "$OUT/runs/latest-x86_64")

# 2. Series names are data and must be known.
out=$(cd "$ROOT" && make -s boot-test SERIES="ok; touch $tmp/canary4" 2>&1)
rc=$?
[ $rc -ne 0 ] && [ ! -e "$tmp/canary4" ] && printf '%s' "$out" | grep -q "unknown SERIES 'ok; touch.*one or more of: .*ok"
t $? "SERIES='ok; touch ...' is refused listing the known series, nothing run" "$out"
bad=
# try TARGET VAR VALUE: make TARGET with VAR=VALUE, exactly those words.
try() {
	(cd "$ROOT" && make -s "$1" "$2=$3") >/dev/null 2>&1
	if [ -n "$(find "$tmp" -maxdepth 1 -name 'canary-*')" ]; then
		bad="$bad [$1 $2=$3]"
		rm -f "$tmp"/canary-*
	fi
}
try boot-test ARCH "x86_64;touch $tmp/canary-1"
try boot-test SERIES "\$(shell touch $tmp/canary-2)"
try boot-test SERIES "ok\$(touch $tmp/canary-3)"
try scan KERNEL_SRC "$tmp/nowhere;touch \$IFS$tmp/canary-4"
try check SERIES "x;touch $tmp/canary-5"
try send SERIES "x\`touch $tmp/canary-6\`"
try smoke ARCH "\$(shell touch $tmp/canary-7)"
try tools OUT "$tmp/o;touch $tmp/canary-8"
[ -z "$bad" ]
t $? "ARCH, SERIES and KERNEL_SRC holding shell or make code run nothing in any target" "$bad"
out=$(bt x86_64 "../$(basename "$RACEFIX_PATCHES")/ok" 2>&1)
rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -q "unknown SERIES"
t $? "a path that is not a series under patches/ is refused, exit 1" "$out"

# 3. Bad values: one line, exit 1, before any build.
for v in "DURATION=0" "DURATION=abc" "DURATION=-5" "RUNS=00" "RUNS=0" "BOOT_MARGIN=x" "JOBS=1x"; do
	: >"$FAKE_LOG"
	out=$(env "$v" "$ROOT/harness/boot-test.sh" x86_64 ok 2>&1)
	rc=$?
	[ $rc -eq 1 ] && [ "$(printf '%s\n' "$out" | grep -c 'racefix: error')" -eq 1 ] &&
		printf '%s' "$out" | grep -q "${v%%=*}='${v#*=}'" && [ ! -s "$FAKE_LOG" ]
	t $? "$v is refused before any build, exit 1" "$out"
done
out=$(cd "$ROOT" && make -s boot-test ARCH= 2>&1)
printf '%s' "$out" | grep -q 'ARCH is empty: give ARCH='
t $? "ARCH= says ARCH is empty" "$out"
out=$(OUT="$tmp/o u t" bt x86_64 ok 2>&1)
rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -q 'contains a space' && [ ! -e "$tmp/o u t/ok" ]
t $? "an OUT with a space is refused before any copy" "$out"

# 4. A series that does not apply: found before the first build; the
# link to the latest results stays.
: >"$FAKE_LOG"
out=$(bt x86_64 noapply 2>&1)
rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -q 'does not apply to its base: patch 1' &&
	! grep -q bzImage "$FAKE_LOG" && [ "$(readlink "$OUT/runs/latest-x86_64")" = "$latest" ] &&
	[ "$(ls "$OUT/runs" | wc -l)" -eq 2 ]
t $? "a series that does not apply stops before any build; runs/latest unchanged, no empty run dir" "$out"

# 5. Exit codes: the worst over the series.
out=$(bt x86_64 fail 2>&1)
rc=$?
[ $rc -eq 2 ] && printf '%s' "$out" | grep -q 'VERDICT: FAIL'
t $? "a failed verdict exits 2" "$out"
out=$(bt x86_64 inconc 2>&1)
rc=$?
[ $rc -eq 3 ] && printf '%s' "$out" | grep -q 'INCONCLUSIVE'
t $? "a test skipped on both kernels: inconclusive, exit 3 # rc $rc" "$out"
out=$(bt x86_64 ok inconc 2>&1)
rc1=$?
out2=$(bt x86_64 inconc fail 2>&1)
rc2=$?
[ $rc1 -eq 3 ] && [ $rc2 -eq 2 ]
t $? "pass and inconclusive give 3, inconclusive and fail give 2 # rc $rc1 $rc2" "$out$out2"
out=$(bt x86_64 ok,fail noapply 2>&1)
rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -q 'ok:PASS fail:FAIL noapply:NOT-RUN'
t $? "pass, fail and could-not-run series: exit 1, each named # rc $rc" "$out"
out=$(FAKE_BUILD=fail JOBS=1 bt x86_64 ok 2>&1)
rc=$?
[ $rc -eq 0 ] && printf '%s' "$out" | grep -q 'up to date, not rebuilding'
t $? "up-to-date kernels are reused (no rebuild) # rc $rc" "$out"

# 6. Signals end everything and free the lock; the next run works.
for sig in TERM HUP INT; do
	rm -f "$OUT"/ok/x86_64/A/stamp "$tmp/building"
	# A background job of a script starts with SIGINT ignored (and with
	# SIGHUP ignored under nohup), and a shell cannot trap a signal it
	# starts with ignored: put them back, as for a command in a terminal.
	FAKE_BUILD='sleep' perl -e '$SIG{INT} = $SIG{HUP} = "DEFAULT"; exec @ARGV' \
		"$ROOT/harness/boot-test.sh" x86_64 ok >"$tmp/sig.out" 2>&1 &
	pid=$!
	i=0
	while [ ! -e "$tmp/building" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	kill -s "$sig" "$pid"
	reap "$pid"
	sleep 0.3
	case $sig in
	HUP) want=129 ;;
	INT) want=130 ;;
	*) want=143 ;;
	esac
	[ $rc -eq "$want" ] && [ "$(left)" -eq 0 ] && lock_free ok &&
		grep -q 'interrupted' "$tmp/sig.out" && ! grep -q 'kernel build failed' "$tmp/sig.out"
	t $? "SIG$sig during the build: every process ends, the lock is free, 'interrupted', exit $want # rc $rc, $(left) left" "$(cat "$tmp/sig.out")"
done
rm -f "$tmp/booting"
FAKE_QEMU='sleep' "$ROOT/harness/boot-test.sh" x86_64 ok >"$tmp/sig.out" 2>&1 &
pid=$!
i=0
while [ ! -e "$tmp/booting" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
kill -TERM "$pid"
reap "$pid"
sleep 0.3
[ $rc -eq 143 ] && [ "$(left)" -eq 0 ] && lock_free ok && ! pgrep -f "$OUT/tools/qemu-run" >/dev/null
t $? "SIGTERM during a boot: QEMU and qemu-run end, the lock is free # rc $rc" "$(cat "$tmp/sig.out")"
# make itself: SIGTERM reaches boot-test.sh, which ends everything.
rm -f "$OUT"/ok/x86_64/A/stamp "$tmp/building"
(cd "$ROOT" && FAKE_BUILD='sleep' exec make -s boot-test SERIES=ok) >"$tmp/sig.out" 2>&1 &
pid=$!
i=0
while [ ! -e "$tmp/building" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
kill -TERM "$pid"
reap "$pid"
sleep 0.3
[ "$(left)" -eq 0 ] && lock_free ok && grep -q 'interrupted' "$tmp/sig.out"
t $? "SIGTERM to make ends every process and frees the lock" "$(cat "$tmp/sig.out")"
out=$(bt x86_64 ok 2>&1)
t $? "a run after the interruptions works" "$out"

# 7. make clean and distclean delete only racefix's output.
mkdir -p "$tmp/x"
echo keep >"$tmp/x/keep"
(cd "$ROOT" && OUT="$tmp/x y" make -s tools) >/dev/null 2>&1
mkdir -p "$tmp/x y/runs"
out=$(cd "$ROOT" && make -s clean OUT="$tmp/x y" 2>&1)
[ -f "$tmp/x/keep" ] && [ ! -e "$tmp/x y/runs" ] && [ ! -e "$tmp/x y/tools" ] && [ -d "$tmp/x y" ]
t $? "make clean OUT='x y' cleans 'x y' and leaves x alone" "$out"
mkdir -p "$tmp/home/work"
bad=0
for o in "$tmp/home" / "$tmp/x" ""; do
	out=$(cd "$ROOT" && HOME=$tmp/home make -s distclean OUT="$o" 2>&1)
	{ [ -d "$tmp/home/work" ] && [ -f "$tmp/x/keep" ] && printf '%s' "$out" | grep -q 'racefix: error'; } || {
		bad=1
		echo "# OUT='$o': $out"
	}
done
[ $bad -eq 0 ]
t $? "make distclean refuses \$HOME, /, a directory without the marker and an empty OUT"
out=$(cd "$ROOT" && make -s distclean OUT="$tmp/x y" 2>&1)
[ ! -e "$tmp/x y" ] && [ -f "$tmp/x/keep" ]
t $? "make distclean removes racefix's own output" "$out"
