/* SPDX-License-Identifier: MIT */
/*
 * POSIX threads, the same on Kite and on Linux: this file uses only
 * standard headers, and prints the same lines on both (each starts with
 * "pthreads: "; nothing printed depends on timing or on the CPU count).
 *
 *     make EXT=rt/examples/pthreads iso      # Kite (docs/pthreads.md)
 *     gcc -O2 -pthread -o pthreads rt/examples/pthreads/pthreads.c && ./pthreads
 *
 * It sums squares in worker threads (a mutex and a barrier), passes numbers
 * through a bounded queue (condition variables), checks a readers-writer
 * lock, thread-specific data with destructors, pthread_once, a timed wait
 * that times out, the errors misuse gets, and a thread placed on a CPU. When
 * every check held, main ends with pthread_exit and a detached thread prints
 * the last line (the exit status is then 0); else main returns 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WORKERS 4
#define N       100000ULL
#define PHASES  5
#define ITEMS   1000
#define QSIZE   8

static int failures;

static void check(int ok, const char *what)
{
    printf("pthreads: %-44s %s\n", what, ok ? "ok" : "FAILED");
    if (!ok) {
        failures++;
    }
}

/* ---- sum of squares: a share per worker, a mutex-protected total, a barrier per phase */

static pthread_mutex_t total_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long total;
static pthread_barrier_t phase_barrier;
static int serial_count[PHASES];

static void *sum_share(void *arg)
{
    unsigned long long id = (unsigned long long)(uintptr_t)arg, sum = 0;

    for (unsigned long long i = id * (N / WORKERS) + 1; i <= (id + 1) * (N / WORKERS); i++) {
        sum += i * i;
    }
    pthread_mutex_lock(&total_lock);
    total += sum;
    pthread_mutex_unlock(&total_lock);
    for (int p = 0; p < PHASES; p++) {
        if (pthread_barrier_wait(&phase_barrier) == PTHREAD_BARRIER_SERIAL_THREAD) {
            serial_count[p]++; /* only one thread per phase gets here */
        }
    }
    return (void *)(uintptr_t)(id + 100);
}

static void sums(void)
{
    pthread_t t[WORKERS];
    int joined = 1, serial = 1;

    pthread_barrier_init(&phase_barrier, NULL, WORKERS);
    for (uintptr_t i = 0; i < WORKERS; i++) {
        pthread_create(&t[i], NULL, sum_share, (void *)i);
    }
    for (uintptr_t i = 0; i < WORKERS; i++) {
        void *ret = NULL;

        joined &= pthread_join(t[i], &ret) == 0 && (uintptr_t)ret == i + 100;
    }
    for (int p = 0; p < PHASES; p++) {
        serial &= serial_count[p] == 1;
    }
    pthread_barrier_destroy(&phase_barrier);
    printf("pthreads: %d workers: squares of 1..%llu sum to %llu\n", WORKERS, N, total);
    check(total == N * (N + 1) * (2 * N + 1) / 6, "the total is n(n+1)(2n+1)/6");
    check(joined, "each join returned its worker's value");
    check(serial, "one serial thread per barrier phase");
}

/* ---- a bounded queue: one producer, WORKERS consumers */

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t q_not_full = PTHREAD_COND_INITIALIZER;
static int queue[QSIZE], q_head, q_count, q_done;
static unsigned long long q_sum;
static int q_taken;

static void *consume(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&q_lock);
    for (;;) {
        while (q_count == 0 && !q_done) {
            pthread_cond_wait(&q_not_empty, &q_lock);
        }
        if (q_count == 0) {
            break;
        }
        q_sum += (unsigned long long)queue[q_head];
        q_head = (q_head + 1) % QSIZE;
        q_count--;
        q_taken++;
        pthread_cond_signal(&q_not_full);
    }
    pthread_mutex_unlock(&q_lock);
    return NULL;
}

static void queue_test(void)
{
    pthread_t t[WORKERS];

    for (int i = 0; i < WORKERS; i++) {
        pthread_create(&t[i], NULL, consume, NULL);
    }
    for (int v = 1; v <= ITEMS; v++) {
        pthread_mutex_lock(&q_lock);
        while (q_count == QSIZE) {
            pthread_cond_wait(&q_not_full, &q_lock);
        }
        queue[(q_head + q_count) % QSIZE] = v;
        q_count++;
        pthread_cond_signal(&q_not_empty);
        pthread_mutex_unlock(&q_lock);
    }
    pthread_mutex_lock(&q_lock);
    q_done = 1;
    pthread_cond_broadcast(&q_not_empty);
    pthread_mutex_unlock(&q_lock);
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(t[i], NULL);
    }
    printf("pthreads: queue: %d items through %d slots, sum %llu\n", q_taken, QSIZE, q_sum);
    check(q_taken == ITEMS && q_sum == ITEMS * (ITEMS + 1ULL) / 2, "every item taken once");
}

/* ---- a readers-writer lock: writers keep two counters equal, readers check them */

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long rw_a, rw_b;
static int rw_torn;

static void *rw_user(void *arg)
{
    for (int i = 0; i < 2000; i++) {
        if ((i + (int)(uintptr_t)arg) % 8 == 0) {
            pthread_rwlock_wrlock(&rw);
            rw_a++;
            rw_b++;
            pthread_rwlock_unlock(&rw);
        } else {
            pthread_rwlock_rdlock(&rw);
            if (rw_a != rw_b) {
                rw_torn = 1;
            }
            pthread_rwlock_unlock(&rw);
        }
    }
    return NULL;
}

static void rwlock_test(void)
{
    pthread_t t[WORKERS];

    for (uintptr_t i = 0; i < WORKERS; i++) {
        pthread_create(&t[i], NULL, rw_user, (void *)i);
    }
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(t[i], NULL);
    }
    printf("pthreads: rwlock: %ld writes\n", rw_a);
    check(!rw_torn && rw_a == rw_b && rw_a == WORKERS * 2000 / 8,
          "no reader saw a write half done");
}

/* ---- thread-specific data and pthread_once */

static pthread_key_t buffer_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t freed_lock = PTHREAD_MUTEX_INITIALIZER;
static int freed, key_inits;

static void free_buffer(void *p)
{
    free(p);
    pthread_mutex_lock(&freed_lock);
    freed++;
    pthread_mutex_unlock(&freed_lock);
}

static void make_key(void)
{
    key_inits++;
    pthread_key_create(&buffer_key, free_buffer);
}

static void *use_buffer(void *arg)
{
    char *buf;

    pthread_once(&key_once, make_key);
    buf = malloc(32);
    snprintf(buf, 32, "thread %d", (int)(uintptr_t)arg);
    pthread_setspecific(buffer_key, buf);
    /* Elsewhere in the thread: its own buffer, found through the key. */
    buf = pthread_getspecific(buffer_key);
    if ((int)(uintptr_t)arg % 2) {
        pthread_exit((void *)(uintptr_t)(strncmp(buf, "thread ", 7) == 0));
    }
    return (void *)(uintptr_t)(strncmp(buf, "thread ", 7) == 0);
}

static void keys_test(void)
{
    pthread_t t[WORKERS];
    int own = 1;

    for (uintptr_t i = 0; i < WORKERS; i++) {
        pthread_create(&t[i], NULL, use_buffer, (void *)i);
    }
    for (int i = 0; i < WORKERS; i++) {
        void *ret = NULL;

        pthread_join(t[i], &ret);
        own &= ret == (void *)1;
    }
    printf("pthreads: keys: once ran %d time, %d destructor calls\n", key_inits, freed);
    check(own && key_inits == 1 && freed == WORKERS, "per-thread buffers freed at thread exit");
    pthread_key_delete(buffer_key);
}

/* ---- errors and time-outs */

static void errors_test(void)
{
    pthread_mutexattr_t attr;
    pthread_mutex_t m;
    pthread_cond_t c = PTHREAD_COND_INITIALIZER;
    struct timespec ts;
    int rc;

    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&m, &attr);
    pthread_mutex_lock(&m);
    rc = pthread_mutex_lock(&m);
    printf("pthreads: relocking an error-checking mutex: %s\n", strerror(rc));
    check(rc == EDEADLK, "EDEADLK");
    rc = pthread_mutex_trylock(&m);
    check(rc == EBUSY, "trylock on a held mutex: EBUSY");
    rc = pthread_mutex_destroy(&m);
    check(rc == EBUSY, "destroying a held mutex: EBUSY");

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 20L * 1000 * 1000;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    rc = pthread_cond_timedwait(&c, &m, &ts);
    printf("pthreads: a 20 ms timed wait nobody signals: %s\n", strerror(rc));
    check(rc == ETIMEDOUT, "ETIMEDOUT, with the mutex held again");
    pthread_mutex_unlock(&m);
    rc = pthread_mutex_unlock(&m);
    check(rc == EPERM, "unlocking a mutex one does not hold: EPERM");
    rc = pthread_join(pthread_self(), NULL);
    check(rc == EDEADLK, "joining oneself: EDEADLK");
    pthread_mutex_destroy(&m);
    pthread_mutexattr_destroy(&attr);
}

/* ---- affinity: a thread given one CPU runs there */

static void *report_cpu(void *arg)
{
    *(int *)arg = sched_getcpu();
    return NULL;
}

static void affinity_test(void)
{
    cpu_set_t mine, one;
    pthread_attr_t attr;
    pthread_t t;
    int cpu = -1, ran = -2;

    /* The lowest CPU this program may use: 0 on Kite, maybe another in a Linux container. */
    pthread_getaffinity_np(pthread_self(), sizeof(mine), &mine);
    for (int c = CPU_SETSIZE - 1; c >= 0; c--) {
        if (CPU_ISSET(c, &mine)) {
            cpu = c;
        }
    }
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    pthread_attr_init(&attr);
    pthread_attr_setaffinity_np(&attr, sizeof(one), &one);
    pthread_create(&t, &attr, report_cpu, &ran);
    pthread_join(t, NULL);
    pthread_attr_destroy(&attr);
    check(cpu >= 0 && ran == cpu, "a thread bound to a CPU runs on it");
    CPU_ZERO(&one);
    pthread_attr_init(&attr);
    check(pthread_attr_setaffinity_np(&attr, sizeof(one), &one) == EINVAL ||
              pthread_create(&t, &attr, report_cpu, &ran) == EINVAL,
          "an empty CPU set: EINVAL");
    pthread_attr_destroy(&attr);
}

/* The last thread: it outlives main, which ends with pthread_exit. */
static void *verdict(void *arg)
{
    struct timespec pause = {0, 10 * 1000 * 1000};

    (void)arg;
    nanosleep(&pause, NULL);
    printf("pthreads: all checks passed\n");
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_attr_t attr;
    pthread_t t;

    (void)argc;
    (void)argv;
    sums();
    queue_test();
    rwlock_test();
    keys_test();
    errors_test();
    affinity_test();
    if (failures) {
        printf("pthreads: %d checks FAILED\n", failures);
        return 1;
    }
    /*
     * POSIX: when main calls pthread_exit, the program goes on until its
     * last thread ends, then exits with status 0.
     */
    printf("pthreads: main calls pthread_exit; a detached thread has the last word\n");
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, verdict, NULL) != 0) {
        return 1;
    }
    pthread_exit(NULL);
}
