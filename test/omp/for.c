/* SPDX-License-Identifier: MIT */
/*
 * Worksharing loops: each schedule (static with and without a chunk,
 * dynamic, guided, runtime, auto), collapse(2), nowait, unsigned long long
 * and non-unit steps. Each loop records which thread ran each iteration;
 * what the OpenMP specification fixes (static chunks go round-robin in
 * thread order, a chunk runs on one thread, every iteration runs once) is
 * checked, and only what it fixes is printed.
 */
#include <stdio.h>

#include "omptest.h"

#define TEAM 4
#define N    1000

static int owner[N]; /* the thread that ran each iteration */
static int runs[N];  /* how many times each iteration ran */

static void clear(void)
{
    for (int i = 0; i < N; i++) {
        owner[i] = -1;
        runs[i] = 0;
    }
}

static void ran(int i)
{
#pragma omp atomic
    runs[i]++;
    owner[i] = omp_get_thread_num();
}

/* Every iteration of 0..n-1 ran exactly once; returns how many did not. */
static int check_once(int n)
{
    int bad = 0;

    for (int i = 0; i < n; i++) {
        if (runs[i] != 1) {
            if (bad++ == 0) {
                omptest_fail("iteration %d ran %d times", i, runs[i]);
            }
        }
    }
    return bad;
}

/* Iterations of 0..n-1 in aligned chunks of @chunk all ran on one thread. */
static void check_chunks(int n, int chunk)
{
    for (int i = 0; i < n; i++) {
        if (owner[i] != owner[i - i % chunk]) {
            omptest_fail("chunk %d of size %d split between threads %d and %d", i / chunk, chunk,
                         owner[i - i % chunk], owner[i]);
            return;
        }
    }
}

/* How many iterations each thread of a team of TEAM ran, as "a b c d". */
static void say_counts(const char *what, int n)
{
    int count[TEAM] = {0};

    for (int i = 0; i < n; i++) {
        if (owner[i] >= 0 && owner[i] < TEAM) {
            count[owner[i]]++;
        }
    }
    omptest_say("%s: iterations per thread %d %d %d %d", what, count[0], count[1], count[2],
                count[3]);
}

void test_for_static(void)
{
    clear();
#pragma omp parallel num_threads(TEAM)
    {
#pragma omp for schedule(static)
        for (int i = 0; i < N; i++) {
            ran(i);
        }
    }
    check_once(N);
    /* One contiguous block per thread, in thread order, of N / TEAM each. */
    for (int i = 0; i < N; i++) {
        CHECK(owner[i] == i / (N / TEAM), "iteration %d ran on thread %d", i, owner[i]);
    }
    say_counts("schedule(static), 1000 iterations", N);

    /* 10 over 4: blocks of 2 or 3, one per thread, ascending with the thread number. */
    clear();
#pragma omp parallel for num_threads(TEAM) schedule(static)
    for (int i = 0; i < 10; i++) {
        ran(i);
    }
    check_once(10);
    for (int i = 1; i < 10; i++) {
        CHECK(owner[i] == owner[i - 1] || owner[i] == owner[i - 1] + 1,
              "static blocks are not in thread order at %d", i);
    }
    CHECK(owner[0] == 0 && owner[9] == TEAM - 1, "10 over 4 threads: first %d, last %d", owner[0],
          owner[9]);
    omptest_say("schedule(static), 10 iterations: one block per thread, in thread order");
}

void test_for_static_chunk(void)
{
    static const int chunks[] = {1, 3, 7, 1000};

    for (unsigned int c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
        int chunk = chunks[c], bad = 0;
        char what[16];

        clear();
#pragma omp parallel num_threads(TEAM)
        {
#pragma omp for schedule(static, chunk)
            for (int i = 0; i < N; i++) {
                ran(i);
            }
        }
        bad += check_once(N);
        for (int i = 0; i < N; i++) {
            if (owner[i] != (i / chunk) % TEAM && bad++ == 0) {
                omptest_fail("static,%d: iteration %d ran on thread %d", chunk, i, owner[i]);
            }
        }
        snprintf(what, sizeof(what), "static,%d", chunk);
        say_counts(what, N);
    }
}

void test_for_dynamic(void)
{
    long sum = 0;

    clear();
#pragma omp parallel num_threads(TEAM)
    {
#pragma omp for schedule(dynamic, 4) reduction(+ : sum)
        for (int i = 0; i < N; i++) {
            ran(i);
            sum += i;
        }
    }
    check_once(N);
    check_chunks(N, 4);
    CHECK(sum == (long)N * (N - 1) / 2, "dynamic,4: sum %ld", sum);
    omptest_say("dynamic,4: each iteration once, chunks of 4 on one thread, sum %ld", sum);

    clear();
    sum = 0;
#pragma omp parallel num_threads(TEAM)
    {
#pragma omp for schedule(dynamic) reduction(+ : sum)
        for (int i = 0; i < N; i++) {
            ran(i);
            sum += i;
            if (i % 64 == 0) {
                omptest_spin(1000);
            }
        }
    }
    check_once(N);
    CHECK(sum == (long)N * (N - 1) / 2, "dynamic: sum %ld", sum);
    omptest_say("dynamic: each iteration once, sum %ld", sum);

    clear();
#pragma omp parallel num_threads(TEAM)
    {
#pragma omp for schedule(monotonic : dynamic, 3)
        for (int i = 0; i < 100; i++) {
            ran(i);
        }
    }
    check_once(100);
    check_chunks(100, 3);
    omptest_say("monotonic:dynamic,3: each iteration once, chunks of 3 on one thread");
}

void test_for_guided(void)
{
    static const int chunks[] = {1, 5};

    for (unsigned int c = 0; c < 2; c++) {
        int chunk = chunks[c];
        long sum = 0;

        clear();
#pragma omp parallel num_threads(TEAM)
        {
#pragma omp for schedule(guided, chunk) reduction(+ : sum)
            for (int i = 0; i < N; i++) {
                ran(i);
                sum += i;
            }
        }
        check_once(N);
        /* A thread's chunk is contiguous: no run of one thread is shorter than the chunk size,
         * except at the end. */
        for (int i = 0, start = 0; i < N; i++) {
            if (i + 1 == N || owner[i + 1] != owner[i]) {
                CHECK(i + 1 - start >= chunk || i + 1 == N, "guided,%d: a run of %d at %d", chunk,
                      i + 1 - start, start);
                start = i + 1;
            }
        }
        CHECK(sum == (long)N * (N - 1) / 2, "guided,%d: sum %ld", chunk, sum);
        omptest_say("guided,%d: each iteration once, sum %ld", chunk, sum);
    }
}

void test_for_runtime(void)
{
    omp_sched_t kind, saved_kind;
    int chunk, saved_chunk;

    omp_get_schedule(&saved_kind, &saved_chunk);

    omp_set_schedule(omp_sched_static, 5);
    omp_get_schedule(&kind, &chunk);
    omptest_say("omp_set_schedule(static, 5): omp_get_schedule() = %d, %d", (int)kind, chunk);
    CHECK(kind == omp_sched_static && chunk == 5, "schedule read back as %d, %d", (int)kind, chunk);
    clear();
#pragma omp parallel num_threads(TEAM)
    {
#pragma omp for schedule(runtime)
        for (int i = 0; i < N; i++) {
            ran(i);
        }
    }
    check_once(N);
    for (int i = 0; i < N; i++) {
        if (owner[i] != (i / 5) % TEAM) {
            omptest_fail("runtime static,5: iteration %d ran on thread %d", i, owner[i]);
            break;
        }
    }
    say_counts("runtime static,5", N);

    omp_set_schedule(omp_sched_dynamic, 6);
    omp_get_schedule(&kind, &chunk);
    omptest_say("omp_set_schedule(dynamic, 6): omp_get_schedule() = %d, %d", (int)kind, chunk);
    clear();
#pragma omp parallel num_threads(TEAM)
    {
#pragma omp for schedule(runtime)
        for (int i = 0; i < N; i++) {
            ran(i);
        }
    }
    check_once(N);
    check_chunks(N, 6);

    omp_set_schedule(omp_sched_guided, 2);
    omp_get_schedule(&kind, &chunk);
    omptest_say("omp_set_schedule(guided, 2): omp_get_schedule() = %d, %d", (int)kind, chunk);
    clear();
#pragma omp parallel for num_threads(TEAM) schedule(runtime)
    for (int i = 0; i < N; i++) {
        ran(i);
    }
    check_once(N);

    omp_set_schedule(omp_sched_auto, 0);
    omp_get_schedule(&kind, &chunk);
    omptest_say("omp_set_schedule(auto): kind %d", (int)kind);
    clear();
#pragma omp parallel for num_threads(TEAM) schedule(runtime)
    for (int i = 0; i < N; i++) {
        ran(i);
    }
    check_once(N);

    omp_set_schedule(saved_kind, saved_chunk);
}

void test_for_auto(void)
{
    long sum = 0;

    clear();
#pragma omp parallel for num_threads(TEAM) schedule(auto) reduction(+ : sum)
    for (int i = 0; i < N; i++) {
        ran(i);
        sum += i;
    }
    check_once(N);
    omptest_say("schedule(auto): each iteration once, sum %ld", sum);
}

void test_for_collapse(void)
{
    enum { ROWS = 7, COLS = 13 };
    long sum = 0;

    clear();
#pragma omp parallel num_threads(TEAM)
    {
#pragma omp for collapse(2) schedule(static) reduction(+ : sum)
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < COLS; j++) {
                ran(i * COLS + j);
                sum += i * 100 + j;
            }
        }
    }
    check_once(ROWS * COLS);
    /* Static over the collapsed space: one block of 91 / 4 = 22 or 23 per thread, in order. */
    for (int k = 1; k < ROWS * COLS; k++) {
        CHECK(owner[k] == owner[k - 1] || owner[k] == owner[k - 1] + 1,
              "collapsed blocks out of order at %d", k);
    }
    omptest_say("collapse(2) static, 7x13: each pair once, blocks in thread order, sum %ld", sum);

    clear();
#pragma omp parallel for collapse(2) num_threads(TEAM) schedule(dynamic, 2)
    for (int i = 0; i < ROWS; i++) {
        for (int j = 0; j < COLS; j++) {
            ran(i * COLS + j);
        }
    }
    check_once(ROWS * COLS);
    check_chunks(ROWS * COLS, 2);
    omptest_say("collapse(2) dynamic,2: each pair once, chunks of 2 on one thread");
}

void test_for_nowait(void)
{
    static int a[N], b[N];
    int bad = 0;

#pragma omp parallel num_threads(TEAM)
    {
        /* Two static loops of the same count give each thread the same iterations, so the second
         * may read what the first wrote without a barrier between them. */
#pragma omp for schedule(static) nowait
        for (int i = 0; i < N; i++) {
            a[i] = i * 3;
        }
#pragma omp for schedule(static) nowait
        for (int i = 0; i < N; i++) {
            b[i] = a[i] + 1;
        }
#pragma omp barrier
#pragma omp for schedule(static, 10) nowait reduction(+ : bad)
        for (int i = 0; i < N; i++) {
            bad += b[N - 1 - i] != (N - 1 - i) * 3 + 1;
        }
    }
    CHECK(bad == 0, "%d values were not written before the barrier", bad);
    omptest_say("two static loops with nowait, then a barrier: %d of %d values right", N - bad, N);

    /* Many dynamic loops with nowait while one thread lags behind: a runtime that keeps a few
     * loops' states at a time must not hand the late thread a newer loop's state. */
    clear();
#pragma omp parallel num_threads(TEAM)
    {
        if (omp_get_thread_num() == TEAM - 1) {
            omptest_spin(20000);
        }
        for (int k = 0; k < 25; k++) {
#pragma omp for schedule(dynamic, 2) nowait
            for (int i = 0; i < 40; i++) {
#pragma omp atomic
                runs[k * 40 + i]++;
            }
        }
    }
    bad = check_once(25 * 40);
    omptest_say("25 dynamic loops with nowait, one thread late: %d of %d iterations ran once",
                25 * 40 - bad, 25 * 40);
}

void test_for_ull(void)
{
    unsigned long long count = 0, sum = 0;
    volatile unsigned long long start = 1ULL << 40; /* unknown to the compiler */
    unsigned long long base = start;

#pragma omp parallel num_threads(TEAM)
    {
#pragma omp for schedule(dynamic, 7) reduction(+ : count, sum)
        for (unsigned long long i = base; i < base + 1000; i++) {
            count++;
            sum += i - base;
        }
    }
    omptest_say("unsigned long long from 2^40, dynamic,7: %llu iterations, sum %llu", count, sum);
    CHECK(count == 1000 && sum == 499500, "ull dynamic loop");

    count = sum = 0;
#pragma omp parallel for num_threads(TEAM) schedule(guided) reduction(+ : count, sum)
    for (unsigned long long i = base + 999; i >= base; i--) {
        count++;
        sum += i - base;
    }
    omptest_say("unsigned long long downward, guided: %llu iterations, sum %llu", count, sum);
    CHECK(count == 1000 && sum == 499500, "ull downward loop");

    count = sum = 0;
#pragma omp parallel for num_threads(TEAM) schedule(static, 5) reduction(+ : count, sum)
    for (unsigned long long i = 0; i < 1000; i += 3) {
        count++;
        sum += i;
    }
    omptest_say("unsigned long long step 3, static,5: %llu iterations, sum %llu", count, sum);
    CHECK(count == 334 && sum == 166833, "ull step loop");
}

void test_for_steps(void)
{
    long count = 0, sum = 0;

#pragma omp parallel for num_threads(TEAM) schedule(static, 2) reduction(+ : count, sum)
    for (int i = 100; i > -50; i -= 7) {
        count++;
        sum += i;
    }
    omptest_say("from 100 down to -49 by 7, static,2: %ld iterations, sum %ld", count, sum);
    CHECK(count == 22 && sum == 583, "downward step loop");

    count = sum = 0;
#pragma omp parallel for num_threads(TEAM) schedule(dynamic) reduction(+ : count, sum)
    for (long i = -1000; i <= 1000; i += 9) {
        count++;
        sum += i;
    }
    omptest_say("long from -1000 to 1000 by 9, dynamic: %ld iterations, sum %ld", count, sum);

    count = 0;
    /* An empty loop runs no iteration. */
#pragma omp parallel for num_threads(TEAM) schedule(guided) reduction(+ : count)
    for (int i = 5; i < 5; i++) {
        count++;
    }
    omptest_say("empty loop: %ld iterations", count);
    CHECK(count == 0, "an empty loop ran %ld iterations", count);
}
