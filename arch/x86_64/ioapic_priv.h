/* SPDX-License-Identifier: MIT */
/*
 * Private to the IOAPIC code (arch/x86_64/ioapic.c) and its host test: how an
 * ISA IRQ reaches a GSI under the MADT's interrupt source overrides, and the
 * 64-bit redirection entry for a route. Pure logic, no register access.
 */
#pragma once

#include <kite/types.h>

#include "../../kernel/acpi.h"

/* Redirection entry bits (82093AA datasheet, 3.2.4); delivery mode 000 (fixed), physical. */
#define IOAPIC_RTE_ACTIVE_LOW (1ull << 13)
#define IOAPIC_RTE_LEVEL      (1ull << 15)
#define IOAPIC_RTE_MASKED     (1ull << 16)
#define IOAPIC_RTE_DEST_SHIFT 56

/* MPS INTI flags, as the MADT's overrides carry them. */
#define INTI_POLARITY_MASK 0x3u
#define INTI_ACTIVE_HIGH   0x1u
#define INTI_ACTIVE_LOW    0x3u
#define INTI_TRIGGER_MASK  0xcu
#define INTI_EDGE          0x4u
#define INTI_LEVEL         0xcu

#define ISA_IRQS 16

struct ioapic_line {
    uint32_t gsi;
    bool level;
    bool active_low;
};

/*
 * ISA IRQ @irq (< 16) as the @n overrides @ov say it is wired: without an
 * override it is GSI @irq, edge, active high (the ISA bus's own convention),
 * and so is a flag field that says "conforms to the bus" (00) or holds the
 * reserved value 10. Only overrides of bus 0 (ISA) count.
 */
static inline struct ioapic_line ioapic_isa_line(const struct kite_acpi_override *ov,
                                                 unsigned int n, unsigned int irq)
{
    struct ioapic_line line = {irq, false, false};

    for (unsigned int i = 0; i < n; i++) {
        if (ov[i].bus != 0 || ov[i].source != irq) {
            continue;
        }
        line.gsi = ov[i].gsi;
        line.active_low = (ov[i].flags & INTI_POLARITY_MASK) == INTI_ACTIVE_LOW;
        line.level = (ov[i].flags & INTI_TRIGGER_MASK) == INTI_LEVEL;
        break;
    }
    return line;
}

/* The redirection entry that delivers @vector to the CPU with xAPIC ID @apic_id. */
static inline uint64_t ioapic_rte(uint8_t vector, uint8_t apic_id, bool level, bool active_low,
                                  bool masked)
{
    uint64_t rte = vector | ((uint64_t)apic_id << IOAPIC_RTE_DEST_SHIFT);

    if (level) {
        rte |= IOAPIC_RTE_LEVEL;
    }
    if (active_low) {
        rte |= IOAPIC_RTE_ACTIVE_LOW;
    }
    if (masked) {
        rte |= IOAPIC_RTE_MASKED;
    }
    return rte;
}
