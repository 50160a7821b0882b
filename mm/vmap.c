/* SPDX-License-Identifier: MIT */
/*
 * Memory mapped page by page into virtual windows: kite_malloc_interleaved
 * (pages taken from each node in turn, so a big shared array is spread over
 * all memory controllers) and kite_ioremap (device memory, uncached). The
 * windows hand out address space by bumping a pointer; interleaved blocks
 * keep their page count in a header page in front of them.
 */
#define KITE_LOG_PREFIX "vmap: "

#include <kite/mm.h>
#include <kite/numa.h>
#include <kite/printk.h>
#include <kite/spinlock.h>

#include <arch/paging.h>

#include "heap_priv.h"

struct vmap_header {
    uint64_t magic;
    size_t npages; /* data pages after this header page */
};

#define VMAP_MAGIC 0x6b6974652d766d61ull

static struct kite_spinlock lock = KITE_SPINLOCK_INIT;
static uintptr_t vmap_next = (uintptr_t)ARCH_VMAP_WINDOW;
static uintptr_t io_next = (uintptr_t)ARCH_IO_WINDOW;

/* @bytes of address space from the window whose cursor is *@next, or 0. */
static uintptr_t take(uintptr_t *next, uintptr_t window, size_t bytes)
{
    unsigned long flags = kite_spin_lock_irqsave(&lock);
    uintptr_t at = 0;

    if (bytes <= (uintptr_t)ARCH_WINDOW_SIZE - (*next - window)) {
        at = *next;
        *next += bytes + KITE_PAGE_SIZE; /* an unmapped page between blocks */
    }
    kite_spin_unlock_irqrestore(&lock, flags);
    return at;
}

#define UNMAP_BATCH 64 /* pages unmapped per TLB shootdown */

/*
 * Unmap @npages pages from @virt and free their frames: up to UNMAP_BATCH
 * pages at a time, with one shootdown for each batch (never one per page),
 * and each frame freed only after no CPU can still reach it.
 */
static void unmap_and_free(uintptr_t virt, size_t npages)
{
    uint64_t phys[UNMAP_BATCH];

    for (size_t done = 0; done < npages;) {
        size_t n = KITE_MIN(npages - done, (size_t)UNMAP_BATCH);
        uintptr_t v = virt + done * KITE_PAGE_SIZE;

        for (size_t i = 0; i < n; i++) {
            phys[i] = arch_virt_to_phys(v + i * KITE_PAGE_SIZE);
        }
        arch_unmap_pages(v, n * KITE_PAGE_SIZE);
        for (size_t i = 0; i < n; i++) {
            if (phys[i] != ~0ull) {
                kite_page_free((void *)(uintptr_t)phys[i], 0);
            }
        }
        done += n;
    }
}

void *kite_malloc_interleaved(size_t size)
{
    size_t npages = KITE_ALIGN_UP(size, KITE_PAGE_SIZE) / KITE_PAGE_SIZE + 1;
    unsigned int nodes = kite_numa_node_count();
    uintptr_t virt;
    struct vmap_header *h;

    if (size == 0 || size > (uintptr_t)ARCH_WINDOW_SIZE / 2) {
        return NULL;
    }
    virt = take(&vmap_next, (uintptr_t)ARCH_VMAP_WINDOW, npages * KITE_PAGE_SIZE);
    if (!virt) {
        return NULL;
    }
    for (size_t i = 0; i < npages; i++) {
        /* Page i of the data on node i mod nodes; the header page on the first node. */
        int node = i == 0 ? 0 : (int)((i - 1) % nodes);
        void *page = kite_page_alloc(0, node, KITE_PAGE_FALLBACK);

        if (!page || arch_map_pages(virt + i * KITE_PAGE_SIZE, (uint64_t)(uintptr_t)page,
                                    KITE_PAGE_SIZE, ARCH_MAP_WRITE)) {
            if (page) {
                kite_page_free(page, 0);
            }
            unmap_and_free(virt, i);
            return NULL;
        }
    }
    h = (struct vmap_header *)virt;
    h->magic = VMAP_MAGIC;
    h->npages = npages - 1;
    return (void *)(virt + KITE_PAGE_SIZE);
}

/* The header of the interleaved block at @p, or NULL when @p is not one. */
static struct vmap_header *header_of(const void *p)
{
    uintptr_t virt = (uintptr_t)p - KITE_PAGE_SIZE;
    struct vmap_header *h = (struct vmap_header *)virt;

    if ((uintptr_t)p < (uintptr_t)ARCH_VMAP_WINDOW + KITE_PAGE_SIZE ||
        (uintptr_t)p >= (uintptr_t)ARCH_VMAP_WINDOW + (uintptr_t)ARCH_WINDOW_SIZE ||
        ((uintptr_t)p & (KITE_PAGE_SIZE - 1)) || !arch_addr_mapped(virt) ||
        h->magic != VMAP_MAGIC) {
        return NULL;
    }
    return h;
}

void heap_free_vmapped(void *p)
{
    struct vmap_header *h = header_of(p);

    if (!h) {
        kite_pr_err("kite_free(%p) from %p: not a block kite_malloc_interleaved returned; "
                    "ignored\n",
                    p, __builtin_return_address(0));
        return;
    }
    h->magic = 0;
    unmap_and_free((uintptr_t)h, h->npages + 1);
}

size_t heap_vmapped_usable_size(const void *p)
{
    const struct vmap_header *h = header_of(p);

    return h ? h->npages * KITE_PAGE_SIZE : 0;
}

void *kite_ioremap(kite_paddr_t phys, size_t size)
{
    uint64_t off = phys & (KITE_PAGE_SIZE - 1);
    size_t bytes = KITE_ALIGN_UP(size + off, KITE_PAGE_SIZE);
    uintptr_t virt;

    if (size == 0) {
        return NULL;
    }
    virt = take(&io_next, (uintptr_t)ARCH_IO_WINDOW, bytes);
    if (!virt || arch_map_pages(virt, phys - off, bytes, ARCH_MAP_WRITE | ARCH_MAP_UNCACHED)) {
        return NULL;
    }
    return (void *)(virt + off);
}
