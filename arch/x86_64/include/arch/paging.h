/* SPDX-License-Identifier: MIT */
/*
 * Page tables, for the kernel's memory code (mm/) only. Kite runs in one
 * address space: owned RAM identity-mapped (no-execute), the image at its
 * high address (text read-only and executable, the rest no-execute), and
 * three windows of 4 KiB mappings made on demand: device memory
 * (kite_ioremap), memory spread over nodes (kite_malloc_interleaved) and
 * thread stacks with unmapped guard pages.
 */
#pragma once

#include <kite/types.h>

#define ARCH_IO_WINDOW    0xffffc00000000000ull /* uncached device mappings */
#define ARCH_VMAP_WINDOW  0xffffc80000000000ull /* page-by-page mappings */
#define ARCH_STACK_WINDOW 0xffffd00000000000ull /* stacks and their guard pages */
#define ARCH_WINDOW_SIZE  (1ull << 39)          /* 512 GiB each */

#define ARCH_MAP_WRITE    0x1u
#define ARCH_MAP_EXEC     0x2u
#define ARCH_MAP_UNCACHED 0x4u

/*
 * Build the final page tables from the boot memory map and switch to them.
 * Table pages come from an early pool reserved from the memory map until
 * arch_paging_use_page_allocator() is called.
 */
void arch_paging_init(void);
void arch_paging_use_page_allocator(void);

/*
 * Map @len bytes at @virt to @phys with 4 KiB pages; 0 or -KITE_ENOMEM.
 * Mappings it replaces are flushed from every CPU's TLB before it returns.
 */
int arch_map_pages(uint64_t virt, uint64_t phys, uint64_t len, unsigned int flags);
/*
 * Remove 4 KiB mappings from @virt for @len bytes. On return no CPU's TLB
 * holds them any more, so the frames behind them may be freed. Not from NMI
 * context; see arch_tlb_flush_range for what the caller must not hold.
 */
void arch_unmap_pages(uint64_t virt, uint64_t len);
/* The physical address @virt maps to, or ~0 when unmapped. */
uint64_t arch_virt_to_phys(uint64_t virt);

/* Can @virt be read without a fault (before the final tables: is it in the image)? */
bool arch_addr_mapped(uint64_t virt);

/* Run @fn(@arg) on another stack whose top is @top, then come back. */
void arch_call_on_stack(uintptr_t top, void (*fn)(void *arg), void *arg);

/* Do the final page tables use 1 GiB pages for RAM? */
bool arch_paging_gb_pages(void);
