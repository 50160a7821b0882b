/* SPDX-License-Identifier: MIT */
/*
 * The contract between generic code and the architecture. Everything here is
 * implemented in arch/x86_64/; generic code never uses inline asm or touches
 * CPU registers itself. arch_* names are for the kernel, not for runtimes.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

#include <arch/cpu.h>
#include <arch/regs.h>

/* Physical address the image was loaded at (2 MiB aligned), found at entry. */
extern uint64_t arch_phys_base;
/* The TSC value at kernel entry: time zero for the boot log. */
extern uint64_t arch_boot_tsc;

/* Segments, task state with the IST stacks, and the exception vectors. */
void arch_traps_init(void);

/* Calibrate the TSC; afterwards arch_tsc_khz is non-zero. */
void arch_time_init(void);
extern uint64_t arch_tsc_khz;

/* Nanoseconds since kernel entry (0 before arch_time_init). */
uint64_t kite_time_ns(void);

/* True when CPUID says a hypervisor runs us (and then never on bare metal). */
bool arch_under_hypervisor(void);

/* Stop this CPU for good, interrupts off. */
KITE_NORETURN void arch_halt_forever(void);

/* Walk the frame-pointer chain from @rbp, calling @fn for each return address. */
void arch_backtrace(uint64_t rbp, void (*fn)(void *ctx, uint64_t addr), void *ctx);

/* Print the frame on the console (exceptions and panics). */
void arch_dump_regs(const struct arch_regs *regs);

/* See struct arch_catch. Returns 0 when armed, vector + 1 when a trap was caught. */
int arch_catch_enter(struct arch_catch *c) __attribute__((returns_twice));
/* Disarm @c (the innermost armed catch). */
void arch_catch_leave(struct arch_catch *c);

/* Kernel image bounds (virtual), from the linker script. */
extern char _kernel_start[], _kernel_end[], _text_start[], _text_end[];
