#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# variants.sh - build and boot candidate fixes beside a series (C1..Cn).
#
# usage: variants.sh --check SERIES...
#        variants.sh ARCH SERIES RUN_SERIES_DIR INITRAMFS [KERNEL_ARG...]
#
# CANDIDATES (environment) lists candidate fixes, separated by spaces:
# each a directory of patches (in the order of its quilt "series" file
# when it has one, else its *.patch files sorted by name) or an mbox (as
# "b4 am -o" or "git format-patch --stdout" writes it; messages without
# a diff, such as a cover letter, are left out). They become the
# variants C1..Cn, in CANDIDATES order, judged against the same
# unpatched base A as the series (B).
#
# --check (before any build): exactly one series is selected, and every
# candidate exists and holds at least one patch; otherwise one line and
# exit 1.
#
# Otherwise, for each candidate: RUN_SERIES_DIR/Cn/label gets its name
# (the directory's name, or the mbox's without its extension); it is
# applied with git am (committer racefix, as apply.sh does) to its own
# git worktree of a snapshot of the unpatched base tree (made once per
# base, from racefix's copy in $OUT/SERIES/src, never the user's tree,
# and cached by the base's identity), configured with the same fragments
# (config.sh) and built in its own O= directory (build.sh, ccache). The
# worktree and build directory of a candidate sit at the same depth as
# the series' (SLOT/src, SLOT/ARCH/build), so that ccache with
# CCACHE_BASEDIR=$OUT hits on everything the candidate does not change.
# A candidate is rebuilt only when its patches, the base, the fragments
# or the build fixes changed (SLOT/ARCH/stamp). Patches without an
# author (as racefix keeps them) are stamped for this private worktree
# only (harness/stamp.sh --local). A candidate that does not apply or
# does not build gets RUN_SERIES_DIR/Cn/failed (one line: the patch and
# hunk, or the first build error) and no boots; the others still run.
# Then RUNS boots of each built candidate into RUN_SERIES_DIR/Cn/N with
# boot.sh, as boot-test.sh boots A and B. Runs under the caller's series
# lock (boot-test.sh holds it).
# Exit codes: 0 done (failed candidates are recorded, not an error), 1
# could not run (bad input, the base snapshot, a boot that could not run).
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
export RACEFIX_ROOT
. "$RACEFIX_ROOT/harness/lib.sh"
H=$RACEFIX_ROOT/harness
FIX_HINT="give CANDIDATES directories of patches (*.patch, or a quilt series file) or mbox files (b4 am -o), separated by spaces"

# cand_resolve PATH: the absolute path of a candidate, or one error line.
cand_resolve() {
	[ -e "$1" ] || die "candidate '$1' does not exist: $FIX_HINT"
	if [ -d "$1" ]; then
		(cd -P -- "$1" && pwd -P)
	else
		cr_dir=$(cd -P -- "$(dirname -- "$1")" && pwd -P)
		printf '%s/%s\n' "$cr_dir" "$(basename -- "$1")"
	fi
}

# cand_label PATH: the name of a candidate in the table.
cand_label() {
	cl=$(basename -- "$1")
	if [ ! -d "$1" ]; then
		case $cl in
		?*.*) cl=${cl%.*} ;;
		esac
	fi
	printf '%s\n' "$cl"
}

# is_mbox FILE: a mail folder ("From " line first) with at least one
# message holding a diff.
is_mbox() {
	[ -f "$1" ] && [ -r "$1" ] || return 1
	head -n 1 "$1" | grep -q '^From ' || return 1
	grep -q '^+++ ' "$1"
}

# cand_patches PATH DIR: the patch files of a candidate, one per line,
# in order; an mbox is split into DIR first. Empty output: no patch.
cand_patches() {
	if [ -d "$1" ]; then
		if [ -f "$1/series" ]; then
			cp_list=$(sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]].*//' "$1/series" | grep -v '^$') || true
			cp_missing=
			for p in $cp_list; do
				[ -r "$1/$p" ] || cp_missing="$cp_missing $p"
			done
			[ -z "$cp_missing" ] ||
				die "candidate '$1': its series file names patches that are missing:$cp_missing: add them or remove them from $1/series"
			for p in $cp_list; do
				printf '%s/%s\n' "$1" "$p"
			done
		else
			find "$1" -maxdepth 1 -type f -name '*.patch' | LC_ALL=C sort
		fi
	else
		rm -rf -- "$2"
		mkdir -p "$2"
		git mailsplit -o"$2" "$1" >/dev/null ||
			die "candidate '$1' is not an mbox git can split: $FIX_HINT"
		# A message without a diff (a cover letter) is not applied.
		for m in "$2"/*; do
			[ -f "$m" ] || continue
			if grep -q '^+++ ' "$m"; then
				printf '%s\n' "$m"
			else
				rm -f -- "$m"
			fi
		done
	fi
}

# check_candidate PATH: one error line unless PATH is a usable candidate.
check_candidate() {
	cc_abs=$(cand_resolve "$1") || exit 1
	case $cc_abs in
	*[[:space:]:]*) die "candidate '$1' has a space or a colon in its path: move it, or give a path without them" ;;
	esac
	if [ -d "$cc_abs" ]; then
		cc_list=$(cand_patches "$cc_abs" "") || exit 1
		[ -n "$cc_list" ] ||
			die "candidate directory '$1' holds no patches (no series file, no *.patch): $FIX_HINT"
	elif ! is_mbox "$cc_abs"; then
		die "candidate '$1' is neither a directory of patches nor an mbox with a patch: $FIX_HINT"
	fi
	is_name "$(cand_label "$cc_abs")" ||
		die "candidate '$1' has a name that cannot label a column (letters, digits, . _ - only, not first . or -): rename it"
}

candidates() {
	set -f
	# shellcheck disable=SC2086 # CANDIDATES is a list of words
	printf '%s\n' ${CANDIDATES:-}
	set +f
}

if [ "${1:-}" = --check ]; then
	shift
	[ -n "${CANDIDATES:-}" ] || exit 0
	[ $# -eq 1 ] ||
		die "CANDIDATES are judged against one series, and $# are selected ($*): give SERIES=NAME with them"
	candidates | while IFS= read -r c; do
		check_candidate "$c"
	done || exit 1
	exit 0
fi

[ $# -ge 4 ] || die "usage: variants.sh ARCH SERIES RUN_SERIES_DIR INITRAMFS [KERNEL_ARG...]"
arch=$1
load_arch "$arch"
sdir=$(series_dir "$2")
series=$(series_name "$2")
rsd=$3
initrd=$4
shift 4
[ -n "${CANDIDATES:-}" ] || exit 0
runs=${RUNS:-1}
is_count "$runs" || die "RUNS='$runs' is not a positive whole number: give RUNS=10"
candidates | while IFS= read -r c; do
	check_candidate "$c"
done || exit 1
[ -r "$initrd" ] || die "no guest initramfs at $initrd: build it first (boot-test.sh does)"
out_init
frags=$(series_fragments "$arch" "$sdir")
work=$OUT/$series
cands=$work/cand
snap=$cands/base.git
tree=$work/src
mkdir -p "$cands" "$rsd"
GIT_COMMITTER_NAME=racefix GIT_COMMITTER_EMAIL=racefix@localhost.invalid
# git never looks for a repository above a worktree (OUT may sit in one).
GIT_CEILING_DIRECTORIES=$cands
export GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_CEILING_DIRECTORIES
git_snap() {
	git --git-dir="$snap" "$@"
}

# The base snapshot: a bare repository holding the unpatched base as
# refs/heads/racefix-base, made once per base (its identity: what
# tree.sh copied the base from). A git base shares the objects of
# racefix's copy; a plain one is committed once from racefix's copy.
[ -s "$work/origin" ] && [ -d "$tree" ] ||
	die "series $series has no base tree in $work: run tree.sh $series first (boot-test.sh does)"
base_id=$(cat "$work/origin" "$work/origin.sig" "$work/base-commit" 2>/dev/null || true)
if [ "$(cat "$snap/racefix-base-id" 2>/dev/null)" != "$base_id" ] ||
   ! git_snap rev-parse -q --verify 'refs/heads/racefix-base^{commit}' >/dev/null 2>&1; then
	# Every worktree and image of the old base goes with it.
	rm -rf -- "$snap"
	for d in "$cands"/*/; do
		[ -d "$d" ] || continue
		rm -rf -- "${d}src" "$d"*/stamp
	done
	git init -q --bare "$snap"
	git_snap config gc.auto 0
	if [ -s "$work/base-commit" ]; then
		printf '%s\n' "$tree/.git/objects" >"$snap/objects/info/alternates"
		git_snap update-ref refs/heads/racefix-base "$(cat "$work/base-commit")" ||
			die "cannot make a snapshot of the base from $tree: run boot-test again (the copy is made anew)"
	else
		progress "$series: a git snapshot of the base tree for the candidates (once per base)"
		# The copy at its base: the series is taken out again.
		"$H/tree.sh" "$series" >/dev/null || exit 1
		idx=$snap/racefix-index
		rm -f -- "$idx"
		GIT_INDEX_FILE=$idx git -c core.looseCompression=1 --git-dir="$snap" --work-tree="$tree" \
			add -A -f -- . ':(exclude).pc' ':(exclude).racefix-buildfix.patch' ||
			die "cannot make a snapshot of the base from $tree: check the space in OUT"
		t=$(GIT_INDEX_FILE=$idx git_snap write-tree)
		c=$(GIT_AUTHOR_NAME=racefix GIT_AUTHOR_EMAIL=racefix@localhost.invalid \
			git_snap commit-tree -m "Linux $(tree_version "$tree") (racefix base snapshot)" "$t")
		git_snap update-ref refs/heads/racefix-base "$c"
		rm -f -- "$idx"
	fi
	printf '%s\n' "$base_id" >"$snap/racefix-base-id"
fi
git_snap worktree prune

# one_line TEXT: TEXT on one line, at most 300 characters.
one_line() {
	tr '\n\t' '  ' | sed 's/  */ /g; s/^ //; s/ $//' | cut -c 1-300
}

# am_failure LOG PATCH...: why git am failed, naming the patch and hunk.
am_failure() {
	af_log=$1
	shift
	af_num=$(sed -n 's/^Patch failed at 0*\([0-9][0-9]*\) .*/\1/p' "$af_log" | head -n 1)
	af_num=${af_num:-1}
	af_patch=$(printf '%s\n' "$@" | sed -n "${af_num}p")
	af_name=$(sed -n "${af_num}p" "$orig_names")
	af_at=$(sed -n 's/^error: patch failed: \(.*\):\([0-9][0-9]*\)$/\1 \2/p' "$af_log" | head -n 1)
	if [ -n "$af_at" ]; then
		af_file=${af_at% *}
		af_line=${af_at##* }
		af_hunk=$(awk -v f="$af_file" -v l="$af_line" '
			/^diff --git / { cur = $3; sub(/^a\//, "", cur); next }
			/^@@ / && cur == f {
				s = $2; sub(/^-/, "", s); sub(/,.*/, "", s)
				if (s == l) { print; exit }
			}' "$af_patch")
		printf 'does not apply to the base: patch %s of %s (%s) fails at %s:%s%s\n' \
			"$af_num" "$#" "$af_name" "$af_file" "$af_line" "${af_hunk:+, hunk $af_hunk}"
	else
		printf 'does not apply to the base: patch %s of %s (%s): %s\n' "$af_num" "$#" "$af_name" \
			"$(grep -m 1 -e '^error:' -e '^fatal:' "$af_log" | one_line)"
	fi | one_line
}

# wt_ok: the worktree $wt is one of the snapshot's, and nothing else.
wt_ok() {
	[ -f "$wt/.git" ] || return 1
	wo_top=$(git -C "$wt" rev-parse --show-toplevel 2>/dev/null) || return 1
	[ "$wo_top" = "$(cd -P -- "$wt" && pwd -P)" ] || return 1
	wo_common=$(cd "$wt" && cd -P -- "$(git rev-parse --git-common-dir)" 2>/dev/null && pwd -P) || return 1
	[ "$wo_common" = "$(cd -P -- "$snap" && pwd -P)" ] &&
		git -C "$wt" rev-parse -q --verify HEAD >/dev/null 2>&1
}

# prepare I PATH: C<I> built (SLOT/ARCH/image), or RUN_SERIES_DIR/C<I>/failed.
prepare() {
	v=C$1
	abs=$(cand_resolve "$2")
	label=$(cand_label "$abs")
	vd=$rsd/$v
	mkdir -p "$vd"
	printf '%s\n' "$label" >"$vd/label"
	rm -f -- "$vd/failed"
	slot=$cands/$label-$(printf '%s' "$abs" | cksum | cut -d ' ' -f 1)
	wt=$slot/src
	ab=$slot/$arch
	build=$ab/build
	mkdir -p "$build"
	patches=$(cand_patches "$abs" "$slot/mbox") || exit 1
	orig_names=$slot/names
	if [ -d "$abs" ]; then
		printf '%s\n' "$patches" | sed 's|.*/||' >"$orig_names"
	else
		# mbox messages are named by their subjects.
		printf '%s\n' "$patches" | while read -r m; do
			s=$(sed -n 's/^Subject: *//p' "$m" | head -n 1)
			printf 'message %s: %s\n' "${m##*/}" "$s"
		done >"$orig_names"
	fi
	# shellcheck disable=SC2086 # frags: one path per word
	st=$( (echo "$arch"; printf '%s\n' "$base_id"; cat $frags
		buildfix_files "$tree" "$arch" | while read -r f; do cat "$f"; done
		printf '%s\n' "$patches" | while read -r p; do cat "$p"; done) | cksum)
	if [ -s "$ab/image" ] && [ "$(cat "$ab/stamp" 2>/dev/null)" = "$st" ] && wt_ok; then
		progress "$series/$arch: $v ($label): kernel is up to date, not rebuilding"
		return 0
	fi
	rm -f -- "$ab/stamp" "$ab/image"
	t0=$(date +%s)
	# The worktree, back at the base (only files that differ are
	# rewritten, so the build stays incremental).
	if ! wt_ok; then
		rm -rf -- "$wt"
		git_snap worktree prune
		progress "$series/$arch: $v ($label): checking out a worktree of the base"
		git_snap worktree add -q --detach "$wt" racefix-base >"$slot/worktree.log" 2>&1 ||
			die "cannot check out a worktree of the base in $wt ($(one_line <"$slot/worktree.log")): check the space in OUT"
	fi
	git -C "$wt" am --abort >/dev/null 2>&1 || true
	if ! git -C "$wt" reset -q --hard racefix-base || ! git -C "$wt" clean -fdqx; then
		die "cannot reset the worktree $wt to the base: remove $slot and run again"
	fi
	# The snapshot is the series' base (the blobs the series expects).
	if ! "$H/fingerprint.sh" "$sdir" "$wt" >/dev/null; then
		rm -rf -- "$snap"
		die "the base snapshot in $snap is not the series' base (above); it was removed: run again"
	fi
	# Authorless patches get one for this private worktree only.
	rm -rf -- "$slot/stamped"
	# shellcheck disable=SC2086 # one word per patch file
	stamped=$(GIT_AUTHOR_NAME=racefix GIT_AUTHOR_EMAIL=racefix@localhost.invalid \
		"$H/stamp.sh" --local "$slot/stamped" $patches) || exit 1
	log=$slot/am.log
	# shellcheck disable=SC2086
	if ! git -C "$wt" am -q --no-3way $stamped >"$log" 2>&1; then
		why=$(am_failure "$log" $stamped)
		git -C "$wt" am --abort >/dev/null 2>&1 || true
		git -C "$wt" reset -q --hard racefix-base
		printf '%s\n' "$why" >"$vd/failed"
		warn "$v ($label) $why"
		return 0
	fi
	progress "$series/$arch: $v ($label): $(printf '%s\n' "$patches" | wc -l) patches applied; building"
	# shellcheck disable=SC2086
	if ! "$H/config.sh" "$arch" "$wt" "$build" $frags 2>"$slot/config.err"; then
		printf 'could not be configured: %s\n' "$(grep -m 1 'racefix: error' "$slot/config.err" | one_line)" >"$vd/failed"
		warn "$v ($label) $(cat "$vd/failed")"
		return 0
	fi
	if ! "$H/build.sh" "$arch" "$wt" "$build" 2>"$slot/build.err"; then
		e=$(grep -m 1 -E ': (fatal )?error:' "$build/build.log" 2>/dev/null ||
			grep -m 1 -E 'error|Error' "$build/build.log" 2>/dev/null ||
			grep -m 1 'racefix: error' "$slot/build.err" || echo "see $build/build.log")
		# Paths relative to the tree, not to this machine.
		e=$(printf '%s\n' "$e" | sed -e "s|$wt/||g" -e 's|\.\./\.\./src/||g' | one_line)
		printf 'does not build: %s\n' "$e" >"$vd/failed"
		warn "$v ($label) $(cat "$vd/failed")"
		return 0
	fi
	cp "$build/$IMAGE" "$ab/image"
	printf '%s\n' "$st" >"$ab/stamp"
	dt=$(( $(date +%s) - t0 ))
	printf '%s\n' "$dt" >"$ab/build-seconds"
	progress "$series/$arch: $v ($label) built in $dt s"
}

# Every candidate is built (or found failed) before the first boot. The
# list is read on fd 3: builds and boots keep their own stdin.
list=$(candidates)
i=0
while IFS= read -r c <&3; do
	i=$((i + 1))
	prepare "$i" "$c"
done 3<<EOF
$list
EOF
i=0
while IFS= read -r c <&3; do
	i=$((i + 1))
	v=C$i
	[ ! -e "$rsd/$v/failed" ] || continue
	abs=$(cand_resolve "$c")
	label=$(cand_label "$abs")
	slot=$cands/$label-$(printf '%s' "$abs" | cksum | cut -d ' ' -f 1)
	image=$slot/$arch/image
	n=1
	while [ "$n" -le "$runs" ]; do
		rd=$rsd/$v/$n
		line=$("$H/boot.sh" "$arch" "$image" "$initrd" "$rd" "$@") || exit 1
		progress "$series/$arch: $v ($label) run $n/$runs: $line"
		n=$((n + 1))
	done
done 3<<EOF
$list
EOF
exit 0
