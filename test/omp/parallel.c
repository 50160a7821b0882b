/* SPDX-License-Identifier: MIT */
/*
 * parallel regions (num_threads, if, nested regions serialized by default and
 * active with max_active_levels 2, teams started by two pthreads at once) and
 * the query functions: team sizes, levels, ancestors, the ICV setters, wtime.
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "omptest.h"

#define TEAM 4

void test_parallel(void)
{
    int seen[TEAM] = {0};
    int sizes[TEAM] = {0};
    int in_parallel = 0, outside;

#pragma omp parallel num_threads(TEAM)
    {
        int me = omp_get_thread_num();

        if (me >= 0 && me < TEAM) {
#pragma omp atomic
            seen[me]++;
            sizes[me] = omp_get_num_threads();
        }
#pragma omp atomic
        in_parallel += omp_in_parallel();
    }
    outside = omp_in_parallel();
    for (int i = 0; i < TEAM; i++) {
        CHECK(seen[i] == 1, "thread %d ran the region %d times", i, seen[i]);
        CHECK(sizes[i] == TEAM, "thread %d saw a team of %d", i, sizes[i]);
    }
    CHECK(in_parallel == TEAM, "omp_in_parallel was true in %d threads", in_parallel);
    CHECK(outside == 0, "omp_in_parallel is %d after the region", outside);
    omptest_say("num_threads(%d): thread numbers 0..%d each ran once, in_parallel in %d", TEAM,
                TEAM - 1, in_parallel);

    /* Larger teams than CPUs, and again and again (the pool is reused). */
    for (int n = 1; n <= 9; n += 4) {
        int count = 0, sum = 0;

#pragma omp parallel num_threads(n) reduction(+ : count, sum)
        {
            count++;
            sum += omp_get_thread_num();
        }
        CHECK(count == n && sum == n * (n - 1) / 2, "num_threads(%d): %d threads, sum %d", n, count,
              sum);
        omptest_say("num_threads(%d): %d threads, thread numbers sum to %d", n, count, sum);
    }
}

void test_parallel_if(void)
{
    int count = 0, size = 0;
    volatile int zero = 0;

#pragma omp parallel num_threads(TEAM) if (zero)
    {
#pragma omp atomic
        count++;
        size = omp_get_num_threads();
        CHECK(!omp_in_parallel(), "omp_in_parallel is true in a region with if(0)");
    }
    omptest_say("if(0): %d thread, team size %d", count, size);
    CHECK(count == 1 && size == 1, "if(0) ran %d threads", count);

    count = 0;
#pragma omp parallel num_threads(3) if (!zero)
    {
#pragma omp atomic
        count++;
    }
    omptest_say("if(1) num_threads(3): %d threads", count);
    CHECK(count == 3, "if(1) ran %d threads", count);
}

void test_parallel_nested(void)
{
    int inner_sizes[2] = {0}, levels[2] = {0}, active[2] = {0}, ancestor[2] = {-1, -1};
    int outer_size[2] = {0}, inner_count = 0;

    omp_set_max_active_levels(1);
#pragma omp parallel num_threads(2)
    {
        int outer = omp_get_thread_num();

#pragma omp parallel num_threads(3)
        {
#pragma omp atomic
            inner_count++;
            if (outer >= 0 && outer < 2) {
                inner_sizes[outer] = omp_get_num_threads();
                levels[outer] = omp_get_level();
                active[outer] = omp_get_active_level();
                ancestor[outer] = omp_get_ancestor_thread_num(1);
                outer_size[outer] = omp_get_team_size(1);
                CHECK(omp_get_thread_num() == 0, "inner thread number %d", omp_get_thread_num());
                CHECK(omp_get_team_size(2) == 1, "inner team size %d", omp_get_team_size(2));
                CHECK(omp_in_parallel(), "omp_in_parallel false in the inner region");
            }
        }
    }
    omptest_say("max_active_levels %d: 2 outer threads ran %d inner threads", 1, inner_count);
    CHECK(inner_count == 2, "inner regions ran %d threads, expected 2 (serialized)", inner_count);
    for (int i = 0; i < 2; i++) {
        omptest_say("outer %d: inner team %d, level %d, active level %d, ancestor %d, "
                    "outer team %d",
                    i, inner_sizes[i], levels[i], active[i], ancestor[i], outer_size[i]);
        CHECK(inner_sizes[i] == 1 && levels[i] == 2 && active[i] == 1 && ancestor[i] == i &&
                  outer_size[i] == 2,
              "outer thread %d's inner region", i);
    }
    CHECK(omp_get_max_active_levels() == 1, "max_active_levels %d after setting 1",
          omp_get_max_active_levels());
}

/* With max_active_levels 2 an inner region has its own team, with barriers and worksharing. */
void test_parallel_nested_active(void)
{
    int inner_sizes[2] = {0}, levels[2] = {0}, active[2] = {0}, ancestor[2] = {-1, -1};
    int members[2] = {0}, inner_count = 0;
    long sums[2] = {0};

    omp_set_max_active_levels(2);
#pragma omp parallel num_threads(2)
    {
        int outer = omp_get_thread_num();
        long sum = 0;

#pragma omp parallel num_threads(3) reduction(+ : sum)
        {
            int me = omp_get_thread_num();

#pragma omp atomic
            inner_count++;
#pragma omp atomic
            members[outer] |= 1 << me;
#pragma omp barrier
            if (me == 0) {
                inner_sizes[outer] = omp_get_num_threads();
                levels[outer] = omp_get_level();
                active[outer] = omp_get_active_level();
                ancestor[outer] = omp_get_ancestor_thread_num(1);
                CHECK(omp_get_team_size(1) == 2 && omp_get_team_size(2) == 3,
                      "team sizes %d and %d", omp_get_team_size(1), omp_get_team_size(2));
            }
#pragma omp for schedule(dynamic, 7)
            for (int i = 0; i < 1000; i++) {
                sum += i;
            }
        }
        sums[outer] = sum;
    }
    omptest_say("max_active_levels %d: 2 outer threads ran %d inner threads", 2, inner_count);
    CHECK(inner_count == 6, "inner regions ran %d threads, expected 6", inner_count);
    for (int i = 0; i < 2; i++) {
        omptest_say("outer %d: inner team %d (members %#x), level %d, active level %d, "
                    "ancestor %d, sum %ld",
                    i, inner_sizes[i], (unsigned int)members[i], levels[i], active[i], ancestor[i],
                    sums[i]);
        CHECK(inner_sizes[i] == 3 && members[i] == 7 && levels[i] == 2 && active[i] == 2 &&
                  ancestor[i] == i && sums[i] == 499500,
              "outer thread %d's inner region", i);
    }
    omp_set_max_active_levels(1);
}

/* Two pthreads start regions at the same moment: each gets a whole team. */
struct pthread_team {
    pthread_barrier_t *start;
    int size;
    long sum;
    int members;
};

static void *team_from_pthread(void *arg)
{
    struct pthread_team *pt = arg;
    long sum = 0;

    pthread_barrier_wait(pt->start);
#pragma omp parallel num_threads(3) reduction(+ : sum)
    {
#pragma omp atomic
        pt->members |= 1 << omp_get_thread_num();
        omptest_spin(200000); /* so that the two regions overlap */
#pragma omp barrier
#pragma omp single
        pt->size = omp_get_num_threads();
#pragma omp for
        for (int i = 1; i <= 300; i++) {
            sum += i;
        }
    }
    pt->sum = sum;
    return NULL;
}

void test_parallel_from_pthreads(void)
{
    pthread_barrier_t start;
    pthread_t t[2];
    struct pthread_team pt[2] = {{&start, 0, 0, 0}, {&start, 0, 0, 0}};

    CHECK(pthread_barrier_init(&start, NULL, 2) == 0, "pthread_barrier_init");
    for (int i = 0; i < 2; i++) {
        CHECK(pthread_create(&t[i], NULL, team_from_pthread, &pt[i]) == 0, "pthread_create %d", i);
    }
    for (int i = 0; i < 2; i++) {
        CHECK(pthread_join(t[i], NULL) == 0, "pthread_join %d", i);
        omptest_say("pthread %d: a team of %d (members %#x), sum %ld", i, pt[i].size,
                    (unsigned int)pt[i].members, pt[i].sum);
        CHECK(pt[i].size == 3 && pt[i].members == 7 && pt[i].sum == 45150, "pthread %d's team", i);
    }
    pthread_barrier_destroy(&start);
}

void test_query(void)
{
    int max = omp_get_max_threads(), procs = omp_get_num_procs();
    int dyn;

    omptest_say("outside: thread %d of %d, level %d, active level %d, in_parallel %d",
                omp_get_thread_num(), omp_get_num_threads(), omp_get_level(),
                omp_get_active_level(), omp_in_parallel());
    omptest_say("outside: ancestor(0) %d, ancestor(1) %d, team_size(0) %d, team_size(1) %d",
                omp_get_ancestor_thread_num(0), omp_get_ancestor_thread_num(1),
                omp_get_team_size(0), omp_get_team_size(1));
    CHECK(omp_get_thread_num() == 0 && omp_get_num_threads() == 1 && omp_get_level() == 0,
          "the initial thread's numbers");
    CHECK(procs >= 1, "omp_get_num_procs() = %d", procs);
    /* Without OMP_NUM_THREADS both runtimes default to one thread per CPU. */
    if (!getenv("OMP_NUM_THREADS")) {
        CHECK(max == procs, "omp_get_max_threads() = %d, omp_get_num_procs() = %d", max, procs);
    }
    CHECK(omp_get_thread_limit() >= max, "omp_get_thread_limit() = %d < %d", omp_get_thread_limit(),
          max);

    omp_set_num_threads(3);
    omptest_say("omp_set_num_threads(3): max_threads %d", omp_get_max_threads());
#pragma omp parallel
    {
#pragma omp master
        {
            omptest_say("inside: thread %d of %d, level %d, active level %d, in_parallel %d, "
                        "ancestor(1) %d, team_size(1) %d",
                        omp_get_thread_num(), omp_get_num_threads(), omp_get_level(),
                        omp_get_active_level(), omp_in_parallel(), omp_get_ancestor_thread_num(1),
                        omp_get_team_size(1));
            CHECK(omp_get_num_threads() == 3, "team of %d after omp_set_num_threads(3)",
                  omp_get_num_threads());
        }
    }
    omp_set_num_threads(max);
    CHECK(omp_get_max_threads() == max, "max_threads %d after restoring %d", omp_get_max_threads(),
          max);

    dyn = omp_get_dynamic();
    omp_set_dynamic(1);
    omptest_say("omp_set_dynamic(1): omp_get_dynamic() = %d", omp_get_dynamic());
    omp_set_dynamic(0);
    omptest_say("omp_set_dynamic(0): omp_get_dynamic() = %d", omp_get_dynamic());
    omp_set_dynamic(dyn);
    omp_set_max_active_levels(1);
    omptest_say("omp_set_max_active_levels(1): %d", omp_get_max_active_levels());
    omptest_say("omp_get_nested() = %d", omp_get_nested());
}

void test_wtime(void)
{
    double tick = omp_get_wtick(), t0 = omp_get_wtime(), t1, t2;
    struct timespec ten_ms = {0, 10L * 1000 * 1000};

    t1 = omp_get_wtime();
    nanosleep(&ten_ms, NULL);
    t2 = omp_get_wtime();
    CHECK(tick > 0 && tick < 0.01, "omp_get_wtick() is not in (0, 10 ms)");
    CHECK(t0 >= 0 && t1 >= t0, "omp_get_wtime() went backwards");
    /* A 10 ms sleep takes at least 10 ms and, even on a loaded machine, less than 10 s. */
    CHECK(t2 - t1 >= 0.0099 && t2 - t1 < 10, "a 10 ms sleep took %ld us", (long)((t2 - t1) * 1e6));
    omptest_say("wtick in (0, 10 ms), wtime increases, a 10 ms sleep measures 10 ms or more");
}
