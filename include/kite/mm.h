/* SPDX-License-Identifier: MIT */
/*
 * Memory: physical pages per NUMA node and the heap. All owned RAM is
 * identity-mapped, so a page's physical address is also its address.
 *
 * Every allocation returns NULL on failure (never panics): a zero size, a
 * size that overflows, a node that does not exist, exhausted memory.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

#define KITE_PAGE_SHIFT     12
#define KITE_PAGE_SIZE      (1ul << KITE_PAGE_SHIFT)
#define KITE_PAGE_MAX_ORDER 18   /* 2^18 pages = 1 GiB, the largest block */
#define KITE_NODE_ANY       (-1) /* the calling CPU's node */

/* kite_page_alloc flags */
#define KITE_PAGE_FALLBACK 0x1u /* when @node is full, try the others nearest first */
#define KITE_PAGE_ZERO     0x2u /* clear the pages */

/*
 * 2^@order contiguous pages, aligned to their size, from @node (or the
 * calling CPU's node for KITE_NODE_ANY). Without KITE_PAGE_FALLBACK only
 * @node is tried. Returns the address, or NULL.
 */
KITE_MUST_CHECK void *kite_page_alloc(unsigned int order, int node, unsigned int flags);
/* Give back what kite_page_alloc returned, with the same order. */
void kite_page_free(void *pages, unsigned int order);

struct kite_node_mem_stats {
    uint64_t total; /* bytes the page allocator manages on the node */
    uint64_t free;
    uint64_t largest_free; /* the largest block that one allocation can get */
};
/* Statistics of @node; -KITE_EINVAL when there is no such node. */
int kite_page_stats(int node, struct kite_node_mem_stats *out);

/*
 * The heap. kite_malloc allocates on the calling CPU's node; small sizes
 * come from per-CPU caches without a lock. kite_free takes memory from any
 * CPU; it goes back to the CPU and node that own it. Results are aligned to
 * 16 bytes.
 */
KITE_MUST_CHECK void *kite_malloc(size_t size);
KITE_MUST_CHECK void *kite_calloc(size_t count, size_t size);
KITE_MUST_CHECK void *kite_realloc(void *ptr, size_t size);
/* @align: a power of two; @size need not be a multiple of it. */
KITE_MUST_CHECK void *kite_aligned_alloc(size_t align, size_t size);
void kite_free(void *ptr);
/* How many bytes the block at @ptr can really hold (>= what was asked). */
size_t kite_malloc_usable_size(void *ptr);
/* On @node (KITE_NODE_ANY: the caller's); NULL when the node does not exist or is full. */
KITE_MUST_CHECK void *kite_malloc_node(size_t size, int node);
/* Page by page across all nodes in turn: for data every CPU reads alike. */
KITE_MUST_CHECK void *kite_malloc_interleaved(size_t size);
/*
 * Give the calling CPU's cached empty memory back to the page allocator
 * (and collect frees other CPUs made of its memory). Returns bytes released.
 */
size_t kite_heap_trim(void);

/* The heap's caches of CPU @cpu; the arch keeps the pointer in the CPU's per-CPU area. */
void *kite_heap_cpu_row(unsigned int cpu);

/* Map @size bytes of device memory at @phys uncached; NULL when out of space. */
KITE_MUST_CHECK void *kite_ioremap(kite_paddr_t phys, size_t size);
