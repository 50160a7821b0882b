/* SPDX-License-Identifier: MIT */
/*
 * ACPI, private to the kernel: the facts Kite takes from the firmware's
 * tables (MADT, SRAT, SLIT, HPET, MCFG), copied out once at boot so nothing
 * later reads firmware memory. The parser reaches physical memory only
 * through a read callback, so host tests can feed it crafted tables, and
 * every length is checked before it is used: a table with a bad checksum or
 * a length past its end is reported through the warn callback and ignored.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

#define KITE_ACPI_MAX_CPUS         256
#define KITE_ACPI_MAX_IOAPICS      16
#define KITE_ACPI_MAX_OVERRIDES    32
#define KITE_ACPI_MAX_NMIS         32
#define KITE_ACPI_MAX_MEM_AFFINITY 64
#define KITE_ACPI_MAX_DOMAINS      64 /* SLIT localities kept */
#define KITE_ACPI_MAX_MCFG         8
#define KITE_ACPI_TABLE_MAX        (256u << 10) /* larger tables are refused */

struct kite_acpi_cpu {
    uint32_t apic_id;
    uint32_t uid; /* ACPI processor UID */
    bool enabled; /* usable now (enabled flag; online-capable CPUs are not) */
    bool x2apic;  /* came from a local x2APIC entry */
};

struct kite_acpi_ioapic {
    uint32_t id;
    uint32_t addr;
    uint32_t gsi_base;
};

struct kite_acpi_override {
    uint8_t bus;
    uint8_t source; /* ISA IRQ */
    uint32_t gsi;
    uint16_t flags; /* MPS INTI flags: polarity bits 0-1, trigger bits 2-3 */
};

struct kite_acpi_nmi {
    uint32_t uid; /* processor UID, 0xffffffff = all */
    uint8_t lint; /* LINT0 or LINT1 */
    uint16_t flags;
};

struct kite_acpi_cpu_affinity {
    uint32_t apic_id;
    uint32_t domain;
};

struct kite_acpi_mem_affinity {
    uint64_t base;
    uint64_t length;
    uint32_t domain;
    bool hotplug;
    bool nonvolatile;
};

struct kite_acpi_mcfg {
    uint64_t base;
    uint16_t segment;
    uint8_t bus_start, bus_end;
};

struct kite_acpi_info {
    uint8_t rsdp_revision;
    char oem_id[7];
    unsigned int tables_seen; /* tables the RSDT/XSDT lists */
    unsigned int tables_bad;  /* of those, refused (checksum, length, unreadable) */

    bool has_madt;
    uint64_t lapic_addr; /* the 64-bit override when present */
    bool pcat_compat;    /* dual 8259s present */
    struct kite_acpi_cpu cpus[KITE_ACPI_MAX_CPUS];
    unsigned int ncpus;
    struct kite_acpi_ioapic ioapics[KITE_ACPI_MAX_IOAPICS];
    unsigned int nioapics;
    struct kite_acpi_override overrides[KITE_ACPI_MAX_OVERRIDES];
    unsigned int noverrides;
    struct kite_acpi_nmi nmis[KITE_ACPI_MAX_NMIS];
    unsigned int nnmis;

    bool has_srat;
    struct kite_acpi_cpu_affinity cpu_affinity[KITE_ACPI_MAX_CPUS];
    unsigned int ncpu_affinity;
    struct kite_acpi_mem_affinity mem_affinity[KITE_ACPI_MAX_MEM_AFFINITY];
    unsigned int nmem_affinity;

    bool has_slit;
    unsigned int slit_localities; /* as the table says; distances kept for the first MAX_DOMAINS */
    uint8_t slit[KITE_ACPI_MAX_DOMAINS][KITE_ACPI_MAX_DOMAINS];

    bool has_hpet;
    uint64_t hpet_addr;
    uint8_t hpet_number;
    uint16_t hpet_min_tick;

    bool has_mcfg;
    struct kite_acpi_mcfg mcfg[KITE_ACPI_MAX_MCFG];
    unsigned int nmcfg;
};

struct kite_boot_params;
/* What a co-kernel's boot params say, in the form the tables would have said it (no IOAPIC, HPET).
 */
void kite_acpi_from_bp(const struct kite_boot_params *bp, struct kite_acpi_info *out);

/* Copy @len bytes of physical memory at @phys into @buf; false when it cannot be read. */
typedef bool (*kite_acpi_read_fn)(void *ctx, uint64_t phys, void *buf, size_t len);
/* A problem worth a warning: which table, what is wrong, what Kite does about it. */
typedef void (*kite_acpi_warn_fn)(void *ctx, const char *msg);

/*
 * Check an RSDP copy: signature, the v1 checksum over 20 bytes and, for
 * revision >= 2, the length field (36..@len) and the extended checksum.
 * Returns 0, or -KITE_EINVAL with a reason in @err.
 */
KITE_MUST_CHECK int kite_acpi_check_rsdp(const uint8_t *rsdp, size_t len, char *err, size_t errlen);

/*
 * Find an RSDP the BIOS way: the first KiB of the EBDA (segment at 0x40e),
 * then 0xe0000-0xfffff, on 16-byte boundaries. Copies it (36 bytes at most)
 * into @out and returns its length, or 0 when there is none.
 */
size_t kite_acpi_scan_rsdp(kite_acpi_read_fn read, void *ctx, uint8_t out[36]);

/*
 * Walk the RSDT (or the XSDT for revision >= 2) that @rsdp names and fill
 * @out from the tables Kite knows. @scratch (@scratch_len bytes, at least
 * 4 KiB) holds one table at a time. Returns 0, or -KITE_EINVAL when the RSDP
 * or the root table itself is unusable (then @out says nothing); a bad
 * individual table is skipped with a warning.
 */
KITE_MUST_CHECK int kite_acpi_parse(const uint8_t *rsdp, size_t rsdp_len, kite_acpi_read_fn read,
                                    void *read_ctx, kite_acpi_warn_fn warn, void *warn_ctx,
                                    void *scratch, size_t scratch_len, struct kite_acpi_info *out);

/* This boot's ACPI facts (valid after the ACPI stage; has_* false when absent). */
extern struct kite_acpi_info kite_acpi;
