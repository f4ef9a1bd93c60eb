// SPDX-License-Identifier: GPL-2.0
/*
 * verdict - read one guest console log and say what happened.
 *
 * Finds the KTAP result of every test /init ran, every kernel splat
 * (KCSAN data races kept as their "A / B" signature, BUG, WARNING, Oops,
 * panic, hung task, RCU stall, soft lockup) and the run's outcome from
 * qemu-run's status file, and writes them to OUTDIR as
 *
 *   tests.tsv    name, result (pass, fail, skip), directive
 *   splats.tsv   kind, signature, count, first timestamp, target (0/1),
 *                seconds from the start of the test it fell in
 *   metrics.tsv  test, name, value of each "# metric: NAME VALUE" line a
 *                test printed (behaviour worth comparing between kernels)
 *   results.ktap the run as a KTAP document
 *   results.json the same for programs
 *
 * A signature is a target when it matches a line of the -f file
 * (POSIX extended regular expressions, '#' starts a comment): the races
 * the series under test declares fixed.
 *
 * Exit codes: 0 parsed, 1 could not run (bad arguments, unreadable
 * input).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TESTS	64
#define MAX_SPLATS	256
#define MAX_PATTERNS	64
#define SENTINEL	"racefix-init: done"

struct test {
	char name[64];
	char result[8];
	char directive[128];
};

struct splat {
	char kind[16];
	char sig[256];
	int count;
	double first_ts;
	double since_start;
	int target;
};

struct metric {
	char test[64];
	char name[64];
	char value[64];
};

#define MAX_METRICS	128
static struct metric metrics[MAX_METRICS];
static int nmetrics;
static char current_test[64];

static struct test tests[MAX_TESTS];
static int ntests;
static struct splat splats[MAX_SPLATS];
static int nsplats;
static regex_t patterns[MAX_PATTERNS];
static int npatterns;

static char outcome[128] = "unknown";
static long long elapsed_ms = -1;
static int saw_sentinel, saw_ktap;
static double test_start_ts = -1;

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "verdict: ");
	fprintf(stderr, fmt, arg, strerror(errno));
	fputc('\n', stderr);
	exit(1);
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* "func+0x12/0x40 [mod]" -> "func" */
static void strip_offset(char *s)
{
	char *p = strstr(s, "+0x");

	if (p)
		*p = '\0';
	chomp(s);
}

/* "do_mremap+0x27e/0x9f4" -> "do_mremap", wherever it occurs. */
static void strip_offsets(char *s)
{
	char *p;

	while ((p = strstr(s, "+0x"))) {
		char *q = p + 3;

		q += strspn(q, "0123456789abcdef");
		if (q[0] == '/' && q[1] == '0' && q[2] == 'x') {
			q += 3;
			q += strspn(q, "0123456789abcdef");
		}
		memmove(p, q, strlen(q) + 1);
	}
}

/* Hide addresses and ids so that one bug keeps one signature. */
static void normalize(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (r[0] == '0' && r[1] == 'x') {
			r += 2;
			while (isxdigit((unsigned char)*r))
				r++;
			*w++ = 'X';
		} else if (isxdigit((unsigned char)*r) &&
			   strspn(r, "0123456789abcdef") >= 8) {
			r += strspn(r, "0123456789abcdef");
			*w++ = 'X';
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	chomp(s);
}

static int is_target(const char *sig)
{
	int i;

	for (i = 0; i < npatterns; i++)
		if (!regexec(&patterns[i], sig, 0, NULL, 0))
			return 1;
	return 0;
}

static void add_splat(const char *kind, char *sig, double ts)
{
	struct splat *s;
	int i;

	normalize(sig);
	for (i = 0; i < nsplats; i++) {
		if (!strcmp(splats[i].kind, kind) &&
		    !strcmp(splats[i].sig, sig)) {
			splats[i].count++;
			return;
		}
	}
	if (nsplats == MAX_SPLATS)
		return;
	s = &splats[nsplats++];
	snprintf(s->kind, sizeof(s->kind), "%s", kind);
	snprintf(s->sig, sizeof(s->sig), "%s", sig);
	s->count = 1;
	s->first_ts = ts;
	s->since_start = (ts >= 0 && test_start_ts >= 0) ?
			 ts - test_start_ts : -1;
	s->target = !strcmp(kind, "kcsan") && is_target(sig);
}

static void parse_ktap(const char *line)
{
	const char *p = line;
	struct test *t;
	const char *hash;
	int ok = 1;

	if (!strncmp(p, "not ok ", 7)) {
		ok = 0;
		p += 7;
	} else if (!strncmp(p, "ok ", 3)) {
		p += 3;
	} else {
		return;
	}
	if (!isdigit((unsigned char)*p) || ntests == MAX_TESTS)
		return;
	while (isdigit((unsigned char)*p))
		p++;
	while (*p == ' ')
		p++;
	t = &tests[ntests++];
	hash = strstr(p, " # ");
	snprintf(t->name, sizeof(t->name), "%.*s",
		 (int)(hash ? hash - p : (long)strlen(p)), p);
	snprintf(t->directive, sizeof(t->directive), "%s",
		 hash ? hash + 3 : "");
	if (ok && hash && !strncasecmp(hash + 3, "SKIP", 4))
		strcpy(t->result, "skip");
	else
		strcpy(t->result, ok ? "pass" : "fail");
}

static void parse_line(char *line)
{
	char buf[1024], *p = line, *q;
	double ts = -1;

	chomp(line);
	/* printk timestamp: "[   12.345678] " */
	if (*p == '[') {
		char *end = strchr(p, ']');

		if (end) {
			ts = strtod(p + 1, NULL);
			p = end + 1;
			while (*p == ' ')
				p++;
		}
	}
	if (ts < 0 && !strncmp(p, "  # metric: ", 12) && nmetrics < MAX_METRICS) {
		struct metric *m = &metrics[nmetrics];

		if (sscanf(p + 12, "%63s %63s", m->name, m->value) == 2) {
			snprintf(m->test, sizeof(m->test), "%s", current_test);
			nmetrics++;
		}
		return;
	}
	if (ts < 0) {
		/* Output of /init itself: top-level KTAP only. */
		if (!strcmp(p, "KTAP version 1"))
			saw_ktap = 1;
		else if (saw_ktap)
			parse_ktap(p);
		if (strstr(p, SENTINEL) == p)
			saw_sentinel = 1;
		return;
	}
	snprintf(buf, sizeof(buf), "%s", p);

	if (!strncmp(p, "racefix: start ", 15)) {
		test_start_ts = ts;
		snprintf(current_test, sizeof(current_test), "%s", p + 15);
	} else if ((q = strstr(buf, "BUG: KCSAN: data-race in "))) {
		q += strlen("BUG: KCSAN: data-race in ");
		/* A race of unknown origin names one function, with offset. */
		strip_offsets(q);
		add_splat("kcsan", q, ts);
	} else if ((q = strstr(buf, "BUG: KCSAN: "))) {
		add_splat("kcsan", q + strlen("BUG: KCSAN: "), ts);
	} else if ((q = strstr(buf, "soft lockup - "))) {
		/* "soft lockup - CPU#0 stuck for 22s! [comm:pid]" */
		char who[256];

		q = strrchr(buf, '[');
		snprintf(who, sizeof(who), "%s", q ? q : "soft lockup");
		add_splat("softlockup", who, ts);
	} else if ((q = strstr(buf, "BUG: "))) {
		add_splat("bug", q + 5, ts);
	} else if (!strncmp(buf, "WARNING: ", 9)) {
		q = strstr(buf, " at ");
		if (q) {
			q += 4;
			strip_offset(q);
		} else {
			q = buf + 9;
		}
		add_splat("warning", q, ts);
	} else if (!strncmp(buf, "Oops", 4)) {
		add_splat("oops", buf, ts);
	} else if ((q = strstr(buf, "Kernel panic - not syncing"))) {
		q += strlen("Kernel panic - not syncing");
		q += strspn(q, ": ");
		add_splat("panic", q, ts);
	} else if (!strncmp(buf, "INFO: task ", 11) &&
		   strstr(buf, "blocked for more than")) {
		q = strchr(buf + 11, ':');
		if (q)
			*q = '\0';
		add_splat("hung", buf + 11, ts);
	} else if (strstr(buf, "detected stall") ||
		   strstr(buf, "self-detected stall")) {
		add_splat("rcustall", buf, ts);
	}
}

static void read_status(const char *path)
{
	char line[128];
	FILE *f = fopen(path, "r");

	if (!f)
		die("cannot read status %s: %s", path);
	while (fgets(line, sizeof(line), f)) {
		chomp(line);
		if (!strncmp(line, "outcome=", 8))
			snprintf(outcome, sizeof(outcome), "%s", line + 8);
		else if (!strncmp(line, "elapsed_ms=", 11))
			elapsed_ms = atoll(line + 11);
	}
	fclose(f);
}

static void read_patterns(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		die("cannot read signature file %s: %s", path);
	while (fgets(line, sizeof(line), f) && npatterns < MAX_PATTERNS) {
		chomp(line);
		if (!line[0] || line[0] == '#')
			continue;
		if (regcomp(&patterns[npatterns], line, REG_EXTENDED | REG_NOSUB)) {
			errno = EINVAL;
			die("bad pattern '%s': %s", line);
		}
		npatterns++;
	}
	fclose(f);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static FILE *out_open(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		die("cannot write %s: %s", path);
	return f;
}

static void write_results(const char *dir)
{
	FILE *f;
	int i, n;

	f = out_open(dir, "tests.tsv");
	for (i = 0; i < ntests; i++)
		fprintf(f, "%s\t%s\t%s\n", tests[i].name, tests[i].result,
			tests[i].directive);
	fclose(f);

	f = out_open(dir, "splats.tsv");
	for (i = 0; i < nsplats; i++)
		fprintf(f, "%s\t%s\t%d\t%.6f\t%d\t%.6f\n", splats[i].kind,
			splats[i].sig, splats[i].count, splats[i].first_ts,
			splats[i].target, splats[i].since_start);
	fclose(f);

	f = out_open(dir, "metrics.tsv");
	for (i = 0; i < nmetrics; i++)
		fprintf(f, "%s\t%s\t%s\n", metrics[i].test, metrics[i].name,
			metrics[i].value);
	fclose(f);

	f = out_open(dir, "results.ktap");
	fprintf(f, "KTAP version 1\n1..%d\n", ntests + 1);
	fprintf(f, "# outcome: %s, %lld ms\n", outcome, elapsed_ms);
	for (i = 0; i < nsplats; i++)
		fprintf(f, "# splat: %s: %s (x%d)%s\n", splats[i].kind,
			splats[i].sig, splats[i].count,
			splats[i].target ? " [target]" : "");
	for (i = 0; i < ntests; i++)
		fprintf(f, "%s %d %s%s%s\n",
			strcmp(tests[i].result, "fail") ? "ok" : "not ok",
			i + 1, tests[i].name,
			tests[i].directive[0] ? " # " : "",
			tests[i].directive);
	n = !strcmp(outcome, "poweroff") && saw_sentinel;
	fprintf(f, "%s %d boot # %s%s\n", n ? "ok" : "not ok", ntests + 1,
		outcome, saw_sentinel ? "" : ", no sentinel");
	fclose(f);

	f = out_open(dir, "results.json");
	fprintf(f, "{\n  \"outcome\": ");
	json_str(f, outcome);
	fprintf(f, ",\n  \"elapsed_ms\": %lld,\n  \"sentinel\": %s,\n",
		elapsed_ms, saw_sentinel ? "true" : "false");
	fprintf(f, "  \"tests\": [");
	for (i = 0; i < ntests; i++) {
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_str(f, tests[i].name);
		fprintf(f, ", \"result\": \"%s\", \"directive\": ",
			tests[i].result);
		json_str(f, tests[i].directive);
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n  \"splats\": [");
	for (i = 0; i < nsplats; i++) {
		fprintf(f, "%s\n    {\"kind\": \"%s\", \"signature\": ",
			i ? "," : "", splats[i].kind);
		json_str(f, splats[i].sig);
		fprintf(f, ", \"count\": %d, \"first_ts\": %.6f, \"target\": %s, \"since_test_start\": %.6f}",
			splats[i].count, splats[i].first_ts,
			splats[i].target ? "true" : "false",
			splats[i].since_start);
	}
	fprintf(f, "\n  ]\n}\n");
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *log = NULL, *status = NULL, *outdir = NULL;
	char line[4096];
	int i, failed = 0, targets = 0, opt;
	FILE *f;

	while ((opt = getopt(argc, argv, "l:s:o:f:")) != -1) {
		switch (opt) {
		case 'l':
			log = optarg;
			break;
		case 's':
			status = optarg;
			break;
		case 'o':
			outdir = optarg;
			break;
		case 'f':
			read_patterns(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (!log || !outdir)
		goto usage;
	if (status)
		read_status(status);

	f = fopen(log, "r");
	if (!f)
		die("cannot read console log %s: %s", log);
	while (fgets(line, sizeof(line), f))
		parse_line(line);
	fclose(f);

	/* A run that did not end cleanly is a splat of its own. */
	if (strcmp(outcome, "poweroff") || !saw_sentinel) {
		snprintf(line, sizeof(line), "%s%s", outcome,
			 saw_sentinel ? "" : ", no sentinel");
		add_splat("boot", line, -1);
	}
	write_results(outdir);

	for (i = 0; i < ntests; i++)
		failed += !strcmp(tests[i].result, "fail");
	for (i = 0; i < nsplats; i++)
		targets += splats[i].target ? splats[i].count : 0;
	printf("outcome %s, %d tests, %d failed, %d splat signatures, %d target reports\n",
	       outcome, ntests, failed, nsplats, targets);
	return 0;
usage:
	fprintf(stderr, "usage: verdict -l CONSOLE_LOG -o OUTDIR [-s STATUS] [-f SIGNATURES]\n");
	return 1;
}
