/* SPDX-License-Identifier: MIT */
/*
 * kite_parallel_reduce_double over the generic reduction. Built with SSE
 * (objs.mk drops -mgeneral-regs-only): doubles travel in SSE registers.
 */
#include <kite/errno.h>
#include <kite/task.h>

struct double_fns {
    kite_reduce_double_fn map;
    kite_combine_double_fn combine;
    void *arg;
};

static void double_map(int64_t lo, int64_t hi, void *acc, void *arg)
{
    const struct double_fns *f = arg;
    double *a = acc;

    *a = f->combine(*a, f->map(lo, hi, f->arg), f->arg);
}

static void double_combine(void *acc, const void *other, void *arg)
{
    const struct double_fns *f = arg;
    double *a = acc;

    *a = f->combine(*a, *(const double *)other, f->arg);
}

int kite_parallel_reduce_double(int64_t lo, int64_t hi, int64_t grain, kite_reduce_double_fn map,
                                kite_combine_double_fn combine, double identity, double *result,
                                void *arg)
{
    struct double_fns f = {map, combine, arg};

    if (!map || !combine) {
        return -KITE_EINVAL;
    }
    return kite_parallel_reduce(lo, hi, grain, double_map, double_combine, &identity, result,
                                sizeof(identity), &f);
}
