/* SPDX-License-Identifier: MIT */
/*
 * Wait queues (see <kite/waitq.h>). A waiter lives on the sleeping
 * thread's stack. Whoever takes it off the queue, under the queue's lock,
 * owns the one wake-up: a waker (with its status) or the waiter's own
 * timeout timer (with -KITE_ETIMEDOUT). After waking, the sleeper cancels
 * its timer, which waits out a timeout callback still running on another
 * CPU, so the waiter's memory is never touched after it returns.
 */
#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/waitq.h>

#include "sched.h"

struct kite_waiter {
    struct kite_thread *thread;
    struct kite_waiter *next;
    struct kite_waitq *wq;
    int status;
};

void kite_waitq_init(struct kite_waitq *wq)
{
    wq->lock = (struct kite_spinlock)KITE_SPINLOCK_INIT;
    wq->head = NULL;
    wq->tail = NULL;
}

/* Take @w off @wq (lock held); false when it was no longer queued. */
static bool unqueue(struct kite_waitq *wq, struct kite_waiter *w)
{
    struct kite_waiter *prev = NULL;

    for (struct kite_waiter *p = wq->head; p; prev = p, p = p->next) {
        if (p == w) {
            if (prev) {
                prev->next = w->next;
            } else {
                wq->head = w->next;
            }
            if (wq->tail == w) {
                wq->tail = prev;
            }
            return true;
        }
    }
    return false;
}

static void timed_out(struct kite_timer *t, void *arg)
{
    struct kite_waiter *w = arg;
    struct kite_waitq *wq = w->wq;
    unsigned long flags = kite_waitq_lock(wq);
    bool mine = unqueue(wq, w);
    struct kite_thread *thread = w->thread;

    (void)t;
    if (mine) {
        w->status = -KITE_ETIMEDOUT;
    }
    kite_waitq_unlock(wq, flags);
    if (mine) {
        kite_sched_wake(thread);
    }
}

int kite_waitq_sleep(struct kite_waitq *wq, unsigned long flags, uint64_t deadline_ns)
{
    struct kite_waiter w = {kite_thread_self(), NULL, wq, 0};
    struct kite_timer timer;
    bool timed = deadline_ns != KITE_FOREVER;

    if (timed && deadline_ns <= kite_time_ns()) {
        kite_waitq_unlock(wq, flags);
        return -KITE_ETIMEDOUT;
    }
    /* The waiter lives on this stack while queued: it is off the queue before this returns. */
    if (wq->tail) {
        wq->tail->next = &w;
    } else {
        // cppcheck-suppress autoVariables
        wq->head = &w;
    }
    // cppcheck-suppress autoVariables
    wq->tail = &w;
    kite_sched_prepare_block();
    if (timed) {
        kite_timer_init(&timer, timed_out, &w);
        /* On this CPU: it cannot fire before this thread has switched away. */
        int rc = kite_timer_start_at(&timer, KITE_CPU_ANY, deadline_ns, 0);

        (void)rc; /* on this CPU, which is online: cannot fail */
    }
    /* Keep interrupts off from here to the switch: drop the lock, not the interrupt mask. */
    kite_spin_unlock(&wq->lock);
    kite_sched_block();
    arch_irq_restore(flags);
    if (timed) {
        kite_timer_cancel(&timer);
    }
    return w.status;
}

struct kite_thread *kite_waitq_first_locked(const struct kite_waitq *wq)
{
    return wq->head ? wq->head->thread : NULL;
}

struct kite_thread *kite_waitq_wake_one_locked(struct kite_waitq *wq, int status)
{
    struct kite_waiter *w = wq->head;
    struct kite_thread *t;

    if (!w) {
        return NULL;
    }
    wq->head = w->next;
    if (!wq->head) {
        wq->tail = NULL;
    }
    w->status = status;
    t = w->thread; /* w may be gone once its thread runs */
    kite_sched_wake(t);
    return t;
}

unsigned int kite_waitq_wake_all_locked(struct kite_waitq *wq, int status)
{
    unsigned int n = 0;

    while (kite_waitq_wake_one_locked(wq, status)) {
        n++;
    }
    return n;
}

int kite_waitq_wait(struct kite_waitq *wq, bool (*cond)(void *arg), void *arg, uint64_t deadline_ns)
{
    unsigned long flags = kite_waitq_lock(wq);
    int rc;

    if (!cond) {
        return kite_waitq_sleep(wq, flags, deadline_ns) < 0 ? -KITE_ETIMEDOUT : 0;
    }
    while (!cond(arg)) {
        rc = kite_waitq_sleep(wq, flags, deadline_ns);
        flags = kite_waitq_lock(wq);
        if (rc == -KITE_ETIMEDOUT && !cond(arg)) {
            kite_waitq_unlock(wq, flags);
            return -KITE_ETIMEDOUT;
        }
    }
    kite_waitq_unlock(wq, flags);
    return 0;
}

unsigned int kite_waitq_wake_one(struct kite_waitq *wq)
{
    unsigned long flags = kite_waitq_lock(wq);
    unsigned int n = kite_waitq_wake_one_locked(wq, 0) != NULL;

    kite_waitq_unlock(wq, flags);
    return n;
}

unsigned int kite_waitq_wake_all(struct kite_waitq *wq)
{
    unsigned long flags = kite_waitq_lock(wq);
    unsigned int n = kite_waitq_wake_all_locked(wq, 0);

    kite_waitq_unlock(wq, flags);
    return n;
}
