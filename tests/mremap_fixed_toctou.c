// SPDX-License-Identifier: GPL-2.0
/*
 * mremap_fixed_toctou - the half-done MREMAP_FIXED move of v6.15..v7.0.
 *
 * Since v6.15 check_mremap_params() checks mm->map_count against
 * vm.max_map_count before do_mremap() takes the mmap write lock.  Another
 * thread can add mappings in between.  mremap_to() then unmaps the
 * MREMAP_FIXED target (and, for a shrink, the tail of the source) and only
 * after that does prep_move_vma() find too little room: mremap() returns
 * ENOMEM with the target, and the source tail, gone.  A correct kernel
 * decides under the lock, before it unmaps anything: ENOMEM then leaves
 * everything as it was.
 *
 * The test holds map_count at the highest value at which both moves below
 * still succeed when nothing else runs (found by trying, so it suits any
 * kernel's headroom; the sysctl is lowered to a little above the count, or
 * with -f the address space is filled up to the current limit instead).
 * Then, for -d seconds:
 *
 *  - a writer thread adds 2 * K mappings (K mprotect() splits of its own
 *    area, default K = 2) in quick succession, waits a moment, removes them
 *    again (mprotect() back, the VMAs merge) and waits again;
 *  - the mover (main thread) moves one page from the middle of a tagged
 *    source VMA onto the middle page of a mapped, tagged target VMA with
 *    MREMAP_FIXED, alternately without and with a shrink (two pages to
 *    one).  After every ENOMEM it checks that the target page and, for a
 *    shrink, the source tail are still mapped and still hold their tags.
 *    A move that lost either is "half done".  After every call it rebuilds
 *    the source and the target, so one run measures many events.
 *
 * The two threads are pinned to different CPUs when there are two.  With
 * one CPU (or -u) the window can only open when the writer loses the CPU
 * while it holds the mmap lock, before it adds mappings: on a kernel
 * without preemption that is a cond_resched() in a long mprotect().  The
 * writer then changes the protection of a large, populated VMA and the
 * head of the VMA after it in one call (a split of each, with the page
 * table walk in between), and map_count is held one lower, so that the
 * one mapping added before the walk still lets the early check pass.  A
 * shrinking move can be half done that way, a plain one cannot (the second
 * split alone is not enough).  It
 * fails when any move was half done, when a call fails with anything but
 * ENOMEM, when a successful move lost data, or when nothing ran.  Metric:
 * "half_done_moves N".
 *
 * Options: -d SECONDS (default 10), -k K writer splits per burst, -f fill
 * up to the current vm.max_map_count instead of lowering it (for a shared
 * machine: nothing global is changed), -a N / -r N busy-wait iterations of
 * the writer with its mappings added / removed, -u the one-CPU writer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ktap.h"
#include "procfs.h"

#define MAX_MAP_COUNT	"/proc/sys/vm/max_map_count"
/* Sysctl mode: the limit while filling is the starting count plus this. */
#define FILL_MARGIN	64
/* Fill mode: at most this many fillers (vm.max_map_count default 65530). */
#define FILL_MAX	(1 << 20)
#define MAX_SPLITS	8
/* One-CPU writer: a populated VMA big enough for several page tables. */
#define UP_BIG_BYTES	(32L << 20)

/* Layout, in pages, between PROT_NONE guards: |none|src 0-3|none|dst 0-2|none| */
#define REGION_PAGES	11
#define SRC_OFF		1
#define SRC_PAGES	4
#define DST_OFF		7
#define DST_PAGES	3

enum kind { FIXED, FIXED_SHRINK, NKINDS };
static const char *const kind_name[NKINDS] = { "fixed", "fixed_shrink" };

static long page;
static long saved_max = -1;
static int fill_mode;
static int uniproc;
static char *wbig;
static int splits = 2;
static long spin_added = 2000, spin_removed = 2000;

static char *region;
static char *src, *dst;
static uint64_t gen;

static char **fillers;
static long nfill;

static volatile int go;
static volatile int stop;

struct counts {
	unsigned long calls, moved, enomem, half_done, lost_target, lost_tail;
};
static struct counts counts[NKINDS];
static unsigned long writer_bursts, writer_enomem;
static int writer_errno;
static int bad_errno;
static const char *bad_what;
static unsigned long lost_data;

static void restore_max(void)
{
	if (!fill_mode && saved_max > 0 &&
	    write_long(MAX_MAP_COUNT, saved_max))
		printf("# could not restore vm.max_map_count to %ld\n",
		       saved_max);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int is_mapped(const char *p)
{
	unsigned char vec;

	return mincore((void *)p, page, &vec) == 0;
}

static uint64_t tag(int which, int i)
{
	return (gen << 16) | (uint64_t)which << 8 | (uint64_t)i;
}

static int has_tag(const char *p, uint64_t t)
{
	return is_mapped(p) && *(volatile const uint64_t *)p == t;
}

/*
 * (Re)build the source (4 pages, read-write) and the target (3 pages,
 * read-only, so a moved page never merges with it), each page tagged.
 * The PROT_NONE guards around them stay, so no filler can land next to
 * them; unmapping first keeps map_count at or below its steady value.
 */
static int rebuild(void)
{
	int i;

	gen++;
	if (munmap(src, SRC_PAGES * page) || munmap(dst, DST_PAGES * page))
		return -1;
	if (mmap(src, SRC_PAGES * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		return -1;
	if (mmap(dst, DST_PAGES * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		return -1;
	for (i = 0; i < SRC_PAGES; i++)
		*(volatile uint64_t *)(src + i * page) = tag('s', i);
	for (i = 0; i < DST_PAGES; i++)
		*(volatile uint64_t *)(dst + i * page) = tag('d', i);
	return mprotect(dst, DST_PAGES * page, PROT_READ);
}

/* One move of source page 1 onto target page 1. */
static void *move(enum kind k)
{
	if (k == FIXED)
		return mremap(src + page, page, page,
			      MREMAP_MAYMOVE | MREMAP_FIXED, dst + page);
	return mremap(src + page, 2 * page, page,
		      MREMAP_MAYMOVE | MREMAP_FIXED, dst + page);
}

static void note_bad(int err, const char *what)
{
	if (!bad_errno) {
		bad_errno = err;
		bad_what = what;
	}
}

/*
 * Try one move and judge what it left behind.  Returns 1 if it moved,
 * 0 on ENOMEM with nothing changed, 2 on ENOMEM half done, -1 on
 * anything else.
 */
static int try_move(enum kind k)
{
	struct counts *c = &counts[k];
	void *res;
	int err, lost = 0;

	c->calls++;
	res = move(k);
	err = errno;
	if (res != MAP_FAILED) {
		c->moved++;
		if (res != dst + page || !has_tag(dst + page, tag('s', 1)) ||
		    is_mapped(src + page) || !has_tag(src, tag('s', 0)) ||
		    !has_tag(src + 3 * page, tag('s', 3)) ||
		    !has_tag(dst, tag('d', 0)) ||
		    !has_tag(dst + 2 * page, tag('d', 2)))
			lost_data++;
		return 1;
	}
	if (err != ENOMEM) {
		note_bad(err, kind_name[k]);
		return -1;
	}
	c->enomem++;
	/* ENOMEM must mean that nothing happened. */
	if (!has_tag(dst + page, tag('d', 1))) {
		c->lost_target++;
		lost = 1;
	}
	if (k == FIXED_SHRINK && !has_tag(src + 2 * page, tag('s', 2))) {
		c->lost_tail++;
		lost = 1;
	}
	if (!has_tag(src + page, tag('s', 1)))
		lost = 1;
	c->half_done += lost;
	return lost ? 2 : 0;
}

/* The writer's area: 2 * MAX_SPLITS + 1 read-write pages, one VMA. */
static char *warea;

static void spin(long n)
{
	volatile long i;

	for (i = 0; i < n; i++)
		;
}

/* A split may find the mm at the limit (ENOMEM): the kernel's business. */
static void writer_op(int ret)
{
	if (!ret)
		return;
	if (errno == ENOMEM)
		writer_enomem++;
	else if (!writer_errno)
		writer_errno = errno;
}

static void *writer(void *arg)
{
	int i;

	(void)arg;
	pin(1);
	while (!go && !stop)
		sched_yield();
	while (uniproc && !stop) {
		/*
		 * Split the big VMA (+1), walk its page tables (where a
		 * cond_resched() may give the CPU to the mover), split the
		 * small one (+1); then undo it all.
		 */
		writer_op(mprotect(wbig + page, UP_BIG_BYTES, PROT_READ));
		spin(spin_added);
		writer_op(mprotect(wbig + page, UP_BIG_BYTES,
				   PROT_READ | PROT_WRITE));
		writer_bursts++;
		spin(spin_removed);
	}
	while (!stop) {
		/* Add 2 * splits mappings, one mprotect() split at a time. */
		for (i = 0; i < splits; i++)
			writer_op(mprotect(warea + (2 * i + 1) * page, page,
					   PROT_READ));
		spin(spin_added);
		/* And remove them again: each page merges back. */
		for (i = 0; i < splits; i++)
			writer_op(mprotect(warea + (2 * i + 1) * page, page,
					   PROT_READ | PROT_WRITE));
		writer_bursts++;
		spin(spin_removed);
	}
	return NULL;
}

/*
 * Fill the address space with one-page mappings of alternating protection
 * (so they never merge) until mmap() fails: map_count is then one above
 * the limit, however many mappings the process had.
 */
static int fill(void)
{
	char *p;

	for (nfill = 0; nfill < FILL_MAX; nfill++) {
		p = mmap(NULL, page, nfill & 1 ? PROT_READ : PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			return errno == ENOMEM ? 0 : -1;
		fillers[nfill] = p;
	}
	return -1;
}

static void unfill(long keep)
{
	while (nfill > keep)
		munmap(fillers[--nfill], page);
}

/*
 * Free fillers until both moves succeed with nothing else running; the
 * count is then the highest at which this kernel lets both through.
 * Returns the number of free slots (limit - map_count) left, or -1.
 */
static long calibrate(long limit)
{
	long count = limit + 1;	/* after fill() */
	int k, ok;

	while (nfill > 0) {
		unfill(nfill - 1);
		count--;
		ok = 1;
		for (k = 0; k < NKINDS && ok; k++) {
			if (rebuild())
				return -1;
			if (move(k) == MAP_FAILED) {
				if (errno != ENOMEM)
					return -1;
				ok = 0;
			}
		}
		if (rebuild())
			return -1;
		if (ok)
			return limit - count;
	}
	return -1;
}

int main(int argc, char **argv)
{
	unsigned long total_half = 0, total_calls = 0;
	long limit, room, base;
	pthread_t wt;
	double t0, end;
	int c, duration = 10, k, i, ncpu, ret;

	while ((c = getopt(argc, argv, "d:k:fa:r:u")) != -1) {
		switch (c) {
		case 'd':
			duration = atoi(optarg);
			break;
		case 'k':
			splits = atoi(optarg);
			break;
		case 'f':
			fill_mode = 1;
			break;
		case 'a':
			spin_added = atol(optarg);
			break;
		case 'r':
			spin_removed = atol(optarg);
			break;
		case 'u':
			uniproc = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-d S] [-k K] [-f] [-a N] [-r N] [-u]\n",
				argv[0]);
			return KTAP_FAIL;
		}
	}
	if (duration < 1)
		duration = 1;
	if (splits < 1 || splits > MAX_SPLITS)
		splits = 2;

	page = sysconf(_SC_PAGESIZE);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 2)
		uniproc = 1;
	saved_max = read_long(MAX_MAP_COUNT);
	if (saved_max <= 0)
		ktap_exit_skip("cannot read %s", MAX_MAP_COUNT);
	if (!fill_mode && access(MAX_MAP_COUNT, W_OK))
		ktap_exit_skip("%s is not writable (run as root, or use -f)",
			       MAX_MAP_COUNT);
	atexit(restore_max);

	ktap_start(fill_mode ? 4 : 5);
	ktap_diag("page size %ld, %d CPUs, vm.max_map_count %ld, %s, writer adds %d mappings per burst%s",
		  page, ncpu, saved_max,
		  fill_mode ? "filling up to the limit" : "lowering the limit",
		  uniproc ? 2 : 2 * splits,
		  uniproc ? " around a page table walk (one-CPU mode)" : "");

	/* Everything that maps memory happens before the fill. */
	fillers = calloc(FILL_MAX, sizeof(*fillers));
	region = mmap(NULL, REGION_PAGES * page, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	warea = mmap(NULL, (2 * MAX_SPLITS + 1) * page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!fillers || region == MAP_FAILED || warea == MAP_FAILED)
		ktap_bail("setup mmap");
	if (uniproc) {
		/*
		 * |big, populated VMA|small VMA|: MAP_NORESERVE on the small
		 * one keeps the two from merging.
		 */
		wbig = mmap(NULL, UP_BIG_BYTES + 2 * page,
			    PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (wbig == MAP_FAILED ||
		    mmap(wbig + UP_BIG_BYTES, 2 * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
			 -1, 0) == MAP_FAILED)
			ktap_bail("map the writer's area");
		memset(wbig, 1, UP_BIG_BYTES + 2 * page);
	}
	memset(warea, 1, (2 * MAX_SPLITS + 1) * page);
	src = region + SRC_OFF * page;
	dst = region + DST_OFF * page;
	if (rebuild())
		ktap_bail("map source and target");
	if (ncpu > 1)
		pin(0);
	if (pthread_create(&wt, NULL, writer, NULL))
		ktap_bail("pthread_create");

	/* 1. map_count just where both moves still pass. */
	limit = saved_max;
	if (!fill_mode) {
		base = count_vmas();
		if (base < 0)
			ktap_bail("read /proc/self/maps");
		limit = base + FILL_MARGIN;
		if (write_long(MAX_MAP_COUNT, limit))
			ktap_bail("write %s", MAX_MAP_COUNT);
	}
	room = -1;
	if (!fill())
		room = calibrate(limit);
	/* One CPU: one slot less, for the mapping added before the walk. */
	if (room >= 0 && uniproc) {
		unfill(nfill - 1);
		room++;
	}
	ktap_diag("limit %ld, %ld fillers; both moves pass alone with %ld free slots: held there",
		  limit, nfill, room - uniproc);
	if (uniproc)
		ktap_diag("one-CPU mode: held one lower, at %ld free slots", room);
	ktap_result(room >= 0, "hold_map_count_at_the_limit");
	if (room < 0) {
		stop = 1;
		pthread_join(wt, NULL);
		unfill(0);
		restore_max();
		ktap_finish();
	}

	/* 2. race: the writer bursts, the mover moves. */
	go = 1;
	t0 = now();
	end = t0 + duration;
	i = 0;
	while (now() < end) {
		for (c = 0; c < 64; c++) {
			k = i++ & 1;
			ret = try_move(k);
			if (ret < 0)
				break;
			/* ENOMEM that changed nothing needs no rebuild. */
			if (ret && rebuild()) {
				note_bad(errno, "rebuild");
				break;
			}
		}
		if (bad_errno)
			break;
	}
	stop = 1;
	pthread_join(wt, NULL);
	t0 = now() - t0;
	unfill(0);
	restore_max();

	for (k = 0; k < NKINDS; k++) {
		struct counts *ct = &counts[k];

		ktap_diag("%s: %lu calls (%.0f/s), %lu moved, %lu ENOMEM, %lu half done (target lost %lu, source tail lost %lu)",
			  kind_name[k], ct->calls, ct->calls / t0, ct->moved,
			  ct->enomem, ct->half_done, ct->lost_target,
			  ct->lost_tail);
		total_half += ct->half_done;
		total_calls += ct->calls;
	}
	ktap_diag("writer: %lu bursts (%.0f/s), %lu splits refused with ENOMEM",
		  writer_bursts, writer_bursts / t0, writer_enomem);
	if (writer_errno)
		ktap_diag("writer: mprotect() failed: %s", strerror(writer_errno));
	ktap_diag("metric: half_done_moves %lu", total_half);
	if (bad_errno)
		ktap_diag("%s: unexpected error %s", bad_what,
			  strerror(bad_errno));
	if (lost_data)
		ktap_diag("%lu successful moves left data in the wrong place",
			  lost_data);

	ktap_result(!bad_errno && !lost_data && !writer_errno &&
		    total_calls > 0 && writer_bursts > 0 &&
		    counts[FIXED].moved + counts[FIXED_SHRINK].moved > 0,
		    "workload_ran");
	ktap_result(!counts[FIXED].half_done, "fixed_enomem_leaves_target");
	ktap_result(!counts[FIXED_SHRINK].half_done,
		    "fixed_shrink_enomem_leaves_target_and_tail");
	if (!fill_mode)
		ktap_result(read_long(MAX_MAP_COUNT) == saved_max,
			    "max_map_count_restored");
	ktap_finish();
}
