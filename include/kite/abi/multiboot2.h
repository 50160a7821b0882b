/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 structures, as the specification (version 2.0) lays them out.
 *
 * Shared by the kernel (which parses the information block GRUB hands it) and
 * the host loader (which builds one for a co-kernel partition), so this header
 * includes nothing from the kernel and compiles in both.
 */
#pragma once

#ifndef __ASSEMBLER__
#ifdef __KERNEL__
#include <linux/types.h> /* the Linux module */
#else
#include <stdint.h>
#endif
#endif

#define KITE_MB2_HEADER_MAGIC 0xe85250d6 /* in the image's header */
#define KITE_MB2_BOOT_MAGIC   0x36d76289 /* in EAX at entry */
#define KITE_MB2_ARCH_I386    0
#define KITE_MB2_TAG_ALIGN    8

/* Header tags (image -> loader). */
#define KITE_MB2_HTAG_END           0
#define KITE_MB2_HTAG_INFO_REQUEST  1
#define KITE_MB2_HTAG_ENTRY         3
#define KITE_MB2_HTAG_CONSOLE_FLAGS 4
#define KITE_MB2_HTAG_FRAMEBUFFER   5
#define KITE_MB2_HTAG_MODULE_ALIGN  6
#define KITE_MB2_HTAG_RELOCATABLE   10
#define KITE_MB2_HTAG_OPTIONAL      1

/* Information tags (loader -> kernel). */
#define KITE_MB2_TAG_END           0
#define KITE_MB2_TAG_CMDLINE       1
#define KITE_MB2_TAG_LOADER_NAME   2
#define KITE_MB2_TAG_MODULE        3
#define KITE_MB2_TAG_BASIC_MEMINFO 4
#define KITE_MB2_TAG_BOOTDEV       5
#define KITE_MB2_TAG_MMAP          6
#define KITE_MB2_TAG_VBE           7
#define KITE_MB2_TAG_FRAMEBUFFER   8
#define KITE_MB2_TAG_ELF_SECTIONS  9
#define KITE_MB2_TAG_APM           10
#define KITE_MB2_TAG_EFI32         11
#define KITE_MB2_TAG_EFI64         12
#define KITE_MB2_TAG_SMBIOS        13
#define KITE_MB2_TAG_ACPI_OLD      14
#define KITE_MB2_TAG_ACPI_NEW      15
#define KITE_MB2_TAG_NETWORK       16
#define KITE_MB2_TAG_EFI_MMAP      17
#define KITE_MB2_TAG_EFI_BS        18
#define KITE_MB2_TAG_EFI32_IH      19
#define KITE_MB2_TAG_EFI64_IH      20
#define KITE_MB2_TAG_LOAD_BASE     21

/* Memory map entry types. */
#define KITE_MB2_MEM_AVAILABLE        1
#define KITE_MB2_MEM_RESERVED         2
#define KITE_MB2_MEM_ACPI_RECLAIMABLE 3
#define KITE_MB2_MEM_NVS              4
#define KITE_MB2_MEM_BADRAM           5

/* Framebuffer types. */
#define KITE_MB2_FB_INDEXED  0
#define KITE_MB2_FB_RGB      1
#define KITE_MB2_FB_EGA_TEXT 2

#ifndef __ASSEMBLER__

struct kite_mb2_info_header {
    uint32_t total_size;
    uint32_t reserved;
};

struct kite_mb2_tag {
    uint32_t type;
    uint32_t size; /* header included, padding to 8 bytes excluded */
};

struct kite_mb2_tag_string {
    uint32_t type;
    uint32_t size;
    char string[]; /* NUL-terminated */
};

struct kite_mb2_tag_module {
    uint32_t type;
    uint32_t size;
    uint32_t mod_start;
    uint32_t mod_end;
    char cmdline[]; /* NUL-terminated */
};

struct kite_mb2_tag_basic_meminfo {
    uint32_t type;
    uint32_t size;
    uint32_t mem_lower; /* KiB */
    uint32_t mem_upper; /* KiB */
};

struct kite_mb2_mmap_entry {
    uint64_t base;
    uint64_t length;
    uint32_t type;
    uint32_t reserved;
};

struct kite_mb2_tag_mmap {
    uint32_t type;
    uint32_t size;
    uint32_t entry_size;
    uint32_t entry_version;
    /* entries of entry_size bytes follow */
};

struct kite_mb2_tag_framebuffer {
    uint32_t type;
    uint32_t size;
    uint64_t addr;
    uint32_t pitch;
    uint32_t width;
    uint32_t height;
    uint8_t bpp;
    uint8_t fb_type;
    uint16_t reserved;
    /* colour information follows */
};

struct kite_mb2_tag_efi64 {
    uint32_t type;
    uint32_t size;
    uint64_t system_table;
};

struct kite_mb2_tag_acpi {
    uint32_t type;
    uint32_t size;
    uint8_t rsdp[]; /* a copy of the RSDP: 20 bytes (old) or its length field (new) */
};

struct kite_mb2_tag_load_base {
    uint32_t type;
    uint32_t size;
    uint32_t load_base_addr;
};

#endif /* __ASSEMBLER__ */
