#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every series is complete and consistent: its base description, its
# quilt series file, its guest manifest and its declared signatures.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export RACEFIX_ROOT=$ROOT
. "$ROOT/harness/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/verdict" "$ROOT/harness/tools/verdict.c" || exit 1
: >"$tmp/empty.log"

dirs="$ROOT/harness/smoke"
for d in "$ROOT"/patches/*/; do
	dirs="$dirs ${d%/}"
done
echo "1..$(( $(echo $dirs | wc -w) * 4 ))"
n=0
for d in $dirs; do
	s=${d##*/}
	n=$((n + 1))
	bad=
	for a in $(conf_get "$d/base.conf" ARCHES); do
		[ -r "$ROOT/harness/arch/$a.conf" ] || bad="$bad unknown arch $a;"
	done
	[ -n "$(conf_get "$d/base.conf" ARCHES)" ] || bad="$bad no ARCHES;"
	if [ "$s" != smoke ]; then
		for k in BASE_TAG BASE_VERSION BASE_URL; do
			[ -n "$(conf_get "$d/base.conf" $k)" ] || bad="$bad no $k;"
		done
	fi
	[ -z "$bad" ] && echo "ok $n $s: base.conf" || echo "not ok $n $s: base.conf #$bad"

	n=$((n + 1))
	if out=$( (series_patches "$d") 2>&1) && { [ "$s" = smoke ] || [ -n "$out" ]; }; then
		echo "ok $n $s: series file names existing patches ($(printf '%s' "$out" | grep -c .))"
	else
		echo "not ok $n $s: series file names existing patches # $out"
	fi

	n=$((n + 1))
	bad=
	for p in $(sed -e 's/#.*//' "$d/tests" | awk 'NF >= 3 { print $3 }'); do
		case $p in
		/bin/selftests/*) ;;
		/bin/*) [ -r "$ROOT/tests/${p#/bin/}.c" ] || bad="$bad $p has no source;" ;;
		*) bad="$bad $p;" ;;
		esac
	done
	bad="$bad$(sed -e 's/#.*//' "$d/tests" | awk 'NF > 0 && (NF < 3 || $2 !~ /^([0-9]*D\+)?[0-9]+$/) { printf " bad line: %s;", $0 }')"
	[ -z "$bad" ] && echo "ok $n $s: guest manifest" || echo "not ok $n $s: guest manifest #$bad"

	n=$((n + 1))
	good=1
	for f in signatures unrelated; do
		[ ! -e "$d/$f" ] ||
			"$tmp/verdict" -l "$tmp/empty.log" -o "$tmp" -f "$d/$f" >/dev/null || good=0
	done
	if [ "$good" = 1 ]; then
		echo "ok $n $s: signatures and unrelated races are valid regular expressions"
	else
		echo "not ok $n $s: signatures and unrelated races are valid regular expressions"
	fi
done
