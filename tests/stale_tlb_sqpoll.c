// SPDX-License-Identifier: GPL-2.0
/*
 * stale_tlb_sqpoll - does an io_uring SQPOLL thread write through a stale
 * TLB entry after its single-threaded owner remapped the buffer?
 *
 * The race (the sparc64 one of bafb056ce279, here in its mips form): when
 * mm_users == 1 and current->mm == mm, mips' flush_tlb_{mm,range,page}()
 * do not cross-call the other CPUs but only invalidate their ASID
 * contexts for the mm.  On v5.9 the SQPOLL thread attaches to the mm with
 * mmget_not_zero() + kthread_use_mm() whenever it has work and drops it
 * whenever the ring is empty, so mm_users flips between 1 and 2 under a
 * single-threaded process.  If the thread attaches between the flusher's
 * mm_users read and its write of the thread CPU's context, that CPU keeps
 * running on the old ASID, with its old entries, and every later flush
 * of the mm skips it (its context no longer names that ASID) until the
 * thread drops the mm again.
 *
 * One round, with this process on CPU 0 and the SQ thread on CPU 1:
 *  1. the SQ thread reads a file block into B, a one-page window mapped
 *     MAP_SHARED onto page "cur" of a tmpfs file (its TLB now maps B);
 *  2. the ring runs empty and the thread drops the mm (mm_users 1);
 *  3. a batch of large reads into another buffer is queued: the thread
 *     attaches again and stays attached for the whole batch;
 *  4. at the same moment, B is remapped onto page "next" of the file
 *     (munmap + TLB flush with mm_users == 1: the racing flush);
 *  5. while the batch still runs, one more read into B is queued.
 * On a correct kernel the last read lands in page "next".  If the thread
 * used its stale entry, it lands in page "cur" instead: a stale write.
 * The delay between 3 and 4 is swept at random so the attach meets every
 * point of the flush.  Optionally (-f N) N threads of a second process
 * flush their own mm on CPUs 2.. in a loop: mips cross-calls every other
 * CPU on such a flush, so interrupts keep landing inside the flusher's
 * window and widen it (on hardware, interrupts and cache misses do that).
 *
 * "# metric: stale_reads N" is the number of reads that landed in the old
 * page.  The test fails when N > 0 or any I/O returned wrong data, and
 * when no round kept the thread attached across the remap (it then proved
 * nothing).  Needs root (SQPOLL and SQ_AFF on v5.9) and 2 or more CPUs;
 * skips otherwise, or when io_uring is missing.
 *
 * -X is the test's own check: the last read is queued and completed
 * before the remap, so it lands in page "cur" on any kernel, as a stale
 * write would; the test must then count stale reads and fail.
 *
 * Usage: stale_tlb_sqpoll [-d SECONDS] [-f FLOOD_THREADS] [-b BATCH]
 *        [-s MAX_DELAY_US] [-X]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "ktap.h"
#include "uring.h"
#include "stale_tlb.h"

#define NPAGE		16	/* pages of the file B is mapped onto */
#define CHUNK		(16 * 1024)	/* bytes per batch read */
#define MAX_BATCH	64
#define STALL_SECS	30
#define SQ_CPU		1

static struct ring r;
static unsigned int queued;	/* SQEs written but not yet published */

/* Busy-wait without a system call (no TLB flush, no reschedule). */
static void spin_us(unsigned int us)
{
	double end = now() + us / 1e6;

	while (now() < end)
		;
}

static int ring_open(unsigned int entries, unsigned int idle_ms)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF;
	p.sq_thread_cpu = SQ_CPU;
	p.sq_thread_idle = idle_ms;
	return ring_setup(&r, entries, &p);
}

/* Queue a read of @len bytes at @off of registered file 0 into @buf. */
static void queue_read(void *buf, size_t len, off_t off, uint64_t tag)
{
	unsigned int idx = (*r.sq_tail + queued++) & *r.sq_mask;
	struct io_uring_sqe *sqe = &r.sqes[idx];

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_READ;
	sqe->flags = IOSQE_FIXED_FILE;
	sqe->fd = 0;
	sqe->addr = (unsigned long)buf;
	sqe->len = len;
	sqe->off = off;
	sqe->user_data = tag;
	r.sq_array[idx] = idx;
}

/* Publish everything queued so far; wake the SQ thread if it sleeps. */
static void publish(void)
{
	__atomic_store_n(r.sq_tail, *r.sq_tail + queued, __ATOMIC_RELEASE);
	queued = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(r.sq_flags, __ATOMIC_RELAXED) &
	    IORING_SQ_NEED_WAKEUP)
		sys_enter(r.fd, 0, 0, IORING_ENTER_SQ_WAKEUP);
}

static unsigned int cq_ready(void)
{
	return __atomic_load_n(r.cq_tail, __ATOMIC_ACQUIRE) - *r.cq_head;
}

/*
 * Reap @n completions; res[tag] gets each result (tags < MAX_BATCH + 2).
 * Returns 0, or -1 when nothing completed for STALL_SECS.
 */
static int reap(unsigned int n, int *res)
{
	double last = now();

	while (n) {
		unsigned int head = *r.cq_head;

		if (head == __atomic_load_n(r.cq_tail, __ATOMIC_ACQUIRE)) {
			if (now() - last > STALL_SECS)
				return -1;
			continue;
		}
		if (r.cqes[head & *r.cq_mask].user_data < MAX_BATCH + 2)
			res[r.cqes[head & *r.cq_mask].user_data] =
				r.cqes[head & *r.cq_mask].res;
		__atomic_store_n(r.cq_head, head + 1, __ATOMIC_RELEASE);
		n--;
		last = now();
	}
	return 0;
}

int main(int argc, char **argv)
{
	int secs = 10, nflood = 0, batch = 8, max_delay = 40, c, ret;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned long rounds = 0, stale = 0, bad = 0, overlapped = 0, seq = 0;
	unsigned long dropped = 0;
	char spath[] = "/tmp/stale_tlb_src.XXXXXX";
	char fpath[] = "/tmp/stale_tlb_pages.XXXXXX";
	unsigned char *win, *big, *check;
	unsigned int cur = 0, next, i, ready;
	int res[MAX_BATCH + 2], src, pages, stalled = 0, selfcheck = 0;
	pid_t flood_pid = 0;
	double t0, end;

	while ((c = getopt(argc, argv, "d:f:b:s:X")) != -1) {
		switch (c) {
		case 'd':
			secs = atoi(optarg);
			break;
		case 'f':
			nflood = atoi(optarg);
			break;
		case 'b':
			batch = atoi(optarg);
			break;
		case 's':
			max_delay = atoi(optarg);
			break;
		case 'X':
			selfcheck = 1;
			break;
		}
	}
	if (secs < 1)
		secs = 1;
	if (batch < 1 || batch > MAX_BATCH)
		batch = 8;
	if (max_delay < 1)
		max_delay = 1;
	pgsz = sysconf(_SC_PAGESIZE);

	if (ncpu < 2)
		ktap_exit_skip("1 cpu online: the SQ thread never runs beside this process");
	ret = ring_open(2 * MAX_BATCH, 1000);
	if (ret == -ENOSYS || ret == -EPERM || ret == -EACCES ||
	    ret == -EINVAL || ret == -ENOMEM)
		ktap_exit_skip("io_uring SQPOLL with SQ_AFF not available: %s",
			       strerror(-ret));
	if (ret) {
		errno = -ret;
		ktap_bail("io_uring_setup");
	}
	pin(0);

	ktap_start(3);
	ktap_diag("stale_tlb_sqpoll: %ld cpus, page %zu, %d s, batch %d x %d KB, delay 0-%d us, %d flood threads",
		  ncpu, pgsz, secs, batch, CHUNK / 1024, max_delay, nflood);
	if (selfcheck)
		ktap_diag("self-check (-X): every last read completes before the remap, so each must count as stale");

	src = mkstemp(spath);
	pages = mkstemp(fpath);
	if (src < 0 || pages < 0)
		ktap_bail("mkstemp");
	unlink(spath);
	unlink(fpath);
	if (ftruncate(src, 2 * pgsz + CHUNK) ||
	    ftruncate(pages, NPAGE * pgsz))
		ktap_bail("ftruncate");
	if (sys_register(r.fd, IORING_REGISTER_FILES, &src, 1) < 0)
		ktap_bail("IORING_REGISTER_FILES");
	ktap_result(1, "SQPOLL ring, SQ thread on cpu 1, this process on cpu 0");

	win = mmap(NULL, pgsz, PROT_READ | PROT_WRITE, MAP_SHARED, pages, 0);
	big = mmap(NULL, MAX_BATCH * CHUNK, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	check = malloc(pgsz);
	if (win == MAP_FAILED || big == MAP_FAILED || !check)
		ktap_bail("mmap buffers");
	memset(big, 1, MAX_BATCH * CHUNK);
	memset(win, 0, pgsz);
	if (nflood > 0)
		flood_pid = start_flood(nflood, ncpu);
	srand(12345);

	t0 = now();
	end = t0 + secs;
	while (now() < end && !stalled) {
		unsigned long seq_a = ++seq, seq_c = ++seq;

		rounds++;
		next = (cur + 1 + rand() % (NPAGE - 1)) % NPAGE;
		fill(check, seq_a);
		if (pwrite(src, check, pgsz, 0) != (ssize_t)pgsz)
			ktap_bail("pwrite");
		fill(check, seq_c);
		if (pwrite(src, check, pgsz, pgsz) != (ssize_t)pgsz)
			ktap_bail("pwrite");

		/* 1. The SQ thread writes B: its TLB maps B -> page cur. */
		queue_read(win, pgsz, 0, MAX_BATCH);
		publish();
		if (reap(1, res)) {
			stalled = 1;
			break;
		}
		if (res[MAX_BATCH] != (int)pgsz || !matches(win, seq_a)) {
			if (!bad)
				ktap_diag("round %lu: first read res %d, data %s",
					  rounds, res[MAX_BATCH],
					  matches(win, seq_a) ? "ok" : "wrong");
			bad++;
		}
		/* 2. Let it find the ring empty and drop the mm. */
		spin_us(20);
		/* 3. A batch: the thread attaches and stays attached. */
		for (i = 0; i < (unsigned int)batch; i++)
			queue_read(big + i * CHUNK, CHUNK, 2 * pgsz, i);
		for (i = 0; i < (unsigned int)batch; i++)
			res[i] = -ENODATA;
		res[MAX_BATCH + 1] = -ENODATA;
		publish();
		spin_us(rand() % max_delay);
		if (selfcheck) {
			/* 5 before 4: the read lands in page cur on purpose. */
			queue_read(win, pgsz, pgsz, MAX_BATCH + 1);
			publish();
			if (reap(batch + 1, res)) {
				stalled = 1;
				break;
			}
		}
		/* 4. The racing flush: B moves to page next. */
		if (mmap(win, pgsz, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, pages, next * pgsz) != win)
			ktap_bail("mmap window");
		if (!selfcheck) {
			/* 5. One more read into B while the batch still runs. */
			ready = cq_ready();
			queue_read(win, pgsz, pgsz, MAX_BATCH + 1);
			publish();
			if (ready < (unsigned int)batch)
				overlapped++;
			else
				dropped++;
			if (reap(batch + 1, res)) {
				stalled = 1;
				break;
			}
		}
		if (res[MAX_BATCH + 1] != (int)pgsz) {
			if (!bad)
				ktap_diag("round %lu: last read res %d", rounds,
					  res[MAX_BATCH + 1]);
			bad++;
		} else if (!matches(win, seq_c)) {
			if (pread(pages, check, pgsz, cur * pgsz) == (ssize_t)pgsz &&
			    matches(check, seq_c)) {
				if (!stale)
					ktap_diag("round %lu: the read into B landed in the old page %u, not in page %u (stale TLB entry)",
						  rounds, cur, next);
				stale++;
			} else {
				if (!bad)
					ktap_diag("round %lu: the read into B is neither in page %u nor in the old page %u",
						  rounds, next, cur);
				bad++;
			}
		}
		for (i = 0; i < (unsigned int)batch; i++)
			if (res[i] != CHUNK) {
				if (!bad)
					ktap_diag("round %lu: batch read %u res %d",
						  rounds, i, res[i]);
				bad++;
			}
		cur = next;
	}
	t0 = now() - t0;
	if (flood_pid > 0) {
		kill(flood_pid, SIGKILL);
		waitpid(flood_pid, NULL, 0);
	}
	if (stalled)
		ktap_diag("no completion for %d s", STALL_SECS);
	ktap_diag("%lu rounds in %.1f s; the SQ thread was still busy at the last read in %lu, idle in %lu",
		  rounds, t0, overlapped, dropped);
	ktap_diag("metric: stale_reads %lu", stale);
	ktap_diag("wrong or failed I/O (not stale): %lu", bad);
	ktap_result(!stalled && !stale && !bad,
		    "no read landed through a stale TLB entry");
	ktap_result(!stalled && overlapped > 0,
		    "the SQ thread stayed attached across the remap");
	close(r.fd);
	ktap_finish();
}
