#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# LAVA jobs (harness/lava.sh, harness/tools/lava-log.c), end to end where
# it can be: boot.sh under make lava-jobs (RACEFIX_LAVA_PLAN) writes a
# job per boot and never starts QEMU; the job's structure (YAML parsed,
# and LAVA's own schema where lava-common is installed), the artifacts
# and the manifest; bad values refused with one line; real LAVA logs
# (tests/host/fixtures/lava/, captured from lava-run) collected into the
# per-boot files and judged as make boot-test judges: a complete job is a
# clean boot, an incomplete one a failed boot with LAVA's reason; and one
# real job on the Debian 6.12 smoke kernel through lava-run (skipped,
# with the reason, without lava-dispatcher, root or that kernel).
set -u
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"
export RACEFIX_ROOT=$ROOT
FIX=$ROOT/tests/host/fixtures
H=$ROOT/harness
# The smoke kernel of the real job: make smoke's, in the caller's OUT.
SMOKE=${OUT:-$ROOT/out}/smoke/x86_64
export OUT=$tmp/out RACEFIX_CONFIG=/dev/null
unset QEMU_EXTRA VERBOSE BOOT_MARGIN SILENCE DURATION LAVA_ARTIFACT_URL KERNEL_ARGS
REAL_PATH=$PATH
# Planning a boot must never start QEMU: this one says so if it runs.
mkdir -p "$tmp/bin" "$tmp/guest/root/etc/racefix"
printf '#!/bin/sh\necho "QEMU STARTED" >>"%s/qemu-ran"\nexit 1\n' "$tmp" >"$tmp/bin/qemu-system-x86_64"
chmod +x "$tmp/bin/qemu-system-x86_64"
export PATH="$tmp/bin:$PATH"
printf 'kernel A\n' >"$tmp/image-A"
printf 'kernel B\n' >"$tmp/image-B"
printf 'initramfs\n' >"$tmp/guest/initramfs.cpio"
cp "$ROOT/harness/smoke/tests" "$tmp/guest/root/etc/racefix/tests"
PY=python3
[ ! -x /usr/bin/python3 ] || PY=/usr/bin/python3

skip() {
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}
echo "1..21"

# plan SET VARIANT N IMAGE [KERNEL_ARG...]: one boot of series smoke,
# as boot-test.sh asks boot.sh for it under make lava-jobs.
plan() {
	p_set=$1 p_v=$2 p_n=$3 p_img=$4
	shift 4
	RACEFIX_LAVA_PLAN=$p_set DURATION=3 "$H/boot.sh" x86_64 "$p_img" \
		"$tmp/guest/initramfs.cpio" "$tmp/runs/r-$(basename "$p_set")/smoke/$p_v/$p_n" "$@"
}
sha() {
	sha256sum <"$1" | cut -d ' ' -f 1
}

# ---- jobs ----
set1=$("$H/lava.sh" new x86_64)
out=$( { plan "$set1" A 1 "$tmp/image-A" kcsan.skip_watch=50 &&
	plan "$set1" A 2 "$tmp/image-A" kcsan.skip_watch=50 &&
	plan "$set1" B 1 "$tmp/image-B" kcsan.skip_watch=50 &&
	"$H/lava.sh" seal "$set1"; } 2>&1)
rc=$?
rows=$(sed 1d "$set1/manifest.tsv" 2>/dev/null | cut -f 1-5)
[ "$rc" -eq 0 ] && [ ! -e "$tmp/qemu-ran" ] &&
	[ "$rows" = "$(printf 'smoke-A-1\tsmoke\tA\t1\tx86_64\nsmoke-A-2\tsmoke\tA\t2\tx86_64\nsmoke-B-1\tsmoke\tB\t1\tx86_64')" ] &&
	[ -s "$set1/jobs/smoke-A-1.yaml" ] && [ -s "$set1/jobs/smoke-A-2.yaml" ] && [ -s "$set1/jobs/smoke-B-1.yaml" ] &&
	[ -s "$set1/device-x86_64.yaml" ] && cmp -s "$set1/guest/smoke.tests" "$ROOT/harness/smoke/tests"
t $? "boot.sh under make lava-jobs writes one job per boot and a manifest row (job, series, variant, run, arch), never starts QEMU" "$out
$rows
$(cat "$tmp/qemu-ran" 2>/dev/null)"

ka=$(sha "$tmp/image-A") kb=$(sha "$tmp/image-B") ki=$(sha "$tmp/guest/initramfs.cpio")
row=$(sed -n 2p "$set1/manifest.tsv")
arts=$(cd "$set1/artifacts" && ls | sort | tr '\n' ' ')
[ "$(printf '%s\n' "$row" | cut -f 7)" = "$ka" ] && [ "$(printf '%s\n' "$row" | cut -f 9)" = "$ki" ] &&
	[ "$(printf '%s\n' "$row" | cut -f 14)" = "console=ttyS0 panic=-1 racefix_duration=3 kcsan.skip_watch=50" ] &&
	[ "$(printf '%s\n' "$row" | cut -f 12)" = "$(( $("$OUT/tools/manifest" limits "$ROOT/harness/smoke/tests" 3 '' | cut -d ' ' -f 1) + 120 ))" ] &&
	[ "$arts" = "$(printf '%s\n' "$(echo "$ka" | cut -c 1-12)-image-A" "$(echo "$kb" | cut -c 1-12)-image-B" \
		"$(echo "$ki" | cut -c 1-12)-initramfs.cpio" | sort | tr '\n' ' ')" ]
t $? "the manifest names each job's kernel and initramfs by sha256, its limit and kernel arguments; artifacts once each, by content" "$row
$arts"

# The job's structure, parsed.
if "$PY" -c 'import yaml' 2>/dev/null; then
	out=$("$PY" - "$set1" "$ka" "$ki" 2>&1 <<'EOF'
import hashlib, re, sys, yaml
d, ka, ki = sys.argv[1:4]
job = yaml.safe_load(open(d + "/jobs/smoke-A-1.yaml"))
dev = yaml.safe_load(open(d + "/device-x86_64.yaml"))
row = open(d + "/manifest.tsv").read().splitlines()[1].split("\t")
assert job["device_type"] == "qemu", job["device_type"]
c = job["context"]
assert c["arch"] == "x86_64" and c["memory"] == 1024 and c["no_kvm"] is True, c
for o in ("-M pc", "-smp 2", "-accel tcg", "-nic none", "-no-reboot"):
    assert o in c["extra_options"], (o, c["extra_options"])
acts = [list(a)[0] for a in job["actions"]]
assert acts == ["deploy", "boot", "test"], acts
dep, boot, test = (list(a.values())[0] for a in job["actions"])
assert dep["to"] == "tmpfs" and boot["method"] == "qemu" and boot["media"] == "tmpfs"
k, r = dep["images"]["kernel"], dep["images"]["ramdisk"]
assert k["image_arg"] == '-kernel {kernel} -append "console=ttyS0 panic=-1 racefix_duration=3 kcsan.skip_watch=50"', k
assert r["image_arg"] == "-initrd {ramdisk}", r
for img, want in ((k, ka), (r, ki)):
    assert img["url"].startswith("file://" + d + "/artifacts/"), img["url"]
    got = hashlib.sha256(open(img["url"][7:], "rb").read()).hexdigest()
    assert got == want, (img["url"], got, want)
m = test["monitors"][0]
assert m["start"] == "KTAP version 1" and m["end"] == "reboot: Power down", m
p = re.compile(m["pattern"])
x = p.search("1..1\r\n  ok 1 nested_subtest\r\nok 1 mremap_limit # SKIP why\r\n")
assert x and x.group("test_case_id") == "mremap_limit" and m["fixupdict"][x.group("result")] == "pass", x
assert not p.search("\r\n  ok 1 nested\r\n  not ok 2 nested\r\n")
assert not p.search("\nok 1 mremap_lim"), "a name cut short by the stream matched"
x = p.search("\nnot ok 2 max_map_count_sysctl_race # exit 1\r\n")
assert x and m["fixupdict"][x.group("result")] == "fail"
to = lambda t: t.get("seconds", 0) + 60 * t.get("minutes", 0)
assert to(test["timeout"]) == int(row[11]), (test["timeout"], row[11])
assert to(job["timeouts"]["connection"]) == int(row[12])
assert to(job["timeouts"]["job"]) >= to(test["timeout"]) + to(dep["timeout"]) + to(boot["timeout"])
q = dev["actions"]["boot"]["methods"]["qemu"]["parameters"]
assert q["command"] == "qemu-system-x86_64" and q["extra"] == c["extra_options"], q
assert "-m 1024" in q["options"] and dev["available_architectures"] == ["x86_64"]
print("structure ok")
EOF
)
	t $? "the job: device_type qemu, context (arch, memory, extra_options with -no-reboot), deploy tmpfs of the exact artifacts, -append as boot.sh, a monitor of top-level KTAP results up to the power-off, timeouts; the device dictionary matches" "$out"
else
	skip "the job's structure" "python3-yaml is not installed"
fi
if "$PY" -c 'import lava_common.schemas' 2>/dev/null; then
	out=$("$PY" -c '
import sys, yaml
from lava_common.schemas import validate
for f in sys.argv[1:]:
    validate(yaml.safe_load(open(f)), strict=True)
print("valid")' "$set1"/jobs/*.yaml 2>&1)
	t $? "every job passes LAVA 2023.01's own job schema (lava_common.schemas.validate, strict)" "$out"
else
	skip "LAVA's job schema" "lava-common is not installed (apt-get install lava-dispatcher)"
fi

set2=$("$H/lava.sh" new x86_64)
out=$(LAVA_ARTIFACT_URL=https://lab.example/racefix/ plan "$set2" A 1 "$tmp/image-A" 2>&1)
grep -q "^        url: 'https://lab.example/racefix/$(echo "$ka" | cut -c 1-12)-image-A'\$" "$set2/jobs/smoke-A-1.yaml" &&
	grep -q "^        url: 'https://lab.example/racefix/$(echo "$ki" | cut -c 1-12)-initramfs.cpio'\$" "$set2/jobs/smoke-A-1.yaml"
t $? "LAVA_ARTIFACT_URL names the artifacts by URL" "$out
$(grep url: "$set2/jobs/smoke-A-1.yaml")"

# ---- bad input: one line, exit 1, no job ----
bad() {
	# bad NAME EXPECTED-TEXT COMMAND...
	b_name=$1 b_want=$2
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	[ "$rc" -eq 1 ] && [ "$(printf '%s\n' "$out" | grep -c .)" -eq 1 ] &&
		printf '%s\n' "$out" | grep -q "^racefix: error: .*$b_want.*: "
	t $? "$b_name # rc $rc" "$out"
}
set3=$("$H/lava.sh" new x86_64)
bad "LAVA_ARTIFACT_URL=ftp://... is refused" "LAVA_ARTIFACT_URL='ftp://x/y' is not an http" \
	env LAVA_ARTIFACT_URL=ftp://x/y RACEFIX_LAVA_PLAN="$set3" DURATION=3 "$H/boot.sh" x86_64 \
	"$tmp/image-A" "$tmp/guest/initramfs.cpio" "$tmp/runs/bad/smoke/A/1"
bad "a kernel argument with a quote is refused (LAVA re-splits the command line)" "quote" \
	env RACEFIX_LAVA_PLAN="$set3" DURATION=3 "$H/boot.sh" x86_64 \
	"$tmp/image-A" "$tmp/guest/initramfs.cpio" "$tmp/runs/bad/smoke/A/1" 'foo="a b"'
[ -z "$(ls "$set3/jobs")" ]
t $? "no job was written for the refused boots" "$(ls "$set3/jobs")"
bad "make lava-jobs with a bad LAVA_ARTIFACT_URL stops before any build" "LAVA_ARTIFACT_URL" \
	env LAVA_ARTIFACT_URL='https://lab.example/a b' "$H/lava.sh" jobs x86_64 smoke
sets=$(find "$OUT/lava" -mindepth 1 -maxdepth 1 | wc -l)
bad "make lava-jobs with an unknown SERIES: boot-test's one line" "unknown SERIES 'nope'" \
	"$H/lava.sh" jobs x86_64 nope
[ "$(find "$OUT/lava" -mindepth 1 -maxdepth 1 | wc -l)" -eq "$sets" ]
t $? "no job set is left by a make lava-jobs that failed" "$(ls "$OUT/lava")"
bad "make lava-collect on a directory that is no job set" "not a racefix LAVA job set" \
	"$H/lava.sh" collect "$tmp/guest"

# ---- collect: real LAVA logs through the real judge ----
# A job set of four boots of the smoke kernel the fixtures booted (its
# sha256 as LAVA logged it); their logs: a complete job, a kernel panic
# (LAVA: incomplete), a job whose image was missing (LAVA: incomplete,
# before the boot), and none at all.
# logsha LOG LABEL: the sha256 LAVA logged for the kernel or ramdisk.
logsha() {
	sed -n 's/.*"label": "'"$2"'".*"sha256sum": "\([0-9a-f]*\)".*/\1/p' "$1"
}
fk=$(logsha "$FIX/lava/deb612-smoke.log" kernel)
fi_=$(logsha "$FIX/lava/deb612-smoke.log" ramdisk)
set4=$("$H/lava.sh" new x86_64)
for i in 1 2 3 4 5; do plan "$set4" A "$i" "$tmp/image-A" >/dev/null; done
"$H/lava.sh" seal "$set4" >/dev/null
# Each job was written for the kernel and initramfs its log shows.
pk=$(logsha "$FIX/lava/deb612-panic.log" kernel)
pi=$(logsha "$FIX/lava/deb612-panic.log" ramdisk)
awk -F '\t' -v OFS='\t' -v k="$fk" -v r="$fi_" -v pk="$pk" -v pi="$pi" '
	NR == 2 || NR == 3 { $7 = k; $9 = r }
	NR == 4 { $7 = pk; $9 = pi }
	{ print }' "$set4/manifest.tsv" >"$tmp/m" && cp "$tmp/m" "$set4/manifest.tsv"
mkdir -p "$set4/logs"
cp "$FIX/lava/deb612-smoke.log" "$set4/logs/smoke-A-1.log"
# The same log as a LAVA server keeps it (lavacli jobs logs --raw).
sed 's/^/- /' "$FIX/lava/deb612-smoke.log" >"$set4/logs/smoke-A-2.log"
# Two jobs of five, only, first: both complete.
head -n 3 "$set4/manifest.tsv" >"$tmp/m3"
cp "$set4/manifest.tsv" "$tmp/m5"
cp "$tmp/m3" "$set4/manifest.tsv"
out=$("$H/lava.sh" collect "$set4" 2>&1)
rc=$?
b=$set4/runs/smoke/A
[ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -q '^VERDICT: PASS' &&
	printf '%s\n' "$out" | grep -q '^mremap_limit  *2/0/0/0 *$' &&
	grep -q '^outcome=poweroff$' "$b/1/status" && grep -q '^elapsed_ms=[1-9][0-9]*$' "$b/1/status" &&
	cmp -s "$b/1/tests.tsv" "$FIX/deb612-smoke.tests" && cmp -s "$b/1/console.log" "$b/2/console.log" &&
	grep -q 'parameters "racefix_duration=3", will' "$b/1/console.log" &&
	grep -q '^racefix-init: done$' "$b/1/console.log" &&
	grep -q '"kernel_args": "console=ttyS0 panic=-1 racefix_duration=3 "' "$b/1/run.json" &&
	grep -q '"kernel_args_from": "lava-boot-command"' "$b/1/run.json" &&
	grep -q "\"lava_kernel_sha256\": \"$fk\"" "$b/1/run.json" &&
	grep -q '"outcome": "poweroff"' "$b/1/run.json"
t $? "a complete LAVA job (lava-run's log, or a server's) is a clean boot: the console as QEMU printed it, the same test results as the plain boot (deb612-smoke.tests), run.json, and the judge's PASS # rc $rc" "$out
$(cat "$b/1/status" 2>&1)"

cp "$tmp/m5" "$set4/manifest.tsv"
cp "$FIX/lava/deb612-panic.log" "$set4/logs/smoke-A-3.log"
cp "$FIX/lava/deb612-no-image.log" "$set4/logs/smoke-A-4.log"
out=$("$H/lava.sh" collect "$set4" 2>&1)
rc=$?
[ "$rc" -eq 2 ] && printf '%s\n' "$out" | grep -q '^VERDICT: FAIL' &&
	printf '%s\n' "$out" | grep -q 'A: did not end cleanly (panic, no sentinel) (boot 3 of 5)' &&
	printf '%s\n' "$out" | grep -q 'LAVA job: panic: the kernel panicked; LAVA marked the job incomplete: Infrastructure: Connection closed' &&
	grep -q '^outcome=panic$' "$b/3/status"
t $? "a kernel panic that LAVA marks incomplete is a failed boot, with LAVA's reason # rc $rc" "$out"
printf '%s\n' "$out" | grep -q 'A: did not end cleanly (incomplete, no sentinel) (boot 4 of 5)' &&
	printf '%s\n' "$out" | grep -q "LAVA job: incomplete: LAVA marked the job incomplete: Job: Invalid job data: .*does not exist or is not readable" &&
	grep -q '^outcome=incomplete$' "$b/4/status" && [ ! -s "$b/4/console.log" ] &&
	printf '%s\n' "$out" | grep -q 'A: did not end cleanly (no-lava-log, no sentinel) (boot 5 of 5)' &&
	grep -q '"reason": ".*smoke-A-5.log: No such file or directory"' "$b/5/run.json"
t $? "a job LAVA failed before the boot (its image missing), and a job with no log, are failed boots with their reasons" "$out"

# Candidates: a labelled one with a boot, and one that was not built
# (variants.sh leaves label and failed files beside the boots).
set6=$("$H/lava.sh" new x86_64)
rs6=$tmp/runs/r-$(basename "$set6")/smoke
plan "$set6" A 1 "$tmp/image-A" >/dev/null
mkdir -p "$rs6/C1" "$rs6/C2"
echo data-race >"$rs6/C1/label"
echo read-once-only >"$rs6/C2/label"
echo 'does not apply: 0001-x.patch hunk 2' >"$rs6/C2/failed"
plan "$set6" C1 1 "$tmp/image-B" >/dev/null
"$H/lava.sh" seal "$set6" >/dev/null
awk -F '\t' -v OFS='\t' -v k="$fk" -v r="$fi_" 'NR > 1 { $7 = k; $9 = r } { print }' \
	"$set6/manifest.tsv" >"$tmp/m" && cp "$tmp/m" "$set6/manifest.tsv"
mkdir -p "$set6/logs"
cp "$FIX/lava/deb612-smoke.log" "$set6/logs/smoke-A-1.log"
cp "$FIX/lava/deb612-smoke.log" "$set6/logs/smoke-C1-1.log"
out=$("$H/lava.sh" collect "$set6" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -q 'C1:data-race' && printf '%s\n' "$out" | grep -q 'C2:read-once-only' &&
	printf '%s\n' "$out" | grep -q 'does not apply: 0001-x.patch hunk 2' &&
	[ -f "$set6/runs/smoke/C1/1/console.log" ] && [ ! -d "$set6/runs/smoke/C2/1" ]
t $? "candidates: their labels, and why one was not built, reach the judge's table # rc $rc" "$out"

# lava-log's rules, on the complete job's log changed one way each.
ll() {
	mkdir -p "$tmp/ll"
	"$OUT/tools/lava-log" -o "$tmp/ll" "$@" 2>&1
}
grep -v '"case": "job", "definition": "lava"' "$FIX/lava/deb612-smoke.log" >"$tmp/no-result.log"
out=$(ll -l "$tmp/no-result.log")
[ "$out" = "incomplete: the LAVA log has no job result: the job did not finish (still running, canceled, or the log is cut)" ]
t $? "a log without LAVA's job result (canceled, still running, cut) is not a clean boot" "$out"
grep -v 'reboot: Power down' "$FIX/lava/deb612-smoke.log" >"$tmp/no-power-down.log"
out=$(ll -l "$tmp/no-power-down.log")
case $out in no-poweroff:*) rc=0 ;; *) rc=1 ;; esac
t $rc "the sentinel without the kernel's power-off after it is not a clean boot" "$out"
out=$(ll -l "$FIX/lava/deb612-smoke.log" -k 0123 -r "$fi_")
case $out in "wrong-artifact: LAVA booted a kernel with sha256 $fk, the job was written for 0123") rc=0 ;; *) rc=1 ;; esac
t $rc "a kernel LAVA downloaded that is not the job's is not a boot of that kernel" "$out"

# ---- make lava-run: one job at a time, and SIGTERM ends every child ----
if [ "$(id -u)" -eq 0 ]; then
	# A stand-in lava-run: it logs a record and hangs.
	cat >"$tmp/bin/lava-run" <<EOF
#!/bin/sh
echo \$\$ >>"$tmp/fake-lava-pids"
echo '{"dt": "2026-01-01T00:00:00.000000", "lvl": "info", "msg": "fake lava-run"}' >&2
sleep 300
EOF
	chmod +x "$tmp/bin/lava-run"
	"$H/lava.sh" run "$set4" >"$tmp/run.out" 2>&1 &
	lp=$!
	i=0
	while [ ! -s "$tmp/fake-lava-pids" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -TERM "$lp"
	wait "$lp"
	rc=$?
	sleep 0.5
	left=
	for p in $(cat "$tmp/fake-lava-pids" 2>/dev/null); do
		! kill -0 "$p" 2>/dev/null || left="$left $p"
	done
	[ "$rc" -eq 143 ] && [ "$(wc -l <"$tmp/fake-lava-pids")" -eq 1 ] && [ -z "$left" ] &&
		grep -q '^racefix: interrupted by SIGTERM' "$tmp/run.out" &&
		! grep -q interrupted "$set4/logs/smoke-A-1.log"
	t $? "make lava-run runs one job at a time; SIGTERM ends lava-run and exits 143 # rc $rc" "$(cat "$tmp/run.out")
left:$left"
	rm -f "$tmp/bin/lava-run"
	hash -r
else
	skip "make lava-run and SIGTERM" "lava.sh run needs root (lava-run does)"
fi

# ---- one real job through Debian's lava-run ----
why=
if ! command -v lava-run >/dev/null 2>&1; then
	why="lava-run is not installed (apt-get install lava-dispatcher; .ci/run installs it)"
elif [ "$(id -u)" -ne 0 ] && ! { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; then
	why="lava-run needs root, and this user has no passwordless sudo"
elif [ ! -s "$SMOKE/A/image" ] || [ ! -s "$SMOKE/guest/initramfs.cpio" ]; then
	why="no Debian 6.12 smoke kernel at $SMOKE (make smoke builds it; .ci/run runs this test again after it)"
fi
if [ -n "$why" ]; then
	skip "one real job on the Debian 6.12 smoke kernel through lava-run" "$why"
else
	set5=$("$H/lava.sh" new x86_64)
	out=$( { PATH=$REAL_PATH RACEFIX_LAVA_PLAN=$set5 DURATION=3 "$H/boot.sh" x86_64 "$SMOKE/A/image" \
		"$SMOKE/guest/initramfs.cpio" "$tmp/runs/real/smoke/A/1" &&
		"$H/lava.sh" seal "$set5" && PATH=$REAL_PATH "$H/lava.sh" run "$set5" &&
		"$H/lava.sh" collect "$set5"; } 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] && printf '%s\n' "$out" | grep -q 'lava-run exit 0, job pass' &&
		printf '%s\n' "$out" | grep -q '^VERDICT: PASS' &&
		grep -q '^outcome=poweroff$' "$set5/runs/smoke/A/1/status"
	t $? "one real job on the Debian 6.12 smoke kernel: lava-run completes it, and it is judged a clean boot # rc $rc" "$out"
fi
