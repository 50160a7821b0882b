/* SPDX-License-Identifier: MIT */
/*
 * Explicit tasks: GOMP_task, taskwait, taskgroup, taskloop, taskyield.
 *
 * A deferred task is copied (its data with gcc's copy function or memcpy)
 * into one allocation and queued on its team's queue; any member runs queued
 * tasks at barriers, in taskwait (only the waiting task's children, which
 * keeps tied tasks' scheduling constraint) and at taskgroup ends. A task runs
 * at once, undeferred, when its if clause is false, when it or its parent is
 * final, in a team of one, and when it has depend clauses: those first wait
 * for all the parent's earlier children (a stronger order than the clauses
 * ask for, and never a weaker one).
 *
 * Counters: a task's children (for taskwait), a group's members with their
 * descendants (for taskgroup end), the team's unfinished tasks (for
 * barriers). A queued task's memory lives until it and its children are done
 * (refs: 1 for itself, 1 per unfinished child).
 */
#include <stdlib.h>
#include <string.h>

#include <kite/panic.h>
#include <kite/thread.h>

#include <arch/cpu.h>

#include "omp_priv.h"

#define TASK_FLAG_FINAL     (1u << 1)
#define TASK_FLAG_DEPEND    (1u << 3)
#define TASK_FLAG_UP        (1u << 8)
#define TASK_FLAG_GRAINSIZE (1u << 9)
#define TASK_FLAG_IF        (1u << 10)
#define TASK_FLAG_NOGROUP   (1u << 11)
#define TASK_FLAG_REDUCTION (1u << 12)
#define TASK_FLAG_DETACH    (1u << 13)

struct omp_heap_task {
    struct omp_task task;
    long refs; /* atomic */
};

static void relax(unsigned long *spins)
{
    if (++*spins % 1024 == 0) {
        kite_thread_yield();
    } else {
        arch_pause();
    }
}

static void task_put(struct omp_task *t)
{
    if (t->heap) {
        struct omp_heap_task *h = (struct omp_heap_task *)t;

        if (__atomic_sub_fetch(&h->refs, 1, __ATOMIC_ACQ_REL) == 0) {
            free(h);
        }
    }
}

/* @t's body has returned: tell its parent, its group and its team. */
static void task_finished(struct omp_team *team, struct omp_task *t)
{
    struct omp_task *parent = t->parent;
    struct omp_taskgroup *group = t->group;

    if (parent) {
        __atomic_sub_fetch(&parent->children, 1, __ATOMIC_RELEASE);
    }
    if (group) {
        __atomic_sub_fetch(&group->count, 1, __ATOMIC_RELEASE);
    }
    if (parent) {
        task_put(parent);
    }
    task_put(t);
    if (__atomic_sub_fetch(&team->tasks_unfinished, 1, __ATOMIC_SEQ_CST) == 0) {
        omp_team_wake(team); /* a barrier's last thread may wait for this */
    }
}

static void run_task(struct omp_thread *thr, struct omp_task *t)
{
    struct omp_task *prev = thr->task;
    struct omp_team *team = thr->team;

    thr->task = t;
    t->fn(t->data);
    thr->task = prev;
    task_finished(team, t);
}

/* Take a queued task (only a child of @only_parent when it is not NULL) and run it. */
bool omp_task_run_one(struct omp_thread *thr, struct omp_task *only_parent)
{
    struct omp_team *team = thr->team;
    struct omp_task *t, **link;
    unsigned long flags;

    if (!__atomic_load_n(&team->tasks_queued, __ATOMIC_ACQUIRE)) {
        return false;
    }
    flags = kite_spin_lock_irqsave(&team->task_lock);
    for (link = &team->task_head; (t = *link); link = &t->next) {
        if (!only_parent || t->parent == only_parent) {
            *link = t->next;
            if (team->task_tail == t) {
                team->task_tail = link == &team->task_head ? NULL : (struct omp_task *)link;
            }
            __atomic_sub_fetch(&team->tasks_queued, 1, __ATOMIC_RELAXED);
            break;
        }
    }
    kite_spin_unlock_irqrestore(&team->task_lock, flags);
    if (!t) {
        return false;
    }
    run_task(thr, t);
    return true;
}

void omp_tasks_drain(struct omp_thread *thr)
{
    while (omp_task_run_one(thr, NULL)) {
    }
}

/* Run @fn(@data) now, as a task of its own (its children wait on it, not on the parent). */
static void run_undeferred(struct omp_thread *thr, void (*fn)(void *), void *data, bool final)
{
    struct omp_task t = {0}, *prev = thr->task;

    t.parent = prev;
    t.group = prev ? prev->group : NULL;
    t.final = final;
    t.fn = fn;
    t.data = data;
    thr->task = &t;
    fn(data);
    /* Its deferred children hold pointers to t: it must outlive them. */
    if (__atomic_load_n(&t.children, __ATOMIC_ACQUIRE)) {
        unsigned long spins = 0;

        while (__atomic_load_n(&t.children, __ATOMIC_ACQUIRE)) {
            if (!omp_task_run_one(thr, &t)) {
                relax(&spins);
            }
        }
    }
    thr->task = prev;
}

static void taskwait(struct omp_thread *thr)
{
    struct omp_task *t = thr->task;
    unsigned long spins = 0;

    if (!t) {
        return;
    }
    while (__atomic_load_n(&t->children, __ATOMIC_ACQUIRE)) {
        if (!omp_task_run_one(thr, t)) {
            relax(&spins);
        }
    }
}

/* A deferred task: copy its data, count it everywhere, queue it. */
static struct omp_task *task_new(struct omp_thread *thr, void (*fn)(void *), void *data,
                                 void (*cpyfn)(void *, void *), long arg_size, long arg_align,
                                 bool final)
{
    struct omp_task *parent = thr->task;
    struct omp_heap_task *h;
    size_t align = arg_align > 16 ? (size_t)arg_align : 16;
    void *arg;

    h = malloc(KITE_ALIGN_UP(sizeof(*h), align) + (size_t)arg_size + align);
    if (!h) {
        return NULL;
    }
    memset(h, 0, sizeof(*h));
    arg = (void *)KITE_ALIGN_UP((uintptr_t)(h + 1), align);
    if (cpyfn) {
        cpyfn(arg, data);
    } else {
        memcpy(arg, data, (size_t)arg_size);
    }
    h->refs = 1;
    h->task.heap = true;
    h->task.fn = fn;
    h->task.data = arg;
    h->task.final = final;
    h->task.parent = parent;
    h->task.group = parent ? parent->group : NULL;
    if (parent) {
        __atomic_add_fetch(&parent->children, 1, __ATOMIC_RELAXED);
        if (parent->heap) {
            __atomic_add_fetch(&((struct omp_heap_task *)parent)->refs, 1, __ATOMIC_RELAXED);
        }
    }
    if (h->task.group) {
        __atomic_add_fetch(&h->task.group->count, 1, __ATOMIC_RELAXED);
    }
    __atomic_add_fetch(&thr->team->tasks_unfinished, 1, __ATOMIC_RELAXED);
    return &h->task;
}

static void task_queue(struct omp_team *team, struct omp_task *t)
{
    unsigned long flags = kite_spin_lock_irqsave(&team->task_lock);

    t->next = NULL;
    if (team->task_tail) {
        team->task_tail->next = t;
    } else {
        team->task_head = t;
    }
    team->task_tail = t;
    __atomic_add_fetch(&team->tasks_queued, 1, __ATOMIC_SEQ_CST);
    kite_spin_unlock_irqrestore(&team->task_lock, flags);
    if (__atomic_load_n(&team->bar_arrived, __ATOMIC_SEQ_CST)) {
        omp_team_wake(team); /* members asleep in a barrier can run it */
    }
}

void GOMP_task(void (*fn)(void *), void *data, void (*cpyfn)(void *, void *), long arg_size,
               long arg_align, bool if_clause, unsigned int flags, void **depend, int priority,
               void *detach);
void GOMP_taskwait(void);
void GOMP_taskyield(void);
void GOMP_taskgroup_start(void);
void GOMP_taskgroup_end(void);

void GOMP_task(void (*fn)(void *), void *data, void (*cpyfn)(void *, void *), long arg_size,
               long arg_align, bool if_clause, unsigned int flags, void **depend, int priority,
               void *detach)
{
    struct omp_thread *thr = omp_self();
    struct omp_team *team = omp_team_of(thr);
    bool final = (flags & TASK_FLAG_FINAL) || (thr->task && thr->task->final);
    struct omp_task *t;

    (void)priority;
    (void)depend;
    if (flags & TASK_FLAG_DETACH) {
        (void)detach;
        kite_panic("openmp: detachable tasks (the detach clause) are not supported by Kite's "
                   "OpenMP runtime (docs/openmp.md)");
    }
    if (flags & TASK_FLAG_DEPEND) {
        taskwait(thr); /* every earlier sibling is done: any depend clause is satisfied */
        if_clause = false;
    }
    if (!if_clause || final || team->nthreads == 1 ||
        !(t = task_new(thr, fn, data, cpyfn, arg_size, arg_align, final))) {
        if (cpyfn) {
            size_t align = arg_align > 16 ? (size_t)arg_align : 16;
            char buf[arg_size + (long)align];
            void *arg = (void *)KITE_ALIGN_UP((uintptr_t)buf, align);

            cpyfn(arg, data);
            run_undeferred(thr, fn, arg, final);
        } else {
            run_undeferred(thr, fn, data, final);
        }
        return;
    }
    task_queue(team, t);
}

void GOMP_taskwait(void)
{
    taskwait(omp_self());
}

void GOMP_taskyield(void)
{
    struct omp_thread *thr = omp_self();

    if (!thr->team || !omp_task_run_one(thr, thr->task)) {
        kite_thread_yield();
    }
}

void GOMP_taskgroup_start(void)
{
    struct omp_thread *thr = omp_self();
    struct omp_taskgroup *g = calloc(1, sizeof(*g));

    omp_team_of(thr);
    if (!g) {
        kite_panic("openmp: no memory for a taskgroup");
    }
    g->prev = thr->task->group;
    thr->task->group = g;
}

void GOMP_taskgroup_end(void)
{
    struct omp_thread *thr = omp_self();
    struct omp_taskgroup *g = thr->task->group;
    unsigned long spins = 0;

    while (__atomic_load_n(&g->count, __ATOMIC_ACQUIRE)) {
        if (!omp_task_run_one(thr, NULL)) {
            relax(&spins);
        }
    }
    thr->task->group = g->prev;
    free(g);
}

/*
 * taskloop: the iterations are split into tasks (num_tasks of them, or
 * chunks of grainsize iterations, as libgomp splits them); each task's copy
 * of the data starts with its first and last-plus-one iteration values.
 */
#define TASKLOOP(name, T)                                                                          \
    void GOMP_##name(void (*fn)(void *), void *data, void (*cpyfn)(void *, void *), long arg_size, \
                     long arg_align, unsigned int flags, unsigned long num_tasks, int priority,    \
                     T start, T end, T step);                                                      \
    void GOMP_##name(void (*fn)(void *), void *data, void (*cpyfn)(void *, void *), long arg_size, \
                     long arg_align, unsigned int flags, unsigned long num_tasks, int priority,    \
                     T start, T end, T step)                                                       \
    {                                                                                              \
        struct omp_thread *thr = omp_self();                                                       \
        struct omp_team *team = omp_team_of(thr);                                                  \
        uint64_t n, ntasks, base, extra;                                                           \
        T s;                                                                                       \
                                                                                                   \
        (void)priority;                                                                            \
        if (flags & TASK_FLAG_REDUCTION) {                                                         \
            kite_panic("openmp: taskloop reductions are not supported by Kite's OpenMP runtime "   \
                       "(docs/openmp.md)");                                                        \
        }                                                                                          \
        if (flags & TASK_FLAG_UP) {                                                                \
            n = start < end ? (uint64_t)((end - start - 1) / step) + 1 : 0;                        \
        } else {                                                                                   \
            n = start > end ? (uint64_t)((start - end - 1) / (0 - step)) + 1 : 0;                  \
        }                                                                                          \
        if (!n) {                                                                                  \
            return;                                                                                \
        }                                                                                          \
        if (flags & TASK_FLAG_GRAINSIZE) {                                                         \
            ntasks = num_tasks ? n / num_tasks : n;                                                \
            if (!ntasks) {                                                                         \
                ntasks = 1;                                                                        \
            }                                                                                      \
        } else {                                                                                   \
            ntasks = num_tasks ? num_tasks : team->nthreads;                                       \
            if (ntasks > n) {                                                                      \
                ntasks = n;                                                                        \
            }                                                                                      \
        }                                                                                          \
        base = n / ntasks;                                                                         \
        extra = n % ntasks;                                                                        \
        if (!(flags & TASK_FLAG_NOGROUP)) {                                                        \
            GOMP_taskgroup_start();                                                                \
        }                                                                                          \
        s = start;                                                                                 \
        for (uint64_t k = 0; k < ntasks; k++) {                                                    \
            uint64_t cnt = base + (k < extra);                                                     \
            T e = (T)(s + (T)cnt * step);                                                          \
            size_t align = arg_align > 16 ? (size_t)arg_align : 16;                                \
            char buf[arg_size + (long)align];                                                      \
            void *arg = (void *)KITE_ALIGN_UP((uintptr_t)buf, align);                              \
                                                                                                   \
            if (cpyfn) {                                                                           \
                cpyfn(arg, data);                                                                  \
            } else {                                                                               \
                memcpy(arg, data, (size_t)arg_size);                                               \
            }                                                                                      \
            ((T *)arg)[0] = s;                                                                     \
            ((T *)arg)[1] = e;                                                                     \
            GOMP_task(fn, arg, NULL, arg_size, arg_align, (flags & TASK_FLAG_IF) != 0,             \
                      flags & TASK_FLAG_FINAL, NULL, 0, NULL);                                     \
            s = e;                                                                                 \
        }                                                                                          \
        if (!(flags & TASK_FLAG_NOGROUP)) {                                                        \
            GOMP_taskgroup_end();                                                                  \
        }                                                                                          \
    }

TASKLOOP(taskloop, long)
TASKLOOP(taskloop_ull, unsigned long long)
