/* SPDX-License-Identifier: MIT */
/*
 * alloca: space on the calling thread's stack, gone when the function
 * returns. Threads have fixed stacks with an unmapped guard page below
 * (main 1 MiB, a pthread 64 KiB, a Kite thread 16 KiB unless created with
 * a bigger one): keep allocations small.
 */
#pragma once

#include <stddef.h>

#define alloca(size) __builtin_alloca(size)
