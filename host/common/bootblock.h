/* SPDX-License-Identifier: MIT */
/*
 * Lays out the shared region the host loader hands a co-kernel Kite: struct
 * kite_boot_params at its start, the multiboot2 information block Kite is
 * entered with, and the console and message rings (see
 * include/kite/abi/bootparams.h for what each holds). Pure C: no libc and no
 * kernel calls, so kite_host.ko compiles it and the host unit tests run it
 * against Kite's own multiboot2 parser.
 *
 * The caller describes the partition (CPUs, memory, distances, TSC rate,
 * SIPI page, command line) and where the region is; kite_bootblock_layout()
 * says how big the region must be, kite_bootblock_build() fills it. Both
 * check the description first and refuse it whole, with a one-line message.
 */
#pragma once

#include <kite/abi/bootparams.h>

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

#define KITE_BB_EINVAL       22       /* Linux's EINVAL: the calls return its negative */
#define KITE_BB_ERR_MIN      160      /* an error buffer this long holds any message whole */
#define KITE_BB_CMDLINE_MAX  4095     /* command line bytes, without the NUL (Kite's limit) */
#define KITE_BB_PARAMS_SIZE  0x2000u  /* the params' two pages */
#define KITE_BB_MBI_SIZE     0x2000u  /* room for the information block */
#define KITE_BB_CONSOLE_SIZE 0x10000u /* console ring data bytes */
#define KITE_BB_MSG_SIZE     0x4000u  /* each message ring's data bytes */
#define KITE_BB_RING_DATA    192u     /* a ring's data offset from its header: next 64-byte line */
#define KITE_BB_LOADER_NAME  "kite_host"

/* What the partition is made of and where the region sits. */
struct kite_bb_desc {
    uint32_t instance;
    uint64_t tsc_khz;
    uint32_t nr_cpus; /* cpus[0] is the boot CPU */
    struct kite_bp_cpu cpus[KITE_BP_MAX_CPUS];
    uint32_t nr_mem; /* mem[0] holds the image at its base */
    struct kite_bp_mem mem[KITE_BP_MAX_MEM];
    uint32_t nr_nodes; /* 1..KITE_BP_MAX_NODES; node ids above are below it */
    uint8_t distance[KITE_BP_MAX_NODES][KITE_BP_MAX_NODES];
    uint64_t sipi_page;
    uint64_t shared_phys; /* the region's physical address: page aligned, below 4 GiB */
    uint64_t shared_size; /* its bytes */
    const char *cmdline;  /* NUL-terminated; NULL means empty */
    uint64_t load_base;   /* where the image was put: mem[0].base */
    uint64_t wall_ns;     /* the host's wall clock (ns since 1970 UTC), 0 for none ... */
    uint64_t wall_tsc;    /* ... and the TSC read at the same moment */
};

/* Offsets of the parts in the region; total is the least size the region may have. */
struct kite_bb_layout {
    uint64_t mbi_off;
    uint64_t console_off;
    uint64_t h2k_off;
    uint64_t k2h_off;
    uint64_t total;
};

/**
 * kite_bootblock_layout - check a description and place the region's parts
 * @d: the partition; where the region goes (shared_phys, shared_size) is not looked at
 * @out: the offsets and the region size needed
 * @err, @errlen: a one-line message on failure ("" on success)
 *
 * Returns 0, or -KITE_BB_EINVAL when the description is not one Kite can
 * boot (no CPUs or memory, too many of either, a chunk not 2 MiB aligned or
 * past 4 GiB for the image, node ids past nr_nodes or distances Kite would
 * refuse, a command line too long, a SIPI page not below 1 MiB, ...).
 */
int kite_bootblock_layout(const struct kite_bb_desc *d, struct kite_bb_layout *out, char *err,
                          size_t errlen);

/**
 * kite_bootblock_build - fill the shared region for a boot
 * @region: the region, mapped; its first layout.total bytes are written (zeroed first)
 * @d: the partition and where the region is
 * @out: receives the offsets used (may be NULL)
 * @err, @errlen: a one-line message on failure ("" on success)
 *
 * Writes struct kite_boot_params (state KITE_BP_CREATED), the multiboot2
 * block (command line, loader name, memory map of the partition's chunks
 * only, load base, the boot-params tag, end), and the three ring headers.
 * Returns 0, or -KITE_BB_EINVAL (the region untouched) when the description
 * is refused or d->shared_size is smaller than the layout needs.
 */
int kite_bootblock_build(void *region, const struct kite_bb_desc *d, struct kite_bb_layout *out,
                         char *err, size_t errlen);

/*
 * The formatter the messages go through: Kite's kernel/vsnprintf.c in the
 * host tests, a wrapper around the kernel's vsnprintf in kite_host.ko.
 */
int kite_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
