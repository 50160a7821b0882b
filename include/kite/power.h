/* SPDX-License-Identifier: MIT */
/*
 * Ending a run. Under QEMU with the isa-debug-exit device (Kite's scripts add
 * it at port CONFIG_QEMU_EXIT_PORT), QEMU exits with status (code << 1) | 1:
 * 1 for code 0, 3 for code 1, 5 for a panic. Elsewhere the CPU halts cleanly.
 */
#pragma once

#include <kite/compiler.h>

#define KITE_EXIT_SUCCESS 0
#define KITE_EXIT_FAILURE 1
#define KITE_EXIT_PANIC   2

KITE_NORETURN void kite_poweroff(int code);
/* Reset the machine; in a co-kernel partition (the host's machine) power off with status 0. */
KITE_NORETURN void kite_reboot(void);

/* Driver hook: leave QEMU with @code when the exit device is there; returns otherwise. */
#ifdef CONFIG_QEMU_EXIT
void kite_qemu_exit(int code);
#else
static inline void kite_qemu_exit(int code)
{
    (void)code;
}
#endif
