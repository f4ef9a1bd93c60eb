/* SPDX-License-Identifier: GPL-2.0 */
/* json.h - the one JSON string writer of racefix's host tools. */
#ifndef RACEFIX_JSON_H
#define RACEFIX_JSON_H

#include <stdio.h>
#include <string.h>

/* Write @s to @f as a JSON string: quotes, backslashes, control bytes. */
static inline void json_str(FILE *f, const char *s)
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

/* The most KEY=VALUE pairs a tool takes for run.json (-m). */
#define RUN_META_MAX	16

/* A KEY=VALUE for run.json: a key before '=', with no quote or backslash. */
static inline int run_meta_ok(const char *kv)
{
	return strchr(kv, '=') && kv[0] != '=' &&
	       strcspn(kv, "=\"\\") == strcspn(kv, "=");
}

/* Write each KEY=VALUE of @meta as a "KEY": "VALUE", line of run.json. */
static inline void run_meta_write(FILE *f, char *const *meta, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		const char *eq = strchr(meta[i], '=');

		fprintf(f, "  \"%.*s\": ", (int)(eq - meta[i]), meta[i]);
		json_str(f, eq + 1);
		fprintf(f, ",\n");
	}
}

#endif /* RACEFIX_JSON_H */
