#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# table.sh - the A/B verdict of one series on one arch.
#
# usage: table.sh SERIES_RUN_DIR [SIGNATURES [UNRELATED]]
#
# Reads SERIES_RUN_DIR/{A,B}/N/{tests,splats}.tsv written by verdict and
# prints one table: per test the pass/fail/skip counts of the unpatched
# (A) and patched (B) kernel, per splat signature the runs that showed
# it and its report count, the values of the metrics tests print
# ("# metric: NAME VALUE", to show a change of behaviour), and the time
# from test start to the first
# report of a target race. The patched kernel fails the series when it
# fails a test, does not end a run cleanly, shows a splat no unpatched
# run showed, or shows a race the series declares fixed (a target).
# A KCSAN race matching a line of UNRELATED (extended regular expressions
# on the signature, each with its reason in the file: races in code the
# series does not touch, which any boot may or may not hit) is listed
# with "~" and does not fail the series when only B shows it.
# With only A runs (no series), A is judged the same way.
# Writes SERIES_RUN_DIR/summary.txt; exit 0 PASS, 2 FAIL.
set -eu
[ $# -ge 1 ] || { echo "usage: table.sh SERIES_RUN_DIR [SIGNATURES]" >&2; exit 1; }
dir=$1
# Does the series declare any race a console can show?
declared=1
if [ $# -ge 2 ] && ! grep -qv -e '^#' -e '^[[:space:]]*$' "$2" 2>/dev/null; then
	declared=0
fi
files=$(find "$dir" -mindepth 3 -maxdepth 3 \( -name tests.tsv -o -name splats.tsv -o -name metrics.tsv \) | sort)
[ -n "$files" ] || { echo "racefix: error: no runs under $dir" >&2; exit 1; }

rc=0
# shellcheck disable=SC2086 # one word per file
unrelated=${3:-/dev/null}
[ -r "$unrelated" ] || unrelated=/dev/null
awk -F '\t' -v dir="$dir" -v declared="$declared" -v unrelated="$unrelated" '
function median(list, n,    a, i, j, t) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	if (n == 0) return "-"
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function mlist(v, k,    a, n, i, out) {
	n = split(mvals[v, k], a, " ")
	for (i = 1; i <= n; i++)
		out = out (i > 1 ? " " : "") a[i] "x" mseen[v, k, a[i]]
	return n ? out : "-"
}
BEGIN {
	while ((getline line < unrelated) > 0)
		if (line !~ /^[ \t]*(#|$)/)
			upat[++nu] = line
}
function is_unrelated(k,    i, sig) {
	if (k !~ /^kcsan: /)
		return 0
	sig = substr(k, 8)
	for (i = 1; i <= nu; i++)
		if (sig ~ upat[i])
			return 1
	return 0
}
FNR == 1 {
	n = split(FILENAME, p, "/")
	v = p[n - 2]; run = v "/" p[n - 1]; kind = p[n]
	runs[v, p[n - 1]] = 1
	if (!(run in seenrun)) { seenrun[run] = 1; nruns[v]++ }
}
kind == "tests.tsv" {
	if (!($1 in tname)) { tname[$1] = 1; torder[++nt] = $1 }
	t[v, $1, $2]++
}
kind == "metrics.tsv" {
	key = $1 "." $2
	if (!(key in mname)) { mname[key] = 1; morder[++nm] = key }
	if (!((v, key, $3) in mseen)) mvals[v, key] = mvals[v, key] " " $3
	mseen[v, key, $3]++
}
kind == "splats.tsv" {
	key = $1 ": " $2
	if (!(key in sname)) { sname[key] = 1; sorder[++ns] = key }
	srun[v, key]++; scount[v, key] += $3
	if ($5 == 1) {
		target[key] = 1
		if (!((v, run) in firstt) || $6 + 0 < firstt[v, run] + 0)
			firstt[v, run] = $6
	}
}
END {
	hasb = ("B" in nruns)
	judged = hasb ? "B" : "A"
	printf "%-44s %-16s %s\n", "test", "A pass/fail/skip", hasb ? "B pass/fail/skip" : ""
	for (i = 1; i <= nt; i++) {
		n = torder[i]
		printf "%-44s %-16s %s\n", n, t["A", n, "pass"]+0 "/" t["A", n, "fail"]+0 "/" t["A", n, "skip"]+0,
			hasb ? t["B", n, "pass"]+0 "/" t["B", n, "fail"]+0 "/" t["B", n, "skip"]+0 : ""
		if (t[judged, n, "fail"]) { bad++; why = why "\n  " judged " fails test " n }
	}
	printf "\n%-44s %-16s %s\n", "splat (* fixed, ~ unrelated)", "A runs (reports)", hasb ? "B runs (reports)" : ""
	for (i = 1; i <= ns; i++) {
		k = sorder[i]
		unrel = !(k in target) && is_unrelated(k)
		printf "%-44s %-16s %s\n", (k in target ? "* " : unrel ? "~ " : "  ") k,
			srun["A", k]+0 " (" scount["A", k]+0 ")",
			hasb ? srun["B", k]+0 " (" scount["B", k]+0 ")" : ""
		if (srun[judged, k] && (k ~ /^boot: / || k in target)) {
			bad++; why = why "\n  " judged " shows " k
		} else if (hasb && srun["B", k] && !srun["A", k] && !unrel) {
			bad++; why = why "\n  B shows a splat no A run showed: " k
		}
	}
	if (nm) printf "\n%-44s %-16s %s\n", "metric (value x runs)", "A", hasb ? "B" : ""
	for (i = 1; i <= nm; i++) {
		k = morder[i]
		printf "%-44s %-16s %s\n", k, mlist("A", k), hasb ? mlist("B", k) : ""
	}
	for (r in seenrun) {
		split(r, rp, "/")
		if (rp[1] == "A" && (("A", r) in firstt)) { ttf = ttf " " firstt["A", r]; ahit++ }
	}
	if (declared) {
		printf "\nunpatched runs with a target race report: %d of %d", ahit, nruns["A"]
		if (ahit) printf "; seconds from test start to first report: median %s", median(ttf)
		printf "\n"
	} else {
		printf "\nthe series declares no race a console can show (see its signatures file)\n"
	}
	if (bad) { printf "VERDICT: FAIL%s\n", why; exit 2 }
	printf "VERDICT: PASS (%s)\n", hasb ? "patched kernel: all tests pass, no new splat, no target race" : "all tests pass, every run ended cleanly"
}' $files >"$dir/summary.txt" || rc=$?
cat "$dir/summary.txt"
exit "$rc"
