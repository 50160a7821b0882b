/* SPDX-License-Identifier: MIT */
/*
 * Time for the boot log and boot-time figures: the TSC, counted from kernel
 * entry (boot/entry.S reads it first thing). Its rate comes from CPUID leaf
 * 0x15 when the CPU states it (arch_time_init, first thing in the boot).
 * Otherwise arch_time_calibrate, once ACPI and kite_ioremap exist, measures
 * it over HPET_CALIBRATE_US of the HPET's counter, else over a
 * CONFIG_TSC_CALIBRATE_MS window of the PIT's channel 2 (its gate is
 * software-controlled and it needs no interrupt), else guesses 1 GHz with a
 * warning. Until then kite_time_ns() reads 0. It converts with a multiply
 * and shift, so it never divides.
 */
#define KITE_LOG_PREFIX "time: "

#include <kite/arch.h>
#include <kite/partition.h>
#include <kite/printk.h>

#include <arch/hpet.h>

#define PIT_HZ   1193182u
#define PIT_CH2  0x42
#define PIT_CMD  0x43
#define PIT_GATE 0x61 /* bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 output */

/* Window of the HPET to count TSC ticks over: its counter is exact, so 1 ms is plenty. */
#define HPET_CALIBRATE_US 1000
/* Before calibration: no TSC runs faster, so a wait computed from it lasts at least as asked. */
#define TSC_KHZ_UNCALIBRATED 10000000ull

uint64_t arch_tsc_khz;
static uint64_t ns_mult; /* ns = (ticks * ns_mult) >> 32; 0 until the rate is known */

static uint64_t tsc_khz_from_cpuid(void)
{
    uint32_t max, a, b, c, d;

    arch_cpuid(0, 0, &max, &b, &c, &d);
    if (max < 0x15) {
        return 0;
    }
    arch_cpuid(0x15, 0, &a, &b, &c, &d);
    if (a == 0 || b == 0 || c == 0) {
        return 0;
    }
    return (uint64_t)c * b / a / 1000;
}

/* TSC ticks over @ms milliseconds of PIT channel 2, or 0 if the PIT does not count. */
static uint64_t tsc_khz_from_pit(unsigned int ms)
{
    uint32_t count = PIT_HZ * ms / 1000;
    uint8_t gate = arch_inb(PIT_GATE);
    uint64_t start, now, limit;

    arch_outb(PIT_GATE, (gate & ~0x02) & ~0x01); /* speaker off, gate low */
    arch_outb(PIT_CMD, 0xb0);                    /* channel 2, lo/hi byte, mode 0 */
    arch_outb(PIT_CH2, count & 0xff);
    arch_outb(PIT_CH2, (count >> 8) & 0xff);
    arch_outb(PIT_GATE, (gate & ~0x02) | 0x01); /* gate high: counting starts */

    start = arch_tsc();
    /* A TSC faster than 100 GHz is not a thing: bound the wait. */
    limit = (uint64_t)ms * 100000000ull;
    do {
        now = arch_tsc();
        if (now - start > limit) {
            arch_outb(PIT_GATE, gate);
            return 0;
        }
    } while (!(arch_inb(PIT_GATE) & 0x20));
    arch_outb(PIT_GATE, gate);
    return (now - start) / ms;
}

/*
 * Read the HPET between two TSC reads: the TSC value returned is the
 * midpoint, *@spread how far apart the two were (how uncertain the pairing is).
 */
static uint64_t hpet_sample(uint64_t *tsc, uint64_t *spread)
{
    uint64_t before = arch_tsc(), hpet = arch_hpet_read(), after = arch_tsc();

    *tsc = before + (after - before) / 2;
    *spread = after - before;
    return hpet;
}

/* TSC ticks per ms over @us microseconds of the HPET, or 0 when it does not keep up. */
static uint64_t tsc_khz_from_hpet(unsigned int us)
{
    uint64_t window = (uint64_t)us * 1000000000ull / arch_hpet_period_fs();
    uint64_t best = 0, best_spread = ~0ull;

    /* A pairing stretched by an interrupt or a host preemption is measured again. */
    for (int attempt = 0; attempt < 3; attempt++) {
        uint64_t t0, t1, s0, s1, h1;
        uint64_t h0 = hpet_sample(&t0, &s0);
        /* A TSC faster than 100 GHz is not a thing: bound the wait. */
        uint64_t limit = (uint64_t)us * 100000ull;

        do {
            h1 = hpet_sample(&t1, &s1);
            if (t1 - t0 > limit) {
                return 0;
            }
        } while (h1 - h0 < window);
        if (s0 + s1 < best_spread) {
            best_spread = s0 + s1;
            /* Within the bounds above: at most 10^8 ticks over about 10^6 ns. */
            best = (t1 - t0) * 1000000u / arch_hpet_ticks_to_ns(h1 - h0);
        }
        if (best_spread * 1000 < t1 - t0) {
            break; /* within 0.1% */
        }
    }
    return best;
}

void arch_time_set_khz(uint64_t khz, const char *source)
{
    ns_mult = (1000000ull << 32) / khz;
    arch_tsc_khz = khz;
    kite_pr_info("TSC at %llu.%03llu MHz (from %s)\n", (unsigned long long)khz / 1000,
                 (unsigned long long)khz % 1000, source);
}

void arch_time_init(void)
{
    uint64_t khz = tsc_khz_from_cpuid();

    if (khz) {
        arch_time_set_khz(khz, "CPUID leaf 0x15");
        return;
    }
    /* Measured later (arch_time_calibrate); waits until then run long rather than short. */
    arch_tsc_khz = TSC_KHZ_UNCALIBRATED;
}

void arch_time_calibrate(void)
{
    bool hpet;
    uint64_t khz = 0;

    if (kite_partition()) {
        return; /* the host gave the rate; its HPET and PIT are not Kite's */
    }
    /* Started even when CPUID gave the rate: it is a reference clock for tests and drivers. */
    hpet = arch_hpet_init() == 0;

    if (ns_mult) {
        return;
    }
    if (hpet) {
        khz = tsc_khz_from_hpet(HPET_CALIBRATE_US);
        if (khz) {
            arch_time_set_khz(khz, "the HPET");
            return;
        }
        kite_pr_warn("the HPET did not keep pace with the TSC; trying the PIT\n");
    }
    khz = tsc_khz_from_pit(CONFIG_TSC_CALIBRATE_MS);
    if (khz) {
        arch_time_set_khz(khz, "the PIT");
        return;
    }
    kite_pr_warn("TSC rate unknown (no CPUID 0x15, HPET or counting PIT); assuming 1 GHz\n");
    ns_mult = (1000000ull << 32) / 1000000;
    arch_tsc_khz = 1000000;
}

uint64_t arch_tsc_to_ns(uint64_t ticks)
{
    return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> 32);
}

uint64_t kite_time_ns(void)
{
    return arch_tsc_to_ns(arch_tsc() - arch_boot_tsc);
}
