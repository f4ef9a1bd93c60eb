// SPDX-License-Identifier: GPL-2.0
/*
 * mremap_limit - behaviour of a moving mremap() at the vm.max_map_count limit.
 *
 * The test lowers vm.max_map_count, fills the address space with separate
 * one-page mappings (alternating protections, so they cannot merge) until
 * mmap() fails, and then checks that:
 *
 *  - a moving mremap() that has no room fails with ENOMEM and unmaps
 *    nothing: the source and the (mapped) destination keep their contents
 *    and the number of mappings does not change;
 *  - after freeing filler mappings one at a time, the move succeeds and the
 *    data arrives at the destination.
 *
 * It prints the exact point where behaviour changes (map_count and
 * vm.max_map_count at the first successful move, and at the last mmap()
 * that succeeded) so that kernels can be compared.  Two kinds of move are
 * tried: MREMAP_MAYMOVE|MREMAP_FIXED and
 * MREMAP_MAYMOVE|MREMAP_FIXED|MREMAP_DONTUNMAP.  Single threaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ktap.h"
#include "procfs.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

#define MAX_MAP_COUNT	"/proc/sys/vm/max_map_count"
/* Limit above the starting count: number of filler mappings, roughly. */
#define ROOM		64
#define NFILL		(ROOM + 16)

static long page;
static long saved_max = -1;

static void restore(void)
{
	if (saved_max > 0 && write_long(MAX_MAP_COUNT, saved_max))
		printf("# could not restore vm.max_map_count to %ld\n", saved_max);
}

static int is_mapped(void *p)
{
	unsigned char vec;

	return mincore(p, page, &vec) == 0;
}

static int has_token(void *p, uint64_t token)
{
	return is_mapped(p) && *(volatile uint64_t *)p == token;
}

/* A page-sized hole chosen by the kernel, with holes on both sides. */
static char *reserve(size_t pages)
{
	char *r = mmap(NULL, pages * page, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (r == MAP_FAILED)
		ktap_bail("mmap reserve");
	if (munmap(r, pages * page))
		ktap_bail("munmap reserve");
	return r;
}

/* Map one page at @at; a writable one gets @token in its first word. */
static int map_page(char *at, int prot, uint64_t token)
{
	if (mmap(at, page, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0) == MAP_FAILED)
		return -1;
	if (prot & PROT_WRITE)
		*(volatile uint64_t *)at = token;
	return 0;
}

/* Fillers alternate read/write and read-only pages so they never merge. */
static int fill_prot(int i)
{
	return i & 1 ? PROT_READ : PROT_READ | PROT_WRITE;
}

static uint64_t fill_token(int i)
{
	return i & 1 ? 0 : 0xf111ull + i;
}

static const char *flag_name(int flags)
{
	return flags & MREMAP_DONTUNMAP ? "fixed_dontunmap" : "fixed";
}

/*
 * One kind of move: fill, try at the limit, free until it works.
 * Reports three cases.
 */
static void boundary(int flags)
{
	const uint64_t tok_src = 0x5352435352435352ull;
	const uint64_t tok_dst = 0x4453544453544453ull;
	const char *name = flag_name(flags);
	char *area, *src, *dst, *fill;
	long base, limit, full, cnt, last_fail_cnt = -1;
	int nfill = 0, i, ok, freed;
	char case_name[96];
	void *res;

	/* source and destination: separate one-page mappings */
	area = reserve(5);
	src = area + page;
	dst = area + 3 * page;
	if (map_page(src, PROT_READ | PROT_WRITE, tok_src) ||
	    map_page(dst, PROT_READ | PROT_WRITE, tok_dst))
		ktap_bail("map src/dst");
	fill = reserve(2 * NFILL + 2) + page;

	base = count_vmas();
	limit = base + ROOM;
	if (write_long(MAX_MAP_COUNT, limit))
		ktap_bail("write %s", MAX_MAP_COUNT);

	/* 1. fill up to the limit; alternate protections, no merging */
	ok = 1;
	for (i = 0; i < NFILL; i++) {
		if (map_page(fill + i * page, fill_prot(i), fill_token(i))) {
			if (errno != ENOMEM) {
				ktap_diag("%s: filler mmap failed: %s", name,
					  strerror(errno));
				ok = 0;
			}
			break;
		}
		nfill++;
	}
	full = count_vmas();
	ktap_diag("%s: vm.max_map_count %ld: mmap() failed after %d fillers at map_count %ld (limit %+ld)",
		  name, limit, nfill, full, full - limit);
	if (nfill == NFILL) {
		ktap_diag("%s: mmap() never failed", name);
		ok = 0;
	}
	if (full < limit) {
		ktap_diag("%s: filled only to %ld", name, full);
		ok = 0;
	}
	snprintf(case_name, sizeof(case_name), "%s_fill_to_limit", name);
	ktap_result(ok, case_name);

	/* 2. move with no room: ENOMEM, nothing unmapped */
	ok = 1;
	cnt = full;
	res = mremap(src, page, page, flags, dst);
	if (res != MAP_FAILED || errno != ENOMEM) {
		ktap_diag("%s: move at the limit returned %s (%s)", name,
			  res == MAP_FAILED ? "-1" : "success",
			  res == MAP_FAILED ? strerror(errno) : "-");
		ok = 0;
	}
	if (res == MAP_FAILED) {
		if (!has_token(src, tok_src)) {
			ktap_diag("%s: source lost after failed move", name);
			ok = 0;
		}
		if (!has_token(dst, tok_dst)) {
			ktap_diag("%s: destination %s after failed move", name,
				  is_mapped(dst) ? "overwritten" : "unmapped");
			ok = 0;
		}
		cnt = count_vmas();
		if (cnt != full) {
			ktap_diag("%s: map_count %ld -> %ld after failed move",
				  name, full, cnt);
			ok = 0;
		}
		for (i = 0; i < nfill; i++)
			if (!has_token(fill + i * page, fill_token(i))) {
				ktap_diag("%s: filler %d lost", name, i);
				ok = 0;
				break;
			}
	}
	snprintf(case_name, sizeof(case_name), "%s_fails_at_limit_intact", name);
	ktap_result(ok, case_name);

	/* 3. free fillers one by one until the move succeeds */
	ok = 1;
	freed = 0;
	while (res == MAP_FAILED) {
		if (errno != ENOMEM) {
			ktap_diag("%s: move failed with %s", name,
				  strerror(errno));
			ok = 0;
			break;
		}
		if (!has_token(src, tok_src) || !has_token(dst, tok_dst)) {
			ktap_diag("%s: failed move at map_count %ld changed src/dst",
				  name, last_fail_cnt);
			ok = 0;
			break;
		}
		if (freed == nfill) {
			ktap_diag("%s: move still fails with all fillers freed",
				  name);
			ok = 0;
			break;
		}
		last_fail_cnt = count_vmas();
		if (munmap(fill + (nfill - 1 - freed) * page, page))
			ktap_bail("munmap filler");
		freed++;
		cnt = count_vmas();
		res = mremap(src, page, page, flags, dst);
	}
	if (res != MAP_FAILED) {
		ktap_diag("%s: BOUNDARY first successful move at map_count %ld, vm.max_map_count %ld (max - count = %ld); last ENOMEM at map_count %ld (max - count = %ld)",
			  name, cnt, limit, limit - cnt, last_fail_cnt,
			  last_fail_cnt < 0 ? 0 : limit - last_fail_cnt);
		/* The room a move needs: compared between kernels by the harness. */
		ktap_diag("metric: %s_room_needed %ld", name, limit - cnt);
		if (res != dst || !has_token(dst, tok_src)) {
			ktap_diag("%s: data not at the destination", name);
			ok = 0;
		}
		if (flags & MREMAP_DONTUNMAP) {
			/* source stays mapped, now empty */
			if (!is_mapped(src) || *(volatile uint64_t *)src != 0) {
				ktap_diag("%s: source not left empty", name);
				ok = 0;
			}
		} else if (is_mapped(src)) {
			ktap_diag("%s: source still mapped after move", name);
			ok = 0;
		}
	}
	snprintf(case_name, sizeof(case_name), "%s_succeeds_with_room", name);
	ktap_result(ok, case_name);

	if (write_long(MAX_MAP_COUNT, saved_max))
		ktap_bail("restore %s", MAX_MAP_COUNT);
	munmap(fill - page, (2 * NFILL + 2) * page);
	munmap(area, 5 * page);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;

	if (access(MAX_MAP_COUNT, R_OK | W_OK))
		ktap_exit_skip("%s not available", MAX_MAP_COUNT);
	page = sysconf(_SC_PAGESIZE);
	saved_max = read_long(MAX_MAP_COUNT);
	if (saved_max <= 0)
		ktap_exit_skip("cannot read %s", MAX_MAP_COUNT);
	atexit(restore);

	ktap_start(7);
	ktap_diag("page size %ld, vm.max_map_count %ld, map_count %ld", page,
		  saved_max, count_vmas());
	boundary(MREMAP_MAYMOVE | MREMAP_FIXED);
	boundary(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP);
	ktap_result(read_long(MAX_MAP_COUNT) == saved_max,
		    "max_map_count_restored");
	ktap_finish();
}
