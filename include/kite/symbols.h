/* SPDX-License-Identifier: MIT */
/*
 * The image's own symbol table (built at link time by scripts/mksymtab.sh),
 * so backtraces and reports name functions without addr2line.
 */
#pragma once

#include <kite/types.h>

/*
 * The function containing @addr, and @addr's offset into it in *@offset.
 * NULL when @addr is in no function of the image.
 */
const char *kite_symbol(uint64_t addr, uint64_t *offset);

/* The address of function @name, or 0 when the image has none by that name. */
uint64_t kite_symbol_addr(const char *name);
