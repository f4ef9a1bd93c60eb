# SPDX-License-Identifier: GPL-2.0
# Sourced by the host tests (tests/host/*.t) right after "set -u":
#   ROOT  the racefix checkout
#   tmp   a private directory, removed on exit (a test with more to end
#         sets its own EXIT trap after this, and removes $tmp there)
#   t     one KTAP result line
# shellcheck shell=sh
# shellcheck disable=SC2034 # ROOT is for the tests that source this
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d) || { echo "Bail out! mktemp -d failed"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
n=0

# t STATUS DESCRIPTION [DIAGNOSTIC]: "ok N DESCRIPTION" when STATUS is 0;
# else "not ok N DESCRIPTION", then the test's last exit code (rc, when
# it keeps one) and the last T_TAIL (default 30) lines of DIAGNOSTIC as
# KTAP comments.
t() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
		return 0
	fi
	echo "not ok $n $2"
	{
		[ -z "${rc:-}" ] || echo "rc=$rc"
		[ -z "${3:-}" ] || printf '%s\n' "$3"
	} | tail -n "${T_TAIL:-30}" | sed 's/^/# /'
}

# harness_env: run the harness as a user with nothing set would, with its
# output in $tmp/out and no per-user config.
harness_env() {
	export RACEFIX_ROOT="$ROOT" OUT="$tmp/out" RACEFIX_CONFIG=/dev/null
	unset KERNEL_SRC KERNEL_TARBALL KERNEL_REF KERNEL_ARGS RUNS DURATION JOBS \
		VERBOSE BOOT_MARGIN SILENCE RACEFIX_PATCHES
}
