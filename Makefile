# SPDX-License-Identifier: GPL-2.0
# racefix: the face of the harness. Every target is a thin call into
# harness/; "make help" lists them.

ARCH ?= x86_64
RUNS ?= 1
DURATION ?= 10
OUT ?= $(CURDIR)/out
SERIES ?=

export OUT RUNS DURATION KERNEL_ARGS KERNEL_SRC KERNEL_TARBALL KERNEL_REF VERBOSE SEND CHECK_BUILDS JOBS
export RACEFIX_ROOT := $(CURDIR)

.PHONY: help boot-test test host-test smoke check send scan model tools clean distclean

help:
	@echo 'racefix - race fixes for mm/mremap (v6.18.2) and sparc64 (v5.9.1), and their proof'
	@echo
	@echo 'make boot-test ARCH=x86_64|sparc64 [SERIES=mm|sparc64] [RUNS=N] [DURATION=S] [KERNEL_ARGS=...]'
	@echo '                     build, boot and race-test each series unpatched (A) and patched (B),'
	@echo '                     RUNS boots each, then print the verdict table'
	@echo 'make test            host tests under prove, then a real smoke boot (see README)'
	@echo 'make host-test       host tests only (parser, fingerprint, config check, qemu-run, model, scan)'
	@echo 'make smoke [ARCH=]   one short A/B boot per configured series (default x86_64), else Debian 6.12'
	@echo 'make check [SERIES=] checkpatch --strict, git am, a build after every patch (CHECK_BUILDS=no skips them), MAINTAINERS'
	@echo 'make send SERIES=s   b4 messages and recipients into out/send/s; mails only with SEND=reflect or SEND=yes'
	@echo 'make scan KERNEL_SRC=/path  coccinelle scan of arch/ for mm_users == 1 mask trimming'
	@echo 'make model           spin model of the sparc64 race, unpatched and patched'
	@echo 'make tools           build the host tools (qemu-run, verdict) into $$(OUT)/tools'
	@echo 'make clean           remove run logs and host tools; distclean also removes trees and builds'
	@echo
	@echo 'Trees: KERNEL_SRC=/path (git repo or source dir), KERNEL_TARBALL=file, KERNEL_REF=commit,'
	@echo 'or per series in ~/.config/racefix/config ("mm.KERNEL_SRC=/path").'

boot-test:
	harness/boot-test.sh $(ARCH) $(SERIES)

test: host-test
	harness/smoke.sh

host-test: tools
	prove -v tests/host/

smoke:
	harness/smoke.sh $(ARCH)

check:
	harness/check.sh $(SERIES)

send:
	@test -n "$(SERIES)" || { echo 'make send: name the series, e.g. make send SERIES=mm' >&2; exit 1; }
	harness/send.sh $(SERIES)

scan:
	@test -n "$(KERNEL_SRC)" || { echo 'make scan: name a kernel tree, e.g. make scan KERNEL_SRC=~/src/linux' >&2; exit 1; }
	harness/scan.sh $(KERNEL_SRC)

model:
	prove -v tests/host/model.t

tools:
	@sh -c '. harness/lib.sh && host_tools'

clean:
	rm -rf $(OUT)/runs $(OUT)/tools

distclean:
	rm -rf $(OUT)
