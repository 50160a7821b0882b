/* SPDX-License-Identifier: MIT */
/* What the parts of rt/pthread share. */
#pragma once

#include <errno.h>
#include <stdint.h>
#include <time.h>

#include <kite/walltime.h>

#define PT_NS_PER_SEC 1000000000L

/* The read locks a thread holds (see rt/pthread/sync.c): kept in its struct __kite_pthread. */
#define PT_READ_SLOTS 8

struct pt_read_hold {
    void *rw; /* pthread_rwlock_t * */
    unsigned int n;
};

struct pt_reads {
    struct pt_read_hold h[PT_READ_SLOTS];
    unsigned int unnamed; /* holds past PT_READ_SLOTS, counted without names */
};

/* The calling thread's read holds. */
struct pt_reads *pt_self_reads(void);
/* Set in the __magic of an initialized attribute object (cleared by destroy). */
#define PT_ATTR_MAGIC 0x6b697465u

/* Kite's -KITE_E* are Linux's -E*: a POSIX error number from a Kite return code. */
static inline int pt_err(int rc)
{
    return rc < 0 ? -rc : rc;
}

/*
 * The kite_time_ns() deadline of the absolute time @ts on @clock:
 * CLOCK_MONOTONIC counts from boot as kite_time_ns() does, CLOCK_REALTIME is
 * the wall clock (<kite/walltime.h>). 0 or EINVAL (tv_nsec outside
 * 0..999999999). A time before boot gives deadline 0 (passed); a time past
 * 2^64 ns, no deadline.
 */
static inline int pt_deadline(clockid_t clock, const struct timespec *ts, uint64_t *deadline)
{
    if (!ts || ts->tv_nsec < 0 || ts->tv_nsec >= PT_NS_PER_SEC) {
        return EINVAL;
    }
    if (ts->tv_sec < 0) {
        *deadline = 0;
    } else if ((uint64_t)ts->tv_sec >= UINT64_MAX / PT_NS_PER_SEC - 1) {
        *deadline = UINT64_MAX;
    } else {
        *deadline = (uint64_t)ts->tv_sec * PT_NS_PER_SEC + (uint64_t)ts->tv_nsec;
    }
    if (clock == CLOCK_REALTIME) {
        *deadline = kite_time_real_to_mono(*deadline); /* Kite waits on kite_time_ns() */
    }
    return 0;
}
