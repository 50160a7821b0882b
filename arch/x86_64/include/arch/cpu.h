/* SPDX-License-Identifier: MIT */
/*
 * x86_64 instructions the rest of Kite reaches through <kite/arch.h>: port
 * I/O, CPUID, MSRs, control registers, TSC, interrupt flag. Kept as static
 * inlines here so that inline asm stays inside arch/x86_64.
 */
#pragma once

#include <kite/types.h>

static inline void arch_outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void arch_outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void arch_outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t arch_inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t arch_inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void arch_cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c,
                              uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline uint64_t arch_rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void arch_wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* The TSC; ordered after earlier loads so that intervals are not cut short. */
/* The thread pointer for __thread variables (one wrmsr on a thread switch). */
static inline void arch_set_fs_base(uint64_t base)
{
    arch_wrmsr(0xc0000100, base);
}

static inline uint64_t arch_tsc(void)
{
    uint64_t v, hi;

    /* Whole in the asm, so a probe's two reads always frame the same few instructions. */
    __asm__ volatile("lfence; rdtsc; shl $32, %%rdx; or %%rdx, %%rax"
                     : "=a"(v), "=&d"(hi)
                     :
                     : "memory");
    (void)hi;
    return v;
}

#define ARCH_READ_CR(n)                                   \
    static inline uint64_t arch_read_cr##n(void)          \
    {                                                     \
        uint64_t v;                                       \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v)); \
        return v;                                         \
    }
ARCH_READ_CR(0)
ARCH_READ_CR(2)
ARCH_READ_CR(3)
ARCH_READ_CR(4)
#undef ARCH_READ_CR

#define ARCH_WRITE_CR(n)                                         \
    static inline void arch_write_cr##n(uint64_t v)              \
    {                                                            \
        __asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory"); \
    }
ARCH_WRITE_CR(0)
ARCH_WRITE_CR(4)
#undef ARCH_WRITE_CR

/* Save and restore the x87/SSE state (512 bytes, 16-byte aligned area). */
static inline void arch_fpu_save(void *area)
{
    __asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

static inline void arch_fpu_restore(const void *area)
{
    __asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

static inline void arch_pause(void)
{
    __asm__ volatile("pause" ::: "memory");
}

static inline void arch_irq_enable(void)
{
    __asm__ volatile("sti" ::: "memory");
}

static inline void arch_irq_disable(void)
{
    __asm__ volatile("cli" ::: "memory");
}

/* Disable interrupts and return the previous state for arch_irq_restore. */
static inline unsigned long arch_irq_save(void)
{
    unsigned long flags;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
    return flags;
}

static inline void arch_irq_restore(unsigned long flags)
{
    if (flags & (1ul << 9)) {
        __asm__ volatile("sti" ::: "memory");
    }
}

static inline bool arch_irq_enabled(void)
{
    unsigned long flags;
    __asm__ volatile("pushfq; popq %0" : "=r"(flags));
    return (flags & (1ul << 9)) != 0;
}

/* Wait for the next interrupt (with interrupts enabled, or forever). */
static inline void arch_wait_for_interrupt(void)
{
    __asm__ volatile("hlt" ::: "memory");
}

static inline uint64_t arch_frame_address(void)
{
    return (uint64_t)__builtin_frame_address(0);
}
