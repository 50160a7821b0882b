/* SPDX-License-Identifier: MIT */
/*
 * Stacks with guard pages, for threads. Each stack sits at the top of its
 * own 2 MiB slot in a virtual window; everything below it in the slot is
 * left unmapped, so running off the bottom faults at once. The fault
 * handler recognises that and panics with "stack overflow" and the stack's
 * name instead of a generic fault.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

#define KITE_STACK_MAX_SIZE ((2ul << 20) - 4096) /* a slot less its smallest guard */

struct kite_stack {
    uintptr_t bottom; /* lowest usable byte */
    uintptr_t top;    /* one past the highest: the initial stack pointer */
    size_t size;
    const char *name; /* not copied: give a string that outlives the stack */
};

/*
 * A stack of @size bytes (rounded up to whole pages) on @node
 * (KITE_NODE_ANY: the caller's). NULL when @size is 0 or too big, or memory
 * or slots run out.
 */
KITE_MUST_CHECK struct kite_stack *kite_stack_alloc(size_t size, int node, const char *name);
void kite_stack_free(struct kite_stack *stack);

/* The stack whose guard area holds @addr, or NULL: for the fault handler. */
const struct kite_stack *kite_stack_guard_hit(uintptr_t addr);

/*
 * Copy up to @max of the stacks in use into @out; returns how many there
 * are. A snapshot: a stack may be freed right after (its copy stays valid,
 * its memory does not).
 */
unsigned int kite_stack_list(struct kite_stack *out, unsigned int max);

/* Stacks there can be at most (the stack window's slots). */
#define KITE_STACK_LIST_MAX 1024
