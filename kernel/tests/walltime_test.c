/* SPDX-License-Identifier: MIT */
/*
 * The wall clock in a booted kernel: it runs at kite_time_ns()'s pace (the
 * offset between the two stays put), it names where it came from, and the
 * date it gives is a real one in the years the CMOS clock can hold (QEMU's
 * clock is the host's time, or a partition's host's). The calendar itself
 * is tested on the host against glibc (date_utest.c); the QEMU boots tier
 * sets QEMU's clock to a known date and reads it back with `date`.
 */
#include <kite/arch.h>
#include <kite/partition.h>
#include <kite/string.h>
#include <kite/test.h>
#include <kite/timer.h>
#include <kite/walltime.h>

#define NS_PER_SEC 1000000000ull

KITE_TEST(time, wall_clock_keeps_pace_and_names_its_source)
{
    uint64_t m0 = kite_time_ns(), r0 = kite_time_real_ns(), m1, r1;
    const char *src = kite_time_real_source();
    struct kite_date d;

    kite_sleep_ns(20 * 1000000ull);
    m1 = kite_time_ns();
    r1 = kite_time_real_ns();
    /* Read a moment apart (a host may stall the CPU between), so allow 50 ms either way. */
    KITE_EXPECT(r1 - r0 >= 20 * 1000000ull);
    KITE_EXPECT((r1 - m1) - (r0 - m0) + 50000000ull <= 100000000ull);
    if (!src) {
        KITE_EXPECT_EQ(r0 - m0, 0); /* no wall clock: time since boot */
        return;
    }
    KITE_EXPECT(strcmp(src, kite_partition() ? "the host" : "the CMOS clock") == 0);
    kite_date_from_secs((int64_t)(r1 / NS_PER_SEC), &d);
    KITE_EXPECT(kite_date_valid(&d));
    KITE_EXPECT(d.year >= 2000 && d.year <= 2099);
    KITE_EXPECT_EQ(kite_date_to_days(d.year, d.month, d.day), (int64_t)(r1 / NS_PER_SEC / 86400));
}
