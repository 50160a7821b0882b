/* SPDX-License-Identifier: MIT */
/*
 * The OpenMP runtime's insides (rt/omp): the GNU ABI that gcc -fopenmp emits
 * (GOMP_*) and the omp_* API, over a pool of Kite threads bound to CPUs.
 *
 * A team is the master (the thread that met the parallel construct) plus
 * pool workers. Work-sharing constructs (loops, sections, single with
 * copyprivate) use slots in a small ring in the team: every thread meets the
 * same constructs in the same order, so the n-th construct of a region is
 * slot n % OMP_WS_SLOTS, and a slot is reused only once every thread has left
 * its previous construct. Waiting (barriers, idle workers, the end of a
 * region) spins a while with pause, then sleeps on a wait queue; the waker
 * takes the queue's lock only when somebody sleeps.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kite/spinlock.h>
#include <kite/thread.h>

#define OMP_WS_SLOTS    8
#define OMP_MAX_THREADS 256 /* the largest team (OMP_THREAD_LIMIT may lower it) */

/* Schedule kinds, numbered as omp.h's omp_sched_t (and OMP_SCHEDULE's words). */
enum omp_sched {
    OMP_SCHED_STATIC = 1,
    OMP_SCHED_DYNAMIC = 2,
    OMP_SCHED_GUIDED = 3,
    OMP_SCHED_AUTO = 4
};

/* The internal control variables a task carries (OpenMP 5.x, 2.4). */
struct omp_icv {
    unsigned int nthreads;    /* nthreads-var: the next region's team size */
    enum omp_sched run_sched; /* run-sched-var */
    long run_chunk;           /* its chunk (0: the default) */
    bool dynamic;             /* dyn-var */
    unsigned int max_active;  /* max-active-levels-var */
    unsigned int bind;        /* bind-var: an omp_proc_bind_t (its first level) */
};

/* A thread's wake-up point: it parks (kite_thread_park) after saying so in sleeping. */
struct omp_wait {
    struct kite_thread *thread;
    int sleeping; /* atomic: the thread parks, or is about to */
};

/* One work-sharing construct. */
struct omp_ws {
    long gen;          /* atomic: which construct of the region the slot holds; -1: none yet */
    unsigned int left; /* atomic: threads done with it */
    int init;          /* atomic: 1 while a thread sets the slot up */
    /* A loop, in normalised form: iteration i is start + i * incr, i < n. */
    uint64_t start, incr, n;
    uint64_t chunk;
    enum omp_sched sched;
    bool ordered;
    uint64_t next; /* atomic: the next unclaimed iteration (dynamic, guided) or section */
    /* atomic: the first iteration of the chunk whose ordered regions may run */
    uint64_t ordered_turn;
    void *copyprivate;
};

struct omp_task;
struct omp_taskgroup;
struct omp_initial;

struct omp_team {
    unsigned int nthreads;
    struct omp_team *parent; /* the team of the thread that started this one */
    unsigned int parent_tid; /* that thread's number there */
    int level, active_level;
    void (*fn)(void *);
    void *data;
    struct omp_icv icv; /* what the members start with */
    long ws_first;      /* 1 when a combined construct set up slot 0 before the members start */
    /* The barrier: arrivals count up; the last one bumps the generation. */
    unsigned int bar_arrived; /* atomic */
    unsigned int bar_gen;     /* atomic */
    struct omp_wait **waits;  /* each member's own wait, by thread number */
    /* The end of the region: workers count down, the master waits for 0. */
    unsigned int running;       /* atomic */
    unsigned long single_count; /* atomic: single constructs claimed */
    /* Tasks: one queue per team, under task_lock. */
    struct kite_spinlock task_lock;
    struct omp_task *task_head, *task_tail;
    long tasks_queued;     /* atomic: tasks in the queue */
    long tasks_unfinished; /* atomic: tasks created and not yet finished */
    struct omp_ws ws[OMP_WS_SLOTS];
};

/* An explicit (or implicit) task. */
struct omp_task {
    struct omp_task *next; /* in the team's queue */
    struct omp_task *parent;
    struct omp_taskgroup *group;
    void (*fn)(void *);
    void *data;
    long children; /* atomic: unfinished child tasks */
    bool final;
    bool heap; /* a queued task (struct omp_heap_task); else implicit or undeferred, on a stack */
};

struct omp_taskgroup {
    struct omp_taskgroup *prev;
    long count; /* atomic: unfinished tasks in the group, descendants included */
};

/* A thread's OpenMP state: which team, which member, what it has met. */
struct omp_thread {
    struct omp_wait wait; /* where it sleeps in barriers and at a region's end */
    struct omp_team *team;
    unsigned int tid;
    long ws_gen;          /* work-sharing constructs met in this region */
    unsigned long single; /* single constructs met */
    struct omp_icv icv;
    struct omp_task *task;    /* the task it runs (its implicit task when none) */
    struct omp_task implicit; /* the implicit task of its current region */
    /* The work-sharing construct it is in, and its current loop chunk. */
    struct omp_ws *cur_ws;
    uint64_t static_trip;        /* static: chunks this thread has taken */
    uint64_t cur_start, cur_end; /* the chunk's iterations (ordered: the token's hand-over) */
    bool has_chunk;
    struct omp_initial *initial; /* its team of one outside regions, made on first need */
};

struct omp_thread *omp_self(void);
struct omp_team *omp_team_of(struct omp_thread *thr);
unsigned int omp_ncpus(void);
void omp_init_once(void);
/* The place list: one place per CPU, in the pool's CPU order; empty (0) unless asked for. */
unsigned int omp_num_places(void);
int omp_place_of_this_cpu(void); /* -1 when there are no places */
int omp_place_cpu(int place);    /* the CPU of @place, or -1 */
extern struct omp_icv omp_global_icv;
extern unsigned int omp_thread_limit;
extern unsigned long omp_spin_count;

/* Waiting. */
void omp_wait_init(struct omp_wait *w); /* by the thread that will wait on it */
void omp_wait_until_ne(struct omp_wait *w, const unsigned int *word, unsigned int old);
void omp_wait_until_zero(struct omp_wait *w, const unsigned int *word);
void omp_wake(struct omp_wait *w);
void omp_team_wake(struct omp_team *team);

void omp_team_barrier(struct omp_thread *thr);
struct omp_ws *omp_ws_enter(struct omp_thread *thr, bool *first);
void omp_ws_publish(struct omp_ws *ws, long gen);
void omp_ws_leave(struct omp_thread *thr, struct omp_ws *ws);
void omp_ws_loop_init(struct omp_ws *ws, struct omp_thread *thr, enum omp_sched sched,
                      uint64_t start, uint64_t incr, uint64_t n, uint64_t chunk, bool ordered);
void omp_parallel_run(void (*fn)(void *), void *data, unsigned int nthreads, unsigned int flags,
                      void (*setup)(struct omp_team *team, void *ctx), void *ctx);

/* Tasks. */
bool omp_task_run_one(struct omp_thread *thr, struct omp_task *only_parent);
void omp_tasks_drain(struct omp_thread *thr);
