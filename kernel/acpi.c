/* SPDX-License-Identifier: MIT */
/*
 * ACPI table parser: finds the RSDP, walks the RSDT or XSDT and copies what
 * Kite needs from the MADT, SRAT, SLIT, HPET and MCFG into struct
 * kite_acpi_info (kernel/acpi.h). Firmware memory is reached only through the
 * caller's read callback, one table at a time into the caller's scratch
 * buffer, and every length and offset is checked before a field is read. It
 * keeps no state and calls nothing but kite_snprintf and the string
 * functions, so the host unit tests and the fuzzers run it against crafted
 * and corrupted tables under sanitizers. Kernel glue elsewhere calls it once
 * at boot and owns kite_acpi.
 *
 * What the contract leaves open, decided here:
 * - A table Kite does not use is identified by its header and skipped: it is
 *   counted in tables_seen but never read in full, checked or warned about.
 * - A table Kite uses that fails any check (length, checksum, an entry whose
 *   length is too small or runs past the end, a SLIT that is not a distance
 *   matrix, an HPET not in memory space, an MCFG range whose buses run
 *   backwards) is dropped whole: nothing of it is kept, it counts in
 *   tables_bad and a warning says why. Half a MADT could hide the CPU that
 *   matters, so a partial result is not trusted.
 * - A second table of a kind Kite already took is ignored with a warning; if
 *   the first was refused, the next good one is used.
 * - A CPU entry that is neither enabled nor online capable is skipped: the
 *   firmware says it can never run, and such placeholders could otherwise
 *   fill the array before real CPUs. A CPU entry for an APIC ID already
 *   listed (some firmware lists each CPU again as an x2APIC) is skipped, with
 *   one warning per table.
 * - An unusable XSDT falls back to the RSDT when the RSDP names one.
 * - SRAT revision 1 domains are 8 bits (the upper bytes were reserved then).
 * - Full arrays keep the first entries and warn once per table and array.
 * - Bytes after the last entry too few for another (under 2 in the MADT and
 *   SRAT, under 16 in the MCFG, under 4 or 8 in the root) are padding.
 * - The EBDA is scanned only when its segment lies below 0xa0000, as ACPICA
 *   does; a pointer into video or BIOS memory is not an EBDA.
 */
#include "acpi.h"
#include <kite/unaligned.h>

#include <kite/errno.h>
#include <kite/printk.h>
#include <kite/string.h>

#include <stdarg.h>

#define RSDP_V1_LEN       20u
#define RSDP_V2_LEN       36u
#define RSDP_REVISION_OFF 15u
#define SDT_HEADER_LEN    36u
#define SCRATCH_MIN       4096u
#define MSG_MAX           200

#define MADT_ENTRIES 44u
#define SRAT_ENTRIES 48u
#define SLIT_MATRIX  44u
#define HPET_LEN     56u
#define MCFG_ENTRIES 44u
#define MCFG_ENTRY   16u

#define EBDA_SEGMENT_PTR 0x40eu
#define EBDA_SCAN_LEN    1024u
#define EBDA_LIMIT       0xa0000u /* the EBDA lives in conventional memory */
#define BIOS_AREA_START  0xe0000u
#define BIOS_AREA_END    0x100000u

#define MADT_PCAT_COMPAT        (1u << 0)
#define MADT_CPU_ENABLED        (1u << 0)
#define MADT_CPU_ONLINE_CAP     (1u << 1)
#define SRAT_ENABLED            (1u << 0)
#define SRAT_MEM_HOTPLUGGABLE   (1u << 1)
#define SRAT_MEM_NONVOLATILE    (1u << 2)
#define SLIT_LOCAL_DISTANCE     10u
#define LAPIC_NMI_ALL_CPUS      0xffu
#define ACPI_UID_ALL_CPUS       0xffffffffu
#define GAS_SPACE_SYSTEM_MEMORY 0u

enum table_kind {
    TABLE_MADT,
    TABLE_SRAT,
    TABLE_SLIT,
    TABLE_HPET,
    TABLE_MCFG,
    TABLE_KINDS,
};

static const struct {
    char sig[5];
    const char *name;
} kinds[TABLE_KINDS] = {
    [TABLE_MADT] = {"APIC", "MADT"}, [TABLE_SRAT] = {"SRAT", "SRAT"},
    [TABLE_SLIT] = {"SLIT", "SLIT"}, [TABLE_HPET] = {"HPET", "HPET"},
    [TABLE_MCFG] = {"MCFG", "MCFG"},
};

/* Arrays that can fill up; each says so once per table. */
enum array {
    ARRAY_CPUS,
    ARRAY_IOAPICS,
    ARRAY_OVERRIDES,
    ARRAY_NMIS,
    ARRAY_CPU_AFFINITY,
    ARRAY_MEM_AFFINITY,
    ARRAY_MCFG,
};

struct parser {
    kite_acpi_read_fn read;
    void *read_ctx;
    kite_acpi_warn_fn warn;
    void *warn_ctx;
    uint8_t *scratch;
    size_t scratch_len;
    struct kite_acpi_info *out;

    /* The table being looked at, for messages. */
    const char *name;
    uint64_t phys;
    uint8_t revision;
    const char *action; /* what Kite does when this table is refused */
    unsigned int full_warned;
    bool dup_apic_warned;
};

static uint8_t sum8(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;

    for (size_t i = 0; i < len; i++) {
        sum = (uint8_t)(sum + p[i]);
    }
    return sum;
}

/* kite_snprintf returns the length it wanted; this is how much of @size it used. */
static size_t used(int n, size_t size)
{
    if (n < 0 || size == 0) {
        return 0;
    }
    return (size_t)n < size ? (size_t)n : size - 1;
}

static void say(struct parser *ps, const char *fmt, ...) KITE_PRINTF(2, 3);
static void say(struct parser *ps, const char *fmt, ...)
{
    char msg[MSG_MAX];
    va_list ap;

    if (!ps->warn) {
        return;
    }
    va_start(ap, fmt);
    kite_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ps->warn(ps->warn_ctx, msg);
}

/* Every message about a table names it and its address, so a dump can find it. */
static void table_say(struct parser *ps, const char *action, const char *fmt, va_list ap)
{
    char msg[MSG_MAX];
    size_t n;

    if (!ps->warn) {
        return;
    }
    n = used(kite_snprintf(msg, sizeof(msg), "ACPI: %s at 0x%llx: ", ps->name,
                           (unsigned long long)ps->phys),
             sizeof(msg));
    n += used(kite_vsnprintf(msg + n, sizeof(msg) - n, fmt, ap), sizeof(msg) - n);
    if (action) {
        kite_snprintf(msg + n, sizeof(msg) - n, "; %s", action);
    }
    ps->warn(ps->warn_ctx, msg);
}

/* Refuse the current table: warn with the reason and ps->action. */
static int table_bad(struct parser *ps, const char *fmt, ...) KITE_PRINTF(2, 3);
static int table_bad(struct parser *ps, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    table_say(ps, ps->action, fmt, ap);
    va_end(ap);
    return -KITE_EINVAL;
}

/* A warning about the current table that does not refuse it; @fmt says what Kite does. */
static void table_note(struct parser *ps, const char *fmt, ...) KITE_PRINTF(2, 3);
static void table_note(struct parser *ps, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    table_say(ps, NULL, fmt, ap);
    va_end(ap);
}

/* True when one more entry fits in an array of @max holding @n; warns once when it does not. */
static bool room(struct parser *ps, enum array which, unsigned int n, unsigned int max,
                 const char *what)
{
    if (n < max) {
        return true;
    }
    if (!(ps->full_warned & (1u << which))) {
        ps->full_warned |= 1u << which;
        table_note(ps, "more than %u %s; using the first %u", max, what, max);
    }
    return false;
}

static bool read_phys(struct parser *ps, uint64_t phys, void *buf, size_t len)
{
    /* A range that wraps past the top of the address space is not memory. */
    if (phys > UINT64_MAX - len) {
        return false;
    }
    return ps->read(ps->read_ctx, phys, buf, len);
}

static int rsdp_fail(char *err, size_t errlen, const char *fmt, ...) KITE_PRINTF(3, 4);
static int rsdp_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen > 0) {
        va_start(ap, fmt);
        kite_vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -KITE_EINVAL;
}

int kite_acpi_check_rsdp(const uint8_t *rsdp, size_t len, char *err, size_t errlen)
{
    uint32_t full;
    uint8_t sum;

    if (err && errlen > 0) {
        err[0] = '\0';
    }
    if (!rsdp) {
        return rsdp_fail(err, errlen, "no RSDP (NULL pointer)");
    }
    if (len < RSDP_V1_LEN) {
        return rsdp_fail(err, errlen, "only %zu bytes, less than the %u-byte ACPI 1.0 RSDP", len,
                         RSDP_V1_LEN);
    }
    if (memcmp(rsdp, "RSD PTR ", 8) != 0) {
        return rsdp_fail(err, errlen, "the signature is not \"RSD PTR \"");
    }
    sum = sum8(rsdp, RSDP_V1_LEN);
    if (sum != 0) {
        return rsdp_fail(err, errlen, "the checksum over the first %u bytes is wrong (sum 0x%02x)",
                         RSDP_V1_LEN, sum);
    }
    /* Revision 0 is ACPI 1.0; 1 was never used; 2 and later carry the extended fields. */
    if (rsdp[RSDP_REVISION_OFF] < 2) {
        return 0;
    }
    if (len < RSDP_V2_LEN) {
        return rsdp_fail(err, errlen, "revision %u needs %u bytes, only %zu given",
                         rsdp[RSDP_REVISION_OFF], RSDP_V2_LEN, len);
    }
    full = kite_get_le32(rsdp + 20);
    if (full < RSDP_V2_LEN) {
        return rsdp_fail(err, errlen,
                         "the length field says %u, less than the %u bytes of an ACPI 2.0 RSDP",
                         full, RSDP_V2_LEN);
    }
    if (full > len) {
        return rsdp_fail(err, errlen, "the length field says %u, more than the %zu bytes given",
                         full, len);
    }
    sum = sum8(rsdp, full);
    if (sum != 0) {
        return rsdp_fail(err, errlen, "the extended checksum over %u bytes is wrong (sum 0x%02x)",
                         full, sum);
    }
    return 0;
}

static size_t scan_range(kite_acpi_read_fn read, void *ctx, uint64_t start, uint64_t end,
                         uint8_t out[RSDP_V2_LEN])
{
    for (uint64_t p = start; p < end; p += 16) {
        uint8_t buf[RSDP_V2_LEN];
        size_t len = RSDP_V1_LEN;

        if (!read(ctx, p, buf, RSDP_V1_LEN) || memcmp(buf, "RSD PTR ", 8) != 0) {
            continue;
        }
        if (buf[RSDP_REVISION_OFF] >= 2) {
            len = RSDP_V2_LEN;
            if (!read(ctx, p, buf, len)) {
                continue;
            }
        }
        /* A stale or damaged copy may come first; keep looking past it. */
        if (kite_acpi_check_rsdp(buf, len, NULL, 0) != 0) {
            continue;
        }
        memset(out, 0, RSDP_V2_LEN);
        memcpy(out, buf, len);
        return len;
    }
    return 0;
}

size_t kite_acpi_scan_rsdp(kite_acpi_read_fn read, void *ctx, uint8_t out[36])
{
    uint16_t segment;
    size_t len;

    if (!read || !out) {
        return 0;
    }
    if (read(ctx, EBDA_SEGMENT_PTR, &segment, sizeof(segment))) {
        uint64_t ebda = (uint64_t)segment << 4;

        /* As ACPICA does: a segment outside conventional memory is not an EBDA. */
        if (segment != 0 && ebda < EBDA_LIMIT) {
            len = scan_range(read, ctx, ebda, ebda + EBDA_SCAN_LEN, out);
            if (len) {
                return len;
            }
        }
    }
    return scan_range(read, ctx, BIOS_AREA_START, BIOS_AREA_END, out);
}

/*
 * The table's 36-byte header is in scratch: check its length, read the whole
 * table into scratch and check its checksum. Returns its length, or 0 after
 * a warning when it is refused.
 */
static uint32_t load_table(struct parser *ps)
{
    uint32_t len = kite_get_le32(ps->scratch + 4);
    uint8_t sum;

    ps->revision = ps->scratch[8];
    if (len < SDT_HEADER_LEN) {
        table_bad(ps, "length %u is less than the %u-byte table header", len, SDT_HEADER_LEN);
        return 0;
    }
    if (len > KITE_ACPI_TABLE_MAX) {
        table_bad(ps, "length %u is more than the %u bytes Kite accepts", len, KITE_ACPI_TABLE_MAX);
        return 0;
    }
    if (len > ps->scratch_len) {
        table_bad(ps, "length %u is more than the %zu-byte buffer Kite reads tables into", len,
                  ps->scratch_len);
        return 0;
    }
    if (!read_phys(ps, ps->phys, ps->scratch, len)) {
        table_bad(ps, "its %u bytes cannot be read", len);
        return 0;
    }
    sum = sum8(ps->scratch, len);
    if (sum != 0) {
        table_bad(ps, "checksum is wrong (sum 0x%02x)", sum);
        return 0;
    }
    return len;
}

/* ---------------------------------------------------------------- entries */

typedef void (*entry_fn)(struct parser *ps, const uint8_t *e, uint8_t type, uint32_t off);

/*
 * Walk the type/length entries of a MADT or SRAT from @start. An entry whose
 * length is below its type's fixed fields, or that runs past the table,
 * refuses the table: its length can no longer be trusted to find the next.
 */
static int walk_entries(struct parser *ps, const uint8_t *t, uint32_t len, uint32_t start,
                        uint8_t (*min_len)(uint8_t type), entry_fn fn)
{
    uint32_t off = start;

    /* Fewer than 2 bytes left cannot be an entry; some firmware pads, so they are ignored. */
    while (len - off >= 2) {
        uint8_t type = t[off], elen = t[off + 1], min = min_len(type);

        if (elen < min) {
            return table_bad(ps,
                             "entry at offset 0x%x (type %u) has length %u, less than the %u "
                             "bytes of its type",
                             off, type, elen, min);
        }
        if (elen > len - off) {
            return table_bad(ps,
                             "entry at offset 0x%x (type %u, length %u) runs past the end of the "
                             "table (length %u)",
                             off, type, elen, len);
        }
        fn(ps, t + off, type, off);
        off += elen;
    }
    return 0;
}

/* ---------------------------------------------------------------- MADT */

static uint8_t madt_min_len(uint8_t type)
{
    switch (type) {
    case 0: /* local APIC */
        return 8;
    case 1:   /* I/O APIC */
    case 5:   /* local APIC address override */
    case 0xa: /* local x2APIC NMI */
        return 12;
    case 2: /* interrupt source override */
        return 10;
    case 4: /* local APIC NMI */
        return 6;
    case 9: /* local x2APIC */
        return 16;
    default:
        return 2;
    }
}

static void add_cpu(struct parser *ps, uint32_t apic_id, uint32_t uid, uint32_t flags, bool x2apic,
                    uint32_t off)
{
    struct kite_acpi_info *out = ps->out;
    struct kite_acpi_cpu *cpu;

    if (!(flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAP))) {
        return;
    }
    for (unsigned int i = 0; i < out->ncpus; i++) {
        if (out->cpus[i].apic_id == apic_id) {
            if (!ps->dup_apic_warned) {
                ps->dup_apic_warned = true;
                table_note(ps, "APIC ID %u is listed again at offset 0x%x; keeping the first entry",
                           apic_id, off);
            }
            return;
        }
    }
    if (!room(ps, ARRAY_CPUS, out->ncpus, KITE_ACPI_MAX_CPUS, "CPUs")) {
        return;
    }
    cpu = &out->cpus[out->ncpus++];
    cpu->apic_id = apic_id;
    cpu->uid = uid;
    cpu->enabled = (flags & MADT_CPU_ENABLED) != 0;
    cpu->x2apic = x2apic;
}

static void add_nmi(struct parser *ps, uint32_t uid, uint8_t lint, uint16_t flags)
{
    struct kite_acpi_info *out = ps->out;
    struct kite_acpi_nmi *nmi;

    if (!room(ps, ARRAY_NMIS, out->nnmis, KITE_ACPI_MAX_NMIS, "local APIC NMI entries")) {
        return;
    }
    nmi = &out->nmis[out->nnmis++];
    nmi->uid = uid;
    nmi->lint = lint;
    nmi->flags = flags;
}

static void madt_entry(struct parser *ps, const uint8_t *e, uint8_t type, uint32_t off)
{
    struct kite_acpi_info *out = ps->out;

    switch (type) {
    case 0:
        add_cpu(ps, e[3], e[2], kite_get_le32(e + 4), false, off);
        break;
    case 1:
        if (room(ps, ARRAY_IOAPICS, out->nioapics, KITE_ACPI_MAX_IOAPICS, "I/O APICs")) {
            struct kite_acpi_ioapic *io = &out->ioapics[out->nioapics++];

            io->id = e[2];
            io->addr = kite_get_le32(e + 4);
            io->gsi_base = kite_get_le32(e + 8);
        }
        break;
    case 2:
        if (room(ps, ARRAY_OVERRIDES, out->noverrides, KITE_ACPI_MAX_OVERRIDES,
                 "interrupt source overrides")) {
            struct kite_acpi_override *ov = &out->overrides[out->noverrides++];

            ov->bus = e[2];
            ov->source = e[3];
            ov->gsi = kite_get_le32(e + 4);
            ov->flags = kite_get_le16(e + 8);
        }
        break;
    case 4:
        add_nmi(ps, e[2] == LAPIC_NMI_ALL_CPUS ? ACPI_UID_ALL_CPUS : e[2], e[5],
                kite_get_le16(e + 3));
        break;
    case 5:
        out->lapic_addr = kite_get_le64(e + 4);
        break;
    case 9:
        add_cpu(ps, kite_get_le32(e + 4), kite_get_le32(e + 12), kite_get_le32(e + 8), true, off);
        break;
    case 0xa:
        add_nmi(ps, kite_get_le32(e + 4), e[8], kite_get_le16(e + 2));
        break;
    default:
        break;
    }
}

static int parse_madt(struct parser *ps, const uint8_t *t, uint32_t len)
{
    uint32_t flags;

    if (len < MADT_ENTRIES) {
        return table_bad(ps, "length %u is less than the %u bytes before its entries", len,
                         MADT_ENTRIES);
    }
    ps->out->lapic_addr = kite_get_le32(t + 36);
    flags = kite_get_le32(t + 40);
    ps->out->pcat_compat = (flags & MADT_PCAT_COMPAT) != 0;
    return walk_entries(ps, t, len, MADT_ENTRIES, madt_min_len, madt_entry);
}

/* ---------------------------------------------------------------- SRAT */

static uint8_t srat_min_len(uint8_t type)
{
    switch (type) {
    case 0: /* processor local APIC affinity */
        return 16;
    case 1: /* memory affinity */
        return 40;
    case 2: /* processor local x2APIC affinity */
        return 24;
    default:
        return 2;
    }
}

static void add_cpu_affinity(struct parser *ps, uint32_t apic_id, uint32_t domain)
{
    struct kite_acpi_info *out = ps->out;
    struct kite_acpi_cpu_affinity *a;

    if (!room(ps, ARRAY_CPU_AFFINITY, out->ncpu_affinity, KITE_ACPI_MAX_CPUS,
              "processor affinity entries")) {
        return;
    }
    a = &out->cpu_affinity[out->ncpu_affinity++];
    a->apic_id = apic_id;
    a->domain = domain;
}

static void srat_entry(struct parser *ps, const uint8_t *e, uint8_t type, uint32_t off)
{
    struct kite_acpi_info *out = ps->out;
    /* SRAT revision 1 had 8-bit proximity domains; the upper bytes were reserved. */
    bool wide = ps->revision >= 2;

    (void)off;
    switch (type) {
    case 0:
        if (kite_get_le32(e + 4) & SRAT_ENABLED) {
            uint32_t domain = e[2];

            if (wide) {
                domain |= (uint32_t)e[9] << 8 | (uint32_t)e[10] << 16 | (uint32_t)e[11] << 24;
            }
            add_cpu_affinity(ps, e[3], domain);
        }
        break;
    case 1: {
        uint32_t flags = kite_get_le32(e + 28);
        struct kite_acpi_mem_affinity *m;

        if (!(flags & SRAT_ENABLED) ||
            !room(ps, ARRAY_MEM_AFFINITY, out->nmem_affinity, KITE_ACPI_MAX_MEM_AFFINITY,
                  "memory affinity entries")) {
            break;
        }
        m = &out->mem_affinity[out->nmem_affinity++];
        m->domain = wide ? kite_get_le32(e + 2) : e[2];
        m->base = (uint64_t)kite_get_le32(e + 8) | (uint64_t)kite_get_le32(e + 12) << 32;
        m->length = (uint64_t)kite_get_le32(e + 16) | (uint64_t)kite_get_le32(e + 20) << 32;
        m->hotplug = (flags & SRAT_MEM_HOTPLUGGABLE) != 0;
        m->nonvolatile = (flags & SRAT_MEM_NONVOLATILE) != 0;
        break;
    }
    case 2:
        if (kite_get_le32(e + 12) & SRAT_ENABLED) {
            add_cpu_affinity(ps, kite_get_le32(e + 8), kite_get_le32(e + 4));
        }
        break;
    default:
        break;
    }
}

static int parse_srat(struct parser *ps, const uint8_t *t, uint32_t len)
{
    if (len < SRAT_ENTRIES) {
        return table_bad(ps, "length %u is less than the %u bytes before its entries", len,
                         SRAT_ENTRIES);
    }
    return walk_entries(ps, t, len, SRAT_ENTRIES, srat_min_len, srat_entry);
}

/* ---------------------------------------------------------------- SLIT */

static int parse_slit(struct parser *ps, const uint8_t *t, uint32_t len)
{
    struct kite_acpi_info *out = ps->out;
    const uint8_t *d = t + SLIT_MATRIX;
    uint64_t n, room_bytes;
    unsigned int keep;

    if (len < SLIT_MATRIX) {
        return table_bad(ps, "length %u is less than the %u bytes before its distances", len,
                         SLIT_MATRIX);
    }
    n = kite_get_le64(t + 36);
    room_bytes = len - SLIT_MATRIX;
    /* Checking n first keeps n * n from overflowing: room_bytes is at most 256 KiB. */
    if (n > room_bytes || n * n > room_bytes) {
        if (n > UINT32_MAX) {
            return table_bad(ps, "the locality count %llu is far more than %llu bytes can hold",
                             (unsigned long long)n, (unsigned long long)room_bytes);
        }
        return table_bad(ps, "%llu localities need %llu bytes of distances, but only %llu follow",
                         (unsigned long long)n, (unsigned long long)n * n,
                         (unsigned long long)room_bytes);
    }
    /* As Linux does: a matrix whose own distances are not 10, or others not above, is noise. */
    for (uint64_t i = 0; i < n; i++) {
        for (uint64_t j = 0; j < n; j++) {
            uint8_t v = d[i * n + j];

            if (i == j && v != SLIT_LOCAL_DISTANCE) {
                return table_bad(ps, "the distance from locality %llu to itself is %u, not %u",
                                 (unsigned long long)i, v, SLIT_LOCAL_DISTANCE);
            }
            if (i != j && v <= SLIT_LOCAL_DISTANCE) {
                return table_bad(
                    ps, "the distance from locality %llu to %llu is %u, not more than %u",
                    (unsigned long long)i, (unsigned long long)j, v, SLIT_LOCAL_DISTANCE);
            }
        }
    }
    out->slit_localities = (unsigned int)n;
    keep = (unsigned int)KITE_MIN(n, (uint64_t)KITE_ACPI_MAX_DOMAINS);
    for (unsigned int i = 0; i < keep; i++) {
        memcpy(out->slit[i], d + (size_t)i * n, keep);
    }
    return 0;
}

/* ---------------------------------------------------------------- HPET, MCFG */

static int parse_hpet(struct parser *ps, const uint8_t *t, uint32_t len)
{
    struct kite_acpi_info *out = ps->out;
    uint64_t addr;

    if (len < HPET_LEN) {
        return table_bad(ps, "length %u is less than the %u bytes of an HPET table", len, HPET_LEN);
    }
    if (t[40] != GAS_SPACE_SYSTEM_MEMORY) {
        return table_bad(ps, "the timer block is in address space %u, not in memory", t[40]);
    }
    addr = kite_get_le64(t + 44);
    if (addr == 0) {
        return table_bad(ps, "the timer block's address is 0");
    }
    out->hpet_addr = addr;
    out->hpet_number = t[52];
    out->hpet_min_tick = kite_get_le16(t + 53);
    return 0;
}

static int parse_mcfg(struct parser *ps, const uint8_t *t, uint32_t len)
{
    struct kite_acpi_info *out = ps->out;

    if (len < MCFG_ENTRIES) {
        return table_bad(ps, "length %u is less than the %u bytes before its entries", len,
                         MCFG_ENTRIES);
    }
    /* A trailing partial entry is padding, as Linux reads it. */
    for (uint32_t off = MCFG_ENTRIES; len - off >= MCFG_ENTRY; off += MCFG_ENTRY) {
        const uint8_t *e = t + off;
        struct kite_acpi_mcfg *m;

        if (e[10] > e[11]) {
            return table_bad(ps, "entry at offset 0x%x: first bus %u is after last bus %u", off,
                             e[10], e[11]);
        }
        if (!room(ps, ARRAY_MCFG, out->nmcfg, KITE_ACPI_MAX_MCFG, "configuration ranges")) {
            continue;
        }
        m = &out->mcfg[out->nmcfg++];
        m->base = kite_get_le64(e);
        m->segment = kite_get_le16(e + 8);
        m->bus_start = e[10];
        m->bus_end = e[11];
    }
    return 0;
}

/* ---------------------------------------------------------------- tables */

static bool *has_table(struct kite_acpi_info *out, enum table_kind kind)
{
    switch (kind) {
    case TABLE_MADT:
        return &out->has_madt;
    case TABLE_SRAT:
        return &out->has_srat;
    case TABLE_SLIT:
        return &out->has_slit;
    case TABLE_HPET:
        return &out->has_hpet;
    default:
        return &out->has_mcfg;
    }
}

/* Drop what a refused table left behind, so a partial table is never seen. */
static void forget_table(struct kite_acpi_info *out, enum table_kind kind)
{
    switch (kind) {
    case TABLE_MADT:
        out->lapic_addr = 0;
        out->pcat_compat = false;
        memset(out->cpus, 0, sizeof(out->cpus));
        memset(out->ioapics, 0, sizeof(out->ioapics));
        memset(out->overrides, 0, sizeof(out->overrides));
        memset(out->nmis, 0, sizeof(out->nmis));
        out->ncpus = out->nioapics = out->noverrides = out->nnmis = 0;
        break;
    case TABLE_SRAT:
        memset(out->cpu_affinity, 0, sizeof(out->cpu_affinity));
        memset(out->mem_affinity, 0, sizeof(out->mem_affinity));
        out->ncpu_affinity = out->nmem_affinity = 0;
        break;
    case TABLE_SLIT:
        memset(out->slit, 0, sizeof(out->slit));
        out->slit_localities = 0;
        break;
    case TABLE_HPET:
        out->hpet_addr = 0;
        out->hpet_number = 0;
        out->hpet_min_tick = 0;
        break;
    default:
        memset(out->mcfg, 0, sizeof(out->mcfg));
        out->nmcfg = 0;
        break;
    }
}

static int parse_kind(struct parser *ps, enum table_kind kind, const uint8_t *t, uint32_t len)
{
    switch (kind) {
    case TABLE_MADT:
        return parse_madt(ps, t, len);
    case TABLE_SRAT:
        return parse_srat(ps, t, len);
    case TABLE_SLIT:
        return parse_slit(ps, t, len);
    case TABLE_HPET:
        return parse_hpet(ps, t, len);
    default:
        return parse_mcfg(ps, t, len);
    }
}

static void take_table(struct parser *ps, uint64_t phys, const char *root, unsigned int index)
{
    struct kite_acpi_info *out = ps->out;
    int kind = -1;
    uint32_t len;

    if (phys == 0) {
        say(ps, "ACPI: %s entry %u is a null address; skipping it", root, index);
        out->tables_bad++;
        return;
    }
    if (!read_phys(ps, phys, ps->scratch, SDT_HEADER_LEN)) {
        say(ps, "ACPI: the table at 0x%llx (%s entry %u) cannot be read; ignoring it",
            (unsigned long long)phys, root, index);
        out->tables_bad++;
        return;
    }
    for (int k = 0; k < TABLE_KINDS; k++) {
        if (memcmp(ps->scratch, kinds[k].sig, 4) == 0) {
            kind = k;
            break;
        }
    }
    if (kind < 0) {
        return;
    }
    ps->name = kinds[kind].name;
    ps->phys = phys;
    ps->action = "ignoring the table";
    ps->full_warned = 0;
    ps->dup_apic_warned = false;
    if (*has_table(out, (enum table_kind)kind)) {
        table_note(ps, "%s lists a second %s; keeping the first one", root, ps->name);
        return;
    }
    len = load_table(ps);
    if (len == 0 || parse_kind(ps, (enum table_kind)kind, ps->scratch, len) < 0) {
        forget_table(out, (enum table_kind)kind);
        out->tables_bad++;
        return;
    }
    *has_table(out, (enum table_kind)kind) = true;
}

/* Read and check the root table at @phys into scratch; returns its length or 0. */
static uint32_t load_root(struct parser *ps, uint64_t phys, const char *sig, const char *action)
{
    ps->name = sig;
    ps->phys = phys;
    ps->action = action;
    if (!read_phys(ps, phys, ps->scratch, SDT_HEADER_LEN)) {
        table_bad(ps, "its header cannot be read");
        return 0;
    }
    if (memcmp(ps->scratch, sig, 4) != 0) {
        char found[5];

        for (int i = 0; i < 4; i++) {
            uint8_t c = ps->scratch[i];

            found[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
        }
        found[4] = '\0';
        table_bad(ps, "the signature is \"%s\"", found);
        return 0;
    }
    return load_table(ps);
}

int kite_acpi_parse(const uint8_t *rsdp, size_t rsdp_len, kite_acpi_read_fn read, void *read_ctx,
                    kite_acpi_warn_fn warn, void *warn_ctx, void *scratch, size_t scratch_len,
                    struct kite_acpi_info *out)
{
    struct parser ps = {
        .read = read,
        .read_ctx = read_ctx,
        .warn = warn,
        .warn_ctx = warn_ctx,
        .scratch = scratch,
        .scratch_len = scratch_len,
        .out = out,
    };
    char why[96];
    uint32_t rsdt, len = 0;
    uint64_t xsdt = 0, root = 0;
    size_t entry_size = 4;
    const char *root_name = "RSDT";
    unsigned int count;

    if (!out) {
        return -KITE_EINVAL;
    }
    memset(out, 0, sizeof(*out));
    if (!read || !scratch || scratch_len < SCRATCH_MIN) {
        say(&ps, "ACPI: no read callback or a scratch buffer under %u bytes; ignoring ACPI",
            SCRATCH_MIN);
        return -KITE_EINVAL;
    }
    if (kite_acpi_check_rsdp(rsdp, rsdp_len, why, sizeof(why)) != 0) {
        say(&ps, "ACPI: the RSDP is unusable: %s; ignoring ACPI", why);
        return -KITE_EINVAL;
    }

    rsdt = kite_get_le32(rsdp + 16);
    if (rsdp[RSDP_REVISION_OFF] >= 2) {
        xsdt = kite_get_le64(rsdp + 24);
    }
    if (xsdt != 0) {
        len = load_root(&ps, xsdt, "XSDT", rsdt ? "using the RSDT instead" : "ignoring ACPI");
        if (len) {
            root = xsdt;
            entry_size = 8;
            root_name = "XSDT";
        }
    }
    if (!len) {
        if (rsdt == 0) {
            /* A refused XSDT has already said so. */
            if (xsdt == 0) {
                say(&ps, "ACPI: the RSDP names no root table (RSDT and XSDT are 0); ignoring ACPI");
            }
            goto out_clear;
        }
        len = load_root(&ps, rsdt, "RSDT", "ignoring ACPI");
        if (!len) {
            goto out_clear;
        }
        root = rsdt;
    }

    out->rsdp_revision = rsdp[RSDP_REVISION_OFF];
    for (int i = 0; i < 6; i++) {
        uint8_t c = rsdp[9 + i];

        /* Some firmware pads with NULs: stop there; keep other bytes printable for the log. */
        if (c == '\0') {
            break;
        }
        out->oem_id[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }

    /* Each table is read into scratch in turn, so entries are fetched from the root itself. */
    count = (unsigned int)((len - SDT_HEADER_LEN) / entry_size);
    for (unsigned int i = 0; i < count; i++) {
        uint64_t at = root + SDT_HEADER_LEN + (uint64_t)i * entry_size;
        uint8_t entry[8] = {0};

        out->tables_seen++;
        if (!read_phys(&ps, at, entry, entry_size)) {
            say(&ps, "ACPI: %s entry %u at 0x%llx cannot be read; skipping it", root_name, i,
                (unsigned long long)at);
            out->tables_bad++;
            continue;
        }
        take_table(&ps, entry_size == 8 ? kite_get_le64(entry) : kite_get_le32(entry), root_name,
                   i);
    }
    return 0;

out_clear:
    memset(out, 0, sizeof(*out));
    return -KITE_EINVAL;
}
