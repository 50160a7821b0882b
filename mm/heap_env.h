/* SPDX-License-Identifier: MIT */
/*
 * What the heap (mm/heap.c) needs from its surroundings, in one place: the
 * calling CPU, masking interrupts on it, pages from a node, the node of a
 * CPU. In the kernel these are the real thing, inlined into the fast path;
 * host tests (KITE_HOST_TEST) provide them, with each test thread playing a
 * CPU, so the per-CPU and cross-CPU paths run under ASan and UBSan.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

#ifdef KITE_HOST_TEST

#define HEAP_MAX_CPUS 16

unsigned int heap_cpu(void);
int heap_cpu_node(unsigned int cpu);
int heap_node_count(void);
void *heap_pages_alloc(unsigned int order, int node); /* aligned to its size, or NULL */
void *heap_cpu_row(void); /* this CPU's row of caches: kite_heap_cpu_row(heap_cpu()) */
int heap_node_fallback(int node,
                       unsigned int i); /* @node first, then nearest first; -1 at the end */
void heap_pages_free(void *p, unsigned int order);
const char *heap_thread_name(void);
static inline const char *heap_caller_name(const void *caller)
{
    (void)caller;
    return "?";
}

static inline unsigned long heap_irq_save(void)
{
    return 0;
}

static inline void heap_irq_restore(unsigned long flags)
{
    (void)flags;
}

#else

#include <kite/arch.h>
#include <kite/mm.h>
#include <kite/numa.h>
#include <kite/symbols.h>
#include <kite/thread.h>

#define HEAP_MAX_CPUS CONFIG_NR_CPUS

static inline unsigned int heap_cpu(void)
{
    return arch_cpu_id();
}

static inline int heap_cpu_node(unsigned int cpu)
{
    return kite_numa_node_of_cpu(cpu);
}

static inline int heap_node_fallback(int node, unsigned int i)
{
    return kite_numa_node_fallback(node, i);
}

/* This CPU's row of caches, kept in the per-CPU area: one load on the fast path. */
static inline void *heap_cpu_row(void)
{
    return arch_this_cpu_heap();
}

static inline int heap_node_count(void)
{
    return (int)kite_numa_node_count();
}

static inline void *heap_pages_alloc(unsigned int order, int node)
{
    return kite_page_alloc(order, node, 0);
}

static inline void heap_pages_free(void *p, unsigned int order)
{
    kite_page_free(p, order);
}

static inline const char *heap_thread_name(void)
{
    return kite_thread_current_name();
}

/* The function @caller (a return address) is in, from the image's symbol table; "?" if none. */
static inline const char *heap_caller_name(const void *caller)
{
    uint64_t off;
    const char *name = kite_symbol((uint64_t)(uintptr_t)caller - 1, &off);

    return name ? name : "?";
}

static inline unsigned long heap_irq_save(void)
{
    return arch_irq_save();
}

static inline void heap_irq_restore(unsigned long flags)
{
    arch_irq_restore(flags);
}

#endif
