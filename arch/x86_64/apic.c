/* SPDX-License-Identifier: MIT */
/*
 * The local APIC in xAPIC mode: see <arch/apic.h>. Every wait on the APIC
 * is bounded, so a machine that never answers gives an error, not a hang.
 */
#define KITE_LOG_PREFIX "apic: "

#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/mm.h>
#include <kite/printk.h>

#include <arch/apic.h>

#include "../../kernel/acpi.h"

#define REG_ID       0x20
#define REG_EOI      0xb0
#define REG_SVR      0xf0
#define REG_ICR_LO   0x300
#define REG_ICR_HI   0x310
#define SVR_ENABLE   0x100
#define ICR_PENDING  (1u << 12)
#define ICR_INIT     0x4500 /* INIT, level assert */
#define ICR_STARTUP  0x4600 /* STARTUP, vector in the low byte */
#define ICR_FIXED    0x4000 /* fixed delivery, assert */
#define DEFAULT_BASE 0xfee00000ull

static volatile uint32_t *lapic;

static uint32_t rd(unsigned int reg)
{
    return lapic[reg / 4];
}

static void wr(unsigned int reg, uint32_t v)
{
    lapic[reg / 4] = v;
}

void arch_udelay(uint64_t us)
{
    uint64_t start = arch_tsc(), ticks = us * arch_tsc_khz / 1000;

    while (arch_tsc() - start < ticks) {
        arch_pause();
    }
}

/* The two 8259s, when the machine has them: masked, so only the APIC delivers interrupts. */
static void mask_legacy_pic(void)
{
    if (kite_acpi.has_madt && !kite_acpi.pcat_compat) {
        return;
    }
    arch_outb(0x21, 0xff);
    arch_outb(0xa1, 0xff);
}

int arch_lapic_init(void)
{
    if (!lapic) {
        mask_legacy_pic();
        uint64_t base = kite_acpi.lapic_addr ? kite_acpi.lapic_addr : DEFAULT_BASE;

        lapic = kite_ioremap(base, 4096);
        if (!lapic) {
            return -KITE_ENODEV;
        }
    }
    wr(REG_SVR, SVR_ENABLE | ARCH_VECTOR_SPURIOUS);
    return 0;
}

uint32_t arch_lapic_id(void)
{
    return rd(REG_ID) >> 24;
}

void arch_lapic_eoi(void)
{
    wr(REG_EOI, 0);
}

/* Send and wait until the APIC has taken it; false when it never does (1 ms). */
static bool icr_send(uint32_t apic_id, uint32_t low)
{
    uint64_t start = arch_tsc(), limit = arch_tsc_khz; /* 1 ms */

    wr(REG_ICR_HI, apic_id << 24);
    wr(REG_ICR_LO, low);
    while (rd(REG_ICR_LO) & ICR_PENDING) {
        if (arch_tsc() - start > limit) {
            return false;
        }
        arch_pause();
    }
    return true;
}

int arch_lapic_start_cpu(uint32_t apic_id, uint8_t vector)
{
    if (!icr_send(apic_id, ICR_INIT)) {
        return -KITE_ETIMEDOUT;
    }
    arch_udelay(10000);
    for (int i = 0; i < 2; i++) {
        if (!icr_send(apic_id, ICR_STARTUP | vector)) {
            return -KITE_ETIMEDOUT;
        }
        arch_udelay(200);
    }
    return 0;
}

void arch_lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
    (void)icr_send(apic_id, ICR_FIXED | vector);
}
