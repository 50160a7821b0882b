/* SPDX-License-Identifier: MIT */
/*
 * Small CPU services for generic code: which CPU this is, whether a
 * hypervisor runs us, stopping, and frame-pointer backtraces.
 */
#include <kite/arch.h>
#include <kite/string.h>

#include <arch/paging.h>

char arch_percpu_token; /* never written; see <arch/percpu.h> */

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

uint64_t arch_thread_stack_init(uintptr_t top, void (*start)(void *arg, void *from), void *arg)
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

/* ---------------------------------------------------------------- __thread blocks */

extern char __kite_tdata_start[], __kite_tdata_end[], __kite_tls_end[], __kite_tls_align[];

#define TCB_SIZE 64 /* at the thread pointer: %fs:0 holds the pointer itself */

static size_t tls_align(void)
{
    return KITE_MAX((size_t)(uintptr_t)__kite_tls_align, (size_t)16);
}

/*
 * The block's size as the linker laid out the offsets: the template rounded
 * up to the TLS segment's own alignment (not to tls_align's 16, which only
 * aligns the thread pointer: a 0x188-byte template with 8-byte alignment
 * puts its variables at tp - 0x188, not tp - 0x190).
 */
static size_t tls_block_size(void)
{
    size_t align = KITE_MAX((size_t)(uintptr_t)__kite_tls_align, (size_t)1);

    return KITE_ALIGN_UP((size_t)((uintptr_t)__kite_tls_end - (uintptr_t)__kite_tdata_start),
                         align);
}

size_t arch_tls_area_size(void)
{
    size_t block = tls_block_size();

    return block ? block + TCB_SIZE + tls_align() : 0;
}

/* A fresh block on every thread start: zero it in words, then copy the initialized part. */
uint64_t arch_tls_setup(uintptr_t end, uintptr_t *low)
{
    static size_t block = (size_t)-1, align;
    size_t data = (size_t)((uintptr_t)__kite_tdata_end - (uintptr_t)__kite_tdata_start);
    uintptr_t tp;

    if (block == (size_t)-1) {
        align = tls_align();
        block = tls_block_size();
    }
    if (!block) {
        *low = end;
        return 0;
    }
    tp = KITE_ALIGN_DOWN(end - TCB_SIZE, align);
    *low = tp - block;
    {
        void *d = (void *)*low;
        const void *src = __kite_tdata_start;
        size_t n = block / 8;

        __asm__ volatile("rep stosq" : "+D"(d), "+c"(n) : "a"(0ull) : "memory");
        d = (void *)*low;
        n = data;
        __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    }
    *(uint64_t *)tp = tp;
    return tp;
}

void arch_idle_halt(void)
{
    __asm__ volatile("sti; hlt" ::: "memory");
}

void arch_reset(void)
{
    static const struct {
        uint16_t limit;
        uint64_t base;
    } KITE_PACKED empty_idt = {0, 0};

    arch_irq_disable();
    /* The keyboard controller's reset line: wait for its input buffer, then pulse. */
    for (int i = 0; i < 100000 && (arch_inb(0x64) & 0x02); i++) {
        arch_pause();
    }
    arch_outb(0x64, 0xfe);
    for (int i = 0; i < 1000000; i++) {
        arch_pause();
    }
    /* No 8042 (or it did not listen): the PCI reset register, then a triple fault. */
    arch_outb(0xcf9, 0x06);
    for (int i = 0; i < 1000000; i++) {
        arch_pause();
    }
    __asm__ volatile("lidt %0; int3" : : "m"(empty_idt));
    arch_halt_forever();
}
