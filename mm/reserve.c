/* SPDX-License-Identifier: MIT */
/*
 * Boot-time reservations: see reserve.h. A handful of ranges, kept in a
 * small array; nothing here outlives the boot's memory stage in importance,
 * but the list stays for the log and for tests.
 */
#define KITE_LOG_PREFIX "mm: "

#include <kite/bootinfo.h>
#include <kite/panic.h>
#include <kite/printk.h>

#include "reserve.h"

static struct kite_addr_range reserved[KITE_MAX_RESERVED];
static unsigned int nreserved;

void kite_reserve(uint64_t start, uint64_t end, const char *what)
{
    start = KITE_ALIGN_DOWN(start, KITE_PAGE_SIZE);
    end = KITE_ALIGN_UP(end, KITE_PAGE_SIZE);
    if (start >= end) {
        return;
    }
    /* A boot that reserves more than this has a bug, not a big machine. */
    KITE_BUG_ON(nreserved == KITE_MAX_RESERVED);
    reserved[nreserved++] = (struct kite_addr_range){start, end};
    kite_pr_debug("reserved %#llx-%#llx: %s\n", (unsigned long long)start,
                  (unsigned long long)end - 1, what);
}

unsigned int kite_reserved_ranges(const struct kite_addr_range **out)
{
    *out = reserved;
    return nreserved;
}

/* The first reservation overlapping [start, end), or NULL. */
static const struct kite_addr_range *overlap(uint64_t start, uint64_t end)
{
    for (unsigned int i = 0; i < nreserved; i++) {
        if (reserved[i].start < end && start < reserved[i].end) {
            return &reserved[i];
        }
    }
    return NULL;
}

uint64_t kite_reserve_find(uint64_t size, uint64_t align, uint64_t lo, uint64_t hi,
                           const char *what)
{
    for (unsigned int i = 0; i < kite_boot.mmap_count; i++) {
        const struct kite_mem_range *r = &kite_boot.mmap[i];
        uint64_t end = KITE_MIN(r->base + r->length, hi);
        uint64_t at = KITE_ALIGN_UP(KITE_MAX(r->base, lo), align);

        if (r->type != KITE_MEM_AVAILABLE) {
            continue;
        }
        while (at + size > at && at + size <= end) {
            const struct kite_addr_range *o = overlap(at, at + size);

            if (!o) {
                kite_reserve(at, at + size, what);
                return at;
            }
            at = KITE_ALIGN_UP(o->end, align);
        }
    }
    return 0;
}
