/* SPDX-License-Identifier: MIT */
/*
 * Synchronization under a booted kernel. For each primitive, threads bound
 * two per CPU on every CPU contend and its invariant must hold: a mutex
 * admits one holder and loses no increment (also with timed locks timing
 * out meanwhile), an rwlock never lets a writer in with anyone else, a
 * semaphore of k never admits more than k, a condition variable passes
 * every item exactly once and loses no signal, a barrier's phases never
 * overlap. Releases hand over to the oldest waiter (no barging), writers
 * are not starved by readers, timeouts come after their deadline, misuse
 * gives errors, and memory is as it was afterwards. Each test is bounded:
 * contention runs for a number of iterations or a time budget, whichever
 * ends first (emulated CPUs may run slowly on a loaded host), and a
 * watchdog turns a hang into a failure where a lost wake-up could hang.
 */
#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/mm.h>
#include <kite/numa.h>
#include <kite/spinlock.h>
#include <kite/sync.h>
#include <kite/test.h>
#include <kite/thread.h>
#include <kite/timer.h>

#define PER_CPU     2
#define MAX_THREADS 64
#define BUDGET_NS   (700 * KITE_NSEC_PER_MSEC)
#define WATCHDOG_NS (BUDGET_NS + 3 * KITE_NSEC_PER_SEC)

static struct kite_thread *crowd[MAX_THREADS];
static uint64_t stop_at;               /* workers stop at this time or after their iterations */
static unsigned int done[MAX_THREADS]; /* iterations each worker completed */

static bool go_on(unsigned int i, unsigned int iters)
{
    return i < iters && kite_time_ns() < stop_at;
}

static unsigned long all_done(unsigned int n)
{
    unsigned long sum = 0;

    for (unsigned int i = 0; i < n; i++) {
        sum += done[i];
    }
    return sum;
}

/*
 * Threads @fn(index), PER_CPU bound to each online CPU, with @budget_ns to
 * work; how many started (0 on failure).
 */
static unsigned int spawn(kite_thread_fn fn, uint64_t budget_ns)
{
    unsigned int n = KITE_MIN(arch_cpus_online() * PER_CPU, MAX_THREADS);

    for (unsigned int i = 0; i < n; i++) {
        done[i] = 0;
    }
    stop_at = kite_time_ns() + budget_ns;

    for (unsigned int i = 0; i < n; i++) {
        struct kite_thread_attr attr = {.cpu = (int)(i % arch_cpus_online()), .name = "sync"};

        if (kite_thread_create(&crowd[i], fn, (void *)(uintptr_t)i, &attr)) {
            while (i--) {
                if (kite_thread_join(crowd[i], NULL)) {
                    break;
                }
            }
            return 0;
        }
    }
    return n;
}

/* Join the @n threads of spawn; the number of them that returned non-NULL (failures). */
static unsigned int join_all(unsigned int n)
{
    unsigned int bad = 0;

    for (unsigned int i = 0; i < n; i++) {
        void *ret = NULL;

        if (kite_thread_join(crowd[i], &ret) || ret) {
            bad++;
        }
    }
    return bad;
}

static void note_max(volatile unsigned int *max, unsigned int v)
{
    unsigned int m = *max;

    while (v > m &&
           !__atomic_compare_exchange_n(max, &m, v, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

/* A read-modify-write the compiler cannot merge: lost updates show when exclusion fails. */
static void bump(unsigned long *counter)
{
    unsigned long v = KITE_READ_ONCE(*counter);

    arch_pause();
    KITE_WRITE_ONCE(*counter, v + 1);
}

/* ---------------------------------------------------------------- mutex */

#define MUTEX_ITERS 400

static struct kite_mutex mtx = KITE_MUTEX_INIT(mtx);
static unsigned long mtx_counter;
static volatile unsigned int holders, max_holders, timeouts;

/* Holding mtx: count holders and the counter, yield every @every-th time, unlock; false on error.
 */
static bool inside_mutex(unsigned int turn, unsigned int every)
{
    note_max(&max_holders, __atomic_add_fetch(&holders, 1, __ATOMIC_RELAXED));
    bump(&mtx_counter);
    if (turn % every == 0) {
        kite_thread_yield(); /* others on this CPU run and find it held */
    }
    __atomic_sub_fetch(&holders, 1, __ATOMIC_RELAXED);
    return kite_mutex_unlock(&mtx) == 0;
}

static void *mutex_worker(void *arg)
{
    unsigned int id = (unsigned int)(uintptr_t)arg;

    unsigned int i;

    for (i = 0; go_on(i, MUTEX_ITERS); i++) {
        if (kite_mutex_lock(&mtx)) {
            return (void *)1;
        }
        if (!inside_mutex(i + id, 8)) {
            return (void *)1;
        }
    }
    done[id] = i;
    return NULL;
}

KITE_TEST(sync, mutex_excludes_on_all_cpus)
{
    unsigned int n;

    mtx_counter = 0;
    max_holders = 0;
    n = spawn(mutex_worker, BUDGET_NS);
    KITE_ASSERT(n);
    KITE_EXPECT_EQ(join_all(n), 0);
    KITE_EXPECT_EQ(mtx_counter, all_done(n));
    KITE_EXPECT(all_done(n) >= n);
    KITE_EXPECT_EQ(max_holders, 1);
    KITE_EXPECT_EQ(mtx.owner, 0); /* free, and no waiter bit left behind */
}

/* Timed locks that give up (short deadlines) mixed with hand-overs. */
static void *timed_worker(void *arg)
{
    unsigned int id = (unsigned int)(uintptr_t)arg;

    unsigned int i;

    for (i = 0; go_on(i, MUTEX_ITERS / 2);) {
        int rc = kite_mutex_timedlock(&mtx, kite_time_ns() + 20 * KITE_NSEC_PER_USEC);

        if (rc == -KITE_ETIMEDOUT) {
            __atomic_add_fetch(&timeouts, 1, __ATOMIC_RELAXED);
            continue;
        }
        if (rc) {
            return (void *)1;
        }
        if (!inside_mutex(i + id, 4)) {
            return (void *)1;
        }
        i++;
    }
    done[id] = i;
    return NULL;
}

KITE_TEST(sync, mutex_timedlock_under_contention)
{
    unsigned int n;

    mtx_counter = 0;
    max_holders = 0;
    timeouts = 0;
    n = spawn(timed_worker, BUDGET_NS);
    KITE_ASSERT(n);
    KITE_EXPECT_EQ(join_all(n), 0);
    KITE_EXPECT_EQ(mtx_counter, all_done(n));
    KITE_EXPECT(all_done(n) >= n);
    KITE_EXPECT_EQ(max_holders, 1);
    KITE_EXPECT_EQ(mtx.owner, 0);
}

/* A thread that takes a mutex, says so, and holds it until told to let go. */
struct holder {
    struct kite_mutex *m;
    volatile bool got, release;
};

static void *hold_until_told(void *arg)
{
    struct holder *h = arg;

    if (kite_mutex_lock(h->m)) {
        return (void *)1;
    }
    __atomic_store_n(&h->got, true, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&h->release, __ATOMIC_ACQUIRE)) {
        kite_sleep_ns(100 * KITE_NSEC_PER_USEC);
    }
    return kite_mutex_unlock(h->m) ? (void *)1 : NULL;
}

/* Wait (bounded) until @word, a mutex's owner word, shows @bits. */
static bool wait_for(const uintptr_t *word, uintptr_t bits)
{
    uint64_t end = kite_time_ns() + KITE_NSEC_PER_SEC;

    while ((KITE_READ_ONCE(*word) & bits) != bits && kite_time_ns() < end) {
        kite_thread_yield();
    }
    return (KITE_READ_ONCE(*word) & bits) == bits;
}

KITE_TEST(sync, mutex_unlock_hands_over_to_the_waiter)
{
    struct kite_thread_attr attr = {.cpu = (int)arch_cpus_online() - 1, .name = "waiter"};
    struct kite_mutex m;
    struct holder h = {&m, false, false};
    struct kite_thread *t;

    kite_mutex_init(&m);
    KITE_ASSERT(kite_mutex_lock(&m) == 0);
    KITE_ASSERT(kite_thread_create(&t, hold_until_told, &h, &attr) == 0);
    KITE_EXPECT(wait_for(&m.owner, KITE_MUTEX_WAITERS));
    KITE_EXPECT_EQ(kite_mutex_unlock(&m), 0);
    /* The waiter's now, whether it has run yet or not: the caller cannot barge back in. */
    KITE_EXPECT(kite_mutex_owner(&m) == t);
    KITE_EXPECT_EQ(kite_mutex_trylock(&m), -KITE_EBUSY);
    KITE_EXPECT_EQ(kite_mutex_unlock(&m), -KITE_EPERM);
    h.release = true;
    KITE_EXPECT_EQ(kite_thread_join(t, NULL), 0);
    KITE_EXPECT(h.got);
    KITE_EXPECT_EQ(m.owner, 0);
}

KITE_TEST(sync, mutex_misuse_gives_errors)
{
    struct kite_thread_attr attr = {.cpu = (int)arch_cpus_online() - 1, .name = "holder"};
    struct kite_mutex m = KITE_MUTEX_INIT(m);
    struct holder h = {&m, false, false};
    struct kite_spinlock spin = KITE_SPINLOCK_INIT;
    struct kite_thread *t;
    unsigned long flags;
    uint64_t t0;

    KITE_EXPECT_EQ(kite_mutex_unlock(&m), -KITE_EPERM); /* nobody holds it */
    KITE_ASSERT(kite_mutex_lock(&m) == 0);
    KITE_EXPECT(kite_mutex_held(&m));
    KITE_EXPECT(kite_mutex_owner(&m) == kite_thread_self());
    KITE_EXPECT_EQ(kite_mutex_lock(&m), -KITE_EDEADLK);
    KITE_EXPECT_EQ(kite_mutex_trylock(&m), -KITE_EDEADLK);
    KITE_EXPECT_EQ(kite_mutex_timedlock(&m, KITE_FOREVER), -KITE_EDEADLK);
    KITE_EXPECT_EQ(kite_mutex_unlock(&m), 0);
    KITE_EXPECT_EQ(kite_mutex_unlock(&m), -KITE_EPERM); /* twice */

    /* Interrupt context: interrupts off, or a spinlock held. */
    flags = arch_irq_save();
    KITE_EXPECT_EQ(kite_mutex_lock(&m), -KITE_EPERM);
    KITE_EXPECT_EQ(kite_mutex_trylock(&m), -KITE_EPERM);
    arch_irq_restore(flags);
    kite_spin_lock(&spin);
    KITE_EXPECT_EQ(kite_mutex_lock(&m), -KITE_EPERM);
    kite_spin_unlock(&spin);
    KITE_EXPECT(kite_mutex_owner(&m) == NULL);

    /* Held by another thread: not ours to unlock; a timed lock gives up after its deadline. */
    KITE_ASSERT(kite_thread_create(&t, hold_until_told, &h, &attr) == 0);
    t0 = kite_time_ns();
    while (!__atomic_load_n(&h.got, __ATOMIC_ACQUIRE) && kite_time_ns() - t0 < KITE_NSEC_PER_SEC) {
        kite_thread_yield();
    }
    KITE_ASSERT(kite_mutex_owner(&m) == t);
    KITE_EXPECT_EQ(kite_mutex_unlock(&m), -KITE_EPERM);
    KITE_EXPECT_EQ(kite_mutex_trylock(&m), -KITE_EBUSY);
    t0 = kite_time_ns();
    KITE_EXPECT_EQ(kite_mutex_timedlock(&m, t0 + 5 * KITE_NSEC_PER_MSEC), -KITE_ETIMEDOUT);
    KITE_EXPECT(kite_time_ns() - t0 >= 5 * KITE_NSEC_PER_MSEC);
    /* Not stuck until some other wake-up (generous: a busy host may stall the emulated CPU). */
    KITE_EXPECT(kite_time_ns() - t0 < 5 * KITE_NSEC_PER_SEC);
    KITE_EXPECT_EQ(m.owner, (uintptr_t)t); /* still its, the waiter bit cleared again */
    __atomic_store_n(&h.release, true, __ATOMIC_RELEASE);
    KITE_EXPECT_EQ(kite_thread_join(t, NULL), 0);
    KITE_EXPECT_EQ(m.owner, 0);
}

/* ---------------------------------------------------------------- rwlock */

#define RW_ITERS 300

static struct kite_rwlock rw = KITE_RWLOCK_INIT;
static volatile unsigned int readers_in, writers_in, rw_violations, max_readers;
static unsigned long rw_data, rw_writes;

static void *rw_worker(void *arg)
{
    unsigned int id = (unsigned int)(uintptr_t)arg;

    unsigned int i;

    for (i = 0; go_on(i, RW_ITERS); i++) {
        if ((i + id) % 4 == 0) {
            if (kite_rwlock_write_lock(&rw)) {
                return (void *)1;
            }
            if (__atomic_add_fetch(&writers_in, 1, __ATOMIC_SEQ_CST) != 1 ||
                __atomic_load_n(&readers_in, __ATOMIC_SEQ_CST)) {
                __atomic_add_fetch(&rw_violations, 1, __ATOMIC_RELAXED);
            }
            bump(&rw_data);
            __atomic_add_fetch(&rw_writes, 1, __ATOMIC_RELAXED);
            if (i % 8 == 0) {
                kite_thread_yield();
            }
            __atomic_sub_fetch(&writers_in, 1, __ATOMIC_SEQ_CST);
            if (kite_rwlock_write_unlock(&rw)) {
                return (void *)1;
            }
        } else {
            if (kite_rwlock_read_lock(&rw)) {
                return (void *)1;
            }
            note_max(&max_readers, __atomic_add_fetch(&readers_in, 1, __ATOMIC_SEQ_CST));
            if (__atomic_load_n(&writers_in, __ATOMIC_SEQ_CST)) {
                __atomic_add_fetch(&rw_violations, 1, __ATOMIC_RELAXED);
            }
            if (i % 4 == 1) {
                kite_thread_yield(); /* other readers of this CPU come in meanwhile */
            }
            __atomic_sub_fetch(&readers_in, 1, __ATOMIC_SEQ_CST);
            if (kite_rwlock_read_unlock(&rw)) {
                return (void *)1;
            }
        }
    }
    done[id] = i;
    return NULL;
}

KITE_TEST(sync, rwlock_excludes_writers_on_all_cpus)
{
    unsigned int n;

    rw_violations = 0;
    max_readers = 0;
    rw_data = rw_writes = 0;
    n = spawn(rw_worker, BUDGET_NS);
    KITE_ASSERT(n);
    KITE_EXPECT_EQ(join_all(n), 0);
    KITE_EXPECT_EQ(rw_violations, 0);
    KITE_EXPECT_EQ(rw_data, rw_writes);
    KITE_EXPECT(rw_writes >= 1 && all_done(n) >= n);
    KITE_EXPECT(max_readers >= 2); /* readers did share it */
    KITE_EXPECT(rw.state == 0 && rw.writer == NULL && rw.head == NULL);
}

static volatile bool readers_stop;
static struct kite_sem writer_in = KITE_SEM_INIT(0);

/* Keep @rw read-held, in overlapping turns with the other readers, until told to stop. */
static void *overlapping_reader(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&readers_stop, __ATOMIC_ACQUIRE)) {
        if (kite_rwlock_read_lock(&rw)) {
            return (void *)1;
        }
        kite_sleep_ns(200 * KITE_NSEC_PER_USEC);
        if (kite_rwlock_read_unlock(&rw)) {
            return (void *)1;
        }
    }
    return NULL;
}

static void *writer_once(void *arg)
{
    (void)arg;
    if (kite_rwlock_write_lock(&rw)) {
        return (void *)1;
    }
    kite_sem_up(&writer_in);
    return kite_rwlock_write_unlock(&rw) ? (void *)1 : NULL;
}

KITE_TEST(sync, rwlock_writer_not_starved)
{
    struct kite_thread_attr attr = {.cpu = (int)arch_cpus_online() - 1, .name = "writer"};
    struct kite_thread *w;
    unsigned int n;
    int rc;

    readers_stop = false;
    n = spawn(overlapping_reader, BUDGET_NS);
    KITE_ASSERT(n);
    kite_sleep_ns(2 * KITE_NSEC_PER_MSEC); /* the readers hold it in turns by now */
    KITE_ASSERT(kite_thread_create(&w, writer_once, NULL, &attr) == 0);
    rc = kite_sem_timeddown(&writer_in, kite_time_ns() + KITE_NSEC_PER_SEC);
    __atomic_store_n(&readers_stop, true, __ATOMIC_RELEASE);
    KITE_EXPECT_EQ(rc, 0); /* the writer got in while readers kept coming */
    if (rc) {
        KITE_EXPECT_EQ(kite_sem_timeddown(&writer_in, KITE_FOREVER), 0);
    }
    KITE_EXPECT_EQ(kite_thread_join(w, NULL), 0);
    KITE_EXPECT_EQ(join_all(n), 0);
}

static void *write_lock_once(void *arg)
{
    (void)arg;
    if (kite_rwlock_write_lock(&rw)) {
        return (void *)1;
    }
    return kite_rwlock_write_unlock(&rw) ? (void *)1 : NULL;
}

KITE_TEST(sync, rwlock_readers_queue_behind_a_waiting_writer)
{
    struct kite_thread_attr attr = {.cpu = (int)arch_cpus_online() - 1, .name = "writer"};
    struct kite_thread *w;
    uint64_t end;
    int rc;

    KITE_ASSERT(kite_rwlock_read_lock(&rw) == 0);
    KITE_EXPECT_EQ(kite_rwlock_try_read_lock(&rw), 0); /* readers share */
    KITE_EXPECT_EQ(kite_rwlock_read_unlock(&rw), 0);
    KITE_ASSERT(kite_thread_create(&w, write_lock_once, NULL, &attr) == 0);
    end = kite_time_ns() + KITE_NSEC_PER_SEC;
    while (!KITE_READ_ONCE(rw.head) && kite_time_ns() < end) {
        kite_thread_yield();
    }
    KITE_EXPECT(KITE_READ_ONCE(rw.head) != NULL);
    /* A reader holds it, but a writer waits: a new reader does not pass the writer. */
    rc = kite_rwlock_try_read_lock(&rw);
    KITE_EXPECT_EQ(rc, -KITE_EBUSY);
    if (rc == 0) {
        (void)kite_rwlock_read_unlock(&rw); /* so the writer still gets in */
    }
    KITE_EXPECT_EQ(kite_rwlock_try_write_lock(&rw), -KITE_EBUSY);
    KITE_EXPECT_EQ(kite_rwlock_read_unlock(&rw), 0);
    KITE_EXPECT_EQ(kite_thread_join(w, NULL), 0);
    KITE_EXPECT(rw.state == 0 && rw.writer == NULL && rw.head == NULL);
}

KITE_TEST(sync, rwlock_misuse_gives_errors)
{
    struct kite_rwlock l;
    unsigned long flags;

    kite_rwlock_init(&l);
    KITE_EXPECT_EQ(kite_rwlock_read_unlock(&l), -KITE_EPERM);
    KITE_EXPECT_EQ(kite_rwlock_write_unlock(&l), -KITE_EPERM);
    KITE_ASSERT(kite_rwlock_write_lock(&l) == 0);
    KITE_EXPECT_EQ(kite_rwlock_write_lock(&l), -KITE_EDEADLK);
    KITE_EXPECT_EQ(kite_rwlock_read_lock(&l), -KITE_EDEADLK);
    KITE_EXPECT_EQ(kite_rwlock_try_write_lock(&l), -KITE_EDEADLK);
    KITE_EXPECT_EQ(kite_rwlock_read_unlock(&l), -KITE_EPERM);
    KITE_EXPECT_EQ(kite_rwlock_write_unlock(&l), 0);
    KITE_ASSERT(kite_rwlock_read_lock(&l) == 0);
    KITE_EXPECT_EQ(kite_rwlock_try_write_lock(&l), -KITE_EBUSY);
    KITE_EXPECT_EQ(kite_rwlock_write_unlock(&l), -KITE_EPERM);
    KITE_EXPECT_EQ(kite_rwlock_read_unlock(&l), 0);
    flags = arch_irq_save();
    KITE_EXPECT_EQ(kite_rwlock_read_lock(&l), -KITE_EPERM);
    arch_irq_restore(flags);
    KITE_EXPECT_EQ(kite_rwlock_try_write_lock(&l), 0);
    KITE_EXPECT_EQ(kite_rwlock_write_unlock(&l), 0);
}

/* ---------------------------------------------------------------- semaphore */

#define SEM_UNITS 3
#define SEM_ITERS 300

static struct kite_sem sem = KITE_SEM_INIT(SEM_UNITS);
static volatile unsigned int inside, max_inside;

static void *sem_worker(void *arg)
{
    unsigned int id = (unsigned int)(uintptr_t)arg;

    unsigned int i;

    for (i = 0; go_on(i, SEM_ITERS); i++) {
        if (i % 3 == 0) {
            int rc = kite_sem_trydown(&sem);

            if (rc == -KITE_EAGAIN) {
                rc = kite_sem_timeddown(&sem, KITE_FOREVER);
            }
            if (rc) {
                return (void *)1;
            }
        } else if (kite_sem_down(&sem)) {
            return (void *)1;
        }
        note_max(&max_inside, __atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST));
        if ((i + id) % 4 == 0) {
            kite_thread_yield();
        }
        __atomic_sub_fetch(&inside, 1, __ATOMIC_SEQ_CST);
        kite_sem_up(&sem);
    }
    done[id] = i;
    return NULL;
}

KITE_TEST(sync, semaphore_admits_at_most_its_count)
{
    unsigned int n;

    max_inside = 0;
    n = spawn(sem_worker, BUDGET_NS);
    KITE_ASSERT(n);
    KITE_EXPECT_EQ(join_all(n), 0);
    KITE_EXPECT(max_inside <= SEM_UNITS);
    KITE_EXPECT(max_inside >= 2); /* it is not a mutex either */
    KITE_EXPECT_EQ(sem.count, SEM_UNITS);
}

static void *down_once(void *arg)
{
    return kite_sem_down(arg) ? (void *)1 : NULL;
}

KITE_TEST(sync, semaphore_up_hands_over_and_errors)
{
    struct kite_thread_attr attr = {.cpu = (int)arch_cpus_online() - 1, .name = "down"};
    struct kite_sem s;
    struct kite_thread *t;
    uint64_t t0, end;
    unsigned long flags;

    kite_sem_init(&s, 0);
    KITE_EXPECT_EQ(kite_sem_trydown(&s), -KITE_EAGAIN);
    t0 = kite_time_ns();
    KITE_EXPECT_EQ(kite_sem_timeddown(&s, t0 + 5 * KITE_NSEC_PER_MSEC), -KITE_ETIMEDOUT);
    KITE_EXPECT(kite_time_ns() - t0 >= 5 * KITE_NSEC_PER_MSEC);
    KITE_EXPECT_EQ(kite_sem_timeddown(&s, 0), -KITE_ETIMEDOUT); /* a deadline already past */
    flags = arch_irq_save();
    KITE_EXPECT_EQ(kite_sem_down(&s), -KITE_EPERM);
    KITE_EXPECT_EQ(kite_sem_trydown(&s), -KITE_EAGAIN); /* fine in interrupt context */
    arch_irq_restore(flags);

    KITE_ASSERT(kite_thread_create(&t, down_once, &s, &attr) == 0);
    end = kite_time_ns() + KITE_NSEC_PER_SEC;
    while (!KITE_READ_ONCE(s.wq.head) && kite_time_ns() < end) {
        kite_thread_yield();
    }
    kite_sem_up(&s);
    /* The unit went to the waiter, not to whoever asks next. */
    KITE_EXPECT_EQ(kite_sem_trydown(&s), -KITE_EAGAIN);
    KITE_EXPECT_EQ(kite_thread_join(t, NULL), 0);
    kite_sem_up(&s);
    KITE_EXPECT_EQ(kite_sem_trydown(&s), 0);
    KITE_EXPECT_EQ(s.count, 0);
}

/* ---------------------------------------------------------------- condition variable */

#define ITEMS_PER_PRODUCER 200
#define SLOTS              4

static struct kite_mutex pc_lock = KITE_MUTEX_INIT(pc_lock);
static struct kite_cond not_full = KITE_COND_INIT, not_empty = KITE_COND_INIT;
/* Under pc_lock: */
static unsigned int ring[SLOTS], ring_head, ring_len, consumed, producers_left;
static uint8_t seen[MAX_THREADS / 2 * ITEMS_PER_PRODUCER];
static volatile bool abandon; /* set by a watchdog: everyone leaves */

/*
 * Even threads produce (item numbers of their own), odd ones consume, one
 * of each on every CPU, through a ring of 4 slots.
 */
static void *pc_worker(void *arg)
{
    unsigned int id = (unsigned int)(uintptr_t)arg;
    void *ret = NULL;

    kite_mutex_lock(&pc_lock);
    if (id % 2 == 0) {
        unsigned int i;

        for (i = 0; go_on(i, ITEMS_PER_PRODUCER) && !abandon; i++) {
            while (ring_len == SLOTS && !abandon) {
                kite_cond_wait(&not_full, &pc_lock);
            }
            ring[(ring_head + ring_len++) % SLOTS] = id / 2 * ITEMS_PER_PRODUCER + i;
            kite_cond_signal(&not_empty);
        }
        done[id] = i;
        if (--producers_left == 0) {
            kite_cond_broadcast(&not_empty); /* consumers: nothing more comes */
        }
    } else {
        for (;;) {
            unsigned int item;

            if (ring_len == 0) {
                if (producers_left == 0 || abandon) {
                    break;
                }
                kite_cond_wait(&not_empty, &pc_lock);
                continue;
            }
            item = ring[ring_head];
            ring_head = (ring_head + 1) % SLOTS;
            ring_len--;
            if (item >= KITE_ARRAY_SIZE(seen) || seen[item]++) {
                ret = (void *)1;
            }
            consumed++;
            kite_cond_signal(&not_full);
        }
    }
    if (!kite_mutex_held(&pc_lock)) {
        ret = (void *)1;
    }
    kite_mutex_unlock(&pc_lock);
    return ret;
}

static struct kite_sem all_joined;
static unsigned int crowd_size;

static void *joiner(void *arg)
{
    uintptr_t bad = join_all(crowd_size);

    (void)arg;
    kite_sem_up(&all_joined);
    return (void *)bad;
}

/*
 * Join the crowd from a helper while waiting at most @ns: on a hang (a lost
 * wake-up), tell everyone to leave and wake them until they do. Returns the
 * number of failed threads, or -1 after a hang.
 */
static int join_within(unsigned int n, uint64_t ns, struct kite_cond *c1, struct kite_cond *c2)
{
    struct kite_thread *j;
    void *bad = NULL;
    int hung = 0;

    crowd_size = n;
    kite_sem_init(&all_joined, 0);
    if (kite_thread_create(&j, joiner, NULL, NULL)) {
        return -1;
    }
    if (kite_sem_timeddown(&all_joined, kite_time_ns() + ns)) {
        hung = 1;
        abandon = true;
        while (kite_sem_timeddown(&all_joined, kite_time_ns() + KITE_NSEC_PER_MSEC)) {
            kite_cond_broadcast(c1);
            kite_cond_broadcast(c2);
        }
    }
    if (kite_thread_join(j, &bad) || hung) {
        return -1;
    }
    return (int)(uintptr_t)bad;
}

KITE_TEST(sync, cond_producers_consumers_pass_each_item_once)
{
    unsigned int n = KITE_MIN(arch_cpus_online() * PER_CPU, MAX_THREADS);

    abandon = false;
    ring_head = ring_len = consumed = 0;
    producers_left = n / 2;
    for (unsigned int i = 0; i < KITE_ARRAY_SIZE(seen); i++) {
        seen[i] = 0;
    }
    KITE_ASSERT(spawn(pc_worker, BUDGET_NS) == n);
    KITE_EXPECT_EQ(join_within(n, WATCHDOG_NS, &not_empty, &not_full), 0);
    KITE_EXPECT_EQ(consumed, all_done(n));
    KITE_EXPECT(consumed >= n / 2);
    for (size_t p = 0; p < n / 2; p++) {
        for (size_t i = 0; i < ITEMS_PER_PRODUCER; i++) {
            unsigned int want = i < done[2 * p] ? 1 : 0;

            if (seen[p * ITEMS_PER_PRODUCER + i] != want) {
                KITE_FAIL("item %zu of producer %zu passed %u times", i, p,
                          seen[p * ITEMS_PER_PRODUCER + i]);
                return;
            }
        }
    }
}

/* Ping-pong: each hand-off needs the other side's signal; a lost one hangs. */
#define PINGPONGS 1000

static unsigned int turn, rounds[2]; /* under pc_lock */
static bool pp_stop;

static void *pinger(void *arg)
{
    unsigned int me = (unsigned int)(uintptr_t)arg % 2;
    struct kite_cond *mine = me ? &not_full : &not_empty, *other = me ? &not_empty : &not_full;

    kite_mutex_lock(&pc_lock);
    for (;;) {
        while (turn != me && !pp_stop && !abandon) {
            kite_cond_wait(mine, &pc_lock);
        }
        if (pp_stop || abandon) {
            break;
        }
        if (++rounds[me] == PINGPONGS || kite_time_ns() >= stop_at) {
            pp_stop = true;
        }
        turn = !me;
        kite_cond_signal(other);
    }
    kite_mutex_unlock(&pc_lock);
    return NULL;
}

KITE_TEST(sync, cond_ping_pong_loses_no_signal)
{
    /* Across CPUs when there are two: the signal comes from another CPU, as in Nautilus. */
    struct kite_thread_attr a0 = {.cpu = 0, .name = "ping"};
    struct kite_thread_attr a1 = {.cpu = (int)arch_cpus_online() - 1, .name = "pong"};

    abandon = pp_stop = false;
    turn = 0;
    rounds[0] = rounds[1] = 0;
    stop_at = kite_time_ns() + BUDGET_NS;
    KITE_ASSERT(kite_thread_create(&crowd[0], pinger, (void *)0, &a0) == 0);
    KITE_ASSERT(kite_thread_create(&crowd[1], pinger, (void *)1, &a1) == 0);
    KITE_EXPECT_EQ(join_within(2, WATCHDOG_NS, &not_empty, &not_full), 0);
    KITE_EXPECT(rounds[0] >= 10);
    KITE_EXPECT(rounds[0] - rounds[1] <= 1); /* they took turns */
}

/*
 * The signaller spins for the mutex, so it gets it the moment the waiter
 * releases it in kite_cond_wait and signals at once: a waiter not yet
 * queued by then (Nautilus's bug) would miss it and sleep forever.
 */
#define HOT_SIGNALS 2000

static bool hot_waiting, hot_flag, hot_done; /* under pc_lock */
static unsigned int hot_woken;

static void *hot_waiter(void *arg)
{
    (void)arg;
    kite_mutex_lock(&pc_lock);
    while (hot_woken < HOT_SIGNALS && kite_time_ns() < stop_at && !abandon) {
        hot_waiting = true;
        while (!hot_flag && !abandon) {
            kite_cond_wait(&not_empty, &pc_lock);
        }
        hot_waiting = hot_flag = false;
        hot_woken++;
    }
    hot_done = true;
    kite_mutex_unlock(&pc_lock);
    return NULL;
}

static void *hot_signaller(void *arg)
{
    bool leave = false;

    (void)arg;
    while (!leave && !abandon) {
        while (kite_mutex_trylock(&pc_lock)) {
            kite_thread_yield(); /* at once back here unless the waiter shares this CPU */
        }
        if (hot_waiting && !hot_flag) {
            hot_flag = true;
            kite_cond_signal(&not_empty);
        }
        leave = hot_done;
        kite_mutex_unlock(&pc_lock);
        kite_thread_yield();
    }
    return NULL;
}

KITE_TEST(sync, cond_signal_at_release_is_not_lost)
{
    struct kite_thread_attr a0 = {.cpu = 0, .name = "waiter"};
    struct kite_thread_attr a1 = {.cpu = (int)arch_cpus_online() - 1, .name = "signaller"};

    abandon = hot_waiting = hot_flag = hot_done = false;
    hot_woken = 0;
    stop_at = kite_time_ns() + BUDGET_NS;
    KITE_ASSERT(kite_thread_create(&crowd[0], hot_waiter, NULL, &a0) == 0);
    KITE_ASSERT(kite_thread_create(&crowd[1], hot_signaller, NULL, &a1) == 0);
    KITE_EXPECT_EQ(join_within(2, WATCHDOG_NS, &not_empty, &not_full), 0);
    KITE_EXPECT(hot_woken >= 10);
}

static unsigned int go_waiting, go_woken;
static bool go;

static void *await_go(void *arg)
{
    (void)arg;
    kite_mutex_lock(&pc_lock);
    go_waiting++;
    while (!go && !abandon) {
        kite_cond_wait(&not_empty, &pc_lock);
    }
    go_woken++;
    kite_mutex_unlock(&pc_lock);
    return NULL;
}

KITE_TEST(sync, cond_broadcast_wakes_all)
{
    uint64_t end = kite_time_ns() + KITE_NSEC_PER_SEC;
    unsigned int n, waiting;

    abandon = false;
    go = false;
    go_waiting = go_woken = 0;
    n = spawn(await_go, BUDGET_NS);
    KITE_ASSERT(n);
    do {
        kite_sleep_ns(100 * KITE_NSEC_PER_USEC);
        kite_mutex_lock(&pc_lock);
        waiting = go_waiting; /* each released the mutex only once queued */
        kite_mutex_unlock(&pc_lock);
    } while (waiting < n && kite_time_ns() < end);
    KITE_EXPECT_EQ(waiting, n);
    kite_mutex_lock(&pc_lock);
    go = true;
    kite_cond_broadcast(&not_empty); /* once: every waiter must wake from it */
    kite_mutex_unlock(&pc_lock);
    KITE_EXPECT_EQ(join_within(n, WATCHDOG_NS, &not_empty, &not_full), 0);
    KITE_EXPECT_EQ(go_woken, n);
}

KITE_TEST(sync, cond_timedwait_times_out_holding_the_mutex)
{
    struct kite_cond c = KITE_COND_INIT;
    struct kite_mutex m;
    uint64_t t0, took;

    kite_mutex_init(&m);
    KITE_EXPECT_EQ(kite_cond_wait(&c, &m), -KITE_EPERM); /* not holding it */
    KITE_EXPECT_EQ(kite_cond_timedwait(&c, &m, KITE_FOREVER), -KITE_EPERM);
    KITE_ASSERT(kite_mutex_lock(&m) == 0);
    t0 = kite_time_ns();
    KITE_EXPECT_EQ(kite_cond_timedwait(&c, &m, t0 + 10 * KITE_NSEC_PER_MSEC), -KITE_ETIMEDOUT);
    took = kite_time_ns() - t0;
    KITE_EXPECT(took >= 10 * KITE_NSEC_PER_MSEC);
    KITE_EXPECT(took < 5 * KITE_NSEC_PER_SEC); /* not stuck until another wake-up */
    KITE_EXPECT(kite_mutex_held(&m));
    KITE_EXPECT_EQ(kite_cond_timedwait(&c, &m, 0), -KITE_ETIMEDOUT); /* already past */
    KITE_EXPECT(kite_mutex_held(&m));
    kite_cond_signal(&c); /* nobody waits: nothing happens */
    KITE_EXPECT_EQ(kite_mutex_unlock(&m), 0);
}

/* ---------------------------------------------------------------- barrier */

#define PHASES 50

static struct kite_barrier bar;
static unsigned int arrived[PHASES], serial[PHASES], bar_threads;

static void *barrier_worker(void *arg)
{
    unsigned int id = (unsigned int)(uintptr_t)arg;
    void *ret = NULL;

    for (unsigned int p = 0; p < PHASES; p++) {
        int rc;

        __atomic_add_fetch(&arrived[p], 1, __ATOMIC_SEQ_CST);
        if ((p + id) % 8 == 0) {
            kite_thread_yield(); /* some come late */
        }
        rc = kite_barrier_wait(&bar);
        /* Nobody leaves a phase before all have come to it. */
        if (__atomic_load_n(&arrived[p], __ATOMIC_SEQ_CST) != bar_threads) {
            ret = (void *)1;
        }
        if (rc == KITE_BARRIER_SERIAL_THREAD) {
            __atomic_add_fetch(&serial[p], 1, __ATOMIC_SEQ_CST);
        } else if (rc != 0) {
            ret = (void *)1;
        }
    }
    return ret;
}

KITE_TEST(sync, barrier_phases_never_overlap)
{
    unsigned int n = KITE_MIN(arch_cpus_online() * PER_CPU, MAX_THREADS);

    for (unsigned int p = 0; p < PHASES; p++) {
        arrived[p] = serial[p] = 0;
    }
    bar_threads = n;
    KITE_ASSERT(kite_barrier_init(&bar, n) == 0);
    KITE_ASSERT(spawn(barrier_worker, BUDGET_NS) == n);
    KITE_EXPECT_EQ(join_all(n), 0);
    for (unsigned int p = 0; p < PHASES; p++) {
        if (arrived[p] != n || serial[p] != 1) {
            KITE_FAIL("phase %u: %u arrived, %u serial threads", p, arrived[p], serial[p]);
            break;
        }
    }
    KITE_EXPECT_EQ(bar.phase, PHASES);
    KITE_EXPECT_EQ(bar.arrived, 0);
}

KITE_TEST(sync, barrier_of_one_and_errors)
{
    struct kite_barrier b = KITE_BARRIER_INIT(1);
    unsigned long flags;

    KITE_EXPECT_EQ(kite_barrier_init(&b, 0), -KITE_EINVAL);
    KITE_ASSERT(kite_barrier_init(&b, 1) == 0);
    for (int i = 0; i < 3; i++) {
        KITE_EXPECT_EQ(kite_barrier_wait(&b), KITE_BARRIER_SERIAL_THREAD);
    }
    flags = arch_irq_save();
    KITE_EXPECT_EQ(kite_barrier_wait(&b), -KITE_EPERM);
    arch_irq_restore(flags);
    KITE_EXPECT_EQ(b.phase, 3);
}

/* ---------------------------------------------------------------- interrupt context */

static struct kite_mutex irq_mtx = KITE_MUTEX_INIT(irq_mtx);
static struct kite_sem irq_sem = KITE_SEM_INIT(0);
static struct kite_cond irq_cond = KITE_COND_INIT;
static int irq_rc[4];

/* A timer callback: interrupt context. It may wake threads, not block or own a lock. */
static void in_interrupt(struct kite_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    irq_rc[0] = kite_mutex_lock(&irq_mtx);
    irq_rc[1] = kite_mutex_trylock(&irq_mtx);
    irq_rc[2] = kite_sem_down(&irq_sem);
    irq_rc[3] = kite_barrier_wait(&bar);
    kite_cond_broadcast(&irq_cond); /* nobody waits: harmless */
    kite_sem_up(&irq_sem);
}

KITE_TEST(sync, interrupt_context_wakes_but_does_not_block)
{
    struct kite_timer t;

    KITE_ASSERT(kite_barrier_init(&bar, 2) == 0);
    kite_timer_init(&t, in_interrupt, NULL);
    KITE_ASSERT(kite_timer_start(&t, KITE_CPU_ANY, KITE_NSEC_PER_MSEC, 0) == 0);
    /* The callback's kite_sem_up wakes this thread. */
    KITE_EXPECT_EQ(kite_sem_timeddown(&irq_sem, kite_time_ns() + KITE_NSEC_PER_SEC), 0);
    kite_timer_cancel(&t);
    for (unsigned int i = 0; i < KITE_ARRAY_SIZE(irq_rc); i++) {
        KITE_EXPECT_EQ(irq_rc[i], -KITE_EPERM);
    }
    KITE_EXPECT(kite_mutex_owner(&irq_mtx) == NULL);
    KITE_EXPECT_EQ(bar.arrived, 0);
}

/* ---------------------------------------------------------------- atomics */

#define ATOMIC_ITERS 2000

static kite_atomic_t a32 = KITE_ATOMIC_INIT(0);
static kite_atomic64_t a64 = KITE_ATOMIC_INIT(0);

static void *atomic_worker(void *arg)
{
    (void)arg;
    for (unsigned int i = 0; i < ATOMIC_ITERS; i++) {
        int64_t old = kite_atomic64_load(&a64);

        kite_atomic_inc(&a32);
        kite_atomic_add(&a32, 2);
        kite_atomic_sub(&a32, 2);
        kite_atomic_fetch_add(&a32, 1);
        kite_atomic_dec(&a32);
        /* A compare-and-swap loop adding 1 << 32: lost updates would show. */
        while (kite_atomic64_cmpxchg(&a64, old, old + (1ll << 32)) != old) {
            old = kite_atomic64_load(&a64);
        }
        kite_atomic64_inc(&a64);
    }
    return NULL;
}

KITE_TEST(sync, atomics_count_exactly)
{
    unsigned int n;

    kite_atomic_store(&a32, 0);
    kite_atomic64_store(&a64, 0);
    n = spawn(atomic_worker, BUDGET_NS);
    KITE_ASSERT(n);
    KITE_EXPECT_EQ(join_all(n), 0);
    KITE_EXPECT_EQ(kite_atomic_load(&a32), (int)(n * ATOMIC_ITERS));
    KITE_EXPECT_EQ(kite_atomic64_load(&a64), (int64_t)n * ATOMIC_ITERS * ((1ll << 32) + 1));
    KITE_EXPECT_EQ(kite_atomic_xchg(&a32, 7), (int)(n * ATOMIC_ITERS));
    KITE_EXPECT_EQ(kite_atomic_cmpxchg(&a32, 6, 9), 7); /* no match: unchanged */
    KITE_EXPECT_EQ(kite_atomic_cmpxchg(&a32, 7, 9), 7);
    KITE_EXPECT_EQ(kite_atomic_load(&a32), 9);
    KITE_EXPECT_EQ(kite_atomic64_xchg(&a64, -1), (int64_t)n * ATOMIC_ITERS * ((1ll << 32) + 1));
    KITE_EXPECT_EQ(kite_atomic64_add(&a64, 3), 2);
    KITE_EXPECT_EQ(kite_atomic64_sub(&a64, 3), -1);
    KITE_EXPECT_EQ(kite_atomic64_fetch_add(&a64, 1), -1);
    KITE_EXPECT_EQ(kite_atomic64_dec(&a64), -1);
}

/* ---------------------------------------------------------------- memory */

static void free_pages(struct kite_node_mem_stats *out)
{
    kite_heap_trim();
    for (unsigned int n = 0; n < kite_numa_node_count(); n++) {
        kite_page_stats((int)n, &out[n]);
    }
}

/* Every contention workload once, each for @budget_ns at most: true when all went well. */
static bool contend_all(unsigned int n, uint64_t budget_ns)
{
    bool ok = true;

    mtx_counter = 0;
    ok &= spawn(mutex_worker, budget_ns) == n && join_all(n) == 0 && mtx_counter == all_done(n);
    ok &= spawn(rw_worker, budget_ns) == n && join_all(n) == 0;
    ok &= spawn(sem_worker, budget_ns) == n && join_all(n) == 0;
    ok &= kite_barrier_init(&bar, n) == 0;
    bar_threads = n;
    for (unsigned int p = 0; p < PHASES; p++) {
        arrived[p] = serial[p] = 0;
    }
    ok &= spawn(barrier_worker, budget_ns) == n && join_all(n) == 0;
    return ok;
}

KITE_TEST(sync, contention_leaves_memory_as_it_was)
{
    static struct kite_node_mem_stats before[KITE_MAX_NODES], after[KITE_MAX_NODES];
    unsigned int n = KITE_MIN(arch_cpus_online() * PER_CPU, MAX_THREADS);

    KITE_ASSERT(contend_all(n, BUDGET_NS / 4)); /* stacks cached, heap caches warm */
    free_pages(before);
    KITE_ASSERT(contend_all(n, BUDGET_NS / 4));
    free_pages(after);
    for (unsigned int i = 0; i < kite_numa_node_count(); i++) {
        KITE_EXPECT_EQ(after[i].free, before[i].free);
    }
}
