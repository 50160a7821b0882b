/* SPDX-License-Identifier: MIT */
/*
 * In-kernel tests of co-kernel mode, run in a partition by the co-kernel
 * test (`kitectl exec N test partition`); under GRUB they say they do not
 * apply. The state words and heartbeat the host watches, and the console
 * ring the host reads.
 */
#include <kite/arch.h>
#include <kite/numa.h>
#include <kite/partition.h>
#include <kite/printk.h>
#include <kite/string.h>
#include <kite/test.h>
#include <kite/timer.h>

#define NOT_HERE "booted by GRUB, not in a partition"

KITE_TEST(partition, state_and_cpus_published)
{
    unsigned int online = 0;

    KITE_SKIP_IF(!kite_partition(), NOT_HERE);
    KITE_EXPECT_EQ(kite_bp->state, KITE_BP_RUNNING);
    KITE_EXPECT(kite_bp->ready_tsc > kite_bp->entry_tsc);
    KITE_EXPECT(kite_bp->kite_vector >= 0x30 && kite_bp->kite_vector < 0xf0);
    KITE_EXPECT_EQ(kite_bp->kite_apic_id, kite_numa_cpu_apic_id(0));
    for (uint32_t i = 0; i < kite_bp->nr_cpus; i++) {
        online += kite_bp->cpu_state[i] == KITE_CPU_ONLINE;
    }
    KITE_EXPECT_EQ(online, arch_cpus_online());
}

KITE_TEST(partition, heartbeat_advances)
{
    uint64_t before;

    KITE_SKIP_IF(!kite_partition(), NOT_HERE);
    before = kite_bp->heartbeats;
    kite_sleep_ns(250 * KITE_NSEC_PER_MSEC);
    KITE_EXPECT(kite_bp->heartbeats >= before + 2);
    KITE_EXPECT(arch_tsc() - kite_bp->heartbeat_tsc < arch_tsc_khz * 200); /* under 200 ms old */
}

KITE_TEST(partition, log_reaches_the_console_ring)
{
    const struct kite_ring *r;
    const char *data;
    char seen[32];
    uint64_t head;

    KITE_SKIP_IF(!kite_partition(), NOT_HERE);
    r = (const struct kite_ring *)((const uint8_t *)kite_bp + kite_bp->console_off);
    data = (const char *)r + r->data_off;
    kite_pr_info("partition test mark 4242\n");
    head = r->head;
    KITE_ASSERT(head >= 5);
    for (unsigned int i = 0; i < 5; i++) {
        seen[i] = data[(head - 5 + i) & (r->size - 1)];
    }
    seen[5] = '\0';
    KITE_EXPECT(strcmp(seen, "4242\n") == 0);
}
