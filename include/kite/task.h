/* SPDX-License-Identifier: MIT */
/*
 * The native task runtime: fully-strict fork-join over one worker thread
 * per CPU (bound to it), each with a Chase-Lev deque. A worker runs the
 * newest task of its own deque first and, when that is empty, steals the
 * oldest task of another deque, trying the CPUs of its own NUMA node first
 * (in a random order), then the next nearest node's, and so on. Idle workers
 * spin briefly, then block until a spawn wakes them. See docs/tasks.md.
 *
 *     static void fib_task(void *arg)
 *     {
 *         struct fib *f = arg;
 *         ...
 *         struct kite_task_group g = KITE_TASK_GROUP_INIT;
 *         struct fib a = {f->n - 1}, b = {f->n - 2};
 *         kite_task_spawn(&g, fib_task, &a);
 *         fib_task(&b);
 *         kite_task_sync(&g);         // a is done: a.result is valid
 *         f->result = a.result + b.result;
 *     }
 *
 * Memory: the runtime allocates nothing per spawn. A spawned task is
 * stored by value (function, argument, group) in the deque; the group and
 * whatever the argument points to belong to the caller and must stay valid
 * until kite_task_sync on the group returns (a frame on the spawner's
 * stack is the usual place). Every group that had tasks spawned into it
 * must be synced before it goes out of scope.
 *
 * Context: every call here may block, so not from interrupt handlers or
 * with a spinlock held (-KITE_EPERM), and not from KITE_INIT hooks.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

/* A task's function. */
typedef void (*kite_task_fn)(void *arg);

/*
 * A set of tasks one thread waits for with kite_task_sync. Initialise it
 * with KITE_TASK_GROUP_INIT or kite_task_group_init; it is reusable after
 * each sync. Only one thread syncs a group at a time; any task (or the
 * group's owner) may spawn into it while it is not yet synced.
 */
struct kite_task_group {
    uint32_t magic;  /* KITE_TASK_GROUP_MAGIC: catches a group never initialised */
    int64_t pending; /* tasks not finished, plus one for the syncing thread */
    void *waiter;    /* who waits in kite_task_sync; a marker once the last task finished */
};

#define KITE_TASK_GROUP_MAGIC 0x6b746772u /* "ktgr" */
#define KITE_TASK_GROUP_INIT           \
    {                                  \
        KITE_TASK_GROUP_MAGIC, 1, NULL \
    }

void kite_task_group_init(struct kite_task_group *g);

/*
 * Start the workers now (one per online CPU) rather than at the first
 * spawn. 0, -KITE_ENOMEM, -KITE_EPERM from interrupt context, or the error
 * of kite_thread_create. Calling it again does nothing.
 */
KITE_MUST_CHECK int kite_task_init(void);

/*
 * Spawn fn(arg) into @g. It may run at once on this thread (when the deque
 * is full, or no workers could be started): never rely on it running
 * concurrently with the spawner. 0, or -KITE_EINVAL for a NULL @g or @fn or
 * a group never initialised (then nothing was spawned).
 */
int kite_task_spawn(struct kite_task_group *g, kite_task_fn fn, void *arg);

/*
 * Wait until every task spawned into @g has finished, running this
 * thread's own tasks and stealing others meanwhile (so nested spawns and
 * syncs cannot deadlock), then blocking when there is nothing to run.
 * 0, -KITE_EINVAL for a NULL or uninitialised group, -KITE_EPERM from
 * interrupt context.
 */
int kite_task_sync(struct kite_task_group *g);

/* A range body: handle the indices [lo, hi). */
typedef void (*kite_range_fn)(int64_t lo, int64_t hi, void *arg);

/*
 * Call @fn on chunks covering [@lo, @hi) exactly once each, in parallel:
 * the range is split in halves (the upper half spawned) until a chunk has
 * at most @grain indices. Returns when every chunk is done: 0, or
 * -KITE_EINVAL for a NULL @fn, @hi < @lo or @grain < 1 (@fn is not called).
 * An empty range (@lo == @hi) calls nothing and returns 0.
 */
int kite_parallel_for(int64_t lo, int64_t hi, int64_t grain, kite_range_fn fn, void *arg);

/* The largest accumulator kite_parallel_reduce takes, in bytes. */
#define KITE_REDUCE_MAX 64

/* Fold the indices [lo, hi) into @acc (which holds an identity or a partial result). */
typedef void (*kite_reduce_map_fn)(int64_t lo, int64_t hi, void *acc, void *arg);
/* *@acc = *@acc (+) *@other: @acc covers the indices just below @other's. */
typedef void (*kite_reduce_combine_fn)(void *acc, const void *other, void *arg);

/*
 * A reduction over [@lo, @hi) with an accumulator of @size bytes
 * (1..KITE_REDUCE_MAX). Each chunk of at most @grain indices starts from a
 * copy of @identity and is folded by @map; neighbouring results are merged
 * by @combine, left with right. The tree of combines depends only on @lo,
 * @hi and @grain, never on the number of CPUs or on timing, so a
 * floating-point sum gives the same bits in every run. @combine must be
 * associative; it need not be commutative. The answer goes to @result
 * (@identity for an empty range). 0, or -KITE_EINVAL for a NULL function or
 * pointer, a bad @size, @hi < @lo or @grain < 1.
 */
int kite_parallel_reduce(int64_t lo, int64_t hi, int64_t grain, kite_reduce_map_fn map,
                         kite_reduce_combine_fn combine, const void *identity, void *result,
                         size_t size, void *arg);

/* The same over a uint64_t: @map returns a chunk's value (folded onto nothing). */
typedef uint64_t (*kite_reduce_u64_fn)(int64_t lo, int64_t hi, void *arg);
typedef uint64_t (*kite_combine_u64_fn)(uint64_t a, uint64_t b, void *arg);
int kite_parallel_reduce_u64(int64_t lo, int64_t hi, int64_t grain, kite_reduce_u64_fn map,
                             kite_combine_u64_fn combine, uint64_t identity, uint64_t *result,
                             void *arg);

/*
 * The same over a double (callers must be built with SSE: runtime code
 * always is; kernel objects drop -mgeneral-regs-only).
 */
typedef double (*kite_reduce_double_fn)(int64_t lo, int64_t hi, void *arg);
typedef double (*kite_combine_double_fn)(double a, double b, void *arg);
int kite_parallel_reduce_double(int64_t lo, int64_t hi, int64_t grain, kite_reduce_double_fn map,
                                kite_combine_double_fn combine, double identity, double *result,
                                void *arg);

/* What one worker (or a guest: a non-worker thread that spawned) has done since boot. */
struct kite_task_stats {
    int cpu;              /* the worker's CPU; -1 for a guest slot */
    bool sleeping;        /* blocked waiting for work right now */
    uint64_t spawns;      /* tasks it pushed on its deque */
    uint64_t inline_runs; /* spawns run at once because its deque was full */
    uint64_t tasks;       /* tasks it ran from a deque (its own or stolen) */
    uint64_t steals;      /* tasks it took from another deque */
    uint64_t steal_fails; /* rounds over every other deque that found nothing */
    uint64_t sleeps;      /* times it blocked for lack of work */
};

/* Workers started (0 before kite_task_init or the first spawn). */
unsigned int kite_task_workers(void);
/* Workers plus guest slots: the indices kite_task_stats takes. */
unsigned int kite_task_slots(void);

/*
 * Statistics of slot @i: workers first (0..kite_task_workers()-1), then the
 * guest slots. 0, -KITE_EINVAL for a NULL @out, -KITE_ENODEV past the end.
 * Counters are read without stopping anyone: each is exact, the set is not
 * one instant.
 */
int kite_task_stats(unsigned int i, struct kite_task_stats *out);
