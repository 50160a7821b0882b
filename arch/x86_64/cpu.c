/* SPDX-License-Identifier: MIT */
/*
 * Small CPU services for generic code: which CPU this is, whether a
 * hypervisor runs us, stopping, and frame-pointer backtraces.
 */
#include <kite/arch.h>

#include <arch/paging.h>

bool arch_under_hypervisor(void)
{
    uint32_t a, b, c, d;

    arch_cpuid(1, 0, &a, &b, &c, &d);
    return (c & (1u << 31)) != 0;
}

void arch_halt_forever(void)
{
    for (;;) {
        arch_irq_disable();
        arch_wait_for_interrupt();
    }
}

/* A frame pointer we may follow: aligned and inside the kernel image (all stacks are, for now). */
static bool frame_ok(uint64_t fp)
{
    return (fp & 7) == 0 && fp >= (uint64_t)_kernel_start && fp + 16 <= (uint64_t)_kernel_end;
}

void arch_backtrace(uint64_t rbp, void (*fn)(void *ctx, uint64_t addr), void *ctx)
{
    for (unsigned int depth = 0; depth < 32 && frame_ok(rbp); depth++) {
        const uint64_t *frame = (const uint64_t *)rbp;
        uint64_t ret = frame[1];

        if (ret < (uint64_t)_text_start || ret >= (uint64_t)_text_end) {
            break;
        }
        fn(ctx, ret);
        /* Frames grow towards higher addresses; anything else is a broken chain. */
        if (frame[0] <= rbp) {
            break;
        }
        rbp = frame[0];
    }
}

extern char arch_thread_trampoline[];

uint64_t arch_thread_stack_init(uintptr_t top, void (*start)(void *arg), void *arg)
{
    uint64_t *sp = (uint64_t *)top;

    /* What arch_switch pops, lowest first: r15 r14 r13 r12 rbx rbp, then its return address. */
    *--sp = (uint64_t)(uintptr_t)arch_thread_trampoline;
    *--sp = 0;                          /* rbp */
    *--sp = 0;                          /* rbx */
    *--sp = (uint64_t)(uintptr_t)start; /* r12 */
    *--sp = (uint64_t)(uintptr_t)arg;   /* r13 */
    *--sp = 0;                          /* r14 */
    *--sp = 0;                          /* r15 */
    return (uint64_t)(uintptr_t)sp;
}

void arch_idle_halt(void)
{
    __asm__ volatile("sti; hlt" ::: "memory");
}
