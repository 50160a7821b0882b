/* SPDX-License-Identifier: MIT */
/*
 * time.h and sched.h over Kite's clock (kite_time_ns), sleep (kite_sleep_ns)
 * and scheduler.
 */
#include <errno.h>
#include <sched.h>
#include <sys/time.h>
#include <time.h>

#include <kite/arch.h>
#include <kite/thread.h>
#include <kite/timer.h>
#include <kite/walltime.h>

#define NS_PER_SEC 1000000000L

int clock_gettime(clockid_t clock, struct timespec *ts)
{
    uint64_t ns;

    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC) {
        errno = EINVAL;
        return -1;
    }
    ns = clock == CLOCK_REALTIME ? kite_time_real_ns() : kite_time_ns();
    ts->tv_sec = (time_t)(ns / NS_PER_SEC);
    ts->tv_nsec = (long)(ns % NS_PER_SEC);
    return 0;
}

int clock_getres(clockid_t clock, struct timespec *res)
{
    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC) {
        errno = EINVAL;
        return -1;
    }
    if (res) {
        res->tv_sec = 0;
        res->tv_nsec = 1;
    }
    return 0;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
    if (req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= NS_PER_SEC) {
        errno = EINVAL;
        return -1;
    }
    kite_sleep_ns((uint64_t)req->tv_sec * NS_PER_SEC + (uint64_t)req->tv_nsec);
    if (rem) {
        rem->tv_sec = 0;
        rem->tv_nsec = 0;
    }
    return 0;
}

int sched_yield(void)
{
    kite_thread_yield();
    return 0;
}

int sched_getcpu(void)
{
    return (int)kite_cpu();
}

time_t time(time_t *t)
{
    time_t now = (time_t)(kite_time_real_ns() / NS_PER_SEC);

    if (t) {
        *t = now;
    }
    return now;
}

clock_t clock(void)
{
    return (clock_t)(kite_time_ns() / (NS_PER_SEC / CLOCKS_PER_SEC));
}

double difftime(time_t end, time_t start)
{
    return (double)end - (double)start;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    uint64_t ns = kite_time_real_ns();

    (void)tz;
    if (tv) {
        tv->tv_sec = (time_t)(ns / NS_PER_SEC);
        tv->tv_usec = (suseconds_t)(ns % NS_PER_SEC / 1000);
    }
    return 0;
}
