/* SPDX-License-Identifier: GPL-2.0 */
/*
 * manifest.h - the one parser of racefix's guest manifest.
 *
 * Used by the guest's /init (static, cross-compiled: no allocation) and
 * by the host tools (manifest, judge). One test per line:
 *
 *   NAME[@ARCH[,ARCH...]]  TIMEOUT  PATH  [ARG...]   # comment
 *
 *   NAME     letters, digits, '_', '-', '.'; unique per arch. @ARCH limits
 *            the test to those arches (racefix's ARCH names, which are
 *            also uname -m of the guest: x86_64, sparc64).
 *   TIMEOUT  whole seconds (1 to 86400), or "[K]D[+N]": K (default 1)
 *            times the run time of the race tests (DURATION) plus N
 *            seconds.
 *   PATH     the program, /bin/NAME or /bin/selftests/NAME.
 *   ARG      at most MANIFEST_MAX_ARGS - 1 of them; "@DURATION@" becomes
 *            the run time in seconds.
 *
 * '#' at the start of a word starts a comment; blank lines are ignored.
 * A line "# racefix: not built: LINE # why" (written by initramfs.sh for
 * a program that could not be built) is remembered as a test left out.
 *
 * Every error names the line: manifest_error(m, i) gives "LINE: reason";
 * callers prefix the file name. Nothing is dropped silently: a bad line
 * is an error, never a shorter plan.
 */
#ifndef RACEFIX_MANIFEST_H
#define RACEFIX_MANIFEST_H

#include <stdio.h>
#include <string.h>

#define MANIFEST_MAX_TESTS	64
#define MANIFEST_MAX_ARGS	16	/* including the program path */
#define MANIFEST_MAX_ERRORS	16
#define MANIFEST_MAX_LEFT_OUT	16
#define MANIFEST_LINE_MAX	512
#define MANIFEST_NAME_MAX	64
#define MANIFEST_MAX_TIMEOUT	86400
#define MANIFEST_DURATION_ARG	"@DURATION@"

struct manifest_test {
	char name[MANIFEST_NAME_MAX];	/* without the @ARCH filter */
	char arches[MANIFEST_NAME_MAX];	/* "" for every arch, else "a,b" */
	int line;
	int k;				/* TIMEOUT = k * DURATION + n */
	int n;
	int argc;
	/* The words PATH ARG..., NUL-separated, and where each starts. */
	char words[MANIFEST_LINE_MAX];
	short word[MANIFEST_MAX_ARGS];
};

struct manifest_error {
	int line;
	char name[MANIFEST_NAME_MAX];	/* the test's name if one was read */
	char msg[160];
};

struct manifest {
	struct manifest_test tests[MANIFEST_MAX_TESTS];
	int ntests;
	struct manifest_error errors[MANIFEST_MAX_ERRORS];
	int nerrors;			/* may exceed MANIFEST_MAX_ERRORS */
	char left_out[MANIFEST_MAX_LEFT_OUT][MANIFEST_NAME_MAX];
	int nleft_out;
	int lines;
};

static inline void manifest_init(struct manifest *m)
{
	memset(m, 0, sizeof(*m));
}

static inline void manifest_fail(struct manifest *m, int line,
				 const char *name, const char *what,
				 const char *detail)
{
	struct manifest_error *e;

	if (m->nerrors++ >= MANIFEST_MAX_ERRORS)
		return;
	e = &m->errors[m->nerrors - 1];
	e->line = line;
	snprintf(e->name, sizeof(e->name), "%s", name ? name : "");
	snprintf(e->msg, sizeof(e->msg), "%s%s%s%s", what,
		 detail ? " '" : "", detail ? detail : "", detail ? "'" : "");
}

static inline int manifest_is_name(const char *s, int arch)
{
	if (!*s)
		return 0;
	for (; *s; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' ||
		      (!arch && (c == '-' || c == '.'))))
			return 0;
	}
	return 1;
}

/* A non-negative decimal number of at most 6 digits, or -1. */
static inline int manifest_number(const char *s, size_t len)
{
	int v = 0;
	size_t i;

	if (!len || len > 6)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "120" -> k 0, n 120; "2D+30" -> k 2, n 30; "D" -> k 1, n 0. */
static inline int manifest_timeout(const char *s, int *k, int *n)
{
	const char *d = strchr(s, 'D');

	if (!d) {
		*k = 0;
		*n = manifest_number(s, strlen(s));
		return *n >= 1 && *n <= MANIFEST_MAX_TIMEOUT;
	}
	*k = d == s ? 1 : manifest_number(s, d - s);
	if (*k < 1 || *k > 1000)
		return 0;
	if (!d[1]) {
		*n = 0;
		return 1;
	}
	if (d[1] != '+')
		return 0;
	*n = manifest_number(d + 2, strlen(d + 2));
	return *n >= 0 && *n <= MANIFEST_MAX_TIMEOUT;
}

static inline int manifest_arch_in(const char *arches, const char *arch)
{
	size_t len = strlen(arch);
	const char *p = arches;

	if (!*arches)
		return 1;
	while ((p = strstr(p, arch))) {
		if ((p == arches || p[-1] == ',') &&
		    (p[len] == ',' || p[len] == '\0'))
			return 1;
		p += len;
	}
	return 0;
}

/* Do two arch lists share an arch ("" is every arch)? */
static inline int manifest_arches_meet(const char *a, const char *b)
{
	char one[MANIFEST_NAME_MAX];
	const char *p = a;

	if (!*a || !*b)
		return 1;
	while (*p) {
		size_t len = strcspn(p, ",");

		snprintf(one, sizeof(one), "%.*s", (int)len, p);
		if (manifest_arch_in(b, one))
			return 1;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static inline struct manifest_test *manifest_find(struct manifest *m,
						  const char *name)
{
	int i;

	for (i = 0; i < m->ntests; i++)
		if (!strcmp(m->tests[i].name, name))
			return &m->tests[i];
	return NULL;
}

/*
 * manifest_parse_line - read one line (modified in place).
 * @arch: keep only the tests for this arch; NULL keeps every line (and
 *        checks names for duplicates per arch).
 * Returns 0, or -1 after recording an error.
 */
static inline int manifest_parse_line(struct manifest *m, char *line,
				      int lineno, const char *arch)
{
	static const char *sep = " \t\r\n";
	struct manifest_test *t, tmp;
	char *w[MANIFEST_MAX_ARGS + 3], *p, *at;
	int nw = 0, i;
	size_t used = 0;

	m->lines = lineno;
	p = line + strspn(line, sep);
	if (!strncmp(p, "# racefix: not built: ", 22)) {
		p += 22;
		if (m->nleft_out < MANIFEST_MAX_LEFT_OUT)
			snprintf(m->left_out[m->nleft_out++], MANIFEST_NAME_MAX,
				 "%.*s", (int)strcspn(p, " \t@"), p);
		return 0;
	}
	/* The words, up to a word starting with '#'. */
	for (p = line; nw < MANIFEST_MAX_ARGS + 3; ) {
		p += strspn(p, sep);
		if (!*p || *p == '#')
			break;
		w[nw++] = p;
		p += strcspn(p, sep);
		if (*p)
			*p++ = '\0';
	}
	if (!nw)
		return 0;

	memset(&tmp, 0, sizeof(tmp));
	tmp.line = lineno;
	at = strchr(w[0], '@');
	if (at) {
		*at = '\0';
		snprintf(tmp.arches, sizeof(tmp.arches), "%s", at + 1);
	}
	snprintf(tmp.name, sizeof(tmp.name), "%s", w[0]);
	if (strlen(w[0]) >= MANIFEST_NAME_MAX || !manifest_is_name(w[0], 0)) {
		manifest_fail(m, lineno, NULL,
			      "bad test name (letters, digits, _ - . only)",
			      w[0]);
		return -1;
	}
	if (at) {
		char copy[MANIFEST_NAME_MAX], *a, *s = NULL;
		int good = at[1] != '\0' && strlen(at + 1) < MANIFEST_NAME_MAX;

		snprintf(copy, sizeof(copy), "%s", at + 1);
		for (a = strtok_r(copy, ",", &s); good && a;
		     a = strtok_r(NULL, ",", &s))
			good = manifest_is_name(a, 1);
		if (!good || at[strlen(at + 1)] == ',' || at[1] == ',' ||
		    strstr(at + 1, ",,")) {
			manifest_fail(m, lineno, tmp.name,
				      "bad arch list after @ (NAME@ARCH[,ARCH])",
				      at + 1);
			return -1;
		}
	}
	if (nw < 2) {
		manifest_fail(m, lineno, tmp.name,
			      "no time limit and no program (NAME TIMEOUT PATH [ARG...])",
			      NULL);
		return -1;
	}
	if (!manifest_timeout(w[1], &tmp.k, &tmp.n)) {
		manifest_fail(m, lineno, tmp.name,
			      "bad time limit (whole seconds 1-86400, or [K]D[+N])",
			      w[1]);
		return -1;
	}
	if (nw < 3) {
		manifest_fail(m, lineno, tmp.name,
			      "no program path (NAME TIMEOUT PATH [ARG...])",
			      NULL);
		return -1;
	}
	if (strncmp(w[2], "/bin/", 5) || strstr(w[2], "/..") ||
	    strstr(w[2], "//") || w[2][strlen(w[2]) - 1] == '/') {
		manifest_fail(m, lineno, tmp.name,
			      "program path not under /bin", w[2]);
		return -1;
	}
	if (nw - 2 > MANIFEST_MAX_ARGS) {
		char max[16];

		snprintf(max, sizeof(max), "%d", MANIFEST_MAX_ARGS - 1);
		manifest_fail(m, lineno, tmp.name,
			      "too many arguments, the most is", max);
		return -1;
	}
	for (i = 2; i < nw; i++) {
		size_t len = strlen(w[i]);

		if (w[i][0] == '@' && strcmp(w[i], MANIFEST_DURATION_ARG)) {
			manifest_fail(m, lineno, tmp.name,
				      "unknown placeholder (only @DURATION@)",
				      w[i]);
			return -1;
		}
		tmp.word[tmp.argc++] = (short)used;
		memcpy(tmp.words + used, w[i], len + 1);
		used += len + 1;
	}
	if (arch && !manifest_arch_in(tmp.arches, arch))
		return 0;
	for (i = 0; i < m->ntests; i++) {
		t = &m->tests[i];
		if (!strcmp(t->name, tmp.name) &&
		    manifest_arches_meet(t->arches, tmp.arches)) {
			char first[32];

			snprintf(first, sizeof(first), "%d", t->line);
			manifest_fail(m, lineno, tmp.name,
				      "duplicate test name, first on line", first);
			return -1;
		}
	}
	if (m->ntests == MANIFEST_MAX_TESTS) {
		manifest_fail(m, lineno, tmp.name, "too many tests", NULL);
		return -1;
	}
	m->tests[m->ntests++] = tmp;
	return 0;
}

/* Read a whole manifest. Returns the number of errors. */
static inline int manifest_read(struct manifest *m, FILE *f, const char *arch)
{
	char line[MANIFEST_LINE_MAX];
	int lineno = 0, longline = 0;

	while (fgets(line, sizeof(line), f)) {
		int complete = strchr(line, '\n') != NULL || feof(f);

		if (longline) {
			longline = !complete;
			continue;
		}
		lineno++;
		if (!complete) {
			longline = 1;
			manifest_fail(m, lineno, NULL, "line too long", NULL);
			continue;
		}
		manifest_parse_line(m, line, lineno, arch);
	}
	return m->nerrors;
}

/* The time limit of a test in seconds. */
static inline long manifest_limit(const struct manifest_test *t, int duration)
{
	return (long)t->k * duration + t->n;
}

/*
 * The argv of a test for execv: pointers into @t, with @DURATION@
 * replaced by @duration. @argv has room for MANIFEST_MAX_ARGS + 1.
 */
static inline void manifest_argv(struct manifest_test *t, char *duration,
				 char **argv)
{
	int i;

	for (i = 0; i < t->argc; i++) {
		argv[i] = t->words + t->word[i];
		if (!strcmp(argv[i], MANIFEST_DURATION_ARG))
			argv[i] = duration;
	}
	argv[t->argc] = NULL;
}

static inline const char *manifest_path(const struct manifest_test *t)
{
	return t->words + t->word[0];
}

/* Is NAME in the comma list SELECTION ("" or NULL selects all)? */
static inline int manifest_selected(const char *selection, const char *name)
{
	size_t len = strlen(name);
	const char *p = selection;

	if (!selection || !*selection)
		return 1;
	while ((p = strstr(p, name))) {
		if ((p == selection || p[-1] == ',') &&
		    (p[len] == ',' || p[len] == '\0'))
			return 1;
		p += len;
	}
	return 0;
}

/*
 * The names of SELECTION that are not tests of @m, each passed to
 * @unknown (with @arg). Returns how many there were. An empty word (as in
 * "a,,b") counts as unknown too.
 */
static inline int manifest_unknown(struct manifest *m, const char *selection,
				   void (*unknown)(const char *name, void *arg),
				   void *arg)
{
	char name[MANIFEST_NAME_MAX];
	const char *p = selection;
	int bad = 0;

	if (!selection || !*selection)
		return 0;
	for (;;) {
		size_t len = strcspn(p, ",");

		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		if (!len || len >= MANIFEST_NAME_MAX || !manifest_find(m, name)) {
			bad++;
			if (unknown)
				unknown(name, arg);
		}
		p += len;
		if (!*p)
			break;
		p++;
	}
	return bad;
}

#endif /* RACEFIX_MANIFEST_H */
