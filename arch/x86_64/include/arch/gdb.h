/* SPDX-License-Identifier: MIT */
/*
 * Between the GDB stub's protocol half (kernel/gdb.c) and its x86_64 half
 * (arch/x86_64/gdb_arch.c): registers in gdb's amd64 layout, memory access
 * that cannot fault the stub, int3 and debug registers, single steps, and
 * the hooks arch/x86_64/traps.c calls. Nothing here is for runtimes.
 */
#pragma once

#include <kite/types.h>

#include <arch/regs.h>

/*
 * gdb's amd64 registers when the stub sends no target description: rax rbx
 * rcx rdx rsi rdi rbp rsp r8-r15 rip (8 bytes each), eflags cs ss ds es fs
 * gs (4 bytes each) make the 'g' packet; st0-st7, the x87 control
 * registers, xmm0-15 and mxcsr follow, numbered up to 56, and are reported
 * unavailable.
 */
#define ARCH_GDB_NUM_REGS 57
#define ARCH_GDB_G_REGS   24  /* the registers the 'g' packet carries */
#define ARCH_GDB_G_SIZE   164 /* its size in bytes */
#define ARCH_GDB_REG_MAX  16  /* the largest register (xmm) */

/* gdb's signal numbers, for stop replies. */
#define KITE_GDB_SIGINT  2
#define KITE_GDB_SIGILL  4
#define KITE_GDB_SIGTRAP 5
#define KITE_GDB_SIGABRT 6
#define KITE_GDB_SIGFPE  8
#define KITE_GDB_SIGBUS  10
#define KITE_GDB_SIGSEGV 11

/* Why a CPU stopped, as the stop reply says it. */
enum kite_gdb_why {
    KITE_GDB_STOP_SIGNAL,  /* a plain signal: a step ended, Ctrl-C, a fault */
    KITE_GDB_STOP_SWBREAK, /* one of gdb's int3 (Z0); the PC is back on it */
    KITE_GDB_STOP_HWBREAK, /* a debug-register instruction breakpoint (Z1) */
    KITE_GDB_STOP_WATCH,   /* a write watchpoint (Z2) at addr */
    KITE_GDB_STOP_RWATCH,  /* a read watchpoint (Z3) at addr */
    KITE_GDB_STOP_AWATCH,  /* an access watchpoint (Z4) at addr */
};

struct kite_gdb_event {
    int signal;
    enum kite_gdb_why why;
    uint64_t addr;      /* the watched address, for watchpoints */
    bool again;         /* the trap repeats if still armed (int3 with the PC moved back) */
    const char *reason; /* for the console, when no gdb is attached yet; may be NULL */
};

/* ---- the hooks arch/x86_64/traps.c calls (no-ops without CONFIG_GDB) */
#ifdef CONFIG_GDB
/* #DB or #BP: true when the stub took it (gdb's breakpoint, watchpoint or step). */
bool arch_gdb_trap(struct arch_regs *regs);
/* An NMI: true when the stub sent it (this CPU is held while another is stopped). */
bool arch_gdb_nmi(struct arch_regs *regs);
/* An exception nothing catches: true when gdb took it instead of a panic report. */
bool arch_gdb_exception(struct arch_regs *regs);
#else
static inline bool arch_gdb_trap(struct arch_regs *regs)
{
    (void)regs;
    return false;
}
static inline bool arch_gdb_nmi(struct arch_regs *regs)
{
    (void)regs;
    return false;
}
static inline bool arch_gdb_exception(struct arch_regs *regs)
{
    (void)regs;
    return false;
}
#endif

/* ---- kernel/gdb.c, for the arch half */
/* Enter the stub on this CPU for @ev; returns when gdb resumes it. false: the stub is off. */
bool kite_gdb_stop(struct arch_regs *regs, const struct kite_gdb_event *ev);
/* An NMI arrived: true when the stub sent it (and held this CPU until released). */
bool kite_gdb_nmi(struct arch_regs *regs);
/* Should an exception nothing catches go to gdb (attached, or kite.panic=gdb)? */
bool kite_gdb_wants_exceptions(void);
/* gdb's int3 at @addr: 1 inserted, -1 removed since (a CPU may still trap on it), 0 none. */
int kite_gdb_sw_break_state(uint64_t addr);

/* ---- arch/x86_64/gdb_arch.c, for kernel/gdb.c */
/* The 'g' packet's bytes from @r (ARCH_GDB_G_SIZE of them) into @buf. */
void arch_gdb_regs_get(const struct arch_regs *r, uint8_t *buf);
/* Register @regno's size in bytes, or 0 for no such register. */
size_t arch_gdb_reg_size(unsigned int regno);
/* Register @regno of @r into @buf; false when the stub cannot show it (unavailable). */
bool arch_gdb_reg_get(const struct arch_regs *r, unsigned int regno, uint8_t *buf);
/* Set register @regno of @r from @buf; false when it cannot be set (ignored). */
bool arch_gdb_reg_set(struct arch_regs *r, unsigned int regno, const uint8_t *buf);
uint64_t arch_gdb_pc(const struct arch_regs *r);
void arch_gdb_set_pc(struct arch_regs *r, uint64_t pc);

/*
 * Copy memory without faulting the stub: pages must be mapped, and a fault
 * anyway is caught. Writes reach read-only text too (CR0.WP is cleared
 * around them, interrupts off). Each returns the bytes done, from the start.
 */
size_t arch_gdb_mem_read(uint64_t addr, void *buf, size_t len);
size_t arch_gdb_mem_write(uint64_t addr, const void *buf, size_t len);
#define ARCH_GDB_BREAK_INSN 0xcc /* int3 */

/* int3 on purpose: the stub sees it as a stop for @ev's reason, not as gdb's breakpoint. */
void arch_gdb_break(const struct kite_gdb_event *ev);

/* Arm a single step of @r on CPU @cpu (trap flag; interrupts held off for the one instruction). */
void arch_gdb_step(unsigned int cpu, struct arch_regs *r);
/* Undo what arch_gdb_step did to @r, if anything (each entry into the stub calls it). */
void arch_gdb_step_end(unsigned int cpu, struct arch_regs *r);
/* The frame @r is about to be resumed: an instruction breakpoint at its PC must not fire again. */
void arch_gdb_resume(struct arch_regs *r);

/*
 * Debug registers, one set for all CPUs: @type is gdb's (1 instruction,
 * 2 write, 3 read, 4 access), @len 1, 2, 4 or 8 and @addr aligned to it.
 * Set returns 0, -KITE_ENOSPC (all four in use) or -KITE_EINVAL; clear
 * returns 0 or -KITE_ENOENT. Changes reach a CPU when it loads them.
 */
int arch_gdb_hw_set(int type, uint64_t addr, size_t len);
int arch_gdb_hw_clear(int type, uint64_t addr, size_t len);
void arch_gdb_hw_clear_all(void);
bool arch_gdb_hw_any(void);
/* Load the debug registers into this CPU. */
void arch_gdb_hw_load(void);

/* Is CPU @cpu started (and so a gdb thread)? */
bool arch_gdb_cpu_online(unsigned int cpu);
/* Send an NMI to CPU @cpu. */
void arch_gdb_send_nmi(unsigned int cpu);
