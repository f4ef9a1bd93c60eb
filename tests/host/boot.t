#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# boot.sh with a stand-in for QEMU (it prints a real console fixture, or
# hangs): run.json is written before QEMU starts and completed atomically
# with the exact argv (-nographic, -no-reboot, QEMU_EXTRA), the sha256 of
# the image and initramfs, the kernel arguments, the times, the outcome
# and its reason; a selection the manifest lacks stops before QEMU; a
# signal ends QEMU and every child.
set -u
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"
export RACEFIX_ROOT=$ROOT
export OUT=$tmp/out RACEFIX_CONFIG=/dev/null
unset QEMU_EXTRA VERBOSE BOOT_MARGIN SILENCE DURATION
tag=racefix-fake-qemu-$$
mkdir -p "$tmp/bin" "$tmp/guest/root/etc/racefix"
cat >"$tmp/bin/qemu-system-x86_64" <<EOF
#!/bin/sh
# $tag
cp "\$RUN_JSON_AT_START" "$tmp/json-at-start" 2>/dev/null
if [ -n "\${FAKE_HANG:-}" ]; then
	echo booting
	sleep 300
fi
cat "$ROOT/tests/host/fixtures/deb612-smoke.log"
exit 0
EOF
chmod +x "$tmp/bin/qemu-system-x86_64"
export PATH="$tmp/bin:$PATH"
printf 'kernel image\n' >"$tmp/image"
printf 'initramfs\n' >"$tmp/guest/initramfs.cpio"
cp "$ROOT/harness/smoke/tests" "$tmp/guest/root/etc/racefix/tests"

echo "1..6"

run=$tmp/run/A/1
export RUN_JSON_AT_START=$run/run.json
out=$(QEMU_EXTRA='-rtc base=utc' DURATION=3 "$ROOT/harness/boot.sh" x86_64 "$tmp/image" \
	"$tmp/guest/initramfs.cpio" "$run" kcsan.skip_watch=50 2>&1)
rc=$?
j=$(cat "$run/run.json" 2>/dev/null)
has() { printf '%s\n' "$j" | grep -qF -- "$1"; }
[ "$rc" -eq 0 ] && has '"-nographic", "-no-reboot"' && has '"-rtc", "base=utc"' &&
	has '"-kernel", "'"$tmp/image"'"' && has '"arch": "x86_64"' &&
	has '"kernel_args": "console=ttyS0 panic=-1 racefix_duration=3 kcsan.skip_watch=50"'
t $? "run.json: the exact argv (-nographic, -no-reboot, QEMU_EXTRA) and kernel arguments" "$out
$j"
has "\"kernel_sha256\": \"$(sha256sum <"$tmp/image" | cut -d ' ' -f 1)\"" &&
	has "\"initramfs_sha256\": \"$(sha256sum <"$tmp/guest/initramfs.cpio" | cut -d ' ' -f 1)\""
t $? "run.json: sha256 of the kernel image and of the initramfs" "$j"
has '"outcome": "poweroff"' && has '"reason": "the guest printed \"racefix-init: done\" and powered off"' &&
	printf '%s\n' "$j" | grep -q '"start": "20[0-9-]*T[0-9:]*Z"' &&
	printf '%s\n' "$j" | grep -q '"end": "20[0-9-]*T[0-9:]*Z"' &&
	[ ! -e "$run/run.json.tmp" ] && [ -s "$run/tests.tsv" ] && grep -q -- '-nographic' "$run/command"
t $? "run.json: start, end, outcome and reason, completed by rename; verdict's files and the command beside it" "$j"
grep -q '"outcome": "running"' "$tmp/json-at-start" && grep -q '"end": null' "$tmp/json-at-start"
t $? "run.json is written before QEMU starts" "$(cat "$tmp/json-at-start" 2>&1)"

# A selection the manifest lacks: refused before QEMU.
rm -f "$tmp/json-at-start"
out=$("$ROOT/harness/boot.sh" x86_64 "$tmp/image" "$tmp/guest/initramfs.cpio" "$tmp/run/A/2" \
	racefix_tests=typo 2>&1)
rc=$?
[ "$rc" -eq 1 ] && printf '%s' "$out" | grep -q "names 'typo'" && [ ! -e "$tmp/json-at-start" ]
t $? "racefix_tests=typo stops before QEMU starts, naming it # rc $rc" "$out"

# SIGTERM: boot.sh ends qemu-run and QEMU, says so, exits 143.
run=$tmp/run/A/3
FAKE_HANG=1 "$ROOT/harness/boot.sh" x86_64 "$tmp/image" "$tmp/guest/initramfs.cpio" "$run" \
	>"$tmp/sig.out" 2>&1 &
pid=$!
i=0
while [ "$i" -lt 100 ] && ! grep -q booting "$run/console.log" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
kill -TERM "$pid"
wait "$pid"
rc=$?
i=0
while [ "$i" -lt 30 ] && [ -n "$(pgrep -f "$tag")" ]; do
	sleep 0.1
	i=$((i + 1))
done
left=$(pgrep -f "$tag" | wc -l)
[ "$rc" -eq 143 ] && [ "$left" -eq 0 ] && grep -q 'interrupted by SIGTERM' "$tmp/sig.out" &&
	grep -q '"outcome": "interrupted"' "$run/run.json"
t $? "SIGTERM to boot.sh ends QEMU and every child, exit 143, run.json says interrupted # rc $rc, $left left" "$(cat "$tmp/sig.out" "$run/run.json")"
exit 0
