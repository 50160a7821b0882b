/* SPDX-License-Identifier: MIT */
/*
 * The local APIC (xAPIC, memory-mapped), as far as starting and waking
 * CPUs needs it: its ID, interprocessor interrupts, end of interrupt. Timers
 * and IOAPIC routing come with the SMP and timer work.
 */
#pragma once

#include <kite/types.h>

#include <arch/vectors.h>

/* Map and enable this CPU's local APIC (the boot CPU first maps it). 0 or -KITE_ENODEV. */
int arch_lapic_init(void);
uint32_t arch_lapic_id(void);

/* INIT, then two STARTUPs to run the page at @vector << 12; 0 or -KITE_ETIMEDOUT. */
int arch_lapic_start_cpu(uint32_t apic_id, uint8_t vector);
/* A fixed interrupt at @vector to @apic_id. */
void arch_lapic_send_ipi(uint32_t apic_id, uint8_t vector);

/* A non-maskable interrupt to @apic_id. */
void arch_lapic_send_nmi(uint32_t apic_id);

/* Busy-wait @us microseconds on the TSC. */
void arch_udelay(uint64_t us);
