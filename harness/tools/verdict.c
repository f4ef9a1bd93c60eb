// SPDX-License-Identifier: GPL-2.0
/*
 * verdict - read one guest console log and say what happened in it.
 *
 * Reads the console (harness/tools/console.h, the same parser the judge
 * uses) and qemu-run's status file, and writes to OUTDIR
 *
 *   tests.tsv    name, result (pass, fail, skip), directive
 *   subtests.tsv name, nested ok, not ok, skip (a test's own KTAP)
 *   splats.tsv   kind, signature, count, first timestamp, target (0/1),
 *                seconds from the start of the test it fell in
 *   metrics.tsv  test, name, value of each "# metric: NAME VALUE" line a
 *                test printed (behaviour worth comparing between kernels)
 *   results.ktap the boot as a KTAP document
 *   results.json the same for programs
 *
 * and prints one line about the boot. It judges nothing beyond the one
 * boot: the series' verdict is the judge's (harness/tools/judge.c).
 *
 * A signature is a target when it matches a line of the -f file
 * (POSIX extended regular expressions, '#' starts a comment): the races
 * a series declares fixed.
 *
 * Exit codes: 0 parsed, 1 could not run (bad arguments, unreadable
 * input, a bad pattern).
 */
#define _GNU_SOURCE
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"

#define MAX_PATTERNS	64

static struct console con;
static regex_t patterns[MAX_PATTERNS];
static int npatterns;

static void __attribute__((noreturn)) die(const char *what, const char *path)
{
	fprintf(stderr, "racefix: error: cannot %s %s: %s: check the path\n",
		what, path, strerror(errno));
	exit(1);
}

static void read_patterns(const char *path)
{
	char line[512], err[256];
	FILE *f = fopen(path, "r");
	int lineno = 0, rc;

	if (!f)
		die("read the signature file", path);
	while (fgets(line, sizeof(line), f) && npatterns < MAX_PATTERNS) {
		lineno++;
		console_chomp(line);
		if (!line[0] || line[0] == '#')
			continue;
		rc = regcomp(&patterns[npatterns], line, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			regerror(rc, &patterns[npatterns], err, sizeof(err));
			fprintf(stderr, "%s:%d: %s\n", path, lineno, err);
			exit(1);
		}
		npatterns++;
	}
	fclose(f);
}

static int is_target(const char *sig)
{
	int i;

	for (i = 0; i < npatterns; i++)
		if (!regexec(&patterns[i], sig, 0, NULL, 0))
			return 1;
	return 0;
}

static FILE *out_open(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		die("write", path);
	return f;
}

static void write_results(const char *dir)
{
	struct console *c = &con;
	FILE *f;
	int i, clean = console_clean(c);

	f = out_open(dir, "tests.tsv");
	for (i = 0; i < c->ntests; i++)
		fprintf(f, "%s\t%s\t%s\n", c->tests[i].name, c->tests[i].result,
			c->tests[i].directive);
	fclose(f);

	f = out_open(dir, "subtests.tsv");
	for (i = 0; i < c->ntests; i++)
		fprintf(f, "%s\t%d\t%d\t%d\n", c->tests[i].name,
			c->tests[i].nested_ok, c->tests[i].nested_fail,
			c->tests[i].nested_skip);
	fclose(f);

	f = out_open(dir, "splats.tsv");
	for (i = 0; i < c->nsplats; i++)
		fprintf(f, "%s\t%s\t%d\t%.6f\t%d\t%.6f\n", c->splats[i].kind,
			c->splats[i].sig, c->splats[i].count,
			c->splats[i].first_ts, c->splats[i].target,
			c->splats[i].since_start);
	fclose(f);

	f = out_open(dir, "metrics.tsv");
	for (i = 0; i < c->nmetrics; i++)
		fprintf(f, "%s\t%s\t%s\n", c->metrics[i].test,
			c->metrics[i].name, c->metrics[i].value);
	fclose(f);

	f = out_open(dir, "results.ktap");
	fprintf(f, KTAP_VERSION_LINE "\n1..%d\n", c->ntests + 1);
	fprintf(f, "# outcome: %s, %lld ms\n", c->outcome, c->elapsed_ms);
	for (i = 0; i < c->nsplats; i++)
		fprintf(f, "# splat: %s: %s (x%d)%s\n", c->splats[i].kind,
			c->splats[i].sig, c->splats[i].count,
			c->splats[i].target ? " [target]" : "");
	for (i = 0; i < c->ntests; i++)
		fprintf(f, "%s %d %s%s%s\n",
			strcmp(c->tests[i].result, RESULT_FAIL) ? "ok" : "not ok",
			i + 1, c->tests[i].name,
			c->tests[i].directive[0] ? KTAP_DIRECTIVE : "",
			c->tests[i].directive);
	fprintf(f, "%s %d boot # %s%s\n", clean ? "ok" : "not ok",
		c->ntests + 1, c->outcome, c->sentinel ? "" : ", no sentinel");
	fclose(f);

	f = out_open(dir, "results.json");
	fprintf(f, "{\n  \"outcome\": ");
	json_str(f, c->outcome);
	fprintf(f, ",\n  \"elapsed_ms\": %lld,\n  \"sentinel\": %s,\n  \"plan\": %d,\n  \"kcsan\": %s,\n",
		c->elapsed_ms, c->sentinel ? "true" : "false", c->plan,
		c->kcsan ? "true" : "false");
	fprintf(f, "  \"tests\": [");
	for (i = 0; i < c->ntests; i++) {
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_str(f, c->tests[i].name);
		fprintf(f, ", \"result\": \"%s\", \"directive\": ",
			c->tests[i].result);
		json_str(f, c->tests[i].directive);
		fprintf(f, ", \"subtests\": {\"ok\": %d, \"not_ok\": %d, \"skip\": %d}}",
			c->tests[i].nested_ok, c->tests[i].nested_fail,
			c->tests[i].nested_skip);
	}
	fprintf(f, "\n  ],\n  \"splats\": [");
	for (i = 0; i < c->nsplats; i++) {
		fprintf(f, "%s\n    {\"kind\": \"%s\", \"signature\": ",
			i ? "," : "", c->splats[i].kind);
		json_str(f, c->splats[i].sig);
		fprintf(f, ", \"count\": %d, \"first_ts\": %.6f, \"target\": %s, \"since_test_start\": %.6f}",
			c->splats[i].count, c->splats[i].first_ts,
			c->splats[i].target ? "true" : "false",
			c->splats[i].since_start);
	}
	fprintf(f, "\n  ]\n}\n");
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *log = NULL, *status = NULL, *outdir = NULL;
	int i, failed = 0, targets = 0, opt;

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
	console_init(&con);
	if (status && console_read_status(&con, status))
		die("read the status file", status);
	if (console_read_log(&con, log))
		die("read the console log", log);
	for (i = 0; i < con.nsplats; i++)
		con.splats[i].target = !strcmp(con.splats[i].kind, "kcsan") &&
				       is_target(con.splats[i].sig);
	write_results(outdir);

	for (i = 0; i < con.ntests; i++)
		failed += !strcmp(con.tests[i].result, RESULT_FAIL);
	for (i = 0; i < con.nsplats; i++)
		targets += con.splats[i].target ? con.splats[i].count : 0;
	if (npatterns)
		printf("outcome %s, %d tests, %d failed, %d splat signatures, %d target reports\n",
		       con.outcome, con.ntests, failed, con.nsplats, targets);
	else
		printf("outcome %s, %d tests, %d failed, %d splat signatures\n",
		       con.outcome, con.ntests, failed, con.nsplats);
	return 0;
usage:
	fprintf(stderr, "usage: verdict -l CONSOLE_LOG -o OUTDIR [-s STATUS] [-f SIGNATURES]\n");
	return 1;
}
