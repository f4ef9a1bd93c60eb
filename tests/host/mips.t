#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mips64el, the third arch: its arch data (an SMP malta with 4 CPUs and an
# R6 CPU, the R6 cross compiler and C library), its kconfig fragment, the
# mips series' manifest, the guest programs built as MIPS64 R6, and a
# preflight that asks for the mips packages for ARCH=mips64el only.
set -u
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"
harness_env
. "$ROOT/harness/lib.sh"

echo "1..10"

# 1. The arch data.
out=$( (load_arch mips64el
	[ "$KARCH" = mips ] && [ "$CROSS_COMPILE" = mipsisa64r6el-linux-gnuabi64- ] &&
	[ "$CROSS_PKG" = gcc-mipsisa64r6el-linux-gnuabi64 ] &&
	[ "$LIBC_PKG" = libc6-dev-mips64r6el-cross ] &&
	[ "$QEMU" = qemu-system-mips64el ] && [ "$QEMU_PKG" = qemu-system-mips ] &&
	[ "$IMAGE" = vmlinux ] && [ "$HAVE_KCSAN" = no ] || exit 1
	# One word each: the board, an R6 CPU with CPS (the only kind QEMU
	# gives more than one CPU on malta) and 4 CPUs.
	for w in "-M malta" "-cpu I6400" "-smp 4"; do
		case " $QEMU_ARGS " in
		*" $w "*) ;;
		*) echo "QEMU_ARGS lacks '$w': $QEMU_ARGS"; exit 1 ;;
		esac
	done) 2>&1)
t $? "mips64el.conf: malta, I6400, 4 CPUs, the R6 compiler and C library" "$out"

# 2. The kconfig fragment asks for what SMP on this board needs.
frag=$ROOT/kconfig/mips64el.config
bad=
for s in CONFIG_MIPS_MALTA=y CONFIG_CPU_MIPS64_R6=y CONFIG_MIPS_CPS=y CONFIG_NR_CPUS=4 CONFIG_MIPS_FP_SUPPORT=y \
	 CONFIG_SERIAL_8250_CONSOLE=y CONFIG_POWER_RESET_PIIX4_POWEROFF=y \
	 CONFIG_MIPS_CMDLINE_FROM_BOOTLOADER=y; do
	grep -qx "$s" "$frag" || bad="$bad $s"
done
for s in CONFIG_SMP=y CONFIG_64BIT=y CONFIG_IO_URING=y; do
	grep -qx "$s" "$ROOT/kconfig/common.config" || bad="$bad common:$s"
done
t "$([ -z "$bad" ]; echo $?)" "kconfig: malta, MIPS64 R6, CPS, 4 CPUs, FP, uart, power-off, QEMU's command line" "missing:$bad"

# 3. The series runs on mips64el only, with the stale TLB test in it.
s=$ROOT/patches/mips
out=$( (set -e
	[ "$(conf_get "$s/base.conf" ARCHES)" = mips64el ]
	cc -O2 -I"$ROOT/tests" -o "$tmp/manifest" "$ROOT/harness/tools/manifest.c"
	"$tmp/manifest" check "$s/tests"
	"$tmp/manifest" filter "$s/tests" mips64el >"$tmp/m"
	awk '!/^#/ && NF { print $1 }' "$tmp/m" | sort | paste -sd, -) 2>&1)
[ "$out" = "sqpoll_flush,stale_tlb_sqpoll" ]
t $? "patches/mips: mips64el only; its manifest runs stale_tlb_sqpoll and sqpoll_flush" "$out"

# 4. The fixed test, if declared, is one the manifest runs, and the
# signatures declare no console race (mips has no KCSAN here).
out=$( (set -e
	cc -O2 -Wall -I"$ROOT/tests" -o "$tmp/judge" "$ROOT/harness/tools/judge.c" -lm
	"$tmp/judge" --check "$s"
	[ ! -e "$s/fixed-tests" ] || sed -e 's/#.*//' "$s/fixed-tests" | awk 'NF { print $1 }' |
		while read -r f; do grep -q "^${f}[[:space:]]" "$s/tests" || { echo "fixed test $f not in the manifest"; exit 1; }; done
	! sed -e 's/#.*//' "$s/signatures" | grep -q .) 2>&1)
t $? "patches/mips: judge --check; fixed-tests name manifest tests; no console signature" "$out"

# 5. The patch removes the three mm_users == 1 shortcuts of smp.c and
# adds none back.
p=$(sed -e 's/#.*//' "$s/series" | awk 'NF { print $1; exit }')
out=$( (set -e
	f=$s/$p
	grep -q '^+++ b/arch/mips/kernel/smp.c$' "$f"
	[ "$(grep -c '^-.*mm_users) != 1' "$f")" = 3 ]
	! grep -q '^+.*mm_users' "$f"
	! grep -q '^+.*set_cpu_context' "$f"
	grep -q '^Fixes: [0-9a-f]\{12\} ("' "$f"
	grep -q 'bafb056ce279' "$f"
	! grep -qi '^\(From\|Signed-off-by\): ' "$f") 2>&1)
t $? "the mips patch drops the three shortcuts, cites bafb056ce279, has Fixes: and no author" "$out"

# 6. Preflight asks for the mips packages for ARCH=mips64el only. A PATH
# like this machine's, less every mips tool.
sys=$tmp/sys
mkdir -p "$sys"
for d in /usr/local/bin /usr/bin /bin; do
	for f in "$d"/*; do
		b=${f##*/}
		case $b in
		qemu-system-mips* | mips*-linux-gnu*) continue ;;
		esac
		[ -e "$sys/$b" ] || ln -s "$f" "$sys/$b"
	done
done
out=$(PATH=$sys "$ROOT/harness/preflight.sh" mips64el 2>&1)
rc=$?
[ $rc -eq 1 ] &&
	printf '%s' "$out" | grep -q "mipsisa64r6el-linux-gnuabi64-gcc not found.*apt-get install gcc-mipsisa64r6el-linux-gnuabi64 libc6-dev-mips64r6el-cross" &&
	printf '%s' "$out" | grep -q "qemu-system-mips64el not found: install it with 'apt-get install qemu-system-mips'"
t $? "preflight mips64el without the mips tools: exit 1 naming the R6 compiler, its C library and QEMU" "$out"

# 7. ... and a compiler that cannot link names the R6 C library.
cat >"$sys/mipsisa64r6el-linux-gnuabi64-gcc" <<'EOF'
#!/bin/sh
echo "/usr/mipsisa64r6el-linux-gnuabi64/include/features.h:1: fatal error: bits/wordsize.h: No such file or directory" >&2
exit 1
EOF
chmod +x "$sys/mipsisa64r6el-linux-gnuabi64-gcc"
out=$(PATH=$sys "$ROOT/harness/preflight.sh" mips64el 2>&1)
rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -q "cannot build a static program for mips64el.*apt-get install libc6-dev-mips64r6el-cross'"
t $? "preflight mips64el with a compiler but no C library names libc6-dev-mips64r6el-cross" "$out"

# 8. The other arches do not need any mips tool.
out=$(PATH=$sys "$ROOT/harness/preflight.sh" x86_64 2>&1)
rc=$?
[ $rc -eq 0 ] && ! printf '%s' "$out" | grep -qi mips
t $? "preflight x86_64 passes on the same host without the mips tools" "$out"

# 9-10. The guest's /init and tests, built as initramfs.sh builds them,
# are MIPS64 R6 programs (Debian's mips64el R2 ones die with SIGILL there).
cc=mipsisa64r6el-linux-gnuabi64-gcc
if ! command -v "$cc" >/dev/null 2>&1 || ! command -v readelf >/dev/null 2>&1; then
	echo "ok 9 # SKIP $cc or readelf missing (harness/install-deps.sh installs them)"
	echo "ok 10 # SKIP $cc or readelf missing"
	exit 0
fi
bad=
for src in init stale_tlb_sqpoll sqpoll_flush; do
	if ! "$cc" -static -O2 -Wall -Wextra -Werror -pthread -I"$ROOT/tests" \
		-o "$tmp/$src" "$ROOT/tests/$src.c" >"$tmp/$src.log" 2>&1; then
		bad="$bad $src: $(head -n 3 "$tmp/$src.log")"
	fi
done
t "$([ -z "$bad" ]; echo $?)" "init, stale_tlb_sqpoll and sqpoll_flush build for mips64el without a warning" "$bad"
bad=
for src in init stale_tlb_sqpoll sqpoll_flush; do
	h=$(readelf -h "$tmp/$src" 2>&1)
	printf '%s' "$h" | grep -q 'Machine:.*MIPS' && printf '%s' "$h" | grep -q 'Class:.*ELF64' &&
		printf '%s' "$h" | grep -q 'Flags:.*mips64r6' || bad="$bad $src: $(printf '%s' "$h" | grep -E 'Class|Flags' | tr -s ' ' | paste -sd' ' -)"
done
t "$([ -z "$bad" ]; echo $?)" "they are 64-bit MIPS64 R6 executables" "$bad"
