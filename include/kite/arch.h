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
#include <arch/percpu.h>
#include <arch/regs.h>
#include <arch/tlb.h> /* arch_tlb_serve: spin-wait loops answer TLB shootdowns */
#include <arch/vectors.h>

/* Physical address the image was loaded at (2 MiB aligned), found at entry. */
extern uint64_t arch_phys_base;
/* The TSC value at kernel entry: time zero for the boot log. */
extern uint64_t arch_boot_tsc;

/* The boot CPU's per-CPU area: arch_cpu_id() and printk read it, so it comes first. */
void arch_percpu_early_init(void);

/* Segments, task state with the IST stacks, and the exception vectors. */
void arch_traps_init(void);
/* The same for a CPU being started: its own GDT and TSS, with @ist_top stacks. */
void arch_traps_init_cpu(struct arch_percpu *pc, const uint64_t ist_top[3]);

/* The TSC rate when the CPU states it; else a high guess, so early waits are not short. */
void arch_time_init(void);
/* After kite_mm_init: measure the TSC against the HPET (or the PIT) unless already known. */
void arch_time_calibrate(void);
/* Take the TSC rate from elsewhere (@source: for the log), e.g. a co-kernel's host. */
void arch_time_set_khz(uint64_t khz, const char *source);
extern uint64_t arch_tsc_khz;

/* Nanoseconds since kernel entry (0 until the TSC rate is known). */
uint64_t kite_time_ns(void);
/* Nanoseconds for @ticks of the TSC (0 until the rate is known). */
uint64_t arch_tsc_to_ns(uint64_t ticks);

struct kite_date;
/*
 * Read the real-time clock (the CMOS clock) into @out, in UTC as the
 * firmware keeps it. 0, or -KITE_EIO / -KITE_EINVAL (with a warning saying
 * what it read) when it gives no steady or valid date. Not in a partition:
 * the clock is the host's.
 */
int arch_rtc_read(struct kite_date *out);

/*
 * This CPU's one-shot timer (TSC deadline when the CPU has it, else the
 * local APIC timer): an interrupt at ARCH_VECTOR_TIMER once kite_time_ns()
 * reaches @deadline_ns (at once when it has passed). Arming again replaces
 * the deadline; disarm cancels it. Interrupts off around both.
 */
void arch_timer_init_cpu(void);
/* @now_ns: kite_time_ns() when the caller just read it, else 0. */
void arch_timer_arm(uint64_t deadline_ns, uint64_t now_ns);
void arch_timer_disarm(void);
const char *arch_timer_kind(void);

/* How many CPUs run Kite (the boot CPU and those started since). */
unsigned int arch_cpus_online(void);
/* How many Kite set out to start: those listed, within CONFIG_NR_CPUS and kite.maxcpus. */
unsigned int arch_cpus_wanted(void);

/*
 * Run @fn(@arg) on CPU @cpu, which must be online, idle and not the caller.
 * Returns 0, -KITE_ENODEV (no such CPU online, or the caller itself) or
 * -KITE_EBUSY (it is still running earlier work). arch_smp_wait waits for it
 * to finish, up to @timeout_ms: 0 or -KITE_ETIMEDOUT.
 */
int arch_smp_call(unsigned int cpu, void (*fn)(void *arg), void *arg);
int arch_smp_wait(unsigned int cpu, uint64_t timeout_ms);

/* Switch threads: save this one's stack pointer in *@save_rsp, continue on @load_rsp. */
void *arch_switch(uint64_t *save_rsp, uint64_t load_rsp, void *from);
/*
 * The stack pointer a new thread starts from: its first switch calls
 * @start(@arg) on the stack whose top is @top (16-byte aligned).
 */
uint64_t arch_thread_stack_init(uintptr_t top, void (*start)(void *arg, void *from), void *arg);

/*
 * __thread variables: arch_tls_area_size() bytes hold one thread's block
 * (0 when the image has none). arch_tls_setup fills the block that ends at
 * @end from the image's template, stores its lowest address in *@low and
 * returns the thread pointer to load with arch_set_fs_base.
 */
size_t arch_tls_area_size(void);
uint64_t arch_tls_setup(uintptr_t end, uintptr_t *low);
/* arch_set_fs_base(base) is inline, in <arch/cpu.h>. */

/* Wake CPU @cpu from hlt (a wake-up IPI); harmless when it is busy. */
void arch_smp_kick(unsigned int cpu);
/* Run pending arch_smp_call work on this CPU; true when there was some. */
bool arch_smp_poll(void);
/* With interrupts off: enable them and halt until the next one, without a gap. */
void arch_idle_halt(void);

/*
 * NMIs to other CPUs; they arrive with interrupts off too.
 * arch_smp_stop_others halts every other online CPU for good and waits up to
 * 100 ms for each to confirm; it prints which stopped (and where) and
 * returns how many did not. Only the first CPU to call it stops the others:
 * a later caller on another CPU stops itself instead and never returns.
 * arch_smp_stop_self marks this CPU stopped and halts it.
 * arch_smp_nmi runs @fn(frame the NMI interrupted) on CPU @cpu in NMI
 * context and waits for it (100 ms): 0, -KITE_EINVAL (no @fn), -KITE_ENODEV
 * (not an online other CPU, or stopped), -KITE_EBUSY (another caller's NMI
 * is pending there) or -KITE_ETIMEDOUT. @fn must not take locks or fault.
 * arch_smp_nmi_regs: the frame CPU @cpu's NMI interrupted, while it handles
 * one or once stopped by one; NULL otherwise.
 */
unsigned int arch_smp_stop_others(void);
KITE_NORETURN void arch_smp_stop_self(void);
int arch_smp_nmi(unsigned int cpu, void (*fn)(struct arch_regs *regs));
const struct arch_regs *arch_smp_nmi_regs(unsigned int cpu);

/* True when CPUID says a hypervisor runs us (and then never on bare metal). */
bool arch_under_hypervisor(void);

/* Stop this CPU for good, interrupts off. */
KITE_NORETURN void arch_halt_forever(void);

/* Walk the frame-pointer chain from @rbp, calling @fn for each return address. */
void arch_backtrace(uint64_t rbp, void (*fn)(void *ctx, uint64_t addr), void *ctx);

/*
 * Interrupt vectors: @fn(regs, @ctx) runs for every interrupt at vector @vec
 * (32..254) on any CPU, with interrupts off, and sends the EOI itself
 * (arch_lapic_eoi) when the vector came through the local APIC. Returns 0,
 * -KITE_EINVAL (exception or spurious vector) or -KITE_EBUSY (another
 * handler has it). arch_irq_alloc_vector takes a free device vector
 * (ARCH_VECTOR_DYNAMIC_FIRST..LAST) and returns it, or -KITE_ENOSPC.
 */
typedef void (*arch_irq_handler_t)(struct arch_regs *regs, void *ctx);
int arch_irq_set_handler(unsigned int vec, arch_irq_handler_t fn, void *ctx);
int arch_irq_alloc_vector(arch_irq_handler_t fn, void *ctx);
/* End of interrupt, for handlers of vectors the local APIC delivered. */
void arch_irq_eoi(void);
/* Interrupts (and exceptions) CPU @cpu took at vector @vec since it started. */
uint64_t arch_irq_count(unsigned int cpu, unsigned int vec);

/* Print the frame on the console (exceptions and panics). */
void arch_dump_regs(const struct arch_regs *regs);
/* The caller's registers now (RIP: the return address), for a report no trap raised. */
void arch_capture_regs(struct arch_regs *regs);
/* Reset the machine: keyboard controller, PCI reset register, then a triple fault. */
KITE_NORETURN void arch_reset(void);

/* See struct arch_catch. Returns 0 when armed, vector + 1 when a trap was caught. */
int arch_catch_enter(struct arch_catch *c) __attribute__((returns_twice));
/* Disarm @c (the innermost armed catch). */
void arch_catch_leave(struct arch_catch *c);

/* Kernel image bounds (virtual), from the linker script. */
extern char _kernel_start[], _kernel_end[], _text_start[], _text_end[];
