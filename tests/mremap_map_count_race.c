// SPDX-License-Identifier: GPL-2.0
/*
 * mremap_map_count_race - drive the lockless mm->map_count check of mremap().
 *
 * Since v6.15 check_mremap_params() reads current->mm->map_count and
 * sysctl_max_map_count before do_mremap() takes the mmap write lock, so the
 * read races with map_count++ in vma_complete() and map_count -= in
 * vms_complete_munmap_vmas() done by another thread of the same process.
 * KCSAN reports it as "data-race in do_mremap / vma_complete".
 *
 * Only moving mremap() calls reach that check: MREMAP_MAYMOVE|MREMAP_FIXED,
 * or MREMAP_MAYMOVE|MREMAP_DONTUNMAP with equal lengths, with page aligned,
 * non-overlapping source and destination.  The test runs two modes:
 *
 *  early_reject  vm.max_map_count = map_count + 2, so every move fails the
 *                early check with ENOMEM without taking the mmap lock:
 *                a very high rate of lockless reads.
 *  pass_through  vm.max_map_count leaves room, every move passes the check,
 *                takes the lock and moves the data back and forth; cheap
 *                probes (see mover()) take the lock between real moves.
 *
 * Against them, writer threads split/merge their own area with mprotect()
 * and punch/refill a hole with munmap()/mmap(MAP_FIXED).  One thread is
 * pinned per CPU.  The test cannot see KCSAN reports itself (the harness
 * reads the console); it fails when the workload makes no progress, when a
 * syscall returns an unexpected error or when moved data is lost.  To let
 * the console be matched against the test, each mode writes a start and end
 * marker to /dev/kmsg.
 *
 * Options: -d SECONDS per mode (default 10), -w N sets the KCSAN skip_watch
 * module parameter for the run and restores it afterwards.
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

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

#define MAX_MAP_COUNT	"/proc/sys/vm/max_map_count"
#define KCSAN_DEBUGFS	"/sys/kernel/debug/kcsan"
#define KCSAN_SKIPWATCH	"/sys/module/kcsan/parameters/skip_watch"
#define MAX_THREADS	16
/* Room left above the current count in pass_through mode. */
#define PASS_ROOM	64

static long page;
static int ncpu;
static long saved_max = -1;
static char saved_skip[64];

static volatile int go;
static volatile int stop;

enum role { MOVER, WRITER };

struct worker {
	pthread_t tid;
	enum role role;
	int cpu;
	int pinned;
	char *region;		/* guarded region owned by this thread */
	size_t region_len;
	/* results */
	unsigned long calls;	/* mover: mremap calls; writer: ops tried */
	unsigned long enomem;	/* moves (or writer ops) failed with ENOMEM */
	unsigned long moved;	/* moves that succeeded (took the lock) */
	unsigned long probes;	/* probes that failed with EFAULT (took the lock) */
	unsigned long ok_ops;	/* writer ops that succeeded */
	int bad_errno;		/* first unexpected errno, 0 if none */
	const char *bad_op;
	int lost_data;		/* the token was not where it should be */
};

static struct worker workers[MAX_THREADS];
static int nworkers;
static pthread_barrier_t ready;

/* ---- small helpers ---------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A line in the kernel log, so that reports can be timed against it. */
static void kmsg(const char *fmt, const char *a)
{
	char buf[160];
	int fd = open("/dev/kmsg", O_WRONLY);

	if (fd < 0)
		return;
	snprintf(buf, sizeof(buf), fmt, a);
	if (write(fd, buf, strlen(buf)) < 0)
		ktap_diag("write /dev/kmsg: %s", strerror(errno));
	close(fd);
}

/* KCSAN debugfs counters, or -1 when debugfs/KCSAN is not there. */
struct kcsan_counts {
	long setup_watchpoints;
	long data_races;
	long races_unknown_origin;
};

static char kcsan_buf[8192];

static long kcsan_field(const char *name)
{
	char *p = strstr(kcsan_buf, name);

	if (!p)
		return -1;
	return strtol(p + strlen(name), NULL, 10);
}

static int kcsan_read(struct kcsan_counts *c)
{
	if (read_file(KCSAN_DEBUGFS, kcsan_buf, sizeof(kcsan_buf)) <= 0)
		return -1;
	c->setup_watchpoints = kcsan_field("setup_watchpoints: ");
	c->data_races = kcsan_field("\ndata_races: ");
	c->races_unknown_origin = kcsan_field("races_unknown_origin: ");
	return 0;
}

static void restore(void)
{
	if (saved_max > 0 && write_long(MAX_MAP_COUNT, saved_max))
		printf("# could not restore vm.max_map_count to %ld\n", saved_max);
	if (saved_skip[0] && write_file(KCSAN_SKIPWATCH, saved_skip))
		printf("# could not restore kcsan skip_watch\n");
}

/* ---- threads ---------------------------------------------------------- */

static void pin(struct worker *w)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	w->pinned = sched_setaffinity(0, sizeof(set), &set) == 0;
}

static void set_bad(struct worker *w, const char *op)
{
	if (!w->bad_errno) {
		w->bad_errno = errno ? errno : -1;
		w->bad_op = op;
	}
}

/*
 * Mover region: [guard][A: 2 pages][guard][B: 2 pages][guard][C: 2 pages]
 * [guard], A mapped read/write with a token in it, B and C holes.  Guards
 * are PROT_NONE so the moved mapping never merges with anything.  Moves go
 * A->B and back.
 *
 * Between real moves the mover sends PROBES_PER_MOVE cheap probes: a fixed
 * move of the empty hole to C.  They reach the same map_count check; when
 * it passes they take the mmap lock, find no VMA and fail with EFAULT
 * without changing anything (no page table work, no TLB flush), so the
 * pass_through mode reads map_count through the normal path far more
 * often than real moves alone could.
 */
#define MOVE_PAGES	2
#define MOVER_PAGES	10
#define PROBES_PER_MOVE	15

static void *mover(void *arg)
{
	struct worker *w = arg;
	size_t len = MOVE_PAGES * page;
	char *a = w->region + page;
	char *b = a + len + page;
	char *c = b + len + page;
	char *cur = a, *other = b;
	uint64_t token = 0x5a5a0000u + (uint64_t)w->cpu;
	unsigned long i = 0;

	pin(w);
	*(volatile uint64_t *)cur = token;
	pthread_barrier_wait(&ready);
	while (!go)
		;

	while (!stop) {
		int dontunmap, flags;
		void *res;

		w->calls++;
		if (i++ % (PROBES_PER_MOVE + 1)) {
			res = mremap(other, len, len,
				     MREMAP_MAYMOVE | MREMAP_FIXED, c);
			if (res != MAP_FAILED) {
				/* there was nothing to move */
				w->lost_data = 1;
				break;
			}
			if (errno == ENOMEM) {
				w->enomem++;
			} else if (errno == EFAULT) {
				w->probes++;
			} else {
				set_bad(w, "mremap(probe)");
				break;
			}
			continue;
		}
		dontunmap = (i / (PROBES_PER_MOVE + 1)) & 1;
		flags = MREMAP_MAYMOVE |
			(dontunmap ? MREMAP_DONTUNMAP : MREMAP_FIXED);
		res = mremap(cur, len, len, flags, other);

		if (res == MAP_FAILED) {
			if (errno != ENOMEM) {
				set_bad(w, dontunmap ? "mremap(DONTUNMAP)" :
						       "mremap(FIXED)");
				break;
			}
			w->enomem++;
			/* A failed move must leave the source alone. */
			if (*(volatile uint64_t *)cur != token) {
				w->lost_data = 1;
				break;
			}
			continue;
		}
		w->moved++;
		if (*(volatile uint64_t *)res != token) {
			w->lost_data = 1;
			break;
		}
		if (dontunmap) {
			/*
			 * The source stays mapped (now empty); put the data
			 * back with a fixed move over it so that the count of
			 * mappings returns to where it was.
			 */
			if (mremap(res, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
				   cur) == MAP_FAILED) {
				if (errno == ENOMEM) {
					/* keep going from the new place */
					munmap(cur, len);
					if (res != other) {
						w->lost_data = 1;
						break;
					}
					cur = other;
					other = (cur == a) ? b : a;
					continue;
				}
				set_bad(w, "mremap(back)");
				break;
			}
			if (*(volatile uint64_t *)cur != token) {
				w->lost_data = 1;
				break;
			}
		} else {
			if (res != other) {
				w->lost_data = 1;
				break;
			}
			cur = other;
			other = (cur == a) ? b : a;
		}
	}
	return NULL;
}

/*
 * Writer region: [guard][4 pages][guard].  Each cycle splits page 1 off
 * with mprotect() and merges it back, then punches page 2 out with
 * munmap() and maps it again: vma_complete() and
 * vms_complete_munmap_vmas() both change mm->map_count.
 */
static void *writer(void *arg)
{
	struct worker *w = arg;
	char *p = w->region + page;
	int step = 0;

	pin(w);
	pthread_barrier_wait(&ready);
	while (!go)
		;

	while (!stop) {
		int r;
		const char *op;

		switch (step) {
		case 0:
			op = "mprotect(split)";
			r = mprotect(p + page, page, PROT_READ);
			break;
		case 1:
			op = "mprotect(merge)";
			r = mprotect(p + page, page, PROT_READ | PROT_WRITE);
			break;
		case 2:
			op = "munmap";
			r = munmap(p + 2 * page, page);
			break;
		default:
			op = "mmap(MAP_FIXED)";
			r = mmap(p + 2 * page, page, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				 -1, 0) == MAP_FAILED ? -1 : 0;
			break;
		}
		w->calls++;
		if (r) {
			if (errno != ENOMEM) {
				set_bad(w, op);
				break;
			}
			/* At the limit: retry the same step. */
			w->enomem++;
			continue;
		}
		w->ok_ops++;
		step = (step + 1) & 3;
	}
	return NULL;
}

static char *map_region(size_t pages, size_t rw_off, size_t rw_pages)
{
	char *r = mmap(NULL, pages * page, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (r == MAP_FAILED)
		ktap_bail("mmap region");
	if (mprotect(r + rw_off * page, rw_pages * page,
		     PROT_READ | PROT_WRITE))
		ktap_bail("mprotect region");
	return r;
}

/* ---- one mode --------------------------------------------------------- */

static int run_mode(const char *name, int early, int secs)
{
	unsigned long calls = 0, enomem = 0, moved = 0, probes = 0;
	unsigned long wops = 0, wenomem = 0;
	struct kcsan_counts k0, k1;
	int have_k0, ok = 1, i, nmovers, nwriters;
	long base, limit, after;
	double t0, t1;

	/*
	 * Half the CPUs write, at most 2; at the limit of early_reject, one:
	 * a writer's split needs the whole +2 room of that mode.
	 */
	nwriters = ncpu / 2;
	if (nwriters < 1)
		nwriters = 1;
	if (nwriters > (early ? 1 : 2))
		nwriters = early ? 1 : 2;
	nmovers = ncpu - nwriters;
	if (nmovers < 1)
		nmovers = 1;
	if (nmovers + nwriters > MAX_THREADS)
		nmovers = MAX_THREADS - nwriters;
	nworkers = nmovers + nwriters;

	go = 0;
	stop = 0;
	memset(workers, 0, sizeof(workers));
	if (pthread_barrier_init(&ready, NULL, nworkers + 1))
		ktap_bail("pthread_barrier_init");

	for (i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];

		w->role = i < nmovers ? MOVER : WRITER;
		w->cpu = i % ncpu;
		if (w->role == MOVER) {
			w->region_len = MOVER_PAGES * page;
			w->region = map_region(MOVER_PAGES, 1, MOVE_PAGES);
			/* B (pages 4-5) and C (pages 7-8) are holes */
			if (munmap(w->region + 4 * page, MOVE_PAGES * page) ||
			    munmap(w->region + 7 * page, MOVE_PAGES * page))
				ktap_bail("munmap hole");
		} else {
			w->region_len = 6 * page;
			w->region = map_region(6, 1, 4);
		}
		errno = pthread_create(&w->tid, NULL,
				       w->role == MOVER ? mover : writer, w);
		if (errno)
			ktap_bail("pthread_create");
	}
	pthread_barrier_wait(&ready);

	/* Everything is mapped now; only the workers change it from here. */
	base = count_vmas();
	if (base < 0)
		ktap_bail("read /proc/self/maps");
	/*
	 * Room for 2 more mappings: every moving mremap() here needs more
	 * (with MREMAP_FIXED, 6.18.2 asks for 6 and the racefix series for
	 * 3), so on both kernels each one fails the lockless check in
	 * check_mremap_params(); the writer's split still fits.
	 */
	limit = early ? base + 2 : base + PASS_ROOM;
	if (write_long(MAX_MAP_COUNT, limit))
		ktap_bail("write %s", MAX_MAP_COUNT);

	ktap_diag("%s: %d movers, %d writers on %d CPUs, map_count %ld, vm.max_map_count %ld, %d s",
		  name, nmovers, nwriters, ncpu, base, limit, secs);
	for (i = 0; i < nworkers; i++)
		if (!workers[i].pinned)
			ktap_diag("%s: thread %d not pinned to CPU %d",
				  name, i, workers[i].cpu);
	have_k0 = kcsan_read(&k0) == 0;
	kmsg("racefix: mremap_map_count_race: %s start\n", name);
	t0 = now();
	ktap_diag("%s: start at monotonic %.6f", name, t0);
	go = 1;

	while (now() - t0 < secs)
		usleep(100000);
	stop = 1;
	for (i = 0; i < nworkers; i++)
		pthread_join(workers[i].tid, NULL);
	t1 = now();
	kmsg("racefix: mremap_map_count_race: %s end\n", name);
	after = count_vmas();
	if (write_long(MAX_MAP_COUNT, saved_max))
		ktap_bail("restore %s", MAX_MAP_COUNT);
	pthread_barrier_destroy(&ready);

	for (i = 0; i < nworkers; i++) {
		struct worker *w = &workers[i];

		if (w->role == MOVER) {
			calls += w->calls;
			enomem += w->enomem;
			moved += w->moved;
			probes += w->probes;
		} else {
			wops += w->ok_ops;
			wenomem += w->enomem;
		}
		if (w->bad_errno) {
			ktap_diag("%s: thread %d: %s failed: %s", name, i,
				  w->bad_op, strerror(w->bad_errno));
			ok = 0;
		}
		if (w->lost_data) {
			ktap_diag("%s: thread %d: data not found where expected",
				  name, i);
			ok = 0;
		}
		munmap(w->region, w->region_len);
	}

	ktap_diag("%s: %.2f s, %lu mremap calls (%.0f/s): %lu ENOMEM (early-check rejections), %lu took the lock (%lu moved, %lu EFAULT probes)",
		  name, t1 - t0, calls, calls / (t1 - t0), enomem,
		  moved + probes, moved, probes);
	ktap_diag("%s: writer ops %lu (%.0f/s), writer ENOMEM %lu, map_count after %ld",
		  name, wops, wops / (t1 - t0), wenomem, after);
	if (have_k0 && kcsan_read(&k1) == 0)
		ktap_diag("%s: kcsan debugfs: setup_watchpoints +%ld, data_races +%ld, races_unknown_origin +%ld",
			  name, k1.setup_watchpoints - k0.setup_watchpoints,
			  k1.data_races - k0.data_races,
			  k1.races_unknown_origin - k0.races_unknown_origin);

	if (!calls || !wops) {
		ktap_diag("%s: no progress", name);
		ok = 0;
	}
	if (early && !enomem)
		ktap_diag("%s: no move failed at map_count + 2: this kernel does not reject moves at the limit",
			  name);
	if (!early && !moved) {
		ktap_diag("%s: no move succeeded although the limit left room",
			  name);
		ok = 0;
	}
	ktap_result(ok, name);
	return ok;
}

int main(int argc, char **argv)
{
	long skip_watch = -1;
	int secs, c;

	if (access(MAX_MAP_COUNT, R_OK | W_OK))
		ktap_exit_skip("%s not available", MAX_MAP_COUNT);

	opterr = 0;
	while ((c = getopt(argc, argv, "d:w:")) != -1)
		if (c == 'w')
			skip_watch = atol(optarg);
	optind = 1;
	secs = ktap_duration(argc, argv, 10);

	page = sysconf(_SC_PAGESIZE);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		ncpu = 1;
	if (ncpu > MAX_THREADS)
		ncpu = MAX_THREADS;

	saved_max = read_long(MAX_MAP_COUNT);
	if (saved_max <= 0)
		ktap_exit_skip("cannot read %s", MAX_MAP_COUNT);
	atexit(restore);

	ktap_start(3);
	ktap_diag("page size %ld, %d CPUs, vm.max_map_count %ld", page, ncpu,
		  saved_max);
	if (skip_watch >= 0) {
		if (read_file(KCSAN_SKIPWATCH, saved_skip, sizeof(saved_skip)) > 0 &&
		    write_long(KCSAN_SKIPWATCH, skip_watch) == 0)
			ktap_diag("kcsan skip_watch set to %ld (was %s)",
				  skip_watch, strtok(saved_skip, "\n"));
		else
			ktap_diag("cannot set kcsan skip_watch (no KCSAN?)");
		if (saved_skip[0])
			strcat(saved_skip, "\n");
	} else {
		long sw = read_long(KCSAN_SKIPWATCH);

		if (sw >= 0)
			ktap_diag("kcsan skip_watch %ld", sw);
	}
	if (access(KCSAN_DEBUGFS, R_OK))
		ktap_diag("no %s: KCSAN counters not available", KCSAN_DEBUGFS);

	run_mode("early_reject", 1, secs);
	run_mode("pass_through", 0, secs);

	ktap_result(read_long(MAX_MAP_COUNT) == saved_max,
		    "max_map_count_restored");
	ktap_finish();
}
