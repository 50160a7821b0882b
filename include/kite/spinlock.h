/* SPDX-License-Identifier: MIT */
/*
 * Spinlocks: ticket locks, so CPUs get a contended lock in the order they
 * asked for it and none starves. A waiter spins with pause (cheap under
 * emulation and on hyperthreads). Holding one keeps the thread from being
 * preempted on its CPU, so a lock holder is never descheduled while others
 * spin; blocking (join, mutexes, sleep) with a spinlock held is a bug. Take
 * a lock that an interrupt handler may also take with the irqsave variant.
 * No recursion: taking a held lock on the same CPU hangs.
 */
#pragma once

#include <kite/arch.h>
#include <kite/compiler.h>
#include <kite/types.h>

struct kite_spinlock {
    union {
        volatile uint32_t word;
        struct {
            volatile uint16_t owner; /* the ticket being served */
            volatile uint16_t next;  /* the next ticket handed out */
        };
    };
};

#define KITE_SPINLOCK_INIT \
    {                      \
        {                  \
            0              \
        }                  \
    }

/* Out of line: the contended wait, so the uncontended path stays a few instructions. */
void kite_spin_wait(struct kite_spinlock *l, uint16_t ticket);

static inline void kite_spin_lock(struct kite_spinlock *l)
{
    uint16_t ticket;

    arch_preempt_disable();
    ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_ACQUIRE);
    if (kite_unlikely(__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)) {
        kite_spin_wait(l, ticket);
    }
}

static inline bool kite_spin_trylock(struct kite_spinlock *l)
{
    uint32_t v = l->word;

    if ((uint16_t)v != (uint16_t)(v >> 16)) {
        return false;
    }
    arch_preempt_disable();
    if (__atomic_compare_exchange_n(&l->word, &v, v + (1u << 16), false, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED)) {
        return true;
    }
    arch_preempt_enable();
    return false;
}

static inline void kite_spin_unlock(struct kite_spinlock *l)
{
    __atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
    arch_preempt_enable();
}

static inline bool kite_spin_held(const struct kite_spinlock *l)
{
    uint32_t v = l->word;

    return (uint16_t)v != (uint16_t)(v >> 16);
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
