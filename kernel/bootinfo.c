/* SPDX-License-Identifier: MIT */
/*
 * The boot-info stage: take the multiboot2 block the loader handed over,
 * parse it into kite_boot (a copy, so the loader's memory can be reused) and
 * say in the log what the loader gave. A malformed block is reported and
 * ignored as a whole; Kite then boots with defaults.
 */
#define KITE_LOG_PREFIX "boot: "

#include <kite/abi/multiboot2.h>
#include <kite/arch.h>
#include <kite/bootinfo.h>
#include <kite/printk.h>
#include <kite/string.h>

/* No loader needs a bigger block; one claiming more is not trusted. */
#define MB2_MAX_SIZE (1u << 20)
/* The early map covers 0..4 GiB; the block must lie inside it. */
#define EARLY_MAP_END (4ull << 30)

struct kite_bootinfo kite_boot;

void kite_bootinfo_init(uint64_t mbi_phys);
void kite_bootinfo_init(uint64_t mbi_phys)
{
    char err[160] = "";
    uint64_t avail_mem = 0;
    int rc;

    if (mbi_phys == 0 || mbi_phys >= EARLY_MAP_END) {
        kite_pr_err("multiboot2 information block address %#llx is outside 0..4 GiB; "
                    "ignoring it (no command line, no memory map)\n",
                    (unsigned long long)mbi_phys);
        return;
    }
    rc = kite_mb2_parse((const void *)(uintptr_t)mbi_phys,
                        (size_t)KITE_MIN(EARLY_MAP_END - mbi_phys, (uint64_t)MB2_MAX_SIZE),
                        &kite_boot, err, sizeof(err));
    if (rc) {
        kite_pr_err("multiboot2 information block at %#llx is malformed: %s; ignoring all of "
                    "it (no command line, no memory map)\n",
                    (unsigned long long)mbi_phys, err);
        return;
    }
    if (err[0]) {
        kite_pr_warn("%s\n", err);
    }

    for (unsigned int i = 0; i < kite_boot.mmap_count; i++) {
        const struct kite_mem_range *r = &kite_boot.mmap[i];

        if (r->type == KITE_MEM_AVAILABLE) {
            avail_mem += r->length;
        }
        kite_pr_debug("  memory %#014llx-%#014llx %s\n", (unsigned long long)r->base,
                      (unsigned long long)(r->base + r->length - 1), kite_mem_type_name(r->type));
    }
    kite_pr_info("loaded by %s at %#llx (%s); %u memory ranges%s, %llu MiB available\n",
                 kite_boot.loader_name[0] ? kite_boot.loader_name : "an unnamed loader",
                 (unsigned long long)arch_phys_base, kite_boot.efi ? "UEFI" : "BIOS",
                 kite_boot.mmap_count, kite_boot.mmap_truncated ? " (list cut)" : "",
                 (unsigned long long)(avail_mem >> 20));
    kite_pr_info("ACPI RSDP %s; %u module%s; framebuffer %s\n",
                 kite_boot.rsdp_len ? (kite_boot.rsdp_revision >= 2 ? "v2" : "v1") : "absent",
                 kite_boot.module_count, kite_boot.module_count == 1 ? "" : "s",
                 !kite_boot.has_framebuffer                  ? "none"
                 : kite_boot.fb.type == KITE_MB2_FB_EGA_TEXT ? "VGA text"
                                                             : "graphics");
    for (unsigned int i = 0; i < kite_boot.module_count; i++) {
        kite_pr_info("  module %u: %#llx-%#llx %s\n", i,
                     (unsigned long long)kite_boot.modules[i].start,
                     (unsigned long long)kite_boot.modules[i].end, kite_boot.modules[i].name);
    }
    if (kite_boot.unknown_tags) {
        kite_pr_debug("skipped %u tags Kite does not use\n", kite_boot.unknown_tags);
    }
}
