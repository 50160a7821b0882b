/* SPDX-License-Identifier: MIT */
/*
 * The multiboot2 header GRUB (or the co-kernel loader) looks for in the first
 * 32 KiB of kite.elf. It asks for relocation: the loader may put the image at
 * any 2 MiB-aligned base from CONFIG_LOAD_MIN_MB up to 3 GiB, preferring low memory; the
 * 32-bit entry finds out where it landed. No framebuffer is requested, so
 * GRUB leaves a BIOS machine in VGA text mode.
 */
#include <arch/layout.h>
#include <kite/abi/multiboot2.h>

    .section .multiboot2, "a"
    .balign 8
mb2_header:
    .long KITE_MB2_HEADER_MAGIC
    .long KITE_MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long -(KITE_MB2_HEADER_MAGIC + KITE_MB2_ARCH_I386 + (mb2_header_end - mb2_header))

    /* Relocatable: optional, so a loader that cannot relocate uses the link address. */
    .balign 8
    .short KITE_MB2_HTAG_RELOCATABLE
    .short KITE_MB2_HTAG_OPTIONAL
    .long 24
    .long CONFIG_LOAD_MIN_MB * 0x100000 /* min_addr */
    .long ARCH_IMAGE_MAX_END  /* max_addr */
    .long ARCH_IMAGE_ALIGN    /* align */
    .long 1                   /* preference: low */

    .balign 8
    .short KITE_MB2_HTAG_END
    .short 0
    .long 8
mb2_header_end:
