/* SPDX-License-Identifier: MIT */
/*
 * Time: QEMU's q35 has an HPET and its counter counts; kite_time_ns() keeps
 * pace with it; and kite_time_ns() never goes back, neither on one CPU nor
 * from one CPU to the next.
 */
#include <kite/arch.h>
#include <kite/partition.h>
#include <kite/test.h>

#include <arch/hpet.h>

#define AGREE_MS    20
#define MONO_READS  20000
#define MONO_ROUNDS 3

KITE_TEST(time, hpet_found_and_counting)
{
    KITE_SKIP_IF(kite_partition(), "a partition has no HPET (the host's)");
    uint64_t h0, start = arch_tsc();

    KITE_ASSERT(arch_hpet_ready());
    KITE_EXPECT(arch_hpet_period_fs() > 0 && arch_hpet_period_fs() <= 100000000ull);
    h0 = arch_hpet_read();
    /* At 10 MHz or more it moves within a microsecond; allow a millisecond. */
    while (arch_hpet_read() == h0 && arch_tsc() - start < arch_tsc_khz) {
        arch_pause();
    }
    KITE_EXPECT(arch_hpet_read() > h0);
}

KITE_TEST(time, agrees_with_the_hpet)
{
    KITE_SKIP_IF(kite_partition(), "a partition has no HPET (the host's)");
    uint64_t h0, h1, t0, t1, hpet_ns, kite_ns, start = arch_tsc();

    KITE_ASSERT(arch_hpet_ready());
    t0 = kite_time_ns();
    h0 = arch_hpet_read();
    do {
        h1 = arch_hpet_read();
        t1 = kite_time_ns();
        /* A TSC rate far too low would make this wait forever: bound it on the TSC, 1 s. */
        if (arch_tsc() - start > 1000 * arch_tsc_khz) {
            break;
        }
    } while (arch_hpet_ticks_to_ns(h1 - h0) < AGREE_MS * 1000000ull);
    hpet_ns = arch_hpet_ticks_to_ns(h1 - h0);
    kite_ns = t1 - t0;
    /* Emulated clocks on a shared host: 10% is a sanity bound, not a precision claim. */
    if (kite_ns < hpet_ns - hpet_ns / 10 || kite_ns > hpet_ns + hpet_ns / 10) {
        KITE_FAIL("kite_time_ns() moved %llu ns while the HPET moved %llu ns",
                  (unsigned long long)kite_ns, (unsigned long long)hpet_ns);
    }
}

static volatile unsigned int went_back;

static void read_many(void *arg)
{
    uint64_t prev = kite_time_ns();

    (void)arg;
    for (unsigned int i = 0; i < MONO_READS; i++) {
        uint64_t now = kite_time_ns();

        if (now < prev) {
            __atomic_fetch_add(&went_back, 1, __ATOMIC_RELAXED);
        }
        prev = now;
    }
}

KITE_TEST(time, monotonic_on_each_cpu)
{
    went_back = 0;
    for (unsigned int cpu = 0; cpu < arch_cpus_online(); cpu++) {
        if (cpu == arch_cpu_id()) {
            read_many(NULL);
            continue;
        }
        KITE_ASSERT(arch_smp_call(cpu, read_many, NULL) == 0);
        KITE_ASSERT(arch_smp_wait(cpu, 5000) == 0);
    }
    KITE_EXPECT_EQ(went_back, 0);
}

static uint64_t last_seen;

/* Runs on one CPU at a time: time here must not be before what the previous CPU saw. */
static void check_after_last(void *arg)
{
    uint64_t last = __atomic_load_n(&last_seen, __ATOMIC_ACQUIRE);
    uint64_t now = kite_time_ns();

    (void)arg;
    if (now < last) {
        __atomic_fetch_add(&went_back, 1, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&last_seen, KITE_MAX(now, last), __ATOMIC_RELEASE);
}

KITE_TEST(time, monotonic_across_cpus)
{
    went_back = 0;
    last_seen = 0;
    for (unsigned int round = 0; round < MONO_ROUNDS; round++) {
        for (unsigned int cpu = 0; cpu < arch_cpus_online(); cpu++) {
            if (cpu == arch_cpu_id()) {
                check_after_last(NULL);
                continue;
            }
            KITE_ASSERT(arch_smp_call(cpu, check_after_last, NULL) == 0);
            KITE_ASSERT(arch_smp_wait(cpu, 5000) == 0);
        }
    }
    KITE_EXPECT(last_seen > 0);
    KITE_EXPECT_EQ(went_back, 0);
}
