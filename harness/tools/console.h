/* SPDX-License-Identifier: GPL-2.0 */
/*
 * console.h - read one racefix guest console, the same way for every
 * host tool (verdict per boot, judge per series).
 *
 * Finds:
 *  - the KTAP result of every test /init ran (pass, fail, skip and the
 *    directive), with the totals of the test's own nested KTAP results
 *    (a kselftest's "  ok N case" lines: ok, not ok, skip);
 *  - /init's plan, a "Bail out!" and the sentinel (tests/protocol.h);
 *  - every kernel splat, as a kind and a signature that stays the same
 *    from boot to boot (addresses, offsets, pids and counters hidden):
 *    KCSAN data races as their "A / B" function pair, BUG, WARNING,
 *    Oops (x86 "Oops:", "general protection fault", sparc64
 *    "comm(pid): Oops [#1]" with the "Unable to handle kernel ..." line
 *    before it), panic, hung task, RCU stall, soft lockup;
 *  - the values tests print as "# metric: NAME VALUE";
 *  - whether the kernel runs KCSAN (so whether a data race can show);
 *  - the outcome qemu-run wrote to the status file.
 *
 * The caller owns the struct console (it is large: allocate it).
 */
#ifndef RACEFIX_CONSOLE_H
#define RACEFIX_CONSOLE_H

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tests/protocol.h"
#include "json.h"

#define CONSOLE_MAX_TESTS	128
#define CONSOLE_MAX_SPLATS	256
#define CONSOLE_MAX_METRICS	128
#define CONSOLE_NAME		64

struct console_test {
	char name[CONSOLE_NAME];
	char result[8];			/* RESULT_PASS, _FAIL, _SKIP */
	char directive[160];
	int nested_ok, nested_fail, nested_skip;
};

struct console_splat {
	char kind[16];
	char sig[256];
	char test[CONSOLE_NAME];	/* the test it fell in, "" if none */
	int count;
	double first_ts;
	double since_start;		/* seconds from that test's start */
	int target;			/* set by the caller */
};

struct console_metric {
	char test[CONSOLE_NAME];
	char name[CONSOLE_NAME];
	char value[CONSOLE_NAME];
};

struct console {
	struct console_test tests[CONSOLE_MAX_TESTS];
	int ntests;
	struct console_splat splats[CONSOLE_MAX_SPLATS];
	int nsplats;
	struct console_metric metrics[CONSOLE_MAX_METRICS];
	int nmetrics;
	char outcome[64];
	long long elapsed_ms;
	int sentinel, ktap, plan, kcsan;
	char bail_out[256];
	char init_error[256];		/* /init could not use its manifest */
	/* Parser state. */
	char current_test[CONSOLE_NAME];
	double test_start_ts;
	int pend_ok, pend_fail, pend_skip;
	char pend_fault[160];		/* sparc64 "Unable to handle ..." */
	double pend_fault_ts;
};

static inline void console_init(struct console *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->outcome, "unknown");
	c->elapsed_ms = -1;
	c->plan = -1;
	c->test_start_ts = -1;
}

static inline void console_chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* "func+0x12/0x40 [mod]" -> "func" */
static inline void console_strip_offset(char *s)
{
	char *p = strstr(s, "+0x");

	if (p)
		*p = '\0';
	console_chomp(s);
}

/* "do_mremap+0x27e/0x9f4" -> "do_mremap", wherever it occurs. */
static inline void console_strip_offsets(char *s)
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

/* Hide addresses, ids and oops counters so one bug keeps one signature. */
static inline void console_normalize(char *s)
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
		} else if (r[0] == ' ' && r[1] == '[' && r[2] == '#' &&
			   isdigit((unsigned char)r[3])) {
			/* " [#1]" */
			r += 3;
			r += strspn(r, "0123456789");
			if (*r == ']')
				r++;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	console_chomp(s);
}

static inline void console_add_splat(struct console *c, const char *kind,
				     char *sig, double ts)
{
	struct console_splat *s;
	int i;

	console_normalize(sig);
	for (i = 0; i < c->nsplats; i++) {
		if (!strcmp(c->splats[i].kind, kind) &&
		    !strcmp(c->splats[i].sig, sig)) {
			c->splats[i].count++;
			return;
		}
	}
	if (c->nsplats == CONSOLE_MAX_SPLATS)
		return;
	s = &c->splats[c->nsplats++];
	snprintf(s->kind, sizeof(s->kind), "%s", kind);
	snprintf(s->sig, sizeof(s->sig), "%s", sig);
	snprintf(s->test, sizeof(s->test), "%s", c->current_test);
	s->count = 1;
	s->first_ts = ts;
	s->since_start = (ts >= 0 && c->test_start_ts >= 0) ?
			 ts - c->test_start_ts : -1;
	s->target = 0;
}

/* A KTAP result line "ok N name # directive" -> name, result, directive. */
static inline int console_ktap(const char *p, char *name, size_t nlen,
			       char *result, char *directive, size_t dlen)
{
	const char *hash;
	int ok = 1;

	if (!strncmp(p, KTAP_NOT_OK, strlen(KTAP_NOT_OK))) {
		ok = 0;
		p += strlen(KTAP_NOT_OK);
	} else if (!strncmp(p, KTAP_OK, strlen(KTAP_OK))) {
		p += strlen(KTAP_OK);
	} else {
		return 0;
	}
	if (!isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	while (*p == ' ')
		p++;
	hash = strstr(p, KTAP_DIRECTIVE);
	if (!hash && !strncmp(p, "# ", 2))
		hash = p - 1;	/* "ok 1 # SKIP": no name */
	if (name)
		snprintf(name, nlen, "%.*s",
			 (int)(hash ? hash - p : (long)strlen(p)), p);
	if (directive)
		snprintf(directive, dlen, "%s",
			 hash ? hash + strlen(KTAP_DIRECTIVE) : "");
	if (hash && !strncasecmp(hash + strlen(KTAP_DIRECTIVE), KTAP_SKIP_WORD,
				 strlen(KTAP_SKIP_WORD)))
		strcpy(result, RESULT_SKIP);
	else
		strcpy(result, ok ? RESULT_PASS : RESULT_FAIL);
	return 1;
}

static inline void console_top_level(struct console *c, const char *p)
{
	struct console_test *t;
	char result[8];

	if (!strcmp(p, KTAP_VERSION_LINE)) {
		c->ktap = 1;
		return;
	}
	if (!strncmp(p, RACEFIX_SENTINEL, strlen(RACEFIX_SENTINEL))) {
		c->sentinel = 1;
		return;
	}
	if (!strcmp(p, "# kcsan: enabled: 1")) {
		c->kcsan = 1;
		return;
	}
	/* An /init from before tests/manifest.h dropped bad lines so. */
	if (!strncmp(p, RACEFIX_INIT_DIAG "bad manifest line",
		     strlen(RACEFIX_INIT_DIAG "bad manifest line"))) {
		if (!c->init_error[0])
			snprintf(c->init_error, sizeof(c->init_error), "%s",
				 p + strlen(RACEFIX_INIT_DIAG));
		return;
	}
	if (!c->ktap)
		return;
	if (!strncmp(p, "1..", 3) && c->plan < 0) {
		c->plan = atoi(p + 3);
		return;
	}
	if (!strncmp(p, KTAP_BAIL_OUT, strlen(KTAP_BAIL_OUT))) {
		if (!c->bail_out[0])
			snprintf(c->bail_out, sizeof(c->bail_out), "%s", p);
		return;
	}
	/* A nested result of the test running now. */
	if (!strncmp(p, RACEFIX_NEST, strlen(RACEFIX_NEST)) &&
	    p[strlen(RACEFIX_NEST)] != ' ') {
		if (console_ktap(p + strlen(RACEFIX_NEST), NULL, 0, result,
				 NULL, 0)) {
			if (!strcmp(result, RESULT_SKIP))
				c->pend_skip++;
			else if (!strcmp(result, RESULT_PASS))
				c->pend_ok++;
			else
				c->pend_fail++;
		}
		return;
	}
	if (c->ntests == CONSOLE_MAX_TESTS)
		return;
	t = &c->tests[c->ntests];
	if (!console_ktap(p, t->name, sizeof(t->name), t->result,
			  t->directive, sizeof(t->directive)))
		return;
	if (!strncmp(t->directive, RACEFIX_BAD_LINE, strlen(RACEFIX_BAD_LINE)) &&
	    !c->init_error[0])
		snprintf(c->init_error, sizeof(c->init_error), "%s",
			 t->directive);
	t->nested_ok = c->pend_ok;
	t->nested_fail = c->pend_fail;
	t->nested_skip = c->pend_skip;
	c->pend_ok = c->pend_fail = c->pend_skip = 0;
	c->ntests++;
}

/* "sqpoll_flush(95): Oops [#1]" (sparc64 die_if_kernel) -> "sqpoll_flush: Oops" */
static inline int console_sparc_die(const char *buf, char *sig, size_t len)
{
	const char *open = strchr(buf, '('), *space = strchr(buf, ' ');
	const char *close, *hash;

	if (!open || open == buf || (space && space < open))
		return 0;
	close = open + 1 + strspn(open + 1, "0123456789");
	if (close == open + 1 || strncmp(close, "): ", 3))
		return 0;
	hash = strstr(close, " [#");
	if (!hash || !isdigit((unsigned char)hash[3]))
		return 0;
	snprintf(sig, len, "%.*s: %.*s", (int)(open - buf), buf,
		 (int)(hash - close - 3), close + 3);
	return 1;
}

static inline void console_line(struct console *c, char *line)
{
	char buf[1024], sig[512], *p = line, *q;
	double ts = -1;

	console_chomp(line);
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
	if (ts < 0 && !strncmp(p, RACEFIX_NEST RACEFIX_METRIC,
			       strlen(RACEFIX_NEST RACEFIX_METRIC))) {
		struct console_metric *m = &c->metrics[c->nmetrics];

		if (c->nmetrics < CONSOLE_MAX_METRICS &&
		    sscanf(p + strlen(RACEFIX_NEST RACEFIX_METRIC), "%63s %63s",
			   m->name, m->value) == 2) {
			snprintf(m->test, sizeof(m->test), "%s", c->current_test);
			c->nmetrics++;
		}
		return;
	}
	if (ts < 0) {
		/* Output of /init itself. */
		console_top_level(c, p);
		return;
	}
	snprintf(buf, sizeof(buf), "%s", p);

	if (!strncmp(p, RACEFIX_START, strlen(RACEFIX_START))) {
		c->test_start_ts = ts;
		snprintf(c->current_test, sizeof(c->current_test), "%s",
			 p + strlen(RACEFIX_START));
		c->pend_ok = c->pend_fail = c->pend_skip = 0;
	} else if (!strncmp(p, "kcsan: enabled early", 20)) {
		c->kcsan = 1;
	} else if ((q = strstr(buf, "BUG: KCSAN: data-race in "))) {
		q += strlen("BUG: KCSAN: data-race in ");
		/* A race of unknown origin names one function, with offset. */
		console_strip_offsets(q);
		console_add_splat(c, "kcsan", q, ts);
	} else if ((q = strstr(buf, "BUG: KCSAN: "))) {
		console_add_splat(c, "kcsan", q + strlen("BUG: KCSAN: "), ts);
	} else if ((q = strstr(buf, "soft lockup - "))) {
		/* "soft lockup - CPU#0 stuck for 22s! [comm:pid]" */
		char who[256];

		q = strrchr(buf, '[');
		snprintf(who, sizeof(who), "%s", q ? q : "soft lockup");
		console_add_splat(c, "softlockup", who, ts);
	} else if ((q = strstr(buf, "BUG: "))) {
		console_add_splat(c, "bug", q + 5, ts);
	} else if (!strncmp(buf, "WARNING: ", 9)) {
		q = strstr(buf, " at ");
		if (q) {
			q += 4;
			console_strip_offset(q);
		} else {
			q = buf + 9;
		}
		console_add_splat(c, "warning", q, ts);
	} else if (!strncmp(buf, "Unable to handle kernel ", 24)) {
		/* sparc64 (and others): the fault before the Oops line. */
		snprintf(c->pend_fault, sizeof(c->pend_fault), "%.159s", buf);
		c->pend_fault_ts = ts;
	} else if (console_sparc_die(buf, sig, sizeof(sig))) {
		if (c->pend_fault[0]) {
			size_t n = strlen(sig);

			snprintf(sig + n, sizeof(sig) - n, ": %s", c->pend_fault);
			c->pend_fault[0] = '\0';
		}
		console_add_splat(c, "oops", sig, ts);
	} else if (!strncmp(buf, "Oops", 4) ||
		   !strncmp(buf, "general protection fault", 24)) {
		console_add_splat(c, "oops", buf, ts);
	} else if ((q = strstr(buf, "Kernel panic - not syncing"))) {
		q += strlen("Kernel panic - not syncing");
		q += strspn(q, ": ");
		console_add_splat(c, "panic", q, ts);
	} else if (!strncmp(buf, "INFO: task ", 11) &&
		   strstr(buf, "blocked for more than")) {
		q = strchr(buf + 11, ':');
		if (q)
			*q = '\0';
		console_add_splat(c, "hung", buf + 11, ts);
	} else if (strstr(buf, "detected stall") ||
		   strstr(buf, "self-detected stall")) {
		console_add_splat(c, "rcustall", buf, ts);
	}
}

/* Did the boot end cleanly: powered off after the sentinel? */
static inline int console_clean(const struct console *c)
{
	return !strcmp(c->outcome, "poweroff") && c->sentinel;
}

/* After the last line: what is still pending, and the boot itself. */
static inline void console_finish(struct console *c)
{
	char line[160];

	if (c->pend_fault[0]) {
		snprintf(line, sizeof(line), "%s", c->pend_fault);
		c->pend_fault[0] = '\0';
		console_add_splat(c, "oops", line, c->pend_fault_ts);
	}
	/* A run that did not end cleanly is a splat of its own. */
	if (!console_clean(c)) {
		snprintf(line, sizeof(line), "%s%s", c->outcome,
			 c->sentinel ? "" : ", no sentinel");
		console_add_splat(c, "boot", line, -1);
	}
}

/* qemu-run's status file: "outcome=...", "elapsed_ms=...". 0 or -1. */
static inline int console_read_status(struct console *c, const char *path)
{
	char line[128];
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		console_chomp(line);
		if (!strncmp(line, "outcome=", 8))
			snprintf(c->outcome, sizeof(c->outcome), "%.63s", line + 8);
		else if (!strncmp(line, "elapsed_ms=", 11))
			c->elapsed_ms = atoll(line + 11);
	}
	fclose(f);
	return 0;
}

/* The whole log, then console_finish(). 0 or -1 (errno set). */
static inline int console_read_log(struct console *c, const char *path)
{
	char line[4096];
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		console_line(c, line);
	fclose(f);
	console_finish(c);
	return 0;
}

#endif /* RACEFIX_CONSOLE_H */
