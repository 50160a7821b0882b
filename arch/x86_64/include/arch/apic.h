/* SPDX-License-Identifier: MIT */
/*
 * The local APIC, as far as starting, waking and stopping CPUs needs it: its
 * ID, interprocessor interrupts and NMIs, end of interrupt (the per-CPU timer
 * is in <kite/arch.h>). In x2APIC mode when the CPU offers it, else xAPIC;
 * callers never see the difference.
 */
#pragma once

#include <kite/types.h>

#include <arch/regs.h>
#include <arch/vectors.h>

/*
 * Enable this CPU's local APIC. The boot CPU's call picks the mode for all
 * (x2APIC unless the CPU lacks it or kite.x2apic=0; xAPIC maps the page)
 * and logs it. 0 or -KITE_ENODEV.
 */
int arch_lapic_init(void);
/* True when the local APICs run in x2APIC mode (registers as MSRs). */
bool arch_lapic_x2apic(void);
/* This CPU's APIC ID: 8 bits in xAPIC mode, 32 in x2APIC mode. */
uint32_t arch_lapic_id(void);

/* INIT, then two STARTUPs to run the page at @vector << 12; 0 or -KITE_ETIMEDOUT. */
int arch_lapic_start_cpu(uint32_t apic_id, uint8_t vector);
/* A fixed interrupt at @vector to @apic_id. */
void arch_lapic_send_ipi(uint32_t apic_id, uint8_t vector);

/* A non-maskable interrupt to @apic_id. */
void arch_lapic_send_nmi(uint32_t apic_id);

/*
 * For the trap handler (arch/x86_64/smp.c): serve what an NMI on this CPU was
 * sent for (an arch_smp_nmi callback, a stop request); true when it was
 * one of those, false for an NMI nothing asked for. Does not return when the
 * CPU is to stop.
 */
bool arch_smp_handle_nmi(struct arch_regs *regs);

/* Busy-wait @us microseconds on the TSC. */
void arch_udelay(uint64_t us);
