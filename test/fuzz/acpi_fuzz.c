/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for kernel/acpi.c: the input is fake physical memory with
 * an RSDP at its start (format in acpi_input.h). Each run parses it with
 * kite_acpi_parse and scans it with kite_acpi_scan_rsdp, under ASan and
 * UBSan, with an exactly-sized scratch buffer. Beyond "no crash", it aborts
 * (so libFuzzer saves the input) when a result breaks the contract: counts
 * past their arrays, a failed parse that leaves data behind, a warning that
 * is not one "ACPI: " line, or a scanned RSDP that does not pass the check.
 * test/fuzz/run.sh builds and runs it.
 */
#include "../../kernel/acpi.h"
#include "acpi_input.h"

#include <kite/errno.h>

#include "fuzz_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kite_acpi_info info;

static void check_warning(void *ctx, const char *msg)
{
    size_t len = strlen(msg);

    (void)ctx;
    if (strncmp(msg, "ACPI: ", 6) != 0 || strchr(msg, '\n') || len < 10) {
        fuzz_broken("acpi_fuzz", "a warning is not one line that starts with \"ACPI: \"");
    }
}

static void check_info(int ret)
{
    if (ret != 0 && ret != -KITE_EINVAL) {
        fuzz_broken("acpi_fuzz", "kite_acpi_parse returned neither 0 nor -KITE_EINVAL");
    }
    if (ret != 0 && !fuzz_all_zero(&info, sizeof(info))) {
        fuzz_broken("acpi_fuzz", "a refused RSDP or root left data in the result");
    }
    if (info.ncpus > KITE_ACPI_MAX_CPUS || info.nioapics > KITE_ACPI_MAX_IOAPICS ||
        info.noverrides > KITE_ACPI_MAX_OVERRIDES || info.nnmis > KITE_ACPI_MAX_NMIS ||
        info.ncpu_affinity > KITE_ACPI_MAX_CPUS ||
        info.nmem_affinity > KITE_ACPI_MAX_MEM_AFFINITY || info.nmcfg > KITE_ACPI_MAX_MCFG) {
        fuzz_broken("acpi_fuzz", "a count is past its array");
    }
    if (info.tables_bad > info.tables_seen) {
        fuzz_broken("acpi_fuzz", "more bad tables than tables");
    }
    if ((!info.has_madt && (info.ncpus || info.lapic_addr)) ||
        (!info.has_slit && info.slit_localities) || (!info.has_hpet && info.hpet_addr) ||
        (!info.has_mcfg && info.nmcfg) ||
        (!info.has_srat && (info.nmem_affinity || info.ncpu_affinity))) {
        fuzz_broken("acpi_fuzz", "a table that was not taken left data behind");
    }
    if (info.oem_id[6] != '\0') {
        fuzz_broken("acpi_fuzz", "oem_id is not terminated");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_mem mem;
    uint8_t ctrl, rsdp_buf[36] = {0}, found[36];
    uint8_t *bytes, *rsdp, *scratch;
    size_t scratch_len, rsdp_len, found_len;
    int ret;

    if (size < 1) {
        return 0;
    }
    ctrl = data[0];
    mem.size = size - 1 > FUZZ_MEM_MIN ? size - 1 : FUZZ_MEM_MIN;
    bytes = calloc(1, mem.size);
    if (!bytes) {
        return 0;
    }
    memcpy(bytes, data + 1, size - 1);
    mem.bytes = bytes;
    if (ctrl & FUZZ_CTRL_FIX_SUMS) {
        fuzz_fix_sums(bytes, mem.size);
    }

    /* The RSDP and scratch are exactly sized, so ASan sees any access past them. */
    rsdp_len = ctrl & FUZZ_CTRL_RSDP_V1 ? 20 : 36;
    memcpy(rsdp_buf, bytes, rsdp_len);
    rsdp = malloc(rsdp_len);
    scratch_len = ctrl & FUZZ_CTRL_BIG_SCRATCH ? 65536 : 4096;
    scratch = malloc(scratch_len);
    if (rsdp && scratch) {
        memcpy(rsdp, rsdp_buf, rsdp_len);
        ret = kite_acpi_parse(rsdp, rsdp_len, fuzz_mem_read, &mem, check_warning, NULL, scratch,
                              scratch_len, &info);
        check_info(ret);
    }

    found_len = kite_acpi_scan_rsdp(fuzz_mem_read, &mem, found);
    if (found_len != 0 && found_len != 20 && found_len != 36) {
        fuzz_broken("acpi_fuzz", "kite_acpi_scan_rsdp returned a length that is not 0, 20 or 36");
    }
    if (found_len && kite_acpi_check_rsdp(found, found_len, NULL, 0) != 0) {
        fuzz_broken("acpi_fuzz",
                    "kite_acpi_scan_rsdp returned an RSDP that kite_acpi_check_rsdp refuses");
    }

    free(scratch);
    free(rsdp);
    free(bytes);
    return 0;
}
