/* SPDX-License-Identifier: MIT */
/*
 * kite_parallel_reduce_double over the generic reduction. Built with SSE
 * (objs.mk drops -mgeneral-regs-only): doubles travel in SSE registers.
 */
#include "reduce_typed.h"

KITE_REDUCE_TYPED(double, double)
