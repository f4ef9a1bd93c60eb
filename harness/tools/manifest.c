// SPDX-License-Identifier: GPL-2.0
/*
 * manifest - the guest manifest, read by the same parser as /init's
 * (tests/manifest.h).
 *
 *   manifest check FILE
 *	validate every line; each bad line is printed as "FILE:LINE: reason"
 *	on stderr and the exit code is 1.
 *   manifest filter FILE ARCH
 *	the lines for ARCH, without their @ARCH filters (comments kept).
 *   manifest limits FILE DURATION [SELECTION]
 *	"SUM MAX": the sum and the largest of the time limits in seconds, of
 *	the tests SELECTION names (racefix_tests=, a comma list; all when
 *	empty).
 *   manifest select FILE SELECTION
 *	the names SELECTION selects, one per line, in manifest order; a name
 *	the manifest lacks is an error naming it and the known names.
 *
 * Exit codes: 0 done, 1 bad input (a bad line, an unknown name, a bad
 * DURATION, an unreadable file).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tests/manifest.h"

static struct manifest man;
static const char *file;

static void usage(void)
{
	fprintf(stderr,
		"usage: manifest check FILE\n"
		"       manifest filter FILE ARCH\n"
		"       manifest limits FILE DURATION [SELECTION]\n"
		"       manifest select FILE SELECTION\n");
	exit(1);
}

/* Read FILE, report every error as FILE:LINE: reason. 0 if all good. */
static int load(const char *path, const char *arch)
{
	FILE *f = fopen(path, "r");
	int i;

	file = path;
	if (!f) {
		fprintf(stderr, "racefix: error: cannot read the manifest %s: %s: give an existing guest manifest\n",
			path, strerror(errno));
		exit(1);
	}
	manifest_init(&man);
	manifest_read(&man, f, arch);
	fclose(f);
	for (i = 0; i < man.nerrors && i < MANIFEST_MAX_ERRORS; i++)
		fprintf(stderr, "%s:%d: %s\n", path, man.errors[i].line,
			man.errors[i].msg);
	if (man.nerrors > MANIFEST_MAX_ERRORS)
		fprintf(stderr, "%s: %d more errors\n", path,
			man.nerrors - MANIFEST_MAX_ERRORS);
	return man.nerrors;
}

static void print_unknown(const char *name, void *arg)
{
	int i;

	(void)arg;
	fprintf(stderr, "racefix: error: racefix_tests names '%s', which is not a test of %s: give names from:",
		name, file);
	for (i = 0; i < man.ntests; i++)
		fprintf(stderr, "%s%s", i ? "," : " ", man.tests[i].name);
	fputc('\n', stderr);
}

static int do_filter(const char *path, const char *arch)
{
	char line[MANIFEST_LINE_MAX], copy[MANIFEST_LINE_MAX];
	struct manifest_test *t;
	int lineno = 0, before;
	FILE *f;

	if (!manifest_is_name(arch, 1)) {
		fprintf(stderr, "racefix: error: bad ARCH '%s': give an arch name such as x86_64\n",
			arch);
		return 1;
	}
	if (load(path, NULL))
		return 1;
	/* Again, line by line: this time print what ARCH keeps. */
	manifest_init(&man);
	f = fopen(path, "r");
	if (!f)
		return 1;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		snprintf(copy, sizeof(copy), "%s", line);
		before = man.ntests;
		manifest_parse_line(&man, copy, lineno, arch);
		if (man.ntests == before) {
			/* A comment, a blank line, or another arch's test. */
			char *p = line + strspn(line, " \t");

			if (*p == '#' || *p == '\n' || *p == '\0')
				fputs(line, stdout);
			continue;
		}
		t = &man.tests[man.ntests - 1];
		if (t->arches[0]) {
			char *at = strchr(line, '@');
			size_t skip = strcspn(at, " \t\n");

			memmove(at, at + skip, strlen(at + skip) + 1);
		}
		fputs(line, stdout);
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 3)
		usage();
	if (!strcmp(argv[1], "check") && argc == 3) {
		if (load(argv[2], NULL))
			return 1;
		if (!man.ntests) {
			fprintf(stderr, "%s:%d: the manifest names no test\n",
				argv[2], man.lines);
			return 1;
		}
		return 0;
	}
	if (!strcmp(argv[1], "filter") && argc == 4)
		return do_filter(argv[2], argv[3]);
	if (!strcmp(argv[1], "limits") && (argc == 4 || argc == 5)) {
		const char *sel = argc == 5 ? argv[4] : "";
		long sum = 0, max = 0, v;
		char *end;
		long d;

		errno = 0;
		d = strtol(argv[3], &end, 10);
		if (errno || *end || d < 1 || d > 86400 || argv[3][0] == '0') {
			fprintf(stderr, "racefix: error: DURATION='%s' is not a positive whole number of seconds: give e.g. DURATION=10\n",
				argv[3]);
			return 1;
		}
		if (load(argv[2], NULL) || manifest_unknown(&man, sel, print_unknown, NULL))
			return 1;
		for (i = 0; i < man.ntests; i++) {
			if (!manifest_selected(sel, man.tests[i].name))
				continue;
			v = manifest_limit(&man.tests[i], (int)d);
			sum += v;
			if (v > max)
				max = v;
		}
		printf("%ld %ld\n", sum, max);
		return 0;
	}
	if (!strcmp(argv[1], "select") && argc == 4) {
		if (load(argv[2], NULL) ||
		    manifest_unknown(&man, argv[3], print_unknown, NULL))
			return 1;
		for (i = 0; i < man.ntests; i++)
			if (manifest_selected(argv[3], man.tests[i].name))
				printf("%s\n", man.tests[i].name);
		return 0;
	}
	usage();
	return 1;
}
