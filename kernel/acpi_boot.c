/* SPDX-License-Identifier: MIT */
/*
 * The ACPI stage of boot: find the RSDP (the loader's copy, else the BIOS
 * area), let kernel/acpi.c copy the facts out of the tables into kite_acpi,
 * and say in a line what was found. Runs on the early map, which covers
 * 0..4 GiB; tables beyond that are reported as unreadable.
 */
#define KITE_LOG_PREFIX "acpi: "

#include <kite/bootinfo.h>
#include <kite/partition.h>
#include <kite/printk.h>
#include <kite/string.h>

#include "acpi.h"

#define EARLY_MAP_END (4ull << 30)

struct kite_acpi_info kite_acpi;
static uint8_t scratch[KITE_ACPI_TABLE_MAX] KITE_ALIGNED(16);

static bool read_phys(void *ctx, uint64_t phys, void *buf, size_t len)
{
    (void)ctx;
    if (phys == 0 || phys >= EARLY_MAP_END || len > EARLY_MAP_END - phys) {
        return false;
    }
    memcpy(buf, (const void *)(uintptr_t)phys, len);
    return true;
}

static void warn(void *ctx, const char *msg)
{
    (void)ctx;
    kite_pr_warn("%s\n", msg);
}

void kite_acpi_init(void);
void kite_acpi_init(void)
{
    uint8_t rsdp[36];
    size_t len = kite_boot.rsdp_len;
    const char *from = "the loader";
    char err[128];

    if (kite_partition()) {
        kite_acpi_from_bp(kite_bp, &kite_acpi);
        kite_pr_info("none read in a partition: %u CPUs and %u nodes from the host's boot params\n",
                     kite_acpi.ncpus, kite_bp->nr_nodes);
        return;
    }
    if (len) {
        memcpy(rsdp, kite_boot.rsdp, KITE_MIN(len, sizeof(rsdp)));
    } else {
        from = "the BIOS area";
        len = kite_acpi_scan_rsdp(read_phys, NULL, rsdp);
    }
    if (!len) {
        kite_pr_warn("no RSDP (the loader gave none, the BIOS area has none); one CPU, one "
                     "node\n");
        return;
    }
    if (kite_acpi_check_rsdp(rsdp, len, err, sizeof(err))) {
        kite_pr_warn("RSDP from %s refused: %s; one CPU, one node\n", from, err);
        return;
    }
    if (kite_acpi_parse(rsdp, len, read_phys, NULL, warn, NULL, scratch, sizeof(scratch),
                        &kite_acpi)) {
        kite_pr_warn("the root table is unusable; one CPU, one node\n");
        memset(&kite_acpi, 0, sizeof(kite_acpi));
        return;
    }
    /* OEM IDs are space-padded to six characters. */
    for (size_t n = strlen(kite_acpi.oem_id); n > 0 && kite_acpi.oem_id[n - 1] == ' '; n--) {
        kite_acpi.oem_id[n - 1] = '\0';
    }
    kite_pr_info("RSDP v%u from %s (%s); %u tables, %u refused; MADT %s (%u CPU%s, %u IOAPIC%s), "
                 "SRAT %s, SLIT %s, HPET %s, MCFG %s\n",
                 kite_acpi.rsdp_revision >= 2 ? 2 : 1, from, kite_acpi.oem_id,
                 kite_acpi.tables_seen, kite_acpi.tables_bad, kite_acpi.has_madt ? "yes" : "no",
                 kite_acpi.ncpus, kite_acpi.ncpus == 1 ? "" : "s", kite_acpi.nioapics,
                 kite_acpi.nioapics == 1 ? "" : "s", kite_acpi.has_srat ? "yes" : "no",
                 kite_acpi.has_slit ? "yes" : "no", kite_acpi.has_hpet ? "yes" : "no",
                 kite_acpi.has_mcfg ? "yes" : "no");
}
