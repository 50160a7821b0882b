/* SPDX-License-Identifier: MIT */
/*
 * Ending a run: QEMU's exit device when there is one, else a clean halt.
 */
#include <kite/arch.h>
#include <kite/partition.h>
#include <kite/power.h>
#include <kite/printk.h>

void kite_poweroff(int code)
{
    kite_pr_info("kite: power off, status %d\n", code);
    if (kite_partition()) {
        arch_irq_disable();
        (void)arch_smp_stop_others();
        kite_partition_stop(false, code, NULL);
        arch_halt_forever(); /* the host sees HALTED and takes the CPUs back */
    }
    kite_qemu_exit(code);
    kite_pr_info("kite: halted (no exit device); it is safe to turn the machine off\n");
    arch_halt_forever();
}

void kite_reboot(void)
{
    if (kite_partition()) {
        kite_pr_info("kite: a partition cannot reset the host's machine; powering off instead\n");
        kite_poweroff(KITE_EXIT_SUCCESS);
    }
    kite_pr_info("kite: rebooting\n");
    arch_reset();
}
