#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# scan.t - run harness/scan.sh on tests/scan/fixtures: every pos_*
# function must be reported, no neg_* function may be.  TAP for prove(1).

here=$(cd "$(dirname "$0")" && pwd)
top="$here/../.."
fixtures="$top/tests/scan/fixtures"

if ! command -v "${SPATCH:-spatch}" >/dev/null 2>&1; then
	echo "1..0 # SKIP spatch (coccinelle) is not installed"
	exit 0
fi

out=$(mktemp "${TMPDIR:-/tmp}/scan-t.XXXXXX") || exit 1
trap 'rm -f "$out"' EXIT
trap 'exit 1' HUP INT TERM

pos=$(sed -n 's/^[a-z].* \(pos_[a-z0-9_]*\)(.*/\1/p' "$fixtures"/*.c)
neg=$(sed -n 's/^[a-z].* \(neg_[a-z0-9_]*\)(.*/\1/p' "$fixtures"/*.c)
npos=$(echo "$pos" | wc -w)

echo "TAP version 13"
echo "1..$((npos + 2))"
n=0
fail=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fail=1
	fi
}

"$top/harness/scan.sh" "$fixtures" >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
ok "$rc" "scan.sh runs on the fixtures"

for f in $pos; do
	grep -q " $f\$" "$out"
	ok $? "reports $f"
done

bad=0
for f in $neg; do
	if grep -q " $f\$" "$out"; then
		echo "# false positive: $f"
		bad=1
	fi
done
ok "$bad" "reports none of the $(echo "$neg" | wc -w) negative cases"
exit $fail
