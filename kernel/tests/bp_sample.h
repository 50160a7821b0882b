/* SPDX-License-Identifier: MIT */
/*
 * A well-formed co-kernel shared region, as a host hands it over: 2 CPUs
 * and 256 MiB on each of 2 nodes, params at KITE_BP_SAMPLE_PHYS. The host
 * test (bootparams_utest.c) and the fuzzer (test/fuzz/bootparams_fuzz.c)
 * both start from it.
 */
#pragma once

#include <string.h>

#include <kite/abi/bootparams.h>

#define KITE_BP_SAMPLE_SIZE 0x10000u
#define KITE_BP_SAMPLE_PHYS 0x7f000000ull

static inline void kite_bp_sample_ring(uint8_t *region, uint64_t off, uint64_t size)
{
    struct kite_ring *r = (struct kite_ring *)(region + off);

    r->size = size;
    r->data_off = 192; /* the next 64-byte line after the header, as the host module puts it */
}

/* Fill @region (KITE_BP_SAMPLE_SIZE bytes, 8-byte aligned) and return its params. */
static inline struct kite_boot_params *kite_bp_sample(uint8_t *region)
{
    struct kite_boot_params *bp = (struct kite_boot_params *)region;
    const uint64_t mib = 1ull << 20;

    memset(region, 0, KITE_BP_SAMPLE_SIZE);
    bp->magic = KITE_BP_MAGIC;
    bp->version = KITE_BP_VERSION;
    bp->size = sizeof(*bp);
    bp->instance = 1;
    bp->tsc_khz = 2400000;
    bp->nr_cpus = 2;
    bp->cpus[0] = (struct kite_bp_cpu){.apic_id = 2, .node = 1};
    bp->cpus[1] = (struct kite_bp_cpu){.apic_id = 3, .node = 1};
    bp->nr_mem = 2;
    bp->mem[0] = (struct kite_bp_mem){.base = 0x50000000, .size = 256 * mib, .node = 1};
    bp->mem[1] = (struct kite_bp_mem){.base = 0x20000000, .size = 256 * mib, .node = 0};
    bp->nr_nodes = 2;
    bp->distance[0][0] = bp->distance[1][1] = 10;
    bp->distance[0][1] = bp->distance[1][0] = 20;
    bp->sipi_page = 0x70000;
    bp->shared_phys = KITE_BP_SAMPLE_PHYS;
    bp->shared_size = KITE_BP_SAMPLE_SIZE;
    bp->mbi_off = 0x2000;
    bp->mbi_size = 0x1000;
    bp->console_off = 0x3000;
    kite_bp_sample_ring(region, 0x3000, 0x8000);
    bp->h2k_off = 0xb100;
    kite_bp_sample_ring(region, 0xb100, 0x2000);
    bp->k2h_off = 0xd200;
    kite_bp_sample_ring(region, 0xd200, 0x2000);
    return bp;
}
