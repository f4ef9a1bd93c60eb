/* SPDX-License-Identifier: GPL-2.0 */
/*
 * procfs.h - small /proc helpers shared by the racefix mm guest tests.
 *
 * Nothing here allocates: the tests count their own mappings, so a
 * helper that mapped memory would change what it measures.
 */
#ifndef RACEFIX_PROCFS_H
#define RACEFIX_PROCFS_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Read up to @len - 1 bytes of @path into @buf, NUL-terminated. */
static inline int read_file(const char *path, char *buf, size_t len)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((size_t)total < len - 1) {
		n = read(fd, buf + total, len - 1 - total);
		if (n < 0) {
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		total += n;
	}
	buf[total] = '\0';
	close(fd);
	return (int)total;
}

static inline int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static inline long read_long(const char *path)
{
	char buf[64];

	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

static inline int write_long(const char *path, long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld\n", v);
	return write_file(path, buf);
}

/*
 * Number of VMAs of this process: lines of /proc/self/maps without the
 * x86 [vsyscall] gate area, which is not a VMA of the mm. Reads into a
 * static buffer so that it does not allocate (and so map) anything itself.
 */
static char maps_buf[1 << 20];

static inline long count_vmas(void)
{
	long lines = 0;
	char *p;

	if (read_file("/proc/self/maps", maps_buf, sizeof(maps_buf)) < 0)
		return -1;
	for (p = maps_buf; *p; p++)
		if (*p == '\n')
			lines++;
	if (strstr(maps_buf, "[vsyscall]"))
		lines--;
	return lines;
}

#endif /* RACEFIX_PROCFS_H */
