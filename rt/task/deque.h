/* SPDX-License-Identifier: MIT */
/*
 * A fixed-size Chase-Lev work-stealing deque, in the C11 formulation of Lê,
 * Pop, Cohen and Zappa Nardelli ("Correct and Efficient Work-Stealing for
 * Weak Memory Models", PPoPP 2013), written with the compiler's __atomic
 * builtins. The owner pushes and pops at the bottom; thieves take from the
 * top. Entries are stored by value, each field a relaxed atomic: a thief
 * may read a slot the owner is rewriting only when its compare-and-swap on
 * top is bound to fail, and then it throws what it read away.
 *
 * Fixed size: a full deque refuses the push (task_deque_full) and the
 * caller runs the task itself. top and bottom only grow (64-bit: they do
 * not wrap in practice), so a stale top never matches again (no ABA).
 *
 * Pure C with no kernel headers, so the host test (deque_utest.c) runs the
 * same code under pthreads.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef TASK_DEQUE_SIZE
#define TASK_DEQUE_SIZE 1024 /* a power of two */
#endif

struct task_entry {
    void (*fn)(void *arg);
    void *arg;
    void *group;
};

struct task_deque {
    /* top and bottom on their own cache lines: thieves hammer top, the owner bottom. */
    int64_t top;
    char pad0[56];
    int64_t bottom;
    char pad1[56];
    struct task_entry buf[TASK_DEQUE_SIZE];
};

enum task_steal_result { TASK_STEAL_OK, TASK_STEAL_EMPTY, TASK_STEAL_ABORT };

static inline void task_deque_init(struct task_deque *d)
{
    __atomic_store_n(&d->top, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&d->bottom, 0, __ATOMIC_RELAXED);
}

/* Owner only: no room for another push (it stays so until a pop or steal). */
static inline bool task_deque_full(struct task_deque *d)
{
    int64_t b = __atomic_load_n(&d->bottom, __ATOMIC_RELAXED);
    int64_t t = __atomic_load_n(&d->top, __ATOMIC_ACQUIRE);

    return b - t >= TASK_DEQUE_SIZE;
}

/*
 * Owner only, after task_deque_full said false. The release fence orders
 * the slot (and whatever the caller wrote before, such as a group's
 * count) before the bottom that publishes it.
 */
static inline void task_deque_push(struct task_deque *d, const struct task_entry *e)
{
    int64_t b = __atomic_load_n(&d->bottom, __ATOMIC_RELAXED);
    struct task_entry *slot = &d->buf[b & (TASK_DEQUE_SIZE - 1)];

    __atomic_store_n(&slot->fn, e->fn, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->arg, e->arg, __ATOMIC_RELAXED);
    __atomic_store_n(&slot->group, e->group, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&d->bottom, b + 1, __ATOMIC_RELAXED);
}

static inline void task_deque_read(struct task_deque *d, int64_t i, struct task_entry *out)
{
    const struct task_entry *slot = &d->buf[i & (TASK_DEQUE_SIZE - 1)];

    out->fn = __atomic_load_n(&slot->fn, __ATOMIC_RELAXED);
    out->arg = __atomic_load_n(&slot->arg, __ATOMIC_RELAXED);
    out->group = __atomic_load_n(&slot->group, __ATOMIC_RELAXED);
}

/*
 * Owner only: take the newest entry. The full fence between the store of
 * the lowered bottom and the load of top is what x86 needs too (a store
 * followed by a load of another location may be reordered there): without
 * it a thief and the owner could both take the last entry.
 */
static inline bool task_deque_pop(struct task_deque *d, struct task_entry *out)
{
    int64_t b = __atomic_load_n(&d->bottom, __ATOMIC_RELAXED) - 1;
    int64_t t;
    bool ok = true;

    __atomic_store_n(&d->bottom, b, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    t = __atomic_load_n(&d->top, __ATOMIC_RELAXED);
    if (t > b) {
        /* Empty: put bottom back. */
        __atomic_store_n(&d->bottom, b + 1, __ATOMIC_RELAXED);
        return false;
    }
    task_deque_read(d, b, out);
    if (t == b) {
        /* The last entry: race the thieves for it through top. */
        ok = __atomic_compare_exchange_n(&d->top, &t, t + 1, false, __ATOMIC_SEQ_CST,
                                         __ATOMIC_RELAXED);
        __atomic_store_n(&d->bottom, b + 1, __ATOMIC_RELAXED);
    }
    return ok;
}

/*
 * Any thread: take the oldest entry. TASK_STEAL_ABORT when another thief
 * or the owner took it first (the deque may still hold more).
 */
static inline enum task_steal_result task_deque_steal(struct task_deque *d, struct task_entry *out)
{
    int64_t t = __atomic_load_n(&d->top, __ATOMIC_ACQUIRE);
    int64_t b;

    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    b = __atomic_load_n(&d->bottom, __ATOMIC_ACQUIRE);
    if (t >= b) {
        return TASK_STEAL_EMPTY;
    }
    task_deque_read(d, t, out);
    if (!__atomic_compare_exchange_n(&d->top, &t, t + 1, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_RELAXED)) {
        return TASK_STEAL_ABORT;
    }
    return TASK_STEAL_OK;
}

/* Any thread: whether the deque looks non-empty (a hint, read with full ordering). */
static inline bool task_deque_has_work(struct task_deque *d)
{
    int64_t t = __atomic_load_n(&d->top, __ATOMIC_SEQ_CST);
    int64_t b = __atomic_load_n(&d->bottom, __ATOMIC_SEQ_CST);

    return t < b;
}
