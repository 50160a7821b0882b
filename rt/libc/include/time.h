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
typedef long clock_t;

#define CLOCKS_PER_SEC 1000000L

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

/* Seconds of CLOCK_REALTIME (since kernel entry, see above), also into *@t when given. */
time_t time(time_t *t);
/*
 * Processor time, in CLOCKS_PER_SEC units: Kite keeps no per-program CPU
 * account (the program is all there is), so this is CLOCK_MONOTONIC's time
 * since kernel entry, as the wall time an unmodified benchmark measures.
 */
clock_t clock(void);
double difftime(time_t end, time_t start);
