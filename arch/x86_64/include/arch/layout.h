/* SPDX-License-Identifier: MIT */
/*
 * Where the kernel image sits. The image is linked at a fixed high virtual
 * address and mapped there from wherever a loader put it (any 2 MiB-aligned
 * physical base below 4 GiB), so GRUB, the co-kernel loader and any other
 * multiboot2 loader can all load the same file. Included from C and asm.
 */
#pragma once

#define ARCH_KERNEL_VMA    0xffffffff80000000 /* virtual address of the image's first byte */
#define ARCH_LINK_PHYS     0x200000           /* physical base the ELF names (LMA) */
#define ARCH_IMAGE_ALIGN   0x200000           /* a loader must keep the base 2 MiB aligned */
#define ARCH_IMAGE_MAX_END 0xc0000000         /* highest end a relocating loader may choose */

#define ARCH_BOOT_STACK_SIZE 0x4000
#define ARCH_IST_STACK_SIZE  0x4000

/* Segment selectors in the kernel GDT. */
#define ARCH_KERNEL_CS 0x08
#define ARCH_KERNEL_DS 0x10
#define ARCH_TSS_SEL   0x18

/* The isa-debug-exit port QEMU is given by Kite's scripts (-device isa-debug-exit,iobase=). */
#define ARCH_BOOT_FAIL_EXIT 0x7e /* code the 32-bit entry reports when it cannot boot */
