/* SPDX-License-Identifier: MIT */
/*
 * Boot-time reservations, private to mm/ and arch: physical ranges the page
 * allocator must never hand out (the kernel image, the loader's modules,
 * early page tables, legacy low memory), and a first-fit search for free RAM
 * before the page allocator exists. Written during boot on the boot CPU only.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

#include "buddy.h"

#define KITE_MAX_RESERVED 192 /* a few fixed ones, plus one map per buddy region */

/* Keep [@start, @end) away from the page allocator; @what names it in the log. */
void kite_reserve(uint64_t start, uint64_t end, const char *what);

/* The reservations so far, as address ranges; returns the count. */
unsigned int kite_reserved_ranges(const struct kite_addr_range **out);

/*
 * Find @size bytes of available RAM (boot memory map) aligned to @align,
 * inside [@lo, @hi), overlapping no reservation; reserve it as @what and
 * return its address, or 0 when there is none.
 */
uint64_t kite_reserve_find(uint64_t size, uint64_t align, uint64_t lo, uint64_t hi,
                           const char *what);
