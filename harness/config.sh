#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# config.sh - configure a build directory from racefix's fragments.
#
# usage: config.sh ARCH TREE BUILD_DIR FRAGMENT...
#
# tinyconfig, then the fragments merged in order with the tree's own
# scripts/kconfig/merge_config.sh, then olddefconfig. Every symbol a
# fragment asks for must have that value in the final .config: a
# dropped symbol (missing dependency, unknown on this tree) is an error
# that lists them all. Nothing is redone when the fragments, the arch
# and the tree's Kconfig files are unchanged since the last run.
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$RACEFIX_ROOT/harness/lib.sh"

[ $# -ge 4 ] || die "usage: config.sh ARCH TREE BUILD_DIR FRAGMENT..."
load_arch "$1"
tree=$2
build=$3
shift 3
mkdir -p "$build"

stamp=$( (echo "$ARCH_NAME $CROSS_COMPILE"; cat "$@"; find "$tree" -name 'Kconfig*' -newer "$build/.config" 2>/dev/null | head -n 1) | cksum)
if [ -f "$build/.config" ] && [ "$(cat "$build/.racefix-config" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi

mk() {
	make -s -C "$tree" O="$build" ARCH="$KARCH" CROSS_COMPILE="$CROSS_COMPILE" "$@"
}
mk tinyconfig >"$build/config.log" 2>&1 || {
	cat "$build/config.log" >&2
	die "make tinyconfig failed in $build"
}
"$tree/scripts/kconfig/merge_config.sh" -m -O "$build" "$build/.config" "$@" \
	>>"$build/config.log" 2>&1 || die "merge_config.sh failed: see $build/config.log"
mk olddefconfig >>"$build/config.log" 2>&1 || die "make olddefconfig failed: see $build/config.log"

# merge_config.sh -m does not check for dropped symbols: do it here.
if ! missing=$("$RACEFIX_ROOT/harness/kconfig-check.sh" "$build/.config" "$@"); then
	[ -n "$missing" ] || die "cannot check $build/.config against the fragments"
	printf '%s\n' "$missing" | sed 's/^/  /' >&2
	die "$(printf '%s\n' "$missing" | wc -l) fragment symbols are not in $build/.config as asked (above): a dependency is missing or the tree does not know them; fix the fragments in kconfig/"
fi
printf '%s\n' "$stamp" >"$build/.racefix-config"
