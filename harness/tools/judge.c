// SPDX-License-Identifier: GPL-2.0
/*
 * judge - the verdict of one series on one arch, from every boot.
 *
 *   judge --check SERIES_DIR
 *   judge [-S] [-s SELECTION] [-a ARCH] -m GUEST_MANIFEST -d SERIES_DIR RUN_SERIES_DIR
 *
 * --check compiles the series' signatures, unrelated and fixed-tests
 * files before anything is built: a bad regular expression is
 * "FILE:LINE: regex error", a pattern that matches everything (it matches
 * "", "x" and "foo / bar" alike) is refused, a fixed test must be named
 * with its reason and be a test of SERIES_DIR/tests.
 *
 * Otherwise it reads the guest manifest (tests/manifest.h), the series'
 * files and every boot RUN_SERIES_DIR/VARIANT/N/ (console.log, status,
 * run.json) of every variant: A is the unpatched base, every other
 * directory (B, C1, C2, ...) a variant judged against A. A variant
 * directory with a file "failed" (one line: why it was not built) and no
 * boots fails with that reason; "label" names it in the table. The
 * console is read with harness/tools/console.h, as verdict reads it.
 *
 * The rules (README "How the verdict is reached"):
 *  - every boot ends cleanly (powered off after the sentinel), on every
 *    kernel, A too; every test the manifest selects for the arch
 *    (racefix_tests= of the boot's kernel arguments in run.json, or -s)
 *    reports a result in every boot; a boot with no result fails;
 *  - a test that passed on A and is skipped on a variant fails it; a
 *    test skipped on every kernel is inconclusive;
 *  - a test that fails on a variant fails it, unless it failed on A in
 *    every A boot too ("fails on both kernels", reported); one that fails
 *    only on A is a change of behaviour the series does not declare:
 *    inconclusive;
 *  - a fixed test (SERIES_DIR/fixed-tests) must fail on A in at least one
 *    boot (else inconclusive) and pass on the variant in every boot (else
 *    fail);
 *  - a declared race (SERIES_DIR/signatures, KCSAN "A / B" signatures)
 *    on a variant fails it; if the series declares races and the kernel
 *    runs KCSAN, at least one A boot must show one (else inconclusive:
 *    the unpatched kernel did not reproduce); a splat a variant shows and
 *    no A boot showed fails it, unless it is a race declared unrelated;
 *  - a series with patches needs patched boots, and every series needs A.
 * With -S the boots are a regression suite's (the base tree's selftests,
 * patches/SERIES/suite), not a race test: every rule above holds except
 * that A need not show a declared race, and a fixed test the suite does
 * not run is not judged.
 * The series' verdict is A's and B's (or A's alone for a series with no
 * patches); candidates C1.. get a verdict each, shown beside it.
 *
 * Writes RUN_SERIES_DIR/summary.json and summary.txt, prints the table.
 * Exit codes: 0 PASS, 2 FAIL, 3 INCONCLUSIVE, 1 could not judge.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console.h"
#include "../../tests/manifest.h"

#define MAX_PATTERNS	64
#define MAX_VARIANTS	16
#define MAX_BOOTS	1000
#define MAX_SPLATS	512
#define MAX_METRICS	128
#define MAX_VALUES	64
#define MAX_REASONS	256

enum sev { NOTE, INCONCLUSIVE, FAIL };
static const char *sev_name[] = { "NOTE", "INCONCLUSIVE", "FAIL" };
static const int sev_exit[] = { 0, 3, 2 };

struct pattern {
	regex_t re;
	char text[256];
	char reason[256];		/* fixed-tests: the reason */
	char file[64];
	int line;
};

struct pattern_set {
	struct pattern p[MAX_PATTERNS];
	int n;
};

struct boot {
	int n;
	struct console *c;
	char selection[512];
	int clean;
};

struct count {
	int pass, fail, skip, missing;
	int nok, nfail, nskip;		/* nested subtests, all boots */
};

struct variant {
	char name[32];
	char label[64];
	char failed[512];
	struct boot *boots;
	int nboots;
	struct count tests[MANIFEST_MAX_TESTS];
	enum sev verdict;
};

struct splat_row {
	char kind[16];
	char sig[256];
	int target, unrelated;
	int boots[MAX_VARIANTS], reports[MAX_VARIANTS];
};

struct metric_row {
	char key[2 * CONSOLE_NAME + 1];
	char value[MAX_VARIANTS][MAX_VALUES][CONSOLE_NAME];
	int count[MAX_VARIANTS][MAX_VALUES];
	int nvalues[MAX_VARIANTS];
	int other[MAX_VARIANTS];	/* boots whose value did not fit */
};

struct reason {
	enum sev sev;
	int variant;			/* -1: the series as a whole */
	char text[384];
	char test[CONSOLE_NAME];
	char boots[128];
	int nboots;
};

static struct pattern_set sigs, unrel, fixed;
static struct manifest man;
static struct manifest series_man;	/* SERIES_DIR/tests, for this arch */
static struct variant variants[MAX_VARIANTS];
static int nvariants;
static struct splat_row splats[MAX_SPLATS];
static int nsplats;
static struct metric_row *metrics;
static int nmetrics;
static struct reason reasons[MAX_REASONS];
static int nreasons;
static const char *arch;
static char arch_buf[64];
static int npatches;
static int suite_mode;			/* -S: a regression suite's boots */
static FILE *txt;

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs("racefix: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Print to the terminal and to summary.txt. */
static void __attribute__((format(printf, 1, 2))) out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (txt) {
		va_start(ap, fmt);
		vfprintf(txt, fmt, ap);
		va_end(ap);
	}
}

/* ---- statistics (no libm: the host tools link nothing but libc) ---- */

/* P(X <= k) for X ~ Binomial(n, p). */
static double binom_cdf(int k, int n, double p)
{
	double term, sum = 0, q = 1 - p;
	int i;

	if (p <= 0)
		return 1;
	if (p >= 1)
		return k >= n ? 1 : 0;
	/* term(0) = q^n, then term(i+1) = term(i) * (n-i)/(i+1) * p/q */
	term = 1;
	for (i = 0; i < n; i++)
		term *= q;
	for (i = 0; i <= k && i <= n; i++) {
		sum += term;
		term *= (double)(n - i) / (i + 1) * p / q;
	}
	return sum > 1 ? 1 : sum;
}

/*
 * The exact (Clopper-Pearson) one-sided upper confidence bound on a rate
 * from k events in n trials: the p at which P(X <= k) = 1 - level.
 */
static double cp_upper(int k, int n, double level)
{
	double lo = 0, hi = 1;
	int i;

	if (n <= 0)
		return 1;
	if (k >= n)
		return 1;
	for (i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;

		if (binom_cdf(k, n, mid) > 1 - level)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/*
 * One-sided Fisher exact test: the probability, with the margins fixed,
 * of B showing b or fewer of the a + b events, when B is no better than
 * A (hypergeometric lower tail).
 */
static double fisher_less(int a, int na, int b, int nb)
{
	int k = a + b, lo = k - na > 0 ? k - na : 0, hi = k < nb ? k : nb, x;
	double t = 1, total = 0, tail = 0;

	if (na <= 0 || nb <= 0)
		return 1;
	for (x = lo; x <= hi; x++) {
		total += t;
		if (x <= b)
			tail += t;
		/* t(x+1) / t(x) */
		t *= (double)(nb - x) / (x + 1) * (double)(k - x) /
		     (na - k + x + 1);
	}
	return total > 0 ? tail / total : 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* "26%" for 0.2589, "9.5%" for 0.0950 */
static void fmt_pct(char *buf, size_t len, double v)
{
	if (v * 100 >= 9.95)
		snprintf(buf, len, "%.0f%%", v * 100);
	else
		snprintf(buf, len, "%.1f%%", v * 100);
}

/* ---- the series' files ---- */

static const char *probes[] = { "", "x", "foo / bar", "zz_qq / yy_pp" };

/*
 * Read a file of extended regular expressions ('#' comments). With
 * @fixed_tests, each line is NAME REASON instead. Every problem is
 * printed as FILE:LINE: ...; returns the number of problems.
 */
static int read_patterns(struct pattern_set *set, const char *dir,
			 const char *name, int fixed_tests)
{
	char path[4096], line[1024], err[256];
	int lineno = 0, bad = 0, rc, i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return 0;	/* every one of these files is optional */
	while (fgets(line, sizeof(line), f)) {
		struct pattern *p = &set->p[set->n];
		char *s = line;

		lineno++;
		console_chomp(line);
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		if (set->n == MAX_PATTERNS) {
			fprintf(stderr, "%s:%d: too many lines (at most %d)\n",
				path, lineno, MAX_PATTERNS);
			bad++;
			break;
		}
		snprintf(p->file, sizeof(p->file), "%s", name);
		p->line = lineno;
		if (fixed_tests) {
			size_t len = strcspn(s, " \t");
			char *why = s + len + strspn(s + len, " \t");

			snprintf(p->text, sizeof(p->text), "%.*s", (int)len, s);
			snprintf(p->reason, sizeof(p->reason), "%s", why);
			if (!manifest_is_name(p->text, 0) ||
			    len >= MANIFEST_NAME_MAX) {
				fprintf(stderr, "%s:%d: '%s' is not a test name\n",
					path, lineno, p->text);
				bad++;
				continue;
			}
			if (!*why) {
				fprintf(stderr, "%s:%d: %s has no reason: give the test's name, then what the series fixes in it\n",
					path, lineno, p->text);
				bad++;
				continue;
			}
			for (i = 0; i < set->n; i++)
				if (!strcmp(set->p[i].text, p->text))
					break;
			if (i < set->n) {
				fprintf(stderr, "%s:%d: %s is listed twice (first on line %d)\n",
					path, lineno, p->text, set->p[i].line);
				bad++;
				continue;
			}
			set->n++;
			continue;
		}
		snprintf(p->text, sizeof(p->text), "%s", s);
		rc = regcomp(&p->re, s, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			regerror(rc, &p->re, err, sizeof(err));
			fprintf(stderr, "%s:%d: regex error: %s: '%s'\n", path,
				lineno, err, s);
			bad++;
			continue;
		}
		/* Matches the empty signature, or every one we try? */
		for (i = 1; i < (int)(sizeof(probes) / sizeof(probes[0])); i++)
			if (regexec(&p->re, probes[i], 0, NULL, 0))
				break;
		if (!regexec(&p->re, probes[0], 0, NULL, 0) ||
		    i == (int)(sizeof(probes) / sizeof(probes[0]))) {
			fprintf(stderr, "%s:%d: '%s' matches everything (\"\", \"x\", \"foo / bar\"): name the functions of the race\n",
				path, lineno, s);
			regfree(&p->re);
			bad++;
			continue;
		}
		set->n++;
	}
	fclose(f);
	return bad;
}

static int matches(struct pattern_set *set, const char *s)
{
	int i;

	for (i = 0; i < set->n; i++)
		if (!regexec(&set->p[i].re, s, 0, NULL, 0))
			return 1;
	return 0;
}

static struct pattern *fixed_test(const char *name)
{
	int i;

	for (i = 0; i < fixed.n; i++)
		if (!strcmp(fixed.p[i].text, name))
			return &fixed.p[i];
	return NULL;
}

static int read_series(const char *dir)
{
	char path[4096], line[1024];
	int bad;
	FILE *f;

	bad = read_patterns(&sigs, dir, "signatures", 0);
	bad += read_patterns(&unrel, dir, "unrelated", 0);
	bad += read_patterns(&fixed, dir, "fixed-tests", 1);
	snprintf(path, sizeof(path), "%s/series", dir);
	f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *s = line + strspn(line, " \t");

			if (*s && *s != '#' && *s != '\n')
				npatches++;
		}
		fclose(f);
	}
	return bad;
}

static int check_series(const char *dir)
{
	struct manifest *m = &man;
	char path[4096];
	struct stat st;
	int bad, i;
	FILE *f;

	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		die("no series directory %s: give the series' directory (patches/NAME)", dir);
	bad = read_series(dir);
	snprintf(path, sizeof(path), "%s/tests", dir);
	f = fopen(path, "r");
	if (f && fixed.n) {
		manifest_init(m);
		manifest_read(m, f, NULL);
		for (i = 0; i < fixed.n; i++) {
			if (manifest_find(m, fixed.p[i].text))
				continue;
			fprintf(stderr, "%s/fixed-tests:%d: %s is not a test of %s\n",
				dir, fixed.p[i].line, fixed.p[i].text, path);
			bad++;
		}
	}
	if (f)
		fclose(f);
	return bad ? 1 : 0;
}

/* ---- reasons ---- */

static void __attribute__((format(printf, 5, 6)))
reason(enum sev sev, int v, int boot, const char *test, const char *fmt, ...)
{
	struct reason *r;
	char text[384];
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (i = 0; i < nreasons; i++)
		if (reasons[i].variant == v && !strcmp(reasons[i].text, text))
			break;
	if (i == nreasons) {
		if (nreasons == MAX_REASONS)
			return;
		r = &reasons[nreasons++];
		memset(r, 0, sizeof(*r));
		r->sev = sev;
		r->variant = v;
		snprintf(r->text, sizeof(r->text), "%s", text);
		snprintf(r->test, sizeof(r->test), "%s", test ? test : "");
	}
	r = &reasons[i];
	if (boot > 0) {
		size_t n = strlen(r->boots);

		snprintf(r->boots + n, sizeof(r->boots) - n, "%s%d",
			 n ? ", " : "", boot);
		r->nboots++;
	}
}

/* ---- reading the boots ---- */

/* The string value of "key" in a flat JSON object (run.json). */
static int json_get(const char *json, const char *key, char *buf, size_t len)
{
	char want[96];
	const char *p;
	size_t n = 0;

	snprintf(want, sizeof(want), "\"%s\":", key);
	p = strstr(json, want);
	if (!p)
		return 0;
	p += strlen(want);
	while (*p == ' ')
		p++;
	if (*p != '"')
		return 0;
	for (p++; *p && *p != '"' && n + 1 < len; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			buf[n++] = *p == 'n' ? ' ' : *p == 't' ? ' ' : *p;
		} else {
			buf[n++] = *p;
		}
	}
	buf[n] = '\0';
	return 1;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	if (!buf || fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* racefix_tests=... from a kernel command line, or "". */
static void selection_of(const char *args, char *sel, size_t len)
{
	const char *p = args;

	sel[0] = '\0';
	while ((p = strstr(p, RACEFIX_ARG_TESTS "="))) {
		if (p == args || p[-1] == ' ') {
			p += strlen(RACEFIX_ARG_TESTS "=");
			snprintf(sel, len, "%.*s", (int)strcspn(p, " \t\n\""), p);
		} else {
			p++;
		}
	}
}

static int is_number(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s) && *s != '0';
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void read_boot(struct variant *v, const char *vdir, int n,
		      const char *cli_sel)
{
	struct boot *b = &v->boots[v->nboots++];
	char path[4096], args[2048];
	char *json;

	b->n = n;
	b->c = malloc(sizeof(*b->c));
	if (!b->c)
		die("out of memory reading %s/%d", vdir, n);
	console_init(b->c);
	snprintf(path, sizeof(path), "%.4000s/%d/run.json", vdir, n);
	json = slurp(path);
	args[0] = '\0';
	if (json) {
		json_get(json, "kernel_args", args, sizeof(args));
		if (!arch && json_get(json, "arch", arch_buf, sizeof(arch_buf)) &&
		    arch_buf[0])
			arch = arch_buf;
		free(json);
	}
	if (cli_sel)
		snprintf(b->selection, sizeof(b->selection), "%s", cli_sel);
	else
		selection_of(args, b->selection, sizeof(b->selection));
	snprintf(path, sizeof(path), "%.4000s/%d/status", vdir, n);
	console_read_status(b->c, path);
	snprintf(path, sizeof(path), "%.4000s/%d/console.log", vdir, n);
	if (console_read_log(b->c, path)) {
		/* No console at all: the boot never ran. */
		snprintf(b->c->outcome, sizeof(b->c->outcome), "no console.log");
		console_finish(b->c);
	}
	b->clean = console_clean(b->c);
}

static int variant_rank(const char *name)
{
	if (!strcmp(name, "A"))
		return 0;
	if (!strcmp(name, "B"))
		return 1;
	return 2;
}

static int cmp_variant(const void *a, const void *b)
{
	const struct variant *x = a, *y = b;
	int rx = variant_rank(x->name), ry = variant_rank(y->name);

	if (rx != ry)
		return rx - ry;
	/* C2 before C10 */
	if (strlen(x->name) != strlen(y->name))
		return (int)strlen(x->name) - (int)strlen(y->name);
	return strcmp(x->name, y->name);
}

static void read_variants(const char *rsd, const char *cli_sel)
{
	char vdir[4096], path[4096];
	struct dirent *e, *be;
	DIR *d = opendir(rsd), *bd;
	int i;

	if (!d)
		die("cannot read the run directory %s: give the series' run directory (out/runs/DATE-ARCH/SERIES)", rsd);
	while ((e = readdir(d))) {
		struct variant *v;
		struct stat st;
		int nums[MAX_BOOTS], nn = 0;
		FILE *f;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= 32 ||
		    !manifest_is_name(e->d_name, 1))
			continue;
		snprintf(vdir, sizeof(vdir), "%s/%s", rsd, e->d_name);
		if (stat(vdir, &st) || !S_ISDIR(st.st_mode))
			continue;
		if (nvariants == MAX_VARIANTS)
			die("more than %d variants in %s", MAX_VARIANTS, rsd);
		v = &variants[nvariants++];
		snprintf(v->name, sizeof(v->name), "%s", e->d_name);
		snprintf(path, sizeof(path), "%.4000s/label", vdir);
		f = fopen(path, "r");
		if (f) {
			if (fgets(v->label, sizeof(v->label), f))
				console_chomp(v->label);
			fclose(f);
		}
		snprintf(path, sizeof(path), "%.4000s/failed", vdir);
		f = fopen(path, "r");
		if (f) {
			if (!fgets(v->failed, sizeof(v->failed), f) ||
			    !v->failed[0])
				strcpy(v->failed, "failed (no reason given)");
			console_chomp(v->failed);
			fclose(f);
		}
		bd = opendir(vdir);
		while (bd && (be = readdir(bd))) {
			if (is_number(be->d_name) && nn < MAX_BOOTS &&
			    strlen(be->d_name) < 6)
				nums[nn++] = atoi(be->d_name);
		}
		if (bd)
			closedir(bd);
		qsort(nums, nn, sizeof(int), cmp_int);
		v->boots = calloc(nn ? nn : 1, sizeof(*v->boots));
		if (!v->boots)
			die("out of memory");
		for (i = 0; i < nn; i++)
			read_boot(v, vdir, nums[i], cli_sel);
	}
	closedir(d);
	qsort(variants, nvariants, sizeof(variants[0]), cmp_variant);
}

/* ---- aggregation ---- */

static int splat_row(const char *kind, const char *sig)
{
	int i;

	for (i = 0; i < nsplats; i++)
		if (!strcmp(splats[i].kind, kind) && !strcmp(splats[i].sig, sig))
			return i;
	if (nsplats == MAX_SPLATS)
		return -1;
	memset(&splats[nsplats], 0, sizeof(splats[0]));
	snprintf(splats[nsplats].kind, sizeof(splats[0].kind), "%s", kind);
	snprintf(splats[nsplats].sig, sizeof(splats[0].sig), "%s", sig);
	splats[nsplats].target = !strcmp(kind, "kcsan") && matches(&sigs, sig);
	splats[nsplats].unrelated = !splats[nsplats].target &&
				    !strcmp(kind, "kcsan") && matches(&unrel, sig);
	return nsplats++;
}

static void add_metric(int v, const struct console_metric *m)
{
	char key[sizeof(metrics[0].key)];
	struct metric_row *r;
	int i;

	snprintf(key, sizeof(key), "%s.%s", m->test, m->name);
	for (i = 0; i < nmetrics; i++)
		if (!strcmp(metrics[i].key, key))
			break;
	if (i == nmetrics) {
		if (nmetrics == MAX_METRICS)
			return;
		memset(&metrics[nmetrics], 0, sizeof(metrics[0]));
		snprintf(metrics[nmetrics].key, sizeof(key), "%s", key);
		nmetrics++;
	}
	r = &metrics[i];
	for (i = 0; i < r->nvalues[v]; i++)
		if (!strcmp(r->value[v][i], m->value))
			break;
	if (i == r->nvalues[v]) {
		if (i == MAX_VALUES) {
			r->other[v]++;
			return;
		}
		snprintf(r->value[v][i], CONSOLE_NAME, "%s", m->value);
		r->nvalues[v]++;
	}
	r->count[v][i]++;
}

static struct console_test *result_of(struct console *c, const char *name)
{
	int i;

	for (i = c->ntests - 1; i >= 0; i--)
		if (!strcmp(c->tests[i].name, name))
			return &c->tests[i];
	return NULL;
}

/* Does this boot have to report test @t? */
static int expected(struct boot *b, struct manifest_test *t)
{
	return manifest_selected(b->selection, t->name);
}

static void tally(void)
{
	int vi, bi, i;

	for (vi = 0; vi < nvariants; vi++) {
		struct variant *v = &variants[vi];

		for (bi = 0; bi < v->nboots; bi++) {
			struct boot *b = &v->boots[bi];
			struct console *c = b->c;
			int seen_splat[MAX_SPLATS] = { 0 };

			for (i = 0; i < man.ntests; i++) {
				struct manifest_test *t = &man.tests[i];
				struct console_test *r = result_of(c, t->name);
				struct count *n = &v->tests[i];

				if (!expected(b, t))
					continue;
				if (!r) {
					n->missing++;
					continue;
				}
				if (!strcmp(r->result, RESULT_PASS))
					n->pass++;
				else if (!strcmp(r->result, RESULT_SKIP))
					n->skip++;
				else
					n->fail++;
				n->nok += r->nested_ok;
				n->nfail += r->nested_fail;
				n->nskip += r->nested_skip;
			}
			for (i = 0; i < c->nsplats; i++) {
				int row = splat_row(c->splats[i].kind,
						    c->splats[i].sig);

				if (row < 0)
					continue;
				c->splats[i].target = splats[row].target;
				splats[row].reports[vi] += c->splats[i].count;
				if (!seen_splat[row]++)
					splats[row].boots[vi]++;
			}
			for (i = 0; i < c->nmetrics; i++)
				add_metric(vi, &c->metrics[i]);
		}
	}
}

/* ---- the rules ---- */

static int vidx(const char *name)
{
	int i;

	for (i = 0; i < nvariants; i++)
		if (!strcmp(variants[i].name, name))
			return i;
	return -1;
}

/* Per boot: clean end, completeness. */
static void judge_boots(int vi)
{
	struct variant *v = &variants[vi];
	int bi, i;

	for (bi = 0; bi < v->nboots; bi++) {
		struct boot *b = &v->boots[bi];
		struct console *c = b->c;

		if (!b->clean)
			reason(FAIL, vi, b->n, NULL,
			       "did not end cleanly (%s%s)", c->outcome,
			       c->sentinel ? "" : ", no sentinel");
		if (c->bail_out[0])
			reason(FAIL, vi, b->n, NULL, "/init: %.300s",
			       c->bail_out);
		if (c->init_error[0])
			reason(FAIL, vi, b->n, NULL,
			       "the guest's /init could not use its manifest: %.250s",
			       c->init_error);
		if (!c->ntests)
			reason(FAIL, vi, b->n, NULL,
			       "no test reported a result");
		for (i = 0; i < man.ntests; i++) {
			struct manifest_test *t = &man.tests[i];

			if (expected(b, t) && !result_of(c, t->name))
				reason(FAIL, vi, b->n, t->name,
				       "test %s never reported", t->name);
		}
		for (i = 0; i < c->ntests; i++) {
			struct manifest_test *t = manifest_find(&man,
							c->tests[i].name);

			if (!t || !expected(b, t))
				reason(FAIL, vi, b->n, c->tests[i].name,
				       "reported %s (%s%s%.200s), which the manifest does not select",
				       c->tests[i].name, c->tests[i].result,
				       c->tests[i].directive[0] ? ": " : "",
				       c->tests[i].directive);
		}
	}
}

/* A test's rules, variant @vi against A. */
static void judge_test(int i, int vi, int a)
{
	struct manifest_test *t = &man.tests[i];
	struct count *ca = &variants[a].tests[i], *cv = &variants[vi].tests[i];
	int na = ca->pass + ca->fail + ca->skip, nv = cv->pass + cv->fail + cv->skip;
	const char *vn = variants[vi].name;

	if (fixed_test(t->name)) {
		if (cv->fail)
			reason(FAIL, vi, 0, t->name,
			       "fixed test %s fails on %s in %d of %d boots",
			       t->name, vn, cv->fail, nv);
		if (cv->skip)
			reason(FAIL, vi, 0, t->name,
			       "fixed test %s was skipped on %s in %d of %d boots: it must pass in every boot",
			       t->name, vn, cv->skip, nv);
		return;
	}
	if (cv->fail) {
		if (na && ca->fail == na && !ca->missing)
			reason(NOTE, vi, 0, t->name,
			       "%s fails on both kernels (A %d/%d, %s %d/%d): not held against the series",
			       t->name, ca->fail, na, vn, cv->fail, nv);
		else
			reason(FAIL, vi, 0, t->name,
			       "%s fails on %s in %d of %d boots, and passed on A in %d of %d",
			       t->name, vn, cv->fail, nv, ca->pass, na);
	}
	if (cv->skip && ca->pass)
		reason(FAIL, vi, 0, t->name,
		       "%s passed on A (%d of %d boots) and was skipped on %s in %d of %d",
		       t->name, ca->pass, na, vn, cv->skip, nv);
	if (ca->fail && !cv->fail && cv->pass)
		reason(INCONCLUSIVE, vi, 0, t->name,
		       "%s fails on A (%d of %d boots) and passes on %s: a change of behaviour the series does not declare (list it in fixed-tests with its reason, or find out why)",
		       t->name, ca->fail, na, vn);
}

static int any_target_on(int vi)
{
	int i;

	for (i = 0; i < nsplats; i++)
		if (splats[i].target && splats[i].boots[vi])
			return 1;
	return 0;
}

static int kcsan_on_a(int a)
{
	int bi;

	for (bi = 0; bi < variants[a].nboots; bi++)
		if (variants[a].boots[bi].c->kcsan)
			return 1;
	return any_target_on(a);
}

static void judge_splats(int vi, int a)
{
	struct variant *v = &variants[vi];
	int i;

	for (i = 0; i < nsplats; i++) {
		struct splat_row *s = &splats[i];

		if (!s->boots[vi] || !strcmp(s->kind, "boot"))
			continue;
		if (s->target)
			reason(FAIL, vi, 0, NULL,
			       "%s shows the declared race %s: %s in %d of %d boots",
			       v->name, s->kind, s->sig, s->boots[vi], v->nboots);
		else if (!s->boots[a] && !s->unrelated)
			reason(FAIL, vi, 0, NULL,
			       "%s shows a splat no A boot showed: %s: %s (%d of %d boots)",
			       v->name, s->kind, s->sig, s->boots[vi], v->nboots);
	}
}

static void judge_all(int a)
{
	struct variant *va = &variants[a];
	int vi, i, others = 0, visible;

	for (vi = 0; vi < nvariants; vi++)
		if (vi != a)
			others++;
	for (vi = 0; vi < nvariants; vi++) {
		if (variants[vi].failed[0] && !variants[vi].nboots) {
			reason(FAIL, vi, 0, NULL, "%s", variants[vi].failed);
			continue;
		}
		if (!variants[vi].nboots && vi != a) {
			reason(FAIL, vi, 0, NULL,
			       "no boots in %s/: nothing ran", variants[vi].name);
			continue;
		}
		judge_boots(vi);
	}
	for (vi = 0; vi < nvariants; vi++) {
		if (vi == a || !variants[vi].nboots)
			continue;
		for (i = 0; i < man.ntests; i++)
			judge_test(i, vi, a);
		judge_splats(vi, a);
	}
	/* A alone (a series with no patches): its own tests must pass. */
	if (!others) {
		/*
		 * With fixes declared, a failure on the unpatched kernel may
		 * be the bug itself: nothing to hold against it, only said.
		 */
		for (i = 0; i < man.ntests; i++)
			if (va->tests[i].fail && !fixed_test(man.tests[i].name))
				reason(sigs.n || fixed.n ? NOTE : FAIL, a, 0,
				       man.tests[i].name,
				       "%s fails on A in %d of %d boots",
				       man.tests[i].name, va->tests[i].fail,
				       va->nboots);
		if (sigs.n || fixed.n)
			reason(INCONCLUSIVE, -1, 0, NULL,
			       "the series declares fixes (%d race signatures, %d fixed tests) but no patched kernel was booted%s: nothing shows them fixed",
			       sigs.n, fixed.n,
			       npatches ? "" : " (its series file lists no patch)");
	}
	/* Skipped on every kernel. */
	for (i = 0; i < man.ntests; i++) {
		int ran = 0, skipped = 0;

		for (vi = 0; vi < nvariants; vi++) {
			struct count *c = &variants[vi].tests[i];

			ran += c->pass + c->fail + c->skip;
			skipped += c->skip;
		}
		if (ran && skipped == ran)
			reason(INCONCLUSIVE, -1, 0, man.tests[i].name,
			       "%s was skipped on every kernel (%d boots): it shows nothing",
			       man.tests[i].name, ran);
	}
	/* The unpatched side must show the bug. */
	visible = sigs.n && kcsan_on_a(a);
	if (suite_mode)
		reason(NOTE, -1, 0, NULL,
		       "a regression suite's boots: judged on its programs and boots; the race boots show the declared races");
	else if (!sigs.n)
		reason(NOTE, -1, 0, NULL,
		       "the series declares no race a console can show (its signatures file is empty): judged on its tests and boots");
	else if (!visible)
		reason(NOTE, -1, 0, NULL,
		       "the series' declared races are KCSAN reports and this kernel runs no KCSAN: judged on its tests and boots");
	else if (!any_target_on(a))
		reason(INCONCLUSIVE, -1, 0, NULL,
		       "the unpatched kernel did not reproduce in %d boots: no A boot shows a declared race",
		       va->nboots);
	for (i = 0; i < fixed.n; i++) {
		struct manifest_test *t = manifest_find(&man, fixed.p[i].text);
		int ti = t ? (int)(t - man.tests) : -1;
		struct count *c = ti >= 0 ? &va->tests[ti] : NULL;

		if (!t) {
			/* A suite runs other programs than the race boots. */
			if (suite_mode)
				continue;
			/* Not for this arch, or left out of the guest? */
			if (manifest_find(&series_man, fixed.p[i].text))
				reason(INCONCLUSIVE, -1, 0, fixed.p[i].text,
				       "fixed test %s is in the series' manifest for this arch, but the guest did not run it (not built, or an older guest)",
				       fixed.p[i].text);
			else
				reason(NOTE, -1, 0, fixed.p[i].text,
				       "fixed test %s is not in this arch's manifest: not judged here",
				       fixed.p[i].text);
			continue;
		}
		if (!(c->pass + c->fail + c->skip))
			reason(INCONCLUSIVE, -1, 0, t->name,
			       "fixed test %s did not run on A: the selection leaves it out",
			       t->name);
		else if (!c->fail)
			reason(INCONCLUSIVE, -1, 0, t->name,
			       "the unpatched kernel did not reproduce fixed test %s in %d boots (it never failed on A)",
			       t->name, c->pass + c->skip);
	}
}

/* How many of the declared fixed tests the guest ran. */
static int fixed_run(void)
{
	int i, n = 0;

	for (i = 0; i < fixed.n; i++)
		n += manifest_find(&man, fixed.p[i].text) != NULL;
	return n;
}

/* The verdict of variant @vi: its own reasons and the series-wide ones. */
static enum sev verdict_of(int vi, int a)
{
	enum sev worst = NOTE;
	int i;

	for (i = 0; i < nreasons; i++)
		if ((reasons[i].variant == vi || reasons[i].variant == a ||
		     reasons[i].variant == -1) && reasons[i].sev > worst)
			worst = reasons[i].sev;
	return worst;
}

/* ---- output ---- */

static int namew = 30, colw = 12;

static const char *header_of(int vi, char *buf, size_t len)
{
	if (variants[vi].label[0])
		snprintf(buf, len, "%s:%s", variants[vi].name,
			 variants[vi].label);
	else
		snprintf(buf, len, "%s", variants[vi].name);
	return buf;
}

static void print_header(const char *first)
{
	char h[128];
	int vi;

	out("%-*s", namew, first);
	for (vi = 0; vi < nvariants; vi++)
		out(" %-*s", colw, header_of(vi, h, sizeof(h)));
	out("\n");
}

/* Per declared race (and the "any" line), per fixed test: the numbers. */
struct stat_line {
	char what[300];
	const char *kind;
	int variant;
	int ahits, an, hits, n;
	double upper, p;
	int ntimes;
	double med, min, max;
};

static int test_selected_anywhere(int i);

static struct stat_line *stats;
static int nstats;

/* Boots of variant @vi showing splat row @row (-1: any declared race). */
static int race_hits(int vi, int row, double *times, int *ntimes)
{
	struct variant *v = &variants[vi];
	int bi, i, hits = 0;

	*ntimes = 0;
	for (bi = 0; bi < v->nboots; bi++) {
		struct console *c = v->boots[bi].c;
		double first = -1;
		int hit = 0;

		for (i = 0; i < c->nsplats; i++) {
			struct console_splat *s = &c->splats[i];

			if (!s->target)
				continue;
			if (row >= 0 && (strcmp(s->kind, splats[row].kind) ||
					 strcmp(s->sig, splats[row].sig)))
				continue;
			hit = 1;
			if (s->since_start >= 0 &&
			    (first < 0 || s->since_start < first))
				first = s->since_start;
		}
		hits += hit;
		if (hit && first >= 0 && times)
			times[(*ntimes)++] = first;
	}
	return hits;
}

static void add_stat(const char *what, const char *kind, int vi, int a,
		     int ahits, int hits, double *times, int ntimes)
{
	struct stat_line *s = &stats[nstats++];

	memset(s, 0, sizeof(*s));
	snprintf(s->what, sizeof(s->what), "%s", what);
	s->kind = kind;
	s->variant = vi;
	s->ahits = ahits;
	s->an = variants[a].nboots;
	s->hits = hits;
	s->n = vi >= 0 ? variants[vi].nboots : 0;
	s->upper = vi >= 0 ? cp_upper(hits, s->n, 0.95) : 1;
	s->p = vi >= 0 ? fisher_less(ahits, s->an, hits, s->n) : 1;
	s->ntimes = ntimes;
	if (ntimes) {
		s->med = median(times, ntimes);
		s->min = times[0];
		s->max = times[ntimes - 1];
	}
}

static void compute_stats(int a)
{
	double *times = calloc(variants[a].nboots + 1, sizeof(double));
	int vi, i, row, ahits, ntimes, dummy, any = 0;

	stats = calloc((nsplats + fixed.n + 1) * (nvariants + 1), sizeof(*stats));
	if (!times || !stats)
		die("out of memory");
	for (i = 0; i < nsplats; i++)
		any += splats[i].target;
	/* Each declared race seen anywhere, then any declared race at all. */
	for (row = any > 1 ? -1 : 0; row < nsplats; row++) {
		const char *what = row < 0 ? "any declared race" : splats[row].sig;

		if (row >= 0 && !splats[row].target)
			continue;
		ahits = race_hits(a, row, times, &ntimes);
		for (vi = 0; vi < nvariants; vi++) {
			if (vi == a || !variants[vi].nboots)
				continue;
			add_stat(what, "race", vi, a, ahits,
				 race_hits(vi, row, NULL, &dummy), times, ntimes);
		}
		if (nvariants == 1)
			add_stat(what, "race", -1, a, ahits, 0, times, ntimes);
	}
	if (sigs.n && !any && kcsan_on_a(a) && !suite_mode) {
		ahits = 0;
		for (vi = 0; vi < nvariants; vi++)
			if (vi != a && variants[vi].nboots)
				add_stat("any declared race", "race", vi, a, 0,
					 0, NULL, 0);
	}
	for (i = 0; i < fixed.n; i++) {
		struct manifest_test *t = manifest_find(&man, fixed.p[i].text);
		char what[300];

		/* Left out by the selection: the verdict says so; a line
		 * would only read "A 0/n". */
		if (!t || !test_selected_anywhere(t - man.tests))
			continue;
		snprintf(what, sizeof(what), "fixed test %s", t->name);
		ahits = variants[a].tests[t - man.tests].fail;
		for (vi = 0; vi < nvariants; vi++) {
			if (vi == a || !variants[vi].nboots)
				continue;
			add_stat(what, "fixed-test", vi, a, ahits,
				 variants[vi].tests[t - man.tests].fail +
				 variants[vi].tests[t - man.tests].skip +
				 variants[vi].tests[t - man.tests].missing,
				 NULL, 0);
		}
	}
	free(times);
}

static void stat_text(struct stat_line *s, char *buf, size_t len)
{
	char pct[16];
	size_t n;

	if (s->variant < 0) {
		n = snprintf(buf, len, "%s  A %d/%d", s->what, s->ahits, s->an);
	} else {
		fmt_pct(pct, sizeof(pct), s->upper);
		n = snprintf(buf, len, "%s  A %d/%d  %s %d/%d  %s <= %s (95%%)  p = %.2g",
			     s->what, s->ahits, s->an, variants[s->variant].name,
			     s->hits, s->n, variants[s->variant].name, pct,
			     s->p);
	}
	if (s->ntimes && n < len)
		snprintf(buf + n, len - n,
			 "  first report on A after %.2f s (median; %.2f-%.2f s)",
			 s->med, s->min, s->max);
}

/* Did any boot of any variant select test I (racefix_tests=)? */
static int test_selected_anywhere(int i)
{
	int vi;

	for (vi = 0; vi < nvariants; vi++) {
		struct count *c = &variants[vi].tests[i];

		if (c->pass + c->fail + c->skip + c->missing)
			return 1;
	}
	return 0;
}

static void print_table(void)
{
	char cell[64], line[600], mcell[2048];
	int vi, i, j, any;

	namew = 30;
	for (i = 0; i < man.ntests; i++)
		if ((int)strlen(man.tests[i].name) + 2 > namew)
			namew = strlen(man.tests[i].name) + 2;
	for (i = 0; i < nsplats; i++)
		if ((int)strlen(splats[i].sig) + 10 > namew)
			namew = strlen(splats[i].sig) + 10;
	for (i = 0; i < nmetrics; i++)
		if ((int)strlen(metrics[i].key) + 2 > namew)
			namew = strlen(metrics[i].key) + 2;
	if (namew > 46)
		namew = 46;
	colw = 12;
	for (vi = 0; vi < nvariants; vi++) {
		int w = strlen(variants[vi].name) + 1 + strlen(variants[vi].label);

		if (w > colw)
			colw = w;
	}

	print_header("test (pass/fail/skip/none)");
	for (i = 0; i < man.ntests; i++) {
		if (!test_selected_anywhere(i))
			continue;
		out("%-*s", namew, man.tests[i].name);
		for (vi = 0; vi < nvariants; vi++) {
			struct count *c = &variants[vi].tests[i];

			if (variants[vi].nboots)
				snprintf(cell, sizeof(cell), "%d/%d/%d/%d", c->pass,
					 c->fail, c->skip, c->missing);
			else
				snprintf(cell, sizeof(cell), "-");
			out(" %-*s", colw, cell);
		}
		out("%s\n", fixed_test(man.tests[i].name) ? "  (fixed test)" : "");
	}
	any = 0;
	for (i = 0; i < man.ntests; i++) {
		if (test_selected_anywhere(i))
			continue;
		out("%s%s", any ? ", " : "not selected (racefix_tests=): ",
		    man.tests[i].name);
		any = 1;
	}
	if (any)
		out("\n");
	for (i = 0; i < man.nleft_out; i++)
		out("%-*s not built for this guest (initramfs.sh left it out)\n",
		    namew, man.left_out[i]);

	any = 0;
	for (i = 0; i < man.ntests; i++)
		for (vi = 0; vi < nvariants; vi++)
			any |= variants[vi].tests[i].nok |
			       variants[vi].tests[i].nfail |
			       variants[vi].tests[i].nskip;
	if (any) {
		out("\n");
		print_header("subtests (ok/not ok/skip)");
		for (i = 0; i < man.ntests; i++) {
			int has = 0;

			for (vi = 0; vi < nvariants; vi++)
				has |= variants[vi].tests[i].nok |
				       variants[vi].tests[i].nfail |
				       variants[vi].tests[i].nskip;
			if (!has)
				continue;
			out("%-*s", namew, man.tests[i].name);
			for (vi = 0; vi < nvariants; vi++) {
				struct count *c = &variants[vi].tests[i];

				snprintf(cell, sizeof(cell), "%d/%d/%d", c->nok,
					 c->nfail, c->nskip);
				out(" %-*s", colw, variants[vi].nboots ? cell : "-");
			}
			out("\n");
		}
		/* The totals, per variant, over every program and boot. */
		out("%-*s", namew, "total");
		for (vi = 0; vi < nvariants; vi++) {
			int t[3] = { 0, 0, 0 };

			for (i = 0; i < man.ntests; i++) {
				t[0] += variants[vi].tests[i].nok;
				t[1] += variants[vi].tests[i].nfail;
				t[2] += variants[vi].tests[i].nskip;
			}
			snprintf(cell, sizeof(cell), "%d/%d/%d", t[0], t[1], t[2]);
			out(" %-*s", colw, variants[vi].nboots ? cell : "-");
		}
		out("\n");
	}

	if (nsplats) {
		out("\n");
		print_header("splat (* fixed, ~ unrelated)");
		for (i = 0; i < nsplats; i++) {
			snprintf(line, sizeof(line), "%s %.15s: %.500s",
				 splats[i].target ? "*" : splats[i].unrelated ? "~" : " ",
				 splats[i].kind, splats[i].sig);
			out("%-*s", namew, line);
			for (vi = 0; vi < nvariants; vi++) {
				snprintf(cell, sizeof(cell), "%d (%d)",
					 splats[i].boots[vi], splats[i].reports[vi]);
				out(" %-*s", colw, variants[vi].nboots ? cell : "-");
			}
			out("\n");
		}
		out("%-*s boots showing it (reports)\n", namew, "");
	}

	if (nmetrics) {
		out("\n");
		print_header("metric (value x boots)");
		for (i = 0; i < nmetrics; i++) {
			out("%-*s", namew, metrics[i].key);
			for (vi = 0; vi < nvariants; vi++) {
				size_t n = 0;

				mcell[0] = '\0';
				for (j = 0; j < metrics[i].nvalues[vi] && n < sizeof(mcell); j++)
					n += snprintf(mcell + n, sizeof(mcell) - n, "%s%sx%d",
						      j ? " " : "", metrics[i].value[vi][j],
						      metrics[i].count[vi][j]);
				if (metrics[i].other[vi] && n < sizeof(mcell))
					snprintf(mcell + n, sizeof(mcell) - n, " +%d more",
						 metrics[i].other[vi]);
				out(" %-*s", colw, mcell[0] ? mcell : "-");
				/* Columns stay two spaces apart when a cell overflows. */
				if ((int)strlen(mcell) >= colw)
					out(" ");
			}
			out("\n");
		}
	}

	if (nstats) {
		out("\n");
		for (i = 0; i < nstats; i++) {
			stat_text(&stats[i], line, sizeof(line));
			out("%s\n", line);
		}
	}
}

static void print_reasons(int vi, int a, int notes)
{
	int i;

	for (i = 0; i < nreasons; i++) {
		struct reason *r = &reasons[i];

		if ((r->sev == NOTE) != notes)
			continue;
		if (r->variant != vi && !(vi == a && r->variant == -1))
			continue;
		out("  %s%s%s", r->variant >= 0 ? variants[r->variant].name : "",
		    r->variant >= 0 ? ": " : "", r->text);
		if (r->nboots)
			out(" (boot%s %s of %d)", r->nboots > 1 ? "s" : "",
			    r->boots, variants[r->variant].nboots);
		out("\n");
	}
}

static void json_reasons(FILE *f, int vi, const char *indent)
{
	int i, first = 1;

	fprintf(f, "[");
	for (i = 0; i < nreasons; i++) {
		if (reasons[i].variant != vi)
			continue;
		fprintf(f, "%s\n%s  {\"severity\": \"%s\", \"text\": ", first ? "" : ",",
			indent, sev_name[reasons[i].sev]);
		json_str(f, reasons[i].text);
		if (reasons[i].test[0]) {
			fprintf(f, ", \"test\": ");
			json_str(f, reasons[i].test);
		}
		fprintf(f, ", \"boots\": [%s]}", reasons[i].boots);
		first = 0;
	}
	fprintf(f, "%s]", first ? "" : "\n  ");
}

/* The verdict and reason of one test, for summary.json. */
static void test_verdict(const char *name, const char **sev, const char **text)
{
	int i, best = -1;

	*sev = "PASS";
	*text = "";
	for (i = 0; i < nreasons; i++)
		if (!strcmp(reasons[i].test, name) &&
		    (best < 0 || reasons[i].sev > reasons[best].sev))
			best = i;
	if (best >= 0) {
		*sev = reasons[best].sev == NOTE ? "PASS" : sev_name[reasons[best].sev];
		*text = reasons[best].text;
	}
}

static void write_json(const char *rsd, const char *series, int a, enum sev v)
{
	char path[4096], tmp[4200];
	const char *ts, *tt;
	int vi, i, j;
	FILE *f;

	snprintf(path, sizeof(path), "%s/summary.json", rsd);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		die("cannot write %s: check the run directory", tmp);
	fprintf(f, "{\n  \"series\": ");
	json_str(f, series);
	fprintf(f, ",\n  \"arch\": ");
	json_str(f, arch ? arch : "");
	fprintf(f, ",\n  \"mode\": \"%s\"", suite_mode ? "suite" : "race");
	fprintf(f, ",\n  \"verdict\": \"%s\",\n  \"exit\": %d,\n  \"reasons\": ",
		v == NOTE ? "PASS" : sev_name[v], sev_exit[v]);
	json_reasons(f, -1, "  ");
	fprintf(f, ",\n  \"declared_races\": %d,\n  \"fixed_tests\": %d,\n  \"patches\": %d,\n",
		sigs.n, fixed.n, npatches);
	fprintf(f, "  \"variants\": {");
	for (vi = 0; vi < nvariants; vi++) {
		enum sev s = verdict_of(vi, a);

		fprintf(f, "%s\n    \"%s\": {\"label\": ", vi ? "," : "",
			variants[vi].name);
		json_str(f, variants[vi].label);
		fprintf(f, ", \"boots\": %d, \"failed\": ", variants[vi].nboots);
		json_str(f, variants[vi].failed);
		fprintf(f, ", \"verdict\": \"%s\", \"reasons\": ",
			s == NOTE ? "PASS" : sev_name[s]);
		json_reasons(f, vi, "    ");
		fprintf(f, "}");
	}
	fprintf(f, "\n  },\n  \"tests\": {");
	for (i = 0; i < man.ntests; i++) {
		struct pattern *fx = fixed_test(man.tests[i].name);

		test_verdict(man.tests[i].name, &ts, &tt);
		fprintf(f, "%s\n    \"%s\": {\"fixed\": %s, \"verdict\": \"%s\", \"reason\": ",
			i ? "," : "", man.tests[i].name, fx ? "true" : "false", ts);
		json_str(f, tt);
		fprintf(f, ", \"variants\": {");
		for (vi = 0; vi < nvariants; vi++) {
			struct count *c = &variants[vi].tests[i];

			fprintf(f, "%s\"%s\": {\"pass\": %d, \"fail\": %d, \"skip\": %d, \"missing\": %d, \"subtests\": {\"ok\": %d, \"not_ok\": %d, \"skip\": %d}}",
				vi ? ", " : "", variants[vi].name, c->pass, c->fail,
				c->skip, c->missing, c->nok, c->nfail, c->nskip);
		}
		fprintf(f, "}}");
	}
	fprintf(f, "\n  },\n  \"splats\": [");
	for (i = 0; i < nsplats; i++) {
		const char *why = splats[i].target ? "a race the series declares fixed" :
				  splats[i].unrelated ? "a race the series declares unrelated" : "";
		int bad = 0;

		for (j = 0; j < nreasons; j++)
			if (strstr(reasons[j].text, splats[i].sig) &&
			    reasons[j].sev == FAIL) {
				bad = 1;
				why = reasons[j].text;
			}
		fprintf(f, "%s\n    {\"kind\": \"%s\", \"signature\": ", i ? "," : "",
			splats[i].kind);
		json_str(f, splats[i].sig);
		fprintf(f, ", \"declared_fixed\": %s, \"unrelated\": %s, \"verdict\": \"%s\", ",
			splats[i].target ? "true" : "false",
			splats[i].unrelated ? "true" : "false", bad ? "FAIL" : "PASS");
		fprintf(f, "\"reason\": ");
		json_str(f, why);
		fprintf(f, ", \"variants\": {");
		for (vi = 0; vi < nvariants; vi++)
			fprintf(f, "%s\"%s\": {\"boots\": %d, \"reports\": %d}",
				vi ? ", " : "", variants[vi].name,
				splats[i].boots[vi], splats[i].reports[vi]);
		fprintf(f, "}}");
	}
	fprintf(f, "\n  ],\n  \"metrics\": [");
	for (i = 0; i < nmetrics; i++) {
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_str(f, metrics[i].key);
		fprintf(f, ", \"variants\": {");
		for (vi = 0; vi < nvariants; vi++) {
			fprintf(f, "%s\"%s\": {", vi ? ", " : "", variants[vi].name);
			for (j = 0; j < metrics[i].nvalues[vi]; j++) {
				fprintf(f, "%s", j ? ", " : "");
				json_str(f, metrics[i].value[vi][j]);
				fprintf(f, ": %d", metrics[i].count[vi][j]);
			}
			if (metrics[i].other[vi])
				fprintf(f, "%s\"(other values)\": %d",
					metrics[i].nvalues[vi] ? ", " : "",
					metrics[i].other[vi]);
			fprintf(f, "}");
		}
		fprintf(f, "}}");
	}
	fprintf(f, "\n  ],\n  \"statistics\": [");
	for (i = 0; i < nstats; i++) {
		struct stat_line *s = &stats[i];

		fprintf(f, "%s\n    {\"what\": ", i ? "," : "");
		json_str(f, s->what);
		fprintf(f, ", \"kind\": \"%s\", \"variant\": \"%s\", \"a\": [%d, %d], \"variant_counts\": [%d, %d], \"upper95\": %.6g, \"p\": %.6g",
			s->kind, s->variant >= 0 ? variants[s->variant].name : "",
			s->ahits, s->an, s->hits, s->n, s->upper, s->p);
		if (s->ntimes)
			fprintf(f, ", \"first_report_s\": {\"median\": %.6f, \"min\": %.6f, \"max\": %.6f, \"boots\": %d}",
				s->med, s->min, s->max, s->ntimes);
		fprintf(f, "}");
	}
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f) || rename(tmp, path))
		die("cannot write %s: check the run directory", path);
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"usage: judge --check SERIES_DIR\n"
		"       judge --stats A_HITS A_BOOTS B_HITS B_BOOTS\n"
		"       judge [-S] [-s SELECTION] [-a ARCH] -m GUEST_MANIFEST -d SERIES_DIR RUN_SERIES_DIR\n");
	exit(1);
}

static const char *unknown_where;

static void print_unknown(const char *name, void *arg)
{
	int i;

	fprintf(stderr, "racefix: error: racefix_tests=%s (%s) names '%s', which is not a test of %s: give names from:",
		(const char *)arg, unknown_where, name, "the guest manifest");
	for (i = 0; i < man.ntests; i++)
		fprintf(stderr, "%s%s", i ? "," : " ", man.tests[i].name);
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	const char *mpath = NULL, *sdir = NULL, *rsd, *cli_sel = NULL, *series;
	char path[4096], where[64];
	enum sev v;
	int opt, a, b, vi, bi, i, bad = 0, others = 0;
	FILE *f;

	if (argc == 3 && !strcmp(argv[1], "--check"))
		return check_series(argv[2]);
	/* The statistics alone, for tests: A hits, A boots, B hits, B boots. */
	if (argc == 6 && !strcmp(argv[1], "--stats")) {
		int k[4];

		for (i = 0; i < 4; i++) {
			if (!is_number(argv[i + 2]) && strcmp(argv[i + 2], "0"))
				usage();
			k[i] = atoi(argv[i + 2]);
		}
		if (k[0] > k[1] || k[2] > k[3] || !k[1] || !k[3])
			usage();
		printf("upper95 %.6g p %.6g\n", cp_upper(k[2], k[3], 0.95),
		       fisher_less(k[0], k[1], k[2], k[3]));
		return 0;
	}
	while ((opt = getopt(argc, argv, "Ss:a:m:d:")) != -1) {
		switch (opt) {
		case 'S':
			suite_mode = 1;
			break;
		case 's':
			cli_sel = optarg;
			break;
		case 'a':
			arch = optarg;
			break;
		case 'm':
			mpath = optarg;
			break;
		case 'd':
			sdir = optarg;
			break;
		default:
			usage();
		}
	}
	if (!mpath || !sdir || optind != argc - 1)
		usage();
	rsd = argv[optind];
	series = strrchr(sdir, '/') ? strrchr(sdir, '/') + 1 : sdir;
	if (!*series)
		series = sdir;

	if (check_series(sdir))
		die("the series' signatures, unrelated or fixed-tests file is invalid (above): fix it in %s", sdir);
	metrics = calloc(MAX_METRICS, sizeof(*metrics));
	if (!metrics)
		die("out of memory");
	read_variants(rsd, cli_sel);

	f = fopen(mpath, "r");
	if (!f)
		die("cannot read the guest manifest %s: give the manifest the guest ran (GUEST_DIR/root/etc/racefix/tests)", mpath);
	manifest_init(&man);
	manifest_read(&man, f, arch);
	fclose(f);
	for (i = 0; i < man.nerrors && i < MANIFEST_MAX_ERRORS; i++)
		fprintf(stderr, "%s:%d: %s\n", mpath, man.errors[i].line,
			man.errors[i].msg);
	if (man.nerrors)
		die("the guest manifest %s is invalid (above): fix it, then run again", mpath);
	if (!man.ntests)
		die("the guest manifest %s names no test for %s: give the manifest the guest ran",
		    mpath, arch ? arch : "this arch");

	snprintf(path, sizeof(path), "%s/tests", sdir);
	manifest_init(&series_man);
	f = fopen(path, "r");
	if (f) {
		manifest_read(&series_man, f, arch);
		fclose(f);
	}

	a = vidx("A");
	b = vidx("B");
	if (a < 0 || !variants[a].nboots)
		die("no unpatched (A) boots in %s: the judge compares against A; boot the base kernel first", rsd);
	for (vi = 0; vi < nvariants; vi++)
		if (vi != a)
			others++;
	if (npatches && (b < 0 || (!variants[b].nboots && !variants[b].failed[0])))
		die("series %s has %d patches but %s holds no patched (B) boots: boot the patched kernel, then judge", series, npatches, rsd);
	/* Every boot's selection must name tests of the manifest. */
	for (vi = 0; vi < nvariants; vi++) {
		for (bi = 0; bi < variants[vi].nboots; bi++) {
			struct boot *bt = &variants[vi].boots[bi];

			snprintf(where, sizeof(where), "%.31s boot %d", variants[vi].name, bt->n);
			unknown_where = where;
			if (manifest_unknown(&man, bt->selection, print_unknown, bt->selection))
				bad = 1;
			if (bad)
				break;
		}
		if (bad)
			break;
	}
	if (bad)
		return 1;

	tally();
	judge_all(a);
	compute_stats(a);

	snprintf(path, sizeof(path), "%s/summary.txt", rsd);
	txt = fopen(path, "w");
	if (!txt)
		die("cannot write %s: check the run directory", path);
	print_table();
	out("\n%d boots of A", variants[a].nboots);
	for (vi = 0; vi < nvariants; vi++)
		if (vi != a)
			out(", %d of %s", variants[vi].nboots, variants[vi].name);
	out("; selection: %s\n", variants[a].boots[0].selection[0] ?
	    variants[a].boots[0].selection : "every test of the manifest");
	/* Candidates: a verdict each. */
	for (vi = 0; vi < nvariants; vi++) {
		enum sev s;

		if (vi == a || vi == b)
			continue;
		s = verdict_of(vi, a);
		out("%s%s%s%s: %s\n", variants[vi].name,
		    variants[vi].label[0] ? " (" : "", variants[vi].label,
		    variants[vi].label[0] ? ")" : "",
		    s == NOTE ? "PASS" : sev_name[s]);
		print_reasons(vi, a, 0);
	}
	v = verdict_of(b >= 0 ? b : a, a);
	out("notes:\n");
	print_reasons(a, a, 1);
	if (b >= 0)
		print_reasons(b, a, 1);
	if (v == NOTE) {
		if (others && suite_mode)
			out("VERDICT: PASS (regression suite: every boot ended cleanly and reported every program; B passes every program A passed, no new splat on B)\n");
		else if (others)
			out("VERDICT: PASS (every boot ended cleanly and reported every test; B passes every test A passed, no new splat on B%s%s)\n",
			    any_target_on(a) ? "; A showed the declared races, B did not" : "",
			    fixed_run() ? "; the fixed tests failed on A and pass on B" : "");
		else
			out("VERDICT: PASS (no patches: every boot ended cleanly and passed every test)\n");
	} else {
		out("VERDICT: %s\n", sev_name[v]);
		print_reasons(a, a, 0);
		if (b >= 0)
			print_reasons(b, a, 0);
	}
	fclose(txt);
	write_json(rsd, series, a, v);
	return sev_exit[v];
}
