/* SPDX-License-Identifier: MIT */
/*
 * TLB shootdown: once memory is unmapped through the kernel's own API (a
 * stack freed, an interleaved block freed), a CPU that had just read it
 * faults on the next read instead of using its stale translation; each
 * flush reaches every other CPU by IPI; and two CPUs shooting down at once
 * with interrupts off both finish, with no CPU ever failing to confirm.
 */
#include <kite/arch.h>
#include <kite/mm.h>
#include <kite/numa.h>
#include <kite/stack.h>
#include <kite/test.h>

#include <arch/tlb.h>

#define VEC_PAGE_FAULT 14

static volatile uint64_t sink;

static bool timed_out(uint64_t start, uint64_t ms)
{
    return arch_tsc() - start > ms * arch_tsc_khz;
}

/*
 * Read *addr (filling the TLB), say so, wait until told the memory is gone,
 * then read again under a catch and record the fault.
 */
struct probe {
    volatile uint64_t *addr;
    volatile int stage; /* 1: first read done; 2: unmapped, read again; 3: second read done */
    uint64_t first;
    uint64_t vector, cr2; /* what the second read caught; vector 0 and cr2 0 if nothing */
};

/* The second read, under a catch: records what it caught. */
static void read_again(struct probe *p)
{
    struct arch_catch c;

    p->vector = 0;
    p->cr2 = 0;
    if (arch_catch_enter(&c) == 0) {
        sink = *p->addr;
        arch_catch_leave(&c);
    } else {
        p->vector = c.vector;
        p->cr2 = c.cr2;
    }
    __atomic_store_n(&p->stage, 3, __ATOMIC_RELEASE);
}

static void probe_read_twice(void *arg)
{
    struct probe *p = arg;
    uint64_t start;

    p->first = *p->addr;
    __atomic_store_n(&p->stage, 1, __ATOMIC_RELEASE);
    start = arch_tsc();
    while (__atomic_load_n(&p->stage, __ATOMIC_ACQUIRE) != 2) {
        if (timed_out(start, 5000)) {
            return;
        }
        arch_pause();
    }
    read_again(p);
}

/* The CPU that reads: 1 when it is online, else this one (then only the local flush is tested). */
static unsigned int reader_cpu(void)
{
    return arch_cpus_online() >= 2 ? 1 : 0;
}

/*
 * The reader reads @addr, @release unmaps it through the normal API, then
 * the reader's second read must fault at @addr, and the reader must have
 * taken at least one TLB IPI.
 */
static void check_unmap_reaches_reader(struct kite_test_ctx *kt, volatile uint64_t *addr,
                                       void (*release)(void *obj), void *obj)
{
    static struct probe p;
    unsigned int cpu = reader_cpu();
    uint64_t ipis = arch_irq_count(cpu, ARCH_VECTOR_TLB), timeouts = arch_tlb_timeouts();
    uint64_t start = arch_tsc();

    *addr = 0x5eed;
    p = (struct probe){.addr = addr};
    if (cpu == 0) {
        /* No other CPU: only the local flush is tested. */
        p.first = *addr;
        release(obj);
        read_again(&p);
    } else {
        KITE_ASSERT(arch_smp_call(cpu, probe_read_twice, &p) == 0);
        while (__atomic_load_n(&p.stage, __ATOMIC_ACQUIRE) != 1) {
            if (timed_out(start, 5000)) {
                release(obj);
                KITE_FAIL("CPU %u never read the page", cpu);
                return;
            }
            arch_pause();
        }
        release(obj);
        __atomic_store_n(&p.stage, 2, __ATOMIC_RELEASE);
        KITE_EXPECT_EQ(arch_smp_wait(cpu, 5000), 0);
        KITE_EXPECT(arch_irq_count(cpu, ARCH_VECTOR_TLB) > ipis);
    }
    KITE_EXPECT_EQ(p.first, 0x5eed);
    KITE_EXPECT_EQ(p.stage, 3);
    KITE_EXPECT_EQ(p.vector, VEC_PAGE_FAULT);
    KITE_EXPECT_EQ(p.cr2, (uint64_t)(uintptr_t)addr);
    KITE_EXPECT_EQ(arch_tlb_timeouts(), timeouts);
}

static void free_stack(void *obj)
{
    kite_stack_free(obj);
}

/* A stack of @size bytes freed while another CPU holds a translation of its lowest page. */
static void check_stack(struct kite_test_ctx *kt, size_t size)
{
    struct kite_stack *s = kite_stack_alloc(size, KITE_NODE_ANY, "tlb-test");

    KITE_ASSERT(s);
    check_unmap_reaches_reader(kt, (volatile uint64_t *)s->bottom, free_stack, s);
}

/* 4 pages: flushed page by page. */
KITE_TEST(tlb, freed_stack_faults_on_other_cpu)
{
    check_stack(kt, 16 << 10);
}

/* 64 pages: more than a page-by-page flush is worth, so a whole-TLB flush. */
KITE_TEST(tlb, freed_large_stack_faults_on_other_cpu)
{
    check_stack(kt, 256 << 10);
}

KITE_TEST(tlb, freed_interleaved_block_faults_on_other_cpu)
{
    void *block = kite_malloc_interleaved(3 * KITE_PAGE_SIZE);

    KITE_ASSERT(block);
    check_unmap_reaches_reader(kt, (volatile uint64_t *)((uintptr_t)block + KITE_PAGE_SIZE),
                               kite_free, block);
}

/* The other direction: CPU 1 unmaps, the boot CPU must lose its translation. */
KITE_TEST(tlb, unmap_on_another_cpu_reaches_this_one)
{
    struct kite_stack *s = kite_stack_alloc(16 << 10, KITE_NODE_ANY, "tlb-test");
    uint64_t timeouts = arch_tlb_timeouts();
    struct probe p;

    KITE_ASSERT(s);
    if (arch_cpus_online() < 2) {
        kite_stack_free(s);
        return; /* tlb.freed_stack_faults_on_other_cpu covers the local flush */
    }
    p = (struct probe){.addr = (volatile uint64_t *)s->bottom};
    *p.addr = 0x5eed;
    p.first = *p.addr;
    KITE_ASSERT(arch_smp_call(1, free_stack, s) == 0);
    KITE_EXPECT_EQ(arch_smp_wait(1, 5000), 0);
    read_again(&p);
    KITE_EXPECT_EQ(p.first, 0x5eed);
    KITE_EXPECT_EQ(p.vector, VEC_PAGE_FAULT);
    KITE_EXPECT_EQ(p.cr2, (uint64_t)s->bottom);
    KITE_EXPECT_EQ(arch_tlb_timeouts(), timeouts);
}

KITE_TEST(tlb, every_flush_reaches_every_cpu)
{
    uint64_t before[64], timeouts = arch_tlb_timeouts();
    unsigned int n = 16;

    for (unsigned int cpu = 0; cpu < 64; cpu++) {
        before[cpu] = arch_irq_count(cpu, ARCH_VECTOR_TLB);
    }
    for (unsigned int i = 0; i < n; i++) {
        arch_tlb_flush_range((uintptr_t)&sink, sizeof(sink));
    }
    /* Each flush waits for every answer, so the IPIs of successive flushes never merge. */
    for (unsigned int cpu = 0; cpu < 64 && cpu < CONFIG_NR_CPUS; cpu++) {
        const struct arch_percpu *pc = arch_percpu_of(cpu);

        if (cpu != arch_cpu_id() && pc && (cpu == 0 || pc->online) &&
            arch_irq_count(cpu, ARCH_VECTOR_TLB) < before[cpu] + n) {
            KITE_FAIL("CPU %u took %llu TLB IPIs for %u flushes", cpu,
                      (unsigned long long)(arch_irq_count(cpu, ARCH_VECTOR_TLB) - before[cpu]), n);
        }
    }
    KITE_EXPECT_EQ(arch_irq_count(arch_cpu_id(), ARCH_VECTOR_TLB), before[arch_cpu_id()]);
    KITE_EXPECT_EQ(arch_tlb_timeouts(), timeouts);
}

#define STORM 200

static volatile bool storm_go;
static volatile unsigned int storm_ready, storm_done;

/* STORM flushes with interrupts off: only serving others while waiting keeps this from hanging. */
static void flush_storm(void *arg)
{
    unsigned long flags = arch_irq_save();

    (void)arg;
    __atomic_fetch_add(&storm_ready, 1, __ATOMIC_RELEASE);
    while (!storm_go) {
        arch_pause();
    }
    for (unsigned int i = 0; i < STORM; i++) {
        arch_tlb_flush_range((uintptr_t)&sink, KITE_PAGE_SIZE * (1 + i % 40));
    }
    arch_irq_restore(flags);
    __atomic_fetch_add(&storm_done, 1, __ATOMIC_RELEASE);
}

KITE_TEST(tlb, concurrent_shootdowns_complete)
{
    uint64_t timeouts = arch_tlb_timeouts(), start = arch_tsc(), took;
    uint64_t ipis0 = arch_irq_count(0, ARCH_VECTOR_TLB), ipis1 = arch_irq_count(1, ARCH_VECTOR_TLB);

    if (arch_cpus_online() < 2) {
        return; /* nobody to race with */
    }
    storm_go = false;
    storm_ready = storm_done = 0;
    KITE_ASSERT(arch_smp_call(1, flush_storm, NULL) == 0);
    while (storm_ready != 1) {
        if (arch_tsc() - start > 5000 * arch_tsc_khz) {
            KITE_FAIL("CPU 1 never started");
            storm_go = true;
            return;
        }
        arch_pause();
    }
    /* Both start together; each storm is long enough that they overlap. */
    storm_go = true;
    start = arch_tsc();
    flush_storm(NULL);
    KITE_EXPECT_EQ(arch_smp_wait(1, 10000), 0);
    took = (arch_tsc() - start) / arch_tsc_khz;
    KITE_EXPECT_EQ(storm_done, 2);
    KITE_EXPECT_EQ(arch_tlb_timeouts(), timeouts);
    /*
     * Both had interrupts off, so requests were served while waiting; the
     * IPIs still pending arrive once interrupts are on again.
     */
    KITE_EXPECT(arch_irq_count(1, ARCH_VECTOR_TLB) > ipis1);
    if (arch_irq_enabled()) {
        KITE_EXPECT(arch_irq_count(0, ARCH_VECTOR_TLB) > ipis0);
    }
    /* Far below one 1 s timeout per flush, which is what a missed request would cost. */
    KITE_EXPECT(took < 5000);
}
