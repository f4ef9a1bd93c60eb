#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# scan.sh - report TLB flush code that trims mm_cpumask() or other cpus'
# contexts when mm_users is 1 (tests/scan/mm_users_trim.cocci).
#
# Usage: harness/scan.sh KERNEL_SRC
#   Scans KERNEL_SRC/arch, or KERNEL_SRC itself when it has no arch/
#   (as for tests/scan/fixtures).  Prints one file:line:function per
#   site, file relative to KERNEL_SRC, sorted, and a count.
#   Exit status: 0 on success (with or without hits), 1 on usage or
#   tool errors.  SPATCH and JOBS override the defaults.

usage() {
	echo "racefix: error: usage: $0 KERNEL_SRC: give a kernel source directory" >&2
	exit 1
}

[ $# -eq 1 ] || usage
[ -d "$1" ] || {
	echo "racefix: error: KERNEL_SRC='$1' is not a directory: give a kernel source directory" >&2
	exit 1
}
src=$(cd "$1" && pwd -P) || exit 1

here=$(cd "$(dirname "$0")" && pwd)
cocci="$here/../tests/scan/mm_users_trim.cocci"
spatch=${SPATCH:-spatch}
jobs=${JOBS:-2}

if ! command -v "$spatch" >/dev/null 2>&1; then
	echo "racefix: error: $spatch not found: install it with 'apt-get install coccinelle' or set SPATCH" >&2
	exit 1
fi
if [ -d "$src/arch" ]; then
	dir="$src/arch"
else
	dir=$src
fi

out=$(mktemp "${TMPDIR:-/tmp}/scan.XXXXXX") || exit 1
err=$(mktemp "${TMPDIR:-/tmp}/scan.XXXXXX") || exit 1
trap 'rm -f "$out" "$err"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

if ! "$spatch" --very-quiet -D report --no-includes --dir "$dir" \
	-j "$jobs" --sp-file "$cocci" >"$out" 2>"$err"; then
	cat "$err" >&2
	echo "racefix: error: $spatch failed (above): check the tree and $spatch" >&2
	exit 1
fi

# Keep only result lines, with paths made relative to KERNEL_SRC.
hits=$(grep -E '^[^ :]+:[0-9]+:[A-Za-z_][A-Za-z0-9_]*$' "$out" |
	awk -v src="$src/" 'index($0, src) == 1 { $0 = substr($0, length(src) + 1) } { sub(/^\.\//, ""); print }' |
	sort -t: -k1,1 -k2,2n -u)

printf '%-40s %6s  %s\n' FILE LINE FUNCTION
if [ -n "$hits" ]; then
	echo "$hits" | awk -F: '{ printf "%-40s %6s  %s\n", $1, $2, $3 }'
	n=$(echo "$hits" | wc -l)
else
	n=0
fi
echo "# $n site(s) in $dir"
