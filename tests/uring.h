/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uring.h - the raw io_uring ring of the racefix SQPOLL guest tests
 * (sqpoll_flush, stale_tlb_sqpoll): no liburing, the system calls by
 * number where the C library's headers lack them.
 */
#ifndef RACEFIX_URING_H
#define RACEFIX_URING_H

#include <errno.h>
#include <linux/io_uring.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ktap.h"

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup	425
#endif
#ifndef __NR_io_uring_enter
#define __NR_io_uring_enter	426
#endif
#ifndef __NR_io_uring_register
#define __NR_io_uring_register	427
#endif

struct ring {
	int fd;
	unsigned int *sq_head, *sq_tail, *sq_mask, *sq_flags, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned int sq_entries, cq_entries, features;
};

static inline int sys_enter(int fd, unsigned int submit, unsigned int complete,
			    unsigned int flags)
{
	return syscall(__NR_io_uring_enter, fd, submit, complete, flags,
		       NULL, 0);
}

static inline int sys_register(int fd, unsigned int op, void *arg,
			       unsigned int n)
{
	return syscall(__NR_io_uring_register, fd, op, arg, n);
}

/*
 * Set up a ring of @entries with the caller's @p (flags, SQ thread idle
 * time and CPU) and map it into @r. Returns 0, or -errno when the kernel
 * refuses the set-up (no io_uring, no SQPOLL, no privilege); a failed
 * mapping bails out.
 */
static inline int ring_setup(struct ring *r, unsigned int entries,
			     struct io_uring_params *p)
{
	size_t sqsz, cqsz;
	unsigned char *sq, *cq;
	void *sqes;

	r->fd = syscall(__NR_io_uring_setup, entries, p);
	if (r->fd < 0)
		return -errno;
	sqsz = p->sq_off.array + p->sq_entries * sizeof(unsigned int);
	cqsz = p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe);
	if (p->features & IORING_FEAT_SINGLE_MMAP) {
		if (cqsz > sqsz)
			sqsz = cqsz;
		cqsz = sqsz;
	}
	sq = mmap(NULL, sqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		  r->fd, IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		ktap_bail("mmap sq ring");
	cq = sq;
	if (!(p->features & IORING_FEAT_SINGLE_MMAP)) {
		cq = mmap(NULL, cqsz, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
		if (cq == MAP_FAILED)
			ktap_bail("mmap cq ring");
	}
	sqes = mmap(NULL, p->sq_entries * sizeof(struct io_uring_sqe),
		    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
		    IORING_OFF_SQES);
	if (sqes == MAP_FAILED)
		ktap_bail("mmap sqes");
	r->sq_head = (unsigned int *)(sq + p->sq_off.head);
	r->sq_tail = (unsigned int *)(sq + p->sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p->sq_off.ring_mask);
	r->sq_flags = (unsigned int *)(sq + p->sq_off.flags);
	r->sq_array = (unsigned int *)(sq + p->sq_off.array);
	r->cq_head = (unsigned int *)(cq + p->cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p->cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p->cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p->cq_off.cqes);
	r->sqes = sqes;
	r->sq_entries = p->sq_entries;
	r->cq_entries = p->cq_entries;
	r->features = p->features;
	return 0;
}

#endif /* RACEFIX_URING_H */
