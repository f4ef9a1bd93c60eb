// SPDX-License-Identifier: GPL-2.0
/*
 * lava-log - one boot's files from the log of a LAVA job.
 *
 *   lava-log -l LAVA_LOG -o RUN_DIR [-k KERNEL_SHA256] [-r RAMDISK_SHA256]
 *            [-a KERNEL_ARGS] [-t TOTAL_S] [-q SILENCE_S] [-m KEY=VALUE]...
 *
 * LAVA_LOG is a job log as LAVA writes it: one record per line,
 * {"dt": ..., "lvl": ..., "msg": ...} in YAML's double-quoted flow style
 * (what lava-run prints on stderr), or the same lines with a leading "- "
 * (a server's output.yaml, "lavacli jobs logs --raw"). Lines that are not
 * records (a Python traceback) are counted and otherwise left alone.
 *
 * Writes into RUN_DIR exactly the files a local boot leaves
 * (harness/boot.sh with qemu-run), so that verdict and judge read a LAVA
 * boot as they read a local one:
 *   console.log  the guest console: every "target" record, one line each
 *                (LAVA's \" turned back into "), up to the first "input"
 *                record (LAVA typing into the console while it tears the
 *                job down, never done by a racefix job before that);
 *   status       outcome=, elapsed_ms= (qemu-run's keys);
 *   run.json     racefix-run-1 with runner "lava", the -m fields, the
 *                kernel arguments the job really booted with (from LAVA's
 *                "Boot command", else -a), LAVA's boot command, job
 *                result and error, the sha256 of what LAVA downloaded,
 *                start, end, outcome and reason.
 *
 * The outcome, the first that applies:
 *   no-lava-log     LAVA_LOG cannot be read
 *   wrong-artifact  LAVA downloaded a kernel or ramdisk whose sha256 is
 *                   not the one the job was written for (-k, -r)
 *   incomplete      the log has no job result (the job never finished),
 *                   or LAVA failed the job (its error type and message
 *                   are the reason); "panic" instead when the console
 *                   shows a kernel panic
 *   poweroff        the job completed, the guest printed the sentinel and
 *                   then the kernel's "reboot: Power down"
 *   no-poweroff     the sentinel, but no power-off after it
 *   timeout         LAVA's test monitor timed out before the sentinel
 *   no-sentinel     the job completed without the sentinel
 * Only "poweroff" is a clean boot for the judge.
 *
 * Exit codes: 0 the files were written (any outcome), 1 usage or system
 * error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../tests/protocol.h"
#include "json.h"

#define PANIC_TEXT	"Kernel panic - not syncing"
#define POWER_DOWN	"reboot: Power down"

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "lava-log: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

/* ---- a YAML double-quoted flow mapping, as LAVA's logger dumps it ---- */

struct node {
	char *key;		/* in a mapping */
	char *str;		/* a scalar */
	struct node *kids;	/* a mapping or a sequence */
	struct node *next;
};

static void free_node(struct node *n)
{
	while (n) {
		struct node *next = n->next;

		free(n->key);
		free(n->str);
		free_node(n->kids);
		free(n);
		n = next;
	}
}

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

static void put_utf8(char **o, unsigned long c)
{
	char *s = *o;

	if (c < 0x80) {
		*s++ = c;
	} else if (c < 0x800) {
		*s++ = 0xc0 | (c >> 6);
		*s++ = 0x80 | (c & 0x3f);
	} else if (c < 0x10000) {
		*s++ = 0xe0 | (c >> 12);
		*s++ = 0x80 | ((c >> 6) & 0x3f);
		*s++ = 0x80 | (c & 0x3f);
	} else {
		*s++ = 0xf0 | (c >> 18);
		*s++ = 0x80 | ((c >> 12) & 0x3f);
		*s++ = 0x80 | ((c >> 6) & 0x3f);
		*s++ = 0x80 | (c & 0x3f);
	}
	*o = s;
}

/* A double-quoted scalar at *p (on its opening quote); NULL if malformed. */
static char *parse_str(const char **p)
{
	const char *s = *p + 1;
	char *out = malloc(strlen(s) * 4 + 1), *o = out;
	int digits;

	if (!out)
		die("%s", "out of memory");
	while (*s && *s != '"') {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		s++;
		digits = 0;
		switch (*s) {
		case '0': *o++ = '\0'; break;
		case 'a': *o++ = '\a'; break;
		case 'b': *o++ = '\b'; break;
		case 't': case '\t': *o++ = '\t'; break;
		case 'n': *o++ = '\n'; break;
		case 'v': *o++ = '\v'; break;
		case 'f': *o++ = '\f'; break;
		case 'r': *o++ = '\r'; break;
		case 'e': *o++ = 0x1b; break;
		case ' ': case '"': case '/': case '\\': *o++ = *s; break;
		case 'N': put_utf8(&o, 0x85); break;
		case '_': put_utf8(&o, 0xa0); break;
		case 'L': put_utf8(&o, 0x2028); break;
		case 'P': put_utf8(&o, 0x2029); break;
		case 'x': digits = 2; break;
		case 'u': digits = 4; break;
		case 'U': digits = 8; break;
		default:
			free(out);
			return NULL;
		}
		if (digits) {
			char hex[9];
			unsigned long c;

			if (strspn(s + 1, "0123456789abcdefABCDEF") < (size_t)digits) {
				free(out);
				return NULL;
			}
			memcpy(hex, s + 1, digits);
			hex[digits] = '\0';
			c = strtoul(hex, NULL, 16);
			/* A NUL would end the line early: keep it visible. */
			put_utf8(&o, c ? c : 0xfffd);
			s += digits;
		}
		s++;
	}
	if (*s != '"') {
		free(out);
		return NULL;
	}
	*o = '\0';
	*p = s + 1;
	return out;
}

static struct node *parse_value(const char **p, int depth);

/* A mapping or sequence at *p (on its bracket). */
static struct node *parse_coll(const char **p, int depth)
{
	char close = **p == '{' ? '}' : ']';
	struct node *head = NULL, **tail = &head, *n;

	(*p)++;
	skip_ws(p);
	if (**p == close) {
		(*p)++;
		goto done;
	}
	for (;;) {
		char *key = NULL;

		skip_ws(p);
		if (close == '}') {
			if (**p != '"' || !(key = parse_str(p)))
				goto bad;
			skip_ws(p);
			if (**p != ':') {
				free(key);
				goto bad;
			}
			(*p)++;
			skip_ws(p);
		}
		n = parse_value(p, depth + 1);
		if (!n) {
			free(key);
			goto bad;
		}
		n->key = key;
		*tail = n;
		tail = &n->next;
		skip_ws(p);
		if (**p == ',') {
			(*p)++;
			continue;
		}
		if (**p == close) {
			(*p)++;
			break;
		}
		goto bad;
	}
done:
	n = calloc(1, sizeof(*n));
	if (!n)
		die("%s", "out of memory");
	n->kids = head;
	return n;
bad:
	free_node(head);
	return NULL;
}

static struct node *parse_value(const char **p, int depth)
{
	struct node *n;
	const char *s;

	if (depth > 16)
		return NULL;
	/* A YAML tag ("size": ! "1741824" is how LAVA dumps a number). */
	if (**p == '!') {
		while (**p && **p != ' ')
			(*p)++;
		skip_ws(p);
	}
	if (**p == '{' || **p == '[')
		return parse_coll(p, depth);
	n = calloc(1, sizeof(*n));
	if (!n)
		die("%s", "out of memory");
	if (**p == '"') {
		n->str = parse_str(p);
	} else {
		/* A plain scalar (a number): up to the next separator. */
		s = *p;
		while (**p && !strchr(",}] \t", **p))
			(*p)++;
		n->str = strndup(s, *p - s);
		if (*p == s) {
			free(n->str);
			n->str = NULL;
		}
	}
	if (!n->str) {
		free(n);
		return NULL;
	}
	return n;
}

static struct node *get(struct node *map, const char *key)
{
	struct node *n;

	for (n = map ? map->kids : NULL; n; n = n->next)
		if (n->key && !strcmp(n->key, key))
			return n;
	return NULL;
}

static const char *get_str(struct node *map, const char *key)
{
	struct node *n = get(map, key);

	return n && n->str ? n->str : NULL;
}

/* ---- the job, as the log tells it ---- */

static char *xdup(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d)
		die("%s", "out of memory");
	return d;
}

struct job {
	char *first_dt, *last_dt;	/* the job's first and last record */
	char *boot_dt, *console_end_dt;	/* QEMU started; last console line */
	char *boot_command;
	char *result, *error_type, *error_msg;	/* lava/job */
	char *kernel_sha256, *ramdisk_sha256;	/* what LAVA downloaded */
	int sentinel, power_down, panic, monitor_timeout, input_seen;
	long records, bad_lines, console_lines;
};

/* Milliseconds between two LAVA timestamps (2026-12-03T13:37:12.364019). */
static long long dt_ms(const char *dt)
{
	struct tm tm = { 0 };
	const char *rest;
	double frac = 0;

	if (!dt)
		return -1;
	rest = strptime(dt, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest)
		return -1;
	if (*rest == '.')
		frac = atof(rest);
	return (long long)timegm(&tm) * 1000 + (long long)(frac * 1000);
}

static void set(char **field, const char *value)
{
	free(*field);
	*field = xdup(value);
}

/*
 * LAVA's ShellLogger escapes every double quote of the console as \"
 * ("for YAML syntax") before it logs the line: undo that. (It also drops
 * carriage returns, escape characters and empty lines; nothing racefix
 * reads depends on them.)
 */
static void unescape_quotes(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == '"')
			s++;
		*w++ = *s;
	}
	*w = '\0';
}

static void record(struct job *j, struct node *r, FILE *console)
{
	const char *dt = get_str(r, "dt"), *lvl = get_str(r, "lvl");
	struct node *msg = get(r, "msg");

	if (!dt || !lvl || !msg)
		return;
	j->records++;
	if (!j->first_dt)
		j->first_dt = xdup(dt);
	set(&j->last_dt, dt);

	if (!strcmp(lvl, "input"))
		j->input_seen = 1;
	if (!strcmp(lvl, "target") && msg->str && !j->input_seen) {
		unescape_quotes(msg->str);
		fprintf(console, "%s\n", msg->str);
		j->console_lines++;
		set(&j->console_end_dt, dt);
		if (strstr(msg->str, PANIC_TEXT))
			j->panic = 1;
		if (strstr(msg->str, RACEFIX_SENTINEL))
			j->sentinel = 1;
		else if (j->sentinel && strstr(msg->str, POWER_DOWN))
			j->power_down = 1;
		return;
	}
	if (msg->str) {
		if (!strncmp(msg->str, "Boot command: ", 14) && !j->boot_command) {
			j->boot_command = xdup(msg->str + 14);
			j->boot_dt = xdup(dt);
		}
		if (strstr(msg->str, "lava test monitoring has timed out"))
			j->monitor_timeout = 1;
		return;
	}
	if (!strcmp(lvl, "results")) {
		const char *def = get_str(msg, "definition");
		const char *c = get_str(msg, "case");
		struct node *extra = get(msg, "extra");

		if (!def || !c)
			return;
		if (!strcmp(def, "lava") && !strcmp(c, "job")) {
			set(&j->result, get_str(msg, "result"));
			set(&j->error_type, get_str(msg, "error_type"));
			set(&j->error_msg, get_str(msg, "error_msg"));
		} else if (!strcmp(def, "lava") && strstr(c, "download") &&
			   get_str(extra, "label") && get_str(extra, "sha256sum")) {
			if (!strcmp(get_str(extra, "label"), "kernel"))
				set(&j->kernel_sha256, get_str(extra, "sha256sum"));
			else if (!strcmp(get_str(extra, "label"), "ramdisk"))
				set(&j->ramdisk_sha256, get_str(extra, "sha256sum"));
		}
	}
}

/* The value of -append in LAVA's boot command ("..." quoted), or NULL. */
static char *append_of(const char *cmd)
{
	const char *a = cmd ? strstr(cmd, " -append ") : NULL;
	const char *e;

	if (!a)
		return NULL;
	a += 9;
	if (*a == '"' || *a == '\'') {
		e = strchr(a + 1, *a);
		if (!e)
			return NULL;
		return strndup(a + 1, e - a - 1);
	}
	e = a + strcspn(a, " ");
	return strndup(a, e - a);
}

static void utc(const char *dt, char *buf, size_t len)
{
	/* LAVA's dt is UTC without a zone: keep the seconds, add Z. */
	if (dt)
		snprintf(buf, len, "%.19sZ", dt);
	else
		snprintf(buf, len, "unknown");
}

static void usage(void)
{
	fprintf(stderr,
		"usage: lava-log -l LAVA_LOG -o RUN_DIR [-k KERNEL_SHA256] [-r RAMDISK_SHA256]\n"
		"                [-a KERNEL_ARGS] [-t TOTAL_S] [-q SILENCE_S] [-m KEY=VALUE]...\n");
	exit(1);
}

int main(int argc, char **argv)
{
	const char *log_path = NULL, *dir = NULL, *want_kernel = NULL;
	const char *want_ramdisk = NULL, *plan_args = "";
	char *meta[RUN_META_MAX], path[4096], final[4096], reason[1024];
	char start[40], end[40];
	char *line = NULL, *args;
	long long total_s = 0, silence_s = 0, elapsed_ms = 0, t0, t1;
	const char *outcome;
	struct job j = { 0 };
	size_t cap = 0;
	int nmeta = 0, opt, readable;
	FILE *f, *console, *out;

	while ((opt = getopt(argc, argv, "l:o:k:r:a:t:q:m:")) != -1) {
		switch (opt) {
		case 'l': log_path = optarg; break;
		case 'o': dir = optarg; break;
		case 'k': want_kernel = optarg; break;
		case 'r': want_ramdisk = optarg; break;
		case 'a': plan_args = optarg; break;
		case 't': total_s = atoll(optarg); break;
		case 'q': silence_s = atoll(optarg); break;
		case 'm':
			if (nmeta == RUN_META_MAX || !run_meta_ok(optarg))
				usage();
			meta[nmeta++] = optarg;
			break;
		default:
			usage();
		}
	}
	if (!log_path || !dir || optind != argc)
		usage();

	snprintf(path, sizeof(path), "%s/console.log", dir);
	console = fopen(path, "w");
	if (!console)
		die("cannot write %s", path);
	f = fopen(log_path, "r");
	readable = f != NULL;
	while (f && getline(&line, &cap, f) > 0) {
		const char *p = line;
		struct node *r;

		line[strcspn(line, "\r\n")] = '\0';
		if (!strncmp(p, "- ", 2))
			p += 2;
		if (*p != '{') {
			if (*p)
				j.bad_lines++;
			continue;
		}
		r = parse_value(&p, 0);
		if (!r) {
			j.bad_lines++;
			continue;
		}
		record(&j, r, console);
		free_node(r);
	}
	if (f)
		fclose(f);
	free(line);
	if (fclose(console))
		die("cannot write %s", path);

	/* The outcome, the first rule that applies. */
	if (!readable || !j.records) {
		outcome = "no-lava-log";
		snprintf(reason, sizeof(reason), "%s: %s", log_path,
			 readable ? "not a LAVA job log (no log record in it)" :
			 strerror(errno));
	} else if (want_kernel && j.kernel_sha256 && strcmp(want_kernel, j.kernel_sha256)) {
		outcome = "wrong-artifact";
		snprintf(reason, sizeof(reason), "LAVA booted a kernel with sha256 %.64s, the job was written for %.64s",
			 j.kernel_sha256, want_kernel);
	} else if (want_ramdisk && j.ramdisk_sha256 && strcmp(want_ramdisk, j.ramdisk_sha256)) {
		outcome = "wrong-artifact";
		snprintf(reason, sizeof(reason), "LAVA booted a ramdisk with sha256 %.64s, the job was written for %.64s",
			 j.ramdisk_sha256, want_ramdisk);
	} else if (!j.result) {
		outcome = j.panic ? "panic" : "incomplete";
		snprintf(reason, sizeof(reason), "%sthe LAVA log has no job result: the job did not finish (still running, canceled, or the log is cut)",
			 j.panic ? "the kernel panicked; " : "");
	} else if (strcmp(j.result, "pass")) {
		outcome = j.panic ? "panic" : "incomplete";
		snprintf(reason, sizeof(reason), "%sLAVA marked the job incomplete: %.100s: %.700s",
			 j.panic ? "the kernel panicked; " : "",
			 j.error_type[0] ? j.error_type : "no error type",
			 j.error_msg[0] ? j.error_msg : "no error message");
	} else if (j.panic) {
		outcome = "panic";
		snprintf(reason, sizeof(reason), "the kernel panicked (\"%s\")", PANIC_TEXT);
	} else if (j.sentinel && j.power_down) {
		outcome = "poweroff";
		snprintf(reason, sizeof(reason), "the guest printed \"%s\" and the kernel powered off (\"%s\"); LAVA completed the job",
			 RACEFIX_SENTINEL, POWER_DOWN);
	} else if (j.sentinel) {
		outcome = "no-poweroff";
		snprintf(reason, sizeof(reason), "the guest printed \"%s\" but the kernel did not power off (no \"%s\" after it)",
			 RACEFIX_SENTINEL, POWER_DOWN);
	} else if (j.monitor_timeout) {
		outcome = "timeout";
		snprintf(reason, sizeof(reason), "LAVA's test monitor timed out before the guest printed \"%s\"",
			 RACEFIX_SENTINEL);
	} else {
		outcome = "no-sentinel";
		snprintf(reason, sizeof(reason), "LAVA completed the job but the guest never printed \"%s\"",
			 RACEFIX_SENTINEL);
	}

	t0 = dt_ms(j.boot_dt);
	t1 = dt_ms(j.console_end_dt);
	if (t0 >= 0 && t1 >= t0)
		elapsed_ms = t1 - t0;

	snprintf(path, sizeof(path), "%s/status", dir);
	out = fopen(path, "w");
	if (!out)
		die("cannot write %s", path);
	fprintf(out, "outcome=%s\nelapsed_ms=%lld\n", outcome, elapsed_ms);
	if (fclose(out))
		die("cannot write %s", path);

	snprintf(path, sizeof(path), "%s/run.json.tmp", dir);
	out = fopen(path, "w");
	if (!out)
		die("cannot write %s", path);
	fprintf(out, "{\n  \"format\": \"racefix-run-1\",\n  \"runner\": \"lava\",\n");
	run_meta_write(out, meta, nmeta);
	args = append_of(j.boot_command);
	fprintf(out, "  \"kernel_args\": ");
	json_str(out, args ? args : plan_args);
	fprintf(out, ",\n  \"kernel_args_from\": \"%s\",\n",
		args ? "lava-boot-command" : "job");
	free(args);
	fprintf(out, "  \"lava_log\": ");
	json_str(out, log_path);
	fprintf(out, ",\n  \"lava_boot_command\": ");
	json_str(out, j.boot_command ? j.boot_command : "");
	fprintf(out, ",\n  \"lava_job_result\": ");
	json_str(out, j.result ? j.result : "none");
	fprintf(out, ",\n  \"lava_error_type\": ");
	json_str(out, j.error_type ? j.error_type : "");
	fprintf(out, ",\n  \"lava_error_msg\": ");
	json_str(out, j.error_msg ? j.error_msg : "");
	fprintf(out, ",\n  \"lava_kernel_sha256\": ");
	json_str(out, j.kernel_sha256 ? j.kernel_sha256 : "");
	fprintf(out, ",\n  \"lava_ramdisk_sha256\": ");
	json_str(out, j.ramdisk_sha256 ? j.ramdisk_sha256 : "");
	fprintf(out, ",\n  \"lava_log_records\": %ld,\n  \"lava_log_other_lines\": %ld,\n",
		j.records, j.bad_lines);
	fprintf(out, "  \"limits\": {\"total_s\": %lld, \"silence_s\": %lld},\n",
		total_s, silence_s);
	utc(j.first_dt, start, sizeof(start));
	utc(j.last_dt, end, sizeof(end));
	fprintf(out, "  \"start\": \"%s\",\n  \"end\": \"%s\",\n  \"elapsed_ms\": %lld,\n",
		start, end, elapsed_ms);
	fprintf(out, "  \"outcome\": ");
	json_str(out, outcome);
	fprintf(out, ",\n  \"reason\": ");
	json_str(out, reason);
	fprintf(out, "\n}\n");
	if (fclose(out))
		die("cannot write %s", path);
	snprintf(final, sizeof(final), "%s/run.json", dir);
	if (rename(path, final))
		die("cannot write %s", final);
	printf("%s: %s\n", outcome, reason);
	return 0;
}
