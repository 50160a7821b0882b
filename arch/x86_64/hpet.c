/* SPDX-License-Identifier: MIT */
/*
 * The HPET's main counter: see <arch/hpet.h>. A free-running counter of at
 * least 10 MHz whose period the hardware states, so it measures time without
 * calibration of its own; the TSC is calibrated against it. A counter only
 * 32 bits wide is widened in software from the last value read.
 */
#define KITE_LOG_PREFIX "hpet: "

#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/mm.h>
#include <kite/printk.h>

#include <arch/hpet.h>

#include "../../kernel/acpi.h"

#define REG_CAP             0x000 /* bits 32-63: period (fs); 13: 64-bit counter; 8-12: timers - 1 */
#define REG_CONFIG          0x010
#define REG_COUNTER         0x0f0
#define REG_TIMER_CONFIG(n) (0x100 + 0x20 * (n))
#define REGS_SIZE           0x400 /* the spec's register block */
#define MAX_TIMERS          24    /* as many as fit in it */

#define CAP_COUNTER_64   (1ull << 13)
#define CFG_ENABLE       (1ull << 0)
#define CFG_LEGACY_ROUTE (1ull << 1) /* timers 0 and 1 take IRQs 0 and 8 from PIT and RTC */
#define TIMER_INT_ENABLE (1ull << 2)

/* The spec's bounds: a period of at most 100 ns (a 10 MHz counter), and not 0. */
#define MAX_PERIOD_FS 100000000ull
/* Up to 10 ms at a 1 GHz TSC for a counter of at least 10 MHz to move at all. */
#define TICK_WAIT_TSC 10000000ull

static volatile uint64_t *regs;
static bool ready; /* the HPET is usable: set once, after everything below */
static uint64_t period_fs;
static uint64_t ns_mult; /* ns = (ticks * ns_mult) >> 32: the kernel has no 128-bit divide */
static bool counter64;
static uint64_t last32; /* 32-bit counters: the last value read, widened to 64 bits */
static int init_rc = 1; /* 1 until arch_hpet_init has run */

static uint64_t rd(unsigned int reg)
{
    return regs[reg / 8];
}

static void wr(unsigned int reg, uint64_t v)
{
    regs[reg / 8] = v;
}

uint64_t arch_hpet_read(void)
{
    uint64_t last, next;
    uint32_t delta;

    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
        return 0;
    }
    if (counter64) {
        return rd(REG_COUNTER);
    }
    /*
     * Widen: the counter moved on by (now - last) mod 2^32. A read that lost
     * a race with a later one on another CPU looks like a move of almost a
     * whole wrap; keep the later value then, so the result never goes back.
     */
    last = __atomic_load_n(&last32, __ATOMIC_ACQUIRE);
    do {
        delta = (uint32_t)rd(REG_COUNTER) - (uint32_t)last;
        if (delta >= 0x80000000u) {
            return last;
        }
        next = last + delta;
    } while (!__atomic_compare_exchange_n(&last32, &last, next, false, __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE));
    return next;
}

uint64_t arch_hpet_period_fs(void)
{
    return arch_hpet_ready() ? period_fs : 0;
}

uint64_t arch_hpet_ticks_to_ns(uint64_t ticks)
{
    return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> 32);
}

bool arch_hpet_ready(void)
{
    return __atomic_load_n(&ready, __ATOMIC_ACQUIRE);
}

/* True when the counter moves within TICK_WAIT_TSC TSC ticks. */
static bool counter_moves(void)
{
    uint64_t start = arch_tsc();
    uint32_t first = (uint32_t)rd(REG_COUNTER);

    while ((uint32_t)rd(REG_COUNTER) == first) {
        if (arch_tsc() - start > TICK_WAIT_TSC) {
            return false;
        }
        arch_pause();
    }
    return true;
}

static int probe(void)
{
    uint64_t cap, fs, khz;
    unsigned int timers;

    if (!kite_acpi.has_hpet) {
        kite_pr_info("no HPET in the ACPI tables\n");
        return -KITE_ENODEV;
    }
    regs = kite_ioremap(kite_acpi.hpet_addr, REGS_SIZE);
    if (!regs) {
        kite_pr_warn("no address space to map the HPET at %#llx; not used\n",
                     (unsigned long long)kite_acpi.hpet_addr);
        return -KITE_ENODEV;
    }
    cap = rd(REG_CAP);
    fs = cap >> 32;
    if (cap == ~0ull || fs == 0 || fs > MAX_PERIOD_FS) {
        kite_pr_warn("HPET at %#llx states a counter period of %llu fs (the spec allows "
                     "1..%llu); not used\n",
                     (unsigned long long)kite_acpi.hpet_addr, (unsigned long long)fs,
                     MAX_PERIOD_FS);
        return -KITE_ENODEV;
    }
    /* Only the counter is used: no timer may interrupt, and the PIT and RTC keep their IRQs. */
    timers = KITE_MIN((unsigned int)((cap >> 8) & 0x1f) + 1, MAX_TIMERS);
    for (unsigned int n = 0; n < timers; n++) {
        wr(REG_TIMER_CONFIG(n), rd(REG_TIMER_CONFIG(n)) & ~TIMER_INT_ENABLE);
    }
    wr(REG_CONFIG, (rd(REG_CONFIG) & ~CFG_LEGACY_ROUTE) | CFG_ENABLE);
    if (!counter_moves()) {
        kite_pr_warn("HPET at %#llx: the main counter does not count; not used\n",
                     (unsigned long long)kite_acpi.hpet_addr);
        return -KITE_ENODEV;
    }
    period_fs = fs;
    ns_mult = (fs << 32) / 1000000u; /* fs < 2^27: no overflow */
    counter64 = (cap & CAP_COUNTER_64) != 0;
    last32 = (uint32_t)rd(REG_COUNTER);
    __atomic_store_n(&ready, true, __ATOMIC_RELEASE);
    khz = 1000000000000ull / fs;
    kite_pr_info("HPET at %#llx: %u timers, %u-bit counter at %llu.%03llu MHz\n",
                 (unsigned long long)kite_acpi.hpet_addr, timers, counter64 ? 64 : 32,
                 (unsigned long long)khz / 1000, (unsigned long long)khz % 1000);
    return 0;
}

int arch_hpet_init(void)
{
    /* The boot CPU calls it before the others start: no race on init_rc. */
    if (init_rc == 1) {
        init_rc = probe();
    }
    return init_rc;
}
