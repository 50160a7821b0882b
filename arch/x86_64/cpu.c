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
