/*
 * sparc64_tlb.pml - mm_cpumask trimming vs kthread_use_mm() on sparc64.
 *
 * Two cpus.  cpu 0 runs the only thread of a process (mm_users == 1).
 * It changes a pte and then flushes the TLB, NFLUSH times, with the
 * logic of smp_flush_tlb_{mm,pending,page}() in v5.9 arch/sparc/kernel/
 * smp_64.c.  cpu 1 runs a kernel thread (the io_uring SQPOLL thread)
 * that NUSE times takes the mm with mmget_not_zero() + kthread_use_mm(),
 * loads a translation into its TLB, uses it, and drops the mm again.
 *
 * Default: the v5.9 logic.  If mm_users == 1, trim mm_cpumask to the
 * local cpu and flush locally only; otherwise cross-call the cpus in the
 * mask.  The test of mm_users and the trim are separate steps.
 * -DPATCHED: always cross-call the mask (minus self), then flush locally.
 *
 * Memory is sequentially consistent; a cross-call is modelled as one
 * step that reads the mask and empties the TLB of the cpus in it (the
 * caller waits for the remote flushes before it goes on).
 *
 * Properties (assertions):
 *  - mask: when the flush is issued, a cpu that uses the mm is in the
 *    mask (otherwise later flushes will not reach it);
 *  - stale: when a flush completes, no cpu that uses the mm holds a TLB
 *    entry older than the pte.
 *
 * -DSTALE_ONLY drops the mask assertions, to see the stale TLB itself.
 *
 *   spin -a [-DPATCHED] [-DSTALE_ONLY] sparc64_tlb.pml && gcc -o pan pan.c && ./pan
 */

#ifndef NFLUSH
#define NFLUSH	3
#endif
#ifndef NUSE
#define NUSE	2
#endif

/* -DSTALE_ONLY: check only the stale TLB property */
#ifdef STALE_ONLY
#define MASK_CHECK	skip
#else
#define MASK_CHECK	assert(!using1 || mask[1])
#endif

#define NONE	0	/* no TLB entry; pte versions start at 1 */

byte pte = 1;		/* version of the translation in the page table */
byte tlb[2];		/* version cached by each cpu's TLB, or NONE (0) */
bool mask[2];		/* mm_cpumask(mm); bit 0 is set by the user below */
byte mm_users = 1;	/* the user thread's reference */
bool using1 = false;	/* the kernel thread on cpu 1 has the mm adopted */
byte flushes = 0;	/* completed flushes, for the trail */

active proctype user()	/* cpu 0 */
{
	byte i = 0;

	/* the thread has run on cpu 0: its bit is set, its TLB filled */
	atomic { mask[0] = true; tlb[0] = pte };
	do
	:: i < NFLUSH ->
		pte = pte + 1;		/* set_pte / pte_clear */
#ifdef PATCHED
		/* smp_cross_call_masked(..., mm_cpumask(mm)): skips self */
		MASK_CHECK;
		atomic { if :: mask[1] -> tlb[1] = NONE :: else -> skip fi }
#else
		if
		:: mm_users == 1 ->
			/* cpumask_copy(mm_cpumask(mm), cpumask_of(cpu)) */
			atomic { mask[0] = true; mask[1] = false }
		:: else ->
			MASK_CHECK;
			atomic { if :: mask[1] -> tlb[1] = NONE :: else -> skip fi }
		fi;
		MASK_CHECK;
#endif
		tlb[0] = NONE;		/* local flush */
		/* the flush is complete */
		assert(!(using1 && tlb[1] != NONE && tlb[1] != pte));
		tlb[0] = pte;		/* the thread touches the page again */
		flushes++;
		i++
	:: else -> break
	od
}

active proctype kthread()	/* cpu 1 */
{
	byte j = 0;

	do
	:: j < NUSE ->
		/* mmget_not_zero() */
		atomic { mm_users > 0 -> mm_users++ };
		/*
		 * kthread_use_mm() -> switch_mm(): a cpu not yet in the mask
		 * sets its bit and flushes the context locally first.
		 */
		atomic {
			if
			:: !mask[1] -> mask[1] = true; tlb[1] = NONE
			:: else -> skip
			fi;
			using1 = true
		};
		/* access user memory: a TLB miss loads the current pte */
		atomic { if :: tlb[1] == NONE -> tlb[1] = pte :: else -> skip fi };
		/* copy_to_user()/copy_from_user() go through tlb[1] here */
		/* kthread_unuse_mm(): the TLB keeps its entries (lazy tlb) */
		using1 = false;
		mm_users--;		/* mmput() */
		j++
	:: else -> break
	od
}
