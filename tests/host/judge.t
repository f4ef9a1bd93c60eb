#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The judge, end to end: real guest consoles (tests/host/fixtures, see its
# README: captured boots, and a few marked "constructed") are laid out as
# boot-test.sh lays out a run (VARIANT/N/console.log, status, run.json)
# and go through the real judge to its verdict and exit code. One case
# per rule of README "How the verdict is reached", and the bad cases of
# issue 8: each of them printed "VERDICT: PASS" once.
set -u
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"
# Verdict tables are long: more of them on a failure (read by t).
# shellcheck disable=SC2034
T_TAIL=40
FIX=$ROOT/tests/host/fixtures
if ! cc -O2 -Wall -Wextra -Werror -I"$ROOT/tests" -o "$tmp/judge" "$ROOT/harness/tools/judge.c"; then
	echo "Bail out! harness/tools/judge.c does not build"
	exit 1
fi

# boot RUN VARIANT N FIXTURE [KERNEL_ARG...]: one boot from a console
# fixture, with a run.json as qemu-run writes it.
boot() {
	d=$1/$2/$3
	f=$4
	shift 4
	mkdir -p "$d"
	cp "$FIX/$f.log" "$d/console.log"
	cp "$FIX/$f.status" "$d/status"
	printf '{\n  "format": "racefix-run-1",\n  "arch": "x86_64",\n  "kernel_args": "console=ttyS0 panic=-1 racefix_duration=5 %s",\n  "outcome": "%s"\n}\n' \
		"$*" "$(sed -n 's/^outcome=//p' "$FIX/$f.status")" >"$d/run.json"
}
# boots RUN VARIANT COUNT FIXTURE [KERNEL_ARG...]
boots() {
	b_run=$1 b_v=$2 b_n=$3 b_f=$4
	shift 4
	i=1
	while [ "$i" -le "$b_n" ]; do
		boot "$b_run" "$b_v" "$i" "$b_f" "$@"
		i=$((i + 1))
	done
}
# j ARG...: run the judge; sets out and rc.
j() {
	out=$("$tmp/judge" "$@" 2>&1)
	rc=$?
}
has() {
	printf '%s\n' "$out" | grep -qF -- "$1"
}

MM=$FIX/series-mm
MMM=$FIX/kcsan-6182-mm.manifest
SMOKE_M=$ROOT/harness/smoke/tests
# A series with one patch that declares nothing a console can show.
plain=$tmp/plain
mkdir -p "$plain"
echo 0001-fix.patch >"$plain/series"
# Consoles made from real ones for a test result the boots did not give
# (the fixture README says so): mremap_limit failing, and missing.
mkdir -p "$tmp/fix"
sed 's/^ok 1 mremap_limit/not ok 1 mremap_limit # exit code 1/' "$FIX/deb612-smoke.log" >"$tmp/fix/smoke-fail.log"
grep -v '^ok 1 mremap_limit' "$FIX/deb612-smoke.log" >"$tmp/fix/smoke-missing.log"
for f in smoke-fail smoke-missing; do
	cp "$FIX/deb612-smoke.status" "$tmp/fix/$f.status"
done
# A B console with a race in code the series does not touch (osq_lock,
# declared unrelated), and one that only half matches that pattern.
for pair in "osq_lock / osq_unlock:osq" "osq_lock / do_mremap:osqmix"; do
	sed "/racefix: start mremap_test/a [   32.000000] BUG: KCSAN: data-race in ${pair%:*}" \
		"$FIX/kcsan-6182-mm-B.log" >"$tmp/fix/mm-B-${pair#*:}.log"
	cp "$FIX/kcsan-6182-mm-B.status" "$tmp/fix/mm-B-${pair#*:}.status"
done
printf 'outcome=silence\nelapsed_ms=130000\n' >"$tmp/fix/silence.status"
cp "$FIX/kcsan-6182-mm-B.log" "$tmp/fix/mm-B-silence.log"
cp "$tmp/fix/silence.status" "$tmp/fix/mm-B-silence.status"
# Fixtures made here are read from $tmp/fix.
tboot() {
	d=$1/$2/$3
	mkdir -p "$d"
	cp "$tmp/fix/$4.log" "$d/console.log"
	cp "$tmp/fix/$4.status" "$d/status"
	printf '{"arch": "x86_64", "kernel_args": "console=ttyS0"}\n' >"$d/run.json"
}

echo "1..50"

# 1-4. The kept mm A/B boots: PASS, with the statistics line.
r=$tmp/mm10
boots "$r" A 10 kcsan-6182-mm-A
boots "$r" B 10 kcsan-6182-mm-B
j -m "$MMM" -d "$MM" "$r"
[ "$rc" -eq 0 ] && has 'VERDICT: PASS'
t $? "good A/B boots (kcsan-6182-mm): PASS, exit 0" "$out"
has 'do_mremap / vma_complete  A 10/10  B 0/10  B <= 26% (95%)  p = 5.4e-06'
t $? "statistics line: A 10/10, B 0/10, Clopper-Pearson bound 26%, Fisher p 5.4e-06" "$out"
has 'mremap_test fails on both kernels (A 10/10, B 10/10)'
t $? "a test that fails on both kernels is reported, not held against the series" "$out"
[ "$(cat "$r/summary.txt")" = "$out" ] && grep -q '"verdict": "PASS"' "$r/summary.json" &&
	grep -q '"mremap_test": {"fixed": false, "verdict": "PASS", "reason": "mremap_test fails on both kernels' "$r/summary.json" &&
	grep -q '"kind": "kcsan", "signature": "do_mremap / vma_complete", "declared_fixed": true' "$r/summary.json" &&
	grep -q '"name": "mremap_limit.fixed_room_needed", "variants": {"A": {"6": 10}, "B": {"3": 10}}' "$r/summary.json"
t $? "summary.txt is the table; summary.json has per test, splat and metric counts with verdicts" "$(head -c 1500 "$r/summary.json")"

# 5-7. The statistics against known values.
s=$("$tmp/judge" --stats 10 10 0 10)
[ "$s" = "upper95 0.258866 p 5.41254e-06" ]
t $? "0/10: upper bound 25.9%; A 10/10 vs B 0/10: p = 1/184756 # $s"
s=$("$tmp/judge" --stats 10 10 0 30)
[ "$s" = "upper95 0.0950339 p 1.17972e-09" ]
t $? "0/30: upper bound 9.5% # $s"
s=$("$tmp/judge" --stats 5 10 1 10)
[ "$s" = "upper95 0.394163 p 0.0704334" ]
t $? "1/10: upper bound 39.4%; A 5/10 vs B 1/10: p = 0.0704 # $s"

# 8-9. Nested KTAP: subtest totals per test and kernel.
r=$tmp/mm1
boot "$r" A 1 kcsan-6182-mm-A
boot "$r" B 1 kcsan-6182-mm-B
j -m "$MMM" -d "$MM" "$r"
printf '%s\n' "$out" | grep -q '^mremap_test  *21/5/0  *22/4/0 *$'
t $? "subtest totals (ok/not ok/skip) of a kselftest's nested KTAP, per kernel" "$out"
grep -q '"mremap_test": .*"A": {"pass": 0, "fail": 1, "skip": 0, "missing": 0, "subtests": {"ok": 21, "not_ok": 5, "skip": 0}}' "$r/summary.json"
t $? "summary.json keeps the subtest totals" "$(grep mremap_test "$r/summary.json")"

# 10-12. racefix_tests=typo: zero tests selected.
r=$tmp/typo
boots "$r" A 2 deb612-typo-oldinit racefix_tests=typo
boots "$r" B 2 deb612-typo-oldinit racefix_tests=typo
j -m "$SMOKE_M" -d "$plain" "$r"
[ "$rc" -eq 1 ] && has "names 'typo', which is not a test" && ! has 'VERDICT: PASS'
t $? "racefix_tests=typo (real boot, old /init ran nothing): could not judge, exit 1, naming typo" "$out"
j -s mremap_limit -m "$SMOKE_M" -d "$plain" "$r"
[ "$rc" -eq 2 ] && has 'A: no test reported a result (boots 1, 2 of 2)' &&
	has 'B: test mremap_limit never reported'
t $? "a boot with zero results fails, and so does each test that never reported" "$out"
r=$tmp/typo2
boots "$r" A 1 deb612-typo racefix_tests=typo
boots "$r" B 1 deb612-typo racefix_tests=typo
j -m "$SMOKE_M" -d "$plain" "$r"
[ "$rc" -eq 1 ] && has "names 'typo'"
t $? "racefix_tests=typo with today's /init (a 'not ok typo' line): exit 1" "$out"

# 13. Completeness: a result missing from a boot that ended cleanly.
r=$tmp/missing
boots "$r" A 2 deb612-smoke
tboot "$r" B 1 smoke-missing
tboot "$r" B 2 smoke-missing
j -m "$SMOKE_M" -d "$plain" "$r"
[ "$rc" -eq 2 ] && has 'B: test mremap_limit never reported (boots 1, 2 of 2)'
t $? "a test that never reported in a boot fails it" "$out"

# 14. A selection: only the selected tests must report; others must not.
printf 'mremap_limit\t60\t/bin/mremap_limit\nother\t60\t/bin/other\n' >"$tmp/two"
r=$tmp/sel
boots "$r" A 1 deb612-smoke racefix_tests=mremap_limit
boots "$r" B 1 deb612-smoke racefix_tests=mremap_limit
j -m "$tmp/two" -d "$plain" "$r"
rc1=$rc
out1=$out
r=$tmp/sel2
boots "$r" A 1 deb612-smoke
boots "$r" B 1 deb612-smoke
j -m "$tmp/two" -d "$plain" "$r"
[ "$rc1" -eq 0 ] && [ "$rc" -eq 2 ] && has 'test other never reported'
t $? "the selection in run.json decides which tests must report" "$out1
$out"

# 15-16. Skips.
r=$tmp/skipB
boots "$r" A 2 deb612-smoke
boots "$r" B 2 deb612-skip
j -m "$SMOKE_M" -d "$plain" "$r"
[ "$rc" -eq 2 ] && has 'mremap_limit passed on A (2 of 2 boots) and was skipped on B in 2 of 2'
t $? "a test that passed on A and is skipped on B: FAIL" "$out"
r=$tmp/skipAB
boots "$r" A 2 deb612-skip
boots "$r" B 2 deb612-skip
j -m "$SMOKE_M" -d "$plain" "$r"
[ "$rc" -eq 3 ] && has 'VERDICT: INCONCLUSIVE' && has 'mremap_limit was skipped on every kernel (4 boots)'
t $? "a test skipped on both kernels: INCONCLUSIVE, exit 3" "$out"

# 17-19. A bad manifest line.
printf '# a manifest with a bad time limit\nmremap_limit\tabc\t/bin/mremap_limit\n' >"$tmp/bad"
r=$tmp/badline
boots "$r" A 1 deb612-badline
boots "$r" B 1 deb612-badline
j -m "$tmp/bad" -d "$plain" "$r"
[ "$rc" -eq 1 ] && has "$tmp/bad:2: bad time limit (whole seconds 1-86400, or [K]D[+N]) 'abc'"
t $? "a bad manifest line: could not judge, exit 1, FILE:LINE and the reason" "$out"
j -m "$SMOKE_M" -d "$plain" "$r"
[ "$rc" -eq 2 ] && has "could not use its manifest: bad manifest line: /etc/racefix/tests:2: bad time limit"
t $? "today's /init reports a bad line as 'not ok' (real boot): FAIL, never 'fails on both kernels'" "$out"
r=$tmp/badline-old
boots "$r" A 1 deb612-badline-oldinit
boots "$r" B 1 deb612-badline-oldinit
j -m "$SMOKE_M" -d "$plain" "$r"
[ "$rc" -eq 2 ] && has 'could not use its manifest: bad manifest line for mremap_limit' &&
	has 'no test reported a result'
t $? "an old /init that dropped the line and shrank the plan (real boot): FAIL" "$out"

# 20-22. Missing sides.
r=$tmp/bonly
boots "$r" B 2 deb612-smoke
j -m "$SMOKE_M" -d "$plain" "$r"
[ "$rc" -eq 1 ] && has 'no unpatched (A) boots'
t $? "B only, no A: could not judge, exit 1" "$out"
r=$tmp/aonly
boots "$r" A 2 deb612-smoke
j -m "$SMOKE_M" -d "$plain" "$r"
[ "$rc" -eq 1 ] && has 'has 1 patches but' && has 'no patched (B) boots'
t $? "A only for a series with patches: could not judge, exit 1" "$out"
empty=$tmp/empty
mkdir -p "$empty"
cp "$MM/signatures" "$empty/"
: >"$empty/series"
r=$tmp/emptyseries
boots "$r" A 2 kcsan-6182-mm-A
j -m "$MMM" -d "$empty" "$r"
[ "$rc" -eq 3 ] && has 'declares fixes (5 race signatures, 0 fixed tests) but no patched kernel was booted (its series file lists no patch)'
t $? "an empty series file that declares races (only A booted): INCONCLUSIVE" "$out"

# 23-24. Boots that did not end cleanly, on either side.
r=$tmp/apanic
boots "$r" A 3 deb612-panic
boots "$r" B 3 deb612-smoke
j -m "$SMOKE_M" -d "$plain" "$r"
[ "$rc" -eq 2 ] && has 'A: did not end cleanly (panic, no sentinel) (boots 1, 2, 3 of 3)'
t $? "A panicked in every boot while B was clean: FAIL" "$out"
r=$tmp/bsilence
boots "$r" A 1 kcsan-6182-mm-A
tboot "$r" B 1 mm-B-silence
j -m "$MMM" -d "$MM" "$r"
[ "$rc" -eq 2 ] && has 'B: did not end cleanly (silence)'
t $? "a B boot that went silent: FAIL" "$out"

# 25-26. The unpatched side must show the bug.
r=$tmp/norepro
boots "$r" A 3 kcsan-6182-mm-B
boots "$r" B 3 kcsan-6182-mm-B
j -m "$MMM" -d "$MM" "$r"
[ "$rc" -eq 3 ] && has 'the unpatched kernel did not reproduce in 3 boots'
t $? "A never showed a declared race (KCSAN kernel): INCONCLUSIVE" "$out"
r=$tmp/sparc
boots "$r" A 2 sparc64-591-sqpoll
boots "$r" B 2 sparc64-591-sqpoll
j -m "$ROOT/patches/sparc64/tests" -d "$ROOT/patches/sparc64" "$r"
[ "$rc" -eq 0 ] && has 'declares no race a console can show' && has 'VERDICT: PASS'
t $? "a series that declares no console-visible race (sparc64) says so, judged on tests and boots" "$out"

# 27-30. Splats.
r=$tmp/bshows
boots "$r" A 2 kcsan-6182-mm-A
boot "$r" B 1 kcsan-6182-mm-B
boot "$r" B 2 kcsan-6182-mm-A
j -m "$MMM" -d "$MM" "$r"
[ "$rc" -eq 2 ] && has 'B shows the declared race kcsan: do_mremap / vma_complete in 1 of 2 boots' &&
	has 'do_mremap / vma_complete  A 2/2  B 1/2'
t $? "a declared-fixed race on B: FAIL" "$out"
r=$tmp/oops
boots "$r" A 1 sparc64-591-sqpoll
boots "$r" B 1 sparc64-591-oops-constructed
j -m "$ROOT/patches/sparc64/tests" -d "$ROOT/patches/sparc64" "$r"
[ "$rc" -eq 2 ] && has 'B shows a splat no A boot showed: oops: sqpoll_flush: Oops: Unable to handle kernel NULL pointer dereference'
t $? "a sparc64 Oops only B shows: FAIL" "$out"
r=$tmp/unrel
boots "$r" A 1 kcsan-6182-mm-A
tboot "$r" B 1 mm-B-osq
j -m "$MMM" -d "$MM" "$r"
[ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -q '^~ kcsan: osq_lock / osq_unlock'
t $? "a race declared unrelated, only on B: listed with ~, PASS" "$out"
r=$tmp/unrel2
boots "$r" A 1 kcsan-6182-mm-A
tboot "$r" B 1 mm-B-osqmix
j -m "$MMM" -d "$MM" "$r"
[ "$rc" -eq 2 ] && has 'B shows a splat no A boot showed: kcsan: osq_lock / do_mremap'
t $? "only what the unrelated pattern names is unrelated" "$out"

# 31-35. fixed-tests.
fx=$tmp/fixed
mkdir -p "$fx"
echo 0001-fix.patch >"$fx/series"
printf '# the test the series fixes\nmremap_limit\tfails on A, the fix makes it pass\n' >"$fx/fixed-tests"
r=$tmp/fx-good
tboot "$r" A 1 smoke-fail
tboot "$r" A 2 smoke-fail
tboot "$r" A 3 smoke-fail
boots "$r" B 3 deb612-smoke
j -m "$SMOKE_M" -d "$fx" "$r"
[ "$rc" -eq 0 ] && has 'fixed test mremap_limit  A 3/3  B 0/3  B <= 63% (95%)  p = 0.05'
t $? "a fixed test that fails on A and passes on B: PASS, with its statistics line" "$out"
r=$tmp/fx-norepro
boots "$r" A 2 deb612-smoke
boots "$r" B 2 deb612-smoke
j -m "$SMOKE_M" -d "$fx" "$r"
[ "$rc" -eq 3 ] && has 'did not reproduce fixed test mremap_limit in 2 boots'
t $? "a fixed test that never failed on A: INCONCLUSIVE" "$out"
r=$tmp/fx-bfails
tboot "$r" A 1 smoke-fail
tboot "$r" B 1 smoke-fail
boot "$r" B 2 deb612-smoke
j -m "$SMOKE_M" -d "$fx" "$r"
[ "$rc" -eq 2 ] && has 'fixed test mremap_limit fails on B in 1 of 2 boots'
t $? "a fixed test that fails on B in one boot: FAIL" "$out"
r=$tmp/regress
boots "$r" A 2 deb612-smoke
tboot "$r" B 1 smoke-fail
tboot "$r" B 2 smoke-fail
j -m "$SMOKE_M" -d "$plain" "$r"
[ "$rc" -eq 2 ] && has 'mremap_limit fails on B in 2 of 2 boots, and passed on A in 2 of 2'
t $? "a test that passed on A and fails on B: FAIL" "$out"
r=$tmp/onlyA
tboot "$r" A 1 smoke-fail
boots "$r" B 1 deb612-smoke
j -m "$SMOKE_M" -d "$plain" "$r"
[ "$rc" -eq 3 ] && has 'a change of behaviour the series does not declare'
t $? "a test that fails only on A (not declared fixed): INCONCLUSIVE, said so" "$out"

# 36-38. judge --check: before any build.
c=$tmp/check
mkdir -p "$c"
printf '# races\n^do_mremap / (vma_complete$\n' >"$c/signatures"
j --check "$c"
[ "$rc" -eq 1 ] && has "$c/signatures:2: regex error:"
t $? "--check: a bad regex names FILE:LINE and the regex error" "$out"
bad=
for p in '.*' '.' 'x|' '^' '[a-z]*'; do
	printf '%s\n' "$p" >"$c/signatures"
	j --check "$c"
	[ "$rc" -eq 1 ] && has "$c/signatures:1: '$p' matches everything" || bad="$bad [$p: $out]"
done
printf 'do_mremap / vma_complete\n' >"$c/signatures"
j --check "$c"
[ -z "$bad" ] && [ "$rc" -eq 0 ]
t $? "--check: patterns that match everything are refused; a real one passes" "$bad $out"
printf 'x|\n' >"$c/unrelated"
printf 'mremap_limit\nnosuch\tsome reason\n' >"$c/fixed-tests"
cp "$SMOKE_M" "$c/tests"
j --check "$c"
[ "$rc" -eq 1 ] && has "$c/unrelated:1: 'x|' matches everything" &&
	has "$c/fixed-tests:1: mremap_limit has no reason" &&
	has "$c/fixed-tests:2: nosuch is not a test of $c/tests"
t $? "--check: unrelated too; a fixed test needs a reason and must be in the manifest" "$out"

# 39. Every real series passes --check.
bad=
for d in "$ROOT"/patches/*/ "$ROOT/harness/smoke/"; do
	"$tmp/judge" --check "${d%/}" >"$tmp/check.out" 2>&1 || bad="$bad $d: $(cat "$tmp/check.out")"
done
[ -z "$bad" ]
t $? "every series in patches/ passes judge --check" "$bad"

# 40. Candidates: a column each; one that was not built fails alone.
r=$tmp/cand
boots "$r" A 2 kcsan-6182-mm-A
boots "$r" B 2 kcsan-6182-mm-B
boots "$r" C1 2 kcsan-6182-mm-A
mkdir -p "$r/C2"
echo data-race >"$r/C1/label"
echo stale >"$r/C2/label"
echo 'does not apply to the base: patch 1 of 1 (0001-stale.patch) fails at mm/mremap.c:1813' >"$r/C2/failed"
j -m "$MMM" -d "$MM" "$r"
[ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -q '^test .* A  *B  *C1:data-race  *C2:stale' &&
	has 'C1 (data-race): FAIL' && has 'C1: C1 shows the declared race' &&
	has 'C2 (stale): FAIL' && has 'C2: does not apply to the base: patch 1 of 1 (0001-stale.patch)' &&
	grep -q '"C2": {"label": "stale", "boots": 0, "failed": "does not apply' "$r/summary.json"
t $? "candidates: a column and a verdict each; the series' verdict is B's" "$out"

# 41. A result the selection did not ask for fails the boot.
r=$tmp/extra
boot "$r" A 1 kcsan-6182-mm-A racefix_tests=mremap_limit
boot "$r" B 1 kcsan-6182-mm-B racefix_tests=mremap_limit
j -m "$MMM" -d "$MM" "$r"
[ "$rc" -eq 2 ] && has 'B: reported mremap_map_count_race (pass), which the manifest does not select'
t $? "a boot that reports a test its selection left out fails" "$out"

# 42. A fixed test the series runs on this arch that the guest left out.
fl=$tmp/fixed-left
mkdir -p "$fl"
cp "$MM/signatures" "$MM/series" "$fl/"
{ cat "$MMM"; printf 'mremap_fixed_toctou\tD+60\t/bin/mremap_fixed_toctou -d @DURATION@\n'; } >"$fl/tests"
printf 'mremap_fixed_toctou\tthe half-done move\n' >"$fl/fixed-tests"
r=$tmp/fixedleft
boot "$r" A 1 kcsan-6182-mm-A
boot "$r" B 1 kcsan-6182-mm-B
j -m "$MMM" -d "$fl" "$r"
[ "$rc" -eq 3 ] && has 'fixed test mremap_fixed_toctou is in the series' && has 'the guest did not run it'
t $? "a fixed test the guest did not run: INCONCLUSIVE" "$out"

# 43-45. -S: a regression suite's boots. A suite does not run the race
# tests, so A need not show a declared race, and a fixed test it does not
# run is not judged; every other rule holds. The series is case 42's.
sx=$fl
r=$tmp/suite
boot "$r" A 1 kcsan-6182-mm-B
boot "$r" B 1 kcsan-6182-mm-B
j -m "$MMM" -d "$sx" "$r"
race_rc=$rc race_out=$out
j -S -m "$MMM" -d "$sx" "$r"
[ "$race_rc" -eq 3 ] && printf '%s\n' "$race_out" | grep -qF 'did not reproduce' &&
	[ "$rc" -eq 0 ] && has 'VERDICT: PASS (regression suite' && ! has 'mremap_fixed_toctou' &&
	grep -q '"mode": "suite"' "$r/summary.json"
t $? "-S: no declared race on A and a fixed test the suite does not run: PASS (without -S: INCONCLUSIVE)" "$race_out
---
$out"
printf '%s\n' "$out" | grep -q '^total  *44/4/0  *44/4/0 *$' &&
	printf '%s\n' "$out" | grep -q '^mremap_test  *22/4/0  *22/4/0 *$'
t $? "the subtests table ends with the totals per kernel" "$out"
r=$tmp/suite-regress
boots "$r" A 1 deb612-smoke
tboot "$r" B 1 smoke-fail
j -S -m "$SMOKE_M" -d "$plain" "$r"
[ "$rc" -eq 2 ] && has 'mremap_limit fails on B in 1 of 1 boots, and passed on A in 1 of 1'
t $? "-S: a program that passes on A and fails on B fails the suite" "$out"

# 46. A test no boot selected is named once, not shown as a row of zeros.
m2=$tmp/two.manifest
{ cat "$SMOKE_M"; printf 'other\t60\t/bin/other\n'; } >"$m2"
r=$tmp/unselected
boots "$r" A 1 deb612-smoke racefix_tests=mremap_limit
boots "$r" B 1 deb612-smoke racefix_tests=mremap_limit
j -m "$m2" -d "$plain" "$r"
[ "$rc" -eq 0 ] && has 'not selected (racefix_tests=): other' &&
	! printf '%s\n' "$out" | grep -q '^other ' &&
	printf '%s\n' "$out" | grep -q '^mremap_limit  *1/0/0/0  *1/0/0/0'
t $? "a test no boot selected is listed as not selected, not as a row" "$out"

# 47-48. The real suite boots of an x86_64 mm run (fixtures/suite-6182):
# PASS with -S, every program and its cases per kernel, map_populate
# failing on both; a program that then fails on B alone fails the suite.
SU=$FIX/suite-6182
r=$tmp/suite-real
for v in A B; do
	mkdir -p "$r/$v/1"
	cp "$SU/$v.log" "$r/$v/1/console.log"
	cp "$SU/$v.status" "$r/$v/1/status"
	printf '{"arch": "x86_64", "kernel_args": "console=ttyS0 panic=-1"}\n' >"$r/$v/1/run.json"
done
j -S -a x86_64 -m "$SU/manifest" -d "$ROOT/patches/mm" "$r"
[ "$rc" -eq 0 ] && has 'VERDICT: PASS (regression suite' &&
	printf '%s\n' "$out" | grep -q '^total  *286/0/52  *286/0/52 *$' &&
	printf '%s\n' "$out" | grep -q '^guard-regions  *67/0/17  *67/0/17 *$' &&
	has 'map_populate fails on both kernels (A 1/1, B 1/1)' && ! has 'any declared race'
t $? "real suite boots (x86_64): PASS, cases per program and in total, map_populate failing on both" "$out"
sed -i 's/^ok 3 mremap_dontunmap\r$/not ok 3 mremap_dontunmap # exit code 1\r/' "$r/B/1/console.log"
j -S -a x86_64 -m "$SU/manifest" -d "$ROOT/patches/mm" "$r"
[ "$rc" -eq 2 ] && has 'mremap_dontunmap fails on B in 1 of 1 boots, and passed on A in 1 of 1'
t $? "the same boots with mremap_dontunmap failing on B only: FAIL" "$out"

# 49. Every boot's metric value is listed, however many differ (RUNS=12
# with 12 values once lost four of them).
r=$tmp/metrics12
boots "$r" A 12 kcsan-6182-mm-A
boots "$r" B 12 kcsan-6182-mm-B
i=1
while [ "$i" -le 12 ]; do
	sed -i "s/# metric: fixed_room_needed 6/# metric: fixed_room_needed $((100 + i))/" "$r/A/$i/console.log"
	i=$((i + 1))
done
j -m "$MMM" -d "$MM" "$r"
row=$(printf '%s\n' "$out" | grep '^mremap_limit.fixed_room_needed ')
bad=
i=1
while [ "$i" -le 12 ]; do
	printf '%s\n' "$row" | grep -q " $((100 + i))x1" || bad="$bad $((100 + i))"
	grep -q "\"$((100 + i))\": 1" "$r/summary.json" || bad="$bad json:$((100 + i))"
	i=$((i + 1))
done
[ "$rc" -eq 0 ] && [ -z "$bad" ]
t $? "a metric with 12 values in 12 boots: every value in the table and in summary.json" "missing:$bad
$row"

# 50. A fixed test the selection leaves out gets no statistics line (it
# would read "A 0/1"): the verdict says why it is INCONCLUSIVE instead.
fu=$tmp/fixed-unselected
mkdir -p "$fu"
cp "$plain"/* "$fu/"
printf 'other\tthe fix this series claims\n' >"$fu/fixed-tests"
r=$tmp/fixedunsel
boots "$r" A 1 deb612-smoke racefix_tests=mremap_limit
boots "$r" B 1 deb612-smoke racefix_tests=mremap_limit
j -m "$m2" -d "$fu" "$r"
[ "$rc" -eq 3 ] && has 'fixed test other did not run on A: the selection leaves it out' &&
	! printf '%s\n' "$out" | grep -q '^fixed test other '
t $? "a fixed test the selection leaves out: INCONCLUSIVE, and no statistics line for it" "$out"
