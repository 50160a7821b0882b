/* SPDX-License-Identifier: MIT */
/*
 * The work-stealing task runtime (include/kite/task.h, docs/tasks.md).
 *
 * Places: one per worker (CPU), plus a few guest places for threads that
 * are not workers (kite_main, a test, a pthread) and spawn: a guest place
 * lends such a thread a deque, so it takes part like a worker while it
 * syncs. A place records its owning thread: a worker is found through its
 * CPU, a guest by looking at the few guest places. (No __thread variables:
 * the runtime must not change the layout of every thread's TLS block.)
 *
 * Sleeping without lost wake-ups. A sleeper is a state word and a
 * semaphore. A worker's is in its place; another thread borrows one from a
 * pool for each sync that has to block. Sleepers are never freed: the task
 * that finishes a group may still be waking the syncer's sleeper after the
 * syncer has left (even exited), and that late wake must land on a
 * sleeper, where it is at worst a spurious wake-up, not on freed memory.
 * To block, a thread sets SLEEPY, then looks once more for a reason not to
 * (work in some deque, its group finished); a waker turns SLEEPY into
 * NOTIFIED with a compare-and-swap and only then ups the semaphore, so each
 * unit is consumed exactly once. Both sides are Dekker-style: the spawner
 * stores bottom, fences, then reads the count of sleeping workers; a
 * worker counts itself, fences, then reads every deque. With sequentially
 * consistent fences on both sides at least one of them sees the other.
 *
 * Groups: pending counts the unfinished tasks plus one held by the syncing
 * thread until it starts waiting, so the task that brings it to zero is
 * known and is the only one to touch the group afterwards: it swaps the
 * GROUP_DONE marker into waiter, wakes whoever was there, and never looks
 * at the group again. The syncer leaves only once it sees GROUP_DONE, so
 * a group on the syncer's stack is never written after it is gone.
 */
#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/mm.h>
#include <kite/numa.h>
#include <kite/printk.h>
#include <kite/shell.h>
#include <kite/spinlock.h>
#include <kite/string.h>
#include <kite/sync.h>
#include <kite/task.h>
#include <kite/thread.h>

#include "deque.h"

#define KITE_LOG_PREFIX_TASK "task: "

#define GUESTS       4            /* threads that are not workers spawning at once */
#define SPIN_ROUNDS  128          /* fruitless steal rounds before blocking */
#define WORKER_STACK (256u << 10) /* deep recursion runs on workers */

#define GROUP_DONE ((void *)1)

enum { AWAKE, SLEEPY, NOTIFIED };

struct sleeper {
    int state;
    bool counted; /* a worker: counted in nsleepers while SLEEPY */
    struct kite_sem sem;
    struct sleeper *next; /* in the pool */
};

struct place {
    struct task_deque dq;      /* first: page-aligned, so its cache-line padding holds */
    struct sleeper sl;         /* a worker's */
    int cpu;                   /* -1 for a guest */
    struct kite_thread *owner; /* its worker, or the thread a guest place is lent to */
    unsigned int depth;        /* a guest's syncs in progress */
    uint64_t rng;
    /* Other workers to steal from, nearest node first; tier_end[i] ends node i's run. */
    unsigned int nvictims, ntiers;
    unsigned int *victims, *tier_end;
    /* Written only by the place's owner; read by anyone (kite_task_stats). */
    uint64_t spawns, inline_runs, tasks, steals, steal_fails, sleeps;
    bool asleep;
};

static struct kite_mutex init_lock = KITE_MUTEX_INIT(init_lock);
static int started;           /* release-stored once places are set up */
static struct place **places; /* nworkers workers, then GUESTS guests */
static unsigned int nworkers, nslots;
static int nsleepers; /* workers in SLEEPY */

static struct kite_spinlock pool_lock = KITE_SPINLOCK_INIT;
static struct sleeper *pool; /* free sleepers for threads that are not workers */

static void count(uint64_t *c)
{
    /* One writer: a plain add, stored whole so readers never see it torn. */
    __atomic_store_n(c, *c + 1, __ATOMIC_RELAXED);
}

static uint64_t next_rand(uint64_t *s)
{
    uint64_t x = *s ? *s : (arch_tsc() | 1);

    /* xorshift64: cheap and good enough to spread thieves over victims. */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

/* ---- sleeping ---- */

static bool wake(struct sleeper *s)
{
    int expect = SLEEPY;

    if (!__atomic_compare_exchange_n(&s->state, &expect, NOTIFIED, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST)) {
        return false; /* awake, or another waker got there first */
    }
    if (s->counted) {
        __atomic_fetch_sub(&nsleepers, 1, __ATOMIC_SEQ_CST);
    }
    kite_sem_up(&s->sem);
    return true;
}

/*
 * Block @s's thread until a wake, unless @ready(@arg) holds once SLEEPY is
 * visible. Returns whether it blocked.
 */
static bool sleep_unless(struct sleeper *s, bool counted, bool (*ready)(void *), void *arg)
{
    int expect = SLEEPY;

    s->counted = counted;
    __atomic_store_n(&s->state, SLEEPY, __ATOMIC_SEQ_CST);
    if (counted) {
        __atomic_fetch_add(&nsleepers, 1, __ATOMIC_SEQ_CST);
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (ready(arg) && __atomic_compare_exchange_n(&s->state, &expect, AWAKE, false,
                                                  __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        if (counted) {
            __atomic_fetch_sub(&nsleepers, 1, __ATOMIC_SEQ_CST);
        }
        return false;
    }
    /* Not ready, or a waker already took us: its unit is (or will be) in the semaphore. */
    (void)kite_sem_down(&s->sem);
    __atomic_store_n(&s->state, AWAKE, __ATOMIC_SEQ_CST);
    return true;
}

/* After a push: wake one sleeping worker, if any sleeps. */
static void wake_a_worker(unsigned int from)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&nsleepers, __ATOMIC_SEQ_CST) <= 0) {
        return;
    }
    for (unsigned int i = 0; i < nworkers; i++) {
        struct place *p = places[(from + 1 + i) % nworkers];
        /* One is enough: a worker that finds work wakes no other, each spawn wakes one. */
        if (wake(&p->sl)) {
            return;
        }
    }
}

static bool any_work(void *arg)
{
    (void)arg;
    for (unsigned int i = 0; i < nslots; i++) {
        if (task_deque_has_work(&places[i]->dq)) {
            return true;
        }
    }
    return false;
}

/* ---- running and stealing ---- */

static void group_finish_one(struct kite_task_group *g)
{
    void *w;

    if (__atomic_fetch_sub(&g->pending, 1, __ATOMIC_ACQ_REL) != 1) {
        return;
    }
    /* The last one: publish completion; the group may vanish right after this swap. */
    w = __atomic_exchange_n(&g->waiter, GROUP_DONE, __ATOMIC_SEQ_CST);
    if (w) {
        (void)wake(w);
    }
}

static void run_entry(struct place *p, const struct task_entry *e)
{
    e->fn(e->arg);
    group_finish_one(e->group);
    if (p) {
        count(&p->tasks);
    }
}

static bool try_steal(struct place *victim, struct task_entry *out)
{
    /* An abort means someone else won this entry; there may be more behind it. */
    for (int tries = 0; tries < 2; tries++) {
        enum task_steal_result r = task_deque_steal(&victim->dq, out);

        if (r == TASK_STEAL_OK) {
            return true;
        }
        if (r == TASK_STEAL_EMPTY) {
            return false;
        }
    }
    return false;
}

/*
 * One round over every other deque: a worker tries its own node's workers
 * first, from a random one on, then each further node in distance order;
 * then the guests. A thread without a place tries every worker from a
 * random one on.
 */
static bool steal_round(struct place *self, struct task_entry *out)
{
    if (self && self->cpu >= 0) {
        unsigned int start = 0;

        for (unsigned int t = 0; t < self->ntiers; t++) {
            unsigned int end = self->tier_end[t], n = end - start;
            unsigned int first = n ? (unsigned int)(next_rand(&self->rng) % n) : 0;

            for (unsigned int k = 0; k < n; k++) {
                if (try_steal(places[self->victims[start + (first + k) % n]], out)) {
                    count(&self->steals);
                    return true;
                }
            }
            start = end;
        }
    } else {
        uint64_t seed = arch_tsc();
        unsigned int first = nworkers ? (unsigned int)(next_rand(&seed) % nworkers) : 0;

        for (unsigned int k = 0; k < nworkers; k++) {
            if (try_steal(places[(first + k) % nworkers], out)) {
                if (self) {
                    count(&self->steals);
                }
                return true;
            }
        }
    }
    for (unsigned int i = nworkers; i < nslots; i++) {
        if (places[i] != self && try_steal(places[i], out)) {
            if (self) {
                count(&self->steals);
            }
            return true;
        }
    }
    if (self) {
        count(&self->steal_fails);
    }
    return false;
}

/*
 * One round of looking for work, for workers and for waiting syncs alike:
 * run a task (from @p's own deque first, then stolen), or spin a round.
 * False after SPIN_ROUNDS fruitless rounds: time to sleep.
 */
static KITE_ALWAYS_INLINE bool work_or_spin(struct place *p, unsigned int *spins)
{
    struct task_entry e;

    if ((p && task_deque_pop(&p->dq, &e)) || steal_round(p, &e)) {
        run_entry(p, &e);
        *spins = 0;
        return true;
    }
    if (++*spins < SPIN_ROUNDS) {
        arch_pause();
        return true;
    }
    *spins = 0;
    return false;
}

static void *worker_main(void *arg)
{
    struct place *p = arg;
    unsigned int spins = 0;

    __atomic_store_n(&p->owner, kite_thread_self(), __ATOMIC_RELEASE);
    for (;;) {
        if (work_or_spin(p, &spins)) {
            continue;
        }
        __atomic_store_n(&p->asleep, true, __ATOMIC_RELAXED);
        if (sleep_unless(&p->sl, true, any_work, NULL)) {
            count(&p->sleeps);
        }
        __atomic_store_n(&p->asleep, false, __ATOMIC_RELAXED);
    }
    return NULL;
}

/* ---- set-up ---- */

static struct place *place_new(int cpu, unsigned int slots)
{
    int node = cpu >= 0 ? kite_numa_node_of_cpu((unsigned int)cpu) : KITE_NODE_ANY;
    size_t bytes = sizeof(struct place) + 2 * (size_t)slots * sizeof(unsigned int);
    unsigned int order = 0;
    struct place *p;

    while ((4096ul << order) < bytes) {
        order++;
    }
    p = kite_page_alloc(order, node, KITE_PAGE_FALLBACK);
    if (!p) {
        return NULL;
    }
    memset(p, 0, bytes);
    task_deque_init(&p->dq);
    p->sl.state = AWAKE;
    kite_sem_init(&p->sl.sem, 0);
    p->cpu = cpu;
    p->rng = ((uint64_t)(cpu + 2) * 0x9e3779b97f4a7c15ull) | 1;
    p->victims = (unsigned int *)(p + 1);
    p->tier_end = p->victims + slots;
    return p;
}

/* Victims of worker @cpu: the workers of each node in its fallback order, itself left out. */
static void place_victims(struct place *p, unsigned int cpu)
{
    unsigned int buf[64];

    for (unsigned int i = 0;; i++) {
        int node = kite_numa_fallback(cpu, i);
        unsigned int n, before = p->nvictims;

        if (node < 0) {
            break;
        }
        n = kite_numa_node_cpus(node, buf, KITE_ARRAY_SIZE(buf));
        for (unsigned int k = 0; k < n && k < KITE_ARRAY_SIZE(buf); k++) {
            if (buf[k] != cpu && buf[k] < nworkers) {
                p->victims[p->nvictims++] = buf[k];
            }
        }
        if (p->nvictims > before) {
            p->tier_end[p->ntiers++] = p->nvictims;
        }
    }
}

int kite_task_init(void)
{
    unsigned int n, total;
    struct place **ps;
    int rc = 0;

    if (__atomic_load_n(&started, __ATOMIC_ACQUIRE)) {
        return 0;
    }
    rc = kite_mutex_lock(&init_lock);
    if (rc < 0) {
        return rc;
    }
    if (started) {
        goto out;
    }
    n = arch_cpus_online();
    total = n + GUESTS;
    ps = kite_malloc(total * sizeof(struct place *));
    if (!ps) {
        rc = -KITE_ENOMEM;
        goto out;
    }
    for (unsigned int i = 0; i < total; i++) {
        ps[i] = place_new(i < n ? (int)i : -1, n);
        if (!ps[i]) {
            kite_pr_err(KITE_LOG_PREFIX_TASK "no memory for place %u\n", i);
            rc = -KITE_ENOMEM;
            goto out; /* what was allocated stays: a later call may get further */
        }
    }
    places = ps;
    nworkers = n;
    nslots = total;
    for (unsigned int i = 0; i < n; i++) {
        place_victims(ps[i], i);
    }
    for (unsigned int i = 0; i < n; i++) {
        char name[KITE_THREAD_NAME_MAX];
        struct kite_thread_attr attr = {
            .cpu = (int)i, .stack_size = WORKER_STACK, .name = name, .detached = true};

        kite_snprintf(name, sizeof(name), "task/%u", i);
        rc = kite_thread_create(NULL, worker_main, ps[i], &attr);
        if (rc < 0) {
            /* Its deque stays empty (nobody pushes there); the rest still work. */
            kite_pr_err(KITE_LOG_PREFIX_TASK "cannot start the worker of CPU %u (%d)\n", i, rc);
        }
    }
    kite_pr_info(KITE_LOG_PREFIX_TASK "%u workers, deques of %d tasks\n", n, TASK_DEQUE_SIZE);
    __atomic_store_n(&started, 1, __ATOMIC_RELEASE);
out:
    kite_mutex_unlock(&init_lock);
    return rc;
}

/* ---- the API ---- */

void kite_task_group_init(struct kite_task_group *g)
{
    g->magic = KITE_TASK_GROUP_MAGIC;
    g->pending = 1;
    g->waiter = NULL;
}

static bool group_ok(const struct kite_task_group *g)
{
    return g && g->magic == KITE_TASK_GROUP_MAGIC;
}

/* The caller's place (NULL: it has none); @claim: lend it a free guest place if need be. */
static struct place *my_place(bool claim)
{
    struct kite_thread *self = kite_thread_self();
    unsigned int cpu = arch_cpu_id(); /* kite_cpu without the call */

    if (!__atomic_load_n(&started, __ATOMIC_ACQUIRE)) {
        return NULL;
    }
    if (cpu < nworkers && __atomic_load_n(&places[cpu]->owner, __ATOMIC_ACQUIRE) == self) {
        return places[cpu];
    }
    for (unsigned int i = nworkers; i < nslots; i++) {
        if (__atomic_load_n(&places[i]->owner, __ATOMIC_ACQUIRE) == self) {
            return places[i];
        }
    }
    for (unsigned int i = nworkers; claim && i < nslots; i++) {
        struct kite_thread *expect = NULL;

        if (__atomic_compare_exchange_n(&places[i]->owner, &expect, self, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED)) {
            return places[i];
        }
    }
    return NULL;
}

int kite_task_spawn(struct kite_task_group *g, kite_task_fn fn, void *arg)
{
    struct task_entry e = {fn, arg, g};
    struct place *p;

    if (!group_ok(g) || !fn) {
        return -KITE_EINVAL;
    }
    if (!__atomic_load_n(&started, __ATOMIC_ACQUIRE) && kite_task_init() < 0) {
        fn(arg); /* no workers: the spawn is a call */
        return 0;
    }
    p = my_place(true);
    if (!p || task_deque_full(&p->dq)) {
        if (p) {
            count(&p->inline_runs);
        }
        fn(arg);
        return 0;
    }
    /* Counted before the push publishes the task (its release fence orders the two). */
    __atomic_fetch_add(&g->pending, 1, __ATOMIC_RELAXED);
    task_deque_push(&p->dq, &e);
    count(&p->spawns);
    wake_a_worker(p->cpu >= 0 ? (unsigned int)p->cpu : 0);
    return 0;
}

struct sync_wait {
    struct kite_task_group *g;
    bool worker;
};

static bool sync_ready(void *arg)
{
    const struct sync_wait *w = arg;

    return __atomic_load_n(&w->g->waiter, __ATOMIC_SEQ_CST) == GROUP_DONE ||
           (w->worker && any_work(NULL));
}

/* A sleeper for a thread that is not a worker (NULL: no memory; the caller then yields). */
static struct sleeper *sleeper_get(void)
{
    unsigned long flags = kite_spin_lock_irqsave(&pool_lock);
    struct sleeper *s = pool;

    if (s) {
        pool = s->next;
    }
    kite_spin_unlock_irqrestore(&pool_lock, flags);
    if (!s) {
        s = kite_malloc(sizeof(*s));
        if (s) {
            s->state = AWAKE;
            s->counted = false;
            kite_sem_init(&s->sem, 0);
        }
    }
    return s;
}

static void sleeper_put(struct sleeper *s)
{
    unsigned long flags = kite_spin_lock_irqsave(&pool_lock);

    s->next = pool;
    pool = s;
    kite_spin_unlock_irqrestore(&pool_lock, flags);
}

/* Nothing to run: block until the group is done (or, for a worker, work appears). */
static void sync_sleep(struct kite_task_group *g, struct place *p, struct sleeper *s)
{
    struct sync_wait w = {g, p && p->cpu >= 0};
    void *expect = NULL;

    if (!__atomic_compare_exchange_n(&g->waiter, &expect, s, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST) &&
        expect != s) {
        return; /* GROUP_DONE already */
    }
    if (sleep_unless(s, w.worker, sync_ready, &w) && p) {
        count(&p->sleeps);
    }
}

static void guest_release(struct place *p)
{
    if (p && p->cpu < 0 && p->depth == 0 && !task_deque_has_work(&p->dq)) {
        __atomic_store_n(&p->owner, NULL, __ATOMIC_RELEASE);
    }
}

int kite_task_sync(struct kite_task_group *g)
{
    struct place *p;
    struct sleeper *s = NULL;
    unsigned int spins = 0;

    if (!group_ok(g) || __atomic_load_n(&g->pending, __ATOMIC_RELAXED) < 1) {
        return -KITE_EINVAL;
    }
    if (!arch_irq_enabled() || !arch_preemptible()) {
        return -KITE_EPERM; /* an interrupt handler or a spinlock holder cannot wait */
    }
    p = my_place(false);
    /* Drop the syncer's own count: the last one to finish is then known. */
    if (__atomic_fetch_sub(&g->pending, 1, __ATOMIC_ACQ_REL) == 1) {
        __atomic_store_n(&g->pending, 1, __ATOMIC_RELAXED);
        guest_release(p);
        return 0;
    }
    if (p) {
        p->depth++;
    }
    while (__atomic_load_n(&g->waiter, __ATOMIC_ACQUIRE) != GROUP_DONE) {
        if (work_or_spin(p, &spins)) {
            continue;
        }
        if (!s) {
            s = p && p->cpu >= 0 ? &p->sl : sleeper_get();
        }
        if (s) {
            sync_sleep(g, p, s);
        } else {
            kite_thread_yield();
        }
    }
    if (p) {
        p->depth--;
    }
    if (s && !(p && p->cpu >= 0)) {
        sleeper_put(s); /* a late wake from g's last task may still come: harmless */
    }
    __atomic_store_n(&g->waiter, NULL, __ATOMIC_RELAXED);
    __atomic_store_n(&g->pending, 1, __ATOMIC_RELAXED);
    guest_release(p);
    return 0;
}

/* ---- statistics ---- */

unsigned int kite_task_workers(void)
{
    return __atomic_load_n(&started, __ATOMIC_ACQUIRE) ? nworkers : 0;
}

unsigned int kite_task_slots(void)
{
    return __atomic_load_n(&started, __ATOMIC_ACQUIRE) ? nslots : 0;
}

int kite_task_stats(unsigned int i, struct kite_task_stats *out)
{
    const struct place *p;

    if (!out) {
        return -KITE_EINVAL;
    }
    if (i >= kite_task_slots()) {
        return -KITE_ENODEV;
    }
    p = places[i];
    out->cpu = p->cpu;
    out->sleeping = __atomic_load_n(&p->asleep, __ATOMIC_RELAXED);
    out->spawns = __atomic_load_n(&p->spawns, __ATOMIC_RELAXED);
    out->inline_runs = __atomic_load_n(&p->inline_runs, __ATOMIC_RELAXED);
    out->tasks = __atomic_load_n(&p->tasks, __ATOMIC_RELAXED);
    out->steals = __atomic_load_n(&p->steals, __ATOMIC_RELAXED);
    out->steal_fails = __atomic_load_n(&p->steal_fails, __ATOMIC_RELAXED);
    out->sleeps = __atomic_load_n(&p->sleeps, __ATOMIC_RELAXED);
    return 0;
}

static int cmd_tasks(int argc, char **argv)
{
    unsigned int n = kite_task_slots();

    (void)argv;
    if (argc != 1) {
        return kite_shell_usage("tasks");
    }
    if (!n) {
        kite_pr_info("tasks: not started (no spawn yet)\n");
        return 0;
    }
    kite_pr_info("%-8s %10s %8s %10s %10s %12s %8s %s\n", "slot", "spawns", "inline", "tasks",
                 "steals", "steal-fails", "sleeps", "state");
    for (unsigned int i = 0; i < n; i++) {
        struct kite_task_stats s;
        char name[16];

        if (kite_task_stats(i, &s) < 0) {
            continue;
        }
        if (s.cpu >= 0) {
            kite_snprintf(name, sizeof(name), "cpu%d", s.cpu);
        } else {
            kite_snprintf(name, sizeof(name), "guest%u", i - kite_task_workers());
        }
        kite_pr_info("%-8s %10llu %8llu %10llu %10llu %12llu %8llu %s\n", name,
                     (unsigned long long)s.spawns, (unsigned long long)s.inline_runs,
                     (unsigned long long)s.tasks, (unsigned long long)s.steals,
                     (unsigned long long)s.steal_fails, (unsigned long long)s.sleeps,
                     s.cpu < 0 ? "-" : (s.sleeping ? "asleep" : "awake"));
    }
    return 0;
}
KITE_SHELL_CMD(tasks, cmd_tasks, ": per-worker statistics of the task runtime");
