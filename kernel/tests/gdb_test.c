/* SPDX-License-Identifier: MIT */
/*
 * Tests of the GDB stub. The suite's own checks need no debugger: the
 * stub's memory access refuses what is not mapped and writes read-only
 * text, its debug registers fire, and its entry points return when it is
 * off. gdb.target and the manual gdb.interrupt are what test/gdb/run.sh
 * debugs through QEMU's second serial port: it breaks in
 * kite_gdb_test_target, reads and writes the variables below, watches
 * kite_gdb_test_watched, and stops kite_gdb_test_spin with Ctrl-C.
 */
#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/gdb.h>
#include <kite/printk.h>
#include <kite/string.h>
#include <kite/test.h>

#include <arch/gdb.h>

volatile long kite_gdb_test_counter = 12345; /* gdb reads it before and after the call */
volatile long kite_gdb_test_answer;          /* gdb sets it; the test prints it */
volatile long kite_gdb_test_watched;         /* gdb watches it; the test writes it */
volatile long kite_gdb_test_release;         /* gdb sets it to end gdb.interrupt's spin */

long kite_gdb_test_target(long x);
void kite_gdb_test_spin(void);

/* Where gdb puts its breakpoint. */
__attribute__((noinline)) long kite_gdb_test_target(long x)
{
    long y = x * 3 + 1;

    kite_gdb_test_counter = y;
    return y;
}

KITE_TEST(gdb, target)
{
    long before = kite_gdb_test_counter;

    KITE_EXPECT_EQ(kite_gdb_test_target(13), 40);
    KITE_EXPECT_EQ(kite_gdb_test_counter, 40);
    kite_gdb_test_watched = before + 1; /* under gdb, a hardware watchpoint stops here */
    kite_pr_info("gdb test: answer %ld, watched %ld\n", kite_gdb_test_answer,
                 kite_gdb_test_watched);
}

KITE_TEST(gdb, memory_access)
{
    static const char text[] = "kite gdb";
    uint8_t buf[16];

    KITE_EXPECT_EQ(arch_gdb_mem_read((uint64_t)(uintptr_t)text, buf, 8), 8);
    KITE_EXPECT(memcmp(buf, text, 8) == 0);
    /* Page 0, a non-canonical address: nothing, and no fault; no wrap past the top. */
    KITE_EXPECT_EQ(arch_gdb_mem_read(0, buf, 8), 0);
    KITE_EXPECT_EQ(arch_gdb_mem_read(0x0000800000000000ull, buf, 8), 0);
    KITE_EXPECT(arch_gdb_mem_read(~0ull - 3, buf, 8) <= 4);
    KITE_EXPECT_EQ(arch_gdb_mem_write(0, buf, 8), 0);
    KITE_EXPECT_EQ(arch_gdb_mem_write(0x0000800000000000ull, buf, 8), 0);
}

/* Never runs while patched. */
static __attribute__((noinline)) int patch_target(void)
{
    return 7;
}

KITE_TEST(gdb, writes_read_only_text)
{
    uint64_t addr = (uint64_t)(uintptr_t)patch_target;
    uint8_t orig, now = 0;
    const uint8_t insn = ARCH_GDB_BREAK_INSN;

    KITE_ASSERT(arch_gdb_mem_read(addr, &orig, 1) == 1);
    KITE_ASSERT(orig != insn);
    KITE_EXPECT_EQ(arch_gdb_mem_write(addr, &insn, 1), 1);
    KITE_EXPECT(arch_gdb_mem_read(addr, &now, 1) == 1 && now == insn);
    KITE_EXPECT_EQ(arch_gdb_mem_write(addr, &orig, 1), 1);
    KITE_EXPECT(arch_gdb_mem_read(addr, &now, 1) == 1 && now == orig);
    KITE_EXPECT_EQ(patch_target(), 7);
    KITE_EXPECT(arch_read_cr0() & (1ull << 16)); /* CR0.WP is back on */
}

KITE_TEST(gdb, debug_registers)
{
    static volatile uint64_t watched;
    uint64_t addr = (uint64_t)(uintptr_t)&watched;
    struct arch_catch c;
    int trapped;

    KITE_SKIP_IF(kite_gdb_enabled(), "the stub is on: its debug registers are gdb's");
    KITE_EXPECT_EQ(arch_gdb_hw_set(2, addr + 1, 4), -KITE_EINVAL); /* not aligned */
    KITE_EXPECT_EQ(arch_gdb_hw_set(2, addr, 3), -KITE_EINVAL);
    KITE_EXPECT_EQ(arch_gdb_hw_clear(2, addr, 8), -KITE_ENOENT);
    for (unsigned int i = 0; i < 4; i++) {
        KITE_EXPECT_EQ(arch_gdb_hw_set(2, addr + 8ull * (i + 1), 8), 0);
    }
    KITE_EXPECT_EQ(arch_gdb_hw_set(2, addr, 8), -KITE_ENOSPC);
    arch_gdb_hw_clear_all();
    KITE_EXPECT(!arch_gdb_hw_any());

    /* A write watchpoint fires (#DB) on the write; with the stub off, a trap catch sees it. */
    KITE_ASSERT(arch_gdb_hw_set(2, addr, 8) == 0);
    arch_gdb_hw_load();
    trapped = arch_catch_enter(&c);
    if (!trapped) {
        watched = 1;
        arch_catch_leave(&c);
    }
    KITE_EXPECT_EQ(arch_gdb_hw_clear(2, addr, 8), 0);
    arch_gdb_hw_load();
    KITE_EXPECT_EQ(trapped, 1 + 1); /* vector 1, #DB */
    KITE_EXPECT_EQ(watched, 1);
    watched = 2; /* and no longer */
}

KITE_TEST(gdb, entry_points_return_when_off)
{
    KITE_SKIP_IF(kite_gdb_enabled(), "the stub is on (kite.gdb): they would stop for gdb");
    kite_gdb_breakpoint();
    kite_gdb_panic();
    KITE_EXPECT(!kite_gdb_attached());
}

/* ---- gdb.interrupt: test/gdb/run.sh stops these with Ctrl-C and releases them */

#define SPIN_MS 60000ull

static void spin_irqs_off(void *arg)
{
    uint64_t start = arch_tsc();

    (void)arg;
    arch_irq_disable(); /* only an NMI can stop this CPU */
    while (!kite_gdb_test_release && arch_tsc() - start < SPIN_MS * arch_tsc_khz) {
        arch_pause();
    }
}

/* Where Ctrl-C finds CPU 0. */
__attribute__((noinline)) void kite_gdb_test_spin(void)
{
    uint64_t start = arch_tsc();

    while (!kite_gdb_test_release && arch_tsc() - start < SPIN_MS * arch_tsc_khz) {
        arch_pause();
    }
}

KITE_TEST_MANUAL(gdb, interrupt)
{
    KITE_ASSERT(kite_gdb_enabled());
    KITE_ASSERT(arch_cpus_online() >= 2);
    KITE_ASSERT(arch_smp_call(1, spin_irqs_off, NULL) == 0);
    kite_pr_info("gdb test: spinning until gdb sets kite_gdb_test_release\n");
    kite_gdb_test_spin();
    KITE_EXPECT(kite_gdb_test_release); /* else the spin timed out: no Ctrl-C came */
    KITE_EXPECT_EQ(arch_smp_wait(1, 1000), 0);
}
