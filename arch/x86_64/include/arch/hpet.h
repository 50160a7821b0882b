/* SPDX-License-Identifier: MIT */
/*
 * The HPET's main counter, as a reference clock: TSC calibration uses it
 * (arch/x86_64/time.c) and tests check time against it. Its timers and
 * interrupts are not used; the legacy replacement route stays off, so the
 * PIT and RTC keep their ISA IRQs.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

/*
 * Map the HPET the ACPI tables name, check its counter period (non-zero, at
 * most 100 ns) and start its main counter. Needs ACPI and kite_ioremap; a
 * second call does nothing. 0, or -KITE_ENODEV (no HPET, or one Kite refuses).
 */
int arch_hpet_init(void);
/* True once arch_hpet_init succeeded. */
bool arch_hpet_ready(void);

/*
 * The main counter, widened to 64 bits when the HPET's is 32 bits (then it
 * must be read at least once per wrap, 4 minutes at the slowest legal rate).
 * 0 when there is no HPET.
 */
uint64_t arch_hpet_read(void);
/* Femtoseconds per counter tick (0 when there is no HPET). */
uint64_t arch_hpet_period_fs(void);
/* @ticks of the counter in nanoseconds. */
uint64_t arch_hpet_ticks_to_ns(uint64_t ticks);
