#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kconfig-check.sh finds every symbol the final .config lost or changed.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/f1" <<'X'
CONFIG_A=y
CONFIG_B=y
CONFIG_S="x y"
# CONFIG_D is not set
X
cat >"$tmp/f2" <<'X'
CONFIG_B=m
X
echo "1..3"
printf 'CONFIG_A=y\nCONFIG_B=m\nCONFIG_S="x y"\n# CONFIG_D is not set\n' >"$tmp/good"
if "$ROOT/harness/kconfig-check.sh" "$tmp/good" "$tmp/f1" "$tmp/f2" >/dev/null; then
	echo "ok 1 a .config with every value passes (last fragment wins)"
else
	echo "not ok 1 a .config with every value passes (last fragment wins)"
fi
printf 'CONFIG_B=y\nCONFIG_D=y\nCONFIG_S="x"\n' >"$tmp/bad"
out=$("$ROOT/harness/kconfig-check.sh" "$tmp/bad" "$tmp/f1" "$tmp/f2")
rc=$?
want='CONFIG_A=y (have n)
CONFIG_B=m (have y)
CONFIG_D=n (have y)
CONFIG_S="x y" (have "x")'
if [ "$rc" -eq 2 ] && [ "$out" = "$want" ]; then
	echo "ok 2 dropped, changed and unwanted symbols are all listed"
else
	echo "not ok 2 dropped, changed and unwanted symbols are all listed"
	printf '%s\n' "$out" | sed 's/^/# /'
fi
"$ROOT/harness/kconfig-check.sh" "$tmp/missing" "$tmp/f1" >/dev/null 2>&1
rc=$?
[ "$rc" -eq 1 ] && echo "ok 3 an unreadable .config is an error, not a pass" ||
	echo "not ok 3 an unreadable .config is an error, not a pass # rc $rc"
