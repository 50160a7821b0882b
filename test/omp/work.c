/* SPDX-License-Identifier: MIT */
/*
 * Data-sharing clauses on loops (lastprivate, firstprivate), the combined
 * parallel loops of each schedule, ordered, sections, single (nowait,
 * copyprivate), master and masked.
 */
#include "omptest.h"

#define TEAM 4

void test_lastprivate(void)
{
    int last = -1, j = -1;

#pragma omp parallel num_threads(TEAM)
    {
#pragma omp for lastprivate(last) schedule(dynamic, 3)
        for (int i = 0; i < 100; i++) {
            last = i * i;
        }
    }
    omptest_say("lastprivate after dynamic,3 over 0..99: %d", last);
    CHECK(last == 99 * 99, "lastprivate got %d", last);

    /* The loop variable itself, when declared outside, is lastprivate in a parallel for. */
#pragma omp parallel for num_threads(TEAM) schedule(static) lastprivate(j)
    for (j = 0; j < 37; j++) {
    }
    omptest_say("loop variable after a parallel for over 0..36: %d", j);
    CHECK(j == 37, "loop variable is %d after the loop", j);

    /* The analyzer reads the sections as one sequence, in which only the last store counts. */
#pragma omp parallel sections num_threads(TEAM) lastprivate(last)
    {
#pragma omp section
        last = 1; // NOLINT(clang-analyzer-deadcode.DeadStores)
#pragma omp section
        last = 2; // NOLINT(clang-analyzer-deadcode.DeadStores)
#pragma omp section
        last = 3;
    }
    omptest_say("lastprivate of three sections: %d", last);
    CHECK(last == 3, "sections lastprivate got %d", last);
}

void test_firstprivate(void)
{
    int x = 42, seen[TEAM] = {0};
    long sum = 0;

#pragma omp parallel num_threads(TEAM) firstprivate(x)
    {
        int me = omp_get_thread_num();

        seen[me] = x;
        x += me + 1; /* changes this thread's copy only */
    }
    omptest_say("firstprivate(x = 42): threads saw %d %d %d %d, x is %d after", seen[0], seen[1],
                seen[2], seen[3], x);
    CHECK(x == 42, "the original changed to %d", x);

#pragma omp parallel for num_threads(TEAM) firstprivate(x) lastprivate(x) reduction(+ : sum)   \
    schedule(static)
    for (int i = 0; i < 8; i++) {
        sum += x;
        x = i;
    }
    omptest_say("firstprivate and lastprivate on one loop: sum %ld, x %d", sum, x);
    CHECK(x == 7, "lastprivate x %d", x);
}

void test_parallel_for(void)
{
    static int a[1000];
    long sums[6] = {0};
    omp_sched_t kind;
    int chunk;

    /* gcc emits a different entry point for each schedule of a combined parallel loop. */
#pragma omp parallel for num_threads(TEAM) schedule(static) reduction(+ : sums[0])
    for (int i = 0; i < 1000; i++) {
        a[i] = i;
        sums[0] += i;
    }
#pragma omp parallel for num_threads(TEAM) schedule(static, 16) reduction(+ : sums[1])
    for (int i = 0; i < 1000; i++) {
        sums[1] += a[i];
    }
#pragma omp parallel for num_threads(TEAM) schedule(dynamic, 16) reduction(+ : sums[2])
    for (int i = 0; i < 1000; i++) {
        sums[2] += a[i];
    }
#pragma omp parallel for num_threads(TEAM) schedule(nonmonotonic : dynamic) reduction(+ : sums[3])
    for (int i = 0; i < 1000; i++) {
        sums[3] += a[i];
    }
#pragma omp parallel for num_threads(TEAM) schedule(guided, 8) reduction(+ : sums[4])
    for (int i = 0; i < 1000; i++) {
        sums[4] += a[i];
    }
    omp_get_schedule(&kind, &chunk);
    omp_set_schedule(omp_sched_dynamic, 10);
#pragma omp parallel for num_threads(TEAM) schedule(runtime) reduction(+ : sums[5])
    for (int i = 0; i < 1000; i++) {
        sums[5] += a[i];
    }
    omp_set_schedule(kind, chunk);
    omptest_say("static %ld, static,16 %ld, dynamic,16 %ld, nonmonotonic dynamic %ld, "
                "guided,8 %ld, runtime %ld",
                sums[0], sums[1], sums[2], sums[3], sums[4], sums[5]);
    for (int k = 0; k < 6; k++) {
        CHECK(sums[k] == 499500, "combined loop %d summed %ld", k, sums[k]);
    }
}

void test_ordered(void)
{
    static int order[200];
    int next = 0, bad = 0;

#pragma omp parallel num_threads(TEAM)
    {
#pragma omp for ordered schedule(dynamic, 3)
        for (int i = 0; i < 200; i++) {
            if (i % 17 == 0) {
                omptest_spin(2000); /* some iterations are slower than others */
            }
#pragma omp ordered
            order[next++] = i;
        }
    }
    for (int i = 0; i < 200; i++) {
        bad += order[i] != i;
    }
    CHECK(next == 200 && bad == 0, "ordered dynamic,3: %d entries, %d out of order", next, bad);

    next = 0;
#pragma omp parallel for ordered num_threads(TEAM) schedule(static, 2)
    for (int i = 0; i < 100; i++) {
#pragma omp ordered
        {
            order[next++] = i;
        }
    }
    for (int i = 0; i < 100; i++) {
        bad += order[i] != i;
    }
    CHECK(next == 100 && bad == 0, "ordered static,2: %d entries, %d out of order", next, bad);

    next = 0;
#pragma omp parallel for ordered num_threads(TEAM) schedule(static)
    for (int i = 0; i < 50; i++) {
#pragma omp ordered
        order[next++] = i;
    }
    for (int i = 0; i < 50; i++) {
        bad += order[i] != i;
    }
    CHECK(next == 50 && bad == 0, "ordered static: %d entries, %d out of order", next, bad);
    omptest_say("ordered blocks ran in iteration order with dynamic,3, static,2 and static");
}

void test_sections(void)
{
    int done[5] = {0}, by[5] = {-1, -1, -1, -1, -1}, count = 0;

#pragma omp parallel num_threads(TEAM)
    {
#pragma omp sections reduction(+ : count)
        {
#pragma omp section
            {
                done[0]++;
                by[0] = omp_get_thread_num();
                count++;
            }
#pragma omp section
            {
                done[1]++;
                by[1] = omp_get_thread_num();
                count++;
            }
#pragma omp section
            {
                done[2]++;
                by[2] = omp_get_thread_num();
                count++;
            }
        }
    }
    omptest_say("three sections on 4 threads: ran %d %d %d times, count %d", done[0], done[1],
                done[2], count);
    for (int s = 0; s < 3; s++) {
        CHECK(done[s] == 1 && by[s] >= 0 && by[s] < TEAM, "section %d", s);
    }

    /* More sections than threads, without the closing barrier. */
    for (int s = 0; s < 5; s++) {
        done[s] = 0;
    }
#pragma omp parallel num_threads(2)
    {
#pragma omp sections nowait
        {
#pragma omp section
            done[0]++;
#pragma omp section
            done[1]++;
#pragma omp section
            done[2]++;
#pragma omp section
            done[3]++;
#pragma omp section
            done[4]++;
        }
    }
    omptest_say("five sections on 2 threads, nowait: ran %d %d %d %d %d times", done[0], done[1],
                done[2], done[3], done[4]);
    for (int s = 0; s < 5; s++) {
        CHECK(done[s] == 1, "section %d ran %d times", s, done[s]);
    }
}

void test_parallel_sections(void)
{
    int a = 0, b = 0, c = 0, d = 0;

#pragma omp parallel sections num_threads(TEAM)
    {
#pragma omp section
        a = 1;
#pragma omp section
        b = 2;
#pragma omp section
        c = 3;
#pragma omp section
        d = omp_get_num_threads();
    }
    omptest_say("parallel sections: %d %d %d, team %d", a, b, c, d);
    CHECK(a == 1 && b == 2 && c == 3, "a section did not run");
    CHECK(d == TEAM, "the team had %d threads", d);
}

void test_single(void)
{
    int count = 0, nowait_count = 0, after = 0;

#pragma omp parallel num_threads(TEAM)
    {
        for (int round = 0; round < 10; round++) {
#pragma omp single
            count++;
        }
        /* single's closing barrier: every thread sees all ten. */
        if (count != 10) {
#pragma omp atomic
            after++;
        }
        for (int round = 0; round < 10; round++) {
#pragma omp single nowait
            {
#pragma omp atomic
                nowait_count++;
            }
        }
    }
    omptest_say("10 singles: %d runs, seen by all %d threads after; 10 with nowait: %d runs", count,
                TEAM - after, nowait_count);
    CHECK(count == 10 && after == 0 && nowait_count == 10, "single");
}

void test_copyprivate(void)
{
    int bad = 0, rounds = 0;

#pragma omp parallel num_threads(TEAM) reduction(+ : bad)
    {
        for (int round = 0; round < 5; round++) {
            int x = -1;
            long y = -1;

#pragma omp single copyprivate(x, y)
            {
                x = 100 + round;
                y = 1000L * round + omp_get_num_threads();
            }
            bad += x != 100 + round || y != 1000L * round + TEAM;
        }
#pragma omp master
        rounds = 5;
    }
    omptest_say("single copyprivate(int, long): %d rounds on %d threads, %d wrong", rounds, TEAM,
                bad);
    CHECK(bad == 0, "%d threads got a wrong copyprivate value", bad);
}

void test_master(void)
{
    int count = 0, by = -1;

#pragma omp parallel num_threads(TEAM)
    {
        for (int round = 0; round < 5; round++) {
#pragma omp master
            {
                count++;
                by = omp_get_thread_num();
            }
        }
    }
    omptest_say("master: ran %d times, by thread %d", count, by);
    CHECK(count == 5 && by == 0, "master");
}

void test_masked(void)
{
    int count = 0, by = -1, count2 = 0, by2 = -1;

#pragma omp parallel num_threads(TEAM)
    {
#pragma omp masked
        {
            count++;
            by = omp_get_thread_num();
        }
#pragma omp masked filter(2)
        {
            count2++;
            by2 = omp_get_thread_num();
        }
    }
    omptest_say("masked: %d time by thread %d; masked filter(2): %d time by thread %d", count, by,
                count2, by2);
    CHECK(count == 1 && by == 0 && count2 == 1 && by2 == 2, "masked");
}
