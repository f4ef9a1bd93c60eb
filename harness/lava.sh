#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# lava.sh - racefix's boots as LAVA jobs: write them, run them with
# Debian's lava-run, and judge what comes back exactly as make boot-test
# judges local boots.
#
# usage: lava.sh jobs ARCH [SERIES...]
#        lava.sh run [JOBS_DIR]
#        lava.sh collect [JOBS_DIR]
#        lava.sh plan ARCH RUN_DIR IMAGE INITRAMFS MANIFEST DURATION TOTAL_S SILENCE_S APPEND
#        lava.sh new ARCH | seal JOB_SET
#
# jobs: harness/boot-test.sh builds the kernels and the guest initramfs
# as always (the same checks, trees, builds and caches; CANDIDATES too),
# with RACEFIX_LAVA_PLAN set to a new job set $OUT/lava/STAMP-ARCH: then
# every boot boot.sh would run becomes "lava.sh plan", which writes one
# LAVA job definition (jobs/SERIES-VARIANT-N.yaml) instead of starting
# QEMU, and boot-test.sh judges nothing (nor boots a regression suite:
# those boots are not written as jobs yet). A job set holds
#   jobs/NAME.yaml    the job: device_type qemu, context (arch, machine,
#                     memory, extra_options = the arch's QEMU arguments,
#                     QEMU_EXTRA and -no-reboot; no_kvm), deploy to tmpfs
#                     of the kernel and the initramfs, boot method qemu,
#                     a test monitor of the guest's own KTAP
#   manifest.tsv      one line per job: job, series, variant, run, arch,
#                     the artifacts and their sha256, limits, kernel
#                     arguments
#   artifacts/        the kernels and initramfs images the jobs name
#                     (file:// paths, or LAVA_ARTIFACT_URL/FILE where a
#                     lab fetches them: publish artifacts/ there)
#   device-ARCH.yaml  the device dictionary lava-run needs here, as the
#                     stock qemu device type renders it for the jobs'
#                     context
#   guest/SERIES.tests, skel/  the guest manifest and boot-test's run
#                     header and candidate labels, for the judge
# $OUT/lava/latest points at the newest job set. (jobs is "new", then
# boot-test.sh with its plans, then "seal"; the host tests call the steps
# one by one, boot.sh with RACEFIX_LAVA_PLAN in between.)
#
# run: each job of the set in turn with lava-run (as root, or through
# "sudo -n"), its log (LAVA's records, one per line) into
# logs/NAME.log. An incomplete job is a result, not an error.
#
# collect: for each job of the manifest, harness/tools/lava-log turns
# logs/NAME.log (from lava-run, or a lab's "lavacli jobs logs --raw")
# into runs/SERIES/VARIANT/N/{console.log,status,run.json}, the files a
# local boot leaves, and verdict reads them; then the judge, with the
# same arguments as boot-test.sh, prints the table and the verdict. A
# job with no log, or one LAVA failed, is a failed boot with its reason.
#
# Environment: LAVA_ARTIFACT_URL (base URL of the published artifacts/;
# default file:// paths for a dispatcher on this machine), and those of
# boot-test.sh. For SERIES=smoke with no tree given, Debian's
# linux-source-6.12 (DEBIAN_TARBALL) as make smoke boots it.
# Exit codes: jobs and run 0 done, 1 could not run; collect the judge's:
# 0 pass, 2 fail, 3 inconclusive (the worst series), 1 could not judge.
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
export RACEFIX_ROOT
. "$RACEFIX_ROOT/harness/lib.sh"
H=$RACEFIX_ROOT/harness
tab=$(printf '\t')
nl='
'
# The end of the guest's work as the kernel prints it: the monitor waits
# for it, so a job ends when the guest has powered off.
POWER_DOWN='reboot: Power down'

# A value that goes into a job as part of LAVA's QEMU command line must
# survive it: LAVA joins the words with spaces, substitutes {NAME} and
# splits again, honouring quotes.
lava_safe() {
	case $2 in
	*[\"\'\\{}]* | *"$tab"*)
		die "$1 '$2' has a quote, backslash, brace or tab, which a LAVA job's QEMU command line cannot carry: give it without them"
		;;
	esac
}

# check_values: LAVA_ARTIFACT_URL, KERNEL_ARGS and QEMU_EXTRA fit a job.
check_values() {
	url=${LAVA_ARTIFACT_URL:-}
	if [ -n "$url" ]; then
		case $url in
		http://?* | https://?* | file:///*) ;;
		*) die "LAVA_ARTIFACT_URL='$url' is not an http://, https:// or file:/// URL: give the base URL where the job set's artifacts/ will be published" ;;
		esac
		case $url in
		*[[:space:]]* | *[\"\'\\{}\<\>]*) die "LAVA_ARTIFACT_URL='$url' has a space, quote, backslash, brace or angle bracket: give a plain URL" ;;
		esac
	fi
	lava_safe KERNEL_ARGS "${KERNEL_ARGS:-}"
	lava_safe QEMU_EXTRA "${QEMU_EXTRA:-}"
}

# yq VALUE: VALUE as a single-quoted YAML scalar.
yq() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"
}

# jobs_dir [DIR]: the job set to use (default $OUT/lava/latest), checked.
jobs_dir() {
	jd=${1:-$OUT/lava/latest}
	[ -d "$jd" ] && [ -f "$jd/.racefix-lava" ] ||
		die "'$jd' is not a racefix LAVA job set: give LAVA_DIR=the directory make lava-jobs printed (default $OUT/lava/latest)"
	jd=$(cd -P -- "$jd" && pwd -P)
	[ -s "$jd/manifest.tsv" ] || die "$jd has no job in manifest.tsv: run make lava-jobs again"
	printf '%s\n' "$jd"
}

# rows DIR: the manifest's job lines, without the header.
rows() {
	sed 1d "$1/manifest.tsv"
}

# ---- jobs ----

cmd_jobs() {
	[ $# -ge 1 ] || die "usage: lava.sh jobs ARCH [SERIES...]"
	arch=$1
	shift
	load_arch "$arch"
	check_values
	# The Debian smoke kernel, as make smoke boots it, when no tree is given.
	case " $* " in
	" smoke ")
		if [ -z "${KERNEL_SRC:-}${KERNEL_TARBALL:-}" ]; then
			KERNEL_TARBALL=${DEBIAN_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
			[ -r "$KERNEL_TARBALL" ] ||
				die "$KERNEL_TARBALL is missing: apt-get install linux-source-6.12, or give KERNEL_TARBALL"
			RACEFIX_CONFIG=/dev/null KERNEL_REF=
			export KERNEL_TARBALL RACEFIX_CONFIG KERNEL_REF
		fi
		;;
	esac
	set_dir=$(new_set "$arch")
	rc=0
	RACEFIX_LAVA_PLAN=$set_dir run_stage "$H/boot-test.sh" "$arch" "$@" || rc=$?
	# boot-test.sh has said why, in one line; a half-written set goes.
	if [ "$rc" -ne 0 ]; then
		rm -rf -- "$set_dir"
		exit "$rc"
	fi
	seal_set "$set_dir"
	ln -sfn "$set_dir" "$OUT/lava/latest"
	progress "$n LAVA jobs in $set_dir (manifest.tsv maps each to its variant and run)"
	echo "run them here:  make lava-run LAVA_DIR=$set_dir   (then make lava-collect LAVA_DIR=$set_dir)"
	echo "or in a lab:    lavacli jobs submit $set_dir/jobs/*.yaml (artifacts/ published at LAVA_ARTIFACT_URL)"
}

# new_set ARCH: a new, empty job set $OUT/lava/STAMP-ARCH; prints it.
new_set() {
	out_init
	mkdir -p "$OUT/lava"
	stamp=$(date +%Y%m%d-%H%M%S)
	ns=$OUT/lava/$stamp-$1
	i=1
	while ! mkdir "$ns" 2>/dev/null; do
		i=$((i + 1))
		ns=$OUT/lava/$stamp-$1-$i
	done
	mkdir "$ns/jobs" "$ns/artifacts" "$ns/guest" "$ns/skel"
	printf 'job\tseries\tvariant\trun\tarch\tkernel\tkernel_sha256\tinitramfs\tinitramfs_sha256\tmanifest_sha256\tduration\ttotal_s\tsilence_s\tkernel_args\n' \
		>"$ns/manifest.tsv"
	: >"$ns/series.tsv"
	printf 'racefix LAVA job set for %s\n' "$1" >"$ns/.racefix-lava"
	printf '%s\n' "$ns"
}

# seal_set DIR: after the plans, at least one job; boot-test.sh's run
# header and candidate labels (or why a candidate was not built) go with
# the jobs, its run directory without boots goes. Sets n (the jobs).
seal_set() {
	n=$(rows "$1" | wc -l)
	[ "$n" -gt 0 ] || die "no LAVA job was written to $1 (above): check ARCH and SERIES"
	while IFS=$tab read -r s rsd; do
		mkdir -p "$1/skel/$s"
		[ ! -f "$rsd/header" ] || cp "$rsd/header" "$1/skel/$s/header"
		for d in "$rsd"/*/; do
			[ -d "$d" ] || continue
			v=$(basename "$d")
			for f in label failed; do
				if [ -f "$d$f" ]; then
					mkdir -p "$1/skel/$s/$v"
					cp "$d$f" "$1/skel/$s/$v/$f"
				fi
			done
		done
		rr=${rsd%/*}
		case $rr in
		"$OUT"/runs/?*)
			[ -n "$(find "$rr" -name console.log 2>/dev/null | head -n 1)" ] || rm -rf -- "$rr"
			;;
		esac
	done <"$1/series.tsv"
}

# ---- plan (boot.sh, under make lava-jobs) ----

# qemu_items WORDS...: QEMU arguments as LAVA option items into $items,
# "-flag value" pairs one per line; -m becomes the context's memory
# ($memory), -M also its machine ($machine).
qemu_items() {
	items='' memory=512 machine=''
	while [ $# -gt 0 ]; do
		w=$1
		shift
		if [ $# -gt 0 ]; then
			case $1 in
			-*) ;;
			*)
				case $w in
				-m) memory=$1 ;;
				-M | -machine) machine=$1 items="$items$w $1$nl" ;;
				*) items="$items$w $1$nl" ;;
				esac
				shift
				continue
				;;
			esac
		fi
		items="$items$w$nl"
	done
	items=${items%"$nl"}
}

# mib SIZE: a QEMU -m size (512, 512M, 1G) in MiB.
mib() {
	case $1 in
	*[Gg]) echo $(( ${1%?} * 1024 )) ;;
	*[Mm]) echo "${1%?}" ;;
	*) echo "$1" ;;
	esac
}

cmd_plan() {
	[ $# -eq 9 ] || die "usage: lava.sh plan ARCH RUN_DIR IMAGE INITRAMFS MANIFEST DURATION TOTAL_S SILENCE_S APPEND"
	set_dir=${RACEFIX_LAVA_PLAN:-}
	[ -f "$set_dir/.racefix-lava" ] || die "lava.sh plan runs under make lava-jobs only (RACEFIX_LAVA_PLAN is not a job set)"
	load_arch "$1"
	run=$2 image=$3 initrd=$4 manifest=$5 duration=$6 total=$7 silence=$8 append=$9
	n=${run##*/}
	vdir=${run%/*}
	v=${vdir##*/}
	rsd=${vdir%/*}
	series=${rsd##*/}
	is_count "$n" && is_name "$v" && is_name "$series" ||
		die "boot directory '$run' is not RUN/SERIES/VARIANT/N: lava.sh plan is boot.sh's, under make lava-jobs"
	check_values
	lava_safe "the kernel arguments" "$append"
	name=$series-$v-$n
	job=$set_dir/jobs/$name.yaml
	[ ! -e "$job" ] || die "$job exists already: one job per boot"

	ksha=$(sha256sum <"$image" | cut -d ' ' -f 1)
	isha=$(sha256sum <"$initrd" | cut -d ' ' -f 1)
	msha=$(sha256sum <"$manifest" | cut -d ' ' -f 1)
	# Artifacts by content: A, B and C share an initramfs.
	kfile=$(printf '%s' "$ksha" | cut -c 1-12)-$(basename "$image")
	ifile=$(printf '%s' "$isha" | cut -c 1-12)-$(basename "$initrd")
	[ -f "$set_dir/artifacts/$kfile" ] || cp "$image" "$set_dir/artifacts/$kfile"
	[ -f "$set_dir/artifacts/$ifile" ] || cp "$initrd" "$set_dir/artifacts/$ifile"
	if [ -n "${LAVA_ARTIFACT_URL:-}" ]; then
		base=${LAVA_ARTIFACT_URL%/}
		kurl=$base/$kfile iurl=$base/$ifile
	else
		kurl=file://$set_dir/artifacts/$kfile iurl=file://$set_dir/artifacts/$ifile
	fi
	# The guest manifest the judge reads; every boot of a series has the same.
	if [ ! -f "$set_dir/guest/$series.tests" ]; then
		cp "$manifest" "$set_dir/guest/$series.tests"
		printf '%s\t%s\n' "$series" "$rsd" >>"$set_dir/series.tsv"
	elif ! cmp -s "$manifest" "$set_dir/guest/$series.tests"; then
		die "the boots of $series use two guest manifests ($manifest differs): one job set per manifest"
	fi

	set -f
	# shellcheck disable=SC2086 # word lists, unglobbed
	qemu_items $QEMU_ARGS ${QEMU_EXTRA:-} -no-reboot
	set +f
	memory=$(mib "$memory")
	is_count "$memory" || die "QEMU -m '$memory' is not a size LAVA understands: give -m in M or G"
	lava_arch=$ARCH_NAME
	# The stock device type always adds "-net nic,MODEL -net user" (the
	# guest ignores it); its default model, virtio, does not exist on
	# every machine: sun4u takes its own sunhme, malta its pcnet.
	case $ARCH_NAME in
	sparc64) nic=model=sunhme ;;
	mips*) nic=model=pcnet ;;
	*) nic= ;;
	esac

	dev=$set_dir/device-$ARCH_NAME.yaml
	[ -f "$dev" ] || write_device "$dev" "$lava_arch" "$memory" "$items" "${nic:-model=virtio}"

	{
		printf '# racefix: %s on %s, variant %s, run %s (%s)\n' "$series" "$ARCH_NAME" "$v" "$n" "$name"
		printf 'job_name: %s\n' "$(yq "racefix $series $ARCH_NAME $v run $n")"
		printf 'device_type: qemu\nvisibility: public\npriority: medium\n'
		printf 'metadata:\n'
		printf '  racefix.job: %s\n  racefix.series: %s\n  racefix.variant: %s\n  racefix.run: %s\n' \
			"$(yq "$name")" "$(yq "$series")" "$(yq "$v")" "$(yq "$n")"
		printf '  racefix.kernel_sha256: %s\n  racefix.initramfs_sha256: %s\n' "$(yq "$ksha")" "$(yq "$isha")"
		printf 'context:\n  arch: %s\n  no_kvm: true\n  memory: %s\n' "$(yq "$lava_arch")" "$memory"
		[ -z "$machine" ] || printf '  machine: %s\n' "$(yq "$machine")"
		[ -z "$nic" ] || printf '  model: %s\n' "$(yq "$nic")"
		printf '  extra_options:\n'
		printf '%s\n' "$items" | while read -r it; do
			printf '  - %s\n' "$(yq "$it")"
		done
		printf 'timeouts:\n'
		printf '  job: {seconds: %s}\n' "$((total + 600))"
		printf '  connection: {seconds: %s}\n' "$silence"
		printf 'actions:\n'
		printf -- '- deploy:\n    to: tmpfs\n    timeout: {seconds: 300}\n    images:\n'
		printf '      kernel:\n        image_arg: %s\n        url: %s\n' \
			"$(yq "-kernel {kernel} -append \"$append\"")" "$(yq "$kurl")"
		printf '      ramdisk:\n        image_arg: %s\n        url: %s\n' \
			"$(yq '-initrd {ramdisk}')" "$(yq "$iurl")"
		printf -- '- boot:\n    method: qemu\n    media: tmpfs\n    timeout: {seconds: 120}\n'
		printf -- '- test:\n    timeout: {seconds: %s}\n    monitors:\n' "$total"
		printf '    - name: %s\n' "$(yq "racefix-$series")"
		printf '      start: %s\n' "$(yq 'KTAP version 1')"
		printf '      end: %s\n' "$(yq "$POWER_DOWN")"
		# Top-level KTAP results only (/init's, one per test); the
		# lookahead waits for the whole name.
		printf '      pattern: %s\n' "$(yq '\n(?P<result>ok|not ok) [0-9]+ (?P<test_case_id>[^\s#]+)(?=[ \r\n])')"
		printf "      fixupdict: {'ok': 'pass', 'not ok': 'fail'}\n"
	} >"$job.tmp"
	mv -f "$job.tmp" "$job"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$series" "$v" "$n" \
		"$ARCH_NAME" "$image" "$ksha" "$initrd" "$isha" "$msha" "$duration" "$total" "$silence" \
		"$append" >>"$set_dir/manifest.tsv"
	echo "LAVA job $name written (jobs/$name.yaml)"
}

# write_device FILE ARCH MEMORY ITEMS NIC_MODEL: the device dictionary of a stock
# LAVA qemu device (lava-server's qemu.jinja2) rendered for the jobs'
# context, for lava-run on this machine.
write_device() {
	{
		printf '# racefix: a local LAVA qemu device, as lava-server'\''s qemu.jinja2 renders it for this context\n'
		printf 'available_architectures:\n- %s\n' "$(yq "$2")"
		printf 'actions:\n  deploy:\n    connections:\n      serial:\n    methods:\n'
		printf '      image:\n        parameters:\n          guest: {size: 512, interface: ide, driveid: lavatest}\n'
		printf '  boot:\n    connections:\n      serial:\n    methods:\n      qemu:\n        parameters:\n'
		printf '          command: %s\n' "$(yq "$QEMU")"
		printf '          boot_options: {root: /dev/sda1, console: %s}\n' "$(yq "$CONSOLE,115200")"
		printf '          options:\n'
		# (the template names the machine itself for these arches)
		case $2 in
		sparc | sparc64 | mips | mips64 | ppc | ppc64 | hppa | nios2 | xtensa)
			[ -z "$machine" ] || printf '          - %s\n' "$(yq "-machine $machine")"
			;;
		esac
		printf '          - -nographic\n'
		printf '          - %s\n' "$(yq "-net nic,$5,macaddr=52:54:00:12:34:58 -net user")"
		printf '          - -m %s\n' "$3"
		printf '          - -monitor none\n'
		printf '          extra:\n'
		printf '%s\n' "$4" | while read -r it; do
			printf '          - %s\n' "$(yq "$it")"
		done
		printf 'timeouts:\n  actions:\n    apply-overlay-image: {minutes: 2}\n'
		printf '  connections:\n    serial-connect: {seconds: 30}\n'
	} >"$1.tmp"
	mv -f "$1.tmp" "$1"
}

# ---- run ----

cmd_run() {
	set_dir=$(jobs_dir "${1:-}")
	need_cmd lava-run lava-dispatcher
	if [ "$(id -u)" -eq 0 ]; then
		set -- lava-run
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		set -- sudo -n lava-run
	else
		die "lava-run runs as root only: run make lava-run as root, or give this user passwordless sudo"
	fi
	exec 8>"$set_dir/lock"
	flock -n 8 || die "another make lava-run or lava-collect is using $set_dir: wait for it to end"
	mkdir -p "$set_dir/logs" "$set_dir/lava-run"
	total=$(rows "$set_dir" | wc -l)
	i=0 ok=0
	rows "$set_dir" >"$set_dir/lava-run/rows"
	while IFS=$tab read -r name series v n arch rest; do
		i=$((i + 1))
		od=$set_dir/lava-run/$name
		rm -rf -- "$od"
		mkdir -p "$od"
		# LAVA stages the job in /var/lib/lava/dispatcher/tmp/ID and
		# removes it when the job ends: an ID of this job set's own.
		id=racefix-$(basename "$set_dir")-$name
		t=$(date +%s)
		rc=0
		# In the background (as run_stage), so that a signal reaches
		# our trap at once; the redirections are the child's only.
		"$@" --job-id "$id" --output-dir "$od" --device "$set_dir/device-$arch.yaml" \
			"$set_dir/jobs/$name.yaml" >"$od/stdout" 2>"$set_dir/logs/$name.log" </dev/null 8>&- &
		wait "$!" || rc=$?
		res=$(sed -n 's/^result: //p' "$od/result.yaml" 2>/dev/null)
		[ "$res" != pass ] || ok=$((ok + 1))
		progress "$series/$arch: $v run $n: lava-run exit $rc, job ${res:-without a result} in $(( $(date +%s) - t )) s ($i/$total, log logs/$name.log)"
		if [ ! -s "$set_dir/logs/$name.log" ]; then
			sed 's/^/  /' "$od/stdout" >&2
			die "lava-run wrote no log for $name (above): check that lava-dispatcher works here"
		fi
	done <"$set_dir/lava-run/rows"
	progress "$ok of $total LAVA jobs complete; judge them: make lava-collect LAVA_DIR=$set_dir"
}

# ---- collect ----

cmd_collect() {
	set_dir=$(jobs_dir "${1:-}")
	host_tools
	exec 8>"$set_dir/lock"
	flock -n 8 || die "another make lava-run or lava-collect is using $set_dir: wait for it to end"
	rm -rf -- "$set_dir/runs"
	mkdir -p "$set_dir/runs"
	cp -R "$set_dir/skel/." "$set_dir/runs/"
	rows "$set_dir" >"$set_dir/runs/.rows"
	while IFS=$tab read -r name series v n arch kernel ksha initrd isha msha duration total silence append; do
		rd=$set_dir/runs/$series/$v/$n
		mkdir -p "$rd"
		"$TOOLS/lava-log" -l "$set_dir/logs/$name.log" -o "$rd" -k "$ksha" -r "$isha" \
			-a "$append" -t "$total" -q "$silence" \
			-m "arch=$arch" -m "kernel=$kernel" -m "kernel_sha256=$ksha" \
			-m "initramfs=$initrd" -m "initramfs_sha256=$isha" \
			-m "manifest_sha256=$msha" -m "duration=$duration" \
			-m "lava_job=jobs/$name.yaml" >"$rd/lava-log.out" ||
			die "cannot turn the LAVA log of $name into boot files (above)"
		line=$("$TOOLS/verdict" -l "$rd/console.log" -s "$rd/status" -o "$rd") ||
			die "verdict could not read the boot of $name in $rd (above)"
		progress "$series/$arch: $v run $n: $line"
		# Why a boot that did not end cleanly ended, as LAVA tells it.
		grep -q '^poweroff:' "$rd/lava-log.out" || sed 's/^/    LAVA job: /' "$rd/lava-log.out"
		rm -f "$rd/lava-log.out"
	done <"$set_dir/runs/.rows"
	rm -f "$set_dir/runs/.rows"
	status=0
	summary=
	for g in "$set_dir"/guest/*.tests; do
		series=$(basename "$g" .tests)
		sdir=$(series_dir "$series") || exit 1
		# The selection, as boot-test.sh gives it to the judge.
		args=$(awk -F "$tab" -v s="$series" 'NR > 1 && $2 == s { print $14; exit }' "$set_dir/manifest.tsv")
		set -f
		# shellcheck disable=SC2086 # words, unglobbed
		selection=$(tests_selection $args)
		set +f
		echo
		[ ! -f "$set_dir/runs/$series/header" ] || cat "$set_dir/runs/$series/header"
		rc=0
		judge_run "$selection" -m "$g" -d "$sdir" "$set_dir/runs/$series" || rc=$?
		case $rc in
		0) summary="$summary $series:PASS" ;;
		2) summary="$summary $series:FAIL" ;;
		3) summary="$summary $series:INCONCLUSIVE" ;;
		*) rc=1 summary="$summary $series:NOT-JUDGED" ;;
		esac
		[ "$(rank "$rc")" -le "$(rank "$status")" ] || status=$rc
	done
	echo
	progress "done:$summary (LAVA boots in $set_dir/runs; exit $status)"
	exit "$status"
}

trap_signals lava
[ $# -ge 1 ] || die "usage: lava.sh jobs ARCH [SERIES...] | run [DIR] | collect [DIR]"
what=$1
shift
case $what in
jobs) cmd_jobs "$@" ;;
new)
	[ $# -eq 1 ] || die "usage: lava.sh new ARCH"
	load_arch "$1"
	new_set "$1"
	;;
seal)
	[ $# -eq 1 ] && [ -f "$1/.racefix-lava" ] || die "usage: lava.sh seal JOB_SET"
	seal_set "$1"
	echo "$n LAVA jobs in $1"
	;;
plan) cmd_plan "$@" ;;
run) cmd_run "$@" ;;
collect) cmd_collect "$@" ;;
*) die "unknown lava.sh command '$what': give jobs, run or collect" ;;
esac
