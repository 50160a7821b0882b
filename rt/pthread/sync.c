/* SPDX-License-Identifier: MIT */
/*
 * POSIX mutexes, condition variables, barriers, rwlocks and spinlocks over
 * Kite's (<kite/sync.h>). Kite's objects are all valid as zeroed or
 * statically initialized data, so the PTHREAD_*_INITIALIZER objects need no
 * set-up on first use. A destroyed object is marked, and using it again is
 * EINVAL rather than undefined.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>

#include <kite/errno.h>
#include <kite/sync.h>
#include <kite/thread.h>
#include <kite/timer.h>
#include <kite/waitq.h>

#include "pthread_priv.h"

#define DESTROYED (-1)

static bool pshared_ok(int pshared)
{
    /* One address space: shared and private are the same thing. */
    return pshared == PTHREAD_PROCESS_PRIVATE || pshared == PTHREAD_PROCESS_SHARED;
}

/* ---------------------------------------------------------------- mutex attributes */

int pthread_mutexattr_init(pthread_mutexattr_t *attr)
{
    if (!attr) {
        return EINVAL;
    }
    attr->__type = PTHREAD_MUTEX_DEFAULT;
    attr->__pshared = PTHREAD_PROCESS_PRIVATE;
    attr->__magic = PT_ATTR_MAGIC;
    return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *attr)
{
    if (!attr || attr->__magic != PT_ATTR_MAGIC) {
        return EINVAL;
    }
    attr->__magic = 0;
    return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type)
{
    if (!attr || attr->__magic != PT_ATTR_MAGIC ||
        (type != PTHREAD_MUTEX_NORMAL && type != PTHREAD_MUTEX_RECURSIVE &&
         type != PTHREAD_MUTEX_ERRORCHECK)) {
        return EINVAL;
    }
    attr->__type = type;
    return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *attr, int *type)
{
    if (!attr || attr->__magic != PT_ATTR_MAGIC || !type) {
        return EINVAL;
    }
    *type = attr->__type;
    return 0;
}

int pthread_mutexattr_setpshared(pthread_mutexattr_t *attr, int pshared)
{
    if (!attr || attr->__magic != PT_ATTR_MAGIC || !pshared_ok(pshared)) {
        return EINVAL;
    }
    attr->__pshared = pshared;
    return 0;
}

int pthread_mutexattr_getpshared(const pthread_mutexattr_t *attr, int *pshared)
{
    if (!attr || attr->__magic != PT_ATTR_MAGIC || !pshared) {
        return EINVAL;
    }
    *pshared = attr->__pshared;
    return 0;
}

/* ---------------------------------------------------------------- mutexes */

static bool mutex_ok(const pthread_mutex_t *m)
{
    return m && (m->__type == PTHREAD_MUTEX_NORMAL || m->__type == PTHREAD_MUTEX_RECURSIVE ||
                 m->__type == PTHREAD_MUTEX_ERRORCHECK);
}

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
    if (!m || (attr && attr->__magic != PT_ATTR_MAGIC)) {
        return EINVAL;
    }
    kite_mutex_init_named(&m->__m, "pthread_mutex");
    m->__type = attr ? attr->__type : PTHREAD_MUTEX_DEFAULT;
    m->__depth = 0;
    return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
    if (!mutex_ok(m)) {
        return EINVAL;
    }
    if (kite_mutex_owner(&m->__m)) {
        return EBUSY;
    }
    m->__type = DESTROYED;
    return 0;
}

/* A recursive mutex the caller holds already: one more level. True when that was the case. */
static bool relock(pthread_mutex_t *m, int *rc)
{
    if (m->__type != PTHREAD_MUTEX_RECURSIVE || !kite_mutex_held(&m->__m)) {
        return false;
    }
    if (m->__depth == UINT_MAX) {
        *rc = EAGAIN;
    } else {
        m->__depth++;
        *rc = 0;
    }
    return true;
}

static int locked(pthread_mutex_t *m, int rc)
{
    if (rc == 0) {
        m->__depth = 1;
    }
    return pt_err(rc);
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
    int rc;

    if (!mutex_ok(m)) {
        return EINVAL;
    }
    if (relock(m, &rc)) {
        return rc;
    }
    return locked(m, kite_mutex_lock(&m->__m));
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
    int rc;

    if (!mutex_ok(m)) {
        return EINVAL;
    }
    if (relock(m, &rc)) {
        return rc;
    }
    rc = kite_mutex_trylock(&m->__m);
    /* POSIX's trylock says EBUSY when the caller holds it too. */
    return locked(m, rc == -KITE_EDEADLK ? -KITE_EBUSY : rc);
}

int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
    uint64_t deadline;
    int rc;

    if (!mutex_ok(m)) {
        return EINVAL;
    }
    if (relock(m, &rc)) {
        return rc;
    }
    rc = pt_deadline(CLOCK_REALTIME, abstime, &deadline);
    if (rc != 0) {
        return rc;
    }
    return locked(m, kite_mutex_timedlock(&m->__m, deadline));
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
    if (!mutex_ok(m)) {
        return EINVAL;
    }
    if (!kite_mutex_held(&m->__m)) {
        return EPERM;
    }
    if (m->__type == PTHREAD_MUTEX_RECURSIVE && --m->__depth > 0) {
        return 0;
    }
    m->__depth = 0;
    return pt_err(kite_mutex_unlock(&m->__m));
}

/* ---------------------------------------------------------------- condition variables */

int pthread_condattr_init(pthread_condattr_t *attr)
{
    if (!attr) {
        return EINVAL;
    }
    attr->__clock = CLOCK_REALTIME;
    attr->__pshared = PTHREAD_PROCESS_PRIVATE;
    attr->__magic = PT_ATTR_MAGIC;
    return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *attr)
{
    if (!attr || attr->__magic != PT_ATTR_MAGIC) {
        return EINVAL;
    }
    attr->__magic = 0;
    return 0;
}

int pthread_condattr_setclock(pthread_condattr_t *attr, clockid_t clock)
{
    if (!attr || attr->__magic != PT_ATTR_MAGIC ||
        (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)) {
        return EINVAL;
    }
    attr->__clock = clock;
    return 0;
}

int pthread_condattr_getclock(const pthread_condattr_t *attr, clockid_t *clock)
{
    if (!attr || attr->__magic != PT_ATTR_MAGIC || !clock) {
        return EINVAL;
    }
    *clock = attr->__clock;
    return 0;
}

int pthread_condattr_setpshared(pthread_condattr_t *attr, int pshared)
{
    if (!attr || attr->__magic != PT_ATTR_MAGIC || !pshared_ok(pshared)) {
        return EINVAL;
    }
    attr->__pshared = pshared;
    return 0;
}

int pthread_condattr_getpshared(const pthread_condattr_t *attr, int *pshared)
{
    if (!attr || attr->__magic != PT_ATTR_MAGIC || !pshared) {
        return EINVAL;
    }
    *pshared = attr->__pshared;
    return 0;
}

static bool cond_ok(const pthread_cond_t *c)
{
    return c && (c->__clock == CLOCK_REALTIME || c->__clock == CLOCK_MONOTONIC);
}

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
    if (!c || (attr && attr->__magic != PT_ATTR_MAGIC)) {
        return EINVAL;
    }
    kite_cond_init(&c->__c);
    c->__clock = attr ? attr->__clock : CLOCK_REALTIME;
    return 0;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
    unsigned long flags;
    bool waited;

    if (!cond_ok(c)) {
        return EINVAL;
    }
    flags = kite_waitq_lock(&c->__c.wq);
    waited = kite_waitq_first_locked(&c->__c.wq) != NULL;
    if (!waited) {
        c->__clock = DESTROYED;
    }
    kite_waitq_unlock(&c->__c.wq, flags);
    return waited ? EBUSY : 0;
}

/* Wait on @c until @deadline; a recursive mutex gets its depth back with the lock. */
static int cond_wait(pthread_cond_t *c, pthread_mutex_t *m, uint64_t deadline)
{
    unsigned int depth;
    int rc;

    if (!cond_ok(c) || !mutex_ok(m)) {
        return EINVAL;
    }
    if (!kite_mutex_held(&m->__m)) {
        return EPERM;
    }
    depth = m->__depth;
    rc = kite_cond_timedwait(&c->__c, &m->__m, deadline);
    if (rc != -KITE_EPERM) {
        m->__depth = depth;
    }
    return pt_err(rc);
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
    return cond_wait(c, m, KITE_FOREVER);
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
    uint64_t deadline;
    int rc;

    if (!cond_ok(c)) {
        return EINVAL;
    }
    rc = pt_deadline(c->__clock, abstime, &deadline);
    return rc != 0 ? rc : cond_wait(c, m, deadline);
}

int pthread_cond_signal(pthread_cond_t *c)
{
    if (!cond_ok(c)) {
        return EINVAL;
    }
    kite_cond_signal(&c->__c);
    return 0;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
    if (!cond_ok(c)) {
        return EINVAL;
    }
    kite_cond_broadcast(&c->__c);
    return 0;
}

/* ---------------------------------------------------------------- barriers */

int pthread_barrierattr_init(pthread_barrierattr_t *attr)
{
    if (!attr) {
        return EINVAL;
    }
    attr->__pshared = PTHREAD_PROCESS_PRIVATE;
    attr->__magic = PT_ATTR_MAGIC;
    return 0;
}

int pthread_barrierattr_destroy(pthread_barrierattr_t *attr)
{
    if (!attr || attr->__magic != PT_ATTR_MAGIC) {
        return EINVAL;
    }
    attr->__magic = 0;
    return 0;
}

int pthread_barrierattr_setpshared(pthread_barrierattr_t *attr, int pshared)
{
    if (!attr || attr->__magic != PT_ATTR_MAGIC || !pshared_ok(pshared)) {
        return EINVAL;
    }
    attr->__pshared = pshared;
    return 0;
}

int pthread_barrierattr_getpshared(const pthread_barrierattr_t *attr, int *pshared)
{
    if (!attr || attr->__magic != PT_ATTR_MAGIC || !pshared) {
        return EINVAL;
    }
    *pshared = attr->__pshared;
    return 0;
}

int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr,
                         unsigned int count)
{
    if (!b || count == 0 || (attr && attr->__magic != PT_ATTR_MAGIC)) {
        return EINVAL;
    }
    return pt_err(kite_barrier_init(&b->__b, count));
}

int pthread_barrier_destroy(pthread_barrier_t *b)
{
    unsigned long flags;
    int rc = 0;

    if (!b) {
        return EINVAL;
    }
    flags = kite_waitq_lock(&b->__b.wq);
    if (b->__b.count == 0) {
        rc = EINVAL;
    } else if (b->__b.arrived) {
        rc = EBUSY;
    } else {
        b->__b.count = 0;
    }
    kite_waitq_unlock(&b->__b.wq, flags);
    return rc;
}

int pthread_barrier_wait(pthread_barrier_t *b)
{
    int rc;

    if (!b || __atomic_load_n(&b->__b.count, __ATOMIC_RELAXED) == 0) {
        return EINVAL;
    }
    rc = kite_barrier_wait(&b->__b);
    if (rc == KITE_BARRIER_SERIAL_THREAD) {
        return PTHREAD_BARRIER_SERIAL_THREAD;
    }
    return pt_err(rc);
}

/* ---------------------------------------------------------------- rwlocks */

int pthread_rwlockattr_init(pthread_rwlockattr_t *attr)
{
    if (!attr) {
        return EINVAL;
    }
    attr->__pshared = PTHREAD_PROCESS_PRIVATE;
    attr->__magic = PT_ATTR_MAGIC;
    return 0;
}

int pthread_rwlockattr_destroy(pthread_rwlockattr_t *attr)
{
    if (!attr || attr->__magic != PT_ATTR_MAGIC) {
        return EINVAL;
    }
    attr->__magic = 0;
    return 0;
}

static bool rwlock_ok(const pthread_rwlock_t *rw)
{
    return rw && !rw->__dead;
}

int pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *attr)
{
    if (!rw || (attr && attr->__magic != PT_ATTR_MAGIC)) {
        return EINVAL;
    }
    kite_rwlock_init(&rw->__rw);
    rw->__dead = 0;
    return 0;
}

int pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
    if (!rwlock_ok(rw)) {
        return EINVAL;
    }
    if (__atomic_load_n(&rw->__rw.state, __ATOMIC_ACQUIRE) != 0) {
        return EBUSY;
    }
    rw->__dead = 1;
    return 0;
}

/*
 * The read locks this thread holds: Kite's rwlock counts readers but does
 * not know them, and POSIX wants a second read lock by a reader to succeed
 * even with a writer queued (Kite would queue it behind the writer: a
 * deadlock), a write lock by a reader to fail rather than hang, and an
 * unlock by a thread holding nothing to fail. Locks past READ_SLOTS are
 * counted without names: for those, the checks are skipped.
 */
#define READ_SLOTS PT_READ_SLOTS
#define read_hold  pt_read_hold

static struct read_hold *read_held(const pthread_rwlock_t *rw)
{
    struct read_hold *reads = pt_self_reads()->h;

    for (unsigned int i = 0; i < READ_SLOTS; i++) {
        if (reads[i].n && reads[i].rw == rw) {
            return &reads[i];
        }
    }
    return NULL;
}

static int note_read(pthread_rwlock_t *rw, int rc)
{
    struct read_hold *reads = pt_self_reads()->h;

    if (rc != 0) {
        return rc;
    }
    for (unsigned int i = 0; i < READ_SLOTS; i++) {
        if (!reads[i].n) {
            reads[i].rw = rw;
            reads[i].n = 1;
            return 0;
        }
    }
    pt_self_reads()->unnamed++;
    return 0;
}

/*
 * One more read hold for a thread that has one: no wait, even behind a
 * queued writer. Under the queue's lock, which every change of a queued
 * rwlock's state takes; the lock-free paths use compare-and-swap.
 */
static int read_again(pthread_rwlock_t *rw, struct read_hold *h)
{
    unsigned long flags;

    if (h->n == UINT_MAX) {
        return EAGAIN;
    }
    flags = kite_waitq_lock(&rw->__rw.wq);
    __atomic_add_fetch(&rw->__rw.state, KITE_RWLOCK_READER, __ATOMIC_ACQUIRE);
    kite_waitq_unlock(&rw->__rw.wq, flags);
    h->n++;
    return 0;
}

int pthread_rwlock_rdlock(pthread_rwlock_t *rw)
{
    struct read_hold *h;

    if (!rwlock_ok(rw)) {
        return EINVAL;
    }
    h = read_held(rw);
    return h ? read_again(rw, h) : note_read(rw, pt_err(kite_rwlock_read_lock(&rw->__rw)));
}

/* POSIX's try forms say EBUSY also when the caller holds the lock for writing. */
static int try_result(int rc)
{
    return rc == -KITE_EDEADLK ? EBUSY : pt_err(rc);
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t *rw)
{
    struct read_hold *h;

    if (!rwlock_ok(rw)) {
        return EINVAL;
    }
    h = read_held(rw);
    return h ? read_again(rw, h) : note_read(rw, try_result(kite_rwlock_try_read_lock(&rw->__rw)));
}

int pthread_rwlock_wrlock(pthread_rwlock_t *rw)
{
    if (!rwlock_ok(rw)) {
        return EINVAL;
    }
    /* Waiting for itself to stop reading would never end. */
    if (read_held(rw)) {
        return EDEADLK;
    }
    return pt_err(kite_rwlock_write_lock(&rw->__rw));
}

int pthread_rwlock_trywrlock(pthread_rwlock_t *rw)
{
    if (!rwlock_ok(rw)) {
        return EINVAL;
    }
    if (read_held(rw)) {
        return EBUSY;
    }
    return try_result(kite_rwlock_try_write_lock(&rw->__rw));
}

int pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
    struct read_hold *h;

    if (!rwlock_ok(rw)) {
        return EINVAL;
    }
    if (__atomic_load_n(&rw->__rw.writer, __ATOMIC_ACQUIRE) == kite_thread_self()) {
        return pt_err(kite_rwlock_write_unlock(&rw->__rw));
    }
    h = read_held(rw);
    if (h) {
        h->n--;
    } else if (pt_self_reads()->unnamed) {
        pt_self_reads()->unnamed--;
    } else {
        return EPERM;
    }
    return pt_err(kite_rwlock_read_unlock(&rw->__rw));
}

/* ---------------------------------------------------------------- spinlocks */

#define SPIN_DEAD 1ul
/* Spins before the waiter yields its CPU (the holder may be waiting for that CPU). */
#define SPINS_BEFORE_YIELD 1000

int pthread_spin_init(pthread_spinlock_t *s, int pshared)
{
    if (!s || !pshared_ok(pshared)) {
        return EINVAL;
    }
    __atomic_store_n(&s->__owner, 0, __ATOMIC_RELEASE);
    return 0;
}

int pthread_spin_destroy(pthread_spinlock_t *s)
{
    unsigned long owner;

    if (!s) {
        return EINVAL;
    }
    owner = __atomic_load_n(&s->__owner, __ATOMIC_ACQUIRE);
    if (owner == SPIN_DEAD) {
        return EINVAL;
    }
    if (owner != 0 || !__atomic_compare_exchange_n(&s->__owner, &owner, SPIN_DEAD, false,
                                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        return EBUSY;
    }
    return 0;
}

/* One attempt: 0, EBUSY, EDEADLK (the caller holds it) or EINVAL (destroyed). */
static int spin_try(pthread_spinlock_t *s, unsigned long self)
{
    unsigned long owner = __atomic_load_n(&s->__owner, __ATOMIC_RELAXED);

    if (owner == self) {
        return EDEADLK;
    }
    if (owner == SPIN_DEAD) {
        return EINVAL;
    }
    if (owner == 0 && __atomic_compare_exchange_n(&s->__owner, &owner, self, false,
                                                  __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        return 0;
    }
    return EBUSY;
}

int pthread_spin_lock(pthread_spinlock_t *s)
{
    unsigned long self = (unsigned long)kite_thread_self();
    int rc;

    if (!s) {
        return EINVAL;
    }
    for (unsigned int spins = 1; (rc = spin_try(s, self)) == EBUSY; spins++) {
        if (spins % SPINS_BEFORE_YIELD == 0) {
            kite_thread_yield();
        } else {
            __asm__ volatile("pause" ::: "memory");
        }
    }
    return rc;
}

int pthread_spin_trylock(pthread_spinlock_t *s)
{
    int rc;

    if (!s) {
        return EINVAL;
    }
    rc = spin_try(s, (unsigned long)kite_thread_self());
    return rc == EDEADLK ? EBUSY : rc;
}

int pthread_spin_unlock(pthread_spinlock_t *s)
{
    if (!s) {
        return EINVAL;
    }
    if (__atomic_load_n(&s->__owner, __ATOMIC_RELAXED) != (unsigned long)kite_thread_self()) {
        return EPERM;
    }
    __atomic_store_n(&s->__owner, 0, __ATOMIC_RELEASE);
    return 0;
}
