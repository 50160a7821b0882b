/* SPDX-License-Identifier: MIT */
/*
 * IOAPIC routing, end to end: the PIT's channel 0 fires one interrupt (mode
 * 0, a one-shot) on ISA IRQ 0, which QEMU's MADT overrides to GSI 2; routed,
 * it must arrive at the chosen CPU and no other, and masked, nowhere. Bad
 * routes are refused with the documented error.
 */
#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/partition.h>
#include <kite/test.h>

#include <arch/ioapic.h>

#include "../../../kernel/acpi.h"

#define PIT_CH0    0x40
#define PIT_CMD    0x43
#define PIT_VECTOR (ARCH_VECTOR_ISA_BASE + 0)
#define ONE_MS     1193 /* PIT ticks */
#define WAIT_MS    200  /* for an interrupt due in 1 ms: TCG on a busy host is slow */

static void pit_irq(struct arch_regs *regs, void *ctx)
{
    (void)regs;
    (void)ctx;
    arch_irq_eoi();
}

/* Channel 0 in mode 0, stopped: its output is low until a count is written. */
static void pit_stop(void)
{
    arch_outb(PIT_CMD, 0x30); /* channel 0, lo/hi byte, mode 0, binary */
}

/* Start the count: the output rises, once, after @count ticks (0.84 us each). */
static void pit_fire(uint16_t count)
{
    arch_outb(PIT_CH0, count & 0xff);
    arch_outb(PIT_CH0, count >> 8);
}

/* Whether channel 0's output has risen (the read-back command, status only). */
static bool pit_out_high(void)
{
    arch_outb(PIT_CMD, 0xe2);
    return arch_inb(PIT_CH0) & 0x80;
}

/*
 * Wait until the count has run out (up to WAIT_MS), then @ms more: the
 * emulator raises the edge from its main loop, which a busy host may run
 * late.
 */
static void wait_out_high(unsigned int ms)
{
    uint64_t start = arch_tsc(), limit = WAIT_MS * arch_tsc_khz;
    bool was_on = arch_irq_enabled();

    arch_irq_enable(); /* so that an interrupt that should not come, could */
    while (!pit_out_high() && arch_tsc() - start < limit) {
        arch_pause();
    }
    start = arch_tsc();
    while (arch_tsc() - start < ms * arch_tsc_khz) {
        arch_pause();
    }
    if (!was_on) {
        arch_irq_disable();
    }
}

static uint64_t count_all(void)
{
    uint64_t n = 0;

    for (unsigned int cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
        n += arch_irq_count(cpu, PIT_VECTOR);
    }
    return n;
}

/* Wait, with interrupts on, until CPU @cpu took @want PIT interrupts or @ms passed. */
static bool wait_for(unsigned int cpu, uint64_t want, unsigned int ms)
{
    uint64_t start = arch_tsc(), limit = ms * arch_tsc_khz;
    bool was_on = arch_irq_enabled(), seen;

    arch_irq_enable();
    while (!(seen = arch_irq_count(cpu, PIT_VECTOR) >= want) && arch_tsc() - start < limit) {
        arch_pause();
    }
    if (!was_on) {
        arch_irq_disable();
    }
    return seen;
}

KITE_TEST(ioapic, every_ioapic_mapped)
{
    KITE_SKIP_IF(kite_partition(), "a partition has no IOAPIC (the host's)");
    KITE_ASSERT(kite_acpi.nioapics >= 1);
    /* QEMU's IOAPIC has 24 lines; each listed one must answer. */
    KITE_EXPECT(arch_ioapic_gsi_count() >= 24);
}

KITE_TEST(ioapic, isa_override_applied)
{
    KITE_SKIP_IF(kite_partition(), "a partition has no IOAPIC (the host's)");
    uint32_t gsi = 0;
    bool level = true, active_low = true;

    KITE_ASSERT(arch_ioapic_isa_to_gsi(0, &gsi, &level, &active_low) == 0);
    KITE_EXPECT_EQ(gsi, 2); /* QEMU: the PIT on IRQ 0 is wired to GSI 2 */
    KITE_EXPECT(!level);
    KITE_EXPECT(!active_low);
    /* IRQ 1 (the keyboard) has no override: itself, edge, active high. */
    KITE_ASSERT(arch_ioapic_isa_to_gsi(1, &gsi, &level, &active_low) == 0);
    KITE_EXPECT_EQ(gsi, 1);
    KITE_EXPECT(!level && !active_low);
    KITE_EXPECT_EQ(arch_ioapic_isa_to_gsi(16, &gsi, NULL, NULL), -KITE_EINVAL);
}

KITE_TEST(ioapic, pit_interrupt_reaches_the_chosen_cpu)
{
    KITE_SKIP_IF(kite_partition(), "a partition has no IOAPIC (the host's)");
    unsigned int targets[2] = {0, arch_cpus_online() - 1};
    uint32_t gsi;

    KITE_ASSERT(arch_irq_set_handler(PIT_VECTOR, pit_irq, NULL) == 0);
    KITE_ASSERT(arch_ioapic_isa_to_gsi(0, &gsi, NULL, NULL) == 0);
    for (unsigned int i = 0; i < 2; i++) {
        unsigned int cpu = targets[i];
        uint64_t mine, all;

        if (i == 1 && cpu == targets[0]) {
            break; /* one CPU */
        }
        pit_stop();
        KITE_ASSERT(arch_ioapic_route_isa(0, PIT_VECTOR, cpu) == 0);
        mine = arch_irq_count(cpu, PIT_VECTOR);
        all = count_all();
        pit_fire(ONE_MS);
        if (!wait_for(cpu, mine + 1, WAIT_MS)) {
            KITE_FAIL("no PIT interrupt on CPU %u within %u ms", cpu, WAIT_MS);
        }
        KITE_EXPECT_EQ(arch_irq_count(cpu, PIT_VECTOR), mine + 1);
        KITE_EXPECT_EQ(count_all(), all + 1); /* and on no other CPU */
        KITE_EXPECT_EQ(arch_ioapic_mask(gsi, true), 0);
    }
}

KITE_TEST(ioapic, masked_line_stays_quiet)
{
    KITE_SKIP_IF(kite_partition(), "a partition has no IOAPIC (the host's)");
    uint32_t gsi;
    uint64_t all;

    KITE_ASSERT(arch_irq_set_handler(PIT_VECTOR, pit_irq, NULL) == 0);
    KITE_ASSERT(arch_ioapic_isa_to_gsi(0, &gsi, NULL, NULL) == 0);
    pit_stop();
    KITE_ASSERT(arch_ioapic_route_isa(0, PIT_VECTOR, 0) == 0);
    KITE_ASSERT(arch_ioapic_mask(gsi, true) == 0);
    all = count_all();
    pit_fire(ONE_MS);
    /* Until the count ran out, then 50 times as long as the count: it would have come by now. */
    wait_out_high(50);
    KITE_EXPECT(pit_out_high());
    KITE_EXPECT_EQ(count_all(), all);
    /* An edge while masked is dropped, not held: unmasking brings nothing. */
    KITE_EXPECT_EQ(arch_ioapic_mask(gsi, false), 0);
    (void)wait_for(0, arch_irq_count(0, PIT_VECTOR) + 1, 10);
    KITE_EXPECT_EQ(count_all(), all);
    KITE_EXPECT_EQ(arch_ioapic_mask(gsi, true), 0);
}

KITE_TEST(ioapic, bad_routes_refused)
{
    KITE_SKIP_IF(kite_partition(), "a partition has no IOAPIC (the host's)");
    uint32_t nobody = arch_ioapic_gsi_count() + 1000;

    KITE_EXPECT_EQ(arch_ioapic_route_gsi(nobody, PIT_VECTOR, 0, false, false), -KITE_EINVAL);
    KITE_EXPECT_EQ(arch_ioapic_mask(nobody, true), -KITE_EINVAL);
    KITE_EXPECT_EQ(arch_ioapic_route_isa(0, PIT_VECTOR, arch_cpus_online()), -KITE_ENODEV);
    KITE_EXPECT_EQ(arch_ioapic_route_isa(0, PIT_VECTOR, CONFIG_NR_CPUS), -KITE_ENODEV);
    KITE_EXPECT_EQ(arch_ioapic_route_isa(0, ARCH_VECTOR_ISA_BASE - 1, 0), -KITE_EINVAL);
    KITE_EXPECT_EQ(arch_ioapic_route_isa(0, ARCH_VECTOR_TIMER, 0), -KITE_EINVAL);
    KITE_EXPECT_EQ(arch_ioapic_route_isa(16, PIT_VECTOR, 0), -KITE_EINVAL);
}
