/* SPDX-License-Identifier: MIT */
/*
 * The boot description, in one form whatever loaded Kite: GRUB's multiboot2
 * block today, the co-kernel loader's block (plus boot params) later. Parsing
 * copies what Kite needs out of the loader's memory, so nothing here points
 * into memory the loader owns.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

#define KITE_CMDLINE_MAX      4096
#define KITE_BOOT_MMAP_MAX    128
#define KITE_BOOT_MODULES_MAX 16
#define KITE_BOOT_NAME_MAX    64
#define KITE_RSDP_MAX         36

/* Memory range types, as multiboot2 numbers them. */
enum kite_mem_type {
    KITE_MEM_AVAILABLE = 1,
    KITE_MEM_RESERVED = 2,
    KITE_MEM_ACPI_RECLAIMABLE = 3,
    KITE_MEM_NVS = 4,
    KITE_MEM_BAD = 5,
};

struct kite_mem_range {
    uint64_t base;
    uint64_t length;
    uint32_t type; /* enum kite_mem_type; other values are kept as given */
};

struct kite_boot_module {
    uint64_t start; /* physical, first byte */
    uint64_t end;   /* physical, one past the last byte */
    char name[KITE_BOOT_NAME_MAX];
};

struct kite_framebuffer {
    uint64_t addr;
    uint32_t pitch, width, height;
    uint8_t bpp;
    uint8_t type; /* KITE_MB2_FB_* */
};

struct kite_bootinfo {
    char cmdline[KITE_CMDLINE_MAX];
    char loader_name[KITE_BOOT_NAME_MAX];

    struct kite_mem_range mmap[KITE_BOOT_MMAP_MAX];
    unsigned int mmap_count;
    bool mmap_truncated; /* the loader listed more ranges than fit */

    struct kite_boot_module modules[KITE_BOOT_MODULES_MAX];
    unsigned int module_count;

    /* A copy of the ACPI RSDP (multiboot2 hands over a copy, not its address). */
    uint8_t rsdp[KITE_RSDP_MAX];
    uint8_t rsdp_len; /* 0 when the loader gave none */
    uint8_t rsdp_revision;

    bool has_framebuffer;
    struct kite_framebuffer fb;

    bool has_load_base;
    uint64_t load_base; /* physical address the loader put the image at */

    /* A co-kernel partition: where the host loader put struct kite_boot_params. */
    bool has_boot_params;
    uint64_t boot_params;

    bool efi; /* booted through UEFI (the loader passed an EFI system table) */
    uint64_t mem_lower_kib, mem_upper_kib;
    unsigned int unknown_tags; /* tags skipped because Kite does not know them */
};

/*
 * Parse a multiboot2 information block into @out.
 * @info:  the block (8-byte aligned, as the loader must place it)
 * @avail: how many bytes from @info the caller vouches are readable; the block's
 *         own total_size must fit in it
 * @err:   receives a one-line description of the first problem found
 * Returns 0, or -KITE_EINVAL when the block is malformed; then @out is cleared,
 * nothing of the block is trusted, and @err says what was wrong and where.
 * Non-fatal oddities (too many memory ranges, a command line too long) are kept
 * as flags or warnings in @out, never as errors.
 */
KITE_MUST_CHECK int kite_mb2_parse(const void *info, size_t avail, struct kite_bootinfo *out,
                                   char *err, size_t errlen);

/* The boot description of this boot (valid after the boot-info stage). */
extern struct kite_bootinfo kite_boot;

/* Name of a memory range type ("available", "reserved", ...). */
const char *kite_mem_type_name(uint32_t type);
