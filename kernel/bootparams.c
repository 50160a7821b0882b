/* SPDX-License-Identifier: MIT */
/*
 * Checking the co-kernel boot params (include/kite/abi/bootparams.h) before
 * Kite trusts any of them. Pure logic, host-tested and fuzzed: the params
 * come from another kernel, and a wrong count or offset must not send Kite
 * writing outside its partition.
 */
#include <kite/abi/bootparams.h>
#include <kite/errno.h>
#include <kite/partition.h>
#include <kite/printk.h>
#include <kite/string.h>

#include "acpi.h"

#define SIZE_2M     0x200000ull
#define PAGE        0x1000ull
#define LOW_1M      0x100000ull
#define FOUR_G      (4ull << 30)
#define TSC_KHZ_MIN 100000ull   /* 100 MHz */
#define TSC_KHZ_MAX 20000000ull /* 20 GHz */
#define RING_HDR    ((uint64_t)sizeof(struct kite_ring))
#define RING_MIN    1024ull

static int fail(char *err, size_t errlen, const char *fmt, ...) KITE_PRINTF(3, 4);

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    kite_vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -KITE_EINVAL;
}

/* Does [off, off + len) lie inside a region of @size bytes? */
static bool inside(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

static int check_ring(const struct kite_boot_params *bp, uint64_t off, const char *name, char *err,
                      size_t errlen)
{
    const struct kite_ring *r;

    if (off % 64 || !inside(off, RING_HDR, bp->shared_size)) {
        return fail(err, errlen,
                    "%s ring header at offset %#llx: expected 64-byte aligned, inside the %#llx "
                    "bytes of the shared region",
                    name, (unsigned long long)off, (unsigned long long)bp->shared_size);
    }
    r = (const struct kite_ring *)((const uint8_t *)bp + off);
    if (r->size < RING_MIN || (r->size & (r->size - 1)) || r->data_off < RING_HDR ||
        r->data_off % 64 || !inside(off, r->data_off, bp->shared_size) ||
        !inside(off + r->data_off, r->size, bp->shared_size)) {
        return fail(err, errlen,
                    "%s ring: %#llx data bytes at %#llx past its header: expected a power of two "
                    "of at least %llu, 64-byte aligned after the header, inside the shared region",
                    name, (unsigned long long)r->size, (unsigned long long)r->data_off,
                    (unsigned long long)RING_MIN);
    }
    return 0;
}

static int check_memory(const struct kite_boot_params *bp, char *err, size_t errlen)
{
    for (uint32_t i = 0; i < bp->nr_mem; i++) {
        const struct kite_bp_mem *m = &bp->mem[i];

        if (!m->size || m->base % SIZE_2M || m->size % SIZE_2M || m->base + m->size < m->base) {
            return fail(err, errlen,
                        "memory %u (%#llx, %#llx bytes): expected a non-empty range, base and size "
                        "multiples of 2 MiB",
                        i, (unsigned long long)m->base, (unsigned long long)m->size);
        }
        if (m->node >= bp->nr_nodes) {
            return fail(err, errlen, "memory %u is on node %u: expected a node below %u", i,
                        m->node, bp->nr_nodes);
        }
        for (uint32_t j = 0; j < i; j++) {
            const struct kite_bp_mem *o = &bp->mem[j];

            if (m->base < o->base + o->size && o->base < m->base + m->size) {
                return fail(err, errlen, "memory %u overlaps memory %u: expected disjoint ranges",
                            i, j);
            }
        }
    }
    if (bp->mem[0].base >= FOUR_G) {
        return fail(err, errlen,
                    "memory 0 (the image's) starts at %#llx: expected below 4 GiB, where a "
                    "32-bit entry can run",
                    (unsigned long long)bp->mem[0].base);
    }
    return 0;
}

static int check_cpus(const struct kite_boot_params *bp, char *err, size_t errlen)
{
    for (uint32_t i = 0; i < bp->nr_cpus; i++) {
        if (bp->cpus[i].node >= bp->nr_nodes) {
            return fail(err, errlen, "CPU %u (APIC ID %u) is on node %u: expected below %u", i,
                        bp->cpus[i].apic_id, bp->cpus[i].node, bp->nr_nodes);
        }
        for (uint32_t j = 0; j < i; j++) {
            if (bp->cpus[j].apic_id == bp->cpus[i].apic_id) {
                return fail(err, errlen, "CPUs %u and %u both have APIC ID %u: expected unique IDs",
                            j, i, bp->cpus[i].apic_id);
            }
        }
    }
    return 0;
}

static int check_distances(const struct kite_boot_params *bp, char *err, size_t errlen)
{
    for (uint32_t a = 0; a < bp->nr_nodes; a++) {
        for (uint32_t b = 0; b < bp->nr_nodes; b++) {
            uint8_t d = bp->distance[a][b];

            if ((a == b && d != 10) || (a != b && (d <= 10 || d == 0xff))) {
                return fail(err, errlen,
                            "distance from node %u to node %u is %u: expected 10 to itself, "
                            "11..254 to another node",
                            a, b, d);
            }
        }
    }
    return 0;
}

int kite_bp_check(const struct kite_boot_params *bp, uint64_t phys, uint64_t avail, char *err,
                  size_t errlen)
{
    int rc;

    err[0] = '\0';
    if (bp->magic != KITE_BP_MAGIC) {
        return fail(err, errlen, "magic %#llx: expected %#llx (not Kite boot params)",
                    (unsigned long long)bp->magic, (unsigned long long)KITE_BP_MAGIC);
    }
    if (bp->version != KITE_BP_VERSION || bp->size != sizeof(*bp)) {
        return fail(err, errlen,
                    "version %u, size %u: this Kite reads version %u, size %zu (host module and "
                    "kite.elf from different builds?)",
                    bp->version, bp->size, KITE_BP_VERSION, sizeof(*bp));
    }
    if (bp->nr_cpus == 0 || bp->nr_cpus > KITE_BP_MAX_CPUS || bp->nr_mem == 0 ||
        bp->nr_mem > KITE_BP_MAX_MEM || bp->nr_nodes == 0 || bp->nr_nodes > KITE_BP_MAX_NODES) {
        return fail(err, errlen,
                    "%u CPUs, %u memory ranges, %u nodes: expected 1..%u, 1..%u, 1..%u",
                    bp->nr_cpus, bp->nr_mem, bp->nr_nodes, KITE_BP_MAX_CPUS, KITE_BP_MAX_MEM,
                    KITE_BP_MAX_NODES);
    }
    if (bp->tsc_khz < TSC_KHZ_MIN || bp->tsc_khz > TSC_KHZ_MAX) {
        return fail(err, errlen, "TSC rate %llu kHz: expected %llu..%llu",
                    (unsigned long long)bp->tsc_khz, (unsigned long long)TSC_KHZ_MIN,
                    (unsigned long long)TSC_KHZ_MAX);
    }
    if (bp->sipi_page % PAGE || bp->sipi_page < PAGE || bp->sipi_page >= LOW_1M) {
        return fail(err, errlen, "SIPI page %#llx: expected a 4 KiB page in 4 KiB..1 MiB",
                    (unsigned long long)bp->sipi_page);
    }
    if (bp->shared_phys != phys || phys % PAGE || bp->shared_size < KITE_BP_SHARED_MIN ||
        bp->shared_size % PAGE || bp->shared_size > avail || phys + bp->shared_size > FOUR_G) {
        return fail(err, errlen,
                    "shared region %#llx, %#llx bytes (params at %#llx): expected to start at the "
                    "params, page aligned, at least %#llx bytes, below 4 GiB",
                    (unsigned long long)bp->shared_phys, (unsigned long long)bp->shared_size,
                    (unsigned long long)phys, (unsigned long long)KITE_BP_SHARED_MIN);
    }
    if (!inside(bp->mbi_off, bp->mbi_size, bp->shared_size) || bp->mbi_off < sizeof(*bp)) {
        return fail(err, errlen,
                    "multiboot2 block at offset %#llx, %#llx bytes: expected after "
                    "the params, inside the shared region",
                    (unsigned long long)bp->mbi_off, (unsigned long long)bp->mbi_size);
    }
    rc = check_ring(bp, bp->console_off, "console", err, errlen);
    rc = rc ? rc : check_ring(bp, bp->h2k_off, "host-to-Kite", err, errlen);
    rc = rc ? rc : check_ring(bp, bp->k2h_off, "Kite-to-host", err, errlen);
    rc = rc ? rc : check_cpus(bp, err, errlen);
    rc = rc ? rc : check_memory(bp, err, errlen);
    return rc ? rc : check_distances(bp, err, errlen);
}

void kite_acpi_from_bp(const struct kite_boot_params *bp, struct kite_acpi_info *out)
{
    memset(out, 0, sizeof(*out));
    memcpy(out->oem_id, "KITEBP", 7);
    out->has_madt = true; /* and no PC-AT PICs: the host's, never touched */
    for (uint32_t i = 0; i < bp->nr_cpus && i < KITE_BP_MAX_CPUS; i++) {
        out->cpus[out->ncpus++] =
            (struct kite_acpi_cpu){.apic_id = bp->cpus[i].apic_id, .uid = i, .enabled = true};
        out->cpu_affinity[out->ncpu_affinity++] = (struct kite_acpi_cpu_affinity){
            .apic_id = bp->cpus[i].apic_id, .domain = bp->cpus[i].node};
    }
    out->has_srat = true;
    for (uint32_t i = 0; i < bp->nr_mem && i < KITE_BP_MAX_MEM; i++) {
        out->mem_affinity[out->nmem_affinity++] = (struct kite_acpi_mem_affinity){
            .base = bp->mem[i].base, .length = bp->mem[i].size, .domain = bp->mem[i].node};
    }
    out->has_slit = true;
    out->slit_localities = bp->nr_nodes;
    for (uint32_t a = 0; a < bp->nr_nodes && a < KITE_BP_MAX_NODES; a++) {
        for (uint32_t b = 0; b < bp->nr_nodes && b < KITE_BP_MAX_NODES; b++) {
            out->slit[a][b] = bp->distance[a][b];
        }
    }
}
