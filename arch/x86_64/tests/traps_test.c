/* SPDX-License-Identifier: MIT */
/*
 * Exceptions reach their handlers, on the right stacks, and a caught trap
 * resumes cleanly. Each test arms a struct arch_catch, triggers one
 * exception on purpose and checks what the handler recorded. The "crash"
 * tests are manual: they fault with nothing armed, to check the report a
 * user sees (the QEMU runner boots them one at a time).
 */
#include <kite/arch.h>
#include <kite/test.h>

#include <arch/layout.h>

void arch_ist_stack(unsigned int ist, uint64_t *lo, uint64_t *hi);
extern uint64_t arch_last_trap_frame;

/* A canonical address nothing maps: the early map covers 0..4 GiB and the image. */
#define UNMAPPED_ADDR 0x0000400000000000ull

static volatile uint64_t sink;

KITE_TEST(traps, invalid_opcode)
{
    struct arch_catch c;

    if (arch_catch_enter(&c) == 0) {
        __asm__ volatile("ud2");
        arch_catch_leave(&c);
        KITE_FAIL("ud2 did not trap");
        return;
    }
    KITE_EXPECT_EQ(c.vector, 6);
    KITE_EXPECT(c.fault_rip >= (uint64_t)_text_start && c.fault_rip < (uint64_t)_text_end);
}

KITE_TEST(traps, divide_error)
{
    struct arch_catch c;
    volatile uint64_t zero = 0;

    if (arch_catch_enter(&c) == 0) {
        uint64_t a = 1, d = 0;
        __asm__ volatile("divq %2" : "+a"(a), "+d"(d) : "r"((uint64_t)zero));
        arch_catch_leave(&c);
        KITE_FAIL("division by zero did not trap");
        return;
    }
    KITE_EXPECT_EQ(c.vector, 0);
}

KITE_TEST(traps, breakpoint)
{
    struct arch_catch c;

    if (arch_catch_enter(&c) == 0) {
        __asm__ volatile("int3");
        arch_catch_leave(&c);
        KITE_FAIL("int3 did not trap");
        return;
    }
    KITE_EXPECT_EQ(c.vector, 3);
}

KITE_TEST(traps, page_fault_reports_address)
{
    struct arch_catch c;

    if (arch_catch_enter(&c) == 0) {
        sink = *(volatile uint64_t *)UNMAPPED_ADDR;
        arch_catch_leave(&c);
        KITE_FAIL("read of an unmapped address did not fault");
        return;
    }
    KITE_EXPECT_EQ(c.vector, 14);
    KITE_EXPECT_EQ(c.cr2, UNMAPPED_ADDR);
    KITE_EXPECT_EQ(c.error & 1, 0); /* not present */
    KITE_EXPECT_EQ(c.error & 2, 0); /* a read */
}

KITE_TEST(traps, page_fault_on_write)
{
    struct arch_catch c;

    if (arch_catch_enter(&c) == 0) {
        *(volatile uint64_t *)(UNMAPPED_ADDR + 8) = 1;
        arch_catch_leave(&c);
        KITE_FAIL("write to an unmapped address did not fault");
        return;
    }
    KITE_EXPECT_EQ(c.vector, 14);
    KITE_EXPECT_EQ(c.cr2, UNMAPPED_ADDR + 8);
    KITE_EXPECT_EQ(c.error & 2, 2);
}

KITE_TEST(traps, general_protection)
{
    struct arch_catch c;

    if (arch_catch_enter(&c) == 0) {
        /* A non-canonical address faults with #GP, not #PF. */
        sink = *(volatile uint64_t *)0x8000000000000000ull;
        arch_catch_leave(&c);
        KITE_FAIL("non-canonical access did not fault");
        return;
    }
    KITE_EXPECT_EQ(c.vector, 13);
}

static uint64_t handler_rsp_probe(unsigned int vector);

KITE_TEST(traps, ist_stacks_assigned)
{
    uint64_t lo, hi;

    /* The NMI and machine-check vectors switch to their IST stacks. */
    for (unsigned int v = 0; v < 2; v++) {
        unsigned int vector = v == 0 ? 2 : 18;
        unsigned int ist = v == 0 ? 2 : 3;
        uint64_t rsp = handler_rsp_probe(vector);

        arch_ist_stack(ist, &lo, &hi);
        if (!(lo <= rsp && rsp < hi)) {
            KITE_FAIL("vector %u ran with rsp %#llx, outside its IST stack %#llx-%#llx", vector,
                      (unsigned long long)rsp, (unsigned long long)lo, (unsigned long long)hi);
        }
    }
}

/* The stack the handler for @vector ran on: where its register frame was. */
static uint64_t handler_rsp_probe(unsigned int vector)
{
    struct arch_catch c;

    arch_last_trap_frame = 0;
    if (arch_catch_enter(&c) == 0) {
        if (vector == 2) {
            __asm__ volatile("int $2");
        } else {
            __asm__ volatile("int $18");
        }
        arch_catch_leave(&c);
        return 0;
    }
    return arch_last_trap_frame;
}

KITE_TEST(traps, double_fault_on_its_own_stack)
{
    struct arch_catch c;
    uint64_t lo, hi;

    arch_last_trap_frame = 0;
    if (arch_catch_enter(&c) == 0) {
        /*
         * With the stack pointer on unmapped memory, delivering #UD faults
         * (#PF), and delivering that #PF faults again: a real double fault,
         * which only a separate stack can report.
         */
        __asm__ volatile("movq %0, %%rsp\n\tud2" : : "r"(UNMAPPED_ADDR + 4096) : "memory");
        arch_catch_leave(&c);
        KITE_FAIL("bad stack did not double fault");
        return;
    }
    KITE_EXPECT_EQ(c.vector, 8);
    arch_ist_stack(1, &lo, &hi);
    KITE_EXPECT(lo <= arch_last_trap_frame && arch_last_trap_frame < hi);
}

KITE_TEST(traps, catch_nesting)
{
    struct arch_catch outer = {0}, inner = {0};
    int outer_rc, inner_rc = -1;

    outer_rc = arch_catch_enter(&outer);
    if (outer_rc == 0) {
        inner_rc = arch_catch_enter(&inner);
        if (inner_rc == 0) {
            __asm__ volatile("ud2");
        }
        /* The inner catch took the #UD and is disarmed; the outer one is still armed. */
        __asm__ volatile("int3");
        arch_catch_leave(&outer);
        KITE_FAIL("int3 after the inner catch did not trap");
        return;
    }
    KITE_EXPECT_EQ(inner.vector, 6);
    KITE_EXPECT_EQ(outer.vector, 3);
    KITE_EXPECT_EQ(outer_rc, 4);
}

/* Manual: an uncaught invalid opcode must produce the full report, then a panic exit. */
KITE_TEST_MANUAL(crash, invalid_opcode)
{
    __asm__ volatile("ud2");
    KITE_FAIL("ud2 returned");
}

/* Manual: an uncaught page fault must report CR2 and the access kind. */
KITE_TEST_MANUAL(crash, page_fault)
{
    *(volatile uint64_t *)UNMAPPED_ADDR = 0x6b697465;
    KITE_FAIL("the write returned");
}
