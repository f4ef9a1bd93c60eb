#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# results.sh - the evidence of a series' last make boot-test runs, for
# the cover letter's @RESULTS@ (make send).
#
# usage: results.sh SERIES
#
# For each arch of the series, from OUT/runs/latest-ARCH/SERIES/ (the
# judge's summary.txt and the run's header): the run's shape, B's
# statistics lines, the metrics of the series' fixed tests (one line
# each, every variant named: value x boots), each candidate's verdict,
# the series' verdict, and, when the run has it, the regression suite's
# subtest totals per kernel and its verdict (SERIES+suite/). Without any
# run: one line saying so, or, with SEND=yes, an error (exit 1).
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
export RACEFIX_ROOT
. "$RACEFIX_ROOT/harness/lib.sh"

[ $# -eq 1 ] || die "usage: results.sh SERIES"
series=$(series_name "$1") || exit 1
sdir=$(series_dir "$series")
OUT=${OUT:-$RACEFIX_ROOT/out}

# labelled FILE HEADER_RE ROW_RE SUFFIX: the rows of a table of the
# judge's summary.txt, on one line each, every cell named by its column
# (A, B, C1:name...): the columns are two or more spaces apart.
labelled() {
	hdr=$(grep -E "$2" "$1" | head -n 1)
	grep -E "$3" "$1" | awk -v hdr="$hdr" -v suffix="$4" '
		BEGIN { n = split(hdr, h, /  +/) }
		{
			m = split($0, c, /  +/)
			line = "    " c[1] suffix ":"
			for (i = 2; i <= m && i <= n; i++)
				if (c[i] != "")
					line = line (i > 2 ? ";" : "") " " h[i] " " c[i]
			sub(/ +$/, "", line)
			print line
		}' || true
}
found=
for a in $(series_arches "$sdir"); do
	f=$OUT/runs/latest-$a/$series/summary.txt
	[ -r "$f" ] || continue
	found=1
	printf '  %s, %s:\n' "$a" "$(sed -n 's/^== .* on [^:]*: //; s/, kernel args: $//p' "$OUT/runs/latest-$a/$series/header" 2>/dev/null || echo "last run")"
	# B's statistics, the metrics of the fixed tests (one line each,
	# every variant named), each candidate's verdict and the
	# series' verdict; the regression suite's totals.
	grep -E ' B <= ' "$f" | sed 's/^/    /' || true
	# shellcheck disable=SC2013 # one test name per line
	for t in $(sed 's/#.*//' "$sdir/fixed-tests" 2>/dev/null | awk 'NF { print $1 }'); do
		labelled "$f" '^metric \(value x boots\)' "^$t\\." ' (value x boots)'
	done
	grep -E '^C[0-9]+ .*: [A-Z]+$|^VERDICT' "$f" | sed 's/^/    /' || true
	sf=$OUT/runs/latest-$a/$series+suite/summary.txt
	if [ -r "$sf" ]; then
		printf '    regression suite (%s), subtests ok/not ok/skip per kernel:\n' \
			"patches/$series/suite"
		labelled "$sf" '^subtests \(ok/not ok/skip\)' '^total ' ''
		grep -E '^VERDICT' "$sf" | sed 's/^/    /' || true
	fi
done
if [ -z "$found" ]; then
	[ "${SEND:-}" != yes ] ||
		die "no boot-test result in $OUT for the cover letter's @RESULTS@: run make boot-test first"
	echo "  (no boot-test run is recorded in $OUT: run make boot-test first)"
fi
