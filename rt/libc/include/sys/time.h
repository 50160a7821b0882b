/* SPDX-License-Identifier: MIT */
/*
 * gettimeofday, which benchmarks (STREAM's mysecond, NAS's wtime) use for
 * their timers (rt/libc/time.c): CLOCK_REALTIME in microseconds, so time
 * since kernel entry (see time.h).
 */
#pragma once

#include <time.h>

typedef long suseconds_t;

struct timeval {
    time_t tv_sec;
    suseconds_t tv_usec;
};

/* Always 0; @tz (obsolete) is ignored and may be NULL. */
int gettimeofday(struct timeval *restrict tv, void *restrict tz);
