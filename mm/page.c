/* SPDX-License-Identifier: MIT */
/*
 * Physical pages per NUMA node: one buddy allocator (mm/buddy.c) per
 * contiguous range of a node's RAM, each with its own lock, and the memory
 * stage of boot that sets them up. Each region's byte map sits inside the
 * region, so the allocator's own metadata is node-local too.
 */
#define KITE_LOG_PREFIX "mm: "

#include <kite/arch.h>
#include <kite/bootinfo.h>
#include <kite/errno.h>
#include <kite/mm.h>
#include <kite/numa.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/spinlock.h>
#include <kite/string.h>

#include <arch/layout.h>
#include <arch/paging.h>

#include "buddy.h"
#include "reserve.h"

#define MAX_REGIONS 128
#define LEGACY_END  0x100000ull

struct region {
    struct kite_buddy buddy; /* guarded by lock */
    struct kite_spinlock lock;
    int node;
    uint64_t total; /* bytes free right after boot */
};

static struct region regions[MAX_REGIONS];
static unsigned int nregions;

static void *alloc_on_node(int node, unsigned int order)
{
    for (unsigned int i = 0; i < nregions; i++) {
        struct region *r = &regions[i];
        unsigned long flags;
        void *p;

        if (r->node != node) {
            continue;
        }
        flags = kite_spin_lock_irqsave(&r->lock);
        p = kite_buddy_alloc(&r->buddy, order);
        kite_spin_unlock_irqrestore(&r->lock, flags);
        if (p) {
            return p;
        }
    }
    return NULL;
}

void *kite_page_alloc(unsigned int order, int node, unsigned int flags)
{
    void *p = NULL;

    if (order > KITE_PAGE_MAX_ORDER) {
        return NULL;
    }
    if (node == KITE_NODE_ANY) {
        node = kite_numa_node_of_cpu(arch_cpu_id());
    }
    if (node < 0 || (unsigned int)node >= kite_numa_node_count()) {
        return NULL;
    }
    if (flags & KITE_PAGE_FALLBACK) {
        for (unsigned int i = 0; !p; i++) {
            int n = kite_numa_node_fallback(node, i);

            if (n < 0) {
                break;
            }
            p = alloc_on_node(n, order);
        }
    } else {
        p = alloc_on_node(node, order);
    }
    if (p && (flags & KITE_PAGE_ZERO)) {
        memset(p, 0, KITE_PAGE_SIZE << order);
    }
    return p;
}

void kite_page_free(void *pages, unsigned int order)
{
    for (unsigned int i = 0; i < nregions; i++) {
        struct region *r = &regions[i];
        unsigned long flags;
        int rc;

        if (!kite_buddy_contains(&r->buddy, pages)) {
            continue;
        }
        flags = kite_spin_lock_irqsave(&r->lock);
        rc = kite_buddy_free(&r->buddy, pages, order);
        kite_spin_unlock_irqrestore(&r->lock, flags);
        if (rc == 0) {
            return;
        }
        break;
    }
    kite_pr_err("kite_page_free(%p, order %u) from %p: not an allocated block of that order "
                "(double free, wrong order or not from kite_page_alloc); ignored\n",
                pages, order, __builtin_return_address(0));
}

int kite_page_stats(int node, struct kite_node_mem_stats *out)
{
    if (node < 0 || (unsigned int)node >= kite_numa_node_count()) {
        return -KITE_EINVAL;
    }
    memset(out, 0, sizeof(*out));
    for (unsigned int i = 0; i < nregions; i++) {
        struct region *r = &regions[i];
        unsigned long flags;
        int largest;

        if (r->node != node) {
            continue;
        }
        flags = kite_spin_lock_irqsave(&r->lock);
        out->total += r->total;
        out->free += (uint64_t)r->buddy.free_pages * KITE_PAGE_SIZE;
        largest = kite_buddy_largest_order(&r->buddy);
        kite_spin_unlock_irqrestore(&r->lock, flags);
        if (largest >= 0) {
            out->largest_free = KITE_MAX(out->largest_free, KITE_PAGE_SIZE << largest);
        }
    }
    return 0;
}

static void add_region(int node, uint64_t start, uint64_t end)
{
    const struct kite_addr_range *reserved;
    unsigned int nreserved = kite_reserved_ranges(&reserved);
    struct region *r = &regions[nregions];

    if (nregions == MAX_REGIONS) {
        kite_pr_warn("more than %d memory regions; %#llx-%#llx stays unused\n", MAX_REGIONS,
                     (unsigned long long)start, (unsigned long long)end - 1);
        return;
    }
    /* Fails only for a range too small to hold its own map and a page. */
    if (kite_buddy_init(&r->buddy, start, end, reserved, nreserved)) {
        return;
    }
    r->lock = (struct kite_spinlock)KITE_SPINLOCK_INIT;
    r->node = node;
    r->total = (uint64_t)r->buddy.free_pages * KITE_PAGE_SIZE;
    nregions++;
}

/* What the page allocator must never hand out, decided before anything is allocated. */
static void reserve_boot_ranges(void)
{
    kite_reserve(0, LEGACY_END, "legacy low memory");
    kite_reserve(arch_phys_base,
                 arch_phys_base + ((uintptr_t)_kernel_end - (uintptr_t)_kernel_start),
                 "kernel image");
    for (unsigned int i = 0; i < kite_boot.module_count; i++) {
        kite_reserve(kite_boot.modules[i].start, kite_boot.modules[i].end, "boot module");
    }
}

void kite_mm_init(void);
void kite_mm_init(void)
{
    uint64_t t0 = kite_time_ns();

    reserve_boot_ranges();
    arch_paging_init();
    for (unsigned int n = 0; n < kite_numa_node_count(); n++) {
        struct kite_mem_range ranges[16];
        unsigned int count = kite_numa_node_ranges((int)n, ranges, 16);

        for (unsigned int i = 0; i < count && i < 16; i++) {
            uint64_t start = KITE_ALIGN_UP(ranges[i].base, KITE_PAGE_SIZE);
            uint64_t end = KITE_ALIGN_DOWN(ranges[i].base + ranges[i].length, KITE_PAGE_SIZE);

            if (end > start) {
                add_region((int)n, start, end);
            }
        }
    }
    arch_paging_use_page_allocator();
    for (unsigned int n = 0; n < kite_numa_node_count(); n++) {
        struct kite_node_mem_stats st;

        if (kite_page_stats((int)n, &st) == 0) {
            kite_pr_info("node %u: %llu MiB free, largest block %llu MiB\n", n,
                         (unsigned long long)(st.free >> 20),
                         (unsigned long long)(st.largest_free >> 20));
        }
    }
    kite_pr_info("%u region%s ready in %llu us\n", nregions, nregions == 1 ? "" : "s",
                 (unsigned long long)((kite_time_ns() - t0) / 1000));
}
