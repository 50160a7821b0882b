/* SPDX-License-Identifier: MIT */
/*
 * Basic types. Kite is built freestanding, so only the compiler's own headers
 * are used; they work the same in host builds of the pure code.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A physical address. Kite identity-maps owned RAM, but the type says which is meant. */
typedef uint64_t kite_paddr_t;
