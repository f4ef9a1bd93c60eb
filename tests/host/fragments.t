#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# series_fragments: racefix's kconfig fragments, then a series' own
# (SERIES/kconfig for every arch, SERIES/kconfig-ARCH for one), and the
# two v6.18.2 mips64el series sharing one set of symbols.
set -u
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"
harness_env
. "$ROOT/harness/lib.sh"

echo "1..6"

# frags ARCH DIR: the fragments, relative to the checkout or to $tmp.
frags() {
	(load_arch "$1" && series_fragments "$1" "$2") | sed "s|^$ROOT/||; s|^$tmp/||" | paste -sd' ' -
}

s=$tmp/s
mkdir -p "$s"
printf 'ARCHES="x86_64 mips64el"\nKCSAN=yes\n' >"$s/base.conf"

# 1. No fragment of its own: racefix's only (KCSAN where the arch has it).
out="$(frags x86_64 "$s") | $(frags mips64el "$s")"
[ "$out" = "kconfig/common.config kconfig/x86_64.config kconfig/debug.config kconfig/kcsan.config | kconfig/common.config kconfig/mips64el.config kconfig/debug.config" ]
t $? "a series without kconfig files gets racefix's fragments only" "$out"

# 2. SERIES/kconfig: merged last, on every arch.
echo CONFIG_AIO=y >"$s/kconfig"
out="$(frags x86_64 "$s") | $(frags mips64el "$s")"
[ "$out" = "kconfig/common.config kconfig/x86_64.config kconfig/debug.config kconfig/kcsan.config s/kconfig | kconfig/common.config kconfig/mips64el.config kconfig/debug.config s/kconfig" ]
t $? "SERIES/kconfig comes after racefix's fragments, on every arch" "$out"

# 3. SERIES/kconfig-ARCH: on that arch only, after SERIES/kconfig.
echo CONFIG_USB=y >"$s/kconfig-mips64el"
out="$(frags x86_64 "$s") | $(frags mips64el "$s")"
[ "$out" = "kconfig/common.config kconfig/x86_64.config kconfig/debug.config kconfig/kcsan.config s/kconfig | kconfig/common.config kconfig/mips64el.config kconfig/debug.config s/kconfig s/kconfig-mips64el" ]
t $? "SERIES/kconfig-ARCH is merged for ARCH only, last" "$out"

# 4. A directory of that name is not a fragment.
rm -f "$s/kconfig-mips64el"
mkdir "$s/kconfig-mips64el"
out=$(frags mips64el "$s")
[ "$out" = "kconfig/common.config kconfig/mips64el.config kconfig/debug.config s/kconfig" ]
t $? "a directory named like a fragment is not merged" "$out"

# 5. The mm series: the USB gadget options on mips64el only, so that its
# x86_64 and sparc64 kernels build no more than before.
out="$(frags x86_64 "$ROOT/patches/mm") | $(frags sparc64 "$ROOT/patches/mm") | $(frags mips64el "$ROOT/patches/mm")"
[ "$out" = "kconfig/common.config kconfig/x86_64.config kconfig/debug.config kconfig/kcsan.config | kconfig/common.config kconfig/sparc64.config kconfig/debug.config | kconfig/common.config kconfig/mips64el.config kconfig/debug.config patches/mm/kconfig-mips64el" ]
t $? "patches/mm: its own fragment on mips64el only" "$out"

# 6. mm and mips-6.18 ask for the same symbols on mips64el (one .config
# for both unpatched v6.18.2 kernels, so the second build hits ccache),
# and the symbols stale_tlb_ffs needs are there.
syms() {
	sed -e 's/#.*//' "$1" | grep . | sort
}
out=$( (set -e
	a=$(syms "$ROOT/patches/mm/kconfig-mips64el")
	b=$(syms "$ROOT/patches/mips-6.18/kconfig-mips64el")
	[ "$a" = "$b" ] || { printf 'differ:\n%s\n--\n%s\n' "$a" "$b"; exit 1; }
	for w in CONFIG_AIO=y CONFIG_USB=y CONFIG_USB_GADGET=y CONFIG_USB_DUMMY_HCD=y \
		 CONFIG_CONFIGFS_FS=y CONFIG_USB_CONFIGFS=y CONFIG_USB_CONFIGFS_F_FS=y; do
		printf '%s\n' "$b" | grep -qx "$w" || { echo "missing $w"; exit 1; }
	done) 2>&1)
t $? "mm and mips-6.18 ask for the same mips64el symbols, the ones stale_tlb_ffs needs" "$out"
