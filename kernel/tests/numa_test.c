/* SPDX-License-Identifier: MIT */
/*
 * The topology Kite built is consistent, whatever the machine: every CPU on
 * a node, every node's memory found by address, local distance 10, fallback
 * lists starting at home and sorted by distance. (That it matches QEMU's
 * -numa configuration is checked by the QEMU runner against the boot log.)
 */
#include <kite/arch.h>
#include <kite/numa.h>
#include <kite/test.h>

KITE_TEST(numa, cpus_are_on_nodes)
{
    unsigned int total = 0, cpus[256];

    KITE_ASSERT(kite_numa_node_count() >= 1);
    KITE_EXPECT_EQ(kite_numa_node_of_cpu(arch_cpu_id()) >= 0, 1);
    for (unsigned int n = 0; n < kite_numa_node_count(); n++) {
        unsigned int count = kite_numa_node_cpus((int)n, cpus, 256);

        for (unsigned int i = 0; i < count && i < 256; i++) {
            KITE_EXPECT_EQ(kite_numa_node_of_cpu(cpus[i]), n);
        }
        total += count;
    }
    KITE_EXPECT(total >= 1);
    KITE_EXPECT_EQ(kite_numa_node_of_cpu(total), -1);
}

KITE_TEST(numa, memory_found_by_address)
{
    struct kite_mem_range r[16];
    uint64_t node0 = 0;

    for (unsigned int n = 0; n < kite_numa_node_count(); n++) {
        unsigned int count = kite_numa_node_ranges((int)n, r, 16);

        for (unsigned int i = 0; i < count && i < 16; i++) {
            KITE_EXPECT_EQ(kite_numa_node_of_addr(r[i].base), n);
            KITE_EXPECT_EQ(kite_numa_node_of_addr(r[i].base + r[i].length - 1), n);
            if (n == 0) {
                node0 += r[i].length;
            }
        }
    }
    KITE_EXPECT(node0 > 0);
    KITE_EXPECT_EQ(kite_numa_node_of_addr(1ull << 52), -1);
    KITE_EXPECT_EQ(kite_numa_node_ranges((int)kite_numa_node_count(), r, 16), 0);
}

KITE_TEST(numa, distances_and_fallback)
{
    unsigned int n = kite_numa_node_count();

    for (unsigned int a = 0; a < n; a++) {
        KITE_EXPECT_EQ(kite_numa_distance((int)a, (int)a), 10);
        KITE_EXPECT_EQ(kite_numa_node_fallback((int)a, 0), a);
        for (unsigned int i = 1; i < n; i++) {
            int prev = kite_numa_node_fallback((int)a, i - 1);
            int cur = kite_numa_node_fallback((int)a, i);

            KITE_EXPECT(cur >= 0 && cur != (int)a);
            KITE_EXPECT(kite_numa_distance((int)a, prev) <= kite_numa_distance((int)a, cur));
            KITE_EXPECT(kite_numa_distance((int)a, cur) > 10);
        }
        KITE_EXPECT_EQ(kite_numa_node_fallback((int)a, n), -1);
    }
    KITE_EXPECT_EQ(kite_numa_distance(0, (int)n), 0);
    KITE_EXPECT_EQ(kite_numa_fallback(arch_cpu_id(), 0), kite_numa_node_of_cpu(arch_cpu_id()));
}
