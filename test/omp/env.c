/* SPDX-License-Identifier: MIT */
/*
 * The ICVs that OMP_NUM_THREADS, OMP_SCHEDULE and OMP_DYNAMIC set (on Kite:
 * kite.env="OMP_NUM_THREADS=3 ..."), and their effect on a parallel region
 * and on a schedule(runtime) loop. Not in "all": without those variables
 * the printed values depend on the number of CPUs.
 */
#include "omptest.h"

void test_env(void)
{
    omp_sched_t kind;
    int chunk, team = 0, bad = 0;
    static int owner[300];

    omp_get_schedule(&kind, &chunk);
    omptest_say("max_threads %d, schedule kind %d chunk %d, dynamic %d", omp_get_max_threads(),
                (int)kind & ~(int)omp_sched_monotonic, chunk, omp_get_dynamic());

    /* With dynamic adjustment a team may be smaller: switch it off to see the ICV's effect. */
    omp_set_dynamic(0);
#pragma omp parallel
    {
#pragma omp master
        team = omp_get_num_threads();
    }
    omptest_say("a parallel region without num_threads: team of %d", team);

    /* OMP_SCHEDULE's chunk keeps each aligned chunk of iterations on one thread. */
#pragma omp parallel for schedule(runtime)
    for (int i = 0; i < 300; i++) {
        owner[i] = omp_get_thread_num();
    }
    for (int i = 0; i < 300; i++) {
        bad += chunk > 0 && owner[i] != owner[i - i % chunk];
    }
    omptest_say("schedule(runtime) over 300 iterations: %d split chunks", bad);
    CHECK(bad == 0, "OMP_SCHEDULE's chunks were split");
}
