/* SPDX-License-Identifier: MIT */
/*
 * threadprivate variables (gcc makes them __thread: thread-local storage)
 * and copyin.
 */
#include "omptest.h"

#define TEAM 4

static int counter = -1;
static long table[4] = {1, 2, 3, 4};
#pragma omp threadprivate(counter, table)

void test_threadprivate(void)
{
    int first[TEAM], kept = 0, initial = 0, distinct = 1;
    int *where[TEAM];

    /* Persistence needs the same team size and no dynamic adjustment in both regions. */
    omp_set_dynamic(0);
#pragma omp parallel num_threads(TEAM) reduction(+ : initial)
    {
        int me = omp_get_thread_num();

        initial += counter == -1 && table[2] == 3; /* the initial values */
        counter = 100 + me;
        table[1] = me;
        first[me] = counter;
        where[me] = &counter;
    }
#pragma omp parallel num_threads(TEAM) reduction(+ : kept)
    {
        int me = omp_get_thread_num();

        kept += counter == 100 + me && table[1] == me;
    }
    for (int i = 0; i < TEAM; i++) {
        for (int j = 0; j < i; j++) {
            distinct = distinct && where[i] != where[j];
        }
    }
    omptest_say("threadprivate: %d of %d threads saw the initial values, own copies %d, "
                "values kept between regions by %d",
                initial, TEAM, distinct, kept);
    omptest_say("first region's values %d %d %d %d; the initial thread's copy now %d", first[0],
                first[1], first[2], first[3], counter);
    CHECK(initial == TEAM && distinct && kept == TEAM && counter == 100, "threadprivate");
}

void test_copyin(void)
{
    int bad = 0;

    counter = 7;
    table[0] = 70;
#pragma omp parallel num_threads(TEAM) copyin(counter, table) reduction(+ : bad)
    {
        bad += counter != 7 || table[0] != 70;
        counter += omp_get_thread_num();
    }
    omptest_say("copyin: %d of %d threads started from the initial thread's values", TEAM - bad,
                TEAM);
    CHECK(bad == 0 && counter == 7, "copyin");
}
