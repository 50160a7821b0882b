/* SPDX-License-Identifier: MIT */
/*
 * Mutexes, rwlocks, semaphores, condition variables and barriers (see
 * <kite/sync.h>), each a little state beside a wait queue.
 *
 * Everything that blocks keeps its state under its wait queue's lock, so
 * deciding to sleep and being queued are one step and no wake-up is lost.
 * Releasing hands over: the releaser makes the oldest waiter the new holder
 * (or gives it the unit) before waking it, with the status HANDED_OVER, so
 * the woken thread has nothing to re-check and a thread that comes later
 * finds the lock taken. The mutex and the rwlock also have a lock-free fast
 * path, for when nobody waits: one word (the owner, or the readers and the
 * writer), compare-and-swapped, with a bit that says threads are queued.
 * While that bit is set only holders of the queue's lock change the word,
 * so the fast paths (which need it clear) never race a hand-over.
 */
#define KITE_LOG_PREFIX "sync: "

#include <kite/arch.h>
#include <kite/config.h>
#include <kite/errno.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/sync.h>
#include <kite/thread.h>

/* The status a releaser wakes a waiter with: the lock or unit is now the waiter's. */
#define HANDED_OVER 1

/*
 * Interrupt handlers run with interrupts off, and a spinlock holder must
 * not block: such callers can neither sleep nor own a lock for a thread.
 */
static bool cannot_block(void)
{
    return !arch_irq_enabled() || !arch_preemptible();
}

/* @name: the object's name when it has one (mutexes), else NULL. */
static int refuse(const char *what, const char *name, const void *obj, void *caller)
{
    if (IS_ENABLED(CONFIG_DEBUG)) {
        kite_pr_warn("%s %s%s%p%s used with interrupts off or a spinlock held (from %p on CPU %u): "
                     "refused\n",
                     what, name ? name : "", name ? " (" : "", obj, name ? ")" : "", caller,
                     kite_cpu());
    }
    return -KITE_EPERM;
}

static const char *thread_name(uintptr_t owner)
{
    const struct kite_thread *t = (const struct kite_thread *)(owner & ~KITE_MUTEX_WAITERS);

    return t ? kite_thread_name(t) : "nobody";
}

/* ---------------------------------------------------------------- mutex */

void kite_mutex_init_named(struct kite_mutex *m, const char *name)
{
    m->owner = 0;
    kite_waitq_init(&m->wq);
    m->name = name;
}

static __attribute__((noinline)) int mutex_lock_slow(struct kite_mutex *m, uintptr_t me,
                                                     uint64_t deadline)
{
    unsigned long flags = kite_waitq_lock(&m->wq);
    uintptr_t v;
    int rc;

    for (;;) {
        v = __atomic_load_n(&m->owner, __ATOMIC_RELAXED);
        if (v == 0) {
            /* Free: then nobody is queued (queued threads keep the bit set), so no barging. */
            if (__atomic_compare_exchange_n(&m->owner, &v, me, false, __ATOMIC_ACQUIRE,
                                            __ATOMIC_RELAXED)) {
                break;
            }
            continue;
        }
        /* With the bit set the owner's unlock comes here, under the queue's lock. */
        if (!(v & KITE_MUTEX_WAITERS) &&
            !__atomic_compare_exchange_n(&m->owner, &v, v | KITE_MUTEX_WAITERS, false,
                                         __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
            continue;
        }
        rc = kite_waitq_sleep(&m->wq, flags, deadline);
        if (rc == HANDED_OVER) {
            __atomic_thread_fence(__ATOMIC_ACQUIRE);
            return 0;
        }
        flags = kite_waitq_lock(&m->wq);
        if (rc == -KITE_ETIMEDOUT) {
            v = __atomic_load_n(&m->owner, __ATOMIC_RELAXED);
            while (v == 0) {
                /* Released to nobody while the timeout left the queue: ours after all. */
                if (__atomic_compare_exchange_n(&m->owner, &v, me, false, __ATOMIC_ACQUIRE,
                                                __ATOMIC_RELAXED)) {
                    kite_waitq_unlock(&m->wq, flags);
                    return 0;
                }
            }
            /* The last waiter gone: the owner's unlock may take the fast path again. */
            if ((v & KITE_MUTEX_WAITERS) && !kite_waitq_first_locked(&m->wq)) {
                __atomic_store_n(&m->owner, v & ~KITE_MUTEX_WAITERS, __ATOMIC_RELAXED);
            }
            kite_waitq_unlock(&m->wq, flags);
            return -KITE_ETIMEDOUT;
        }
    }
    kite_waitq_unlock(&m->wq, flags);
    return 0;
}

static inline int mutex_lock(struct kite_mutex *m, uintptr_t me, uint64_t deadline)
{
    uintptr_t v = 0;

    if (kite_likely(__atomic_compare_exchange_n(&m->owner, &v, me, false, __ATOMIC_ACQUIRE,
                                                __ATOMIC_RELAXED))) {
        return 0;
    }
    if ((v & ~KITE_MUTEX_WAITERS) == me) {
        return -KITE_EDEADLK;
    }
    return mutex_lock_slow(m, me, deadline);
}

int kite_mutex_lock(struct kite_mutex *m)
{
    if (kite_unlikely(cannot_block())) {
        return refuse("mutex", m->name, m, __builtin_return_address(0));
    }
    return mutex_lock(m, (uintptr_t)kite_thread_self(), KITE_FOREVER);
}

int kite_mutex_timedlock(struct kite_mutex *m, uint64_t deadline_ns)
{
    if (cannot_block()) {
        return refuse("mutex", m->name, m, __builtin_return_address(0));
    }
    return mutex_lock(m, (uintptr_t)kite_thread_self(), deadline_ns);
}

int kite_mutex_trylock(struct kite_mutex *m)
{
    uintptr_t me = (uintptr_t)kite_thread_self(), v = 0;

    if (cannot_block()) {
        return refuse("mutex", m->name, m, __builtin_return_address(0));
    }
    if (__atomic_compare_exchange_n(&m->owner, &v, me, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        return 0;
    }
    return (v & ~KITE_MUTEX_WAITERS) == me ? -KITE_EDEADLK : -KITE_EBUSY;
}

/* The caller holds @m and threads are queued: hand @m to the oldest. */
static __attribute__((noinline)) void mutex_unlock_slow(struct kite_mutex *m)
{
    unsigned long flags = kite_waitq_lock(&m->wq);
    struct kite_thread *next = kite_waitq_first_locked(&m->wq);

    if (!next) {
        /* The only waiter timed out and has not cleared the bit yet. */
        __atomic_store_n(&m->owner, 0, __ATOMIC_RELEASE);
    } else {
        /* Owner first: once woken, @next may unlock at once, on another CPU. */
        __atomic_store_n(&m->owner, (uintptr_t)next | KITE_MUTEX_WAITERS, __ATOMIC_RELEASE);
        kite_waitq_wake_one_locked(&m->wq, HANDED_OVER);
        /* With the bit set only holders of the queue's lock change the word: safe to clear. */
        if (!kite_waitq_first_locked(&m->wq)) {
            __atomic_store_n(&m->owner, (uintptr_t)next, __ATOMIC_RELAXED);
        }
    }
    kite_waitq_unlock(&m->wq, flags);
}

static __attribute__((noinline)) int not_owner(const struct kite_mutex *m, uintptr_t owner,
                                               void *caller)
{
    if (IS_ENABLED(CONFIG_DEBUG)) {
        kite_pr_warn("mutex %s (%p) unlocked by %s (from %p), which does not own it; owner: %s\n",
                     m->name ? m->name : "?", (const void *)m,
                     thread_name((uintptr_t)kite_thread_self()), caller, thread_name(owner));
    }
    return -KITE_EPERM;
}

/* Release @m, which the caller (@me) holds. */
static inline void mutex_release(struct kite_mutex *m, uintptr_t me)
{
    if (kite_unlikely(!__atomic_compare_exchange_n(&m->owner, &me, 0, false, __ATOMIC_RELEASE,
                                                   __ATOMIC_RELAXED))) {
        mutex_unlock_slow(m);
    }
}

int kite_mutex_unlock(struct kite_mutex *m)
{
    uintptr_t me = (uintptr_t)kite_thread_self(), v = me;

    if (kite_unlikely(cannot_block())) {
        return refuse("mutex", m->name, m, __builtin_return_address(0));
    }
    if (kite_likely(__atomic_compare_exchange_n(&m->owner, &v, 0, false, __ATOMIC_RELEASE,
                                                __ATOMIC_RELAXED))) {
        return 0;
    }
    if ((v & ~KITE_MUTEX_WAITERS) != me) {
        return not_owner(m, v, __builtin_return_address(0));
    }
    mutex_unlock_slow(m);
    return 0;
}

struct kite_thread *kite_mutex_owner(const struct kite_mutex *m)
{
    return (struct kite_thread *)(__atomic_load_n(&m->owner, __ATOMIC_RELAXED) &
                                  ~KITE_MUTEX_WAITERS);
}

bool kite_mutex_held(const struct kite_mutex *m)
{
    return kite_mutex_owner(m) == kite_thread_self();
}

/* ---------------------------------------------------------------- rwlock */

#define RW_WRITER  KITE_RWLOCK_WRITER
#define RW_WAITERS KITE_RWLOCK_WAITERS
#define RW_READER  KITE_RWLOCK_READER

/* A queued request, on the waiter's stack; the rwlock's list mirrors its wait queue. */
struct kite_rwlock_waiter {
    struct kite_rwlock_waiter *next;
    struct kite_thread *thread;
    bool write;
};

void kite_rwlock_init(struct kite_rwlock *rw)
{
    rw->state = 0;
    rw->writer = NULL;
    kite_waitq_init(&rw->wq);
    rw->head = rw->tail = NULL;
}

static struct kite_thread *rw_writer(const struct kite_rwlock *rw)
{
    return __atomic_load_n(&rw->writer, __ATOMIC_RELAXED);
}

/*
 * With the lock held and RW_WAITERS set in @v, the state once the caller's
 * release is done: admit the oldest requests that fit (a writer alone, or
 * every reader up to the next writer), then store the state.
 */
static void rw_hand_over(struct kite_rwlock *rw, unsigned long v)
{
    while (rw->head) {
        struct kite_rwlock_waiter *w = rw->head;

        if (w->write ? (v & ~RW_WAITERS) != 0 : (v & RW_WRITER) != 0) {
            break;
        }
        rw->head = w->next;
        if (!rw->head) {
            rw->tail = NULL;
        }
        if (w->write) {
            v |= RW_WRITER;
            __atomic_store_n(&rw->writer, w->thread, __ATOMIC_RELAXED);
        } else {
            v += RW_READER;
        }
        /* State first: once woken, the thread may release at once (it will need this lock). */
        __atomic_store_n(&rw->state, v, __ATOMIC_RELEASE);
        /* No timeouts here, so the queue's oldest is w's thread. w is gone after this. */
        kite_waitq_wake_one_locked(&rw->wq, HANDED_OVER);
    }
    if (!rw->head) {
        v &= ~RW_WAITERS;
    }
    __atomic_store_n(&rw->state, v, __ATOMIC_RELEASE);
}

static __attribute__((noinline)) int rw_lock_slow(struct kite_rwlock *rw, bool write,
                                                  struct kite_thread *me)
{
    struct kite_rwlock_waiter w = {NULL, me, write};
    unsigned long flags = kite_waitq_lock(&rw->wq), v;
    int rc;

    for (;;) {
        v = __atomic_load_n(&rw->state, __ATOMIC_RELAXED);
        if (v & RW_WAITERS) {
            break; /* others queued first: behind them */
        }
        if (write ? v == 0 : !(v & RW_WRITER)) {
            if (__atomic_compare_exchange_n(&rw->state, &v, write ? RW_WRITER : v + RW_READER,
                                            false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
                if (write) {
                    __atomic_store_n(&rw->writer, me, __ATOMIC_RELAXED);
                }
                kite_waitq_unlock(&rw->wq, flags);
                return 0;
            }
            continue;
        }
        if (__atomic_compare_exchange_n(&rw->state, &v, v | RW_WAITERS, false, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED)) {
            break;
        }
    }
    /* w lives on this stack while queued: the hand-over takes it off before waking us. */
    if (rw->tail) {
        rw->tail->next = &w;
    } else {
        // cppcheck-suppress autoVariables
        rw->head = &w;
    }
    // cppcheck-suppress autoVariables
    rw->tail = &w;
    rc = kite_waitq_sleep(&rw->wq, flags, KITE_FOREVER);
    KITE_BUG_ON(rc != HANDED_OVER);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return 0;
}

static int rw_read_lock(struct kite_rwlock *rw, bool wait, void *caller)
{
    unsigned long v;

    if (cannot_block()) {
        return refuse("rwlock", NULL, rw, caller);
    }
    v = __atomic_load_n(&rw->state, __ATOMIC_RELAXED);
    while (!(v & (RW_WRITER | RW_WAITERS))) {
        if (__atomic_compare_exchange_n(&rw->state, &v, v + RW_READER, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED)) {
            return 0;
        }
    }
    if (rw_writer(rw) == kite_thread_self()) {
        return -KITE_EDEADLK;
    }
    return wait ? rw_lock_slow(rw, false, kite_thread_self()) : -KITE_EBUSY;
}

static int rw_write_lock(struct kite_rwlock *rw, bool wait, void *caller)
{
    struct kite_thread *me = kite_thread_self();
    unsigned long v = 0;

    if (cannot_block()) {
        return refuse("rwlock", NULL, rw, caller);
    }
    if (__atomic_compare_exchange_n(&rw->state, &v, RW_WRITER, false, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED)) {
        __atomic_store_n(&rw->writer, me, __ATOMIC_RELAXED);
        return 0;
    }
    if (rw_writer(rw) == me) {
        return -KITE_EDEADLK;
    }
    return wait ? rw_lock_slow(rw, true, me) : -KITE_EBUSY;
}

int kite_rwlock_read_lock(struct kite_rwlock *rw)
{
    return rw_read_lock(rw, true, __builtin_return_address(0));
}

int kite_rwlock_write_lock(struct kite_rwlock *rw)
{
    return rw_write_lock(rw, true, __builtin_return_address(0));
}

int kite_rwlock_try_read_lock(struct kite_rwlock *rw)
{
    return rw_read_lock(rw, false, __builtin_return_address(0));
}

int kite_rwlock_try_write_lock(struct kite_rwlock *rw)
{
    return rw_write_lock(rw, false, __builtin_return_address(0));
}

int kite_rwlock_read_unlock(struct kite_rwlock *rw)
{
    unsigned long v = __atomic_load_n(&rw->state, __ATOMIC_RELAXED), flags;

    while (!(v & RW_WAITERS)) {
        if (v < RW_READER) {
            return -KITE_EPERM;
        }
        if (__atomic_compare_exchange_n(&rw->state, &v, v - RW_READER, false, __ATOMIC_RELEASE,
                                        __ATOMIC_RELAXED)) {
            return 0;
        }
    }
    flags = kite_waitq_lock(&rw->wq);
    for (;;) {
        v = __atomic_load_n(&rw->state, __ATOMIC_RELAXED);
        if (v < RW_READER) {
            kite_waitq_unlock(&rw->wq, flags);
            return -KITE_EPERM;
        }
        if (v & RW_WAITERS) {
            /* Stable under the lock now; the last reader out lets the queue in. */
            if (((v - RW_READER) & ~RW_WAITERS) == 0) {
                rw_hand_over(rw, v - RW_READER);
            } else {
                __atomic_store_n(&rw->state, v - RW_READER, __ATOMIC_RELEASE);
            }
            break;
        }
        /* The queue emptied meanwhile: the plain way. */
        if (__atomic_compare_exchange_n(&rw->state, &v, v - RW_READER, false, __ATOMIC_RELEASE,
                                        __ATOMIC_RELAXED)) {
            break;
        }
    }
    kite_waitq_unlock(&rw->wq, flags);
    return 0;
}

int kite_rwlock_write_unlock(struct kite_rwlock *rw)
{
    unsigned long v = RW_WRITER, flags;

    if (rw_writer(rw) != kite_thread_self()) {
        return -KITE_EPERM;
    }
    __atomic_store_n(&rw->writer, NULL, __ATOMIC_RELAXED);
    if (__atomic_compare_exchange_n(&rw->state, &v, 0, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
        return 0;
    }
    /* Threads wait; only a release hands over, so the bit stays set until we do. */
    flags = kite_waitq_lock(&rw->wq);
    rw_hand_over(rw, RW_WAITERS);
    kite_waitq_unlock(&rw->wq, flags);
    return 0;
}

/* ---------------------------------------------------------------- semaphore */

void kite_sem_init(struct kite_sem *s, unsigned int count)
{
    kite_waitq_init(&s->wq);
    s->count = count;
}

static int sem_down(struct kite_sem *s, uint64_t deadline, void *caller)
{
    unsigned long flags;
    int rc;

    if (cannot_block()) {
        return refuse("semaphore", NULL, s, caller);
    }
    flags = kite_waitq_lock(&s->wq);
    if (s->count) {
        s->count--;
        kite_waitq_unlock(&s->wq, flags);
        return 0;
    }
    /* A timeout leaves the queue under its lock, so kite_sem_up never gives it the unit. */
    rc = kite_waitq_sleep(&s->wq, flags, deadline);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return rc == HANDED_OVER ? 0 : rc;
}

int kite_sem_down(struct kite_sem *s)
{
    return sem_down(s, KITE_FOREVER, __builtin_return_address(0));
}

int kite_sem_timeddown(struct kite_sem *s, uint64_t deadline_ns)
{
    return sem_down(s, deadline_ns, __builtin_return_address(0));
}

int kite_sem_trydown(struct kite_sem *s)
{
    unsigned long flags = kite_waitq_lock(&s->wq);
    int rc = -KITE_EAGAIN;

    if (s->count) {
        s->count--;
        rc = 0;
    }
    kite_waitq_unlock(&s->wq, flags);
    return rc;
}

void kite_sem_up(struct kite_sem *s)
{
    unsigned long flags = kite_waitq_lock(&s->wq);

    if (!kite_waitq_wake_one_locked(&s->wq, HANDED_OVER)) {
        s->count++;
    }
    kite_waitq_unlock(&s->wq, flags);
}

/* ---------------------------------------------------------------- condition variable */

void kite_cond_init(struct kite_cond *c)
{
    kite_waitq_init(&c->wq);
}

int kite_cond_timedwait(struct kite_cond *c, struct kite_mutex *m, uint64_t deadline_ns)
{
    uintptr_t me = (uintptr_t)kite_thread_self(), owner;
    unsigned long flags;
    int rc;

    if (cannot_block()) {
        return refuse("condition variable", NULL, c, __builtin_return_address(0));
    }
    owner = __atomic_load_n(&m->owner, __ATOMIC_RELAXED);
    if ((owner & ~KITE_MUTEX_WAITERS) != me) {
        return not_owner(m, owner, __builtin_return_address(0));
    }
    /*
     * Queued before @m is released: a signaller that takes @m next, or
     * signals without it, finds us queued (it needs this lock to wake).
     */
    flags = kite_waitq_lock(&c->wq);
    mutex_release(m, me);
    rc = kite_waitq_sleep(&c->wq, flags, deadline_ns);
    mutex_lock(m, me, KITE_FOREVER);
    return rc == -KITE_ETIMEDOUT ? rc : 0;
}

int kite_cond_wait(struct kite_cond *c, struct kite_mutex *m)
{
    return kite_cond_timedwait(c, m, KITE_FOREVER);
}

void kite_cond_signal(struct kite_cond *c)
{
    unsigned long flags = kite_waitq_lock(&c->wq);

    kite_waitq_wake_one_locked(&c->wq, 0);
    kite_waitq_unlock(&c->wq, flags);
}

void kite_cond_broadcast(struct kite_cond *c)
{
    unsigned long flags = kite_waitq_lock(&c->wq);

    kite_waitq_wake_all_locked(&c->wq, 0);
    kite_waitq_unlock(&c->wq, flags);
}

/* ---------------------------------------------------------------- barrier */

int kite_barrier_init(struct kite_barrier *b, unsigned int count)
{
    if (count == 0) {
        return -KITE_EINVAL;
    }
    kite_waitq_init(&b->wq);
    b->count = count;
    b->arrived = 0;
    b->phase = 0;
    return 0;
}

int kite_barrier_wait(struct kite_barrier *b)
{
    unsigned long flags;
    unsigned int phase;

    if (cannot_block()) {
        return refuse("barrier", NULL, b, __builtin_return_address(0));
    }
    flags = kite_waitq_lock(&b->wq);
    if (++b->arrived == b->count) {
        /* The last to come: the phase ends. Those woken are off the queue, so the next
         * phase's waiters cannot be woken by this one's wake-up. */
        b->arrived = 0;
        b->phase++;
        kite_waitq_wake_all_locked(&b->wq, 0);
        kite_waitq_unlock(&b->wq, flags);
        return KITE_BARRIER_SERIAL_THREAD;
    }
    phase = b->phase;
    kite_waitq_sleep(&b->wq, flags, KITE_FOREVER);
    /* Only the phase's end wakes (no deadline), after moving the phase on. */
    KITE_BUG_ON(__atomic_load_n(&b->phase, __ATOMIC_ACQUIRE) == phase);
    return 0;
}
