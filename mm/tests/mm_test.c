/* SPDX-License-Identifier: MIT */
/*
 * Memory under a booted kernel: pages and heap blocks land on the node
 * asked for, bad requests return NULL, a storm of allocations gives every
 * byte back (per-node statistics return to where they were), interleaved
 * blocks spread over the nodes, stacks have unmapped guards, and device
 * memory can be mapped.
 */
#include <kite/arch.h>
#include <kite/mm.h>
#include <kite/numa.h>
#include <kite/stack.h>
#include <kite/string.h>
#include <kite/test.h>

#include <arch/paging.h>

static bool node_has_memory(unsigned int n)
{
    struct kite_node_mem_stats st;

    return kite_page_stats((int)n, &st) == 0 && st.free > (1u << 20);
}

KITE_TEST(mm, pages_land_on_the_node_asked)
{
    for (unsigned int n = 0; n < kite_numa_node_count(); n++) {
        void *p;

        if (!node_has_memory(n)) {
            continue;
        }
        p = kite_page_alloc(4, (int)n, KITE_PAGE_ZERO);
        KITE_ASSERT(p != NULL);
        KITE_EXPECT_EQ(kite_numa_node_of_addr((uintptr_t)p), n);
        KITE_EXPECT_EQ((uintptr_t)p & ((KITE_PAGE_SIZE << 4) - 1), 0);
        KITE_EXPECT_EQ(((uint8_t *)p)[KITE_PAGE_SIZE * 16 - 1], 0);
        kite_page_free(p, 4);
    }
}

KITE_TEST(mm, bad_page_requests_return_null)
{
    KITE_EXPECT(kite_page_alloc(KITE_PAGE_MAX_ORDER + 1, 0, 0) == NULL);
    KITE_EXPECT(kite_page_alloc(0, (int)kite_numa_node_count(), 0) == NULL);
    KITE_EXPECT(kite_page_alloc(0, -7, 0) == NULL);
}

KITE_TEST(mm, heap_lands_on_the_node_asked)
{
    int home = kite_numa_node_of_cpu(arch_cpu_id());
    void *small = kite_malloc(64), *large = kite_malloc(1 << 20);

    KITE_ASSERT(small && large);
    KITE_EXPECT_EQ(kite_numa_node_of_addr((uintptr_t)small), home);
    KITE_EXPECT_EQ(kite_numa_node_of_addr((uintptr_t)large), home);
    kite_free(small);
    kite_free(large);
    for (unsigned int n = 0; n < kite_numa_node_count(); n++) {
        if (!node_has_memory(n)) {
            continue;
        }
        small = kite_malloc_node(100, (int)n);
        large = kite_malloc_node(3 << 20, (int)n);
        KITE_ASSERT(small && large);
        KITE_EXPECT_EQ(kite_numa_node_of_addr((uintptr_t)small), n);
        KITE_EXPECT_EQ(kite_numa_node_of_addr((uintptr_t)large), n);
        kite_free(small);
        kite_free(large);
    }
    KITE_EXPECT(kite_malloc_node(64, (int)kite_numa_node_count()) == NULL);
}

KITE_TEST(mm, bad_heap_requests_return_null)
{
    KITE_EXPECT(kite_malloc(0) == NULL);
    KITE_EXPECT(kite_calloc((size_t)1 << 62, 8) == NULL);
    KITE_EXPECT(kite_malloc(~(size_t)0) == NULL);
    KITE_EXPECT(kite_aligned_alloc(24, 64) == NULL);
    kite_free(NULL);
}

/* A deterministic xorshift, so a failing storm can be replayed. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

KITE_TEST(mm, storm_gives_every_byte_back)
{
    enum { SLOTS = 256 };
    struct kite_node_mem_stats before[KITE_MAX_NODES] = {0}, after = {0};
    void *blocks[SLOTS] = {0};
    unsigned int nodes = kite_numa_node_count();
    uint64_t seed = 0x6b697465;

    kite_heap_trim();
    for (unsigned int n = 0; n < nodes; n++) {
        kite_page_stats((int)n, &before[n]);
    }
    for (unsigned int i = 0; i < 20000; i++) {
        uint64_t r = next_random(&seed);
        unsigned int slot = r % SLOTS;

        if (blocks[slot]) {
            kite_free(blocks[slot]);
            blocks[slot] = NULL;
        } else {
            size_t size = (r >> 8) % 4 == 0 ? (r >> 16) % (256 << 10) + 1 : (r >> 16) % 2048 + 1;
            int node = (int)((r >> 40) % (nodes + 1)) - 1;

            blocks[slot] = node < 0 ? kite_malloc(size) : kite_malloc_node(size, node);
            if (blocks[slot]) {
                memset(blocks[slot], 0x5a, size);
            }
        }
    }
    for (unsigned int i = 0; i < SLOTS; i++) {
        kite_free(blocks[i]);
    }
    kite_heap_trim();
    for (unsigned int n = 0; n < nodes; n++) {
        kite_page_stats((int)n, &after);
        KITE_EXPECT_EQ(after.free, before[n].free);
        KITE_EXPECT_EQ(after.largest_free, before[n].largest_free);
    }
}

KITE_TEST(mm, interleaved_spreads_over_nodes)
{
    unsigned int nodes = kite_numa_node_count();
    size_t pages = (size_t)4 * nodes;
    uint8_t *p = kite_malloc_interleaved(pages * KITE_PAGE_SIZE);

    KITE_ASSERT(p != NULL);
    for (size_t i = 0; i < pages; i++) {
        uint64_t phys = arch_virt_to_phys((uintptr_t)p + i * KITE_PAGE_SIZE);

        p[i * KITE_PAGE_SIZE] = (uint8_t)i;
        if (node_has_memory(i % nodes)) {
            KITE_EXPECT_EQ(kite_numa_node_of_addr(phys), i % nodes);
        }
    }
    kite_free(p);
    KITE_EXPECT(kite_malloc_interleaved(0) == NULL);
}

/*
 * A block of 200 pages: freed, its pages are unmapped with one TLB shootdown
 * per 64 (at most 4 interrupts on another CPU, where one per page would be
 * 201), and every frame goes back to its node.
 */
KITE_TEST(mm, interleaved_free_unmaps_in_batches)
{
    unsigned int nodes = kite_numa_node_count(), other = arch_cpus_online() - 1;
    struct kite_node_mem_stats before[KITE_MAX_NODES], after;
    size_t pages = 200;
    uint64_t ipis;
    uint8_t *p;

    for (unsigned int n = 0; n < nodes && n < KITE_MAX_NODES; n++) {
        kite_page_stats((int)n, &before[n]);
    }
    p = kite_malloc_interleaved(pages * KITE_PAGE_SIZE);
    KITE_ASSERT(p != NULL);
    memset(p, 0x5a, pages * KITE_PAGE_SIZE);
    ipis = arch_irq_count(other, ARCH_VECTOR_TLB);
    kite_free(p);
    if (other != 0) {
        KITE_EXPECT(arch_irq_count(other, ARCH_VECTOR_TLB) - ipis <= 4);
    }
    for (size_t i = 0; i < pages; i += 37) {
        KITE_EXPECT(!arch_addr_mapped((uintptr_t)p + i * KITE_PAGE_SIZE));
    }
    for (unsigned int n = 0; n < nodes && n < KITE_MAX_NODES; n++) {
        kite_page_stats((int)n, &after);
        KITE_EXPECT_EQ(after.free, before[n].free);
    }
}

KITE_TEST(mm, stacks_have_guards)
{
    struct kite_stack *s = kite_stack_alloc(16 << 10, KITE_NODE_ANY, "mm-test");

    KITE_ASSERT(s != NULL);
    KITE_EXPECT_EQ(s->top - s->bottom, 16 << 10);
    memset((void *)s->bottom, 0xcc, s->size);
    KITE_EXPECT(!arch_addr_mapped(s->bottom - 1));
    KITE_EXPECT(kite_stack_guard_hit(s->bottom - 1) == s);
    KITE_EXPECT(kite_stack_guard_hit(s->bottom) == NULL);
    kite_stack_free(s);
    KITE_EXPECT(!arch_addr_mapped(s->bottom));
    KITE_EXPECT(kite_stack_alloc(0, KITE_NODE_ANY, "zero") == NULL);
    KITE_EXPECT(kite_stack_alloc(64 << 20, KITE_NODE_ANY, "huge") == NULL);
}

KITE_TEST(mm, ioremap_reaches_the_local_apic)
{
    /* The local APIC is at its default address on every PC QEMU models. */
    volatile uint32_t *lapic = kite_ioremap(0xfee00000, 4096);
    uint32_t version;

    KITE_ASSERT(lapic != NULL);
    version = lapic[0x30 / 4] & 0xff;
    KITE_EXPECT(version >= 0x10 && version <= 0x15);
}

/* Run @fn on every online CPU at once (the caller too) and wait for all; false on a timeout. */
static bool on_all_cpus(void (*fn)(void *), void *arg)
{
    unsigned int n = arch_cpus_online();
    bool ok = true;

    for (unsigned int cpu = 1; cpu < n; cpu++) {
        ok &= arch_smp_call(cpu, fn, arg) == 0;
    }
    fn(arg);
    for (unsigned int cpu = 1; cpu < n; cpu++) {
        ok &= arch_smp_wait(cpu, 30000) == 0;
    }
    return ok;
}

#define STORM_CPUS  16
#define STORM_SLOTS 64

static void *batch[STORM_CPUS][STORM_SLOTS];
static int landed[STORM_CPUS][2]; /* node of a small and of a large block, per CPU */

static void where_do_blocks_land(void *arg)
{
    unsigned int cpu = arch_cpu_id();
    void *small = kite_malloc(64), *large = kite_malloc(300 << 10);

    (void)arg;
    landed[cpu][0] = small ? kite_numa_node_of_addr((uintptr_t)small) : -2;
    landed[cpu][1] = large ? kite_numa_node_of_addr((uintptr_t)large) : -2;
    kite_free(small);
    kite_free(large);
}

KITE_TEST(mm, each_cpu_allocates_on_its_node)
{
    unsigned int n = KITE_MIN(arch_cpus_online(), (unsigned int)STORM_CPUS);

    KITE_ASSERT(on_all_cpus(where_do_blocks_land, NULL));
    for (unsigned int cpu = 0; cpu < n; cpu++) {
        int home = kite_numa_node_of_cpu(cpu);

        if (!node_has_memory((unsigned int)home)) {
            continue;
        }
        if (landed[cpu][0] != home || landed[cpu][1] != home) {
            KITE_FAIL("CPU %u (node %d): small block on node %d, large on node %d", cpu, home,
                      landed[cpu][0], landed[cpu][1]);
        }
    }
}

static void storm_allocate(void *arg)
{
    unsigned int cpu = arch_cpu_id();
    uint64_t seed = 0x9e3779b97f4a7c15ull * (cpu + 1);

    (void)arg;
    for (unsigned int i = 0; cpu < STORM_CPUS && i < STORM_SLOTS; i++) {
        size_t size = next_random(&seed) % 5000 + 1;

        batch[cpu][i] = kite_malloc(size);
        if (batch[cpu][i]) {
            memset(batch[cpu][i], (int)cpu, size);
        }
    }
}

/* Free the next CPU's blocks (frees to another CPU's memory) and churn locally too. */
static void storm_free_neighbour(void *arg)
{
    unsigned int cpu = arch_cpu_id(), n = KITE_MIN(arch_cpus_online(), (unsigned int)STORM_CPUS);
    unsigned int victim = (cpu + 1) % n;
    uint64_t seed = cpu + 7;

    (void)arg;
    for (unsigned int i = 0; cpu < STORM_CPUS && i < STORM_SLOTS; i++) {
        kite_free(batch[victim][i]);
        batch[victim][i] = NULL;
    }
    for (unsigned int i = 0; i < 2000; i++) {
        void *p = kite_malloc(next_random(&seed) % 3000 + 1);

        kite_free(p);
    }
}

static void trim(void *arg)
{
    (void)arg;
    kite_heap_trim();
}

KITE_TEST(mm, storm_on_all_cpus_gives_every_byte_back)
{
    struct kite_node_mem_stats before[KITE_MAX_NODES] = {0}, after = {0};
    unsigned int nodes = kite_numa_node_count();

    KITE_ASSERT(arch_cpus_online() <= STORM_CPUS);
    KITE_ASSERT(on_all_cpus(trim, NULL));
    for (unsigned int n = 0; n < nodes; n++) {
        kite_page_stats((int)n, &before[n]);
    }
    KITE_ASSERT(on_all_cpus(storm_allocate, NULL));
    KITE_ASSERT(on_all_cpus(storm_free_neighbour, NULL));
    /* Each owner collects what other CPUs freed of its memory. */
    KITE_ASSERT(on_all_cpus(trim, NULL));
    for (unsigned int n = 0; n < nodes; n++) {
        kite_page_stats((int)n, &after);
        KITE_EXPECT_EQ(after.free, before[n].free);
    }
}
