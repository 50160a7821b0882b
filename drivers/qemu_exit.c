/* SPDX-License-Identifier: MIT */
/*
 * QEMU's isa-debug-exit device: a write of V to its port ends QEMU with
 * status (V << 1) | 1. Used only under a hypervisor (CPUID says so); on bare
 * metal nothing is written to a port that may belong to something else.
 */
#include <kite/arch.h>
#include <kite/power.h>

void kite_qemu_exit(int code)
{
    if (!arch_under_hypervisor()) {
        return;
    }
    arch_outl(CONFIG_QEMU_EXIT_PORT, (uint32_t)code);
}
