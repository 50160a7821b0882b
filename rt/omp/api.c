/* SPDX-License-Identifier: MIT */
/*
 * The omp_* query and setting functions of gcc's omp.h (the host-only
 * subset: there are no devices; places are one per CPU, when asked for).
 */
#include <omp.h>

#include <kite/arch.h>

#include "omp_priv.h"

int omp_get_thread_num(void)
{
    struct omp_thread *thr = omp_self();

    return thr->team ? (int)thr->tid : 0;
}

int omp_get_num_threads(void)
{
    struct omp_thread *thr = omp_self();

    return thr->team ? (int)thr->team->nthreads : 1;
}

int omp_get_max_threads(void)
{
    return (int)omp_self()->icv.nthreads;
}

void omp_set_num_threads(int n)
{
    omp_self()->icv.nthreads = n < 1 ? 1 : (unsigned int)n;
}

int omp_get_num_procs(void)
{
    return (int)omp_ncpus();
}

int omp_in_parallel(void)
{
    struct omp_thread *thr = omp_self();

    return thr->team && thr->team->active_level > 0;
}

void omp_set_dynamic(int on)
{
    omp_self()->icv.dynamic = on != 0;
}

int omp_get_dynamic(void)
{
    return omp_self()->icv.dynamic;
}

void omp_set_nested(int on)
{
    omp_self()->icv.max_active = on ? 255 : 1;
}

int omp_get_nested(void)
{
    return omp_self()->icv.max_active > 1;
}

void omp_set_max_active_levels(int n)
{
    if (n >= 0) {
        omp_self()->icv.max_active = n > 255 ? 255 : (unsigned int)n;
    }
}

int omp_get_max_active_levels(void)
{
    return (int)omp_self()->icv.max_active;
}

int omp_get_supported_active_levels(void)
{
    return 255;
}

int omp_get_thread_limit(void)
{
    omp_init_once();
    return (int)omp_thread_limit;
}

void omp_set_schedule(omp_sched_t kind, int chunk)
{
    struct omp_thread *thr = omp_self();
    int k = (int)kind & ~(int)omp_sched_monotonic;

    if (k < omp_sched_static || k > omp_sched_auto) {
        return; /* not a schedule: ignored, as libgomp does */
    }
    thr->icv.run_sched = (enum omp_sched)k;
    if (k == omp_sched_auto) {
        chunk = 0;
    } else if (chunk < 1) {
        chunk = k == omp_sched_static ? 0 : 1;
    }
    thr->icv.run_chunk = chunk;
}

void omp_get_schedule(omp_sched_t *kind, int *chunk)
{
    struct omp_thread *thr = omp_self();

    *kind = (omp_sched_t)thr->icv.run_sched;
    *chunk = (int)thr->icv.run_chunk;
}

int omp_get_level(void)
{
    struct omp_thread *thr = omp_self();

    return thr->team ? thr->team->level : 0;
}

int omp_get_active_level(void)
{
    struct omp_thread *thr = omp_self();

    return thr->team ? thr->team->active_level : 0;
}

/* The team at @level on the way up from the thread's own, and the thread's number in it. */
static struct omp_team *team_at(int level, unsigned int *tid)
{
    struct omp_thread *thr = omp_self();
    struct omp_team *team = thr->team;
    unsigned int t = thr->tid;

    while (team && team->level > level) {
        t = team->parent_tid;
        team = team->parent;
    }
    *tid = t;
    return team && team->level == level ? team : NULL;
}

int omp_get_ancestor_thread_num(int level)
{
    unsigned int tid;

    if (level == 0) {
        return 0;
    }
    return level < 0 || !team_at(level, &tid) ? -1 : (int)tid;
}

int omp_get_team_size(int level)
{
    unsigned int tid;
    struct omp_team *team;

    if (level == 0) {
        return 1;
    }
    team = level < 0 ? NULL : team_at(level, &tid);
    return team ? (int)team->nthreads : -1;
}

int omp_in_final(void)
{
    struct omp_thread *thr = omp_self();

    return thr->task && thr->task->final;
}

int omp_get_cancellation(void)
{
    return 0;
}

omp_proc_bind_t omp_get_proc_bind(void)
{
    return (omp_proc_bind_t)omp_self()->icv.bind;
}

/* Places: one per CPU when OMP_PLACES or OMP_PROC_BIND asks for them (docs/openmp.md). */
int omp_get_num_places(void)
{
    return (int)omp_num_places();
}

int omp_get_place_num_procs(int place)
{
    return omp_place_cpu(place) >= 0 ? 1 : 0;
}

void omp_get_place_proc_ids(int place, int *ids)
{
    int cpu = omp_place_cpu(place);

    if (cpu >= 0 && ids) {
        ids[0] = cpu;
    }
}

int omp_get_place_num(void)
{
    return omp_place_of_this_cpu();
}

int omp_get_partition_num_places(void)
{
    return (int)omp_num_places();
}

void omp_get_partition_place_nums(int *places)
{
    for (unsigned int p = 0; places && p < omp_num_places(); p++) {
        places[p] = (int)p;
    }
}

int omp_get_max_task_priority(void)
{
    return 0;
}

int omp_get_num_teams(void)
{
    return 1;
}

int omp_get_team_num(void)
{
    return 0;
}

int omp_is_initial_device(void)
{
    return 1;
}

int omp_get_initial_device(void)
{
    return 0; /* the host is device 0 of 0 (omp_get_num_devices) */
}

int omp_get_num_devices(void)
{
    return 0;
}

int omp_get_default_device(void)
{
    return 0;
}

void omp_set_default_device(int device)
{
    (void)device;
}

int omp_get_device_num(void)
{
    return 0;
}

double omp_get_wtime(void)
{
    return (double)kite_time_ns() / 1e9;
}

double omp_get_wtick(void)
{
    return 1e-9;
}
