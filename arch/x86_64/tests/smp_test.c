/* SPDX-License-Identifier: MIT */
/*
 * The other CPUs: every CPU Kite set out to use (all the topology lists,
 * within CONFIG_NR_CPUS and kite.maxcpus) is online, each knows its
 * own number and APIC ID, and handing work to a CPU refuses what it should.
 */
#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/numa.h>
#include <kite/test.h>

#include <arch/apic.h>

static volatile unsigned int seen_cpu[64];
static volatile uint32_t seen_apic[64];

static void who_am_i(void *arg)
{
    unsigned int cpu = arch_cpu_id();

    (void)arg;
    if (cpu < 64) {
        seen_cpu[cpu] = cpu + 1;
        seen_apic[cpu] = arch_lapic_id();
    }
}

KITE_TEST(smp, every_cpu_is_online)
{
    unsigned int total = 0;

    for (unsigned int n = 0; n < kite_numa_node_count(); n++) {
        total += kite_numa_node_cpus((int)n, NULL, 0);
    }
    KITE_EXPECT(arch_cpus_wanted() >= 1 && arch_cpus_wanted() <= total);
    KITE_EXPECT(arch_cpus_wanted() <= CONFIG_NR_CPUS);
    KITE_EXPECT_EQ(arch_cpus_online(), arch_cpus_wanted());
}

KITE_TEST(smp, each_cpu_knows_itself)
{
    for (unsigned int cpu = 1; cpu < arch_cpus_online() && cpu < 64; cpu++) {
        seen_cpu[cpu] = 0;
        KITE_ASSERT(arch_smp_call(cpu, who_am_i, NULL) == 0);
        KITE_ASSERT(arch_smp_wait(cpu, 5000) == 0);
        KITE_EXPECT_EQ(seen_cpu[cpu], cpu + 1);
        KITE_EXPECT_EQ(seen_apic[cpu], kite_numa_cpu_apic_id(cpu));
    }
}

KITE_TEST(smp, legacy_pic_masked)
{
    /* QEMU's PC has the 8259s (the MADT says PCAT_COMPAT): all their lines stay masked. */
    KITE_EXPECT_EQ(arch_inb(0x21), 0xff);
    KITE_EXPECT_EQ(arch_inb(0xa1), 0xff);
}

KITE_TEST(smp, calls_refused_when_they_should_be)
{
    KITE_EXPECT_EQ(arch_smp_call(arch_cpu_id(), who_am_i, NULL), -KITE_ENODEV);
    KITE_EXPECT_EQ(arch_smp_call(arch_cpus_online(), who_am_i, NULL), -KITE_ENODEV);
    KITE_EXPECT_EQ(arch_smp_wait(CONFIG_NR_CPUS, 1), -KITE_ENODEV);
}
