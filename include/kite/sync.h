/* SPDX-License-Identifier: MIT */
/*
 * Synchronization between threads: atomics, and blocking mutexes, rwlocks,
 * semaphores, condition variables and barriers built on wait queues
 * (<kite/waitq.h>). A thread that cannot go on blocks (other threads run on
 * its CPU) instead of spinning, so all of them work on a 1-CPU machine; for
 * short sections shared with interrupt handlers use <kite/spinlock.h>.
 *
 *     static struct kite_mutex lock = KITE_MUTEX_INIT(lock);
 *     static struct kite_cond ready = KITE_COND_INIT;
 *
 *     kite_mutex_lock(&lock);
 *     while (!job_done) {
 *         kite_cond_wait(&ready, &lock);
 *     }
 *     kite_mutex_unlock(&lock);
 *
 * Waiters are served oldest first and a released lock or semaphore unit is
 * handed straight to the oldest waiter, so no thread starves and none
 * barges ahead of those already waiting. Deadlines are absolute
 * kite_time_ns() values (KITE_FOREVER: none). Misuse gives an error, not a
 * crash: unlocking what the caller does not hold is -KITE_EPERM, locking
 * what it already holds -KITE_EDEADLK, and calls that block or own are
 * refused (-KITE_EPERM) with interrupts off or a spinlock held: that is how
 * an interrupt handler or timer callback runs. So they work in any thread
 * and in kite_main, on any number of CPUs, but not in KITE_INIT hooks (boot
 * runs with interrupts off). The calls that never block and own nothing
 * (kite_sem_up, kite_sem_trydown, kite_cond_signal, kite_cond_broadcast)
 * work anywhere, interrupt handlers and timer callbacks included.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>
#include <kite/waitq.h>

struct kite_thread;

/*
 * Atomics: an int (kite_atomic_t) or an int64_t (kite_atomic64_t) that is
 * only read and written whole. Loads acquire, stores release, and every
 * read-modify-write is a full barrier (a locked instruction on x86).
 */
typedef struct {
    int v;
} kite_atomic_t;

typedef struct {
    int64_t v;
} kite_atomic64_t;

#define KITE_ATOMIC_INIT(i) \
    {                       \
        (i)                 \
    }

/*
 * The same operations for both widths (T the type, V its value type):
 *   load, store;
 *   add, sub, inc, dec: return the new value;
 *   fetch_add, xchg: return the old value;
 *   cmpxchg(a, old, new): store @new when the value is @old; return the
 *   value found (== @old: it was stored).
 */
#define KITE_ATOMIC_OPS(name, T, V)                                                               \
    static inline V name##_load(const T *a)                                                       \
    {                                                                                             \
        return __atomic_load_n(&a->v, __ATOMIC_ACQUIRE);                                          \
    }                                                                                             \
    static inline void name##_store(T *a, V i)                                                    \
    {                                                                                             \
        __atomic_store_n(&a->v, i, __ATOMIC_RELEASE);                                             \
    }                                                                                             \
    static inline V name##_add(T *a, V i)                                                         \
    {                                                                                             \
        return __atomic_add_fetch(&a->v, i, __ATOMIC_SEQ_CST);                                    \
    }                                                                                             \
    static inline V name##_sub(T *a, V i)                                                         \
    {                                                                                             \
        return __atomic_sub_fetch(&a->v, i, __ATOMIC_SEQ_CST);                                    \
    }                                                                                             \
    static inline V name##_fetch_add(T *a, V i)                                                   \
    {                                                                                             \
        return __atomic_fetch_add(&a->v, i, __ATOMIC_SEQ_CST);                                    \
    }                                                                                             \
    static inline V name##_inc(T *a)                                                              \
    {                                                                                             \
        return __atomic_add_fetch(&a->v, 1, __ATOMIC_SEQ_CST);                                    \
    }                                                                                             \
    static inline V name##_dec(T *a)                                                              \
    {                                                                                             \
        return __atomic_sub_fetch(&a->v, 1, __ATOMIC_SEQ_CST);                                    \
    }                                                                                             \
    static inline V name##_xchg(T *a, V i)                                                        \
    {                                                                                             \
        return __atomic_exchange_n(&a->v, i, __ATOMIC_SEQ_CST);                                   \
    }                                                                                             \
    static inline V name##_cmpxchg(T *a, V old, V new)                                            \
    {                                                                                             \
        __atomic_compare_exchange_n(&a->v, &old, new, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
        return old;                                                                               \
    }

KITE_ATOMIC_OPS(kite_atomic, kite_atomic_t, int)
KITE_ATOMIC_OPS(kite_atomic64, kite_atomic64_t, int64_t)
#undef KITE_ATOMIC_OPS

/*
 * Mutex: a blocking lock with an owner. Taking a free mutex and releasing
 * one nobody waits for are one compare-and-swap each; a thread that finds
 * it held queues and sleeps, and unlock hands the mutex to the oldest
 * waiter directly. Not recursive.
 */
struct kite_mutex {
    /* The owning thread, with KITE_MUTEX_WAITERS set while threads wait; 0 when free. */
    uintptr_t owner;
    struct kite_waitq wq; /* its lock guards KITE_MUTEX_WAITERS and handing over */
    const char *name;     /* for warnings */
};

#define KITE_MUTEX_WAITERS 1ul

/* A static mutex: static struct kite_mutex lock = KITE_MUTEX_INIT(lock); */
#define KITE_MUTEX_INIT(var)     \
    {                            \
        0, KITE_WAITQ_INIT, #var \
    }

/* Prepare @m (free), named after the expression passed, for warnings. */
#define kite_mutex_init(m) kite_mutex_init_named((m), #m)
void kite_mutex_init_named(struct kite_mutex *m, const char *name);

/*
 * Take @m, waiting as long as it takes. 0, -KITE_EDEADLK when the caller
 * already holds it, -KITE_EPERM from interrupt context (interrupts off or a
 * spinlock held).
 */
int kite_mutex_lock(struct kite_mutex *m);

/* Take @m when it is free: 0, -KITE_EBUSY (held by another), -KITE_EDEADLK, -KITE_EPERM. */
KITE_MUST_CHECK int kite_mutex_trylock(struct kite_mutex *m);

/*
 * Take @m, waiting until kite_time_ns() reaches @deadline_ns at most:
 * 0, -KITE_ETIMEDOUT, -KITE_EDEADLK, -KITE_EPERM.
 */
KITE_MUST_CHECK int kite_mutex_timedlock(struct kite_mutex *m, uint64_t deadline_ns);

/*
 * Release @m, handing it to the oldest waiter if any. 0, or -KITE_EPERM when
 * the caller does not hold it (debug builds also log a warning naming the
 * mutex, its owner and the caller) or is in interrupt context.
 */
int kite_mutex_unlock(struct kite_mutex *m);

/* The thread holding @m, or NULL (a snapshot: it may change at once). */
struct kite_thread *kite_mutex_owner(const struct kite_mutex *m);

/* True when the calling thread holds @m (for assertions). */
bool kite_mutex_held(const struct kite_mutex *m);

/*
 * Readers-writer lock: many readers or one writer. Requests are served in
 * the order they came: once a writer waits, readers that come later queue
 * behind it, and when a writer releases, the readers queued next all enter
 * together. Neither side starves. Like the mutex, taking and releasing it
 * when nobody waits is one compare-and-swap. Only the writer is known by
 * identity.
 */
struct kite_rwlock_waiter;

struct kite_rwlock {
    /* KITE_RWLOCK_READER per reader, or KITE_RWLOCK_WRITER; KITE_RWLOCK_WAITERS while queued. */
    unsigned long state;
    struct kite_thread *writer; /* the thread holding it for writing, or NULL */
    struct kite_waitq wq; /* its lock guards the queue, KITE_RWLOCK_WAITERS and handing over */
    /* What each queued thread asked for, in the wait queue's order. */
    struct kite_rwlock_waiter *head, *tail;
};

#define KITE_RWLOCK_WRITER  1ul
#define KITE_RWLOCK_WAITERS 2ul
#define KITE_RWLOCK_READER  4ul

#define KITE_RWLOCK_INIT                     \
    {                                        \
        0, NULL, KITE_WAITQ_INIT, NULL, NULL \
    }

void kite_rwlock_init(struct kite_rwlock *rw);

/*
 * Take @rw for reading (writing), waiting as long as it takes. 0,
 * -KITE_EDEADLK when the caller holds it for writing, -KITE_EPERM from
 * interrupt context.
 */
int kite_rwlock_read_lock(struct kite_rwlock *rw);
int kite_rwlock_write_lock(struct kite_rwlock *rw);

/* Take @rw without waiting: 0, -KITE_EBUSY (or a waiter is ahead), -KITE_EDEADLK, -KITE_EPERM. */
KITE_MUST_CHECK int kite_rwlock_try_read_lock(struct kite_rwlock *rw);
KITE_MUST_CHECK int kite_rwlock_try_write_lock(struct kite_rwlock *rw);

/*
 * Release a read (write) hold of @rw: 0, or -KITE_EPERM when nobody reads
 * (the caller is not the writer).
 */
int kite_rwlock_read_unlock(struct kite_rwlock *rw);
int kite_rwlock_write_unlock(struct kite_rwlock *rw);

/*
 * Counting semaphore. kite_sem_up gives a unit straight to the oldest
 * waiter, so a thread that comes later cannot take it first.
 */
struct kite_sem {
    struct kite_waitq wq; /* its lock guards count */
    unsigned int count;   /* units free; non-zero only when nobody waits */
};

#define KITE_SEM_INIT(n)     \
    {                        \
        KITE_WAITQ_INIT, (n) \
    }

void kite_sem_init(struct kite_sem *s, unsigned int count);

/* Take a unit, waiting as long as it takes: 0, or -KITE_EPERM from interrupt context. */
int kite_sem_down(struct kite_sem *s);

/* Take a unit when one is free: 0 or -KITE_EAGAIN (also from interrupt handlers). */
KITE_MUST_CHECK int kite_sem_trydown(struct kite_sem *s);

/* Take a unit, waiting until @deadline_ns at most: 0, -KITE_ETIMEDOUT, -KITE_EPERM. */
KITE_MUST_CHECK int kite_sem_timeddown(struct kite_sem *s, uint64_t deadline_ns);

/* Give a unit back (to the oldest waiter if any). From any context. */
void kite_sem_up(struct kite_sem *s);

/*
 * Condition variable, used with a mutex the waiter holds. The waiter is
 * queued before the mutex is released, so a signal sent by a thread that
 * took the mutex after it (or by one that signals without it) is never
 * lost. No spurious wake-ups, but re-check the condition in a loop anyway:
 * another thread may take the mutex first and change it.
 */
struct kite_cond {
    struct kite_waitq wq;
};

#define KITE_COND_INIT  \
    {                   \
        KITE_WAITQ_INIT \
    }

void kite_cond_init(struct kite_cond *c);

/*
 * Release @m, wait for a signal, take @m back. 0, or -KITE_EPERM when the
 * caller does not hold @m or is in interrupt context (then nothing was
 * released or waited for).
 */
int kite_cond_wait(struct kite_cond *c, struct kite_mutex *m);

/*
 * The same, waiting until @deadline_ns at most: 0, -KITE_ETIMEDOUT (or
 * -KITE_EPERM as above). @m is held again on return in every case but
 * -KITE_EPERM.
 */
int kite_cond_timedwait(struct kite_cond *c, struct kite_mutex *m, uint64_t deadline_ns);

/* Wake the oldest waiter (every waiter); nothing when none waits. From any context. */
void kite_cond_signal(struct kite_cond *c);
void kite_cond_broadcast(struct kite_cond *c);

/*
 * Barrier for a fixed number of threads, reusable: each kite_barrier_wait
 * blocks until @count threads have called it, then all go on and the next
 * phase starts.
 */
struct kite_barrier {
    struct kite_waitq wq; /* its lock guards the fields below */
    unsigned int count;   /* threads per phase */
    unsigned int arrived; /* threads waiting in this phase */
    unsigned int phase;   /* phases completed */
};

#define KITE_BARRIER_SERIAL_THREAD 1

#define KITE_BARRIER_INIT(n)       \
    {                              \
        KITE_WAITQ_INIT, (n), 0, 0 \
    }

/* Prepare @b for @count threads: 0, or -KITE_EINVAL for a count of 0. */
KITE_MUST_CHECK int kite_barrier_init(struct kite_barrier *b, unsigned int count);

/*
 * Wait for the rest of this phase's threads. Returns
 * KITE_BARRIER_SERIAL_THREAD in exactly one thread of each phase (the last
 * to arrive) and 0 in the others; -KITE_EPERM from interrupt context.
 */
int kite_barrier_wait(struct kite_barrier *b);
