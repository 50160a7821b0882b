/* SPDX-License-Identifier: MIT */
/*
 * kite_parallel_for and kite_parallel_reduce over spawn and sync: a range
 * is halved, the upper half spawned and the lower half handled by the same
 * thread, down to chunks of at most grain indices. Each split is one frame
 * on the splitting thread's stack (no allocation), and the recursion is at
 * most 64 deep: the length halves every time.
 */
#include <kite/errno.h>
#include <kite/string.h>
#include <kite/task.h>

#include "reduce_typed.h"

/* The upper half's first index; lo < hi. Unsigned arithmetic: hi - lo may not fit an int64_t. */
static int64_t middle(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(((uint64_t)hi - (uint64_t)lo) / 2);
}

static bool small(int64_t lo, int64_t hi, int64_t grain)
{
    return (uint64_t)hi - (uint64_t)lo <= (uint64_t)grain;
}

struct pfor {
    kite_range_fn fn;
    void *arg;
    int64_t grain;
};

struct pfor_half {
    const struct pfor *p;
    int64_t lo, hi;
};

static void pfor_run(const struct pfor *p, int64_t lo, int64_t hi);

static void pfor_task(void *arg)
{
    const struct pfor_half *h = arg;

    pfor_run(h->p, h->lo, h->hi);
}

static void pfor_run(const struct pfor *p, int64_t lo, int64_t hi)
{
    struct kite_task_group g = KITE_TASK_GROUP_INIT;
    struct pfor_half upper;

    if (small(lo, hi, p->grain)) {
        p->fn(lo, hi, p->arg);
        return;
    }
    upper = (struct pfor_half){p, middle(lo, hi), hi};
    (void)kite_task_spawn(&g, pfor_task, &upper);
    pfor_run(p, lo, upper.lo);
    (void)kite_task_sync(&g);
}

int kite_parallel_for(int64_t lo, int64_t hi, int64_t grain, kite_range_fn fn, void *arg)
{
    struct pfor p = {fn, arg, grain};

    if (!fn || hi < lo || grain < 1) {
        return -KITE_EINVAL;
    }
    if (lo < hi) {
        pfor_run(&p, lo, hi);
    }
    return 0;
}

struct reduce {
    kite_reduce_map_fn map;
    kite_reduce_combine_fn combine;
    const void *identity;
    size_t size;
    void *arg;
    int64_t grain;
};

struct reduce_half {
    const struct reduce *r;
    int64_t lo, hi;
    unsigned char acc[KITE_REDUCE_MAX] KITE_ALIGNED(16);
};

static void reduce_run(const struct reduce *r, int64_t lo, int64_t hi, void *acc);

static void reduce_task(void *arg)
{
    struct reduce_half *h = arg;

    reduce_run(h->r, h->lo, h->hi, h->acc);
}

static void reduce_run(const struct reduce *r, int64_t lo, int64_t hi, void *acc)
{
    struct kite_task_group g = KITE_TASK_GROUP_INIT;
    struct reduce_half upper;

    if (small(lo, hi, r->grain)) {
        r->map(lo, hi, acc, r->arg);
        return;
    }
    upper.r = r;
    upper.lo = middle(lo, hi);
    upper.hi = hi;
    memcpy(upper.acc, r->identity, r->size);
    (void)kite_task_spawn(&g, reduce_task, &upper);
    reduce_run(r, lo, upper.lo, acc);
    (void)kite_task_sync(&g);
    /* Left with right, always: the tree depends on lo, hi and grain only. */
    r->combine(acc, upper.acc, r->arg);
}

int kite_parallel_reduce(int64_t lo, int64_t hi, int64_t grain, kite_reduce_map_fn map,
                         kite_reduce_combine_fn combine, const void *identity, void *result,
                         size_t size, void *arg)
{
    struct reduce r = {map, combine, identity, size, arg, grain};
    unsigned char acc[KITE_REDUCE_MAX] KITE_ALIGNED(16);

    if (!map || !combine || !identity || !result || size < 1 || size > KITE_REDUCE_MAX || hi < lo ||
        grain < 1) {
        return -KITE_EINVAL;
    }
    memcpy(acc, identity, size);
    if (lo < hi) {
        reduce_run(&r, lo, hi, acc);
    }
    memcpy(result, acc, size);
    return 0;
}

/* kite_parallel_reduce_u64 over the generic one (reduce_typed.h). */
KITE_REDUCE_TYPED(u64, uint64_t)
