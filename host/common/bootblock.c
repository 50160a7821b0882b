/* SPDX-License-Identifier: MIT */
/*
 * The shared region of a co-kernel boot (see bootblock.h): boot params, the
 * multiboot2 information block and the ring headers, written from a
 * description of the partition. Every field of the description is checked
 * before a byte is written, so a refused description leaves the region as it
 * was; the block written is one Kite's own parser (kernel/multiboot2.c)
 * accepts, which the host unit tests check.
 */
#include "bootblock.h"

#include <kite/abi/multiboot2.h>

#define PAGE        0x1000ull
#define MIB         0x100000ull
#define GIB4        0x100000000ull
#define CHUNK_ALIGN (2 * MIB)
#define RING_ALIGN  PAGE

#define ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))

/* Refuse a description: write the message and return the error. */
#define REFUSE(err, errlen, ...)                         \
    ({                                                   \
        if ((err) && (errlen) > 0) {                     \
            kite_snprintf((err), (errlen), __VA_ARGS__); \
        }                                                \
        -KITE_BB_EINVAL;                                 \
    })

static size_t cmdline_len(const char *s, size_t max)
{
    size_t n = 0;

    if (!s) {
        return 0;
    }
    while (n <= max && s[n] != '\0') {
        n++;
    }
    return n;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

static int check_cpus(const struct kite_bb_desc *d, char *err, size_t errlen)
{
    if (d->nr_cpus == 0) {
        return REFUSE(err, errlen, "no CPUs: a partition needs at least one");
    }
    if (d->nr_cpus > KITE_BP_MAX_CPUS) {
        return REFUSE(err, errlen, "%u CPUs: at most %u fit in the boot params", d->nr_cpus,
                      KITE_BP_MAX_CPUS);
    }
    for (uint32_t i = 0; i < d->nr_cpus; i++) {
        if (d->cpus[i].node >= d->nr_nodes) {
            return REFUSE(err, errlen, "CPU %u (APIC id %u) is on node %u, past the %u nodes known",
                          i, d->cpus[i].apic_id, d->cpus[i].node, d->nr_nodes);
        }
        for (uint32_t j = 0; j < i; j++) {
            if (d->cpus[j].apic_id == d->cpus[i].apic_id) {
                return REFUSE(err, errlen, "CPUs %u and %u have the same APIC id %u", j, i,
                              d->cpus[i].apic_id);
            }
        }
    }
    return 0;
}

static int check_mem(const struct kite_bb_desc *d, char *err, size_t errlen)
{
    if (d->nr_mem == 0) {
        return REFUSE(err, errlen, "no memory: a partition needs at least one chunk");
    }
    if (d->nr_mem > KITE_BP_MAX_MEM) {
        return REFUSE(err, errlen, "%u memory chunks: at most %u fit in the boot params", d->nr_mem,
                      KITE_BP_MAX_MEM);
    }
    for (uint32_t i = 0; i < d->nr_mem; i++) {
        const struct kite_bp_mem *m = &d->mem[i];

        if (m->base % CHUNK_ALIGN != 0 || m->size == 0 || m->size % CHUNK_ALIGN != 0) {
            return REFUSE(err, errlen,
                          "memory chunk %u (0x%llx, 0x%llx bytes) is not a non-empty 2 MiB "
                          "aligned range",
                          i, (unsigned long long)m->base, (unsigned long long)m->size);
        }
        if (m->base + m->size < m->base) {
            return REFUSE(err, errlen, "memory chunk %u (0x%llx, 0x%llx bytes) wraps around", i,
                          (unsigned long long)m->base, (unsigned long long)m->size);
        }
        if (m->node >= d->nr_nodes) {
            return REFUSE(err, errlen, "memory chunk %u is on node %u, past the %u nodes known", i,
                          m->node, d->nr_nodes);
        }
        for (uint32_t j = 0; j < i; j++) {
            if (overlaps(m->base, m->size, d->mem[j].base, d->mem[j].size)) {
                return REFUSE(err, errlen, "memory chunks %u and %u overlap", j, i);
            }
        }
    }
    /* The entry is 32-bit and the load-base tag holds 32 bits. */
    if (d->load_base < d->mem[0].base || d->load_base >= d->mem[0].base + d->mem[0].size ||
        d->load_base >= GIB4) {
        return REFUSE(err, errlen,
                      "load base 0x%llx is not inside memory chunk 0 (0x%llx, 0x%llx bytes) "
                      "below 4 GiB",
                      (unsigned long long)d->load_base, (unsigned long long)d->mem[0].base,
                      (unsigned long long)d->mem[0].size);
    }
    return 0;
}

/* Check @d and place the parts; @placed: also check where the region is (shared_phys). */
static int check_desc(const struct kite_bb_desc *d, struct kite_bb_layout *lay, bool placed,
                      char *err, size_t errlen)
{
    size_t clen;
    int ret;

    if (!d) {
        return REFUSE(err, errlen, "no description (NULL)");
    }
    if (d->nr_nodes == 0 || d->nr_nodes > KITE_BP_MAX_NODES) {
        return REFUSE(err, errlen, "%u NUMA nodes: 1 to %u fit in the boot params", d->nr_nodes,
                      KITE_BP_MAX_NODES);
    }
    for (uint32_t a = 0; a < d->nr_nodes; a++) {
        for (uint32_t b = 0; b < d->nr_nodes; b++) {
            uint8_t v = d->distance[a][b];

            if (a == b ? v != 10 : v <= 10 || v == 0xff) {
                return REFUSE(err, errlen,
                              "distance from node %u to node %u is %u: 10 to itself, 11 to 254 "
                              "to another node",
                              a, b, v);
            }
        }
    }
    ret = check_cpus(d, err, errlen);
    if (ret < 0) {
        return ret;
    }
    ret = check_mem(d, err, errlen);
    if (ret < 0) {
        return ret;
    }
    clen = cmdline_len(d->cmdline, KITE_BB_CMDLINE_MAX);
    if (clen > KITE_BB_CMDLINE_MAX) {
        return REFUSE(err, errlen, "the command line is longer than the %u bytes Kite accepts",
                      KITE_BB_CMDLINE_MAX);
    }
    if (d->tsc_khz == 0 || d->tsc_khz > 0xffffffffull) {
        return REFUSE(err, errlen, "TSC rate %llu kHz is not a rate",
                      (unsigned long long)d->tsc_khz);
    }
    /* A STARTUP IPI's vector is the page number: one byte, so below 1 MiB. */
    if (d->sipi_page % PAGE != 0 || d->sipi_page == 0 || d->sipi_page >= MIB) {
        return REFUSE(err, errlen, "SIPI page 0x%llx is not a page between 4 KiB and 1 MiB",
                      (unsigned long long)d->sipi_page);
    }

    lay->mbi_off = KITE_BB_PARAMS_SIZE;
    lay->console_off = lay->mbi_off + KITE_BB_MBI_SIZE;
    lay->h2k_off =
        ALIGN_UP(lay->console_off + KITE_BB_RING_DATA + KITE_BB_CONSOLE_SIZE, RING_ALIGN);
    lay->k2h_off = ALIGN_UP(lay->h2k_off + KITE_BB_RING_DATA + KITE_BB_MSG_SIZE, RING_ALIGN);
    lay->total = ALIGN_UP(lay->k2h_off + KITE_BB_RING_DATA + KITE_BB_MSG_SIZE, PAGE);
    if (!placed) {
        return 0;
    }

    if (d->shared_phys % PAGE != 0 || d->shared_phys == 0 || d->shared_phys >= GIB4 ||
        GIB4 - d->shared_phys < lay->total) {
        return REFUSE(err, errlen,
                      "shared region at 0x%llx is not a page-aligned range of 0x%llx bytes below "
                      "4 GiB",
                      (unsigned long long)d->shared_phys, (unsigned long long)lay->total);
    }
    for (uint32_t i = 0; i < d->nr_mem; i++) {
        if (overlaps(d->shared_phys, lay->total, d->mem[i].base, d->mem[i].size)) {
            return REFUSE(err, errlen, "shared region at 0x%llx overlaps memory chunk %u",
                          (unsigned long long)d->shared_phys, i);
        }
        if (overlaps(d->sipi_page, PAGE, d->mem[i].base, d->mem[i].size)) {
            return REFUSE(err, errlen, "SIPI page 0x%llx is inside memory chunk %u",
                          (unsigned long long)d->sipi_page, i);
        }
    }
    if (overlaps(d->sipi_page, PAGE, d->shared_phys, lay->total)) {
        return REFUSE(err, errlen, "SIPI page 0x%llx is inside the shared region",
                      (unsigned long long)d->sipi_page);
    }
    return 0;
}

int kite_bootblock_layout(const struct kite_bb_desc *d, struct kite_bb_layout *out, char *err,
                          size_t errlen)
{
    struct kite_bb_layout lay = {0};
    int ret;

    if (err && errlen > 0) {
        err[0] = '\0';
    }
    ret = check_desc(d, &lay, false, err, errlen);
    if (ret == 0 && out) {
        *out = lay;
    }
    return ret;
}

static void zero(void *p, uint64_t n)
{
    __builtin_memset(p, 0, n);
}

static void put32(uint8_t *p, uint32_t v)
{
    __builtin_memcpy(p, &v, sizeof(v));
}

static void put64(uint8_t *p, uint64_t v)
{
    __builtin_memcpy(p, &v, sizeof(v));
}

/* Append a tag header at @off; returns the tag's start. */
static uint8_t *tag(uint8_t *mbi, uint32_t *off, uint32_t type, uint32_t size)
{
    uint8_t *t = mbi + *off;

    put32(t, type);
    put32(t + 4, size);
    *off += (uint32_t)ALIGN_UP(size, KITE_MB2_TAG_ALIGN);
    return t;
}

static uint32_t build_mbi(uint8_t *mbi, const struct kite_bb_desc *d)
{
    static const char loader[] = KITE_BB_LOADER_NAME;
    size_t clen = cmdline_len(d->cmdline, KITE_BB_CMDLINE_MAX);
    uint32_t off = 8;
    uint8_t *t;

    t = tag(mbi, &off, KITE_MB2_TAG_CMDLINE, (uint32_t)(8 + clen + 1));
    if (clen > 0) {
        __builtin_memcpy(t + 8, d->cmdline, clen);
    }
    t[8 + clen] = '\0';

    t = tag(mbi, &off, KITE_MB2_TAG_LOADER_NAME, (uint32_t)(8 + sizeof(loader)));
    __builtin_memcpy(t + 8, loader, sizeof(loader));

    t = tag(mbi, &off, KITE_MB2_TAG_MMAP,
            16 + d->nr_mem * (uint32_t)sizeof(struct kite_mb2_mmap_entry));
    put32(t + 8, sizeof(struct kite_mb2_mmap_entry));
    put32(t + 12, 0);
    for (uint32_t i = 0; i < d->nr_mem; i++) {
        uint8_t *e = t + 16 + i * sizeof(struct kite_mb2_mmap_entry);

        put64(e, d->mem[i].base);
        put64(e + 8, d->mem[i].size);
        put32(e + 16, KITE_MB2_MEM_AVAILABLE);
        put32(e + 20, 0);
    }

    t = tag(mbi, &off, KITE_MB2_TAG_LOAD_BASE, 12);
    put32(t + 8, (uint32_t)d->load_base);

    t = tag(mbi, &off, KITE_MB2_TAG_BOOT_PARAMS, 16);
    put64(t + 8, d->shared_phys);

    tag(mbi, &off, KITE_MB2_TAG_END, 8);
    put32(mbi, off);
    put32(mbi + 4, 0);
    return off;
}

static void ring_init(uint8_t *region, uint64_t off, uint64_t size)
{
    struct kite_ring *r = (struct kite_ring *)(region + off);

    r->head = 0;
    r->tail = 0;
    r->size = size;
    r->data_off = KITE_BB_RING_DATA;
}

int kite_bootblock_build(void *region, const struct kite_bb_desc *d, struct kite_bb_layout *out,
                         char *err, size_t errlen)
{
    struct kite_bb_layout lay;
    struct kite_boot_params *bp = region;
    uint8_t *base = region;
    int ret;

    if (err && errlen > 0) {
        err[0] = '\0';
    }
    ret = check_desc(d, &lay, true, err, errlen);
    if (ret < 0) {
        return ret;
    }
    if (!region) {
        return REFUSE(err, errlen, "no region to fill (NULL)");
    }
    if (d->shared_size < lay.total) {
        return REFUSE(err, errlen, "the shared region has 0x%llx bytes, the layout needs 0x%llx",
                      (unsigned long long)d->shared_size, (unsigned long long)lay.total);
    }

    zero(region, lay.total);
    bp->magic = KITE_BP_MAGIC;
    bp->version = KITE_BP_VERSION;
    bp->size = sizeof(*bp);
    bp->instance = d->instance;
    bp->flags = 0;
    bp->tsc_khz = d->tsc_khz;
    bp->wall_ns = d->wall_ns;
    bp->wall_tsc = d->wall_tsc;
    bp->nr_cpus = d->nr_cpus;
    for (uint32_t i = 0; i < d->nr_cpus; i++) {
        bp->cpus[i] = d->cpus[i];
    }
    bp->nr_mem = d->nr_mem;
    for (uint32_t i = 0; i < d->nr_mem; i++) {
        bp->mem[i] = d->mem[i];
        bp->mem[i].pad = 0;
    }
    bp->nr_nodes = d->nr_nodes;
    for (uint32_t i = 0; i < d->nr_nodes; i++) {
        for (uint32_t j = 0; j < d->nr_nodes; j++) {
            bp->distance[i][j] = d->distance[i][j];
        }
    }
    bp->sipi_page = d->sipi_page;
    bp->shared_phys = d->shared_phys;
    bp->shared_size = d->shared_size;
    bp->mbi_off = lay.mbi_off;
    bp->mbi_size = build_mbi(base + lay.mbi_off, d);
    bp->console_off = lay.console_off;
    bp->h2k_off = lay.h2k_off;
    bp->k2h_off = lay.k2h_off;
    bp->host_doorbell_apic = KITE_BP_NO_DOORBELL;
    bp->state = KITE_BP_CREATED;
    bp->kite_vector = 0;
    bp->kite_apic_id = 0;
    ring_init(base, lay.console_off, KITE_BB_CONSOLE_SIZE);
    ring_init(base, lay.h2k_off, KITE_BB_MSG_SIZE);
    ring_init(base, lay.k2h_off, KITE_BB_MSG_SIZE);
    if (out) {
        *out = lay;
    }
    return 0;
}
