/* SPDX-License-Identifier: MIT */
/*
 * Tasks: task and taskwait, firstprivate data captured at creation, tasks
 * creating tasks, taskgroup (waits for descendants too), undeferred if(0)
 * tasks, final and mergeable, depend, and taskloop.
 */
#include "omptest.h"

#define TEAM 4

void test_task(void)
{
    static int done[100];
    int count = 0, all_done = 1;

    for (int i = 0; i < 100; i++) {
        done[i] = 0;
    }
#pragma omp parallel num_threads(TEAM)
    {
#pragma omp single
        {
            for (int i = 0; i < 100; i++) {
#pragma omp task
                {
                    if (i % 10 == 0) {
                        omptest_spin(1000);
                    }
#pragma omp atomic
                    done[i]++;
#pragma omp atomic
                    count++;
                }
            }
#pragma omp taskwait
            for (int i = 0; i < 100; i++) {
                all_done = all_done && done[i] == 1;
            }
        }
    }
    omptest_say("100 tasks from a single: %d ran, all done at taskwait: %d", count, all_done);
    CHECK(count == 100 && all_done, "tasks");

    /* Every thread creates tasks; the region's closing barrier waits for them all. */
    count = 0;
#pragma omp parallel num_threads(TEAM)
    {
        for (int i = 0; i < 25; i++) {
#pragma omp task shared(count)
            {
#pragma omp atomic
                count++;
            }
        }
    }
    omptest_say("25 tasks from each of %d threads: %d ran by the end of the region", TEAM, count);
    CHECK(count == 25 * TEAM, "tasks from every thread");
}

void test_task_firstprivate(void)
{
    static long result[64];
    long sum = 0;
    int bad = 0;

#pragma omp parallel num_threads(TEAM)
    {
#pragma omp single
        {
            long base = 1000;
            int values[4] = {1, 2, 3, 4};

            for (int i = 0; i < 64; i++) {
                /* i, base and a copy of the array, as they are now. */
#pragma omp task firstprivate(i, base, values)
                {
                    omptest_spin(100);
                    result[i] = base * i + values[i % 4];
                }
                base++;
                values[i % 4] = -1;
            }
        }
    }
    for (int i = 0; i < 64; i++) {
        long want = (1000L + i) * i + (i < 4 ? i + 1 : -1);

        bad += result[i] != want;
        sum += result[i];
    }
    omptest_say("64 tasks with firstprivate(i, base, values): sum %ld, %d wrong", sum, bad);
    CHECK(bad == 0, "firstprivate task data");
}

static long fib(int n)
{
    long a, b;

    if (n < 2) {
        return n;
    }
    if (n < 8) {
        return fib(n - 1) + fib(n - 2);
    }
#pragma omp task shared(a)
    a = fib(n - 1);
#pragma omp task shared(b)
    b = fib(n - 2);
#pragma omp taskwait
    return a + b;
}

void test_task_recursive(void)
{
    long r = 0;

#pragma omp parallel num_threads(TEAM)
    {
#pragma omp single
        r = fib(20);
    }
    omptest_say("fib(20) with tasks creating tasks: %ld", r);
    CHECK(r == 6765, "fib(20) = %ld", r);

    /* The same on a team of one. */
#pragma omp parallel num_threads(1)
    {
        r = fib(16);
    }
    omptest_say("fib(16) on a team of one: %ld", r);
    CHECK(r == 987, "fib(16) = %ld", r);
}

void test_taskgroup(void)
{
    int children = 0, grandchildren = 0, seen_children = -1, seen_grandchildren = -1;

#pragma omp parallel num_threads(TEAM)
    {
#pragma omp single
        {
#pragma omp taskgroup
            {
                for (int i = 0; i < 8; i++) {
#pragma omp task
                    {
                        for (int j = 0; j < 4; j++) {
#pragma omp task
                            {
                                omptest_spin(500);
#pragma omp atomic
                                grandchildren++;
                            }
                        }
#pragma omp atomic
                        children++;
                    }
                }
            }
            /* taskgroup waited for the grandchildren too (taskwait would not have). */
#pragma omp atomic read
            seen_children = children;
#pragma omp atomic read
            seen_grandchildren = grandchildren;
        }
    }
    omptest_say("after taskgroup: %d children, %d grandchildren done", seen_children,
                seen_grandchildren);
    CHECK(seen_children == 8 && seen_grandchildren == 32, "taskgroup");
}

void test_task_if0(void)
{
    int bad = 0, ran = 0;

#pragma omp parallel num_threads(TEAM) reduction(+ : bad, ran)
    {
        int me = omp_get_thread_num();

        for (int i = 0; i < 10; i++) {
            int done = 0, by = -1;

            /* Undeferred: done by the time the encountering thread goes on. */
#pragma omp task if (0) shared(done, by)
            {
                done = 1;
                by = omp_get_thread_num();
            }
            bad += !done || by != me;
            ran += done;
        }
    }
    omptest_say("if(0) tasks: %d ran before their creator went on, on its thread; %d not", ran,
                bad);
    CHECK(bad == 0 && ran == 10 * TEAM, "if(0) tasks");
}

void test_task_final(void)
{
    int in_final = 0, outside_final = -1, inner_by_creator = 0, count = 0;

#pragma omp parallel num_threads(TEAM)
    {
#pragma omp single
        {
            outside_final = omp_in_final();
#pragma omp task final(1) shared(in_final, inner_by_creator, count)
            {
                int me = omp_get_thread_num();

                in_final = omp_in_final();
                for (int i = 0; i < 5; i++) {
                    /* Inside a final task every task is included: run at once by this thread. */
#pragma omp task shared(inner_by_creator, count)
                    {
                        inner_by_creator += omp_get_thread_num() == me && omp_in_final();
                        /* The mergeable task below may run meanwhile on another thread. */
#pragma omp atomic
                        count++;
                    }
                }
            }
#pragma omp task mergeable shared(count)
            {
#pragma omp atomic
                count++;
            }
#pragma omp taskwait
        }
    }
    omptest_say("omp_in_final: %d outside, %d in a final task; %d of 5 included tasks on the "
                "creator; %d tasks ran",
                outside_final, in_final, inner_by_creator, count);
    CHECK(!outside_final && in_final && inner_by_creator == 5 && count == 6, "final tasks");
}

void test_task_depend(void)
{
    static int log[30];
    int n = 0, bad = 0, x = 0, y = 0;

#pragma omp parallel num_threads(TEAM)
    {
#pragma omp single
        {
            for (int round = 0; round < 10; round++) {
                /* A writer, then two readers, then the next writer after both. */
#pragma omp task depend(out : x) shared(x, n, log)
                {
                    omptest_spin(300);
                    x = round;
                    int k;
#pragma omp atomic capture
                    k = n++;
                    log[k] = 3 * round;
                }
#pragma omp task depend(in : x) depend(out : y) shared(x, y, n, log)
                {
                    y = x * 10;
                    int k;
#pragma omp atomic capture
                    k = n++;
                    log[k] = 3 * round + 1;
                }
#pragma omp task depend(in : x, y) shared(x, y, n, log, bad)
                {
                    bad += y != x * 10;
                    int k;
#pragma omp atomic capture
                    k = n++;
                    log[k] = 3 * round + 2;
                }
            }
        }
    }
    for (int i = 0; i < 30; i++) {
        bad += log[i] != i;
    }
    omptest_say("30 tasks chained by depend(in/out): %d ran, %d out of order", n, bad);
    CHECK(n == 30 && bad == 0, "depend");
}

void test_taskloop(void)
{
    static int runs[500];
    long sum = 0;
    int bad = 0;

    for (int i = 0; i < 500; i++) {
        runs[i] = 0;
    }
#pragma omp parallel num_threads(TEAM)
    {
#pragma omp single
        {
#pragma omp taskloop grainsize(16)
            for (int i = 0; i < 500; i++) {
#pragma omp atomic
                runs[i]++;
            }
#pragma omp taskloop num_tasks(7) shared(sum)
            for (int i = 0; i < 500; i++) {
#pragma omp atomic
                sum += i;
            }
        }
    }
    for (int i = 0; i < 500; i++) {
        bad += runs[i] != 1;
    }
    omptest_say("taskloop grainsize(16): %d of 500 iterations ran once; num_tasks(7) atomic sum "
                "%ld",
                500 - bad, sum);
    CHECK(bad == 0 && sum == 124750, "taskloop");
}
