/* SPDX-License-Identifier: MIT */
/*
 * The ACPI fuzzer's input format, shared by acpi_fuzz.c and the seed
 * generator (seeds.c) so that seeds mean what the fuzzer reads. Byte 0 is a
 * control byte (FUZZ_CTRL_*); the rest is fake physical memory that starts at
 * address 0 and appears again at 0xe0000, so the RSDP at its start is also
 * where the BIOS-area scan looks. Memory reads as zeros from the input's end
 * up to FUZZ_MEM_MIN bytes, so that changing one length field is enough to
 * make a table longer than the scratch buffer or reach past the input. The RSDP handed to
 * kite_acpi_parse is that memory's first 36 bytes. With FUZZ_CTRL_FIX_SUMS the harness first fixes
 * the checksums of the RSDP and of every table it can reach, since a fuzzer
 * would otherwise spend its time guessing checksums instead of reaching the
 * table parsers; without it, the checksum checks themselves get fuzzed.
 */
#pragma once

#include <kite/types.h>

#include <string.h>

#define FUZZ_CTRL_FIX_SUMS    0x01 /* fix the checksums of the RSDP and reachable tables */
#define FUZZ_CTRL_RSDP_V1     0x02 /* hand the parser only the 20-byte ACPI 1.0 RSDP */
#define FUZZ_CTRL_BIG_SCRATCH 0x04 /* 64 KiB of scratch instead of the minimum 4 KiB */
#define FUZZ_BIOS_MIRROR      0xe0000u
#define FUZZ_MAX_ENTRIES      512 /* root entries fixed up; more only cost time */
#define FUZZ_MEM_MIN          16384

struct fuzz_mem {
    const uint8_t *bytes;
    size_t size;
};

static inline bool fuzz_mem_read(void *ctx, uint64_t phys, void *buf, size_t len)
{
    const struct fuzz_mem *m = ctx;
    uint64_t off;

    if (phys < m->size) {
        off = phys;
    } else if (phys >= FUZZ_BIOS_MIRROR && phys - FUZZ_BIOS_MIRROR < m->size) {
        off = phys - FUZZ_BIOS_MIRROR;
    } else {
        return false;
    }
    if (len > m->size - off) {
        return false;
    }
    memcpy(buf, m->bytes + off, len);
    return true;
}

static inline void fuzz_set_sum(uint8_t *p, size_t len, size_t csum)
{
    uint8_t sum = 0;

    p[csum] = 0;
    for (size_t i = 0; i < len; i++) {
        sum = (uint8_t)(sum + p[i]);
    }
    p[csum] = (uint8_t)(0x100 - sum);
}

/* Fix the checksum of the table at @phys when its whole length lies in @mem. */
static inline bool fuzz_fix_table(uint8_t *mem, size_t size, uint64_t phys, uint32_t *lenp)
{
    uint32_t len;

    if (phys >= size || size - phys < 36) {
        return false;
    }
    memcpy(&len, mem + phys + 4, 4);
    if (len < 10 || len > size - phys) {
        return false;
    }
    fuzz_set_sum(mem + phys, len, 9);
    if (lenp) {
        *lenp = len;
    }
    return true;
}

static inline void fuzz_fix_root(uint8_t *mem, size_t size, uint64_t root, size_t entry_size)
{
    uint32_t len, count;

    if (root == 0 || !fuzz_fix_table(mem, size, root, &len) || len < 36) {
        return;
    }
    count = (len - 36) / (uint32_t)entry_size;
    for (uint32_t i = 0; i < count && i < FUZZ_MAX_ENTRIES; i++) {
        uint64_t table = 0;

        memcpy(&table, mem + root + 36 + (size_t)i * entry_size, entry_size);
        fuzz_fix_table(mem, size, table, NULL);
    }
    /* The tables' fixes may have landed inside the root: seal it last. */
    fuzz_fix_table(mem, size, root, NULL);
}

/* Tables first, then roots, then the RSDP, so that later fixes win where they overlap. */
static inline void fuzz_fix_sums(uint8_t *mem, size_t size)
{
    uint32_t rsdt;
    uint64_t xsdt = 0;

    if (size < 36) {
        return;
    }
    memcpy(&rsdt, mem + 16, 4);
    if (mem[15] >= 2) {
        memcpy(&xsdt, mem + 24, 8);
        fuzz_fix_root(mem, size, xsdt, 8);
    }
    fuzz_fix_root(mem, size, rsdt, 4);
    fuzz_set_sum(mem, 20, 8);
    if (mem[15] >= 2) {
        uint32_t len = 36;

        memcpy(mem + 20, &len, 4);
        fuzz_set_sum(mem, 36, 32);
    }
}
