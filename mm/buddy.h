/* SPDX-License-Identifier: MIT */
/*
 * The buddy allocator of one contiguous region of physical memory, private
 * to mm/. Pure logic: no locks (mm/page.c takes the region's lock) and no
 * knowledge of nodes; host tests run it over ordinary memory.
 *
 * Blocks of order k are 2^k pages, aligned to their size in absolute
 * address (so a 1 GiB block is 1 GiB aligned physically). Free blocks are
 * kept on per-order lists threaded through the free memory itself; a byte
 * map (one byte per page, placed in the region's first unreserved stretch
 * big enough for it) marks the head of every free block and every
 * allocated block with its order, so freeing finds a free buddy in O(1) and
 * a free of anything but exactly what was allocated is caught. Setting up a region costs
 * a memset of its byte map plus one list insertion per largest aligned
 * chunk, so boot time hardly grows with memory size.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/mm.h>
#include <kite/types.h>

struct kite_buddy_block; /* a free block's list node, stored in the block */

struct kite_buddy {
    uintptr_t base; /* first managed page (after the byte map) */
    size_t npages;  /* pages from base */
    uint8_t *map;   /* one byte per page from base */
    struct kite_buddy_block *free[KITE_PAGE_MAX_ORDER + 1];
    size_t nfree[KITE_PAGE_MAX_ORDER + 1]; /* blocks on each list */
    size_t free_pages;
};

struct kite_addr_range {
    uintptr_t start;
    uintptr_t end; /* one past the last byte */
};

/*
 * Manage [@start, @end) (page-aligned inward). The byte map goes in the
 * first unreserved stretch that holds it (pages before it stay unused),
 * and b->base is the page after it; every page outside the @nreserved ranges in
 * @reserved then becomes free, in the largest aligned blocks that fit.
 * Returns 0, or -KITE_EINVAL when the range is too small to hold its map
 * and at least one page.
 */
KITE_MUST_CHECK int kite_buddy_init(struct kite_buddy *b, uintptr_t start, uintptr_t end,
                                    const struct kite_addr_range *reserved, unsigned int nreserved);

/* 2^@order pages, aligned to their size, or NULL. */
KITE_MUST_CHECK void *kite_buddy_alloc(struct kite_buddy *b, unsigned int order);

/*
 * Free a block kite_buddy_alloc returned. Returns 0, or -KITE_EINVAL (and
 * changes nothing) when @p is not in the region, not aligned to @order, part
 * of a block already free (a double free) or @order is out of range.
 */
KITE_MUST_CHECK int kite_buddy_free(struct kite_buddy *b, void *p, unsigned int order);

/* Does @p lie in the region's managed pages? */
bool kite_buddy_contains(const struct kite_buddy *b, const void *p);

/* Order of the largest free block, or -1 when nothing is free. */
int kite_buddy_largest_order(const struct kite_buddy *b);

/*
 * Check every invariant (lists match the byte map, counts add up, no two
 * free buddies left unmerged). Returns true, or false with the first broken
 * one described in @err. For tests; walks all free blocks.
 */
bool kite_buddy_check(const struct kite_buddy *b, char *err, size_t errlen);
