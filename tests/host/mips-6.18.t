#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The mips-6.18 series: the mips shortcut on v6.18.2, driven by the USB
# gadget AIO copy worker (tests/stale_tlb_ffs.c): its base, manifest,
# fixed test, patch, kernel options, and the guest test's build and its
# refusal of bad arguments. The test itself never runs here (it would set
# up a USB gadget on this machine): only its argument checks, which end
# before it touches anything.
set -u
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"
harness_env
. "$ROOT/harness/lib.sh"
s=$ROOT/patches/mips-6.18

echo "1..6"

# 1. v6.18.2, mips64el only; its manifest runs stale_tlb_ffs, which it
# declares fixed, and no console race.
out=$( (set -e
	[ "$(conf_get "$s/base.conf" BASE_TAG)" = v6.18.2 ]
	[ "$(conf_get "$s/base.conf" ARCHES)" = mips64el ]
	cc -O2 -I"$ROOT/tests" -o "$tmp/manifest" "$ROOT/harness/tools/manifest.c"
	"$tmp/manifest" check "$s/tests"
	"$tmp/manifest" filter "$s/tests" mips64el >"$tmp/m"
	[ "$(awk '!/^#/ && NF { print $1 }' "$tmp/m" | paste -sd, -)" = stale_tlb_ffs ]
	[ "$(sed -e 's/#.*//' "$s/fixed-tests" | awk 'NF { print $1 }')" = stale_tlb_ffs ]
	! sed -e 's/#.*//' "$s/signatures" | grep -q .
	cc -O2 -Wall -I"$ROOT/tests" -o "$tmp/judge" "$ROOT/harness/tools/judge.c" -lm
	"$tmp/judge" --check "$s") 2>&1)
t $? "v6.18.2 on mips64el; stale_tlb_ffs runs, is declared fixed; no console signature; judge --check" "$out"

# 2. The patch drops the three mm_users == 1 shortcuts and adds none,
# has a Fixes: tag and the sparc64 precedent, and no author.
p=$(sed -e 's/#.*//' "$s/series" | awk 'NF { print $1; exit }')
out=$( (set -e
	f=$s/$p
	grep -q '^+++ b/arch/mips/kernel/smp.c$' "$f"
	[ "$(grep -c '^-.*mm_users) != 1' "$f")" = 3 ]
	! grep -q '^+.*mm_users) \(!=\|==\)' "$f"
	! grep -q '^+.*set_cpu_context' "$f"
	grep -q '^Fixes: 2e4c7553cd6f ("usb: gadget: f_fs: add aio support")$' "$f"
	grep -q 'bafb056ce279' "$f"
	! grep -qi '^\(From\|Signed-off-by\): ' "$f") 2>&1)
t $? "the patch drops the three shortcuts, cites bafb056ce279, Fixes: the functionfs AIO commit, no author" "$out"

# 3. The kernel options reach the mips64el kernel, and only it.
out="$( (load_arch mips64el && series_fragments mips64el "$s") | sed "s|^$ROOT/||" | paste -sd' ' -)"
[ "$out" = "kconfig/common.config kconfig/mips64el.config kconfig/debug.config patches/mips-6.18/kconfig-mips64el" ]
t $? "the series' gadget fragment is merged last on mips64el" "$out"

# 4-5. The guest test builds as MIPS64 R6 without a warning.
cc=mipsisa64r6el-linux-gnuabi64-gcc
if command -v "$cc" >/dev/null 2>&1 && command -v readelf >/dev/null 2>&1; then
	out=$("$cc" -static -O2 -Wall -Wextra -Werror -pthread -I"$ROOT/tests" \
		-o "$tmp/ffs-mips" "$ROOT/tests/stale_tlb_ffs.c" 2>&1)
	t $? "stale_tlb_ffs builds for mips64el without a warning" "$out"
	h=$(readelf -h "$tmp/ffs-mips" 2>&1)
	printf '%s' "$h" | grep -q 'Class:.*ELF64' && printf '%s' "$h" | grep -q 'Flags:.*mips64r6'
	t $? "it is a MIPS64 R6 executable" "$h"
else
	n=$((n + 2))
	echo "ok 4 # SKIP $cc or readelf missing (harness/install-deps.sh installs them)"
	echo "ok 5 # SKIP $cc or readelf missing"
fi

# 6. Bad arguments: one line, exit 1, before anything is set up.
out=$( (set -e
	${HOSTCC:-cc} -static -O2 -Wall -Wextra -Werror -pthread -I"$ROOT/tests" \
		-o "$tmp/ffs" "$ROOT/tests/stale_tlb_ffs.c"
	for a in "-x" "-d" "-d 0" "-n 0" "-n 1001" "-f -1"; do
		set -f
		# shellcheck disable=SC2086 # one or two words on purpose
		o=$("$tmp/ffs" $a 2>&1) && { echo "$a: exit 0"; exit 1; }
		rc=$?
		set +f
		[ "$rc" = 1 ] || { echo "$a: exit $rc"; exit 1; }
		[ "$(printf '%s\n' "$o" | wc -l)" = 1 ] || { echo "$a: $o"; exit 1; }
		case $o in
		stale_tlb_ffs:*) ;;
		*) echo "$a: $o"; exit 1 ;;
		esac
	done) 2>&1)
t $? "stale_tlb_ffs refuses bad arguments in one line with exit 1" "$out"
