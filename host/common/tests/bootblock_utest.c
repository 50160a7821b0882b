/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for host/common/bootblock.c: the shared region the host
 * loader builds must be one Kite accepts. Each good description is built
 * into an exactly-sized heap region (so AddressSanitizer catches a write past
 * it) and its multiboot2 block is fed to Kite's own parser, kite_mb2_parse,
 * and its params to Kite's own check, kite_bp_check; the boot params and
 * ring headers are checked field by field too. Bad
 * descriptions must be refused with a message and leave the region as it was.
 */
#include "../bootblock.h"

#include <kite/abi/multiboot2.h>
#include <kite/bootinfo.h>
#include <kite/partition.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define MIB 0x100000ull

static struct kite_bb_desc desc;
static struct kite_bootinfo info;
static char err[KITE_BB_ERR_MIN];

/* Two CPUs on node 1, 256 MiB on node 1 and 64 MiB on node 0, as the guest test uses. */
static void good_desc(void)
{
    memset(&desc, 0, sizeof(desc));
    desc.instance = 3;
    desc.tsc_khz = 2500000;
    desc.wall_ns = 1798761600000000000ull; /* 2027-01-01 */
    desc.wall_tsc = 123456789;
    desc.nr_cpus = 2;
    desc.cpus[0] = (struct kite_bp_cpu){.apic_id = 2, .node = 1};
    desc.cpus[1] = (struct kite_bp_cpu){.apic_id = 3, .node = 1};
    desc.nr_mem = 2;
    desc.mem[0] = (struct kite_bp_mem){.base = 0x50000000, .size = 256 * MIB, .node = 1};
    desc.mem[1] = (struct kite_bp_mem){.base = 0x10000000, .size = 64 * MIB, .node = 0};
    desc.nr_nodes = 2;
    desc.distance[0][0] = 10;
    desc.distance[0][1] = 20;
    desc.distance[1][0] = 20;
    desc.distance[1][1] = 10;
    desc.sipi_page = 0x70000;
    desc.shared_phys = 0x3000000;
    desc.cmdline = "kite.test=all console=ring";
    desc.load_base = 0x50000000;
}

/* A region of exactly the layout's size, filled with a pattern so untouched bytes show. */
static uint8_t *new_region(uint64_t *size)
{
    struct kite_bb_layout lay;
    uint8_t *r;

    assert_int_equal(kite_bootblock_layout(&desc, &lay, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    r = malloc(lay.total);
    assert_non_null(r);
    memset(r, 0xa5, lay.total);
    desc.shared_size = lay.total;
    *size = lay.total;
    return r;
}

static const struct kite_ring *ring_at(const uint8_t *r, uint64_t off)
{
    return (const struct kite_ring *)(const void *)(r + off);
}

static void check_ring(const uint8_t *r, uint64_t total, uint64_t off, uint64_t size)
{
    const struct kite_ring *ring = ring_at(r, off);

    assert_int_equal(off % 64, 0);
    assert_int_equal(ring->head, 0);
    assert_int_equal(ring->tail, 0);
    assert_int_equal(ring->size, size);
    assert_int_equal(ring->size & (ring->size - 1), 0);
    assert_int_equal(ring->data_off % 64, 0);
    assert_true(ring->data_off >= sizeof(*ring));
    assert_true(off + ring->data_off + ring->size <= total);
}

static void test_builds_a_block_kite_parses(void **state)
{
    struct kite_bb_layout lay;
    uint64_t total;
    uint8_t *r;
    const struct kite_boot_params *bp;

    (void)state;
    good_desc();
    r = new_region(&total);
    assert_int_equal(kite_bootblock_build(r, &desc, &lay, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    assert_true(total >= KITE_BP_SHARED_MIN);

    bp = (const struct kite_boot_params *)(const void *)r;
    assert_true(bp->mbi_off + bp->mbi_size <= bp->console_off);
    assert_int_equal(kite_mb2_parse(r + bp->mbi_off, bp->mbi_size, &info, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    assert_string_equal(info.cmdline, "kite.test=all console=ring");
    assert_string_equal(info.loader_name, "kite_host");
    assert_int_equal(info.mmap_count, 2);
    assert_int_equal(info.mmap[0].base, 0x50000000);
    assert_int_equal(info.mmap[0].length, 256 * MIB);
    assert_int_equal(info.mmap[0].type, KITE_MEM_AVAILABLE);
    assert_int_equal(info.mmap[1].base, 0x10000000);
    assert_int_equal(info.mmap[1].length, 64 * MIB);
    assert_int_equal(info.mmap[1].type, KITE_MEM_AVAILABLE);
    assert_true(info.has_load_base);
    assert_int_equal(info.load_base, 0x50000000);
    assert_true(info.has_boot_params);
    assert_int_equal(info.boot_params, 0x3000000);
    assert_int_equal(info.unknown_tags, 0);
    assert_int_equal(info.rsdp_len, 0);
    assert_false(info.has_framebuffer);

    assert_int_equal(bp->magic, KITE_BP_MAGIC);
    assert_int_equal(bp->version, KITE_BP_VERSION);
    assert_int_equal(bp->size, sizeof(*bp));
    assert_true(sizeof(*bp) <= KITE_BB_PARAMS_SIZE);
    assert_int_equal(bp->instance, 3);
    assert_int_equal(bp->tsc_khz, 2500000);
    assert_int_equal(bp->wall_ns, 1798761600000000000ull);
    assert_int_equal(bp->wall_tsc, 123456789);
    assert_int_equal(bp->nr_cpus, 2);
    assert_int_equal(bp->cpus[0].apic_id, 2);
    assert_int_equal(bp->cpus[1].apic_id, 3);
    assert_int_equal(bp->cpus[1].node, 1);
    assert_int_equal(bp->nr_mem, 2);
    assert_int_equal(bp->mem[1].base, 0x10000000);
    assert_int_equal(bp->mem[1].node, 0);
    assert_int_equal(bp->nr_nodes, 2);
    assert_int_equal(bp->distance[0][1], 20);
    assert_int_equal(bp->distance[1][1], 10);
    assert_int_equal(bp->distance[2][2], 0);
    assert_int_equal(bp->sipi_page, 0x70000);
    assert_int_equal(bp->shared_phys, 0x3000000);
    assert_int_equal(bp->shared_size, total);
    assert_int_equal(bp->host_doorbell_apic, KITE_BP_NO_DOORBELL);
    assert_int_equal(bp->state, KITE_BP_CREATED);
    assert_int_equal(bp->request, 0);
    assert_int_equal(bp->heartbeats, 0);
    assert_int_equal(bp->cpu_state[0], KITE_CPU_OFF);
    assert_int_equal(bp->panic[0], '\0');
    assert_int_equal(lay.mbi_off, bp->mbi_off);
    assert_int_equal(kite_bp_check(bp, desc.shared_phys, total, err, sizeof(err)), 0);
    assert_string_equal(err, "");

    check_ring(r, total, bp->console_off, KITE_BB_CONSOLE_SIZE);
    check_ring(r, total, bp->h2k_off, KITE_BB_MSG_SIZE);
    check_ring(r, total, bp->k2h_off, KITE_BB_MSG_SIZE);
    /* The parts do not overlap one another. */
    assert_true(bp->console_off + KITE_BB_RING_DATA + KITE_BB_CONSOLE_SIZE <= bp->h2k_off);
    assert_true(bp->h2k_off + KITE_BB_RING_DATA + KITE_BB_MSG_SIZE <= bp->k2h_off);
    free(r);
}

/* No command line, the longest one, one CPU, one chunk: still a block Kite takes. */
static void test_edges_parse(void **state)
{
    static char longest[KITE_BB_CMDLINE_MAX + 1];
    const struct kite_boot_params *bp;
    uint64_t total;
    uint8_t *r;

    (void)state;
    good_desc();
    desc.cmdline = NULL;
    desc.nr_cpus = 1;
    desc.nr_mem = 1;
    desc.nr_nodes = 1;
    desc.cpus[0].node = 0;
    desc.mem[0].node = 0;
    r = new_region(&total);
    assert_int_equal(kite_bootblock_build(r, &desc, NULL, err, sizeof(err)), 0);
    bp = (const struct kite_boot_params *)(const void *)r;
    assert_int_equal(kite_mb2_parse(r + bp->mbi_off, bp->mbi_size, &info, err, sizeof(err)), 0);
    assert_string_equal(info.cmdline, "");
    assert_int_equal(info.mmap_count, 1);
    assert_int_equal(bp->nr_nodes, 1);
    assert_int_equal(kite_bp_check(bp, desc.shared_phys, total, err, sizeof(err)), 0);
    free(r);

    good_desc();
    memset(longest, 'x', KITE_BB_CMDLINE_MAX);
    longest[KITE_BB_CMDLINE_MAX] = '\0';
    desc.cmdline = longest;
    desc.nr_mem = KITE_BP_MAX_MEM;
    desc.nr_cpus = KITE_BP_MAX_CPUS;
    for (uint32_t i = 0; i < KITE_BP_MAX_CPUS; i++) {
        desc.cpus[i] = (struct kite_bp_cpu){.apic_id = i, .node = i % 2};
    }
    for (uint32_t i = 0; i < KITE_BP_MAX_MEM; i++) {
        desc.mem[i] = (struct kite_bp_mem){.base = 0x40000000 + i * 4 * MIB, .size = 2 * MIB};
    }
    desc.load_base = 0x40000000;
    r = new_region(&total);
    assert_int_equal(kite_bootblock_build(r, &desc, NULL, err, sizeof(err)), 0);
    bp = (const struct kite_boot_params *)(const void *)r;
    assert_true(bp->mbi_off + bp->mbi_size <= bp->console_off);
    assert_int_equal(kite_mb2_parse(r + bp->mbi_off, bp->mbi_size, &info, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    assert_int_equal(strlen(info.cmdline), KITE_BB_CMDLINE_MAX);
    assert_int_equal(info.mmap_count, KITE_BP_MAX_MEM);
    assert_int_equal(info.mmap[KITE_BP_MAX_MEM - 1].base, 0x40000000 + 31 * 4 * MIB);
    assert_int_equal(bp->cpus[KITE_BP_MAX_CPUS - 1].apic_id, KITE_BP_MAX_CPUS - 1);
    assert_int_equal(kite_bp_check(bp, desc.shared_phys, total, err, sizeof(err)), 0);
    free(r);
}

/* Build with @desc (already broken by the caller): refused, the message names @want, region
 * untouched. */
static void refused(const char *want)
{
    static uint8_t region[0x40000];
    static uint8_t copy[sizeof(region)];
    struct kite_bb_layout lay;

    memset(region, 0x5a, sizeof(region));
    memcpy(copy, region, sizeof(region));
    if (desc.shared_size == 0) {
        desc.shared_size = sizeof(region);
    }
    err[0] = '\0';
    assert_int_equal(kite_bootblock_build(region, &desc, &lay, err, sizeof(err)), -KITE_BB_EINVAL);
    if (!strstr(err, want)) {
        fail_msg("message '%s' does not say '%s'", err, want);
    }
    assert_memory_equal(region, copy, sizeof(region));
}

static void test_too_many_cpus(void **state)
{
    (void)state;
    good_desc();
    desc.nr_cpus = KITE_BP_MAX_CPUS + 1;
    refused("65 CPUs");
    good_desc();
    desc.nr_cpus = 0;
    refused("no CPUs");
    good_desc();
    desc.cpus[1].apic_id = 2;
    refused("same APIC id 2");
    good_desc();
    desc.cpus[1].node = 2;
    refused("node 2");
}

static void test_region_too_small(void **state)
{
    struct kite_bb_layout lay;

    (void)state;
    /* The layout comes before the region exists: where it will be is not checked yet. */
    good_desc();
    desc.shared_phys = 0;
    assert_int_equal(kite_bootblock_layout(&desc, &lay, err, sizeof(err)), 0);
    good_desc();
    assert_int_equal(kite_bootblock_layout(&desc, &lay, err, sizeof(err)), 0);
    desc.shared_size = lay.total - 1;
    refused("the layout needs");
    good_desc();
    desc.shared_phys = 0x100000000ull - 0x1000;
    refused("below 4 GiB");
    good_desc();
    desc.shared_phys = 0x3000800;
    refused("page-aligned");
    good_desc();
    desc.shared_phys = 0x10000000;
    refused("overlaps memory chunk 1");
}

static void test_cmdline_too_long(void **state)
{
    static char line[KITE_BB_CMDLINE_MAX + 2];

    (void)state;
    good_desc();
    memset(line, 'y', KITE_BB_CMDLINE_MAX + 1);
    line[KITE_BB_CMDLINE_MAX + 1] = '\0';
    desc.cmdline = line;
    refused("command line is longer");
}

static void test_bad_memory(void **state)
{
    (void)state;
    good_desc();
    desc.nr_mem = 0;
    refused("no memory");
    good_desc();
    desc.nr_mem = KITE_BP_MAX_MEM + 1;
    refused("33 memory chunks");
    good_desc();
    desc.mem[1].base += 0x1000;
    refused("2 MiB aligned");
    good_desc();
    desc.mem[1].size = 0;
    refused("2 MiB aligned");
    good_desc();
    desc.mem[1].base = 0x50200000;
    refused("overlap");
    good_desc();
    desc.mem[1].base = 0xffffffffffe00000ull;
    refused("wraps");
    good_desc();
    desc.load_base = 0x10000000;
    refused("load base");
    good_desc();
    desc.mem[0].base = 0x100000000ull;
    desc.load_base = 0x100000000ull;
    refused("below 4 GiB");
    good_desc();
    desc.mem[0].node = 9;
    refused("node 9");
}

static void test_bad_other(void **state)
{
    (void)state;
    good_desc();
    desc.sipi_page = 0x100000;
    refused("SIPI page");
    good_desc();
    desc.sipi_page = 0x70010;
    refused("SIPI page");
    good_desc();
    desc.tsc_khz = 0;
    refused("TSC");
    good_desc();
    desc.nr_nodes = KITE_BP_MAX_NODES + 1;
    refused("9 NUMA nodes");
    good_desc();
    desc.nr_nodes = 0;
    refused("0 NUMA nodes");
    good_desc();
    desc.distance[1][0] = 10;
    refused("distance from node 1 to node 0 is 10");
    good_desc();
    desc.distance[1][1] = 20;
    refused("distance from node 1 to node 1 is 20");
    good_desc();
    desc.sipi_page = 0x30000;
    desc.shared_phys = 0x30000;
    refused("SIPI page 0x30000 is inside the shared region");
    /* A NULL region or description is refused, not dereferenced. */
    good_desc();
    desc.shared_size = 0x40000;
    assert_int_equal(kite_bootblock_build(NULL, &desc, NULL, err, sizeof(err)), -KITE_BB_EINVAL);
    assert_non_null(strstr(err, "NULL"));
    assert_int_equal(kite_bootblock_layout(NULL, NULL, err, sizeof(err)), -KITE_BB_EINVAL);
    assert_non_null(strstr(err, "NULL"));
    /* A short error buffer still ends in a NUL. */
    desc.nr_cpus = 0;
    memset(err, 'z', sizeof(err));
    assert_int_equal(kite_bootblock_layout(&desc, NULL, err, 8), -KITE_BB_EINVAL);
    assert_int_equal(strlen(err), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builds_a_block_kite_parses),
        cmocka_unit_test(test_edges_parse),
        cmocka_unit_test(test_too_many_cpus),
        cmocka_unit_test(test_region_too_small),
        cmocka_unit_test(test_cmdline_too_long),
        cmocka_unit_test(test_bad_memory),
        cmocka_unit_test(test_bad_other),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
