/* SPDX-License-Identifier: MIT */
/*
 * Mutual exclusion: critical (unnamed and named), atomic (the fallback gcc
 * uses for types without a lock-free instruction), and the omp_*_lock API.
 *
 * OpenMP's locks must fit gcc's omp.h: omp_lock_t is 4 bytes, omp_nest_lock_t
 * 16. They spin with pause and yield the CPU every 1024 tries, so a team
 * bigger than the CPU count still makes progress (a holder preempted on the
 * same CPU gets to run).
 */
#include <omp.h>
#include <stdlib.h>

#include <kite/panic.h>
#include <kite/thread.h>

#include <arch/cpu.h>

#include "omp_priv.h"

KITE_STATIC_ASSERT(sizeof(omp_lock_t) >= sizeof(int), "omp_lock_t holds an int");

struct nest_lock {
    int lock;
    int count;
    void *owner;
};
KITE_STATIC_ASSERT(sizeof(omp_nest_lock_t) >= sizeof(struct nest_lock), "omp_nest_lock_t fits");

static void spin_acquire(int *word)
{
    unsigned long spins = 0;

    while (__atomic_exchange_n(word, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(word, __ATOMIC_RELAXED)) {
            if (++spins % 1024 == 0) {
                kite_thread_yield();
            } else {
                arch_pause();
            }
        }
    }
}

static void spin_release(int *word)
{
    __atomic_store_n(word, 0, __ATOMIC_RELEASE);
}

static int critical_lock, atomic_lock;

void GOMP_critical_start(void);
void GOMP_critical_end(void);
void GOMP_critical_name_start(void **pptr);
void GOMP_critical_name_end(void **pptr);
void GOMP_atomic_start(void);
void GOMP_atomic_end(void);

void GOMP_critical_start(void)
{
    spin_acquire(&critical_lock);
}

void GOMP_critical_end(void)
{
    spin_release(&critical_lock);
}

/* gcc gives each name a pointer-sized, zeroed variable: its first int is the lock. */
void GOMP_critical_name_start(void **pptr)
{
    spin_acquire((int *)pptr);
}

void GOMP_critical_name_end(void **pptr)
{
    spin_release((int *)pptr);
}

void GOMP_atomic_start(void)
{
    spin_acquire(&atomic_lock);
}

void GOMP_atomic_end(void)
{
    spin_release(&atomic_lock);
}

/* ---------------------------------------------------------------- simple locks */

void omp_init_lock(omp_lock_t *lock)
{
    *(int *)lock = 0;
}

void omp_init_lock_with_hint(omp_lock_t *lock, omp_sync_hint_t hint)
{
    (void)hint;
    omp_init_lock(lock);
}

void omp_destroy_lock(omp_lock_t *lock)
{
    if (__atomic_load_n((int *)lock, __ATOMIC_RELAXED)) {
        kite_panic("openmp: omp_destroy_lock on a lock that is set");
    }
}

void omp_set_lock(omp_lock_t *lock)
{
    spin_acquire((int *)lock);
}

void omp_unset_lock(omp_lock_t *lock)
{
    spin_release((int *)lock);
}

int omp_test_lock(omp_lock_t *lock)
{
    return !__atomic_exchange_n((int *)lock, 1, __ATOMIC_ACQUIRE);
}

/* ---------------------------------------------------------------- nestable locks */

/* A nestable lock is owned by a task (OpenMP 5.2, 20.1): the running task, or the thread's. */
static void *lock_owner(void)
{
    struct omp_thread *thr = omp_self();

    return thr->task ? (void *)thr->task : (void *)thr;
}

void omp_init_nest_lock(omp_nest_lock_t *lock)
{
    struct nest_lock *l = (struct nest_lock *)lock;

    l->lock = 0;
    l->count = 0;
    l->owner = NULL;
}

void omp_init_nest_lock_with_hint(omp_nest_lock_t *lock, omp_sync_hint_t hint)
{
    (void)hint;
    omp_init_nest_lock(lock);
}

void omp_destroy_nest_lock(omp_nest_lock_t *lock)
{
    if (((struct nest_lock *)lock)->count) {
        kite_panic("openmp: omp_destroy_nest_lock on a lock that is set");
    }
}

void omp_set_nest_lock(omp_nest_lock_t *lock)
{
    struct nest_lock *l = (struct nest_lock *)lock;
    void *me = lock_owner();

    if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) != me) {
        spin_acquire(&l->lock);
        __atomic_store_n(&l->owner, me, __ATOMIC_RELAXED);
    }
    l->count++;
}

void omp_unset_nest_lock(omp_nest_lock_t *lock)
{
    struct nest_lock *l = (struct nest_lock *)lock;

    if (--l->count == 0) {
        __atomic_store_n(&l->owner, NULL, __ATOMIC_RELAXED);
        spin_release(&l->lock);
    }
}

int omp_test_nest_lock(omp_nest_lock_t *lock)
{
    struct nest_lock *l = (struct nest_lock *)lock;
    void *me = lock_owner();

    if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) != me) {
        if (__atomic_exchange_n(&l->lock, 1, __ATOMIC_ACQUIRE)) {
            return 0;
        }
        __atomic_store_n(&l->owner, me, __ATOMIC_RELAXED);
    }
    return ++l->count;
}
