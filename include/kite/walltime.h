/* SPDX-License-Identifier: MIT */
/*
 * The wall clock (kernel/walltime.c, kernel/date.c). Kite reads the date
 * once at boot: from the CMOS real-time clock on a machine of its own, or
 * from the host's clock when it runs as a co-kernel (the boot parameters
 * carry the host's time and TSC at the same moment). From then on the wall
 * clock is that date plus kite_time_ns(), so it never jumps and is only as
 * right as the TSC rate; the CMOS clock gives whole seconds, so the date is
 * up to a second behind.
 */
#pragma once

#include <kite/types.h>

/* A date and time of day in UTC, proleptic Gregorian. */
struct kite_date {
    int year;
    unsigned int month; /* 1..12 */
    unsigned int day;   /* 1..31 */
    unsigned int hour, min, sec;
};

/*
 * Nanoseconds since 1970-01-01 00:00:00 UTC; when Kite found no wall clock,
 * the time since kernel entry (kite_time_ns()).
 */
uint64_t kite_time_real_ns(void);

/*
 * The kite_time_ns() reading at which the wall clock reads @real_ns: for
 * deadlines given on the wall clock (0 for a time before boot, UINT64_MAX
 * stays UINT64_MAX).
 */
uint64_t kite_time_real_to_mono(uint64_t real_ns);

/* Where the wall clock came from ("the CMOS clock", "the host"), or NULL when there is none. */
const char *kite_time_real_source(void);

/* Days from 1970-01-01 to @year-@month-@day (negative before it). No range check. */
int64_t kite_date_to_days(int year, unsigned int month, unsigned int day);

/* The date of @secs seconds after 1970-01-01 00:00:00 UTC. */
void kite_date_from_secs(int64_t secs, struct kite_date *out);

/* Whether @d names a real date and time of day (Feb 29 only in leap years; no leap seconds). */
bool kite_date_valid(const struct kite_date *d);

/* Called once, in kite_start (kernel/main.c), after the TSC rate is known. */
void kite_walltime_init(void);
