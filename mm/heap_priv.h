/* SPDX-License-Identifier: MIT */
/*
 * Private to the heap (mm/heap.c) and its host tests: the debug switch, the
 * report hook, and what the heap calls in the allocator of the high
 * (vmapped, interleaved) window, which lives elsewhere. The environment the
 * heap runs in (CPU, node, pages, interrupts) is in heap_env.h.
 */
#pragma once

#include "heap_env.h"

#include <kite/compiler.h>
#include <kite/config.h>
#include <kite/types.h>

#ifdef KITE_HOST_TEST

#define HEAP_MAX_NODES 8

/*
 * Host tests turn the debug checks on and off at run time, so one test
 * binary covers both modes. Only switch while the heap holds no memory:
 * objects and slabs made in one mode are laid out for it.
 */
extern bool heap_debug_checks;
#define HEAP_DEBUG heap_debug_checks

/* Where the heap reports a misuse (invalid or double free, red zone); the test provides it. */
void heap_report(const char *msg);

#else

#include <kite/numa.h>

#define HEAP_MAX_NODES KITE_MAX_NODES
#define HEAP_DEBUG     IS_ENABLED(CONFIG_HEAP_DEBUG)

#endif

/*
 * kite_free passes pointers in the high window (negative as intptr_t:
 * kite_malloc_interleaved's blocks) to their allocator, mm/vmap.c, which
 * also knows their size (0 for a pointer that is not one of its blocks).
 */
void heap_free_vmapped(void *p);
size_t heap_vmapped_usable_size(const void *p);
