/* SPDX-License-Identifier: MIT */
/*
 * POSIX threads in a booted image (kite.test=pthread): every call of
 * <pthread.h>, its misuse errors, contention from threads on every CPU,
 * timed waits that time out, key destructors at a thread's end, errno and
 * __thread per thread, and affinity putting threads on the CPU asked for.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <kite/arch.h>
#include <kite/test.h>
#include <kite/thread.h>

#define MAX_THREADS 32

/* Two threads per online CPU, at most MAX_THREADS. */
static unsigned int nthreads(void)
{
    unsigned int n = 2 * arch_cpus_online();

    return n > MAX_THREADS ? MAX_THREADS : n;
}

static void *ret_arg_plus_one(void *arg)
{
    return (void *)((uintptr_t)arg + 1);
}

static void *return_self(void *arg)
{
    (void)arg;
    return pthread_self();
}

KITE_TEST(pthread, create_join)
{
    pthread_t t[MAX_THREADS], me = pthread_self();
    unsigned int n = nthreads();
    void *ret = NULL;
    pthread_attr_t attr;

    for (uintptr_t i = 0; i < n; i++) {
        KITE_ASSERT(pthread_create(&t[i], NULL, ret_arg_plus_one, (void *)i) == 0);
    }
    for (uintptr_t i = 0; i < n; i++) {
        KITE_EXPECT_EQ(pthread_join(t[i], &ret), 0);
        KITE_EXPECT_EQ((uintptr_t)ret, i + 1);
    }
    /* The ID the thread sees is the one its creator got. */
    KITE_ASSERT(pthread_create(&t[0], NULL, return_self, NULL) == 0);
    KITE_EXPECT_EQ(pthread_join(t[0], &ret), 0);
    KITE_EXPECT(pthread_equal((pthread_t)ret, t[0]));
    KITE_EXPECT(!pthread_equal(me, t[0]));
    KITE_EXPECT(pthread_equal(me, pthread_self()));

    KITE_EXPECT_EQ(pthread_join(me, NULL), EDEADLK);
    /* The tests run in the boot thread, not created by pthread_create: no join, no detach. */
    KITE_EXPECT_EQ(pthread_detach(me), EINVAL);
    KITE_EXPECT_EQ(pthread_create(&t[0], NULL, NULL, NULL), EINVAL);
    KITE_EXPECT_EQ(pthread_create(NULL, NULL, return_self, NULL), EINVAL);
    memset(&attr, 0, sizeof(attr));
    KITE_EXPECT_EQ(pthread_create(&t[0], &attr, return_self, NULL), EINVAL);
    KITE_EXPECT_EQ(pthread_join(NULL, NULL), ESRCH);
}

static int detached_done;

static void *count_done(void *arg)
{
    (void)arg;
    __atomic_add_fetch(&detached_done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void *wait_flag(void *arg)
{
    while (!__atomic_load_n((int *)arg, __ATOMIC_ACQUIRE)) {
        sched_yield();
    }
    return NULL;
}

/* Wait (yielding) until @v reaches @want, for 5 s at most. */
static bool wait_count(int *v, int want)
{
    struct timespec ts, now;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    do {
        if (__atomic_load_n(v, __ATOMIC_ACQUIRE) >= want) {
            return true;
        }
        sched_yield();
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while (now.tv_sec < ts.tv_sec + 5);
    return false;
}

KITE_TEST(pthread, detach)
{
    pthread_attr_t attr;
    pthread_t t, running, ended;
    int state = -1, go = 0;

    detached_done = 0;
    KITE_ASSERT(pthread_attr_init(&attr) == 0);
    KITE_EXPECT_EQ(pthread_attr_getdetachstate(&attr, &state), 0);
    KITE_EXPECT_EQ(state, PTHREAD_CREATE_JOINABLE);
    KITE_EXPECT_EQ(pthread_attr_setdetachstate(&attr, 7), EINVAL);
    KITE_EXPECT_EQ(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED), 0);
    KITE_EXPECT_EQ(pthread_attr_getdetachstate(&attr, &state), 0);
    KITE_EXPECT_EQ(state, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < 8; i++) {
        KITE_ASSERT(pthread_create(&t, &attr, count_done, NULL) == 0);
    }
    KITE_EXPECT(wait_count(&detached_done, 8));

    /* Detached while running, and after it ended: both are joined by Kite behind the scenes. */
    KITE_ASSERT(pthread_create(&running, NULL, wait_flag, &go) == 0);
    KITE_ASSERT(pthread_create(&ended, NULL, count_done, NULL) == 0);
    KITE_EXPECT(wait_count(&detached_done, 9));
    KITE_EXPECT_EQ(pthread_detach(running), 0);
    KITE_EXPECT_EQ(pthread_detach(running), EINVAL);
    KITE_EXPECT_EQ(pthread_join(running, NULL), EINVAL);
    KITE_EXPECT_EQ(pthread_detach(ended), 0);
    __atomic_store_n(&go, 1, __ATOMIC_RELEASE);
    KITE_EXPECT_EQ(pthread_attr_destroy(&attr), 0);
    KITE_EXPECT_EQ(pthread_attr_destroy(&attr), EINVAL);
    KITE_EXPECT_EQ(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED), EINVAL);
    /* The next create reaps the one detached while running, once it has ended. */
    for (int i = 0; i < 4; i++) {
        KITE_ASSERT(pthread_create(&t, NULL, count_done, NULL) == 0);
        KITE_EXPECT_EQ(pthread_join(t, NULL), 0);
    }
}

/* Uses most of a 256 KiB stack. */
static void *big_stack(void *arg)
{
    volatile char buf[200 << 10];

    buf[0] = (char)(uintptr_t)arg;
    buf[sizeof(buf) - 1] = 1;
    return (void *)(uintptr_t)(buf[0] + buf[sizeof(buf) - 1]);
}

KITE_TEST(pthread, attr_stack)
{
    pthread_attr_t attr;
    size_t size = 0;
    pthread_t t;
    void *ret = NULL;

    KITE_EXPECT_EQ(pthread_attr_init(NULL), EINVAL);
    KITE_ASSERT(pthread_attr_init(&attr) == 0);
    KITE_EXPECT_EQ(pthread_attr_getstacksize(&attr, &size), 0);
    KITE_EXPECT(size >= PTHREAD_STACK_MIN);
    KITE_EXPECT_EQ(pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN - 1), EINVAL);
    KITE_EXPECT_EQ(pthread_attr_setstacksize(&attr, 64ul << 20), EINVAL);
    KITE_EXPECT_EQ(pthread_attr_setstacksize(&attr, 256 << 10), 0);
    KITE_EXPECT_EQ(pthread_attr_getstacksize(&attr, &size), 0);
    KITE_EXPECT_EQ(size, 256 << 10);
    KITE_EXPECT_EQ(pthread_attr_getstacksize(&attr, NULL), EINVAL);
    KITE_ASSERT(pthread_create(&t, &attr, big_stack, (void *)41) == 0);
    KITE_EXPECT_EQ(pthread_join(t, &ret), 0);
    KITE_EXPECT_EQ((uintptr_t)ret, 42);
    KITE_EXPECT_EQ(pthread_attr_destroy(&attr), 0);
}

struct placed {
    int cpu;     /* sched_getcpu() in the thread */
    int cpu_set; /* the lowest CPU in its own pthread_getaffinity_np */
    int count;   /* CPUs in that set */
    int moved;   /* sched_getcpu() after pthread_setaffinity_np to @target */
    int target;
};

static void *where(void *arg)
{
    struct placed *p = arg;
    cpu_set_t set;

    p->cpu = sched_getcpu();
    p->cpu_set = -1;
    if (pthread_getaffinity_np(pthread_self(), sizeof(set), &set) == 0) {
        p->count = CPU_COUNT(&set);
        for (int c = CPU_SETSIZE - 1; c >= 0; c--) {
            if (CPU_ISSET(c, &set)) {
                p->cpu_set = c;
            }
        }
    }
    p->moved = -1;
    if (p->target >= 0) {
        CPU_ZERO(&set);
        CPU_SET(p->target, &set);
        if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0) {
            p->moved = sched_getcpu();
        }
    }
    return NULL;
}

KITE_TEST(pthread, affinity)
{
    int online = (int)arch_cpus_online();
    pthread_attr_t attr;
    cpu_set_t set, got;
    pthread_t t;

    KITE_ASSERT(pthread_attr_init(&attr) == 0);
    /* Each CPU by itself: the thread runs there, reports it, and moves to the next. */
    for (int c = 0; c < online; c++) {
        struct placed p = {.target = (c + 1) % online};

        CPU_ZERO(&set);
        CPU_SET(c, &set);
        KITE_ASSERT(pthread_attr_setaffinity_np(&attr, sizeof(set), &set) == 0);
        KITE_EXPECT_EQ(pthread_attr_getaffinity_np(&attr, sizeof(got), &got), 0);
        KITE_EXPECT(CPU_EQUAL(&set, &got));
        KITE_ASSERT(pthread_create(&t, &attr, where, &p) == 0);
        KITE_EXPECT_EQ(pthread_join(t, NULL), 0);
        KITE_EXPECT_EQ(p.cpu, c);
        KITE_EXPECT_EQ(p.cpu_set, c);
        KITE_EXPECT_EQ(p.count, 1);
        KITE_EXPECT_EQ(p.moved, p.target);
    }
    /* Several CPUs: the lowest online one in the set (the highest CPU plus one unknown). */
    CPU_ZERO(&set);
    CPU_SET(online - 1, &set);
    CPU_SET(CPU_SETSIZE - 1, &set);
    if (online > 2) {
        CPU_SET(1, &set);
    }
    {
        struct placed p = {.target = -1};
        int want = online > 2 ? 1 : online - 1;

        KITE_ASSERT(pthread_attr_setaffinity_np(&attr, sizeof(set), &set) == 0);
        KITE_ASSERT(pthread_create(&t, &attr, where, &p) == 0);
        KITE_EXPECT_EQ(pthread_join(t, NULL), 0);
        KITE_EXPECT_EQ(p.cpu, want);
        KITE_EXPECT_EQ(p.count, 1);
    }
    /* Every CPU: unbound, and reported as every CPU. */
    CPU_ZERO(&set);
    for (int c = 0; c < online; c++) {
        CPU_SET(c, &set);
    }
    {
        struct placed p = {.target = -1};

        KITE_ASSERT(pthread_attr_setaffinity_np(&attr, sizeof(set), &set) == 0);
        KITE_ASSERT(pthread_create(&t, &attr, where, &p) == 0);
        KITE_EXPECT_EQ(pthread_join(t, NULL), 0);
        KITE_EXPECT_EQ(p.count, online);
        KITE_EXPECT(p.cpu >= 0 && p.cpu < online);
    }
    KITE_EXPECT_EQ(pthread_getaffinity_np(pthread_self(), sizeof(got), &got), 0);
    KITE_EXPECT_EQ(CPU_COUNT(&got), online);
    KITE_EXPECT_EQ(pthread_getaffinity_np(pthread_self(), 0, &got), EINVAL);

    /* Empty sets, sets of CPUs that do not exist, sets cut short: EINVAL. */
    CPU_ZERO(&set);
    KITE_EXPECT_EQ(pthread_attr_setaffinity_np(&attr, sizeof(set), &set), EINVAL);
    KITE_EXPECT_EQ(pthread_setaffinity_np(pthread_self(), sizeof(set), &set), EINVAL);
    CPU_SET(online, &set);
    CPU_SET(CPU_SETSIZE - 1, &set);
    KITE_EXPECT_EQ(pthread_attr_setaffinity_np(&attr, sizeof(set), &set), EINVAL);
    KITE_EXPECT_EQ(pthread_attr_setaffinity_np(&attr, sizeof(set), NULL), EINVAL);
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    KITE_EXPECT_EQ(pthread_attr_setaffinity_np(&attr, 0, &set), EINVAL);
    KITE_EXPECT_EQ(sched_getaffinity(0, sizeof(got), &got), 0);
    KITE_EXPECT_EQ(CPU_COUNT(&got), online);
    errno = 0;
    KITE_EXPECT_EQ(sched_getaffinity(42, sizeof(got), &got), -1);
    KITE_EXPECT_EQ(errno, ESRCH);
    errno = 0;
    CPU_ZERO(&set);
    KITE_EXPECT_EQ(sched_setaffinity(0, sizeof(set), &set), -1);
    KITE_EXPECT_EQ(errno, EINVAL);

    /*
     * The boot thread (the tests run in it at boot) cannot move: only its own CPU, or every
     * CPU. `test` from the shell or kitectl exec runs in another thread, whose binding this
     * must not change.
     */
    CPU_ZERO(&set);
    CPU_SET(sched_getcpu(), &set);
    if (online > 1 && !strcmp(kite_thread_current_name(), "boot")) {
        KITE_EXPECT_EQ(pthread_setaffinity_np(pthread_self(), sizeof(set), &set), 0);
        KITE_EXPECT_EQ(pthread_getaffinity_np(pthread_self(), sizeof(got), &got), 0);
        KITE_EXPECT(CPU_EQUAL(&set, &got));
        CPU_ZERO(&set);
        CPU_SET((sched_getcpu() + 1) % online, &set);
        KITE_EXPECT_EQ(pthread_setaffinity_np(pthread_self(), sizeof(set), &set), EINVAL);
        /* Every CPU includes its own: back to unbound, as the other tests expect. */
        for (int c = 0; c < online; c++) {
            CPU_SET(c, &set);
        }
        KITE_EXPECT_EQ(pthread_setaffinity_np(pthread_self(), sizeof(set), &set), 0);
        KITE_EXPECT_EQ(pthread_getaffinity_np(pthread_self(), sizeof(got), &got), 0);
        KITE_EXPECT_EQ(CPU_COUNT(&got), online);
    }
    KITE_EXPECT_EQ(pthread_attr_destroy(&attr), 0);
    KITE_EXPECT_EQ(pthread_attr_setaffinity_np(&attr, sizeof(set), &set), EINVAL);
}

static pthread_mutex_t static_mutex = PTHREAD_MUTEX_INITIALIZER;

struct other {
    pthread_mutex_t *m;
    pthread_spinlock_t *s;
    int lock, unlock, spin_trylock, spin_unlock;
};

/* What another thread gets from trylock and unlock on a mutex (and spinlock) it does not hold. */
static void *as_other(void *arg)
{
    struct other *o = arg;

    o->lock = pthread_mutex_trylock(o->m);
    o->unlock = pthread_mutex_unlock(o->m); /* 0 after a successful trylock, else EPERM */
    if (o->s) {
        o->spin_trylock = pthread_spin_trylock(o->s);
        o->spin_unlock = pthread_spin_unlock(o->s);
    }
    return NULL;
}

static void other_try(pthread_mutex_t *m, pthread_spinlock_t *s, struct other *o)
{
    pthread_t t;

    o->m = m;
    o->s = s;
    o->lock = o->unlock = o->spin_trylock = o->spin_unlock = -1;
    if (pthread_create(&t, NULL, as_other, o) == 0) {
        (void)pthread_join(t, NULL);
    }
}

KITE_TEST(pthread, mutex_types)
{
    pthread_mutexattr_t ma;
    pthread_mutex_t m;
    struct other o;
    int type = -1;

    /* The static initializer: usable at once. */
    KITE_EXPECT_EQ(pthread_mutex_lock(&static_mutex), 0);
    KITE_EXPECT_EQ(pthread_mutex_lock(&static_mutex), EDEADLK);
    KITE_EXPECT_EQ(pthread_mutex_trylock(&static_mutex), EBUSY);
    other_try(&static_mutex, NULL, &o);
    KITE_EXPECT_EQ(o.lock, EBUSY);
    KITE_EXPECT_EQ(o.unlock, EPERM);
    KITE_EXPECT_EQ(pthread_mutex_destroy(&static_mutex), EBUSY);
    KITE_EXPECT_EQ(pthread_mutex_unlock(&static_mutex), 0);
    KITE_EXPECT_EQ(pthread_mutex_unlock(&static_mutex), EPERM);

    KITE_EXPECT_EQ(pthread_mutexattr_init(&ma), 0);
    KITE_EXPECT_EQ(pthread_mutexattr_gettype(&ma, &type), 0);
    KITE_EXPECT_EQ(type, PTHREAD_MUTEX_DEFAULT);
    KITE_EXPECT_EQ(pthread_mutexattr_settype(&ma, 99), EINVAL);

    /* Recursive: the owner takes it again; it is free after as many unlocks. */
    KITE_EXPECT_EQ(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE), 0);
    KITE_EXPECT_EQ(pthread_mutexattr_gettype(&ma, &type), 0);
    KITE_EXPECT_EQ(type, PTHREAD_MUTEX_RECURSIVE);
    KITE_ASSERT(pthread_mutex_init(&m, &ma) == 0);
    KITE_EXPECT_EQ(pthread_mutex_lock(&m), 0);
    KITE_EXPECT_EQ(pthread_mutex_lock(&m), 0);
    KITE_EXPECT_EQ(pthread_mutex_trylock(&m), 0);
    other_try(&m, NULL, &o);
    KITE_EXPECT_EQ(o.lock, EBUSY);
    KITE_EXPECT_EQ(o.unlock, EPERM);
    KITE_EXPECT_EQ(pthread_mutex_unlock(&m), 0);
    KITE_EXPECT_EQ(pthread_mutex_unlock(&m), 0);
    KITE_EXPECT_EQ(pthread_mutex_destroy(&m), EBUSY);
    KITE_EXPECT_EQ(pthread_mutex_unlock(&m), 0);
    KITE_EXPECT_EQ(pthread_mutex_unlock(&m), EPERM);
    other_try(&m, NULL, &o);
    KITE_EXPECT_EQ(o.lock, 0);
    KITE_EXPECT_EQ(o.unlock, 0);
    KITE_EXPECT_EQ(pthread_mutex_destroy(&m), 0);
    KITE_EXPECT_EQ(pthread_mutex_lock(&m), EINVAL);
    KITE_EXPECT_EQ(pthread_mutex_destroy(&m), EINVAL);

    /* Error checking. */
    KITE_EXPECT_EQ(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK), 0);
    KITE_ASSERT(pthread_mutex_init(&m, &ma) == 0);
    KITE_EXPECT_EQ(pthread_mutex_unlock(&m), EPERM);
    KITE_EXPECT_EQ(pthread_mutex_lock(&m), 0);
    KITE_EXPECT_EQ(pthread_mutex_lock(&m), EDEADLK);
    KITE_EXPECT_EQ(pthread_mutex_trylock(&m), EBUSY);
    KITE_EXPECT_EQ(pthread_mutex_unlock(&m), 0);
    KITE_EXPECT_EQ(pthread_mutex_destroy(&m), 0);

    KITE_EXPECT_EQ(pthread_mutexattr_setpshared(&ma, 5), EINVAL);
    KITE_EXPECT_EQ(pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_PRIVATE), 0);
    KITE_EXPECT_EQ(pthread_mutexattr_destroy(&ma), 0);
    KITE_EXPECT_EQ(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_NORMAL), EINVAL);
    KITE_EXPECT_EQ(pthread_mutex_init(&m, &ma), EINVAL);
    KITE_EXPECT_EQ(pthread_mutex_init(&m, NULL), 0);
    KITE_EXPECT_EQ(pthread_mutex_trylock(&m), 0);
    KITE_EXPECT_EQ(pthread_mutex_unlock(&m), 0);
    KITE_EXPECT_EQ(pthread_mutex_lock(NULL), EINVAL);
}

static uint64_t now_ns(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct timespec in_ms(clockid_t clock, unsigned int ms)
{
    uint64_t t = now_ns(clock) + ms * 1000000ull;
    struct timespec ts = {(time_t)(t / 1000000000u), (long)(t % 1000000000u)};

    return ts;
}

struct timed {
    pthread_mutex_t *m;
    int rc, bad;
    uint64_t waited;
};

static void *timedlock_held(void *arg)
{
    struct timed *w = arg;
    struct timespec ts = {0, 1000000000};
    uint64_t start = now_ns(CLOCK_REALTIME);

    w->bad = pthread_mutex_timedlock(w->m, &ts);
    ts = in_ms(CLOCK_REALTIME, 20);
    w->rc = pthread_mutex_timedlock(w->m, &ts);
    w->waited = now_ns(CLOCK_REALTIME) - start;
    return NULL;
}

KITE_TEST(pthread, mutex_timedlock)
{
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    struct timed w = {.m = &m, .rc = -1, .bad = -1};
    struct timespec ts = in_ms(CLOCK_REALTIME, 1000);
    pthread_t t;

    KITE_EXPECT_EQ(pthread_mutex_timedlock(&m, &ts), 0);
    KITE_EXPECT_EQ(pthread_mutex_timedlock(&m, &ts), EDEADLK);
    KITE_ASSERT(pthread_create(&t, NULL, timedlock_held, &w) == 0);
    KITE_EXPECT_EQ(pthread_join(t, NULL), 0);
    KITE_EXPECT_EQ(w.bad, EINVAL);
    KITE_EXPECT_EQ(w.rc, ETIMEDOUT);
    KITE_EXPECT(w.waited >= 20000000u);
    KITE_EXPECT_EQ(pthread_mutex_unlock(&m), 0);
}

/* Contention: two threads per CPU, bound round-robin, add under each kind of lock. */
#define ROUNDS 200

static pthread_mutex_t count_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t count_recursive;
static pthread_spinlock_t count_spin;
static pthread_rwlock_t count_rwlock = PTHREAD_RWLOCK_INITIALIZER;
static unsigned long counted, spun, recursed, written;
static int torn;

static void *contend(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&count_mutex);
        counted++;
        pthread_mutex_unlock(&count_mutex);

        pthread_spin_lock(&count_spin);
        spun++;
        pthread_spin_unlock(&count_spin);

        pthread_mutex_lock(&count_recursive);
        pthread_mutex_lock(&count_recursive);
        recursed++;
        pthread_mutex_unlock(&count_recursive);
        pthread_mutex_unlock(&count_recursive);

        if (i % 4 == 0) {
            pthread_rwlock_wrlock(&count_rwlock);
            written++;
            /* A reader must never see this odd value. */
            written++;
            pthread_rwlock_unlock(&count_rwlock);
        } else {
            pthread_rwlock_rdlock(&count_rwlock);
            if (written % 2) {
                __atomic_store_n(&torn, 1, __ATOMIC_RELAXED);
            }
            pthread_rwlock_unlock(&count_rwlock);
        }
    }
    return NULL;
}

/* Create @n threads running @fn(@arg), bound to CPUs round-robin. */
static int spread(pthread_t *t, unsigned int n, void *(*fn)(void *), void *arg)
{
    unsigned int online = arch_cpus_online();
    pthread_attr_t attr;
    cpu_set_t set;
    int rc = pthread_attr_init(&attr);

    for (unsigned int i = 0; rc == 0 && i < n; i++) {
        CPU_ZERO(&set);
        CPU_SET(i % online, &set);
        rc = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
        if (rc == 0) {
            rc = pthread_create(&t[i], &attr, fn, arg);
        }
    }
    pthread_attr_destroy(&attr);
    return rc;
}

KITE_TEST(pthread, contention)
{
    unsigned int n = nthreads();
    pthread_mutexattr_t ma;
    pthread_t t[MAX_THREADS];

    counted = spun = recursed = written = 0;
    torn = 0;
    KITE_ASSERT(pthread_mutexattr_init(&ma) == 0);
    KITE_ASSERT(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE) == 0);
    KITE_ASSERT(pthread_mutex_init(&count_recursive, &ma) == 0);
    KITE_ASSERT(pthread_spin_init(&count_spin, PTHREAD_PROCESS_PRIVATE) == 0);
    KITE_ASSERT(spread(t, n, contend, NULL) == 0);
    for (unsigned int i = 0; i < n; i++) {
        KITE_EXPECT_EQ(pthread_join(t[i], NULL), 0);
    }
    KITE_EXPECT_EQ(counted, n * ROUNDS);
    KITE_EXPECT_EQ(spun, n * ROUNDS);
    KITE_EXPECT_EQ(recursed, n * ROUNDS);
    KITE_EXPECT_EQ(written, n * 2 * (ROUNDS / 4));
    KITE_EXPECT_EQ(torn, 0);
    KITE_EXPECT_EQ(pthread_mutex_destroy(&count_recursive), 0);
    KITE_EXPECT_EQ(pthread_spin_destroy(&count_spin), 0);
    KITE_EXPECT_EQ(pthread_mutexattr_destroy(&ma), 0);
}

/* Condition variables: a queue of numbers handed from producers to consumers. */
static pthread_mutex_t q_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cond = PTHREAD_COND_INITIALIZER;
static unsigned long q_items, q_taken, q_sum;
static bool q_closed;

static void *consumer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&q_mutex);
    for (;;) {
        while (q_items == 0 && !q_closed) {
            pthread_cond_wait(&q_cond, &q_mutex);
        }
        if (q_items == 0) {
            break;
        }
        q_items--;
        q_taken++;
        q_sum += q_taken;
    }
    pthread_mutex_unlock(&q_mutex);
    return NULL;
}

KITE_TEST(pthread, cond_signal_broadcast)
{
    unsigned int n = nthreads();
    pthread_t t[MAX_THREADS];

    q_items = q_taken = q_sum = 0;
    q_closed = false;
    KITE_ASSERT(spread(t, n, consumer, NULL) == 0);
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&q_mutex);
        q_items++;
        pthread_cond_signal(&q_cond);
        pthread_mutex_unlock(&q_mutex);
        if (i % 16 == 0) {
            sched_yield();
        }
    }
    pthread_mutex_lock(&q_mutex);
    q_closed = true;
    pthread_cond_broadcast(&q_cond);
    pthread_mutex_unlock(&q_mutex);
    for (unsigned int i = 0; i < n; i++) {
        KITE_EXPECT_EQ(pthread_join(t[i], NULL), 0);
    }
    KITE_EXPECT_EQ(q_taken, 1000);
    KITE_EXPECT_EQ(q_sum, 1000 * 1001 / 2);
}

struct cond_waiter {
    pthread_cond_t *c;
    pthread_mutex_t *m;
    int rc;
};

static void *wait_forever(void *arg)
{
    struct cond_waiter *w = arg;

    pthread_mutex_lock(w->m);
    w->rc = pthread_cond_wait(w->c, w->m);
    pthread_mutex_unlock(w->m);
    return NULL;
}

KITE_TEST(pthread, cond_timed_and_errors)
{
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t c = PTHREAD_COND_INITIALIZER, mc;
    pthread_condattr_t ca;
    struct cond_waiter w = {&c, &m, -1};
    clockid_t clock = -1;
    struct timespec ts;
    uint64_t start;
    pthread_t t;

    /* CLOCK_REALTIME (the default): times out, with the mutex held again. */
    KITE_ASSERT(pthread_mutex_lock(&m) == 0);
    start = now_ns(CLOCK_REALTIME);
    ts = in_ms(CLOCK_REALTIME, 20);
    KITE_EXPECT_EQ(pthread_cond_timedwait(&c, &m, &ts), ETIMEDOUT);
    KITE_EXPECT(now_ns(CLOCK_REALTIME) - start >= 20000000u);
    KITE_EXPECT_EQ(pthread_mutex_trylock(&m), EBUSY);
    /* A deadline already passed. */
    ts.tv_sec = 0;
    ts.tv_nsec = 0;
    KITE_EXPECT_EQ(pthread_cond_timedwait(&c, &m, &ts), ETIMEDOUT);
    ts.tv_nsec = 1000000000;
    KITE_EXPECT_EQ(pthread_cond_timedwait(&c, &m, &ts), EINVAL);
    KITE_EXPECT_EQ(pthread_cond_timedwait(&c, &m, NULL), EINVAL);

    /* CLOCK_MONOTONIC through the attribute. */
    KITE_ASSERT(pthread_condattr_init(&ca) == 0);
    KITE_EXPECT_EQ(pthread_condattr_getclock(&ca, &clock), 0);
    KITE_EXPECT_EQ(clock, CLOCK_REALTIME);
    KITE_EXPECT_EQ(pthread_condattr_setclock(&ca, 12), EINVAL);
    KITE_EXPECT_EQ(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC), 0);
    KITE_EXPECT_EQ(pthread_condattr_getclock(&ca, &clock), 0);
    KITE_EXPECT_EQ(clock, CLOCK_MONOTONIC);
    KITE_ASSERT(pthread_cond_init(&mc, &ca) == 0);
    start = now_ns(CLOCK_MONOTONIC);
    ts = in_ms(CLOCK_MONOTONIC, 15);
    KITE_EXPECT_EQ(pthread_cond_timedwait(&mc, &m, &ts), ETIMEDOUT);
    KITE_EXPECT(now_ns(CLOCK_MONOTONIC) - start >= 15000000u);
    KITE_EXPECT_EQ(pthread_cond_destroy(&mc), 0);
    KITE_EXPECT_EQ(pthread_cond_signal(&mc), EINVAL);
    KITE_EXPECT_EQ(pthread_condattr_destroy(&ca), 0);
    KITE_EXPECT_EQ(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC), EINVAL);
    KITE_EXPECT_EQ(pthread_mutex_unlock(&m), 0);

    /* Waiting without the mutex. */
    KITE_EXPECT_EQ(pthread_cond_wait(&c, &m), EPERM);

    /* Destroying a condition a thread waits on; then waking it. */
    KITE_ASSERT(pthread_create(&t, NULL, wait_forever, &w) == 0);
    start = now_ns(CLOCK_MONOTONIC);
    while (now_ns(CLOCK_MONOTONIC) - start < 5000000000u) {
        unsigned long flags = kite_waitq_lock(&c.__c.wq);
        bool waiting = kite_waitq_first_locked(&c.__c.wq) != NULL;

        kite_waitq_unlock(&c.__c.wq, flags);
        if (waiting) {
            break;
        }
        sched_yield();
    }
    KITE_EXPECT_EQ(pthread_cond_destroy(&c), EBUSY);
    pthread_mutex_lock(&m);
    KITE_EXPECT_EQ(pthread_cond_signal(&c), 0);
    pthread_mutex_unlock(&m);
    KITE_EXPECT_EQ(pthread_join(t, NULL), 0);
    KITE_EXPECT_EQ(w.rc, 0);
    KITE_EXPECT_EQ(pthread_cond_destroy(&c), 0);
    KITE_EXPECT_EQ(pthread_cond_broadcast(&c), EINVAL);
}

/* Barriers: each phase, exactly one thread gets PTHREAD_BARRIER_SERIAL_THREAD. */
#define PHASES 20
static pthread_barrier_t barrier;
static int serials[PHASES], errors;

static void *phases(void *arg)
{
    (void)arg;
    for (int p = 0; p < PHASES; p++) {
        int rc = pthread_barrier_wait(&barrier);

        if (rc == PTHREAD_BARRIER_SERIAL_THREAD) {
            __atomic_add_fetch(&serials[p], 1, __ATOMIC_RELAXED);
        } else if (rc != 0) {
            __atomic_add_fetch(&errors, 1, __ATOMIC_RELAXED);
        }
    }
    return NULL;
}

static void *barrier_once(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)pthread_barrier_wait(&barrier);
}

KITE_TEST(pthread, barrier)
{
    unsigned int n = nthreads();
    pthread_barrierattr_t ba;
    pthread_t t[MAX_THREADS];
    int pshared = -1;

    memset(serials, 0, sizeof(serials));
    errors = 0;
    KITE_EXPECT_EQ(pthread_barrier_init(&barrier, NULL, 0), EINVAL);
    KITE_ASSERT(pthread_barrierattr_init(&ba) == 0);
    KITE_EXPECT_EQ(pthread_barrierattr_getpshared(&ba, &pshared), 0);
    KITE_EXPECT_EQ(pshared, PTHREAD_PROCESS_PRIVATE);
    KITE_EXPECT_EQ(pthread_barrierattr_setpshared(&ba, 3), EINVAL);
    KITE_ASSERT(pthread_barrier_init(&barrier, &ba, n) == 0);
    KITE_ASSERT(spread(t, n - 1, phases, NULL) == 0);
    phases(NULL);
    for (unsigned int i = 0; i + 1 < n; i++) {
        KITE_EXPECT_EQ(pthread_join(t[i], NULL), 0);
    }
    for (int p = 0; p < PHASES; p++) {
        KITE_EXPECT_EQ(serials[p], 1);
    }
    KITE_EXPECT_EQ(errors, 0);
    KITE_EXPECT_EQ(pthread_barrier_destroy(&barrier), 0);
    KITE_EXPECT_EQ(pthread_barrier_wait(&barrier), EINVAL);
    KITE_EXPECT_EQ(pthread_barrier_destroy(&barrier), EINVAL);

    /* A thread waiting in it: destroy is EBUSY; a one-thread barrier serializes alone. */
    KITE_ASSERT(pthread_barrier_init(&barrier, NULL, 2) == 0);
    KITE_ASSERT(pthread_create(&t[0], NULL, barrier_once, NULL) == 0);
    while (__atomic_load_n(&barrier.__b.arrived, __ATOMIC_ACQUIRE) == 0) {
        sched_yield();
    }
    KITE_EXPECT_EQ(pthread_barrier_destroy(&barrier), EBUSY);
    pthread_barrier_wait(&barrier);
    KITE_EXPECT_EQ(pthread_join(t[0], NULL), 0);
    KITE_EXPECT_EQ(pthread_barrier_destroy(&barrier), 0);
    KITE_ASSERT(pthread_barrier_init(&barrier, NULL, 1) == 0);
    KITE_EXPECT_EQ(pthread_barrier_wait(&barrier), PTHREAD_BARRIER_SERIAL_THREAD);
    KITE_EXPECT_EQ(pthread_barrier_destroy(&barrier), 0);
    KITE_EXPECT_EQ(pthread_barrierattr_destroy(&ba), 0);
}

struct rw_other {
    pthread_rwlock_t *rw;
    int unlock, tryrd, trywr;
};

static void *rw_as_other(void *arg)
{
    struct rw_other *o = arg;

    o->unlock = pthread_rwlock_unlock(o->rw);
    o->tryrd = pthread_rwlock_tryrdlock(o->rw);
    if (o->tryrd == 0) {
        pthread_rwlock_unlock(o->rw);
    }
    o->trywr = pthread_rwlock_trywrlock(o->rw);
    if (o->trywr == 0) {
        pthread_rwlock_unlock(o->rw);
    }
    return NULL;
}

static void rw_other_try(pthread_rwlock_t *rw, struct rw_other *o)
{
    pthread_t t;

    o->rw = rw;
    o->tryrd = o->trywr = o->unlock = -1;
    if (pthread_create(&t, NULL, rw_as_other, o) == 0) {
        (void)pthread_join(t, NULL);
    }
}

static void *write_once(void *arg)
{
    int rc = pthread_rwlock_wrlock(arg);

    if (rc == 0) {
        rc = pthread_rwlock_unlock(arg);
    }
    return (void *)(uintptr_t)rc;
}

KITE_TEST(pthread, rwlock)
{
    pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER, rw2;
    pthread_rwlockattr_t ra;
    struct rw_other o;
    void *ret = NULL;
    uint64_t start;
    pthread_t t;

    /* Read-held: others read, nobody writes, a thread holding nothing cannot unlock. */
    KITE_EXPECT_EQ(pthread_rwlock_rdlock(&rw), 0);
    KITE_EXPECT_EQ(pthread_rwlock_tryrdlock(&rw), 0);
    KITE_EXPECT_EQ(pthread_rwlock_wrlock(&rw), EDEADLK);
    KITE_EXPECT_EQ(pthread_rwlock_trywrlock(&rw), EBUSY);
    rw_other_try(&rw, &o);
    KITE_EXPECT_EQ(o.unlock, EPERM);
    KITE_EXPECT_EQ(o.tryrd, 0);
    KITE_EXPECT_EQ(o.trywr, EBUSY);
    KITE_EXPECT_EQ(pthread_rwlock_destroy(&rw), EBUSY);
    KITE_EXPECT_EQ(pthread_rwlock_unlock(&rw), 0);
    KITE_EXPECT_EQ(pthread_rwlock_unlock(&rw), 0);
    KITE_EXPECT_EQ(pthread_rwlock_unlock(&rw), EPERM);

    /* A reader reads again while a writer waits: at once (the writer stays queued). */
    KITE_EXPECT_EQ(pthread_rwlock_rdlock(&rw), 0);
    KITE_ASSERT(pthread_create(&t, NULL, write_once, &rw) == 0);
    start = now_ns(CLOCK_MONOTONIC);
    while (!(__atomic_load_n(&rw.__rw.state, __ATOMIC_ACQUIRE) & KITE_RWLOCK_WAITERS) &&
           now_ns(CLOCK_MONOTONIC) - start < 5000000000u) {
        sched_yield();
    }
    KITE_EXPECT(rw.__rw.state & KITE_RWLOCK_WAITERS);
    KITE_EXPECT_EQ(pthread_rwlock_rdlock(&rw), 0);
    KITE_EXPECT_EQ(pthread_rwlock_tryrdlock(&rw), 0);
    KITE_EXPECT_EQ(pthread_rwlock_unlock(&rw), 0);
    KITE_EXPECT_EQ(pthread_rwlock_unlock(&rw), 0);
    KITE_EXPECT_EQ(pthread_rwlock_unlock(&rw), 0);
    KITE_EXPECT_EQ(pthread_join(t, &ret), 0);
    KITE_EXPECT_EQ((uintptr_t)ret, 0);

    /* Write-held: nobody else gets in; the writer's own read is refused. */
    KITE_EXPECT_EQ(pthread_rwlock_wrlock(&rw), 0);
    KITE_EXPECT_EQ(pthread_rwlock_rdlock(&rw), EDEADLK);
    KITE_EXPECT_EQ(pthread_rwlock_wrlock(&rw), EDEADLK);
    KITE_EXPECT_EQ(pthread_rwlock_tryrdlock(&rw), EBUSY);
    KITE_EXPECT_EQ(pthread_rwlock_trywrlock(&rw), EBUSY);
    rw_other_try(&rw, &o);
    KITE_EXPECT_EQ(o.tryrd, EBUSY);
    KITE_EXPECT_EQ(o.trywr, EBUSY);
    KITE_EXPECT_EQ(pthread_rwlock_unlock(&rw), 0);
    rw_other_try(&rw, &o);
    KITE_EXPECT_EQ(o.tryrd, 0);
    KITE_EXPECT_EQ(o.trywr, 0);
    KITE_EXPECT_EQ(pthread_rwlock_destroy(&rw), 0);
    KITE_EXPECT_EQ(pthread_rwlock_rdlock(&rw), EINVAL);

    KITE_ASSERT(pthread_rwlockattr_init(&ra) == 0);
    KITE_ASSERT(pthread_rwlock_init(&rw2, &ra) == 0);
    KITE_EXPECT_EQ(pthread_rwlock_trywrlock(&rw2), 0);
    KITE_EXPECT_EQ(pthread_rwlock_unlock(&rw2), 0);
    KITE_EXPECT_EQ(pthread_rwlock_destroy(&rw2), 0);
    KITE_EXPECT_EQ(pthread_rwlockattr_destroy(&ra), 0);
    KITE_EXPECT_EQ(pthread_rwlock_init(&rw2, &ra), EINVAL);
}

KITE_TEST(pthread, spinlock)
{
    pthread_spinlock_t s;
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    struct other o;

    KITE_EXPECT_EQ(pthread_spin_init(&s, 9), EINVAL);
    KITE_ASSERT(pthread_spin_init(&s, PTHREAD_PROCESS_PRIVATE) == 0);
    KITE_EXPECT_EQ(pthread_spin_unlock(&s), EPERM);
    KITE_EXPECT_EQ(pthread_spin_lock(&s), 0);
    KITE_EXPECT_EQ(pthread_spin_lock(&s), EDEADLK);
    KITE_EXPECT_EQ(pthread_spin_trylock(&s), EBUSY);
    other_try(&m, &s, &o);
    KITE_EXPECT_EQ(o.spin_trylock, EBUSY);
    KITE_EXPECT_EQ(o.spin_unlock, EPERM);
    KITE_EXPECT_EQ(pthread_spin_destroy(&s), EBUSY);
    KITE_EXPECT_EQ(pthread_spin_unlock(&s), 0);
    KITE_EXPECT_EQ(pthread_spin_trylock(&s), 0);
    KITE_EXPECT_EQ(pthread_spin_unlock(&s), 0);
    KITE_EXPECT_EQ(pthread_spin_destroy(&s), 0);
    KITE_EXPECT_EQ(pthread_spin_lock(&s), EINVAL);
    KITE_EXPECT_EQ(pthread_spin_trylock(&s), EINVAL);
    KITE_EXPECT_EQ(pthread_spin_destroy(&s), EINVAL);
}

/* Keys: values per thread, destructors at the end (return or pthread_exit), delete. */
static pthread_key_t key_a, key_b;
static int destroyed_a, destroyed_b, rearmed;

static void destroy_a(void *v)
{
    __atomic_add_fetch(&destroyed_a, (int)(uintptr_t)v, __ATOMIC_SEQ_CST);
}

/* Sets its value again once: the destructors run a second round for it. */
static void destroy_b(void *v)
{
    __atomic_add_fetch(&destroyed_b, 1, __ATOMIC_SEQ_CST);
    if ((uintptr_t)v == 1) {
        __atomic_add_fetch(&rearmed, 1, __ATOMIC_SEQ_CST);
        pthread_setspecific(key_b, (void *)2);
    }
}

static void exit_deep(void *v)
{
    pthread_exit(v);
}

static void *use_keys(void *arg)
{
    uintptr_t i = (uintptr_t)arg;
    bool ok = pthread_getspecific(key_a) == NULL;

    ok = ok && pthread_setspecific(key_a, (void *)(i + 1)) == 0;
    ok = ok && pthread_setspecific(key_b, (void *)1) == 0;
    for (int y = 0; y < 20; y++) {
        sched_yield();
    }
    ok = ok && pthread_getspecific(key_a) == (void *)(i + 1);
    if (i % 2) {
        exit_deep((void *)(uintptr_t)ok);
    }
    return (void *)(uintptr_t)ok;
}

static void *set_deleted(void *arg)
{
    pthread_key_t key = (pthread_key_t)(uintptr_t)arg;

    return (void *)(uintptr_t)pthread_setspecific(key, (void *)5);
}

KITE_TEST(pthread, keys)
{
    unsigned int n = nthreads(), made = 0;
    pthread_key_t many[PTHREAD_KEYS_MAX];
    pthread_t t[MAX_THREADS];
    void *ret = NULL;
    int rc = 0;

    destroyed_a = destroyed_b = rearmed = 0;
    KITE_ASSERT(pthread_key_create(&key_a, destroy_a) == 0);
    KITE_ASSERT(pthread_key_create(&key_b, destroy_b) == 0);
    KITE_EXPECT(key_a != key_b);
    KITE_EXPECT_EQ(pthread_setspecific(key_a, (void *)1000), 0);
    for (uintptr_t i = 0; i < n; i++) {
        KITE_ASSERT(pthread_create(&t[i], NULL, use_keys, (void *)i) == 0);
    }
    for (unsigned int i = 0; i < n; i++) {
        KITE_EXPECT_EQ(pthread_join(t[i], &ret), 0);
        KITE_EXPECT_EQ((uintptr_t)ret, 1);
    }
    KITE_EXPECT_EQ(pthread_getspecific(key_a), (void *)1000);
    /* Thread i's destructor adds i + 1; b's runs twice per thread. */
    KITE_EXPECT_EQ(destroyed_a, n * (n + 1) / 2);
    KITE_EXPECT_EQ(destroyed_b, 2 * n);
    KITE_EXPECT_EQ(rearmed, n);

    /* Deleted: no destructor, values read NULL, setting is EINVAL. */
    KITE_EXPECT_EQ(pthread_key_delete(key_a), 0);
    KITE_EXPECT_EQ(pthread_key_delete(key_a), EINVAL);
    KITE_EXPECT(pthread_getspecific(key_a) == NULL);
    KITE_ASSERT(pthread_create(&t[0], NULL, set_deleted, (void *)(uintptr_t)key_a) == 0);
    KITE_EXPECT_EQ(pthread_join(t[0], &ret), 0);
    KITE_EXPECT_EQ((uintptr_t)ret, EINVAL);
    KITE_EXPECT_EQ(destroyed_a, n * (n + 1) / 2);
    KITE_EXPECT_EQ(pthread_setspecific(PTHREAD_KEYS_MAX, NULL), EINVAL);
    KITE_EXPECT_EQ(pthread_key_delete(PTHREAD_KEYS_MAX), EINVAL);
    KITE_EXPECT_EQ(pthread_key_create(NULL, NULL), EINVAL);

    /* A re-created key in a freed slot starts at NULL in every thread. */
    KITE_ASSERT(pthread_key_create(&key_a, NULL) == 0);
    KITE_EXPECT(pthread_getspecific(key_a) == NULL);
    KITE_EXPECT_EQ(pthread_key_delete(key_a), 0);

    /* At most PTHREAD_KEYS_MAX keys. */
    while (made < PTHREAD_KEYS_MAX && (rc = pthread_key_create(&many[made], NULL)) == 0) {
        made++;
    }
    KITE_EXPECT_EQ(rc, EAGAIN);
    KITE_EXPECT(made + 1 <= PTHREAD_KEYS_MAX);
    for (unsigned int i = 0; i < made; i++) {
        KITE_EXPECT_EQ(pthread_key_delete(many[i]), 0);
    }
    KITE_EXPECT_EQ(pthread_key_delete(key_b), 0);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs, once_seen;

static void once_fn(void)
{
    /* Slow on purpose: the other callers must wait for it. */
    for (int i = 0; i < 50; i++) {
        sched_yield();
    }
    __atomic_add_fetch(&once_runs, 1, __ATOMIC_SEQ_CST);
}

static void *call_once(void *arg)
{
    (void)arg;
    if (pthread_once(&once, once_fn) == 0 && __atomic_load_n(&once_runs, __ATOMIC_SEQ_CST) == 1) {
        __atomic_add_fetch(&once_seen, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

KITE_TEST(pthread, once)
{
    unsigned int n = nthreads();
    pthread_t t[MAX_THREADS];
    static pthread_once_t bad = 7;

    once = PTHREAD_ONCE_INIT;
    once_runs = once_seen = 0;
    KITE_ASSERT(spread(t, n, call_once, NULL) == 0);
    for (unsigned int i = 0; i < n; i++) {
        KITE_EXPECT_EQ(pthread_join(t[i], NULL), 0);
    }
    KITE_EXPECT_EQ(once_runs, 1);
    KITE_EXPECT_EQ(once_seen, n);
    KITE_EXPECT_EQ(pthread_once(&once, once_fn), 0);
    KITE_EXPECT_EQ(once_runs, 1);
    KITE_EXPECT_EQ(pthread_once(&bad, once_fn), EINVAL);
    KITE_EXPECT_EQ(pthread_once(NULL, once_fn), EINVAL);
}

/* errno and __thread: each thread has its own. */
static __thread int tls_value = 7;

static void *own_errno(void *arg)
{
    int v = (int)(uintptr_t)arg;
    uintptr_t bad = tls_value == 7 ? 0 : 2;

    errno = v;
    tls_value = v * 3;
    for (int i = 0; i < 50; i++) {
        sched_yield();
    }
    bad |= errno == v ? 0 : 4;
    bad |= tls_value == v * 3 ? 0 : 8;
    return (void *)(bad ? bad : 1);
}

KITE_TEST(pthread, errno_tls)
{
    unsigned int n = nthreads();
    pthread_t t[MAX_THREADS];
    void *ret = NULL;

    errno = 4321;
    tls_value = 99;
    KITE_ASSERT(spread(t, n, own_errno, (void *)0) == 0);
    for (unsigned int i = 0; i < n; i++) {
        KITE_EXPECT_EQ(pthread_join(t[i], &ret), 0);
        KITE_EXPECT_EQ((uintptr_t)ret, 1);
    }
    for (uintptr_t i = 0; i < n; i++) {
        KITE_ASSERT(pthread_create(&t[i], NULL, own_errno, (void *)(i + 1)) == 0);
    }
    for (unsigned int i = 0; i < n; i++) {
        KITE_EXPECT_EQ(pthread_join(t[i], &ret), 0);
        KITE_EXPECT_EQ((uintptr_t)ret, 1);
    }
    KITE_EXPECT_EQ(errno, 4321);
    KITE_EXPECT_EQ(tls_value, 99);
}

static void *named(void *arg)
{
    char buf[16];

    (void)arg;
    if (pthread_setname_np(pthread_self(), "worker-1") != 0 ||
        pthread_getname_np(pthread_self(), buf, sizeof(buf)) != 0) {
        return NULL;
    }
    return (void *)(uintptr_t)(strcmp(buf, "worker-1") == 0);
}

KITE_TEST(pthread, names)
{
    char buf[16], small[4];
    void *ret = NULL;
    pthread_t t;

    KITE_ASSERT(pthread_create(&t, NULL, named, NULL) == 0);
    KITE_EXPECT_EQ(pthread_join(t, &ret), 0);
    KITE_EXPECT_EQ((uintptr_t)ret, 1);
    KITE_EXPECT_EQ(pthread_getname_np(pthread_self(), buf, sizeof(buf)), 0);
    KITE_EXPECT_EQ(pthread_setname_np(pthread_self(), "sixteen-chars-xx"), ERANGE);
    KITE_EXPECT_EQ(pthread_setname_np(pthread_self(), "main"), 0);
    KITE_EXPECT_EQ(pthread_getname_np(pthread_self(), buf, sizeof(buf)), 0);
    KITE_EXPECT_STREQ(buf, "main");
    KITE_EXPECT_EQ(pthread_getname_np(pthread_self(), small, sizeof(small)), ERANGE);
    KITE_EXPECT_EQ(pthread_setname_np(pthread_self(), NULL), EINVAL);
}
