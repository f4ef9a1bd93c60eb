// SPDX-License-Identifier: GPL-2.0
/*
 * sqpoll_flush - io_uring SQPOLL I/O while a single-threaded process
 * keeps changing its own page tables.
 *
 * On v5.9 the SQ poll kernel thread drops the submitter's mm whenever
 * it runs out of work and takes it again with mmget_not_zero() and
 * kthread_use_mm() on the next submission.  mm_users of this process
 * therefore keeps flipping between 1 and 2, which is the window of the
 * sparc64 mm_cpumask trimming race in smp_flush_tlb_{mm,pending,page}().
 *
 * The process itself stays single-threaded.  It writes and reads back a
 * file on /tmp (tmpfs in the guest) through a ring with one registered
 * file, and while the I/O is in flight it unmaps and maps, mprotects
 * and madvise(MADV_DONTNEED)s scratch pages, which ends in the user TLB
 * flushes of its mm.  Between rounds the read buffers themselves are
 * dropped, remapped or write-protected, so that a read landing through
 * a stale translation shows up as wrong data.  Every completed I/O is
 * checked: writes must be complete, reads must return the pattern that
 * was written for that offset and sequence number.
 *
 * Needs root on v5.9 (SQPOLL requires CAP_SYS_ADMIN there).  Only
 * registered files are used (IOSQE_FIXED_FILE), which every kernel with
 * SQPOLL accepts.  Skips when io_uring or SQPOLL is not available.
 *
 * Build: gcc -static -O2 -Wall -pthread -o sqpoll_flush sqpoll_flush.c
 * Usage: sqpoll_flush [-d SECONDS]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>

#include "ktap.h"
#include "uring.h"

#define QD		8	/* I/Os in flight per batch */
#define NSLOT		32	/* file blocks */
#define NSCRATCH	8	/* pages churned while I/O is in flight */
#define SQ_IDLE_MS	1	/* let the SQ thread drop the mm often */
#define STALL_SECS	30	/* no completion for this long: fail */

struct stats {
	unsigned long writes, reads;
	unsigned long bad_writes, bad_reads, bad_words;
	unsigned long wakeups, blocking_waits;
	unsigned long remaps, mprotects, dontneeds, cow_touches;
	unsigned long buf_remaps, buf_mprotects, buf_dontneeds;
};

static struct stats st;
static size_t pgsz;
static unsigned char *scratch;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The pattern of one block: depends on the file offset and the round. */
static uint64_t pattern(unsigned int slot, unsigned long seq, size_t word)
{
	uint64_t v = ((uint64_t)seq << 32) ^ ((uint64_t)slot << 20) ^ word;

	return v * 0x9e3779b97f4a7c15ULL ^ 0x5a5a0000a5a5ULL;
}

static void fill(void *buf, unsigned int slot, unsigned long seq)
{
	uint64_t *w = buf;
	size_t i;

	for (i = 0; i < pgsz / sizeof(*w); i++)
		w[i] = pattern(slot, seq, i);
}

static unsigned long check(const void *buf, unsigned int slot,
			   unsigned long seq)
{
	const uint64_t *w = buf;
	unsigned long bad = 0;
	size_t i;

	for (i = 0; i < pgsz / sizeof(*w); i++) {
		if (w[i] == pattern(slot, seq, i))
			continue;
		if (!bad)
			ktap_diag("slot %u seq %lu word %zu: got %#llx want %#llx",
				  slot, seq, i, (unsigned long long)w[i],
				  (unsigned long long)pattern(slot, seq, i));
		bad++;
	}
	return bad;
}

/* One step of page table churn on the scratch pages. */
static void churn(unsigned long step)
{
	unsigned char *p = scratch + (step % NSCRATCH) * pgsz;
	void *q;

	switch (step % 4) {
	case 0:	/* unmap and map again: zap + flush of the old pte */
		if (munmap(p, pgsz))
			ktap_bail("munmap scratch");
		q = mmap(p, pgsz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (q != p)
			ktap_bail("mmap scratch");
		p[0] = (unsigned char)step;
		st.remaps++;
		break;
	case 1:	/* write-protect and back: change_protection + flush */
		if (mprotect(p, pgsz, PROT_READ) ||
		    mprotect(p, pgsz, PROT_READ | PROT_WRITE))
			ktap_bail("mprotect scratch");
		p[1] = (unsigned char)step;
		st.mprotects++;
		break;
	case 2:	/* drop the page: zap + flush */
		if (madvise(p, pgsz, MADV_DONTNEED))
			ktap_bail("madvise scratch");
		st.dontneeds++;
		break;
	default:
		/*
		 * After MADV_DONTNEED a read maps the zero page; the write
		 * then replaces that pte, which flushes a single page.
		 */
		if (((volatile unsigned char *)p)[2] != 0)
			p[3] = 0;
		p[2] = (unsigned char)step;
		st.cow_touches++;
		break;
	}
}

static int ring_open(struct ring *r, unsigned int entries)
{
	struct io_uring_params p;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SQPOLL;
	p.sq_thread_idle = SQ_IDLE_MS;
	return ring_setup(r, entries, &p);
}

/* Queue one read or write of block @slot on registered file 0. */
static void queue_rw(struct ring *r, int write, void *buf, unsigned int slot,
		     unsigned long tag)
{
	unsigned int tail = *r->sq_tail;
	unsigned int idx = tail & *r->sq_mask;
	struct io_uring_sqe *sqe = &r->sqes[idx];

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = write ? IORING_OP_WRITE : IORING_OP_READ;
	sqe->flags = IOSQE_FIXED_FILE;
	sqe->fd = 0;
	sqe->addr = (unsigned long)buf;
	sqe->len = pgsz;
	sqe->off = (unsigned long long)slot * pgsz;
	sqe->user_data = tag;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
}

/* Make sure the SQ thread sees the new tail, waking it when it sleeps. */
static void kick(struct ring *r)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(r->sq_flags, __ATOMIC_RELAXED) &
	    IORING_SQ_NEED_WAKEUP) {
		if (sys_enter(r->fd, 0, 0, IORING_ENTER_SQ_WAKEUP) < 0)
			ktap_bail("io_uring_enter(SQ_WAKEUP)");
		st.wakeups++;
	}
}

/*
 * Reap @n completions into @res (indexed by user_data), churning the
 * scratch pages while waiting.  Returns 0, or -1 after a stall.
 */
static int reap(struct ring *r, unsigned int n, int *res,
		unsigned long *step)
{
	double last = now();
	unsigned int got = 0, spins = 0;

	while (got < n) {
		unsigned int head = *r->cq_head;
		unsigned int tail = __atomic_load_n(r->cq_tail,
						    __ATOMIC_ACQUIRE);

		if (head != tail) {
			struct io_uring_cqe *cqe = &r->cqes[head & *r->cq_mask];

			if (cqe->user_data < QD)
				res[cqe->user_data] = cqe->res;
			__atomic_store_n(r->cq_head, head + 1,
					 __ATOMIC_RELEASE);
			got++;
			last = now();
			spins = 0;
			continue;
		}
		churn((*step)++);
		kick(r);
		if (++spins % 64 == 0) {
			/* Let the SQ thread have the cpu on a uniprocessor. */
			if (sys_enter(r->fd, 0, 1, IORING_ENTER_GETEVENTS) < 0 &&
			    errno != EINTR)
				ktap_bail("io_uring_enter(GETEVENTS)");
			st.blocking_waits++;
			if (now() - last > STALL_SECS) {
				ktap_diag("no completion for %d s, %u of %u reaped",
					  STALL_SECS, got, n);
				return -1;
			}
		}
	}
	return 0;
}

/* Disturb the mappings of the read buffers before they are reused. */
static void rebuffer(unsigned char *rbuf, unsigned long round)
{
	size_t len = QD * pgsz;
	void *q;

	switch (round % 3) {
	case 0:
		if (munmap(rbuf, len))
			ktap_bail("munmap rbuf");
		q = mmap(rbuf, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (q != rbuf)
			ktap_bail("mmap rbuf");
		st.buf_remaps++;
		break;
	case 1:
		if (mprotect(rbuf, len, PROT_READ) ||
		    mprotect(rbuf, len, PROT_READ | PROT_WRITE))
			ktap_bail("mprotect rbuf");
		st.buf_mprotects++;
		break;
	default:
		if (madvise(rbuf, len, MADV_DONTNEED))
			ktap_bail("madvise rbuf");
		st.buf_dontneeds++;
		break;
	}
	/* Poison every buffer so that a lost read cannot pass the check. */
	memset(rbuf, 0xa5, len);
}

int main(int argc, char **argv)
{
	int secs = ktap_duration(argc, argv, 10);
	char path[] = "/tmp/sqpoll_flush.XXXXXX";
	unsigned char *wbuf, *rbuf;
	unsigned long round = 0, step = 0, seq;
	int res[QD], file, ret, op_missing = 0, stalled = 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct ring r;
	double t0, end;
	unsigned int i;

	pgsz = sysconf(_SC_PAGESIZE);

	/* Nothing is printed before this: a skip is the whole output. */
	ret = ring_open(&r, 2 * QD);
	if (ret == -ENOSYS || ret == -EPERM || ret == -EACCES ||
	    ret == -EINVAL || ret == -ENOMEM)
		ktap_exit_skip("io_uring SQPOLL not available: %s",
			       strerror(-ret));
	if (ret) {
		errno = -ret;
		ktap_bail("io_uring_setup");
	}

	ktap_start(4);
	ktap_diag("sqpoll_flush: page size %zu, %ld cpu(s) online, %d s",
		  pgsz, ncpu, secs);
#ifdef __sparc__
	ktap_diag("QEMU sun4u is uniprocessor, so the sparc64 mm_cpumask race cannot fire here;");
	ktap_diag("this test checks I/O integrity and that the TLB flush paths work");
#endif
	if (ncpu < 2)
		ktap_diag("1 cpu online: the SQ thread never runs beside this process, so no TLB can go stale");
	ktap_diag("ring: sq %u cq %u entries, features %#x, sq_thread_idle %u ms",
		  r.sq_entries, r.cq_entries, r.features, SQ_IDLE_MS);

	file = mkstemp(path);
	if (file < 0)
		ktap_bail("mkstemp %s", path);
	unlink(path);
	if (ftruncate(file, NSLOT * pgsz))
		ktap_bail("ftruncate");
	if (sys_register(r.fd, IORING_REGISTER_FILES, &file, 1) < 0)
		ktap_bail("IORING_REGISTER_FILES");
	ktap_result(1, "SQPOLL ring with a registered tmp file");

	wbuf = mmap(NULL, QD * pgsz, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rbuf = mmap(NULL, QD * pgsz, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	scratch = mmap(NULL, NSCRATCH * pgsz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (wbuf == MAP_FAILED || rbuf == MAP_FAILED || scratch == MAP_FAILED)
		ktap_bail("mmap buffers");
	memset(scratch, 1, NSCRATCH * pgsz);

	t0 = now();
	end = t0 + secs;
	while (now() < end && !stalled && !op_missing) {
		seq = ++round;

		/* Write QD blocks with this round's pattern. */
		if (madvise(wbuf, QD * pgsz, MADV_DONTNEED))
			ktap_bail("madvise wbuf");
		for (i = 0; i < QD; i++) {
			unsigned int slot = (round * QD + i) % NSLOT;

			fill(wbuf + i * pgsz, slot, seq);
			res[i] = -ENODATA;
			queue_rw(&r, 1, wbuf + i * pgsz, slot, i);
		}
		kick(&r);
		if (reap(&r, QD, res, &step)) {
			stalled = 1;
			break;
		}
		for (i = 0; i < QD; i++) {
			if (res[i] == -EINVAL && round == 1) {
				op_missing = 1;
				break;
			}
			st.writes++;
			if (res[i] != (int)pgsz) {
				if (!st.bad_writes)
					ktap_diag("write %u: res %d", i, res[i]);
				st.bad_writes++;
			}
		}
		if (op_missing)
			break;

		/* Read them back into buffers whose mappings just changed. */
		rebuffer(rbuf, round);
		for (i = 0; i < QD; i++) {
			res[i] = -ENODATA;
			queue_rw(&r, 0, rbuf + i * pgsz,
				 (round * QD + i) % NSLOT, i);
		}
		kick(&r);
		if (reap(&r, QD, res, &step)) {
			stalled = 1;
			break;
		}
		for (i = 0; i < QD; i++) {
			unsigned int slot = (round * QD + i) % NSLOT;
			unsigned long bad;

			st.reads++;
			if (res[i] != (int)pgsz) {
				if (!st.bad_reads)
					ktap_diag("read %u: res %d", i, res[i]);
				st.bad_reads++;
				continue;
			}
			bad = check(rbuf + i * pgsz, slot, seq);
			if (bad) {
				st.bad_reads++;
				st.bad_words += bad;
			}
		}

		/* Now and then let the SQ thread go to sleep and drop the mm. */
		if (round % 8 == 0)
			usleep(20000);
	}
	t0 = now() - t0;

	if (op_missing) {
		ktap_skip("writes complete", "IORING_OP_WRITE not supported");
		ktap_skip("reads return the written data",
			  "IORING_OP_READ not supported");
		ktap_skip("page table churn ran", "no I/O");
		ktap_finish();
	}

	ktap_diag("%lu rounds in %.1f s: %lu writes, %lu reads (%.0f I/O/s)",
		  round, t0, st.writes, st.reads,
		  (st.writes + st.reads) / (t0 > 0 ? t0 : 1));
	ktap_diag("scratch churn: %lu remap, %lu mprotect, %lu dontneed, %lu cow",
		  st.remaps, st.mprotects, st.dontneeds, st.cow_touches);
	ktap_diag("read buffers: %lu remap, %lu mprotect, %lu dontneed",
		  st.buf_remaps, st.buf_mprotects, st.buf_dontneeds);
	ktap_diag("SQ thread woken %lu times, %lu blocking waits",
		  st.wakeups, st.blocking_waits);
	ktap_diag("bad: %lu writes, %lu reads, %lu words", st.bad_writes,
		  st.bad_reads, st.bad_words);

	ktap_result(!stalled && st.writes && !st.bad_writes, "writes complete");
	ktap_result(!stalled && st.reads && !st.bad_reads,
		    "reads return the written data");
	ktap_result(st.remaps && st.mprotects && st.dontneeds &&
		    st.cow_touches && st.buf_remaps, "page table churn ran");
	close(r.fd);
	close(file);
	ktap_finish();
}
