/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for kernel/bootparams.c, the check a co-kernel Kite runs
 * on the boot params another kernel wrote. Each input patches a valid
 * shared region built here (the first two bytes pick the offset into the
 * params and the rings' headers, the rest is written over it), so the
 * fuzzer reaches every field's check. Beyond "no crash", it aborts (so
 * libFuzzer saves the input) when the result breaks the contract: a refusal
 * without a message, or accepted params whose counts, rings or memory lie
 * outside what Kite may touch. Accepted params then go through the
 * topology builder, as at boot. test/fuzz/run.sh builds and runs it.
 */
#include <kite/partition.h>

#include "../../kernel/acpi.h"
#include "../../kernel/tests/bp_sample.h"
#include "../../kernel/topology.h"
#include "fuzz_check.h"

#include <string.h>

#define SHARED KITE_BP_SAMPLE_SIZE
#define PHYS   KITE_BP_SAMPLE_PHYS

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static union {
    struct kite_boot_params bp;
    uint8_t bytes[SHARED];
} region;
static struct kite_acpi_info acpi;
static struct kite_topology topo;

static void ring_inside(uint64_t off)
{
    const struct kite_ring *r = (const struct kite_ring *)(region.bytes + off);

    if (off + sizeof(*r) > SHARED || r->data_off > SHARED || r->size > SHARED ||
        off + r->data_off + r->size > SHARED || (r->size & (r->size - 1))) {
        fuzz_broken("bootparams", "accepted a ring outside the shared region");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct kite_boot_params *bp = &region.bp;
    char err[256];
    size_t off;

    kite_bp_sample(region.bytes);
    if (size >= 2) {
        /* Patch the params (about 2 KiB) or, from 0x3000 on, the rings' headers. */
        off = ((size_t)data[0] | (size_t)data[1] << 8) % 0x2000;
        off = off < 0x1000 ? off : 0x3000 + (off - 0x1000);
        size -= 2;
        memcpy(region.bytes + off, data + 2, size < SHARED - off ? size : SHARED - off);
    }
    err[0] = 'x';
    if (kite_bp_check(bp, PHYS, SHARED, err, sizeof(err))) {
        if (!err[0]) {
            fuzz_broken("bootparams", "refused without a message");
        }
        return 0;
    }
    if (bp->nr_cpus == 0 || bp->nr_cpus > KITE_BP_MAX_CPUS || bp->nr_mem == 0 ||
        bp->nr_mem > KITE_BP_MAX_MEM || bp->nr_nodes == 0 || bp->nr_nodes > KITE_BP_MAX_NODES ||
        bp->shared_size > SHARED || bp->mbi_off + bp->mbi_size > SHARED) {
        fuzz_broken("bootparams", "accepted counts or a region beyond the limits");
    }
    ring_inside(bp->console_off);
    ring_inside(bp->h2k_off);
    ring_inside(bp->k2h_off);
    kite_acpi_from_bp(bp, &acpi);
    {
        struct kite_mem_range mmap[KITE_BP_MAX_MEM];

        for (uint32_t i = 0; i < bp->nr_mem; i++) {
            mmap[i] = (struct kite_mem_range){bp->mem[i].base, bp->mem[i].size, KITE_MEM_AVAILABLE};
        }
        kite_topology_build(&acpi, mmap, bp->nr_mem, bp->cpus[0].apic_id, NULL, NULL, &topo);
    }
    if (topo.ncpus == 0 || topo.nnodes == 0) {
        fuzz_broken("bootparams", "accepted params gave no CPU or no node");
    }
    return 0;
}
