/* SPDX-License-Identifier: MIT */
/*
 * The IOAPICs: device interrupt lines (global system interrupts, GSIs) routed
 * to a vector on one CPU. Every IOAPIC the MADT lists is mapped and all its
 * lines masked at the ARCH init level; a driver then routes its line and
 * installs its handler (arch_irq_set_handler), which sends the EOI.
 *
 * Each call returns 0 or: -KITE_ENODEV when the machine has no usable
 * IOAPIC (or the CPU is not online), -KITE_EINVAL for a GSI no IOAPIC serves,
 * an ISA IRQ above 15, a vector outside ARCH_VECTOR_ISA_BASE..
 * ARCH_VECTOR_DYNAMIC_LAST, or a CPU whose APIC ID an xAPIC destination
 * cannot name (above 255).
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

/*
 * Route GSI @gsi to @vector on CPU @cpu with the given trigger and polarity,
 * and unmask it. Routing a line again moves it.
 */
KITE_MUST_CHECK int arch_ioapic_route_gsi(uint32_t gsi, uint8_t vector, unsigned int cpu,
                                          bool level, bool active_low);

/*
 * Route ISA IRQ @irq (0-15) the way the MADT says it is wired (its interrupt
 * source override: GSI, trigger, polarity; else GSI @irq, edge, active high).
 * By convention @vector is ARCH_VECTOR_ISA_BASE + @irq.
 */
KITE_MUST_CHECK int arch_ioapic_route_isa(unsigned int irq, uint8_t vector, unsigned int cpu);

/*
 * The GSI ISA IRQ @irq arrives on, and its trigger and polarity (either
 * pointer may be NULL): 0 or -KITE_EINVAL (@irq above 15).
 */
int arch_ioapic_isa_to_gsi(unsigned int irq, uint32_t *gsi, bool *level, bool *active_low);

/* Mask or unmask GSI @gsi, keeping its route. */
int arch_ioapic_mask(uint32_t gsi, bool masked);

/* How many GSIs the IOAPICs serve in all (0 without any). */
unsigned int arch_ioapic_gsi_count(void);
