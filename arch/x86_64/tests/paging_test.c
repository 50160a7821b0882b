/* SPDX-License-Identifier: MIT */
/*
 * The final page tables protect what they should: kernel text cannot be
 * written, the identity map of RAM cannot be executed, and only what Kite
 * owns is mapped. Each check provokes the fault and catches it.
 */
#include <kite/arch.h>
#include <kite/mm.h>
#include <kite/partition.h>
#include <kite/printk.h>
#include <kite/stack.h>
#include <kite/test.h>

#include <arch/paging.h>

KITE_TEST(paging, text_is_read_only)
{
    struct arch_catch c;
    volatile uint8_t *text = (volatile uint8_t *)(uintptr_t)_text_start;
    uint8_t first = text[0];

    if (arch_catch_enter(&c) == 0) {
        text[0] = first;
        arch_catch_leave(&c);
        KITE_FAIL("writing kernel text did not fault");
        return;
    }
    KITE_EXPECT_EQ(c.vector, 14);
    KITE_EXPECT_EQ(c.error & 3, 3); /* present page, write */
}

KITE_TEST(paging, ram_is_not_executable)
{
    struct arch_catch c;
    uint8_t *page = kite_page_alloc(0, KITE_NODE_ANY, 0);

    KITE_ASSERT(page != NULL);
    page[0] = 0xc3; /* ret */
    if (arch_catch_enter(&c) == 0) {
        ((void (*)(void))(uintptr_t)page)();
        arch_catch_leave(&c);
        kite_page_free(page, 0);
        KITE_FAIL("code in the identity map ran");
        return;
    }
    kite_page_free(page, 0);
    KITE_EXPECT_EQ(c.vector, 14);
    KITE_EXPECT_EQ(c.error & 0x11, 0x11); /* present page, instruction fetch */
}

KITE_TEST(paging, null_dereference_faults)
{
    struct arch_catch c;
    uintptr_t near_null = 8;

    /* Hidden from the compiler, which would otherwise refuse the access at build time. */
    __asm__("" : "+r"(near_null));
    if (arch_catch_enter(&c) == 0) {
        (void)*(volatile uint64_t *)near_null;
        arch_catch_leave(&c);
        KITE_FAIL("reading near NULL did not fault");
        return;
    }
    KITE_EXPECT_EQ(c.vector, 14);
    KITE_EXPECT_EQ(c.cr2, 8);
}

KITE_TEST(paging, image_and_ram_mapped_holes_not)
{
    KITE_EXPECT(arch_addr_mapped((uintptr_t)_kernel_start));
    KITE_EXPECT_EQ(arch_virt_to_phys((uintptr_t)_kernel_start), arch_phys_base);
    /* Legacy VGA text stays reachable; in a partition, low memory is the host's: not mapped. */
    KITE_EXPECT(arch_addr_mapped(0xb8000) == !kite_partition());
    KITE_EXPECT(!arch_addr_mapped(0xfee00000)); /* device memory only through kite_ioremap */
    KITE_EXPECT(!arch_addr_mapped(0x8000000000000000ull));
}

/* Manual: run off a guarded stack; the report must say "stack overflow" and name it. */
static void recurse(void *arg)
{
    volatile uint8_t frame[512];

    frame[0] = (uint8_t)(uintptr_t)arg;
    /* Never false at run time, but the compiler cannot know: deep on purpose. */
    if (arg != (void *)~(uintptr_t)0) {
        recurse((void *)(uintptr_t)(frame[0] + 1));
    }
    frame[1] = 0; /* not a tail call */
}

KITE_TEST_MANUAL(crash, stack_overflow)
{
    struct kite_stack *s = kite_stack_alloc(16 << 10, KITE_NODE_ANY, "overflow-test");

    KITE_ASSERT(s != NULL);
    arch_call_on_stack(s->top, recurse, NULL);
    KITE_FAIL("the recursion returned");
}

/* Write @addr under a catch: true when it faulted (the fault in *@c). */
static bool write_faults(uint64_t addr, struct arch_catch *c)
{
    volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)addr;

    if (arch_catch_enter(c) == 0) {
        *p = 0x5a;
        arch_catch_leave(c);
        return false;
    }
    return true;
}

/* In a partition, the host's memory is not mapped: a stray write faults in Kite, not in Linux. */
KITE_TEST(paging, host_memory_faults_in_a_partition)
{
    static const uint64_t probes[] = {0x1000, 0x100000, 0x1000000};
    struct arch_catch c;

    KITE_SKIP_IF(!kite_partition(), "booted by GRUB: the machine is Kite's");
    for (unsigned int i = 0; i < KITE_ARRAY_SIZE(probes); i++) {
        bool owned = false;

        for (uint32_t m = 0; m < kite_bp->nr_mem; m++) {
            owned |= probes[i] - kite_bp->mem[m].base < kite_bp->mem[m].size;
        }
        if (owned || probes[i] - kite_bp->shared_phys < kite_bp->shared_size ||
            probes[i] == kite_bp->sipi_page) {
            continue;
        }
        if (!write_faults(probes[i], &c)) {
            KITE_FAIL("writing the host's %#llx did not fault", (unsigned long long)probes[i]);
            return;
        }
        KITE_EXPECT_EQ(c.vector, 14);
        KITE_EXPECT_EQ(c.error & 1, 0); /* not present */
    }
}

/*
 * Manual: in a partition, write the host's RAM just below Kite's first
 * memory range, as a runaway pointer would. It must fault in Kite (a panic
 * the host sees in the state word), never reach Linux.
 */
KITE_TEST_MANUAL(crash, write_outside)
{
    uint64_t target;

    if (!kite_partition()) {
        KITE_FAIL("needs a co-kernel partition: under GRUB all RAM is Kite's");
        return;
    }
    target = kite_bp->mem[0].base - KITE_PAGE_SIZE;
    kite_pr_info("writing the host's %#llx, outside the partition\n", (unsigned long long)target);
    *(volatile uint64_t *)(uintptr_t)target = 0x6b697465; /* "kite" */
    KITE_FAIL("writing %#llx outside the partition did not fault", (unsigned long long)target);
}
