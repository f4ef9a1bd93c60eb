#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kconfig-check.sh - did the final .config keep what the fragments asked?
#
# usage: kconfig-check.sh DOT_CONFIG FRAGMENT...
#
# merge_config.sh -m never checks for dropped symbols, so this does: for
# every symbol a fragment sets (the last fragment to set it wins; "is not
# set" means n), the value in DOT_CONFIG must be the same. Prints each
# difference as "CONFIG_X=want (have got)".
# Exit codes: 0 all kept, 1 could not check, 2 symbols differ.
set -eu
[ $# -ge 2 ] || { echo "usage: kconfig-check.sh DOT_CONFIG FRAGMENT..." >&2; exit 1; }
config=$1
shift
[ -r "$config" ] || { echo "kconfig-check: cannot read $config" >&2; exit 1; }
diff=$(cat "$@" | sed -n \
	-e 's/^\(CONFIG_[A-Za-z0-9_]*\)=\(.*\)/\1 \2/p' \
	-e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set/\1 n/p' |
	awk 'NR == FNR { want[$1] = substr($0, length($1) + 2); next }
	     /^CONFIG_/ { i = index($0, "="); have[substr($0, 1, i - 1)] = substr($0, i + 1) }
	     END {
		for (s in want) {
			h = (s in have) ? have[s] : "n"
			if (h != want[s])
				printf "%s=%s (have %s)\n", s, want[s], h
		}
	     }' - "$config" | sort)
[ -z "$diff" ] && exit 0
printf '%s\n' "$diff"
exit 2
