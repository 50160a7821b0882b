/* SPDX-License-Identifier: MIT */
/*
 * Time for the boot log and boot-time figures: the TSC, counted from kernel
 * entry (boot/entry.S reads it first thing). Its rate comes from CPUID leaf
 * 0x15 when the CPU states it, else from a CONFIG_TSC_CALIBRATE_MS window of
 * the PIT's channel 2 (its gate is software-controlled and it needs no
 * interrupt), else a 1 GHz guess with a warning. kite_time_ns() converts with
 * a multiply and shift, so it never divides.
 */
#define KITE_LOG_PREFIX "time: "

#include <kite/arch.h>
#include <kite/printk.h>

#define PIT_HZ   1193182u
#define PIT_CH2  0x42
#define PIT_CMD  0x43
#define PIT_GATE 0x61 /* bit 0: channel 2 gate, bit 1: speaker, bit 5: channel 2 output */

uint64_t arch_tsc_khz;
static uint64_t ns_mult; /* ns = (ticks * ns_mult) >> 32 */

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

void arch_time_init(void)
{
    const char *source = "CPUID leaf 0x15";
    uint64_t khz = tsc_khz_from_cpuid();
    bool guessed = false;

    if (!khz) {
        source = "the PIT";
        khz = tsc_khz_from_pit(CONFIG_TSC_CALIBRATE_MS);
    }
    if (!khz) {
        guessed = true;
        khz = 1000000;
    }
    ns_mult = (1000000ull << 32) / khz;
    arch_tsc_khz = khz;
    if (guessed) {
        kite_pr_warn("TSC rate unknown (no CPUID 0x15, PIT not counting); assuming 1 GHz\n");
    } else {
        kite_pr_info("TSC at %llu.%03llu MHz (from %s)\n", (unsigned long long)khz / 1000,
                     (unsigned long long)khz % 1000, source);
    }
}

uint64_t kite_time_ns(void)
{
    uint64_t ticks = arch_tsc() - arch_boot_tsc;

    return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> 32);
}
