#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest manifest has one parser (tests/manifest.h), used by the
# guest's /init and by harness/tools/manifest: strict (every bad line is
# FILE:LINE: reason, exit 1; nothing is dropped silently), and the same
# on the host and, cross-compiled, in a sparc64 guest.
set -u
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"
if ! cc -O2 -Wall -Wextra -Werror -I"$ROOT/tests" -o "$tmp/manifest" "$ROOT/harness/tools/manifest.c"; then
	echo "Bail out! harness/tools/manifest.c does not build"
	exit 1
fi
M=$tmp/manifest

echo "1..14"

# 1. Every real manifest is valid.
bad=
for f in "$ROOT"/patches/*/tests "$ROOT"/patches/*/suite "$ROOT/harness/smoke/tests"; do
	[ -e "$f" ] || continue
	"$M" check "$f" >"$tmp/out" 2>&1 || bad="$bad $f: $(cat "$tmp/out")"
done
[ -z "$bad" ]
t $? "every manifest in patches/ and harness/smoke is valid" "$bad"

# 2-10. Each kind of bad line: FILE:LINE: reason, exit 1.
check_bad() {
	# check_bad WHAT LINE EXPECTED
	printf '# a comment\nmremap_limit\t60\t/bin/mremap_limit\n%s\n' "$2" >"$tmp/bad"
	out=$("$M" check "$tmp/bad" 2>&1)
	rc=$?
	[ "$rc" -eq 1 ] && printf '%s\n' "$out" | grep -qF "$tmp/bad:3: $3"
	t $? "$1 -> '$tmp/bad:3: $3', exit 1 # rc $rc" "$out"
}
check_bad "a time limit 'abc'" 'x abc /bin/x' "bad time limit (whole seconds 1-86400, or [K]D[+N]) 'abc'"
check_bad "a time limit 0" 'x 0 /bin/x' "bad time limit"
check_bad "a negative time limit" 'x -5 /bin/x' "bad time limit"
check_bad "a missing program path" 'x 2D+60' "no program path"
check_bad "a duplicate name" 'mremap_limit 60 /bin/other' "duplicate test name, first on line '2'"
check_bad "a path not under /bin" 'x 60 /usr/bin/x' "program path not under /bin '/usr/bin/x'"
check_bad "too many arguments" 'x 60 /bin/x 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16' "too many arguments"
check_bad "a bad arch list" 'x@x86_64, 60 /bin/x' "bad arch list"
check_bad "an unknown placeholder" 'x 60 /bin/x @DURATIN@' "unknown placeholder"

# 11. filter: this arch's lines without the filters; other arches' gone.
printf '# c\na\t60\t/bin/a\nb@sparc64\tD+5\t/bin/b -d @DURATION@\nb@x86_64,riscv\t10\t/bin/b2\n' >"$tmp/arch"
"$M" filter "$tmp/arch" x86_64 >"$tmp/x86" && "$M" filter "$tmp/arch" sparc64 >"$tmp/sparc"
[ "$(cat "$tmp/x86")" = "$(printf '# c\na\t60\t/bin/a\nb\t10\t/bin/b2')" ] &&
	[ "$(cat "$tmp/sparc")" = "$(printf '# c\na\t60\t/bin/a\nb\tD+5\t/bin/b -d @DURATION@')" ]
t $? "filter keeps this arch's lines, drops the @ARCH filter and other arches' lines" "$(cat "$tmp/x86" "$tmp/sparc")"

# 12. limits: the sum and the largest limit, of the selection.
l1=$("$M" limits "$ROOT/patches/mm/tests" 10)
printf 'a\t60\t/bin/a\nb\t2D+60\t/bin/b\nc\tD\t/bin/c\n' >"$tmp/lim"
l2=$("$M" limits "$tmp/lim" 7)
l3=$("$M" limits "$tmp/lim" 7 a,c)
out=$("$M" limits "$tmp/lim" 0 2>&1)
rc=$?
[ "$l2" = "141 74" ] && [ "$l3" = "67 60" ] && [ -n "$l1" ] && [ "$rc" -eq 1 ] &&
	printf '%s' "$out" | grep -q "DURATION='0'"
t $? "limits: SUM MAX of the selected tests (2D+60 at 7 s is 74); DURATION=0 refused # $l1 / $l2 / $l3" "$out"

# 13. select: the names, or exit 1 naming the unknown one and the known.
s=$("$M" select "$tmp/lim" c,a)
out=$("$M" select "$tmp/lim" a,typo 2>&1)
rc=$?
[ "$s" = "$(printf 'a\nc')" ] && [ "$rc" -eq 1 ] &&
	printf '%s' "$out" | grep -q "names 'typo', which is not a test of $tmp/lim: give names from: a,b,c"
t $? "select prints the selected names; an unknown one is exit 1 with the known names" "$s / $out"

# 14. /init and the manifest parser build warning-free, static, for the
# sparc64 guest too (when its cross compiler is installed).
cc -static -O2 -Wall -Wextra -Werror -pthread -I"$ROOT/tests" -o "$tmp/init" "$ROOT/tests/init.c" 2>"$tmp/cc.log"
rc=$?
if command -v sparc64-linux-gnu-gcc >/dev/null 2>&1 && [ "$rc" -eq 0 ]; then
	sparc64-linux-gnu-gcc -static -O2 -Wall -Wextra -Werror -pthread -I"$ROOT/tests" \
		-o "$tmp/init.sparc64" "$ROOT/tests/init.c" 2>>"$tmp/cc.log"
	rc=$?
fi
t "$rc" "tests/init.c with tests/manifest.h and tests/protocol.h: -Wall -Wextra clean, static, host and sparc64" "$(cat "$tmp/cc.log")"
