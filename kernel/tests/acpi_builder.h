/* SPDX-License-Identifier: MIT */
/*
 * Test helper, not kernel code: lays out ACPI tables in a byte array that
 * stands for a stretch of physical memory, with lengths and checksums filled
 * in, so that tests can build a firmware's table set and then break one
 * thing in it. The host unit tests (acpi_utest.c), the in-kernel tests
 * (acpi_test.c) and the fuzzers' seed generator (test/fuzz/seeds.c) share it,
 * so all three start from the same QEMU-like good set. Everything is static
 * inline so a file that uses part of it builds without unused warnings, in
 * the kernel and on the host alike.
 */
#pragma once

#include <kite/string.h>
#include <kite/types.h>

/* A stretch of fake physical memory. */
struct ab_mem {
    uint8_t *bytes;
    uint64_t base; /* physical address of bytes[0] */
    size_t size;
    bool overflow; /* a write fell outside: the test's layout is wrong */
};

/* A table being built: entries are appended until ab_end() seals it. */
struct ab_table {
    struct ab_mem *mem;
    uint64_t phys;
    uint32_t len;
};

static inline uint8_t *ab_at(struct ab_mem *m, uint64_t phys, size_t len)
{
    if (phys < m->base || phys - m->base > m->size || len > m->size - (phys - m->base)) {
        m->overflow = true;
        return NULL;
    }
    return m->bytes + (phys - m->base);
}

static inline void ab_write(struct ab_mem *m, uint64_t phys, const void *src, size_t len)
{
    uint8_t *p = ab_at(m, phys, len);

    if (p) {
        memcpy(p, src, len);
    }
}

static inline void ab_w8(struct ab_mem *m, uint64_t phys, uint8_t v)
{
    ab_write(m, phys, &v, 1);
}

static inline void ab_w16(struct ab_mem *m, uint64_t phys, uint16_t v)
{
    ab_write(m, phys, &v, 2);
}

static inline void ab_w32(struct ab_mem *m, uint64_t phys, uint32_t v)
{
    ab_write(m, phys, &v, 4);
}

static inline void ab_w64(struct ab_mem *m, uint64_t phys, uint64_t v)
{
    ab_write(m, phys, &v, 8);
}

/* Copy the characters of a fixed-width, unterminated field (a signature, an OEM ID). */
static inline void ab_chars(uint8_t *dst, const char *src, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        dst[i] = (uint8_t)src[i];
    }
}

static inline uint8_t ab_sum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;

    for (size_t i = 0; i < len; i++) {
        sum = (uint8_t)(sum + p[i]);
    }
    return sum;
}

/* Set the byte at @csum so that the @len bytes at @p sum to zero. */
static inline void ab_fix_sum(uint8_t *p, size_t len, size_t csum)
{
    p[csum] = 0;
    p[csum] = (uint8_t)(0x100 - ab_sum(p, len));
}

/* Re-seal a table in memory after a test changed it (its length field is used). */
static inline void ab_reseal(struct ab_mem *m, uint64_t phys)
{
    uint8_t *h = ab_at(m, phys, 36);
    uint32_t len;

    if (!h) {
        return;
    }
    memcpy(&len, h + 4, 4);
    h = ab_at(m, phys, len);
    if (h) {
        ab_fix_sum(h, len, 9);
    }
}

/* An RSDP in @out; revision >= 2 adds the 36-byte part. Returns its length. */
static inline size_t ab_rsdp(uint8_t out[36], uint8_t revision, uint32_t rsdt, uint64_t xsdt)
{
    uint32_t len = 36;

    memset(out, 0, 36);
    ab_chars(out, "RSD PTR ", 8);
    ab_chars(out + 9, "KITEFW", 6);
    out[15] = revision;
    memcpy(out + 16, &rsdt, 4);
    ab_fix_sum(out, 20, 8);
    if (revision < 2) {
        return 20;
    }
    memcpy(out + 20, &len, 4);
    memcpy(out + 24, &xsdt, 8);
    ab_fix_sum(out, 36, 32);
    return 36;
}

static inline struct ab_table ab_begin(struct ab_mem *m, uint64_t phys, const char *sig,
                                       uint8_t revision)
{
    struct ab_table t = {m, phys, 36};
    uint8_t *h = ab_at(m, phys, 36);

    if (h) {
        memset(h, 0, 36);
        ab_chars(h, sig, 4);
        h[8] = revision;
        ab_chars(h + 10, "KITEFW", 6);
        ab_chars(h + 16, "KITETEST", 8);
        h[24] = 1;
        ab_chars(h + 28, "KTST", 4);
        h[32] = 1;
    }
    return t;
}

static inline void ab_add(struct ab_table *t, const void *src, size_t len)
{
    ab_write(t->mem, t->phys + t->len, src, len);
    t->len += (uint32_t)len;
}

static inline void ab_add8(struct ab_table *t, uint8_t v)
{
    ab_add(t, &v, 1);
}

static inline void ab_add16(struct ab_table *t, uint16_t v)
{
    ab_add(t, &v, 2);
}

static inline void ab_add32(struct ab_table *t, uint32_t v)
{
    ab_add(t, &v, 4);
}

static inline void ab_add64(struct ab_table *t, uint64_t v)
{
    ab_add(t, &v, 8);
}

/* Write the length and checksum; returns the length. */
static inline uint32_t ab_end(struct ab_table *t)
{
    ab_w32(t->mem, t->phys + 4, t->len);
    ab_reseal(t->mem, t->phys);
    return t->len;
}

/* An RSDT (4-byte entries) or XSDT (8-byte entries) listing @n tables. */
static inline uint32_t ab_root(struct ab_mem *m, uint64_t phys, const char *sig,
                               const uint64_t *tables, unsigned int n)
{
    struct ab_table t = ab_begin(m, phys, sig, 1);
    bool wide = memcmp(sig, "XSDT", 4) == 0;

    for (unsigned int i = 0; i < n; i++) {
        if (wide) {
            ab_add64(&t, tables[i]);
        } else {
            ab_add32(&t, (uint32_t)tables[i]);
        }
    }
    return ab_end(&t);
}

/* ---- MADT */

static inline struct ab_table ab_madt(struct ab_mem *m, uint64_t phys, uint32_t lapic,
                                      uint32_t flags)
{
    struct ab_table t = ab_begin(m, phys, "APIC", 5);

    ab_add32(&t, lapic);
    ab_add32(&t, flags);
    return t;
}

static inline void ab_madt_lapic(struct ab_table *t, uint8_t uid, uint8_t apic_id, uint32_t flags)
{
    ab_add8(t, 0);
    ab_add8(t, 8);
    ab_add8(t, uid);
    ab_add8(t, apic_id);
    ab_add32(t, flags);
}

static inline void ab_madt_ioapic(struct ab_table *t, uint8_t id, uint32_t addr, uint32_t gsi_base)
{
    ab_add8(t, 1);
    ab_add8(t, 12);
    ab_add8(t, id);
    ab_add8(t, 0);
    ab_add32(t, addr);
    ab_add32(t, gsi_base);
}

static inline void ab_madt_override(struct ab_table *t, uint8_t bus, uint8_t source, uint32_t gsi,
                                    uint16_t flags)
{
    ab_add8(t, 2);
    ab_add8(t, 10);
    ab_add8(t, bus);
    ab_add8(t, source);
    ab_add32(t, gsi);
    ab_add16(t, flags);
}

static inline void ab_madt_nmi(struct ab_table *t, uint8_t uid, uint16_t flags, uint8_t lint)
{
    ab_add8(t, 4);
    ab_add8(t, 6);
    ab_add8(t, uid);
    ab_add16(t, flags);
    ab_add8(t, lint);
}

static inline void ab_madt_lapic_addr(struct ab_table *t, uint64_t addr)
{
    ab_add8(t, 5);
    ab_add8(t, 12);
    ab_add16(t, 0);
    ab_add64(t, addr);
}

static inline void ab_madt_x2apic(struct ab_table *t, uint32_t apic_id, uint32_t flags,
                                  uint32_t uid)
{
    ab_add8(t, 9);
    ab_add8(t, 16);
    ab_add16(t, 0);
    ab_add32(t, apic_id);
    ab_add32(t, flags);
    ab_add32(t, uid);
}

static inline void ab_madt_x2apic_nmi(struct ab_table *t, uint16_t flags, uint32_t uid,
                                      uint8_t lint)
{
    ab_add8(t, 0xa);
    ab_add8(t, 12);
    ab_add16(t, flags);
    ab_add32(t, uid);
    ab_add8(t, lint);
    ab_add8(t, 0);
    ab_add16(t, 0);
}

/* ---- SRAT */

static inline struct ab_table ab_srat(struct ab_mem *m, uint64_t phys, uint8_t revision)
{
    struct ab_table t = ab_begin(m, phys, "SRAT", revision);

    ab_add32(&t, 1); /* reserved, 1 for compatibility */
    ab_add64(&t, 0);
    return t;
}

static inline void ab_srat_cpu(struct ab_table *t, uint8_t apic_id, uint32_t domain, uint32_t flags)
{
    ab_add8(t, 0);
    ab_add8(t, 16);
    ab_add8(t, (uint8_t)domain);
    ab_add8(t, apic_id);
    ab_add32(t, flags);
    ab_add8(t, 0); /* local SAPIC EID */
    ab_add8(t, (uint8_t)(domain >> 8));
    ab_add8(t, (uint8_t)(domain >> 16));
    ab_add8(t, (uint8_t)(domain >> 24));
    ab_add32(t, 0); /* clock domain */
}

static inline void ab_srat_mem(struct ab_table *t, uint64_t base, uint64_t length, uint32_t domain,
                               uint32_t flags)
{
    ab_add8(t, 1);
    ab_add8(t, 40);
    ab_add32(t, domain);
    ab_add16(t, 0);
    ab_add32(t, (uint32_t)base);
    ab_add32(t, (uint32_t)(base >> 32));
    ab_add32(t, (uint32_t)length);
    ab_add32(t, (uint32_t)(length >> 32));
    ab_add32(t, 0);
    ab_add32(t, flags);
    ab_add64(t, 0);
}

static inline void ab_srat_x2apic(struct ab_table *t, uint32_t apic_id, uint32_t domain,
                                  uint32_t flags)
{
    ab_add8(t, 2);
    ab_add8(t, 24);
    ab_add16(t, 0);
    ab_add32(t, domain);
    ab_add32(t, apic_id);
    ab_add32(t, flags);
    ab_add32(t, 0); /* clock domain */
    ab_add32(t, 0);
}

/* ---- SLIT, HPET, MCFG */

static inline uint32_t ab_slit(struct ab_mem *m, uint64_t phys, uint64_t n,
                               const uint8_t *distances, size_t count)
{
    struct ab_table t = ab_begin(m, phys, "SLIT", 1);

    ab_add64(&t, n);
    ab_add(&t, distances, count);
    return ab_end(&t);
}

static inline uint32_t ab_hpet(struct ab_mem *m, uint64_t phys, uint64_t addr, uint8_t number,
                               uint16_t min_tick)
{
    struct ab_table t = ab_begin(m, phys, "HPET", 1);

    ab_add32(&t, 0x8086a201); /* event timer block ID */
    ab_add8(&t, 0);           /* GAS: system memory */
    ab_add8(&t, 64);
    ab_add8(&t, 0);
    ab_add8(&t, 0);
    ab_add64(&t, addr);
    ab_add8(&t, number);
    ab_add16(&t, min_tick);
    ab_add8(&t, 0); /* page protection */
    return ab_end(&t);
}

static inline struct ab_table ab_mcfg(struct ab_mem *m, uint64_t phys)
{
    struct ab_table t = ab_begin(m, phys, "MCFG", 1);

    ab_add64(&t, 0);
    return t;
}

static inline void ab_mcfg_entry(struct ab_table *t, uint64_t base, uint16_t segment,
                                 uint8_t bus_start, uint8_t bus_end)
{
    ab_add64(t, base);
    ab_add16(t, segment);
    ab_add8(t, bus_start);
    ab_add8(t, bus_end);
    ab_add32(t, 0);
}

/* ---- the good set */

/* Where ab_good_set() put each table. */
struct ab_good {
    uint64_t facp, madt, srat, slit, hpet, mcfg, xsdt, rsdt;
    uint64_t end; /* first byte after the set */
};

#define AB_GOOD_TABLES 6 /* FACP, MADT, SRAT, SLIT, HPET, MCFG */

/*
 * A table set like QEMU's for a 2-node machine, from @at on, 16-byte aligned,
 * in about 1 KiB; @rsdp gets a revision 2 RSDP naming its XSDT and RSDT
 * (both list the same six tables). Contents:
 * - FACP: a bare header (a table Kite does not use);
 * - MADT: local APIC 0xfee00000, PCAT_COMPAT; CPUs uid/APIC ID 0/0 and 1/1
 *   enabled, 2/2 online capable only, 3/3 neither (skipped), x2APIC ID 0x100
 *   uid 4 enabled; I/O APIC 0 at 0xfec00000 GSI 0; overrides IRQ0->GSI2
 *   (flags 0) and IRQ9->GSI9 (flags 0xd); local APIC NMI all CPUs LINT1
 *   (flags 0x5); x2APIC NMI uid 4 LINT1; an entry of unknown type 0x7f;
 * - SRAT revision 3: APIC 0 -> domain 0, APIC 1 -> domain 1, APIC 2 disabled,
 *   x2APIC 0x100 -> domain 1; memory [0, 0xa0000) and [0x100000, 0x80000000)
 *   in domain 0, [0x100000000, +1 GiB) domain 1 non-volatile, a disabled
 *   range, [0x200000000, +4 GiB) domain 1 hot-pluggable;
 * - SLIT: 2 localities, 10 20 / 20 10;
 * - HPET: 0xfed00000, number 0, minimum tick 0x80;
 * - MCFG: 0xb0000000, segment 0, buses 0-255.
 */
static inline size_t ab_good_set(struct ab_mem *m, uint64_t at, struct ab_good *g, uint8_t rsdp[36])
{
    static const uint8_t dist[4] = {10, 20, 20, 10};
    struct ab_table t;
    uint64_t list[AB_GOOD_TABLES];
    uint64_t p = at;

    g->facp = p;
    t = ab_begin(m, p, "FACP", 6);
    p += (ab_end(&t) + 15u) & ~15u;

    g->madt = p;
    t = ab_madt(m, p, 0xfee00000, 1);
    ab_madt_lapic(&t, 0, 0, 1);
    ab_madt_lapic(&t, 1, 1, 1);
    ab_madt_lapic(&t, 2, 2, 2);
    ab_madt_lapic(&t, 3, 3, 0);
    ab_madt_x2apic(&t, 0x100, 1, 4);
    ab_madt_ioapic(&t, 0, 0xfec00000, 0);
    ab_madt_override(&t, 0, 0, 2, 0);
    ab_madt_override(&t, 0, 9, 9, 0xd);
    ab_madt_nmi(&t, 0xff, 0x5, 1);
    ab_madt_x2apic_nmi(&t, 0, 4, 1);
    ab_add8(&t, 0x7f);
    ab_add8(&t, 4);
    ab_add16(&t, 0);
    p += (ab_end(&t) + 15u) & ~15u;

    g->srat = p;
    t = ab_srat(m, p, 3);
    ab_srat_cpu(&t, 0, 0, 1);
    ab_srat_cpu(&t, 1, 1, 1);
    ab_srat_cpu(&t, 2, 1, 0);
    ab_srat_x2apic(&t, 0x100, 1, 1);
    ab_srat_mem(&t, 0, 0xa0000, 0, 1);
    ab_srat_mem(&t, 0x100000, 0x7ff00000, 0, 1);
    ab_srat_mem(&t, 0x100000000ull, 0x40000000, 1, 1 | 4);
    ab_srat_mem(&t, 0x180000000ull, 0x40000000, 1, 0);
    ab_srat_mem(&t, 0x200000000ull, 0x100000000ull, 1, 1 | 2);
    p += (ab_end(&t) + 15u) & ~15u;

    g->slit = p;
    p += (ab_slit(m, p, 2, dist, sizeof(dist)) + 15u) & ~15u;

    g->hpet = p;
    p += (ab_hpet(m, p, 0xfed00000, 0, 0x80) + 15u) & ~15u;

    g->mcfg = p;
    t = ab_mcfg(m, p);
    ab_mcfg_entry(&t, 0xb0000000, 0, 0, 0xff);
    p += (ab_end(&t) + 15u) & ~15u;

    list[0] = g->facp;
    list[1] = g->madt;
    list[2] = g->srat;
    list[3] = g->slit;
    list[4] = g->hpet;
    list[5] = g->mcfg;
    g->xsdt = p;
    p += (ab_root(m, p, "XSDT", list, AB_GOOD_TABLES) + 15u) & ~15u;
    g->rsdt = p;
    p += (ab_root(m, p, "RSDT", list, AB_GOOD_TABLES) + 15u) & ~15u;
    g->end = p;
    return ab_rsdp(rsdp, 2, (uint32_t)g->rsdt, g->xsdt);
}
