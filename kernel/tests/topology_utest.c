/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the NUMA topology builder (kernel/topology.c): one node
 * without ACPI, QEMU-like SRAT/SLIT machines, and the firmware
 * disagreements it must survive with a warning.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../topology.h"

static struct kite_acpi_info acpi;
static struct kite_topology topo;
static char warned[2048];
static int nwarn;

static void warn(void *ctx, const char *msg)
{
    (void)ctx;
    nwarn++;
    strncat(warned, msg, sizeof(warned) - strlen(warned) - 2);
    strcat(warned, "\n");
}

#define MIB (1ull << 20)
#define GIB (1ull << 30)

/* A QEMU-like map: low RAM, a hole, RAM from 1 MiB to @top, a reserved BIOS area. */
static const struct kite_mem_range *qemu_map(uint64_t top, unsigned int *n)
{
    static struct kite_mem_range m[4];

    m[0] = (struct kite_mem_range){0, 0x9fc00, KITE_MEM_AVAILABLE};
    m[1] = (struct kite_mem_range){0x9fc00, 0x400, KITE_MEM_RESERVED};
    m[2] = (struct kite_mem_range){MIB, top - MIB, KITE_MEM_AVAILABLE};
    m[3] = (struct kite_mem_range){0xfffc0000, 0x40000, KITE_MEM_RESERVED};
    *n = 4;
    return m;
}

static void reset(void)
{
    memset(&acpi, 0, sizeof(acpi));
    warned[0] = '\0';
    nwarn = 0;
}

static void add_cpu(uint32_t apic, uint32_t domain)
{
    acpi.cpus[acpi.ncpus++] = (struct kite_acpi_cpu){.apic_id = apic, .uid = apic, .enabled = true};
    acpi.cpu_affinity[acpi.ncpu_affinity++] = (struct kite_acpi_cpu_affinity){apic, domain};
}

static void add_mem(uint64_t base, uint64_t len, uint32_t domain)
{
    acpi.mem_affinity[acpi.nmem_affinity++] =
        (struct kite_acpi_mem_affinity){.base = base, .length = len, .domain = domain};
}

/* Two nodes of 1 GiB, two CPUs each, SLIT 10/20. */
static void two_nodes(void)
{
    reset();
    acpi.has_madt = acpi.has_srat = acpi.has_slit = true;
    for (uint32_t c = 0; c < 4; c++) {
        add_cpu(c, c / 2);
    }
    add_mem(0, 0xa0000, 0);
    add_mem(MIB, GIB - MIB, 0);
    add_mem(GIB, GIB, 1);
    acpi.slit_localities = 2;
    acpi.slit[0][0] = acpi.slit[1][1] = 10;
    acpi.slit[0][1] = acpi.slit[1][0] = 20;
}

static void test_no_acpi_is_one_node(void **state)
{
    unsigned int n;
    const struct kite_mem_range *m = qemu_map(512 * MIB, &n);

    (void)state;
    reset();
    kite_topology_build(NULL, m, n, 0, warn, NULL, &topo);
    assert_int_equal(topo.nnodes, 1);
    assert_int_equal(topo.ncpus, 1);
    assert_int_equal(topo.node[0].nranges, 2);
    assert_int_equal(topo.node[0].mem, 0x9fc00 + 511 * MIB);
    assert_int_equal(topo.distance[0][0], 10);
    assert_int_equal(topo.fallback[0][0], 0);
    assert_false(topo.from_srat);
    assert_int_equal(nwarn, 0);
}

static void test_two_nodes(void **state)
{
    unsigned int n;
    const struct kite_mem_range *m = qemu_map(2 * GIB, &n);

    (void)state;
    two_nodes();
    kite_topology_build(&acpi, m, n, 2, warn, NULL, &topo);
    assert_int_equal(nwarn, 0);
    assert_int_equal(topo.nnodes, 2);
    assert_int_equal(topo.ncpus, 4);
    assert_int_equal(topo.cpu_apic_id[0], 2); /* the boot CPU comes first */
    assert_int_equal(topo.cpu_node[0], 1);
    assert_int_equal(topo.cpu_node[1], 0);
    assert_int_equal(topo.node[0].ncpus, 2);
    assert_int_equal(topo.node[1].ncpus, 2);
    assert_int_equal(topo.node[0].mem, 0x9fc00 + GIB - MIB);
    assert_int_equal(topo.node[1].mem, GIB);
    assert_int_equal(topo.distance[0][1], 20);
    assert_true(topo.from_slit);
    assert_int_equal(topo.fallback[1][0], 1);
    assert_int_equal(topo.fallback[1][1], 0);
}

static void test_domains_sorted_and_fallback_by_distance(void **state)
{
    unsigned int n;
    const struct kite_mem_range *m = qemu_map(3 * GIB, &n);
    static const uint8_t d[3][3] = {{10, 30, 20}, {30, 10, 25}, {20, 25, 10}};

    (void)state;
    reset();
    acpi.has_madt = acpi.has_srat = acpi.has_slit = true;
    add_cpu(0, 2);
    add_cpu(1, 0);
    add_cpu(2, 1);
    add_mem(2 * GIB, GIB, 2); /* listed out of order on purpose */
    add_mem(0, GIB, 0);
    add_mem(GIB, GIB, 1);
    acpi.slit_localities = 3;
    memcpy(acpi.slit[0], d[0], 3);
    memcpy(acpi.slit[1], d[1], 3);
    memcpy(acpi.slit[2], d[2], 3);
    kite_topology_build(&acpi, m, n, 0, warn, NULL, &topo);
    assert_int_equal(topo.nnodes, 3);
    assert_int_equal(topo.node[0].domain, 0);
    assert_int_equal(topo.node[2].domain, 2);
    assert_int_equal(topo.cpu_node[0], 2);
    /* From node 0: itself, then node 2 (20), then node 1 (30). */
    assert_int_equal(topo.fallback[0][0], 0);
    assert_int_equal(topo.fallback[0][1], 2);
    assert_int_equal(topo.fallback[0][2], 1);
    assert_int_equal(topo.fallback[1][1], 2);
}

static void test_uncovered_ram_goes_to_node0(void **state)
{
    unsigned int n;
    const struct kite_mem_range *m = qemu_map(3 * GIB, &n);

    (void)state;
    two_nodes(); /* SRAT covers 0..2 GiB; RAM goes to 3 GiB */
    kite_topology_build(&acpi, m, n, 0, warn, NULL, &topo);
    assert_int_equal(topo.node[0].mem, 0x9fc00 + GIB - MIB + GIB);
    assert_non_null(strstr(warned, "in no SRAT range; giving it to node 0"));
}

static void test_srat_past_ram_is_clipped(void **state)
{
    unsigned int n;
    const struct kite_mem_range *m = qemu_map(GIB + 512 * MIB, &n);

    (void)state;
    two_nodes(); /* node 1 claims 1..2 GiB, the map ends at 4 GiB: clipped, but no warning */
    kite_topology_build(&acpi, m, n, 0, warn, NULL, &topo);
    assert_int_equal(topo.node[1].mem, 512 * MIB);
    assert_int_equal(nwarn, 0);

    two_nodes();
    acpi.mem_affinity[2].length = 4 * GIB; /* node 1: 1..5 GiB, past the map (4 GiB) */
    kite_topology_build(&acpi, m, n, 0, warn, NULL, &topo);
    assert_non_null(strstr(warned, "reaches past the end of the memory map"));
}

static void test_bad_slit_gives_default_distances(void **state)
{
    unsigned int n;
    const struct kite_mem_range *m = qemu_map(2 * GIB, &n);

    (void)state;
    two_nodes();
    acpi.slit[0][1] = 5; /* remote closer than local: not valid */
    kite_topology_build(&acpi, m, n, 0, warn, NULL, &topo);
    assert_false(topo.from_slit);
    assert_int_equal(topo.distance[0][1], 20);
    assert_int_equal(topo.distance[1][1], 10);
    assert_non_null(strstr(warned, "is not valid"));

    two_nodes();
    acpi.slit_localities = 1; /* too small for domain 1 */
    kite_topology_build(&acpi, m, n, 0, warn, NULL, &topo);
    assert_false(topo.from_slit);
    assert_non_null(strstr(warned, "no row for proximity domain 1"));
}

static void test_cpu_missing_from_srat(void **state)
{
    unsigned int n;
    const struct kite_mem_range *m = qemu_map(2 * GIB, &n);

    (void)state;
    two_nodes();
    acpi.cpus[acpi.ncpus++] = (struct kite_acpi_cpu){.apic_id = 9, .enabled = true};
    acpi.cpus[acpi.ncpus++] = (struct kite_acpi_cpu){.apic_id = 7, .enabled = false};
    kite_topology_build(&acpi, m, n, 0, warn, NULL, &topo);
    assert_int_equal(topo.ncpus, 5); /* the disabled one is left out */
    assert_int_equal(topo.cpu_node[4], 0);
    assert_non_null(strstr(warned, "APIC ID 9) is in no SRAT entry"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_acpi_is_one_node),
        cmocka_unit_test(test_two_nodes),
        cmocka_unit_test(test_domains_sorted_and_fallback_by_distance),
        cmocka_unit_test(test_uncovered_ram_goes_to_node0),
        cmocka_unit_test(test_srat_past_ram_is_clipped),
        cmocka_unit_test(test_bad_slit_gives_default_distances),
        cmocka_unit_test(test_cpu_missing_from_srat),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
