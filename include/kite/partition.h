/* SPDX-License-Identifier: MIT */
/*
 * Co-kernel mode: Kite booted by the host loader (host/module) in a
 * partition of a running Linux, with struct kite_boot_params
 * (include/kite/abi/bootparams.h) describing what it was given. In a
 * partition Kite touches only that: its memory, the shared region, the
 * SIPI page and its CPUs' local APICs; no PIC, IOAPIC, PIT, HPET, ACPI
 * tables or legacy UART. Its console is a ring in the shared region, and
 * it publishes its state, a heartbeat and per-CPU state words there.
 */
#pragma once

#include <kite/abi/bootparams.h>
#include <kite/compiler.h>
#include <kite/types.h>

/* The params of this boot, or NULL when Kite was not booted in a partition. */
extern struct kite_boot_params *kite_bp;

static inline bool kite_partition(void)
{
    return kite_bp != NULL;
}

/*
 * Check boot params at physical address @phys, of which @avail bytes from
 * @bp are readable, before any of them is used. 0, or -KITE_EINVAL with
 * @err saying what was wrong and what was expected.
 */
KITE_MUST_CHECK int kite_bp_check(const struct kite_boot_params *bp, uint64_t phys, uint64_t avail,
                                  char *err, size_t errlen);

/* Boot-info stage: take the params the multiboot2 block names, if any (halts on bad ones). */
void kite_partition_init(void);
/* Publish this CPU's state word (enum kite_bp_cpu_state); CPU @apic_id, any CPU. */
void kite_partition_cpu_state(uint32_t apic_id, uint32_t state);
/* Boot reached "ready": state RUNNING, heartbeat and the host's message service start. */
void kite_partition_ready(void);
/* Kite stops for good: HALTED with @code, or PANICKED with @reason. Any CPU, interrupts off. */
void kite_partition_stop(bool panicked, int code, const char *reason);
