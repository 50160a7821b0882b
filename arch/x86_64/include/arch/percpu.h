/* SPDX-License-Identifier: MIT */
/*
 * The per-CPU area: one per CPU, reached through the GS base, so "which CPU
 * am I" is one instruction. The boot CPU's is static and set up first thing;
 * the others are made when their CPU starts (arch/x86_64/smp.c).
 */
#pragma once

#define ARCH_PERCPU_CPU_OFFSET     8
#define ARCH_PERCPU_CATCH_OFFSET   16
#define ARCH_PERCPU_HEAP_OFFSET    24
#define ARCH_PERCPU_PREEMPT_OFFSET 32

#ifndef __ASSEMBLER__

#include <kite/compiler.h>
#include <kite/types.h>

#include <arch/regs.h>

struct arch_percpu {
    struct arch_percpu *self; /* first: %gs:0 is the area's address */
    unsigned int cpu;         /* Kite's CPU number */
    uint32_t apic_id;
    struct arch_catch *catch_top; /* innermost armed trap catch on this CPU */
    void *heap;                   /* this CPU's row of heap caches (kite_heap_cpu_row) */
    unsigned int preempt_count;   /* preemption off while non-zero (spinlocks held) */
    /* Work handed to this CPU by arch_smp_call; fn is cleared when done. */
    void (*volatile call_fn)(void *arg);
    void *call_arg;
    volatile bool online;
    uint64_t ist_top[3];     /* double fault, NMI, machine check stacks (not the boot CPU's) */
    char name[16];           /* "cpuN", for stack names and reports */
    uint64_t irq_count[256]; /* interrupts and exceptions taken here, by vector */
};

/*
 * The per-CPU reads below name arch_percpu_token as a memory input: the
 * compiler may merge two reads with no call between them, but never moves
 * one across a function call, after which the thread may run on another CPU.
 */
extern char arch_percpu_token;

/* This CPU's number (0 is the boot CPU): one load, so the heap's fast path can ask freely. */
static inline unsigned int arch_cpu_id(void)
{
    unsigned int cpu;

    __asm__("movl %%gs:%c1, %0" : "=r"(cpu) : "i"(ARCH_PERCPU_CPU_OFFSET), "m"(arch_percpu_token));
    return cpu;
}

/* This CPU's heap caches, for the heap's fast path: one load, no index arithmetic. */
static inline void *arch_this_cpu_heap(void)
{
    void *heap;

    __asm__("movq %%gs:%c1, %0"
            : "=r"(heap)
            : "i"(ARCH_PERCPU_HEAP_OFFSET), "m"(arch_percpu_token));
    return heap;
}

/* Preemption off on this CPU (nests); one instruction. */
static inline void arch_preempt_disable(void)
{
    __asm__ volatile("incl %%gs:%c0" ::"i"(ARCH_PERCPU_PREEMPT_OFFSET) : "memory");
}

/* Undo one arch_preempt_disable. A tick that came meanwhile retries shortly (sched/thread.c). */
static inline void arch_preempt_enable(void)
{
    __asm__ volatile("decl %%gs:%c0" ::"i"(ARCH_PERCPU_PREEMPT_OFFSET) : "memory");
}

/* True when this CPU may switch threads on a tick: no spinlock held. */
static inline bool arch_preemptible(void)
{
    unsigned int n;

    __asm__ volatile("movl %%gs:%c1, %0" : "=r"(n) : "i"(ARCH_PERCPU_PREEMPT_OFFSET));
    return n == 0;
}

static inline struct arch_percpu *arch_this_cpu(void)
{
    struct arch_percpu *pc;

    __asm__("movq %%gs:0, %0" : "=r"(pc) : "m"(arch_percpu_token));
    return pc;
}

/* The area of CPU @cpu, or NULL when it has not started. */
struct arch_percpu *arch_percpu_of(unsigned int cpu);

/* Make @pc this CPU's area (sets the GS base). */
void arch_percpu_install(struct arch_percpu *pc);

#endif /* __ASSEMBLER__ */
