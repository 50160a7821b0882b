/* SPDX-License-Identifier: MIT */
/*
 * Spinlocks. A waiter spins with pause (cheap under emulation and on
 * hyperthreads). Take a lock that an interrupt handler may also take with the
 * irqsave variant. No recursion: taking a held lock on the same CPU hangs.
 */
#pragma once

#include <kite/arch.h>
#include <kite/compiler.h>
#include <kite/types.h>

struct kite_spinlock {
    volatile uint32_t locked;
};

#define KITE_SPINLOCK_INIT \
    {                      \
        0                  \
    }

static inline void kite_spin_lock(struct kite_spinlock *l)
{
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
        while (KITE_READ_ONCE(l->locked)) {
            arch_pause();
        }
    }
}

static inline bool kite_spin_trylock(struct kite_spinlock *l)
{
    return !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}

static inline void kite_spin_unlock(struct kite_spinlock *l)
{
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

static inline bool kite_spin_held(const struct kite_spinlock *l)
{
    return KITE_READ_ONCE(l->locked) != 0;
}

static inline unsigned long kite_spin_lock_irqsave(struct kite_spinlock *l)
{
    unsigned long flags = arch_irq_save();
    kite_spin_lock(l);
    return flags;
}

static inline void kite_spin_unlock_irqrestore(struct kite_spinlock *l, unsigned long flags)
{
    kite_spin_unlock(l);
    arch_irq_restore(flags);
}
