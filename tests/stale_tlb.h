/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stale_tlb.h - what the stale TLB tests (stale_tlb_sqpoll, stale_tlb_ffs)
 * share: the page size, a clock, one page of a round's data and its
 * check, CPU pinning, and the flood process whose threads flush their own
 * mm on CPUs 2.. so that cross-calls land inside the racing flush.
 *
 * The includer sets pgsz before using fill(), matches() or the flood.
 */
#ifndef RACEFIX_STALE_TLB_H
#define RACEFIX_STALE_TLB_H

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static size_t pgsz;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Word @word of the page of round data @seq. */
static uint64_t pattern(unsigned long seq, size_t word)
{
	return ((uint64_t)seq << 24 ^ word) * 0x9e3779b97f4a7c15ULL ^
	       0x57a1e7150000ULL;
}

static void fill(void *buf, unsigned long seq)
{
	uint64_t *w = buf;
	size_t i;

	for (i = 0; i < pgsz / sizeof(*w); i++)
		w[i] = pattern(seq, i);
}

/* Does the page hold @seq's data, every word of it? */
static int matches(const volatile void *buf, unsigned long seq)
{
	const volatile uint64_t *w = buf;
	size_t i;

	for (i = 0; i < pgsz / sizeof(*w); i++)
		if (w[i] != pattern(seq, i))
			return 0;
	return 1;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* A flood thread: flush its own (multi-threaded) mm in a loop. */
static void *flood(void *arg)
{
	long cpu = (long)arg;
	unsigned char *p = mmap(NULL, pgsz, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	pin(cpu);
	if (p == MAP_FAILED)
		return NULL;
	for (;;) {
		p[0]++;
		mprotect(p, pgsz, PROT_READ);
		mprotect(p, pgsz, PROT_READ | PROT_WRITE);
	}
	return NULL;
}

/* A second process (its own mm) whose threads flush on CPUs 2.. */
static pid_t start_flood(int threads, long ncpu)
{
	pid_t pid = fork();
	long i;

	if (pid)
		return pid;
	for (i = 0; i < threads; i++) {
		pthread_t t;

		pthread_create(&t, NULL, flood,
			       (void *)(2 + i % (ncpu > 2 ? ncpu - 2 : 1)));
	}
	for (;;)
		pause();
}

#endif /* RACEFIX_STALE_TLB_H */
