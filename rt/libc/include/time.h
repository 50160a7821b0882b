/* SPDX-License-Identifier: MIT */
/*
 * Clocks and sleeping (rt/libc/time.c). Both clocks count from kernel entry
 * in nanoseconds (the calibrated TSC): Kite reads no wall clock yet, so
 * CLOCK_REALTIME is the same as CLOCK_MONOTONIC, not the date.
 */
#pragma once

#include <stddef.h>

typedef long time_t;
typedef int clockid_t;

struct timespec {
    time_t tv_sec;
    long tv_nsec;
};

#define CLOCK_REALTIME  0
#define CLOCK_MONOTONIC 1

/* 0, or -1 with errno EINVAL for another clock. */
int clock_gettime(clockid_t clock, struct timespec *ts);
int clock_getres(clockid_t clock, struct timespec *res);
/*
 * Sleep for @req (the calling thread blocks; other threads run). Nothing
 * interrupts a sleep, so *@rem (when given) is set to zero. -1 with errno
 * EINVAL when tv_nsec is outside 0..999999999 or tv_sec is negative.
 */
int nanosleep(const struct timespec *req, struct timespec *rem);
