/* SPDX-License-Identifier: MIT */
/*
 * Wait queues: where threads block until another thread (or a timer or an
 * interrupt handler) wakes them. Every blocking primitive in <kite/sync.h>
 * is built on one. The simple form waits for a condition:
 *
 *     static bool ready(void *arg) { return ((struct job *)arg)->done; }
 *     kite_waitq_wait(&job->wq, ready, job, KITE_FOREVER);
 *     // elsewhere: job->done = true; kite_waitq_wake_all(&job->wq);
 *
 * The condition is checked with the queue's lock held and a waker takes the
 * same lock, so no wake-up is lost. Primitives that keep their own state
 * under the queue's lock use the _locked forms:
 *
 *     unsigned long flags = kite_waitq_lock(&wq);
 *     while (!state_allows_me) {
 *         rc = kite_waitq_sleep(&wq, flags, deadline); // drops the lock
 *         flags = kite_waitq_lock(&wq);
 *         ...
 *     }
 *     kite_waitq_unlock(&wq, flags);
 *
 * Waiters are woken in the order they came (FIFO).
 */
#pragma once

#include <kite/compiler.h>
#include <kite/spinlock.h>
#include <kite/timer.h>
#include <kite/types.h>

struct kite_thread;
struct kite_waiter;

struct kite_waitq {
    struct kite_spinlock lock;
    struct kite_waiter *head, *tail;
};

#define KITE_WAITQ_INIT                \
    {                                  \
        KITE_SPINLOCK_INIT, NULL, NULL \
    }

void kite_waitq_init(struct kite_waitq *wq);

/* Take / drop the queue's lock (interrupts off while held). */
static inline unsigned long kite_waitq_lock(struct kite_waitq *wq)
{
    return kite_spin_lock_irqsave(&wq->lock);
}

static inline void kite_waitq_unlock(struct kite_waitq *wq, unsigned long flags)
{
    kite_spin_unlock_irqrestore(&wq->lock, flags);
}

/*
 * With the lock held (from kite_waitq_lock, @flags its result): queue the
 * calling thread, drop the lock and block until a wake or until
 * kite_time_ns() reaches @deadline_ns (KITE_FOREVER: no limit). Returns the
 * status the waker passed (>= 0) or -KITE_ETIMEDOUT; the lock is not held
 * on return. Not from interrupt handlers or with a spinlock held.
 */
int kite_waitq_sleep(struct kite_waitq *wq, unsigned long flags, uint64_t deadline_ns);

/*
 * With the lock held: wake the oldest waiter with @status (passed to its
 * kite_waitq_sleep), or every waiter. Return the thread woken (NULL when
 * none) and the number woken. Waking does not switch threads.
 */
struct kite_thread *kite_waitq_wake_one_locked(struct kite_waitq *wq, int status);
unsigned int kite_waitq_wake_all_locked(struct kite_waitq *wq, int status);
/* With the lock held: the oldest waiter's thread, or NULL. */
struct kite_thread *kite_waitq_first_locked(const struct kite_waitq *wq);

/*
 * Block until @cond(@arg) is true (checked under the lock; NULL: until the
 * first wake) or the deadline passes: 0 or -KITE_ETIMEDOUT.
 */
int kite_waitq_wait(struct kite_waitq *wq, bool (*cond)(void *arg), void *arg,
                    uint64_t deadline_ns);

/* Take the lock and wake one (or all) with status 0; return how many were woken. */
unsigned int kite_waitq_wake_one(struct kite_waitq *wq);
unsigned int kite_waitq_wake_all(struct kite_waitq *wq);
