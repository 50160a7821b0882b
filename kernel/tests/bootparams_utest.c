/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the co-kernel boot params check (kernel/bootparams.c): a
 * host's well-formed params pass and become topology facts; each kind of
 * bad field is refused with a message naming it and what was expected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <kite/errno.h>
#include <kite/partition.h>

#include "../acpi.h"
#include "../topology.h"

#include "bp_sample.h"

#define SHARED KITE_BP_SAMPLE_SIZE
#define PHYS   KITE_BP_SAMPLE_PHYS
#define MIB    (1ull << 20)

static union {
    struct kite_boot_params bp;
    uint8_t bytes[SHARED];
} region;
static char err[256];

static void ring(uint64_t off, uint64_t size)
{
    kite_bp_sample_ring(region.bytes, off, size);
}

/* What a host hands over for 2 CPUs and 256 MiB on each of 2 nodes. */
static struct kite_boot_params *good(void)
{
    return kite_bp_sample(region.bytes);
}

static void refused(const char *what)
{
    assert_int_equal(kite_bp_check(&region.bp, PHYS, SHARED, err, sizeof(err)), -KITE_EINVAL);
    if (!strstr(err, what)) {
        fail_msg("message '%s' does not say '%s'", err, what);
    }
}

static void test_good_params_pass(void **state)
{
    (void)state;
    good();
    assert_int_equal(kite_bp_check(&region.bp, PHYS, SHARED, err, sizeof(err)), 0);
    assert_string_equal(err, "");
}

static void test_header_refused(void **state)
{
    (void)state;
    good()->magic ^= 1;
    refused("not Kite boot params");
    good()->version = KITE_BP_VERSION + 1;
    refused("different builds");
    good()->size -= 8;
    refused("different builds");
}

static void test_counts_refused(void **state)
{
    (void)state;
    good()->nr_cpus = 0;
    refused("expected 1..64");
    good()->nr_mem = KITE_BP_MAX_MEM + 1;
    refused("memory ranges");
    good()->nr_nodes = 9;
    refused("nodes");
}

static void test_rate_and_sipi_refused(void **state)
{
    (void)state;
    good()->tsc_khz = 0;
    refused("TSC rate 0 kHz");
    good()->sipi_page = 0x100000;
    refused("SIPI page");
    good()->sipi_page = 0x70010;
    refused("SIPI page");
}

static void test_shared_region_refused(void **state)
{
    (void)state;
    good()->shared_phys = PHYS + 0x1000;
    refused("expected to start at the params");
    good()->shared_size = 2 * SHARED; /* more than the caller can vouch for */
    refused("shared region");
    good()->mbi_off = SHARED - 0x800;
    refused("multiboot2 block");
    good()->mbi_off = 0;
    refused("multiboot2 block");
}

static void test_rings_refused(void **state)
{
    (void)state;
    good()->console_off = SHARED - 16;
    refused("console ring header");
    good();
    ring(0x3000, 0x3000); /* not a power of two */
    refused("console ring");
    good();
    ring(0xd200, 0x4000); /* runs past the region */
    refused("Kite-to-host ring");
    good()->h2k_off = 0xb108;
    refused("host-to-Kite ring header");
    good();
    ((struct kite_ring *)(region.bytes + 0x3000))->data_off = ~0xffull; /* wraps past the top */
    refused("console ring");
}

static void test_cpus_and_memory_refused(void **state)
{
    (void)state;
    good()->cpus[1].apic_id = 2;
    refused("both have APIC ID 2");
    good()->cpus[0].node = 2;
    refused("CPU 0 (APIC ID 2) is on node 2");
    good()->mem[1].base = 0x50100000;
    refused("multiples of 2 MiB");
    good()->mem[1].base = 0x50000000 + 128 * MIB;
    refused("memory 1 overlaps memory 0");
    good()->mem[0].size = 0;
    refused("non-empty");
    good()->mem[0].base = 5ull << 30;
    refused("below 4 GiB");
    good()->mem[1].node = 7;
    refused("memory 1 is on node 7");
}

static void test_distances_refused(void **state)
{
    (void)state;
    good()->distance[1][1] = 20;
    refused("distance from node 1 to node 1 is 20");
    good()->distance[0][1] = 10;
    refused("11..254");
}

/* The params become the facts ACPI would have given, and the same topology. */
static void test_params_as_acpi(void **state)
{
    static struct kite_acpi_info acpi;
    static struct kite_topology topo;
    struct kite_mem_range mmap[2] = {{0x20000000, 256 * MIB, KITE_MEM_AVAILABLE},
                                     {0x50000000, 256 * MIB, KITE_MEM_AVAILABLE}};

    (void)state;
    kite_acpi_from_bp(good(), &acpi);
    assert_true(acpi.has_madt);
    assert_false(acpi.pcat_compat);
    assert_int_equal(acpi.nioapics, 0);
    assert_false(acpi.has_hpet);
    assert_int_equal(acpi.ncpus, 2);
    assert_int_equal(acpi.cpus[1].apic_id, 3);
    assert_int_equal(acpi.nmem_affinity, 2);
    assert_int_equal(acpi.slit[0][1], 20);
    kite_topology_build(&acpi, mmap, 2, 2, NULL, NULL, &topo);
    assert_int_equal(topo.nnodes, 2);
    assert_int_equal(topo.ncpus, 2);
    assert_int_equal(topo.cpu_node[0], 1); /* both CPUs on the host's node 1 */
    assert_int_equal(topo.node[1].mem, 256 * MIB);
    assert_int_equal(topo.node[1].ranges[0].base, 0x50000000);
    assert_int_equal(topo.distance[0][1], 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_params_pass),
        cmocka_unit_test(test_header_refused),
        cmocka_unit_test(test_counts_refused),
        cmocka_unit_test(test_rate_and_sipi_refused),
        cmocka_unit_test(test_shared_region_refused),
        cmocka_unit_test(test_rings_refused),
        cmocka_unit_test(test_cpus_and_memory_refused),
        cmocka_unit_test(test_distances_refused),
        cmocka_unit_test(test_params_as_acpi),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
