#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The shell glue is POSIX sh: it parses under dash and, where shellcheck
# is installed, passes it as sh.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
files=$(ls "$ROOT"/harness/*.sh "$ROOT"/tests/host/*.t "$ROOT"/tests/host/lib.sh)
echo "1..2"
bad=
for f in $files; do
	dash -n "$f" 2>/dev/null || bad="$bad ${f#"$ROOT"/}"
done
[ -z "$bad" ] && echo "ok 1 dash -n" || echo "not ok 1 dash -n:$bad"
if command -v shellcheck >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	if out=$(cd "$ROOT" && shellcheck -x -s sh -S warning $files 2>&1); then
		echo "ok 2 shellcheck -s sh"
	else
		echo "not ok 2 shellcheck -s sh"
		printf '%s\n' "$out" | head -n 40 | sed 's/^/# /'
	fi
else
	echo "ok 2 shellcheck -s sh # SKIP shellcheck is not installed"
fi
