/* SPDX-License-Identifier: MIT */
/*
 * Timers (see <kite/timer.h>): per CPU, a list in deadline order under a
 * lock of its own. The scheduler arms the CPU's one-shot timer for the
 * list's head (sched/thread.c, retimer) and calls kite_timer_run_due from
 * the timer interrupt. A callback runs without the list's lock, so it may
 * start and cancel timers; "running" names it meanwhile, so a cancel from
 * another CPU can wait until it is done. After a one-shot callback returns
 * the timer is not touched again (its memory may already be gone: a
 * sleeping thread's timer lives on its stack); a periodic one is requeued
 * before "running" is cleared, unless it was cancelled or restarted.
 */
#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/spinlock.h>
#include <kite/thread.h>
#include <kite/timer.h>

#include "sched.h"

struct timer_queue {
    struct kite_spinlock lock;
    struct kite_timer *head;
    struct kite_timer *volatile running;
} KITE_ALIGNED(64);

static struct timer_queue queues[CONFIG_NR_CPUS];
/* Each list's first deadline (KITE_FOREVER: none), for the scheduler to read without the lock. */
volatile uint64_t kite_timer_first[CONFIG_NR_CPUS];

static void set_first(struct timer_queue *q)
{
    kite_timer_first[q - queues] = q->head ? q->head->deadline : KITE_FOREVER;
}

void kite_timer_cpu_init(unsigned int cpu)
{
    queues[cpu].lock = (struct kite_spinlock)KITE_SPINLOCK_INIT;
    queues[cpu].head = NULL;
    kite_timer_first[cpu] = KITE_FOREVER;
    queues[cpu].running = NULL;
}

void kite_timer_init(struct kite_timer *t, kite_timer_fn fn, void *arg)
{
    t->deadline = 0;
    t->period = 0;
    t->fn = fn;
    t->arg = arg;
    t->next = NULL;
    t->cpu = -1;
    t->home = -1;
    t->stopped = false;
}

bool kite_timer_pending(const struct kite_timer *t)
{
    return KITE_READ_ONCE(t->cpu) >= 0;
}

/* Put @t in @q in deadline order (lock held); true when it went first. */
static bool insert(struct timer_queue *q, struct kite_timer *t)
{
    struct kite_timer **pp = &q->head;

    while (*pp && (*pp)->deadline <= t->deadline) {
        pp = &(*pp)->next;
    }
    t->next = *pp;
    *pp = t;
    set_first(q);
    return pp == &q->head;
}

static void unlink(struct timer_queue *q, struct kite_timer *t)
{
    for (struct kite_timer **pp = &q->head; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            set_first(q);
            return;
        }
    }
}

bool kite_timer_cancel(struct kite_timer *t)
{
    int home = KITE_READ_ONCE(t->home);
    struct timer_queue *q;
    unsigned long flags;
    bool was = false;

    if (home < 0) {
        return false; /* never started */
    }
    q = &queues[home];
    flags = kite_spin_lock_irqsave(&q->lock);
    if (t->cpu >= 0) {
        unlink(q, t);
        t->cpu = -1;
        was = true;
    }
    t->stopped = true;
    kite_spin_unlock_irqrestore(&q->lock, flags);
    /* On its own CPU the callback cannot be running now, unless this is the callback. */
    if ((unsigned int)home != arch_cpu_id()) {
        while (q->running == t) {
            arch_pause();
        }
    }
    return was;
}

int kite_timer_start_at(struct kite_timer *t, int cpu, uint64_t deadline_ns, uint64_t period_ns)
{
    struct timer_queue *q;
    unsigned long flags;
    bool first;

    if (!t->fn) {
        return -KITE_EINVAL;
    }
    if (cpu == KITE_CPU_ANY) {
        cpu = (int)arch_cpu_id();
    }
    if (cpu < 0 || (unsigned int)cpu >= arch_cpus_online() || cpu >= CONFIG_NR_CPUS) {
        return -KITE_ENODEV;
    }
    kite_timer_cancel(t);
    q = &queues[cpu];
    flags = kite_spin_lock_irqsave(&q->lock);
    t->deadline = deadline_ns;
    t->period = period_ns;
    t->home = cpu;
    t->cpu = cpu;
    t->stopped = false;
    first = insert(q, t);
    kite_spin_unlock_irqrestore(&q->lock, flags);
    if (first) {
        kite_sched_retimer((unsigned int)cpu);
    }
    return 0;
}

int kite_timer_start(struct kite_timer *t, int cpu, uint64_t delay_ns, uint64_t period_ns)
{
    uint64_t now = kite_time_ns();

    return kite_timer_start_at(
        t, cpu, delay_ns > KITE_FOREVER - now ? KITE_FOREVER : now + delay_ns, period_ns);
}

void kite_timer_run_due(uint64_t now)
{
    struct timer_queue *q = &queues[arch_cpu_id()];

    kite_spin_lock(&q->lock);
    while (q->head && q->head->deadline <= now) {
        struct kite_timer *t = q->head;
        uint64_t period = t->period;

        q->head = t->next;
        set_first(q);
        t->cpu = -1;
        q->running = t;
        kite_spin_unlock(&q->lock);
        t->fn(t, t->arg);
        kite_spin_lock(&q->lock);
        if (period && t->cpu < 0 && !t->stopped) {
            /* The next period that has not passed yet: no burst after a long delay. */
            t->deadline += period;
            if (t->deadline <= now) {
                t->deadline += (now - t->deadline) / period * period + period;
            }
            t->cpu = (int)arch_cpu_id();
            insert(q, t);
        }
        q->running = NULL;
    }
    kite_spin_unlock(&q->lock);
}

/* ---------------------------------------------------------------- sleep */

static void sleep_done(struct kite_timer *t, void *arg)
{
    (void)t;
    kite_sched_wake(arg);
}

void kite_sleep_until(uint64_t deadline_ns)
{
    struct kite_timer t;
    unsigned long flags;
    int rc;

    if (deadline_ns <= kite_time_ns()) {
        kite_thread_yield();
        return;
    }
    kite_timer_init(&t, sleep_done, kite_thread_self());
    flags = arch_irq_save();
    kite_sched_prepare_block();
    /* On this CPU, with interrupts off: it cannot fire before the thread has switched away. */
    rc = kite_timer_start_at(&t, KITE_CPU_ANY, deadline_ns, 0);
    (void)rc; /* this CPU is online: cannot fail */
    kite_sched_block();
    arch_irq_restore(flags);
}

void kite_sleep_ns(uint64_t ns)
{
    uint64_t now = kite_time_ns();

    kite_sleep_until(ns > KITE_FOREVER - now ? KITE_FOREVER : now + ns);
}

uint64_t kite_timer_next(unsigned int cpu)
{
    return cpu < CONFIG_NR_CPUS ? kite_timer_first[cpu] : KITE_FOREVER;
}
