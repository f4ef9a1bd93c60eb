/* SPDX-License-Identifier: GPL-2.0 */
/* json.h - the one JSON string writer of racefix's host tools. */
#ifndef RACEFIX_JSON_H
#define RACEFIX_JSON_H

#include <stdio.h>

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

#endif /* RACEFIX_JSON_H */
