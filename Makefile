# SPDX-License-Identifier: GPL-2.0
# racefix: the face of the harness. Every target is a thin call into
# harness/; "make help" lists them.
#
# Every variable a user gives is data. Each is fixed to its text as given
# ($(value), so a "$(shell ...)" in it is never run by make), exported to
# the scripts through the environment, and used in recipes only as a
# quoted shell variable ("$$SERIES"), never as $(SERIES) in recipe text.

KNOBS := ARCH SERIES RUNS DURATION KERNEL_ARGS KERNEL_SRC KERNEL_TARBALL \
	KERNEL_REF OUT VERBOSE JOBS SEND CHECK_BUILDS BOOT_MARGIN SILENCE \
	QEMU_EXTRA SMOKE_DURATION DEBIAN_TARBALL HOSTCC KHDR SPATCH \
	RACEFIX_CONFIG CANDIDATES SUITE LAVA_ARTIFACT_URL LAVA_DIR
# A value from the command line or the environment is its text as given.
$(foreach v,$(KNOBS),$(if $(filter command line environment override,$(origin $(v))),$(eval override $(v) := $$(value $(v)))))
# make smoke boots both arches unless ARCH is given.
ARCH_GIVEN := $(if $(filter undefined,$(origin ARCH)),,yes)
ARCH ?= x86_64
RUNS ?= 1
DURATION ?= 10
OUT ?= $(CURDIR)/out
export $(KNOBS)
# Command-line values reach the scripts through the environment only,
# never a sub-make (the kernel's) through MAKEFLAGS.
MAKEOVERRIDES :=
export RACEFIX_ROOT := $(CURDIR)

.PHONY: help boot-test test host-test smoke check send scan model tools clean distclean \
	lava-jobs lava-run lava-collect

help:
	@echo 'racefix - race fixes for mm/mremap (v6.18.2), sparc64 and mips (v5.9.1), mips again (v6.18.2), and their proof'
	@echo
	@echo 'make boot-test ARCH=x86_64|sparc64|mips64el [SERIES=mm|sparc64|mips|mips-6.18] [RUNS=N] [DURATION=S] [KERNEL_ARGS=...]'
	@echo '                     check everything, then build, boot and race-test each series unpatched (A)'
	@echo '                     and patched (B), RUNS boots each, and judge'
	@echo '                     exit 0 pass, 1 could not run, 2 fail, 3 inconclusive (the worst series)'
	@echo 'make test            host tests under prove, then make smoke for x86_64 and sparc64'
	@echo 'make host-test       host tests only'
	@echo 'make smoke [ARCH=]   one short boot per configured series, else Debian 6.12, of ARCH (default both)'
	@echo 'make check [SERIES=] checkpatch --strict, git am, a build after every patch (CHECK_BUILDS=no skips them), MAINTAINERS'
	@echo 'make send SERIES=s   b4 messages and recipients into OUT/send/s; mails only with SEND=reflect or SEND=yes'
	@echo 'make scan KERNEL_SRC=/path  coccinelle scan of arch/ for mm_users == 1 mask trimming'
	@echo 'make model           spin model of the sparc64 race, unpatched and patched'
	@echo 'make lava-jobs ARCH=... [SERIES=...] [RUNS=N] [CANDIDATES=...]'
	@echo '                     build as boot-test does, then write one LAVA job per boot (variant x run)'
	@echo '                     into OUT/lava/STAMP-ARCH with manifest.tsv (job -> variant, run); SERIES=smoke'
	@echo '                     with no tree: Debian linux-source-6.12 as make smoke boots it'
	@echo 'make lava-run [LAVA_DIR=...]      run the jobs here, one at a time, with Debian'\''s lava-run (root)'
	@echo 'make lava-collect [LAVA_DIR=...]  LAVA job logs -> the per-boot files, then the judge'\''s table and verdict'
	@echo '                     (exit as boot-test); logs/JOB.log may come from a lab (lavacli jobs logs --raw)'
	@echo 'make tools           build the host tools (harness/tools/*.c) into OUT/tools'
	@echo 'make clean           remove run logs and host tools; distclean removes all of OUT'
	@echo '                     (only a directory racefix made, with its .racefix-out marker)'
	@echo
	@echo 'Variables (all plain data; SIGINT, SIGTERM or SIGHUP ends every child and exits 128+N):'
	@echo '  ARCH            x86_64, sparc64 or mips64el (default x86_64; make smoke: x86_64 and sparc64)'
	@echo '  SERIES          series names from patches/, space or comma separated (default: all for ARCH)'
	@echo '                  (a series may bring kconfig fragments of its own: patches/SERIES/kconfig, kconfig-ARCH)'
	@echo '  RUNS            boots per kernel, a positive number (default 1)'
	@echo '  DURATION        seconds per race test, a positive number (default 10)'
	@echo '  KERNEL_ARGS     more kernel parameters, e.g. kcsan.skip_watch=50 or racefix_tests=NAME,NAME'
	@echo '  CANDIDATES      candidate fixes judged beside the series as C1..Cn: directories of patches or mbox files'
	@echo '  SUITE=no        no regression suite boots (patches/SERIES/suite: one boot per kernel, judged apart)'
	@echo '  KERNEL_SRC      the base tree: a git repository (KERNEL_REF or the pinned tag is cloned) or a source directory'
	@echo '  KERNEL_TARBALL  the base tree as a tarball (instead of KERNEL_SRC)'
	@echo '  KERNEL_REF      the commit of the base in KERNEL_SRC (default: the pinned tag)'
	@echo '  RACEFIX_CONFIG  per-user file with SERIES.KERNEL_SRC=... lines (default ~/.config/racefix/config)'
	@echo '  OUT             racefix output directory (default ./out); no spaces or colons for builds'
	@echo '  JOBS            parallel build jobs (default: all cores)'
	@echo '  VERBOSE=1       guest console on the terminal'
	@echo '  BOOT_MARGIN     seconds a boot may take beyond its tests'\'' limits (default 120)'
	@echo '  SILENCE         seconds of console silence that end a boot (default: longest test limit + 60)'
	@echo '  QEMU_EXTRA      more QEMU arguments'
	@echo '  SMOKE_DURATION  race test seconds of make smoke (default 3)'
	@echo '  DEBIAN_TARBALL  the Debian tree make smoke boots (default /usr/src/linux-source-6.12.tar.xz)'
	@echo '  HOSTCC          the host compiler for the tools (default cc)'
	@echo '  KHDR            installed kernel headers for the guest selftests (optional)'
	@echo '  SPATCH          the spatch of make scan (default spatch)'
	@echo '  SEND            reflect or yes: make send mails (default: files only)'
	@echo '  CHECK_BUILDS=no make check without the builds'
	@echo '  LAVA_ARTIFACT_URL  base URL where a lab fetches the job set'\''s artifacts/ (default: file:// paths here)'
	@echo '  LAVA_DIR        the job set of make lava-run / lava-collect (default OUT/lava/latest)'

boot-test:
	@exec harness/boot-test.sh "$$ARCH" "$$SERIES"

test: host-test
	@exec harness/smoke.sh

host-test: tools
	prove -v tests/host/

smoke:
	@if [ -z "$(ARCH_GIVEN)" ]; then exec harness/smoke.sh; else exec harness/smoke.sh "$$ARCH"; fi

check:
	@set -f; exec harness/check.sh $$SERIES

send:
	@test -n "$$SERIES" || { echo 'racefix: error: make send needs a series: give SERIES=mm or SERIES=sparc64' >&2; exit 1; }
	@exec harness/send.sh "$$SERIES"

scan:
	@test -n "$$KERNEL_SRC" || { echo 'racefix: error: make scan needs a kernel tree: give KERNEL_SRC=~/src/linux' >&2; exit 1; }
	@exec harness/scan.sh "$$KERNEL_SRC"

lava-jobs:
	@exec harness/lava.sh jobs "$$ARCH" "$$SERIES"

lava-run:
	@exec harness/lava.sh run "$$LAVA_DIR"

lava-collect:
	@exec harness/lava.sh collect "$$LAVA_DIR"

model:
	prove -v tests/host/model.t

tools:
	@sh -c '. harness/lib.sh && host_tools'

clean:
	@sh -c '. harness/lib.sh && out_clean runs'

distclean:
	@sh -c '. harness/lib.sh && out_clean all'
