#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# fingerprint.sh - check that a kernel tree is the base a series expects.
#
# usage: fingerprint.sh [--print] SERIES_DIR [TREE]
#
# The fingerprint of a base is the pre-image blob id of every file the
# series touches, read from the "index" lines of its patches (written
# with git format-patch --full-index). A file the series creates must
# not exist yet. --print lists the fingerprint; otherwise TREE is
# checked and the first file that differs is named.
# Exit codes: 0 match, 1 could not check, 2 mismatch.
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
. "$RACEFIX_ROOT/harness/lib.sh"

print=
if [ "${1:-}" = --print ]; then
	print=1
	shift
fi
[ $# -ge 1 ] || die "usage: fingerprint.sh [--print] SERIES_DIR [TREE]"
sdir=$1
tree=${2:-}
patches=$(series_patches "$sdir") || exit 1

# The first pre-image of each path, in series order: "BLOB PATH".
fingerprint() {
	printf '%s\n' "$patches" | while read -r p; do [ -z "$p" ] || cat "$p"; done | awk '
		/^diff --git a\// { path = $3; sub(/^a\//, "", path); next }
		/^index [0-9a-f]+\.\.[0-9a-f]+/ {
			split($2, ids, /\.\./)
			if (path != "" && !(path in seen)) {
				seen[path] = 1
				print ids[1], path
			}
			path = ""
		}'
}

if [ -n "$print" ]; then
	fingerprint
	exit 0
fi
[ -n "$tree" ] || die "usage: fingerprint.sh SERIES_DIR TREE"
[ -d "$tree" ] || die "no kernel tree at $tree"
base=$(conf_get "$sdir/base.conf" BASE_TAG)

fingerprint | {
	n=0
	while read -r blob path; do
		n=$((n + 1))
		case $blob in
		*[!0]*)
			[ -f "$tree/$path" ] || {
				echo "racefix: base mismatch: $path is missing from $tree; series ${sdir##*/} needs $base" >&2
				exit 2
			}
			have=$(git hash-object "$tree/$path")
			case $have in
			"$blob"*) ;;
			*)
				echo "racefix: base mismatch: $path in $tree is blob $have, series ${sdir##*/} expects $blob ($base): supply a $base tree (KERNEL_SRC=... or KERNEL_TARBALL=...)" >&2
				exit 2
				;;
			esac
			;;
		*)
			if [ -e "$tree/$path" ]; then
				echo "racefix: base mismatch: $path exists in $tree but series ${sdir##*/} creates it; supply a $base tree" >&2
				exit 2
			fi
			;;
		esac
	done
	echo "$n"
}
