/* SPDX-License-Identifier: MIT */
/*
 * The buddy allocator of one region of physical memory (contract: buddy.h).
 * mm/page.c owns one per region and serializes calls with the region's lock;
 * host tests run the same code over memory from the C library.
 *
 * The byte map holds one byte per page from base:
 *   0x00           no block starts here: inside a block, or reserved
 *   0x80 | order   head of a free block of that order (on free[order])
 *   0x40 | order   head of a block kite_buddy_alloc handed out with that order
 * Marking allocated heads costs nothing (the byte is written anyway when the
 * block leaves its list) and makes kite_buddy_free exact in O(1): it accepts
 * only the head of a live allocation with the order it was given, so a double
 * free, a wrong order, a pointer into the middle of a block, a reserved page
 * and a sub-block of a free block are all refused with the map unchanged.
 *
 * The map goes in the first unreserved pages at the start of the region, not
 * blindly at its start: the reservations passed in (kernel image, modules)
 * may cover the start, and the map must not overwrite them.
 */
#include <kite/compiler.h>
#include <kite/errno.h>
#include <kite/mm.h>
#include <kite/printk.h>
#include <kite/types.h>

#include "buddy.h"

#define MAP_FREE  0x80u
#define MAP_ALLOC 0x40u
#define MAP_ORDER 0x3fu

KITE_STATIC_ASSERT(KITE_PAGE_MAX_ORDER <= MAP_ORDER, "an order must fit in a map byte");

struct kite_buddy_block {
    struct kite_buddy_block *next;
    struct kite_buddy_block *prev;
};

static inline uintptr_t block_size(unsigned int order)
{
    return (uintptr_t)KITE_PAGE_SIZE << order;
}

static inline size_t page_index(const struct kite_buddy *b, uintptr_t addr)
{
    return (addr - b->base) >> KITE_PAGE_SHIFT;
}

/* Is the page at @addr one of the region's (without overflowing near the top)? */
static inline bool in_region(const struct kite_buddy *b, uintptr_t addr)
{
    return addr >= b->base && ((addr - b->base) >> KITE_PAGE_SHIFT) < b->npages;
}

static void list_push(struct kite_buddy *b, uintptr_t addr, unsigned int order)
{
    struct kite_buddy_block *blk = (struct kite_buddy_block *)addr;

    blk->prev = NULL;
    blk->next = b->free[order];
    if (blk->next) {
        blk->next->prev = blk;
    }
    b->free[order] = blk;
    b->nfree[order]++;
    b->map[page_index(b, addr)] = (uint8_t)(MAP_FREE | order);
}

static void list_remove(struct kite_buddy *b, struct kite_buddy_block *blk, unsigned int order)
{
    if (blk->prev) {
        blk->prev->next = blk->next;
    } else {
        b->free[order] = blk->next;
    }
    if (blk->next) {
        blk->next->prev = blk->prev;
    }
    b->nfree[order]--;
    b->map[page_index(b, (uintptr_t)blk)] = 0;
}

/* [start, end) of @r widened to whole pages; false when it is empty. */
static bool reserved_pages(const struct kite_addr_range *r, uintptr_t *start, uintptr_t *end)
{
    if (r->start >= r->end) {
        return false;
    }
    *start = KITE_ALIGN_DOWN(r->start, KITE_PAGE_SIZE);
    /* A range reaching into the last page of the address space has no aligned end. */
    if (r->end > KITE_ALIGN_DOWN(UINTPTR_MAX, KITE_PAGE_SIZE)) {
        *end = UINTPTR_MAX;
    } else {
        *end = KITE_ALIGN_UP(r->end, KITE_PAGE_SIZE);
    }
    return true;
}

/*
 * The first run of unreserved pages at or after @from, cut at @limit: its
 * bounds in *@start and *@end, or false when there is none. The ranges are
 * few (mm/reserve.h keeps at most 32) and neither sorted nor disjoint, so
 * they are simply scanned again until no range holds the cursor: O(n^2) per
 * run, with no room needed to sort them.
 */
static bool next_free_run(const struct kite_addr_range *reserved, unsigned int nreserved,
                          uintptr_t from, uintptr_t limit, uintptr_t *start, uintptr_t *end)
{
    uintptr_t cur = from;
    bool moved = true;

    while (moved && cur < limit) {
        moved = false;
        for (unsigned int i = 0; i < nreserved; i++) {
            uintptr_t rs, re;

            if (reserved_pages(&reserved[i], &rs, &re) && rs <= cur && cur < re) {
                cur = re;
                moved = true;
            }
        }
    }
    if (cur >= limit) {
        return false;
    }
    *start = cur;
    *end = limit;
    for (unsigned int i = 0; i < nreserved; i++) {
        uintptr_t rs, re;

        if (reserved_pages(&reserved[i], &rs, &re) && rs > cur && rs < *end) {
            *end = rs;
        }
    }
    return true;
}

/*
 * Free [@start, @end) as the largest aligned blocks that fit. Taking the
 * largest block at each address leaves no two free buddies side by side: a
 * pair of order k that would merge is an aligned order k + 1 block that fits,
 * which would have been taken whole.
 */
static void free_run(struct kite_buddy *b, uintptr_t start, uintptr_t end)
{
    uintptr_t addr = start;

    while (addr < end) {
        uintptr_t pfn = addr >> KITE_PAGE_SHIFT;
        unsigned int order = KITE_PAGE_MAX_ORDER;

        if (pfn != 0 && (unsigned int)__builtin_ctzll(pfn) < order) {
            order = (unsigned int)__builtin_ctzll(pfn);
        }
        while (end - addr < block_size(order)) {
            order--;
        }
        list_push(b, addr, order);
        b->free_pages += (size_t)1 << order;
        addr += block_size(order);
    }
}

int kite_buddy_init(struct kite_buddy *b, uintptr_t start, uintptr_t end,
                    const struct kite_addr_range *reserved, unsigned int nreserved)
{
    uintptr_t first, last, run_start, run_end, map_bytes, cur;
    size_t total;

    __builtin_memset(b, 0, sizeof(*b));
    if (start > KITE_ALIGN_DOWN(UINTPTR_MAX, KITE_PAGE_SIZE)) {
        return -KITE_EINVAL;
    }
    first = KITE_ALIGN_UP(start, KITE_PAGE_SIZE);
    last = KITE_ALIGN_DOWN(end, KITE_PAGE_SIZE);
    if (last <= first) {
        return -KITE_EINVAL;
    }
    /* The map is sized for every page of the range, a little more than it will cover. */
    total = (last - first) >> KITE_PAGE_SHIFT;
    map_bytes = KITE_ALIGN_UP(total, KITE_PAGE_SIZE);

    /* The first unreserved run holding the map; later runs would leave fewer pages after it. */
    cur = first;
    for (;;) {
        if (!next_free_run(reserved, nreserved, cur, last, &run_start, &run_end)) {
            return -KITE_EINVAL;
        }
        if (run_end - run_start >= map_bytes) {
            break;
        }
        cur = run_end;
    }
    if (last - run_start <= map_bytes) {
        return -KITE_EINVAL;
    }

    b->map = (uint8_t *)run_start;
    b->base = run_start + map_bytes;
    b->npages = (last - b->base) >> KITE_PAGE_SHIFT;
    __builtin_memset(b->map, 0, b->npages);

    cur = b->base;
    while (next_free_run(reserved, nreserved, cur, last, &run_start, &run_end)) {
        free_run(b, run_start, run_end);
        cur = run_end;
    }
    return 0;
}

void *kite_buddy_alloc(struct kite_buddy *b, unsigned int order)
{
    struct kite_buddy_block *blk;
    unsigned int j = order;
    uintptr_t addr;

    if (order > KITE_PAGE_MAX_ORDER) {
        return NULL;
    }
    while (j <= KITE_PAGE_MAX_ORDER && !b->free[j]) {
        j++;
    }
    if (j > KITE_PAGE_MAX_ORDER) {
        return NULL;
    }
    blk = b->free[j];
    list_remove(b, blk, j);
    addr = (uintptr_t)blk;
    while (j > order) {
        j--;
        list_push(b, addr + block_size(j), j);
    }
    b->map[page_index(b, addr)] = (uint8_t)(MAP_ALLOC | order);
    b->free_pages -= (size_t)1 << order;
    return blk;
}

int kite_buddy_free(struct kite_buddy *b, void *p, unsigned int order)
{
    uintptr_t addr = (uintptr_t)p;

    if (order > KITE_PAGE_MAX_ORDER || !in_region(b, addr) || (addr & (block_size(order) - 1))) {
        return -KITE_EINVAL;
    }
    if (b->map[page_index(b, addr)] != (MAP_ALLOC | order)) {
        return -KITE_EINVAL;
    }
    b->map[page_index(b, addr)] = 0;
    b->free_pages += (size_t)1 << order;

    while (order < KITE_PAGE_MAX_ORDER) {
        uintptr_t buddy = addr ^ block_size(order);

        /* A free head's block lies wholly in the region, so the head alone is checked. */
        if (!in_region(b, buddy) || b->map[page_index(b, buddy)] != (MAP_FREE | order)) {
            break;
        }
        list_remove(b, (struct kite_buddy_block *)buddy, order);
        addr &= ~block_size(order);
        order++;
    }
    list_push(b, addr, order);
    return 0;
}

bool kite_buddy_contains(const struct kite_buddy *b, const void *p)
{
    return in_region(b, (uintptr_t)p);
}

int kite_buddy_largest_order(const struct kite_buddy *b)
{
    for (int j = KITE_PAGE_MAX_ORDER; j >= 0; j--) {
        if (b->nfree[j]) {
            return j;
        }
    }
    return -1;
}

static bool fail(char *err, size_t errlen, const char *fmt, ...) KITE_PRINTF(3, 4);
static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        kite_vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* Each list's nodes are free heads of its order, linked both ways, as many as nfree says. */
static bool check_lists(const struct kite_buddy *b, char *err, size_t errlen, size_t *pages)
{
    *pages = 0;
    for (unsigned int j = 0; j <= KITE_PAGE_MAX_ORDER; j++) {
        const struct kite_buddy_block *prev = NULL;
        size_t count = 0;

        for (const struct kite_buddy_block *blk = b->free[j]; blk; blk = blk->next) {
            uintptr_t addr = (uintptr_t)blk;

            if (++count > b->nfree[j]) {
                return fail(err, errlen, "order %u list is longer than nfree %zu (a cycle?)", j,
                            b->nfree[j]);
            }
            if (!in_region(b, addr) || (addr & (block_size(j) - 1))) {
                return fail(err, errlen, "order %u list holds %#lx, outside or misaligned", j,
                            (unsigned long)addr);
            }
            if (b->map[page_index(b, addr)] != (MAP_FREE | j)) {
                return fail(err, errlen, "order %u block %#lx has map byte %#x", j,
                            (unsigned long)addr, b->map[page_index(b, addr)]);
            }
            if (blk->prev != prev) {
                return fail(err, errlen, "order %u block %#lx has a wrong prev link", j,
                            (unsigned long)addr);
            }
            prev = blk;
        }
        if (count != b->nfree[j]) {
            return fail(err, errlen, "order %u list has %zu blocks, nfree says %zu", j, count,
                        b->nfree[j]);
        }
        *pages += count << j;
    }
    return true;
}

/*
 * Every head in the map is aligned, fits, and starts after the previous
 * block ends (so no blocks overlap); no free head has a free buddy of its
 * order; the free heads found match the lists' counts.
 */
static bool check_map(const struct kite_buddy *b, char *err, size_t errlen)
{
    size_t nfree[KITE_PAGE_MAX_ORDER + 1] = {0};
    size_t covered = 0;

    for (size_t i = 0; i < b->npages; i++) {
        uintptr_t addr = b->base + (i << KITE_PAGE_SHIFT);
        unsigned int v = b->map[i];
        unsigned int order = v & MAP_ORDER;

        if (v == 0) {
            continue;
        }
        if ((v != (MAP_FREE | order) && v != (MAP_ALLOC | order)) || order > KITE_PAGE_MAX_ORDER) {
            return fail(err, errlen, "page %#lx has map byte %#x", (unsigned long)addr, v);
        }
        if (i < covered) {
            return fail(err, errlen, "block %#lx (map byte %#x) lies inside the one before",
                        (unsigned long)addr, v);
        }
        if (addr & (block_size(order) - 1)) {
            return fail(err, errlen, "block %#lx of order %u is misaligned", (unsigned long)addr,
                        order);
        }
        if (b->npages - i < ((size_t)1 << order)) {
            return fail(err, errlen, "block %#lx of order %u runs past the region",
                        (unsigned long)addr, order);
        }
        covered = i + ((size_t)1 << order);
        if (!(v & MAP_FREE)) {
            continue;
        }
        nfree[order]++;
        if (order < KITE_PAGE_MAX_ORDER) {
            uintptr_t buddy = addr ^ block_size(order);

            if (in_region(b, buddy) && b->map[page_index(b, buddy)] == v) {
                return fail(err, errlen, "free blocks %#lx and %#lx of order %u are not merged",
                            (unsigned long)addr, (unsigned long)buddy, order);
            }
        }
    }
    for (unsigned int j = 0; j <= KITE_PAGE_MAX_ORDER; j++) {
        if (nfree[j] != b->nfree[j]) {
            return fail(err, errlen, "the map has %zu free heads of order %u, nfree says %zu",
                        nfree[j], j, b->nfree[j]);
        }
    }
    return true;
}

bool kite_buddy_check(const struct kite_buddy *b, char *err, size_t errlen)
{
    size_t pages;

    if (b->base & (KITE_PAGE_SIZE - 1)) {
        return fail(err, errlen, "base %#lx is not page-aligned", (unsigned long)b->base);
    }
    if (!check_lists(b, err, errlen, &pages)) {
        return false;
    }
    if (pages != b->free_pages) {
        return fail(err, errlen, "the lists hold %zu pages, free_pages says %zu", pages,
                    b->free_pages);
    }
    if (!check_map(b, err, errlen)) {
        return false;
    }
    if (err && errlen) {
        err[0] = '\0';
    }
    return true;
}
