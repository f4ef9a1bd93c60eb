#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# check.sh - is a series ready to send?
#
# usage: check.sh [SERIES...]   (default: every series in patches/)
#
# For each series, on its pinned base tree:
#   1. scripts/checkpatch.pl --strict of the base tree on every patch, as
#      it will be sent: stamped with an author and a Signed-off-by
#      (harness/stamp.sh --local: your git identity, or a placeholder on a
#      machine without one); no error, warning or check, except items
#      justified one per line in patches/SERIES/checkpatch.allow
#      ("PATCH_FILE: TEXT # reason");
#   2. git am of the whole series, stamped the same way (on a scratch
#      repository of the files the series touches, so any tree works);
#   3. quilt push of one patch at a time with a kernel build after each,
#      for every arch of the series (bisectability), then quilt pop -a
#      (CHECK_BUILDS=no keeps the quilt steps and skips the builds, for a
#      quick look; it says so, and a skipped build is not a pass);
#   4. MAINTAINERS.snippet names every person and list that the tree's
#      own get_maintainer.pl names for the files the series touches; an
#      address that differs (someone who moved since the base) and a
#      recipient only the snippet has (someone who joined) are shown.
# Exit codes: 0 all good, 1 could not check, 2 a check failed.
set -eu
RACEFIX_ROOT=${RACEFIX_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
export RACEFIX_ROOT
. "$RACEFIX_ROOT/harness/lib.sh"
H=$RACEFIX_ROOT/harness

need_cmd quilt quilt
if [ $# -eq 0 ]; then
	for d in "$RACEFIX_ROOT"/patches/*/; do
		set -- "$@" "$(basename "$d")"
	done
fi
failed=0
skipped=0
fail() {
	echo "FAIL $*"
	failed=$((failed + 1))
}

for series in "$@"; do
	sdir=$(series_dir "$series")
	patches=$(series_patches "$sdir")
	[ -n "$patches" ] || { fail "$series: the series is empty"; continue; }
	lock_series "$series"
	tree=$("$H/tree.sh" "$series")
	scratch=$OUT/$series/check
	rm -rf "$scratch"
	mkdir -p "$scratch"

	# The patches as git am and the lists get them: with an author and a
	# Signed-off-by (patches/ names no one; see harness/stamp.sh).
	stamped=$("$H/stamp.sh" --local "$scratch/stamped" $patches) ||
		{ fail "$series: cannot stamp the patches (above)"; continue; }

	# 1. checkpatch --strict of the base tree.
	allow=$sdir/checkpatch.allow
	# allowed PATCH ITEM: ITEM is justified in checkpatch.allow.
	allowed() {
		[ -r "$allow" ] && awk -v f="$1:" -v item="$2" '
			index($0, f) == 1 {
				t = substr($0, length(f) + 1)
				sub(/[[:space:]]*#.*/, "", t)
				sub(/^[[:space:]]+/, "", t)
				if (t != "" && index(item, t))
					found = 1
			}
			END { exit !found }' "$allow"
	}
	for p in $stamped; do
		b=${p##*/}
		(cd "$tree" && perl scripts/checkpatch.pl --strict --show-types \
			"$p") >"$scratch/$b.checkpatch" 2>&1 || true
		if ! grep -q '^total: ' "$scratch/$b.checkpatch"; then
			sed 's/^/  /' "$scratch/$b.checkpatch"
			echo x >>"$scratch/checkpatch.failed"
			echo "  $b: checkpatch.pl did not run (above)"
		fi
		grep -E '^(ERROR|WARNING|CHECK):' "$scratch/$b.checkpatch" |
		while read -r item; do
			if allowed "$b" "$item"; then
				echo "  allowed: $b: $item"
				echo x >>"$scratch/checkpatch.allowed"
			else
				echo "  $b: $item"
				echo x >>"$scratch/checkpatch.failed"
			fi
		done
	done
	if [ -e "$scratch/checkpatch.failed" ]; then
		fail "$series: checkpatch --strict found $(wc -l <"$scratch/checkpatch.failed") unjustified items (above)"
	else
		echo "ok   $series: checkpatch --strict clean on $(echo "$patches" | wc -l) patches ($(cat "$scratch/checkpatch.allowed" 2>/dev/null | wc -l) items justified in checkpatch.allow)"
	fi

	# 2. git am on a scratch repository holding the touched files.
	repo=$scratch/am
	mkdir -p "$repo"
	git init -q "$repo"
	"$H/fingerprint.sh" --print "$sdir" | while read -r blob path; do
		case $blob in
		*[!0]*)
			mkdir -p "$repo/$(dirname "$path")"
			cp "$tree/$path" "$repo/$path"
			;;
		esac
	done
	git -C "$repo" add -A
	git -C "$repo" -c user.name=racefix -c user.email=racefix@localhost.invalid \
		commit -qm base --allow-empty
	# shellcheck disable=SC2086
	if GIT_COMMITTER_NAME=racefix GIT_COMMITTER_EMAIL=racefix@localhost.invalid \
	   git -C "$repo" am -q $stamped >"$scratch/am.log" 2>&1; then
		echo "ok   $series: git am applies all $(echo "$patches" | wc -l) patches"
	else
		sed 's/^/  /' "$scratch/am.log"
		fail "$series: git am does not apply the series"
	fi

	# 3. quilt, one patch at a time, a build after each, every arch.
	arches=$(series_arches "$sdir")
	tag=$(conf_get "$sdir/base.conf" BASE_TAG)
	for arch in $arches; do
		load_arch "$arch"
		build=$OUT/$series/$arch/build
		frags=$(series_fragments "$arch" "$sdir")
		i=0
		for p in $patches; do
			i=$((i + 1))
			if ! (cd "$tree" && QUILT_PATCHES=$sdir quilt push -q) >"$scratch/quilt.log" 2>&1; then
				sed 's/^/  /' "$scratch/quilt.log"
				fail "$series: quilt push of ${p##*/} failed"
				break
			fi
			if [ "${CHECK_BUILDS:-yes}" = no ]; then
				echo "SKIP $series: $arch build after patch $i (${p##*/}): CHECK_BUILDS=no"
				skipped=$((skipped + 1))
				continue
			fi
			# shellcheck disable=SC2086
			"$H/config.sh" "$arch" "$tree" "$build" $frags
			t=$(date +%s)
			if (  "$H/build.sh" "$arch" "$tree" "$build" "$tag" ); then
				echo "ok   $series: $arch builds after patch $i (${p##*/}, $(( $(date +%s) - t )) s)"
			else
				fail "$series: $arch does not build after patch $i (${p##*/})"
			fi
		done
		if (cd "$tree" && QUILT_PATCHES=$sdir quilt pop -aq) >"$scratch/quilt.log" 2>&1; then
			echo "ok   $series: quilt pop -a restores the base ($arch pass)"
		else
			sed 's/^/  /' "$scratch/quilt.log"
			fail "$series: quilt pop -a failed"
		fi
		rm -rf "$tree/.pc"
	done

	# 4. MAINTAINERS.snippet against the tree's get_maintainer.pl, by
	# name ("Name" of "Name <address>", the address of a bare list).
	gm() {
		# shellcheck disable=SC2086
		maintainers "$tree" "$@" $patches | sed 's/"//g' | awk '
			NF {
				if (match($0, /<[^>]*>/)) {
					name = substr($0, 1, RSTART - 1)
					addr = substr($0, RSTART + 1, RLENGTH - 2)
					sub(/[[:space:]]+$/, "", name)
				} else {
					name = $0
					addr = $0
				}
				if (name == "")
					name = addr
				print name "\t" addr
			}' | sort -u
	}
	gm >"$scratch/recipients.tree"
	gm --mpath "$RACEFIX_ROOT/MAINTAINERS.snippet" >"$scratch/recipients.snippet"
	missing=$(awk -F '\t' 'NR == FNR { have[$1] = 1; next }
		!($1 in have) { print "  only in the tree: " $1 " <" $2 ">" }' \
		"$scratch/recipients.snippet" "$scratch/recipients.tree")
	awk -F '\t' 'NR == FNR { tree[$1] = $2; next }
		!($1 in tree) { print "  added in the snippet: " $1 " <" $2 ">"; next }
		tree[$1] != $2 { print "  current address: " $1 " <" $2 "> (the tree has <" tree[$1] ">)" }' \
		"$scratch/recipients.tree" "$scratch/recipients.snippet"
	if [ ! -s "$scratch/recipients.tree" ]; then
		fail "$series: get_maintainer.pl of $tag names no one for the series"
	elif [ -n "$missing" ]; then
		printf '%s\n' "$missing"
		fail "$series: MAINTAINERS.snippet lacks recipients that $tag's get_maintainer.pl names (above)"
	else
		echo "ok   $series: MAINTAINERS.snippet names all $(wc -l <"$scratch/recipients.tree") recipients of $tag's get_maintainer.pl"
	fi
done

if [ "$failed" -gt 0 ]; then
	echo "check: $failed failed"
	exit 2
fi
if [ "$skipped" -gt 0 ]; then
	echo "check: passed, but $skipped builds were skipped (CHECK_BUILDS=no): not bisect-tested"
	exit 0
fi
echo "check: all passed"
