/* SPDX-License-Identifier: MIT */
/*
 * The ICVs that OMP_NUM_THREADS, OMP_SCHEDULE, OMP_DYNAMIC and OMP_PROC_BIND
 * set (on Kite: kite.env="OMP_NUM_THREADS=3 ..."), and their effect on a
 * parallel region, on a schedule(runtime) loop and on where a team of two
 * runs (spread: on different places, when there are two or more). Not in
 * "all": without those variables the printed values depend on the number of
 * CPUs.
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

    {
        int place[2] = {-1, -1}, places = omp_get_num_places();

#pragma omp parallel num_threads(2)
        place[omp_get_thread_num()] = omp_get_place_num();
        omptest_say("proc_bind %d, places %s, a team of two on %s places", (int)omp_get_proc_bind(),
                    places >= 2 ? "two or more" : "fewer than two",
                    place[0] != place[1] ? "different" : "the same");
        CHECK(places < 2 || (place[0] != place[1] && place[0] >= 0 && place[1] >= 0),
              "spread put a team of two on places %d and %d", place[0], place[1]);
    }
}
