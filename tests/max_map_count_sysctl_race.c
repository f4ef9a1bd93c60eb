// SPDX-License-Identifier: GPL-2.0
/*
 * max_map_count_sysctl_race - change vm.max_map_count under mapping traffic.
 *
 * Threads write random values to /proc/sys/vm/max_map_count, always within
 * a range just above the process's own mapping count, while other threads
 * mmap(), mprotect(), mremap() and munmap() in their own areas.  Every
 * operation must either succeed or fail with ENOMEM, a failed operation must
 * leave the mappings as they were, and when the traffic stops and each
 * thread unmaps what it mapped, the process must have exactly the mappings
 * it started with.  The sysctl readers (do_mmap, split_vma,
 * vms_gather_munmap_vmas, mremap) read sysctl_max_map_count locklessly.
 *
 * Options: -d SECONDS (default 10).
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
#define MAX_THREADS	16
#define NSLOTS		6	/* 2-page slots per mapping thread */
#define SLOT_PAGES	2
/* Limits written are in [base + LO, base + LO + SPAN). */
#define LO		2
#define SPAN		40

static long page;
static int ncpu;
static long saved_max = -1;
static long base_count;
static volatile int go, stop;

enum slot_state { FREE, MAPPED, SPLIT };

struct mapper {
	pthread_t tid;
	int cpu;
	char *region;		/* hole of 2 * NSLOTS * SLOT_PAGES pages */
	enum slot_state st[NSLOTS];
	uint64_t tok[NSLOTS];
	unsigned long ok_ops, enomem, ops_by[4];
	int bad_errno;
	const char *bad_op;
	int inconsistent;
	const char *what;
};

struct sysctl_writer {
	pthread_t tid;
	int cpu;
	unsigned long writes, bad_writes, bad_reads;
	unsigned int seed;
};

static struct mapper mappers[MAX_THREADS];
static struct sysctl_writer swriters[MAX_THREADS];
static int nmappers, nswriters;
static pthread_barrier_t ready;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void restore(void)
{
	if (saved_max > 0 && write_long(MAX_MAP_COUNT, saved_max))
		printf("# could not restore vm.max_map_count to %ld\n", saved_max);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static unsigned int rnd(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static char *slot_addr(struct mapper *m, int i)
{
	/* each slot followed by a hole of the same size: nothing merges */
	return m->region + (size_t)i * 2 * SLOT_PAGES * page;
}

static int is_mapped(void *p, size_t len)
{
	unsigned char vec[SLOT_PAGES];

	return mincore(p, len, vec) == 0;
}

static int slot_intact(struct mapper *m, int i)
{
	char *a = slot_addr(m, i);

	if (m->st[i] == FREE)
		return !is_mapped(a, page) && !is_mapped(a + page, page);
	return is_mapped(a, SLOT_PAGES * page) &&
	       *(volatile uint64_t *)a == m->tok[i] &&
	       *(volatile uint64_t *)(a + page) == m->tok[i];
}

static void fill_slot(struct mapper *m, int i, uint64_t tok)
{
	char *a = slot_addr(m, i);

	m->tok[i] = tok;
	*(volatile uint64_t *)a = tok;
	*(volatile uint64_t *)(a + page) = tok;
}

static int pick(struct mapper *m, unsigned int *seed, enum slot_state want)
{
	int i, start = rnd(seed) % NSLOTS;

	for (i = 0; i < NSLOTS; i++) {
		int j = (start + i) % NSLOTS;

		if (m->st[j] == want)
			return j;
	}
	return -1;
}

static void *mapper_fn(void *arg)
{
	struct mapper *m = arg;
	unsigned int seed = (unsigned int)(m - mappers) * 7919u + 1;
	size_t len = SLOT_PAGES * page;
	uint64_t next_tok = ((uint64_t)(m - mappers) << 32) | 1;

	pin(m->cpu);
	pthread_barrier_wait(&ready);
	while (!go)
		;

	while (!stop) {
		int op = rnd(&seed) % 4, i, j = -1, r = 0;
		const char *name = "";
		char *a;

		switch (op) {
		case 0:		/* mmap a free slot */
			name = "mmap";
			i = pick(m, &seed, FREE);
			if (i < 0)
				continue;
			a = slot_addr(m, i);
			r = mmap(a, len, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				 -1, 0) == MAP_FAILED ? -1 : 0;
			if (!r) {
				m->st[i] = MAPPED;
				fill_slot(m, i, next_tok++);
			}
			break;
		case 1:		/* split or merge a slot with mprotect */
			i = pick(m, &seed, rnd(&seed) & 1 ? MAPPED : SPLIT);
			if (i < 0)
				continue;
			a = slot_addr(m, i);
			if (m->st[i] == MAPPED) {
				name = "mprotect(split)";
				r = mprotect(a + page, page, PROT_READ);
				if (!r)
					m->st[i] = SPLIT;
			} else {
				name = "mprotect(merge)";
				r = mprotect(a + page, page,
					     PROT_READ | PROT_WRITE);
				if (!r)
					m->st[i] = MAPPED;
			}
			break;
		case 2:		/* move a whole slot to a free one */
			name = "mremap";
			i = pick(m, &seed, MAPPED);
			j = pick(m, &seed, FREE);
			if (i < 0 || j < 0)
				continue;
			r = mremap(slot_addr(m, i), len, len,
				   MREMAP_MAYMOVE | MREMAP_FIXED,
				   slot_addr(m, j)) == MAP_FAILED ? -1 : 0;
			if (!r) {
				m->st[j] = MAPPED;
				m->tok[j] = m->tok[i];
				m->st[i] = FREE;
			}
			break;
		default:	/* unmap one page of a slot, or all of it */
			name = "munmap";
			i = pick(m, &seed, rnd(&seed) & 1 ? MAPPED : SPLIT);
			if (i < 0)
				continue;
			a = slot_addr(m, i);
			r = munmap(a, len);
			if (!r)
				m->st[i] = FREE;
			break;
		}
		if (r) {
			if (errno != ENOMEM) {
				m->bad_errno = errno;
				m->bad_op = name;
				break;
			}
			m->enomem++;
		} else {
			m->ok_ops++;
			m->ops_by[op]++;
		}
		/* whatever happened, the slots must be what we think */
		if (!slot_intact(m, i) || (j >= 0 && !slot_intact(m, j))) {
			m->inconsistent = 1;
			m->what = name;
			break;
		}
	}
	return NULL;
}

static void *swriter_fn(void *arg)
{
	struct sysctl_writer *w = arg;
	long v, lo = base_count + LO, hi = base_count + LO + SPAN;

	pin(w->cpu);
	pthread_barrier_wait(&ready);
	while (!go)
		;
	while (!stop) {
		v = lo + rnd(&w->seed) % SPAN;
		if (write_long(MAX_MAP_COUNT, v))
			w->bad_writes++;
		else
			w->writes++;
		v = read_long(MAX_MAP_COUNT);
		if (v < lo || v >= hi)
			w->bad_reads++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long ok_ops = 0, enomem = 0, writes = 0, by[4] = { 0 };
	int secs, i, ok_ops_case = 1, ok_sysctl = 1, ok_final = 1;
	long before, after;
	double t0, t1;
	size_t rlen;
	char *hole;

	if (access(MAX_MAP_COUNT, R_OK | W_OK))
		ktap_exit_skip("%s not available", MAX_MAP_COUNT);
	secs = ktap_duration(argc, argv, 10);
	page = sysconf(_SC_PAGESIZE);
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		ncpu = 1;
	saved_max = read_long(MAX_MAP_COUNT);
	if (saved_max <= 0)
		ktap_exit_skip("cannot read %s", MAX_MAP_COUNT);
	atexit(restore);

	nmappers = ncpu < 2 ? 2 : ncpu;
	if (nmappers > MAX_THREADS)
		nmappers = MAX_THREADS;
	nswriters = ncpu / 2 < 1 ? 1 : ncpu / 2;
	if (nswriters > MAX_THREADS)
		nswriters = MAX_THREADS;

	ktap_start(4);
	ktap_diag("page size %ld, %d CPUs, %d mapping threads, %d sysctl writers, %d s",
		  page, ncpu, nmappers, nswriters, secs);

	if (pthread_barrier_init(&ready, NULL, nmappers + nswriters + 1))
		ktap_bail("pthread_barrier_init");
	for (i = 0; i < nmappers; i++) {
		mappers[i].cpu = i % ncpu;
		errno = pthread_create(&mappers[i].tid, NULL, mapper_fn,
				       &mappers[i]);
		if (errno)
			ktap_bail("pthread_create");
	}
	for (i = 0; i < nswriters; i++) {
		swriters[i].cpu = (nmappers + i) % ncpu;
		swriters[i].seed = 4242u + i;
		errno = pthread_create(&swriters[i].tid, NULL, swriter_fn,
				       &swriters[i]);
		if (errno)
			ktap_bail("pthread_create");
	}
	/*
	 * One hole for all mapping threads, made after the thread stacks so
	 * that nothing else is placed in it; the threads only map into it
	 * with MAP_FIXED, and read their region after the barrier.
	 */
	rlen = (size_t)2 * NSLOTS * SLOT_PAGES * page;
	hole = mmap(NULL, nmappers * rlen, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hole == MAP_FAILED || munmap(hole, nmappers * rlen))
		ktap_bail("reserve address range");
	for (i = 0; i < nmappers; i++)
		mappers[i].region = hole + i * rlen;
	/* thread stacks exist; the threads wait, so this is the base */
	before = count_vmas();
	base_count = before;
	pthread_barrier_wait(&ready);
	ktap_diag("map_count %ld, vm.max_map_count written in [%ld, %ld]",
		  before, before + LO, before + LO + SPAN - 1);

	t0 = now();
	go = 1;
	while (now() - t0 < secs)
		usleep(100000);
	stop = 1;
	for (i = 0; i < nmappers; i++)
		pthread_join(mappers[i].tid, NULL);
	for (i = 0; i < nswriters; i++)
		pthread_join(swriters[i].tid, NULL);
	t1 = now();

	/* case 1: every operation succeeded or failed with ENOMEM, cleanly */
	for (i = 0; i < nmappers; i++) {
		struct mapper *m = &mappers[i];
		int k;

		ok_ops += m->ok_ops;
		enomem += m->enomem;
		for (k = 0; k < 4; k++)
			by[k] += m->ops_by[k];
		if (m->bad_errno) {
			ktap_diag("thread %d: %s failed: %s", i, m->bad_op,
				  strerror(m->bad_errno));
			ok_ops_case = 0;
		}
		if (m->inconsistent) {
			ktap_diag("thread %d: mappings not as expected after %s (region %p)",
				  i, m->what, (void *)m->region);
			ok_ops_case = 0;
		}
	}
	ktap_diag("%.2f s: %lu ops succeeded (%.0f/s; mmap %lu, mprotect %lu, mremap %lu, munmap %lu), %lu failed with ENOMEM",
		  t1 - t0, ok_ops, ok_ops / (t1 - t0), by[0], by[1], by[2],
		  by[3], enomem);
	if (!ok_ops) {
		ktap_diag("no operation succeeded");
		ok_ops_case = 0;
	}
	if (!enomem)
		ktap_diag("no operation hit the limit");
	if (!ok_ops_case && count_vmas() > 0) {
		char *line = strtok(maps_buf, "\n");

		for (; line; line = strtok(NULL, "\n"))
			ktap_diag("maps: %s", line);
	}
	ktap_result(ok_ops_case, "ops_succeed_or_enomem");

	/* case 2: the sysctl took every value */
	for (i = 0; i < nswriters; i++) {
		writes += swriters[i].writes;
		if (swriters[i].bad_writes || swriters[i].bad_reads) {
			ktap_diag("sysctl writer %d: %lu failed writes, %lu reads out of range",
				  i, swriters[i].bad_writes,
				  swriters[i].bad_reads);
			ok_sysctl = 0;
		}
	}
	ktap_diag("%lu sysctl writes (%.0f/s)", writes, writes / (t1 - t0));
	if (!writes)
		ok_sysctl = 0;
	ktap_result(ok_sysctl, "sysctl_writes_ok");

	/* case 3: unmap everything; the process is back where it started */
	if (write_long(MAX_MAP_COUNT, saved_max))
		ktap_bail("restore %s", MAX_MAP_COUNT);
	for (i = 0; i < nmappers; i++) {
		struct mapper *m = &mappers[i];
		int k;

		for (k = 0; k < NSLOTS; k++) {
			if (!slot_intact(m, k)) {
				ktap_diag("thread %d slot %d not as expected",
					  i, k);
				ok_final = 0;
			}
			if (m->st[k] != FREE &&
			    munmap(slot_addr(m, k), SLOT_PAGES * page)) {
				ktap_diag("munmap slot: %s", strerror(errno));
				ok_final = 0;
			}
		}
	}
	after = count_vmas();
	ktap_diag("map_count before %ld, after cleanup %ld", before, after);
	if (after != before)
		ok_final = 0;
	ktap_result(ok_final, "final_state_consistent");

	ktap_result(read_long(MAX_MAP_COUNT) == saved_max,
		    "max_map_count_restored");
	pthread_barrier_destroy(&ready);
	ktap_finish();
}
