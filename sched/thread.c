/* SPDX-License-Identifier: MIT */
/*
 * Threads and the per-CPU run queues (see <kite/thread.h>).
 *
 * Each CPU has a run queue (one FIFO per priority level and a bitmap of
 * the non-empty ones), its current thread and an idle thread. Only the CPU
 * itself runs threads off its queue; others add to it (creating or waking a
 * thread there) or, when idle, steal unbound threads from it. A thread's
 * struct and its block of __thread variables sit at the top of its own
 * guarded stack, so a thread costs the heap nothing; stacks of dead threads
 * are kept per node and reused.
 *
 * A thread's context is saved only once its CPU has switched off its stack
 * (arch_switch returns in the next thread, which calls finish_switch): until
 * then on_cpu is set, and nobody else may run it. So a thread that blocks
 * and is woken at once on another CPU is queued on its old CPU (which may
 * pick it again), stealers skip it, and a thread moving to another CPU is
 * handed over by finish_switch. A thread is marked dead in finish_switch
 * too, so a joiner never frees a stack still in use.
 *
 * Preemption and time: each CPU arms its one-shot timer for the earlier of
 * its first timer and the end of the running thread's quantum, and the
 * quantum runs only while another thread of at least the same priority
 * waits. One runnable thread and no timer: no interrupt at all. The tick
 * switches threads inside the interrupt, on the preempted thread's stack,
 * after saving the x87/SSE state there (a voluntary switch needs no such
 * save: the ABI makes that state caller-saved). A tick that finds a
 * spinlock held retries a little later. Waking a thread sends an IPI only
 * to a CPU that is halted, or that must preempt (a higher priority) or
 * start a quantum (it ran alone until now).
 *
 * Room for later: a real-time class (periodic and sporadic threads with
 * admission control) would sit above the priority levels, picked first in
 * pick_next and given its own timer deadlines in retimer.
 */
#define KITE_LOG_PREFIX "sched: "

#include <kite/arch.h>
#include <kite/cmdline.h>
#include <kite/errno.h>
#include <kite/mm.h>
#include <kite/numa.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/spinlock.h>
#include <kite/stack.h>
#include <kite/string.h>
#include <kite/thread.h>
#include <kite/timer.h>

#include "sched.h"

#define NLEVELS (KITE_PRIO_MAX - KITE_PRIO_MIN + 1)
#define NO_CPU  (-1)

KITE_PARAM(quantum, uint, CONFIG_SCHED_QUANTUM_US,
           "time slice of threads of equal priority, in microseconds (100..1000000)");

enum state { RUNNABLE, RUNNING, BLOCKED, MIGRATING, EXITING, DEAD };
enum park { PARK_EMPTY, PARK_WAITING, PARK_NOTIFIED };

struct kite_thread {
    uint64_t rsp;     /* saved while not running */
    uint64_t fs_base; /* its __thread block */
    struct kite_stack *stack;
    kite_thread_fn fn;
    void *arg, *ret;
    volatile int state;
    volatile unsigned int cpu; /* the CPU that runs it or has it queued */
    volatile int bind;         /* the CPU it is bound to, or NO_CPU */
    int level;                 /* priority - KITE_PRIO_MIN; -1 for idle threads */
    volatile bool on_cpu;      /* its context is live on a CPU (not saved yet) */
    volatile bool moving;      /* running, but bound elsewhere now: hand over at the next switch */
    bool detached;
    bool stealable;             /* queued unbound: counted in its queue's stealable */
    int park;                   /* atomic: PARK_EMPTY, PARK_WAITING or PARK_NOTIFIED */
    struct kite_thread *next;   /* run queue or free list */
    struct kite_thread *joiner; /* under lock */
    struct kite_spinlock lock;
    char name[KITE_THREAD_NAME_MAX];
};

struct runq {
    struct kite_spinlock lock; /* guards everything below but prev */
    struct {
        struct kite_thread *head, *tail;
    } q[NLEVELS];           /* one FIFO per priority level */
    uint32_t mask;          /* levels with queued threads */
    unsigned int len;       /* queued threads */
    unsigned int stealable; /* of them, unbound when queued: a hint for idle CPUs (see steal()) */
    volatile bool steal_asked; /* kick_stealer woke this CPU to look whatever the hints say */
    int cur_level;             /* the current thread's level; -1 for the idle thread */
    bool resched;              /* a higher level is queued: switch at the next chance */
    uint64_t slice_end;        /* end of the current quantum; 0 when none runs */
    uint64_t armed;            /* deadline the timer is armed for; KITE_FOREVER: none */
    uint64_t switches;         /* context switches, for tests and statistics */
    volatile bool halted;      /* the idle thread is (about to be) in hlt */
    struct kite_thread *current, *idle;
} KITE_ALIGNED(64);

static struct runq rqs[CONFIG_NR_CPUS];
static struct kite_thread boot_thread;
static uint64_t quantum_ns;
static unsigned int nr_halted; /* CPUs in hlt: worth asking to steal */

/* Dead threads with their stacks, per node, by stack size: reused before anything is mapped. */
static struct kite_thread *free_threads[KITE_MAX_NODES];
static struct kite_spinlock free_lock = KITE_SPINLOCK_INIT;

static struct runq *this_rq(void)
{
    return &rqs[arch_cpu_id()];
}

struct kite_thread *kite_thread_self(void)
{
    return this_rq()->current;
}

const char *kite_thread_name(const struct kite_thread *t)
{
    return t->name;
}

unsigned int kite_thread_cpu(const struct kite_thread *t)
{
    return t->cpu;
}

int kite_thread_prio(const struct kite_thread *t)
{
    return t->level + KITE_PRIO_MIN;
}

unsigned int kite_cpu(void)
{
    return arch_cpu_id();
}

const char *kite_thread_current_name(void)
{
    const struct kite_thread *t = kite_thread_self();

    return t ? t->name : "boot";
}

struct kite_thread *kite_cpu_thread(unsigned int cpu)
{
    return cpu < CONFIG_NR_CPUS ? KITE_READ_ONCE(rqs[cpu].current) : NULL;
}

static const char *state_name(const struct kite_thread *t, bool running)
{
    if (!running && t->level < 0) {
        return "waiting"; /* an idle thread, while its CPU has work */
    }
    switch (running ? RUNNING : t->state) {
    case RUNNING:
        return "running";
    case RUNNABLE:
        return "ready";
    case BLOCKED:
        return "blocked";
    case MIGRATING:
        return "moving";
    default:
        return "exiting";
    }
}

static void describe(const struct kite_thread *t, struct kite_thread_info *out)
{
    unsigned int cpu = KITE_MIN(t->cpu, (unsigned int)CONFIG_NR_CPUS - 1);
    bool running = KITE_READ_ONCE(rqs[cpu].current) == t;

    memcpy(out->name, t->name, sizeof(out->name));
    out->name[sizeof(out->name) - 1] = '\0';
    out->cpu = cpu;
    out->prio = t->level + KITE_PRIO_MIN;
    out->running = running;
    out->bound = t->bind != NO_CPU;
    out->state = state_name(t, running);
}

/* Before @b in the listing: by CPU, the running thread first. */
static bool listed_before(const struct kite_thread_info *a, const struct kite_thread_info *b)
{
    return a->cpu != b->cpu ? a->cpu < b->cpu : a->running && !b->running;
}

struct listing {
    struct kite_thread_info *out;
    unsigned int n, max, nseen;
    const struct kite_thread *seen[KITE_STACK_LIST_MAX + CONFIG_NR_CPUS + 1];
};

/* Add @t in its place unless it is already there or dead. */
static void list_thread(struct listing *l, const struct kite_thread *t)
{
    struct kite_thread_info info;
    unsigned int at;

    if (!t || t->state == DEAD) {
        return;
    }
    for (unsigned int i = 0; i < l->nseen; i++) {
        if (l->seen[i] == t) {
            return;
        }
    }
    if (l->nseen < KITE_ARRAY_SIZE(l->seen)) {
        l->seen[l->nseen++] = t;
    }
    describe(t, &info);
    for (at = KITE_MIN(l->n, l->max); at > 0 && listed_before(&info, &l->out[at - 1]); at--) {
        if (at < l->max) {
            l->out[at] = l->out[at - 1];
        }
    }
    if (at < l->max) {
        l->out[at] = info;
    }
    l->n++;
}

unsigned int kite_thread_snapshot(struct kite_thread_info *out, unsigned int max)
{
    static struct kite_stack stacks[KITE_STACK_LIST_MAX];
    static struct listing l;
    static struct kite_spinlock lock = KITE_SPINLOCK_INIT; /* guards the two above */
    unsigned long flags = kite_spin_lock_irqsave(&lock);
    unsigned int nstacks = kite_stack_list(stacks, KITE_STACK_LIST_MAX), n;

    l.out = out;
    l.n = l.nseen = 0;
    l.max = max;
    /* Threads outside the stack window's thread layout: the boot thread, the CPUs' idle ones. */
    list_thread(&l, &boot_thread);
    for (unsigned int cpu = 0; cpu < arch_cpus_online() && cpu < CONFIG_NR_CPUS; cpu++) {
        list_thread(&l, rqs[cpu].idle);
    }
    /* The others sit at the top of their stacks, which carry their name (see thread_alloc). */
    for (unsigned int i = 0; i < KITE_MIN(nstacks, (unsigned int)KITE_STACK_LIST_MAX); i++) {
        const struct kite_thread *t =
            (const struct kite_thread *)((stacks[i].top - sizeof(*t)) & ~(uintptr_t)63);

        if (stacks[i].name == t->name) {
            list_thread(&l, t);
        }
    }
    n = l.n;
    kite_spin_unlock_irqrestore(&lock, flags);
    return n;
}

uint64_t kite_sched_quantum_ns(void)
{
    return quantum_ns;
}

uint64_t kite_sched_switches(unsigned int cpu)
{
    return cpu < CONFIG_NR_CPUS ? KITE_READ_ONCE(rqs[cpu].switches) : 0;
}

static bool cpu_usable(int cpu)
{
    return cpu >= 0 && (unsigned int)cpu < arch_cpus_online() && cpu < CONFIG_NR_CPUS &&
           __atomic_load_n(&rqs[cpu].idle, __ATOMIC_ACQUIRE);
}

/* ---------------------------------------------------------------- run queue */

static KITE_ALWAYS_INLINE void enqueue(struct runq *rq, struct kite_thread *t)
{
    unsigned int l = (unsigned int)t->level;

    t->next = NULL;
    if (rq->q[l].tail) {
        rq->q[l].tail->next = t;
    } else {
        rq->q[l].head = t;
    }
    rq->q[l].tail = t;
    rq->mask |= 1u << l;
    rq->len++;
    t->stealable = t->bind == NO_CPU;
    rq->stealable += t->stealable;
}

static KITE_ALWAYS_INLINE void counted_out(struct runq *rq, const struct kite_thread *t)
{
    rq->len--;
    rq->stealable -= t->stealable;
}

static void unlink_at(struct runq *rq, int l, struct kite_thread *prev, struct kite_thread *t)
{
    if (prev) {
        prev->next = t->next;
    } else {
        rq->q[l].head = t->next;
    }
    if (rq->q[l].tail == t) {
        rq->q[l].tail = prev;
    }
    if (!rq->q[l].head) {
        rq->mask &= ~(1u << l);
    }
    counted_out(rq, t);
}

/* The first thread of the highest non-empty level, taken off the queue. */
static KITE_ALWAYS_INLINE struct kite_thread *dequeue(struct runq *rq)
{
    struct kite_thread *t;
    unsigned int l;

    if (!rq->mask) {
        return NULL;
    }
    l = 31u - (unsigned int)__builtin_clz(rq->mask);
    t = rq->q[l].head;
    rq->q[l].head = t->next;
    if (!t->next) {
        rq->q[l].tail = NULL;
        rq->mask &= ~(1u << l);
    }
    counted_out(rq, t);
    return t;
}

/*
 * An unbound thread whose context is saved, highest level first, taken off
 * the queue. When there is none, the queue's stealable hint is set right.
 */
static struct kite_thread *take_unbound(struct runq *rq)
{
    unsigned int flagged = 0;

    for (int l = NLEVELS - 1; l >= 0; l--) {
        struct kite_thread *prev = NULL;

        for (struct kite_thread *t = rq->q[l].head; t; prev = t, t = t->next) {
            if (t->bind == NO_CPU && !__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE)) {
                unlink_at(rq, l, prev, t);
                return t;
            }
            flagged += t->stealable;
        }
    }
    rq->stealable = flagged;
    return NULL;
}

/* ---------------------------------------------------------------- timer and quantum */

/*
 * Arm this CPU's timer for what is due next: its first timer, and the end
 * of the quantum when a thread of at least the current level waits (at
 * once when a higher one does); nothing at all when neither. A quantum,
 * once started, is kept while threads of one level hand the CPU to each
 * other (schedule() does not even call this then), so a yield does not
 * re-program the timer. rq->lock held, interrupts off.
 */
static KITE_ALWAYS_INLINE void retimer(struct runq *rq)
{
    uint64_t when = kite_timer_first[arch_cpu_id()], now = 0;

    if (rq->cur_level < 0 || !(rq->mask >> rq->cur_level)) {
        rq->slice_end = 0; /* idle, or nothing to share the CPU with */
    } else if (rq->resched) {
        when = 0; /* at once */
    } else if (!rq->slice_end) {
        now = kite_time_ns();
        rq->slice_end = now + quantum_ns;
    }
    if (rq->slice_end && rq->slice_end < when) {
        when = rq->slice_end;
    }
    if (when == rq->armed) {
        return;
    }
    rq->armed = when;
    if (when == KITE_FOREVER) {
        arch_timer_disarm();
    } else {
        arch_timer_arm(when, now);
    }
}

void kite_sched_retimer(unsigned int cpu)
{
    if (cpu == arch_cpu_id()) {
        struct runq *rq = &rqs[cpu];
        unsigned long flags = kite_spin_lock_irqsave(&rq->lock);

        retimer(rq);
        kite_spin_unlock_irqrestore(&rq->lock, flags);
    } else {
        arch_smp_kick(cpu);
    }
}

/* ---------------------------------------------------------------- switching */

static void recycle(struct kite_thread *t)
{
    int node = kite_numa_node_of_cpu(t->cpu);
    unsigned long flags = kite_spin_lock_irqsave(&free_lock);

    t->next = free_threads[node < 0 ? 0 : node];
    free_threads[node < 0 ? 0 : node] = t;
    kite_spin_unlock_irqrestore(&free_lock, flags);
}

/* In the thread just switched to: settle the one switched away from, now that its context is saved.
 */
static KITE_ALWAYS_INLINE void finish_switch(struct kite_thread *prev)
{
    struct kite_thread *joiner;
    int state;

    if (!prev) {
        return;
    }
    state = prev->state;
    __atomic_store_n(&prev->on_cpu, false, __ATOMIC_RELEASE);
    if (state == MIGRATING) {
        kite_sched_wake(prev); /* on the CPU it is bound to, now that it may run there */
        return;
    }
    if (state != EXITING) {
        return;
    }
    kite_spin_lock(&prev->lock);
    prev->state = DEAD;
    joiner = prev->joiner;
    kite_spin_unlock(&prev->lock);
    if (prev->detached) {
        recycle(prev);
    } else if (joiner) {
        kite_sched_wake(joiner);
    }
}

/*
 * An ending thread whose joiner waits on this CPU: queue the joiner now, so
 * the switch goes straight to it rather than through the idle thread. It
 * cannot run before this thread is off its stack (only this CPU runs it),
 * and the finish_switch it runs first marks this thread dead. rq->lock held.
 */
static void wake_local_joiner(struct runq *rq, struct kite_thread *prev)
{
    struct kite_thread *j;

    kite_spin_lock(&prev->lock);
    j = prev->joiner;
    if (j && j->state == BLOCKED && j->cpu == prev->cpu && !j->moving &&
        (j->bind == NO_CPU || (unsigned int)j->bind == prev->cpu)) {
        prev->joiner = NULL; /* finish_switch must not wake it again */
        j->state = RUNNABLE;
        enqueue(rq, j);
    }
    kite_spin_unlock(&prev->lock);
}

/* Switch to the best runnable thread of this CPU (or its idle thread). Interrupts are off. */
static void schedule(void)
{
    struct runq *rq = this_rq();
    struct kite_thread *prev = rq->current, *next;

    kite_spin_lock(&rq->lock);
    if (prev->state != RUNNING || prev == rq->idle) {
        if (prev->state == EXITING && !prev->detached) {
            wake_local_joiner(rq, prev);
        }
        next = dequeue(rq); /* it blocked or ended, or the CPU was idle */
    } else if (prev->moving) {
        prev->moving = false;
        prev->state = MIGRATING; /* finish_switch hands it over */
        next = dequeue(rq);
    } else {
        uint32_t waiting = rq->mask >> prev->level; /* bit 0: its own level; above: higher */

        if (!waiting) {
            kite_spin_unlock(&rq->lock); /* nothing of its level or above waits: go on */
            return;
        }
        prev->state = RUNNABLE;
        if (waiting == 1) {
            /* Hand over within the level: its first thread runs, prev goes last. */
            int l = prev->level;

            next = rq->q[l].head;
            rq->q[l].head = next->next;
            prev->next = NULL;
            if (rq->q[l].head) {
                rq->q[l].tail->next = prev;
            } else {
                rq->q[l].head = prev;
            }
            rq->q[l].tail = prev;
        } else {
            enqueue(rq, prev);
            next = dequeue(rq);
        }
    }
    if (!next) {
        next = rq->idle;
    }
    if (next->level != prev->level) {
        rq->resched = false; /* the higher level it asked for runs now */
    }
    next->state = RUNNING;
    rq->current = next;
    rq->cur_level = next->level; /* -1 for the idle thread */
    if (next != prev) {
        next->on_cpu = true;
        rq->switches++;
    }
    /*
     * The timer depends on the current level and on competition for it. A
     * hand-over between threads of one level while a quantum runs, the
     * one before staying runnable, changes neither (timers re-arm
     * themselves when they change): skip it then.
     */
    if (!rq->slice_end || prev->level != next->level || prev->state != RUNNABLE) {
        retimer(rq);
    }
    kite_spin_unlock(&rq->lock);
    if (next == prev) {
        return;
    }
    if (next->fs_base != prev->fs_base) {
        arch_set_fs_base(next->fs_base);
    }
    finish_switch(arch_switch(&prev->rsp, next->rsp, prev));
}

/*
 * Kick a halted CPU, nearest to @cpu first, so it comes to steal. One that
 * was asked already and has not looked yet is passed over: it is on its
 * way, and a burst of wake-ups (a loop creating threads) then gets up one
 * halted CPU per thread rather than asking the nearest one again and again.
 */
static void kick_stealer(unsigned int cpu)
{
    unsigned int cpus[CONFIG_NR_CPUS];
    int node;

    for (unsigned int i = 0; (node = kite_numa_fallback(cpu, i)) >= 0; i++) {
        unsigned int n = kite_numa_node_cpus(node, cpus, CONFIG_NR_CPUS);

        n = KITE_MIN(n, (unsigned int)CONFIG_NR_CPUS);
        for (unsigned int j = 0; j < n; j++) {
            struct runq *rq = &rqs[cpus[j]];

            if (cpus[j] != cpu && cpu_usable((int)cpus[j]) &&
                __atomic_load_n(&rq->halted, __ATOMIC_SEQ_CST) &&
                !__atomic_exchange_n(&rq->steal_asked, true, __ATOMIC_ACQ_REL)) {
                arch_smp_kick(cpus[j]);
                return;
            }
        }
    }
}

void kite_sched_wake(struct kite_thread *t)
{
    unsigned long flags = arch_irq_save();
    unsigned int cpu = t->cpu, self = arch_cpu_id();
    struct runq *rq;
    bool kick = false, steal = false;

    /* A thread bound elsewhere goes there, once its context is saved (else finish_switch moves it).
     */
    if (t->bind != NO_CPU && !__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE)) {
        cpu = (unsigned int)t->bind;
        t->moving = false;
    }
    rq = &rqs[cpu];
    kite_spin_lock(&rq->lock);
    t->cpu = cpu;
    t->state = RUNNABLE;
    enqueue(rq, t);
    if (rq->current != rq->idle) {
        if (t->level > rq->cur_level) {
            rq->resched = true;
            kick = true;
        } else if (t->level == rq->cur_level && !rq->slice_end) {
            kick = true; /* it ran alone: a quantum must start */
        }
        steal = t->bind == NO_CPU && __atomic_load_n(&nr_halted, __ATOMIC_RELAXED);
    }
    if (cpu == self) {
        if (kick) {
            retimer(rq);
        }
        kick = false;
    }
    kite_spin_unlock(&rq->lock);
    /* Pairs with the idle loop's halted store and queue check: one of the two sees the other. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (cpu != self && (kick || __atomic_load_n(&rq->halted, __ATOMIC_RELAXED))) {
        arch_smp_kick(cpu);
    } else if (steal) {
        kick_stealer(cpu);
    }
    arch_irq_restore(flags);
}

void kite_sched_prepare_block(void)
{
    kite_thread_self()->state = BLOCKED;
}

void kite_sched_block(void)
{
    schedule();
}

/* Switch on a tick or IPI, on the interrupted thread's stack, keeping its x87/SSE state. */
static void preempt(void)
{
    uint8_t fpu[512] KITE_ALIGNED(16);

    arch_fpu_save(fpu);
    schedule();
    arch_fpu_restore(fpu);
}

/* The timer interrupt: due timers, then the end of a quantum or a waiting higher priority. */
static void tick(struct arch_regs *regs, void *ctx)
{
    struct runq *rq = this_rq();
    bool can = arch_preemptible(), want, expired;
    uint64_t now;

    (void)regs;
    (void)ctx;
    arch_irq_eoi();
    now = kite_time_ns();
    kite_timer_run_due(now);
    kite_spin_lock(&rq->lock);
    rq->armed = KITE_FOREVER; /* a one-shot timer that fired is no longer armed */
    expired = rq->slice_end && now >= rq->slice_end;
    if (expired) {
        rq->slice_end = 0; /* a new one starts if there is competition */
    }
    want = rq->current != rq->idle &&
           (rq->resched || (expired && rq->cur_level >= 0 && rq->mask >> rq->cur_level));
    if (want && can) {
        kite_spin_unlock(&rq->lock);
        /*
         * Threads wait here while CPUs halt: ask the nearest halted one to
         * steal, every quantum, not only when a thread is woken (the wakes
         * may all have come before the first stealer got up), when any of
         * them could go.
         */
        if (__atomic_load_n(&nr_halted, __ATOMIC_RELAXED)) {
            kick_stealer(arch_cpu_id());
        }
        preempt();
        return;
    }
    if (want) {
        /* A spinlock is held: try again shortly rather than switch under it. */
        rq->slice_end = now + quantum_ns / 8;
        rq->armed = rq->slice_end;
        arch_timer_arm(rq->armed, now);
    } else {
        retimer(rq);
    }
    kite_spin_unlock(&rq->lock);
}

/* The wake-up IPI: a halted CPU just wakes up; a busy one re-checks its queue and its timer. */
static void wakeup_ipi(struct arch_regs *regs, void *ctx)
{
    struct runq *rq = this_rq();
    bool can = arch_preemptible();

    (void)regs;
    (void)ctx;
    arch_irq_eoi();
    kite_spin_lock(&rq->lock);
    if (rq->current != rq->idle && rq->resched && can) {
        kite_spin_unlock(&rq->lock);
        preempt();
        return;
    }
    retimer(rq);
    kite_spin_unlock(&rq->lock);
}

/* ---------------------------------------------------------------- thread API */

void kite_thread_yield(void)
{
    unsigned long flags = arch_irq_save();

    schedule();
    arch_irq_restore(flags);
}

/*
 * Park and unpark: a permit per thread, no lock. park consumes a permit that
 * unpark left, or blocks until unpark gives one; a recycled thread may start
 * with its predecessor's permit, so park may return early (callers re-check
 * what they wait for, in a loop).
 */
void kite_thread_park(void)
{
    struct kite_thread *self = kite_thread_self();
    int expect = PARK_NOTIFIED;
    unsigned long flags;

    if (__atomic_compare_exchange_n(&self->park, &expect, PARK_EMPTY, false, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED)) {
        return;
    }
    flags = arch_irq_save();
    kite_sched_prepare_block();
    expect = PARK_EMPTY;
    if (__atomic_compare_exchange_n(&self->park, &expect, PARK_WAITING, false, __ATOMIC_SEQ_CST,
                                    __ATOMIC_ACQUIRE)) {
        kite_sched_block(); /* until unpark's kite_sched_wake (or at once, if it came first) */
    } else {
        self->state = RUNNING; /* a permit came meanwhile: no waker saw the block */
    }
    __atomic_store_n(&self->park, PARK_EMPTY, __ATOMIC_RELEASE);
    arch_irq_restore(flags);
}

void kite_thread_unpark(struct kite_thread *t)
{
    if (__atomic_exchange_n(&t->park, PARK_NOTIFIED, __ATOMIC_SEQ_CST) == PARK_WAITING) {
        kite_sched_wake(t);
    }
}

void kite_thread_exit(void *ret)
{
    struct kite_thread *self = kite_thread_self();

    arch_irq_disable();
    self->ret = ret;
    self->state = EXITING;
    schedule();
    kite_panic("sched: exited thread %s ran again", self->name);
}

static void thread_main(void *arg, void *from)
{
    struct kite_thread *t = arg;

    finish_switch(from);
    arch_irq_enable();
    kite_thread_exit(t->fn(t->arg));
}

/* The least loaded online CPU of the caller's node (else of any node). */
static int pick_cpu(void)
{
    int home = kite_numa_node_of_cpu(arch_cpu_id());
    int best = -1;
    unsigned int best_load = 0;

    for (unsigned int pass = 0; pass < 2 && best < 0; pass++) {
        for (unsigned int cpu = 0; cpu < arch_cpus_online() && cpu < CONFIG_NR_CPUS; cpu++) {
            const struct runq *rq = &rqs[cpu];
            unsigned int load;

            if ((pass == 0 && kite_numa_node_of_cpu(cpu) != home) || !cpu_usable((int)cpu)) {
                continue;
            }
            load = KITE_READ_ONCE(rq->len) + (KITE_READ_ONCE(rq->current) != rq->idle);
            if (best < 0 || load < best_load) {
                best = (int)cpu;
                best_load = load;
            }
        }
    }
    return best < 0 ? (int)arch_cpu_id() : best;
}

/* Set up @t's __thread block below its struct; returns the top of the stack it leaves. */
static uintptr_t tls_init(struct kite_thread *t)
{
    uintptr_t low;

    t->fs_base = arch_tls_setup((uintptr_t)t, &low);
    return low & ~(uintptr_t)15;
}

/* Names are short: one pass, no strlen first (this is on the create path). */
static void copy_name(char *dst, const char *src)
{
    unsigned int i;

    for (i = 0; i < KITE_THREAD_NAME_MAX - 1 && src[i]; i++) {
        dst[i] = src[i];
    }
    dst[i] = '\0';
}

/* A thread struct with a stack of @size on @node: a recycled one, or new. */
static struct kite_thread *thread_alloc(size_t size, int node)
{
    struct kite_thread **pp, *t = NULL;
    struct kite_stack *stack;
    unsigned long flags = kite_spin_lock_irqsave(&free_lock);

    for (pp = &free_threads[node]; *pp; pp = &(*pp)->next) {
        if ((*pp)->stack->size == size) {
            t = *pp;
            *pp = t->next;
            break;
        }
    }
    kite_spin_unlock_irqrestore(&free_lock, flags);
    if (t) {
        return t;
    }
    stack = kite_stack_alloc(size, node, "thread");
    if (!stack) {
        return NULL;
    }
    /* The struct sits at the top of its own stack. */
    t = (struct kite_thread *)((stack->top - sizeof(*t)) & ~(uintptr_t)63);
    memset(t, 0, sizeof(*t));
    t->stack = stack;
    return t;
}

int kite_thread_create(struct kite_thread **out, kite_thread_fn fn, void *arg,
                       const struct kite_thread_attr *attr)
{
    struct kite_thread_attr def = {.cpu = KITE_CPU_ANY};
    struct kite_thread *t;
    struct kite_stack *stack;
    size_t size;
    int cpu, node;

    if (!attr) {
        attr = &def;
    }
    cpu = attr->cpu == KITE_CPU_ANY ? pick_cpu() : attr->cpu;
    if (!cpu_usable(cpu)) {
        return -KITE_ENODEV;
    }
    size = attr->stack_size ? KITE_ALIGN_UP(attr->stack_size, KITE_PAGE_SIZE)
                            : KITE_THREAD_STACK_DEFAULT;
    if (size < 2 * KITE_PAGE_SIZE || size > KITE_STACK_MAX_SIZE || !fn ||
        attr->prio < KITE_PRIO_MIN || attr->prio > KITE_PRIO_MAX) {
        return -KITE_EINVAL;
    }
    node = kite_numa_node_of_cpu((unsigned int)cpu);
    t = thread_alloc(size, node < 0 ? 0 : node);
    if (!t) {
        return -KITE_ENOMEM;
    }
    stack = t->stack;
    t->fn = fn;
    t->arg = arg;
    t->ret = NULL;
    t->cpu = (unsigned int)cpu;
    t->bind = attr->cpu == KITE_CPU_ANY ? NO_CPU : cpu;
    t->level = attr->prio - KITE_PRIO_MIN;
    t->on_cpu = false;
    t->moving = false;
    t->detached = attr->detached;
    t->joiner = NULL;
    t->lock = (struct kite_spinlock)KITE_SPINLOCK_INIT;
    copy_name(t->name, attr->name ? attr->name : "thread");
    stack->name = t->name;
    t->rsp = arch_thread_stack_init(tls_init(t), thread_main, t);
    if (out) {
        *out = attr->detached ? NULL : t;
    }
    kite_sched_wake(t);
    return 0;
}

int kite_thread_join(struct kite_thread *t, void **ret)
{
    struct kite_thread *self = kite_thread_self();
    unsigned long flags;

    if (!t || t == self || t->detached) {
        return -KITE_EINVAL;
    }
    flags = arch_irq_save();
    kite_spin_lock(&t->lock);
    if (t->state != DEAD) {
        t->joiner = self;
        kite_sched_prepare_block();
        kite_spin_unlock(&t->lock);
        kite_sched_block();
    } else {
        kite_spin_unlock(&t->lock);
    }
    arch_irq_restore(flags);
    if (ret) {
        *ret = t->ret;
    }
    recycle(t);
    return 0;
}

/* Take @t off @rq's queue (lock held) when it waits there; false when it does not. */
static bool unqueue(struct runq *rq, struct kite_thread *t)
{
    struct kite_thread *prev = NULL;
    int l = t->level;

    for (struct kite_thread *p = rq->q[l].head; p; prev = p, p = p->next) {
        if (p == t) {
            unlink_at(rq, l, prev, t);
            return true;
        }
    }
    return false;
}

int kite_thread_move(struct kite_thread *t, int cpu)
{
    struct runq *rq;
    unsigned long flags;
    bool queued;

    if (!t || t == rqs[t->cpu].idle || t == &boot_thread) {
        return -KITE_EINVAL;
    }
    if (cpu != KITE_CPU_ANY && !cpu_usable(cpu)) {
        return -KITE_ENODEV;
    }
    __atomic_store_n(&t->bind, cpu == KITE_CPU_ANY ? NO_CPU : cpu, __ATOMIC_RELEASE);
    if (cpu == KITE_CPU_ANY) {
        return 0;
    }
    if (t == kite_thread_self()) {
        if ((unsigned int)cpu != arch_cpu_id()) {
            t->moving = true;
            kite_thread_yield(); /* schedule() hands it over; it returns on @cpu */
        }
        return 0;
    }
    /* Waiting in a run queue: send it over now. Running or blocked: at its next switch or wake. */
    rq = &rqs[t->cpu];
    flags = kite_spin_lock_irqsave(&rq->lock);
    queued = t->state == RUNNABLE && t->cpu == (unsigned int)(rq - rqs) &&
             (unsigned int)cpu != t->cpu && !__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE) &&
             unqueue(rq, t);
    if (!queued && (unsigned int)cpu != t->cpu) {
        t->moving = true; /* running (or about to): its next switch hands it over */
    }
    kite_spin_unlock(&rq->lock);
    if (queued) {
        kite_sched_wake(t);
    }
    arch_irq_restore(flags);
    return 0;
}

int kite_thread_set_prio(int prio)
{
    struct kite_thread *self = kite_thread_self();
    unsigned long flags;

    if (prio < KITE_PRIO_MIN || prio > KITE_PRIO_MAX || self == this_rq()->idle) {
        return -KITE_EINVAL;
    }
    flags = arch_irq_save();
    self->level = prio - KITE_PRIO_MIN;
    schedule(); /* a higher level may be waiting now */
    arch_irq_restore(flags);
    return 0;
}

/* ---------------------------------------------------------------- idle and start-up */

/* From the CPUs nearest to this one first: an unbound thread waiting in another CPU's queue. */
/*
 * The queues' stealable counts are hints: a hand-over within a level (the
 * yield fast path) swaps a queued thread for the running one without
 * counting, so a count can be off until a full look at that queue resets
 * it. An idle CPU trusts the hints on its way to halt (a queue holding
 * only a bound thread, just woken there, then costs one load); a CPU that
 * kick_stealer woke (a tick or a wake-up saw threads wait while CPUs halt)
 * looks at every non-empty queue whatever they say.
 */
static struct kite_thread *steal(void)
{
    unsigned int self = arch_cpu_id(), cpus[CONFIG_NR_CPUS], online = arch_cpus_online();
    bool asked = __atomic_exchange_n(&rqs[self].steal_asked, false, __ATOMIC_ACQ_REL);
    bool any = asked;
    int node;

    for (unsigned int c = 0; c < online && c < CONFIG_NR_CPUS && !any; c++) {
        any = c != self && KITE_READ_ONCE(rqs[c].stealable);
    }
    if (!any) {
        return NULL;
    }
    for (unsigned int i = 0; (node = kite_numa_fallback(self, i)) >= 0; i++) {
        unsigned int n = kite_numa_node_cpus(node, cpus, CONFIG_NR_CPUS);

        n = KITE_MIN(n, (unsigned int)CONFIG_NR_CPUS);
        for (unsigned int j = 0; j < n; j++) {
            struct runq *rq = &rqs[cpus[j]];
            struct kite_thread *t;

            if (cpus[j] == self || !cpu_usable((int)cpus[j]) ||
                !(asked ? KITE_READ_ONCE(rq->len) : KITE_READ_ONCE(rq->stealable))) {
                continue;
            }
            kite_spin_lock(&rq->lock);
            t = take_unbound(rq);
            kite_spin_unlock(&rq->lock);
            if (t) {
                return t;
            }
        }
    }
    return NULL;
}

/* This CPU's idle thread: run what is queued, else arch_smp_call work, else steal, else halt. */
static KITE_NORETURN void idle_loop(void)
{
    struct runq *rq = this_rq();
    struct kite_thread *t;

    for (;;) {
        arch_irq_disable();
        if (KITE_READ_ONCE(rq->mask)) {
            schedule();
        } else if (arch_smp_poll()) {
            continue;
        } else if ((t = steal()) != NULL) {
            kite_spin_lock(&rq->lock);
            t->cpu = arch_cpu_id();
            enqueue(rq, t);
            kite_spin_unlock(&rq->lock);
            schedule();
        } else {
            __atomic_store_n(&rq->halted, true, __ATOMIC_SEQ_CST);
            __atomic_fetch_add(&nr_halted, 1, __ATOMIC_RELAXED);
            if (!KITE_READ_ONCE(rq->mask)) {
                arch_idle_halt(); /* returns with interrupts on; the loop turns them off */
            }
            __atomic_fetch_sub(&nr_halted, 1, __ATOMIC_RELAXED);
            __atomic_store_n(&rq->halted, false, __ATOMIC_RELAXED);
        }
    }
}

static void idle_main(void *arg, void *from)
{
    (void)arg;
    finish_switch(from);
    idle_loop();
}

/* A __thread block for a thread whose stack Kite did not allocate (boot, started CPUs' idle). */
static void tls_alloc(struct kite_thread *t)
{
    size_t size = arch_tls_area_size();
    uint8_t *area;
    uintptr_t low;

    if (!size) {
        return;
    }
    area = kite_aligned_alloc(64, size);
    if (!area) {
        kite_panic("sched: no memory for the __thread block of %s", t->name);
    }
    t->fs_base = arch_tls_setup((uintptr_t)(area + size), &low);
}

static void rq_init(struct runq *rq)
{
    rq->lock = (struct kite_spinlock)KITE_SPINLOCK_INIT;
    rq->armed = KITE_FOREVER;
    rq->cur_level = -1;
}

void kite_sched_init(void)
{
    struct runq *rq = &rqs[0];
    struct kite_thread *idle = thread_alloc(KITE_THREAD_STACK_DEFAULT, 0);

    if (param_quantum < 100 || param_quantum > 1000000) {
        kite_pr_warn("kite.quantum=%lu is out of range (100..1000000 microseconds); using %u\n",
                     param_quantum, CONFIG_SCHED_QUANTUM_US);
        param_quantum = CONFIG_SCHED_QUANTUM_US;
    }
    quantum_ns = param_quantum * KITE_NSEC_PER_USEC;
    if (!idle) {
        kite_panic("sched: no memory for the boot CPU's idle thread");
    }
    strlcpy(boot_thread.name, "boot", sizeof(boot_thread.name));
    boot_thread.state = RUNNING;
    boot_thread.on_cpu = true;
    boot_thread.bind = 0;
    boot_thread.level = -KITE_PRIO_MIN;
    boot_thread.lock = (struct kite_spinlock)KITE_SPINLOCK_INIT;
    tls_alloc(&boot_thread);
    arch_set_fs_base(boot_thread.fs_base);
    strlcpy(idle->name, "idle0", sizeof(idle->name));
    idle->stack->name = idle->name;
    idle->bind = 0;
    idle->level = -1;
    idle->rsp = arch_thread_stack_init(tls_init(idle), idle_main, NULL);
    idle->state = RUNNABLE;
    rq_init(rq);
    rq->current = &boot_thread;
    rq->cur_level = boot_thread.level;
    rq->idle = idle;

    if (arch_irq_set_handler(ARCH_VECTOR_TIMER, tick, NULL) ||
        arch_irq_set_handler(ARCH_VECTOR_WAKEUP, wakeup_ipi, NULL)) {
        kite_panic("sched: the timer and wake-up vectors are taken");
    }
    kite_timer_cpu_init(0);
    arch_timer_init_cpu();
    kite_pr_info(
        "threads: %u KiB stacks with guard pages, %zu-byte __thread blocks, quantum %lu us, "
        "%s timer, tickless\n",
        KITE_THREAD_STACK_DEFAULT >> 10, arch_tls_area_size(), param_quantum, arch_timer_kind());
}

/* A started CPU's run queue, with its first context as the idle thread; before it counts as online.
 */
void kite_sched_cpu_init(void)
{
    unsigned int cpu = arch_cpu_id();
    struct runq *rq = &rqs[cpu];
    struct kite_thread *idle = kite_malloc(sizeof(*idle));

    if (!idle) {
        kite_panic("sched: no memory for CPU %u's idle thread", cpu);
    }
    memset(idle, 0, sizeof(*idle));
    kite_snprintf(idle->name, sizeof(idle->name), "idle%u", cpu);
    idle->cpu = cpu;
    idle->bind = (int)cpu;
    idle->level = -1;
    idle->state = RUNNING;
    idle->on_cpu = true;
    tls_alloc(idle);
    arch_set_fs_base(idle->fs_base);
    rq_init(rq);
    rq->current = idle;
    kite_timer_cpu_init(cpu);
    arch_timer_init_cpu();
    __atomic_store_n(&rq->idle, idle, __ATOMIC_RELEASE);
}

void kite_sched_idle(void)
{
    idle_loop();
}
