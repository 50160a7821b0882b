/* SPDX-License-Identifier: MIT */
/*
 * The contended half of kite_spin_lock (see <kite/spinlock.h>): spin with
 * pause until our ticket comes up, answering TLB shootdowns meanwhile, as
 * the holder may be waiting for this CPU to flush before it can go on.
 */
#include <kite/spinlock.h>

void kite_spin_wait(struct kite_spinlock *l, uint16_t ticket)
{
    while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket) {
        arch_tlb_serve();
        arch_pause();
    }
}
