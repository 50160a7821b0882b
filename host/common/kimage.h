/* SPDX-License-Identifier: MIT */
/*
 * The kite.elf checker shared by kitectl (user space, before it hands an image
 * to the module) and kite_host.ko (the kernel, before it copies one into a
 * partition). Pure C: no libc and no kernel calls, so the same file compiles
 * in both and under the host unit tests and the fuzzer.
 *
 * An image is accepted when it is what GRUB's multiboot2 ELF loader would
 * load: an ELF64 little-endian x86_64 executable whose PT_LOAD segments lie
 * inside the file and do not overlap in physical memory, with a valid
 * multiboot2 header in its first 32 KiB and its entry point inside an
 * executable PT_LOAD. What a loader needs to place it at another base comes
 * back as offsets from the lowest physical address the image was linked at.
 */
#pragma once

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#include <stdint.h>
#endif

#define KITE_IMAGE_MAX_SEGS    16      /* PT_LOAD segments an image may have */
#define KITE_IMAGE_MB2_SEARCH  0x8000u /* the multiboot2 header is in the first 32 KiB */
#define KITE_IMAGE_PAGE        0x1000u /* the span is rounded up to this */
#define KITE_IMAGE_EINVAL      22      /* Linux's EINVAL: kite_image_check returns its negative */
#define KITE_IMAGE_ERR_MIN     256     /* an error buffer this long holds any message whole */
#define KITE_IMAGE_RELOCATABLE 0x1u    /* flags: the header has the relocatable tag */

/* One PT_LOAD segment, in program header order. */
struct kite_image_seg {
    uint64_t offset;   /* where its bytes start in the file */
    uint64_t filesz;   /* bytes copied from the file */
    uint64_t memsz;    /* bytes it takes in memory; those past filesz are zeroed */
    uint64_t phys_off; /* its p_paddr minus the image's lowest p_paddr */
};

struct kite_image_info {
    uint64_t phys_base;  /* the lowest p_paddr: where the image was linked to load */
    uint64_t span;       /* lowest p_paddr to highest p_paddr + p_memsz, rounded up to 4 KiB */
    uint64_t entry_off;  /* the entry's physical address minus phys_base */
    uint32_t nr_segs;    /* PT_LOAD segments in seg[] */
    uint32_t flags;      /* KITE_IMAGE_RELOCATABLE */
    uint32_t mb2_offset; /* the multiboot2 header's offset in the file */
    /* The relocatable tag (type 10), when flags has KITE_IMAGE_RELOCATABLE. */
    uint32_t reloc_min;   /* lowest base address the image accepts */
    uint32_t reloc_max;   /* highest address its end may reach */
    uint32_t reloc_align; /* the base must be a multiple of this */
    uint32_t reloc_pref;  /* 0 none, 1 low, 2 high */
    struct kite_image_seg seg[KITE_IMAGE_MAX_SEGS];
};

/**
 * kite_image_check - check that @buf holds a Kite image and describe it
 * @buf: the whole file; any alignment
 * @len: its length in bytes
 * @out: filled on success, zeroed on failure
 * @err: receives a one-line message saying what is wrong and what was
 *       expected (empty on success); truncated to @errlen, always terminated
 *       when @errlen > 0; may be NULL when @errlen is 0
 * @errlen: size of @err (KITE_IMAGE_ERR_MIN holds every message whole)
 *
 * Returns 0 or -KITE_IMAGE_EINVAL.
 */
int kite_image_check(const void *buf, size_t len, struct kite_image_info *out, char *err,
                     size_t errlen);
