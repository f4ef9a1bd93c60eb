// SPDX-License-Identifier: GPL-2.0
/// Find TLB flush code that trims mm_cpumask() or other cpus' MMU
/// contexts, instead of cross-calling them, when mm_users says that the
/// mm has a single user.  mm_users == 1 does not keep a kernel thread
/// from taking the mm with mmget_not_zero() + kthread_use_mm() right
/// after the test; the trim then drops that cpu and it keeps stale TLB
/// entries (sparc64 fix: upstream bafb056ce279).
///
/// The single-user branch is the then-branch of "mm_users == 1" or
/// "<= 1" and the else-branch of "!= 1" (the test may be part of a
/// larger && or || condition).
//
// Confidence: Moderate
// Options: --no-includes --include-headers

virtual report

@then_trim depends on report@
expression mm, E1, E2, E3;
position p;
statement S;
@@

(
if@p (<+... \(atomic_read(&mm->mm_users) == 1\|atomic_read(&mm->mm_users) <= 1\) ...+>)
{
<+...
\(cpumask_copy(mm_cpumask(E1), E2)\|cpumask_clear(mm_cpumask(E1))\|cpumask_clear_cpu(E2, mm_cpumask(E1))\|cpu_context(E1, E2) = E3\|set_cpu_context(E1, E2, E3)\|E1->context[E2] = E3\)
...+>
}
else S
|
if@p (<+... \(atomic_read(&mm->mm_users) == 1\|atomic_read(&mm->mm_users) <= 1\) ...+>)
{
<+...
\(cpumask_copy(mm_cpumask(E1), E2)\|cpumask_clear(mm_cpumask(E1))\|cpumask_clear_cpu(E2, mm_cpumask(E1))\|cpu_context(E1, E2) = E3\|set_cpu_context(E1, E2, E3)\|E1->context[E2] = E3\)
...+>
}
)

@else_trim depends on report@
expression mm, E1, E2, E3;
position p;
statement S;
@@

if@p (<+... atomic_read(&mm->mm_users) != 1 ...+>) S else
{
<+...
\(cpumask_copy(mm_cpumask(E1), E2)\|cpumask_clear(mm_cpumask(E1))\|cpumask_clear_cpu(E2, mm_cpumask(E1))\|cpu_context(E1, E2) = E3\|set_cpu_context(E1, E2, E3)\|E1->context[E2] = E3\)
...+>
}

@script:python depends on report@
p << then_trim.p;
@@
print("%s:%s:%s" % (p[0].file, p[0].line, p[0].current_element))

@script:python depends on report@
p << else_trim.p;
@@
print("%s:%s:%s" % (p[0].file, p[0].line, p[0].current_element))
