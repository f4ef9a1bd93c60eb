/* SPDX-License-Identifier: GPL-2.0 */
/*
 * protocol.h - what the racefix guest says on its console, in one place.
 *
 * The guest's /init (tests/init.c) writes these lines; the host's tools
 * (qemu-run waits for the sentinel, verdict and judge read the rest)
 * look for exactly the same strings.
 *
 * On the console, /init prints (no printk timestamp, top level):
 *
 *   KTAP version 1
 *   1..N
 *     <each test's own output, two spaces in; a kselftest's nested KTAP>
 *   ok 1 NAME | not ok 1 NAME # reason | ok 1 NAME # SKIP reason
 *   RACEFIX_SENTINEL
 *
 * and through /dev/kmsg (so with the kernel's timestamp) RACEFIX_START
 * NAME before each test and RACEFIX_END NAME after it. A test prints
 * "# metric: NAME VALUE" for a value worth comparing between kernels
 * (nested, so "  # metric: ..." on the console).
 */
#ifndef RACEFIX_PROTOCOL_H
#define RACEFIX_PROTOCOL_H

/* The last line /init prints: every test has reported. */
#define RACEFIX_SENTINEL	"racefix-init: done"
/* /init's own diagnostics. */
#define RACEFIX_INIT_DIAG	"# racefix-init: "
/* kmsg markers around each test (followed by the test's name). */
#define RACEFIX_START		"racefix: start "
#define RACEFIX_END		"racefix: end "
/* A value a test prints to show a change of behaviour. */
#define RACEFIX_METRIC		"# metric: "
/* Nesting of a test's own output under /init's KTAP. */
#define RACEFIX_NEST		"  "

/* The guest manifest inside the initramfs. */
#define RACEFIX_MANIFEST	"/etc/racefix/tests"
/* Kernel parameters /init reads (as environment variables). */
#define RACEFIX_ARG_TESTS	"racefix_tests"
#define RACEFIX_ARG_DURATION	"racefix_duration"
/* The run time of stress loops when none is given. */
#define RACEFIX_DEFAULT_DURATION	10

/* KTAP result vocabulary. */
#define KTAP_VERSION_LINE	"KTAP version 1"
#define KTAP_OK			"ok "
#define KTAP_NOT_OK		"not ok "
#define KTAP_BAIL_OUT		"Bail out!"
#define KTAP_DIRECTIVE		" # "
#define KTAP_SKIP_WORD		"SKIP"

/* Per-test results as the host tools name them. */
#define RESULT_PASS		"pass"
#define RESULT_FAIL		"fail"
#define RESULT_SKIP		"skip"

/* kselftest exit codes. */
#define KSFT_EXIT_PASS		0
#define KSFT_EXIT_FAIL		1
#define KSFT_EXIT_SKIP		4

/* A "not ok" line for a manifest line /init could not use starts so. */
#define RACEFIX_BAD_LINE	"bad manifest line: "

#endif /* RACEFIX_PROTOCOL_H */
