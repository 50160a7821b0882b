/* SPDX-License-Identifier: MIT */
/*
 * kite_parallel_reduce_TYPE over the generic kite_parallel_reduce: a chunk's
 * value is combined onto its accumulator. One definition for each type; the
 * double one is built in its own object, with SSE (objs.mk).
 */
#pragma once

#include <kite/errno.h>
#include <kite/task.h>

#define KITE_REDUCE_TYPED(name, T)                                                                 \
    struct name##_fns {                                                                            \
        kite_reduce_##name##_fn map;                                                               \
        kite_combine_##name##_fn combine;                                                          \
        void *arg;                                                                                 \
    };                                                                                             \
                                                                                                   \
    static void name##_map(int64_t lo, int64_t hi, void *acc, void *arg)                           \
    {                                                                                              \
        const struct name##_fns *f = arg;                                                          \
        T *a = acc;                                                                                \
                                                                                                   \
        *a = f->combine(*a, f->map(lo, hi, f->arg), f->arg);                                       \
    }                                                                                              \
                                                                                                   \
    static void name##_combine(void *acc, const void *other, void *arg)                            \
    {                                                                                              \
        const struct name##_fns *f = arg;                                                          \
        T *a = acc;                                                                                \
                                                                                                   \
        *a = f->combine(*a, *(const T *)other, f->arg);                                            \
    }                                                                                              \
                                                                                                   \
    int kite_parallel_reduce_##name(int64_t lo, int64_t hi, int64_t grain,                         \
                                    kite_reduce_##name##_fn map, kite_combine_##name##_fn combine, \
                                    T identity, T *result, void *arg)                              \
    {                                                                                              \
        struct name##_fns f = {map, combine, arg};                                                 \
                                                                                                   \
        if (!map || !combine) {                                                                    \
            return -KITE_EINVAL;                                                                   \
        }                                                                                          \
        return kite_parallel_reduce(lo, hi, grain, name##_map, name##_combine, &identity, result,  \
                                    sizeof(identity), &f);                                         \
    }
