/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Vectors: 0-31 exceptions; 0x20-0x2f the ISA IRQs 0-15 when routed through
 * an IOAPIC; 0x30-0xdf for devices (arch_irq_alloc_vector); 0xf0 and up the
 * kernel's own.
 */
#define ARCH_VECTOR_ISA_BASE      0x20
#define ARCH_VECTOR_DYNAMIC_FIRST 0x30
#define ARCH_VECTOR_DYNAMIC_LAST  0xdf
#define ARCH_VECTOR_TIMER         0xf0 /* this CPU's local APIC timer */
#define ARCH_VECTOR_WAKEUP        0xf1 /* IPI that wakes a CPU: run queue or timers changed */
#define ARCH_VECTOR_TLB           0xf2 /* IPI: flush TLB entries (TLB shootdown) */
#define ARCH_VECTOR_SPURIOUS      0xff /* the APIC's spurious-interrupt vector */
