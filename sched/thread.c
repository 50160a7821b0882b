/* SPDX-License-Identifier: MIT */
/*
 * Threads and the per-CPU run queues (see <kite/thread.h>).
 *
 * Each CPU has a run queue of runnable threads, its current thread and an
 * idle thread; only the CPU itself takes threads off its queue, and other
 * CPUs only add to it (creating a thread there, or waking one), sending a
 * wake-up IPI when the CPU is idle. A thread's struct sits at the top of its
 * own guarded stack, so a thread costs the heap nothing; stacks of dead
 * threads are kept per node and reused, never unmapped, so no other CPU can
 * hold a stale translation of a reused stack. A thread is marked dead only
 * once its CPU has switched away from its stack, so a joiner on another CPU
 * can never free a stack still in use. Switching is cooperative for now:
 * yield, join and exit; preemption comes with timers.
 */
#define KITE_LOG_PREFIX "sched: "

#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/mm.h>
#include <kite/numa.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/spinlock.h>
#include <kite/stack.h>
#include <kite/string.h>
#include <kite/thread.h>

enum state { RUNNABLE, RUNNING, BLOCKED, EXITING, DEAD };

struct kite_thread {
    uint64_t rsp; /* saved while not running */
    struct kite_stack *stack;
    kite_thread_fn fn;
    void *arg, *ret;
    volatile int state; /* changes under lock */
    unsigned int cpu;
    bool detached;
    struct kite_thread *next;   /* run queue or free list */
    struct kite_thread *joiner; /* under lock */
    struct kite_spinlock lock;
    char name[KITE_THREAD_NAME_MAX];
};

struct runq {
    struct kite_spinlock lock; /* guards head, tail, len */
    struct kite_thread *head, *tail;
    unsigned int len;
    struct kite_thread *current; /* only this CPU writes these three */
    struct kite_thread *idle;
    struct kite_thread *prev; /* the thread just switched away from, for finish_switch */
} KITE_ALIGNED(64);

static struct runq rqs[CONFIG_NR_CPUS];
static struct kite_thread boot_thread;

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

static void enqueue(struct runq *rq, struct kite_thread *t)
{
    t->next = NULL;
    if (rq->tail) {
        rq->tail->next = t;
    } else {
        rq->head = t;
    }
    rq->tail = t;
    rq->len++;
}

static struct kite_thread *dequeue(struct runq *rq)
{
    struct kite_thread *t = rq->head;

    if (t) {
        rq->head = t->next;
        if (!rq->head) {
            rq->tail = NULL;
        }
        rq->len--;
    }
    return t;
}

/* Make @t runnable on its CPU; wake that CPU when it idles. */
static void wake(struct kite_thread *t)
{
    struct runq *rq = &rqs[t->cpu];
    unsigned long flags = kite_spin_lock_irqsave(&rq->lock);
    bool idle = rq->current == rq->idle;

    t->state = RUNNABLE;
    enqueue(rq, t);
    kite_spin_unlock_irqrestore(&rq->lock, flags);
    if (idle && t->cpu != arch_cpu_id()) {
        arch_smp_kick(t->cpu);
    }
}

static void recycle(struct kite_thread *t)
{
    int node = kite_numa_node_of_cpu(t->cpu);
    unsigned long flags = kite_spin_lock_irqsave(&free_lock);

    t->next = free_threads[node < 0 ? 0 : node];
    free_threads[node < 0 ? 0 : node] = t;
    kite_spin_unlock_irqrestore(&free_lock, flags);
}

/* In the thread just switched to: settle the one switched away from. */
static void finish_switch(void)
{
    struct runq *rq = this_rq();
    struct kite_thread *prev = rq->prev, *joiner;

    rq->prev = NULL;
    if (!prev || prev->state != EXITING) {
        return;
    }
    kite_spin_lock(&prev->lock);
    prev->state = DEAD;
    joiner = prev->joiner;
    kite_spin_unlock(&prev->lock);
    if (prev->detached) {
        recycle(prev);
    } else if (joiner) {
        wake(joiner);
    }
}

/* Switch to the next runnable thread of this CPU (or its idle thread). Interrupts are off. */
static void schedule(void)
{
    struct runq *rq = this_rq();
    struct kite_thread *prev = rq->current, *next;

    kite_spin_lock(&rq->lock);
    if (prev->state == RUNNING && prev != rq->idle) {
        prev->state = RUNNABLE;
        enqueue(rq, prev);
    }
    next = dequeue(rq);
    kite_spin_unlock(&rq->lock);
    if (!next) {
        next = rq->idle;
    }
    next->state = RUNNING;
    if (next == prev) {
        return;
    }
    rq->current = next;
    rq->prev = prev;
    arch_switch(&prev->rsp, next->rsp);
    finish_switch();
}

void kite_thread_yield(void)
{
    unsigned long flags = arch_irq_save();

    schedule();
    arch_irq_restore(flags);
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

static void thread_main(void *arg)
{
    struct kite_thread *t = arg;

    finish_switch();
    arch_irq_enable();
    kite_thread_exit(t->fn(t->arg));
}

/* The least loaded online CPU of the caller's node (else of any node). */
static int pick_cpu(void)
{
    int home = kite_numa_node_of_cpu(arch_cpu_id());
    int best = -1;

    for (unsigned int pass = 0; pass < 2 && best < 0; pass++) {
        for (unsigned int cpu = 0; cpu < arch_cpus_online(); cpu++) {
            if ((pass == 0 && kite_numa_node_of_cpu(cpu) != home) || !rqs[cpu].idle) {
                continue;
            }
            if (best < 0 || rqs[cpu].len < rqs[best].len) {
                best = (int)cpu;
            }
        }
    }
    return best < 0 ? (int)arch_cpu_id() : best;
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
    if (cpu < 0 || (unsigned int)cpu >= arch_cpus_online() || !rqs[cpu].idle) {
        return -KITE_ENODEV;
    }
    size = attr->stack_size ? KITE_ALIGN_UP(attr->stack_size, KITE_PAGE_SIZE)
                            : KITE_THREAD_STACK_DEFAULT;
    if (size < 2 * KITE_PAGE_SIZE || size > KITE_STACK_MAX_SIZE) {
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
    t->detached = attr->detached;
    t->joiner = NULL;
    t->lock = (struct kite_spinlock)KITE_SPINLOCK_INIT;
    strlcpy(t->name, attr->name ? attr->name : "thread", sizeof(t->name));
    stack->name = t->name;
    t->rsp = arch_thread_stack_init((uintptr_t)t & ~(uintptr_t)15, thread_main, t);
    if (out) {
        *out = attr->detached ? NULL : t;
    }
    wake(t);
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
        self->state = BLOCKED;
        kite_spin_unlock(&t->lock);
        schedule();
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

/* This CPU's idle thread: run what is queued, else what arch_smp_call brought, else halt. */
static KITE_NORETURN void idle_loop(void)
{
    struct runq *rq = this_rq();

    for (;;) {
        arch_irq_disable();
        if (KITE_READ_ONCE(rq->head)) {
            schedule();
        } else if (!arch_smp_poll()) {
            arch_idle_halt();
        }
    }
}

static void idle_main(void *arg)
{
    (void)arg;
    finish_switch();
    idle_loop();
}

void kite_sched_init(void)
{
    struct runq *rq = &rqs[0];
    struct kite_thread *idle = thread_alloc(KITE_THREAD_STACK_DEFAULT, 0);

    if (!idle) {
        kite_panic("sched: no memory for the boot CPU's idle thread");
    }
    strlcpy(boot_thread.name, "boot", sizeof(boot_thread.name));
    boot_thread.state = RUNNING;
    boot_thread.lock = (struct kite_spinlock)KITE_SPINLOCK_INIT;
    strlcpy(idle->name, "idle0", sizeof(idle->name));
    idle->stack->name = idle->name;
    idle->rsp = arch_thread_stack_init((uintptr_t)idle & ~(uintptr_t)15, idle_main, NULL);
    idle->state = RUNNABLE;
    rq->lock = (struct kite_spinlock)KITE_SPINLOCK_INIT;
    rq->current = &boot_thread;
    rq->idle = idle;
    kite_pr_info("threads: %u KiB stacks with guard pages, reused when threads end\n",
                 KITE_THREAD_STACK_DEFAULT >> 10);
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
    idle->state = RUNNING;
    rq->lock = (struct kite_spinlock)KITE_SPINLOCK_INIT;
    rq->current = idle;
    __atomic_store_n(&rq->idle, idle, __ATOMIC_RELEASE);
}

void kite_sched_idle(void)
{
    idle_loop();
}
