/* SPDX-License-Identifier: MIT */
/*
 * TLB shootdown, for the page-table code (arch/x86_64/paging.c): after a
 * mapping is removed or loses a permission, every CPU must forget its old
 * translation before the memory behind it can be reused.
 */
#pragma once

#include <kite/types.h>

/* Take ARCH_VECTOR_TLB; before the other CPUs start. */
void arch_tlb_init(void);

/*
 * Flush [@va, @va + @len) from this CPU's TLB (page by page, or all of it
 * for large ranges) and from every other online CPU's, and return once each
 * has confirmed. Callable with interrupts off and from any context but NMI;
 * while it waits it serves other CPUs' requests, so two CPUs flushing at
 * once both finish. A CPU that does not confirm within 1 s is named in a
 * warning and left behind. Do not hold a lock that another CPU may be
 * spinning for with interrupts off: it cannot confirm until it gets it.
 */
void arch_tlb_flush_range(uintptr_t va, size_t len);

/*
 * Do now what other CPUs asked of this one: for loops that wait on another
 * CPU with interrupts off, which would otherwise hold up its shootdowns.
 */
void arch_tlb_serve(void);

/* How many times a CPU failed to confirm a flush in time, since boot (for tests). */
unsigned long arch_tlb_timeouts(void);
