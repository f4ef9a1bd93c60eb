/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktap.h - the one KTAP helper shared by every racefix guest test.
 *
 * A test prints "KTAP version 1", a plan, one result line per case and
 * "# " diagnostics on stdout, which is line buffered so that a crash
 * leaves the last line on the console.  Exit codes follow kselftest:
 * 0 pass, 1 fail, 4 skip.
 */
#ifndef RACEFIX_KTAP_H
#define RACEFIX_KTAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KTAP_PASS	0
#define KTAP_FAIL	1
#define KTAP_SKIP	4

struct ktap {
	int planned;
	int next;
	int passed;
	int failed;
	int skipped;
};

static struct ktap ktap_state;

static inline void ktap_start(int planned)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	ktap_state.planned = planned;
	ktap_state.next = 1;
	printf("KTAP version 1\n1..%d\n", planned);
}

static inline void __attribute__((format(printf, 1, 2)))
ktap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

/* Report one case; @ok is nonzero for a pass. */
static inline void ktap_result(int ok, const char *name)
{
	printf("%s %d %s\n", ok ? "ok" : "not ok", ktap_state.next++, name);
	if (ok)
		ktap_state.passed++;
	else
		ktap_state.failed++;
}

static inline void __attribute__((format(printf, 2, 3)))
ktap_skip(const char *name, const char *why_fmt, ...)
{
	va_list ap;

	printf("ok %d %s # SKIP ", ktap_state.next++, name);
	va_start(ap, why_fmt);
	vprintf(why_fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	ktap_state.skipped++;
}

/* Print the totals and exit with the kselftest code of the whole run. */
static inline void __attribute__((noreturn)) ktap_finish(void)
{
	int done = ktap_state.next - 1;

	if (done != ktap_state.planned)
		ktap_diag("planned %d cases, ran %d", ktap_state.planned, done);
	ktap_diag("totals: pass:%d fail:%d skip:%d", ktap_state.passed,
		  ktap_state.failed, ktap_state.skipped);
	if (ktap_state.failed || done != ktap_state.planned)
		exit(KTAP_FAIL);
	if (ktap_state.skipped && !ktap_state.passed)
		exit(KTAP_SKIP);
	exit(KTAP_PASS);
}

/* Stop the whole test: the environment cannot run it at all. */
static inline void __attribute__((noreturn, format(printf, 1, 2)))
ktap_exit_skip(const char *why_fmt, ...)
{
	va_list ap;

	printf("1..0 # SKIP ");
	va_start(ap, why_fmt);
	vprintf(why_fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	exit(KTAP_SKIP);
}

/* Abort on a setup error that is not the behaviour under test. */
#define ktap_bail(...) do {					\
	printf("Bail out! ");					\
	printf(__VA_ARGS__);					\
	printf(" (%s)\n", strerror(errno));			\
	exit(KTAP_FAIL);					\
} while (0)

/*
 * Common arguments: "-d SECONDS" for the run time of stress loops.
 * Returns the duration, @def when none is given.
 */
static inline int ktap_duration(int argc, char **argv, int def)
{
	int c;

	while ((c = getopt(argc, argv, "d:")) != -1) {
		if (c == 'd')
			def = atoi(optarg);
	}
	return def > 0 ? def : 1;
}

#endif /* RACEFIX_KTAP_H */
