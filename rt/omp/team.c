/* SPDX-License-Identifier: MIT */
/*
 * Teams: the worker pool, GOMP_parallel and its relatives, the team barrier,
 * waiting, and the environment (OMP_* from kite.env=).
 *
 * The pool holds Kite threads, each bound to a CPU for life. A master on CPU
 * order[p] (order: every CPU, node by node, nearest first from CPU 0's node)
 * takes pool slots p + 1 .. p + n - 1 for members 1 .. n - 1, and slot s runs
 * on CPU order[s % ncpus]: a team of up to ncpus threads has one per CPU, a
 * bigger one goes round the CPUs again.
 *
 * There are OMP_POOLS such pools, each with its one team: a region with
 * more than one thread takes the first free pool, so teams started at the
 * same time by different threads (pthreads), and nested regions when
 * OMP_MAX_ACTIVE_LEVELS allows them, each get their own workers. A region
 * that finds every pool taken runs with a team of one thread (documented in
 * docs/openmp.md). A lone top-level team always has pool 0.
 */
#include <errno.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kite/numa.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/thread.h>

#include <arch/cpu.h>

#include "omp_priv.h"

/* Weak: OpenMP does not need rt/pthread, but frees a pthread's state through it when present. */
int pthread_key_create(pthread_key_t *key, void (*destructor)(void *)) KITE_WEAK;
int pthread_setspecific(pthread_key_t key, const void *value) KITE_WEAK;

#define POOL_SLOTS (OMP_MAX_THREADS + CONFIG_NR_CPUS)
#define OMP_POOLS  8

struct omp_worker {
    struct kite_thread *thread;
    unsigned int go; /* atomic: bumped for each region the worker joins */
    struct omp_wait wait;
    struct omp_team *team;
    unsigned int tid;
};

struct omp_icv omp_global_icv = {.nthreads = 0,
                                 .run_sched = OMP_SCHED_DYNAMIC,
                                 .run_chunk = 1,
                                 .dynamic = false,
                                 .max_active = 1};
unsigned int omp_thread_limit = OMP_MAX_THREADS;
unsigned long omp_spin_count; /* OMP_WAIT_POLICY=passive is the default: see docs/openmp.md */
static size_t pool_stack = 1u << 20; /* OMP_STACKSIZE */
static bool places_on; /* OMP_PLACES or a binding OMP_PROC_BIND: the place list exists */

/* Workers made on demand, and the one team they serve at a time. */
struct omp_pool {
    int busy; /* atomic: its team runs */
    struct omp_team team;
    struct omp_wait *waits[OMP_MAX_THREADS];
    struct omp_worker *slot[POOL_SLOTS];
};

static struct omp_pool pools[OMP_POOLS];
static unsigned int cpu_order[CONFIG_NR_CPUS];
static unsigned int cpu_pos[CONFIG_NR_CPUS]; /* cpu -> index in cpu_order */
static unsigned int ncpus;
static struct kite_spinlock init_lock = KITE_SPINLOCK_INIT;
static int inited; /* atomic */

/*
 * Each thread's state is on the heap, found through one __thread pointer:
 * every Kite thread's start clears its __thread block, so each byte there
 * costs every thread creation, OpenMP or not. A pthread's state is freed at
 * its exit (a key destructor); other threads keep theirs.
 */
static __thread struct omp_thread *self;
static pthread_key_t self_key;
static bool self_key_made;
static void self_free(void *p);

/* ---------------------------------------------------------------- waiting */

void omp_wait_init(struct omp_wait *w)
{
    w->thread = kite_thread_self();
    w->sleeping = 0;
}

/*
 * Wait until ready(ctx): check omp_spin_count times, then park. A waker
 * changes what ready reads, then calls omp_wake, which looks at sleeping
 * after its store (both sequentially consistent), so one of the two sees the
 * other: the waker sees the sleeper, or the sleeper sees the change. There
 * is no lock: a waiter never spins behind a waker that the host (or an
 * interrupt) holds up.
 */
static KITE_ALWAYS_INLINE void wait_for(struct omp_wait *w, bool (*ready)(const void *ctx),
                                        const void *ctx)
{
    for (unsigned long i = 0; i < omp_spin_count; i++) {
        if (ready(ctx)) {
            return;
        }
        arch_pause();
    }
    while (!ready(ctx)) {
        __atomic_store_n(&w->sleeping, 1, __ATOMIC_SEQ_CST);
        if (!ready(ctx)) {
            kite_thread_park();
        }
        __atomic_store_n(&w->sleeping, 0, __ATOMIC_RELAXED);
    }
}

void omp_wake(struct omp_wait *w)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&w->sleeping, __ATOMIC_SEQ_CST)) {
        kite_thread_unpark(w->thread);
    }
}

/* Wake every member that sleeps in a barrier or waits for the region's end. */
void omp_team_wake(struct omp_team *team)
{
    for (unsigned int i = 0; i < team->nthreads; i++) {
        omp_wake(team->waits[i]);
    }
}

struct ne_ctx {
    const unsigned int *word;
    unsigned int old;
};

static bool word_ne(const void *ctx)
{
    const struct ne_ctx *c = ctx;

    return __atomic_load_n(c->word, __ATOMIC_ACQUIRE) != c->old;
}

void omp_wait_until_ne(struct omp_wait *w, const unsigned int *word, unsigned int old)
{
    struct ne_ctx c = {word, old};

    wait_for(w, word_ne, &c);
}

/* ---------------------------------------------------------------- environment */

/* Case-insensitive comparison of @n bytes (n = -1: whole strings), for the OMP_* words. */
static bool same_word(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];

        if (x >= 'A' && x <= 'Z') {
            x = (char)(x - 'A' + 'a');
        }
        if (y >= 'A' && y <= 'Z') {
            y = (char)(y - 'A' + 'a');
        }
        if (x != y) {
            return false;
        }
        if (!x) {
            return true;
        }
    }
    return true;
}

static bool parse_ulong(const char *s, unsigned long *out, char **end)
{
    char *e;
    unsigned long v;

    while (*s == ' ') {
        s++;
    }
    if (*s < '0' || *s > '9') {
        return false;
    }
    errno = 0;
    v = strtoul(s, &e, 10);
    if (errno) {
        return false;
    }
    *out = v;
    *end = e;
    return true;
}

static void env_warn(const char *name, const char *value, const char *expected)
{
    fprintf(stderr, "openmp: %s=\"%s\" is not valid; expected %s; the default is used\n", name,
            value, expected);
}

/* OMP_SCHEDULE: [monotonic:|nonmonotonic:]static|dynamic|guided|auto[,chunk] */
static void env_schedule(const char *v)
{
    static const char *const names[] = {"static", "dynamic", "guided", "auto"};
    const char *s = v, *colon = strchr(v, ':');
    unsigned long chunk = 0;
    char *end;

    if (colon && (!strncmp(s, "monotonic:", 10) || !strncmp(s, "nonmonotonic:", 13))) {
        s = colon + 1;
    }
    while (*s == ' ') {
        s++;
    }
    for (unsigned int k = 0; k < 4; k++) {
        size_t len = strlen(names[k]);

        if (!same_word(s, names[k], len)) {
            continue;
        }
        s += len;
        while (*s == ' ') {
            s++;
        }
        if (*s == ',') {
            if (!parse_ulong(s + 1, &chunk, &end) || chunk == 0 || chunk > 0x7fffffff) {
                break;
            }
            s = end;
            while (*s == ' ') {
                s++;
            }
        }
        if (*s) {
            break;
        }
        omp_global_icv.run_sched = (enum omp_sched)(k + 1);
        omp_global_icv.run_chunk = (long)chunk;
        return;
    }
    env_warn(
        "OMP_SCHEDULE", v,
        "[monotonic:|nonmonotonic:]static|dynamic|guided|auto, optionally ,CHUNK (CHUNK >= 1)");
}

/* Whether the first item of the comma list @v is @word (any case). */
static bool first_item_is(const char *v, const char *word)
{
    size_t n = strcspn(v, ",");

    return n == strlen(word) && same_word(v, word, n);
}

/* OMP_PROC_BIND: its first level's policy (the others would be for nested levels). */
static void env_proc_bind(const char *v)
{
    static const struct {
        const char *name;
        omp_proc_bind_t bind;
    } kinds[] = {{"false", omp_proc_bind_false},   {"true", omp_proc_bind_true},
                 {"master", omp_proc_bind_master}, {"primary", omp_proc_bind_master},
                 {"close", omp_proc_bind_close},   {"spread", omp_proc_bind_spread}};

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (first_item_is(v, kinds[i].name)) {
            omp_global_icv.bind = (unsigned int)kinds[i].bind;
            places_on = places_on || kinds[i].bind != omp_proc_bind_false;
            return;
        }
    }
    env_warn("OMP_PROC_BIND", v, "true, false, primary (or master), close or spread");
}

static bool env_bool(const char *name, const char *v, bool *out)
{
    if (same_word(v, "true", (size_t)-1) || !strcmp(v, "1")) {
        *out = true;
    } else if (same_word(v, "false", (size_t)-1) || !strcmp(v, "0")) {
        *out = false;
    } else {
        env_warn(name, v, "true or false");
        return false;
    }
    return true;
}

/* A positive count below @max, alone (OMP_NUM_THREADS may list one per level: the first counts). */
static bool env_count(const char *name, const char *v, unsigned long max, bool list,
                      unsigned long *out)
{
    char *end;
    unsigned long n;

    if (!parse_ulong(v, &n, &end) || n == 0 || n > max || (*end && !(list && *end == ','))) {
        char want[80];

        snprintf(want, sizeof(want), "a number from 1 to %lu%s", max,
                 list ? " (a comma-separated list: the first applies)" : "");
        env_warn(name, v, want);
        return false;
    }
    *out = n;
    return true;
}

/* OMP_STACKSIZE: a size in KiB, or with a B, K, M or G suffix. */
static void env_stacksize(const char *v)
{
    unsigned long n, shift = 10;
    char *end;

    if (parse_ulong(v, &n, &end)) {
        switch (*end) {
        case 'b':
        case 'B':
            shift = 0;
            end++;
            break;
        case 'k':
        case 'K':
            shift = 10;
            end++;
            break;
        case 'm':
        case 'M':
            shift = 20;
            end++;
            break;
        case 'g':
        case 'G':
            shift = 30;
            end++;
            break;
        default:
            break;
        }
        if (!*end && n && n < (1ul << 40) && (n << shift) >= 16384 &&
            (n << shift) <= ((2ul << 20) - 4096)) {
            pool_stack = (size_t)(n << shift);
            return;
        }
    }
    env_warn("OMP_STACKSIZE", v, "a size from 16K to 2044K (a number in KiB, or with B, K or M)");
}

static void read_env(void)
{
    const char *v;
    unsigned long n;
    bool b;

    if ((v = getenv("OMP_NUM_THREADS")) &&
        env_count("OMP_NUM_THREADS", v, OMP_MAX_THREADS, true, &n)) {
        omp_global_icv.nthreads = (unsigned int)n;
    }
    if ((v = getenv("OMP_SCHEDULE"))) {
        env_schedule(v);
    }
    if ((v = getenv("OMP_DYNAMIC")) && env_bool("OMP_DYNAMIC", v, &b)) {
        omp_global_icv.dynamic = b;
    }
    if ((v = getenv("OMP_NESTED")) && env_bool("OMP_NESTED", v, &b)) {
        omp_global_icv.max_active = b ? 8 : 1;
    }
    if ((v = getenv("OMP_MAX_ACTIVE_LEVELS")) &&
        env_count("OMP_MAX_ACTIVE_LEVELS", v, 255, false, &n)) {
        omp_global_icv.max_active = (unsigned int)n;
    }
    if ((v = getenv("OMP_THREAD_LIMIT")) &&
        env_count("OMP_THREAD_LIMIT", v, OMP_MAX_THREADS, false, &n)) {
        omp_thread_limit = (unsigned int)n;
    }
    if ((v = getenv("OMP_WAIT_POLICY"))) {
        if (same_word(v, "passive", (size_t)-1)) {
            omp_spin_count = 0;
        } else if (same_word(v, "active", (size_t)-1)) {
            omp_spin_count = 1ul << 24;
        } else {
            env_warn("OMP_WAIT_POLICY", v, "active or passive");
        }
    }
    if ((v = getenv("GOMP_SPINCOUNT")) && env_count("GOMP_SPINCOUNT", v, 1ul << 40, false, &n)) {
        omp_spin_count = n;
    }
    if ((v = getenv("OMP_STACKSIZE"))) {
        env_stacksize(v);
    }
    if ((v = getenv("OMP_PROC_BIND"))) {
        env_proc_bind(v);
    }
    if ((v = getenv("OMP_PLACES"))) {
        if (first_item_is(v, "threads") || first_item_is(v, "cores")) {
            places_on = true;
        } else {
            env_warn("OMP_PLACES", v,
                     "threads or cores (Kite's places are one per CPU; explicit lists, sockets, "
                     "ll_caches and numa_domains are not taken)");
        }
    }
}

/* CPUs node by node, nearest first from CPU 0's node. */
static void order_cpus(void)
{
    unsigned int nodes = kite_numa_node_count(), n = 0;
    int home = kite_numa_node_of_cpu(0);
    bool done[64] = {false};

    for (unsigned int k = 0; k < nodes && k < 64; k++) {
        int best = -1;

        for (unsigned int node = 0; node < nodes && node < 64; node++) {
            if (!done[node] && (best < 0 || kite_numa_distance(home, (int)node) <
                                                kite_numa_distance(home, best))) {
                best = (int)node;
            }
        }
        if (best < 0) {
            break;
        }
        done[best] = true;
        n += kite_numa_node_cpus(best, cpu_order + n, CONFIG_NR_CPUS - n);
    }
    if (!n) {
        cpu_order[0] = 0;
        n = 1;
    }
    ncpus = n;
    for (unsigned int i = 0; i < n; i++) {
        cpu_pos[cpu_order[i]] = i;
    }
}

void omp_init_once(void)
{
    unsigned long flags;

    if (__atomic_load_n(&inited, __ATOMIC_ACQUIRE)) {
        return;
    }
    flags = kite_spin_lock_irqsave(&init_lock);
    if (!inited) {
        order_cpus();
        omp_global_icv.nthreads = ncpus;
        /* With rt/pthread linked in, a pthread's OpenMP state goes at its exit. */
        self_key_made = pthread_key_create && pthread_key_create(&self_key, self_free) == 0;
        read_env();
        for (unsigned int k = 0; k < OMP_POOLS; k++) {
            pools[k].team.waits = pools[k].waits;
        }
        __atomic_store_n(&inited, 1, __ATOMIC_RELEASE);
    }
    kite_spin_unlock_irqrestore(&init_lock, flags);
}

unsigned int omp_ncpus(void)
{
    omp_init_once();
    return ncpus;
}

unsigned int omp_num_places(void)
{
    omp_init_once();
    return places_on ? ncpus : 0;
}

int omp_place_of_this_cpu(void)
{
    return omp_num_places() ? (int)cpu_pos[kite_cpu()] : -1;
}

int omp_place_cpu(int place)
{
    return place >= 0 && (unsigned int)place < omp_num_places() ? (int)cpu_order[place] : -1;
}

/*
 * The pool slot of member @i of a team of @n whose master is at @base in
 * the CPU order (slot s runs on CPU cpu_order[s % ncpus]): the next CPUs in
 * order (close, and without binding), every ncpus/n-th CPU (spread, for a
 * team no bigger than the CPUs), or the master's CPU (primary, while the
 * slots last).
 */
static unsigned int member_slot(unsigned int bind, unsigned int base, unsigned int i,
                                unsigned int n)
{
    if (bind == omp_proc_bind_spread && n <= ncpus) {
        return base + i * ncpus / n;
    }
    if (bind == omp_proc_bind_master && base + i * ncpus < POOL_SLOTS) {
        return base + i * ncpus;
    }
    return base + i;
}

static void self_free(void *p)
{
    struct omp_thread *thr = p;

    self = NULL;
    free(thr->initial);
    free(thr);
}

static __attribute__((noinline)) struct omp_thread *self_new(void)
{
    struct omp_thread *thr;

    omp_init_once();
    thr = calloc(1, sizeof(*thr));
    if (!thr) {
        kite_panic("openmp: no memory for the OpenMP state of thread %s",
                   kite_thread_current_name());
    }
    omp_wait_init(&thr->wait);
    thr->icv = omp_global_icv;
    self = thr;
    if (pthread_setspecific && self_key_made) {
        (void)pthread_setspecific(self_key, thr);
    }
    return thr;
}

struct omp_thread *omp_self(void)
{
    struct omp_thread *thr = self;

    return __builtin_expect(thr != NULL, 1) ? thr : self_new();
}

/*
 * Outside any parallel region a thread is the one member of its initial team
 * (level 0, inactive), made on the first orphaned construct it meets and kept
 * for the thread's life.
 */
struct omp_initial {
    struct omp_team team;
    struct omp_task task;
    struct omp_wait *wait;
};

static void team_init(struct omp_team *team, unsigned int n, struct omp_thread *thr,
                      void (*fn)(void *), void *data);

struct omp_team *omp_team_of(struct omp_thread *thr)
{
    struct omp_initial *initial = thr->initial;

    if (__builtin_expect(thr->team != NULL, 1)) {
        return thr->team;
    }
    if (!initial) {
        initial = calloc(1, sizeof(*initial));
        if (!initial) {
            kite_panic("openmp: no memory for the initial team of thread %s",
                       kite_thread_current_name());
        }
        initial->team.waits = &initial->wait;
        thr->initial = initial;
    }
    team_init(&initial->team, 1, thr, NULL, NULL);
    initial->team.level = 0;
    initial->team.active_level = 0;
    thr->team = &initial->team;
    thr->tid = 0;
    thr->ws_gen = 0;
    thr->single = 0;
    memset(&initial->task, 0, sizeof(initial->task));
    thr->task = &initial->task;
    initial->wait = &thr->wait;
    return thr->team;
}

/* ---------------------------------------------------------------- the barrier */

struct bar_ctx {
    struct omp_team *team;
    unsigned int gen;
};

static bool bar_ready(const void *ctx)
{
    const struct bar_ctx *c = ctx;

    return __atomic_load_n(&c->team->bar_gen, __ATOMIC_ACQUIRE) != c->gen ||
           __atomic_load_n(&c->team->tasks_queued, __ATOMIC_RELAXED) > 0;
}

static bool tasks_done(const void *ctx)
{
    const struct omp_team *team = ctx;

    return __atomic_load_n(&team->tasks_unfinished, __ATOMIC_ACQUIRE) == 0 ||
           __atomic_load_n(&team->tasks_queued, __ATOMIC_RELAXED) > 0;
}

/*
 * Every member waits for the others, and for every task of the team to finish
 * (they run queued tasks while they wait). The last to arrive waits for the
 * tasks, then opens the barrier.
 */
void omp_team_barrier(struct omp_thread *thr)
{
    struct omp_team *team = thr->team;
    unsigned int gen;

    if (team->nthreads == 1) {
        omp_tasks_drain(thr);
        return;
    }
    gen = __atomic_load_n(&team->bar_gen, __ATOMIC_ACQUIRE);
    if (__atomic_add_fetch(&team->bar_arrived, 1, __ATOMIC_ACQ_REL) == team->nthreads) {
        while (__atomic_load_n(&team->tasks_unfinished, __ATOMIC_ACQUIRE)) {
            if (!omp_task_run_one(thr, NULL)) {
                wait_for(&thr->wait, tasks_done, team);
            }
        }
        __atomic_store_n(&team->bar_arrived, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&team->bar_gen, gen + 1, __ATOMIC_SEQ_CST);
        omp_team_wake(team);
        return;
    }
    for (;;) {
        struct bar_ctx c = {team, gen};

        wait_for(&thr->wait, bar_ready, &c);
        if (__atomic_load_n(&team->bar_gen, __ATOMIC_ACQUIRE) != gen) {
            return;
        }
        while (omp_task_run_one(thr, NULL)) {
        }
    }
}

/* ---------------------------------------------------------------- regions */

static void member_start(struct omp_thread *thr, struct omp_team *team, unsigned int tid,
                         struct omp_task *implicit)
{
    thr->team = team;
    thr->tid = tid;
    team->waits[tid] = &thr->wait;
    thr->ws_gen = team->ws_first; /* 1: a combined construct set up slot 0 */
    thr->single = 0;
    thr->icv = team->icv;
    thr->has_chunk = false;
    thr->static_trip = 0;
    /* In a combined construct the members call next without a start: they are in slot 0. */
    thr->cur_ws = team->ws_first ? &team->ws[0] : NULL;
    memset(implicit, 0, sizeof(*implicit));
    thr->task = implicit;
}

static void *worker_main(void *arg)
{
    struct omp_worker *w = arg;
    struct omp_thread *thr = omp_self();
    unsigned int seen = 0;

    omp_wait_init(&w->wait); /* before anything can wait on it: only this thread sleeps there */

    for (;;) {
        struct omp_task implicit;
        struct omp_team *team;

        omp_wait_until_ne(&w->wait, &w->go, seen);
        seen = __atomic_load_n(&w->go, __ATOMIC_ACQUIRE);
        team = w->team;
        member_start(thr, team, w->tid, &implicit);
        team->fn(team->data);
        omp_tasks_drain(thr);
        thr->team = NULL;
        thr->task = NULL;
        if (__atomic_sub_fetch(&team->running, 1, __ATOMIC_SEQ_CST) == 0) {
            omp_wake(team->waits[0]); /* the master waits for the last worker */
        }
    }
    return NULL;
}

/* The first free pool, taken; NULL when every one is busy. */
static struct omp_pool *pool_take(void)
{
    for (unsigned int k = 0; k < OMP_POOLS; k++) {
        if (!__atomic_load_n(&pools[k].busy, __ATOMIC_RELAXED) &&
            !__atomic_exchange_n(&pools[k].busy, 1, __ATOMIC_ACQUIRE)) {
            return &pools[k];
        }
    }
    return NULL;
}

static struct omp_worker *pool_worker(struct omp_pool *pool, unsigned int slot)
{
    struct omp_worker *w = pool->slot[slot];
    struct kite_thread_attr attr = {0};
    unsigned int k = (unsigned int)(pool - pools);
    char name[24];

    if (w) {
        return w;
    }
    w = calloc(1, sizeof(*w));
    if (!w) {
        return NULL;
    }
    if (k) {
        snprintf(name, sizeof(name), "omp%u.%u", k, slot);
    } else {
        snprintf(name, sizeof(name), "omp%u", slot);
    }
    attr.cpu = (int)cpu_order[slot % ncpus];
    attr.stack_size = pool_stack;
    attr.name = name;
    attr.detached = true;
    if (kite_thread_create(&w->thread, worker_main, w, &attr) < 0) {
        free(w);
        return NULL;
    }
    pool->slot[slot] = w;
    return w;
}

static bool team_done(const void *ctx)
{
    const struct omp_team *team = ctx;

    return __atomic_load_n(&team->running, __ATOMIC_ACQUIRE) == 0;
}

static void team_init(struct omp_team *team, unsigned int n, struct omp_thread *thr,
                      void (*fn)(void *), void *data)
{
    struct omp_team *outer = thr->team;

    team->nthreads = n;
    team->fn = fn;
    team->data = data;
    team->parent = outer;
    team->parent_tid = thr->tid;
    team->level = outer ? outer->level + 1 : 1;
    team->active_level = (outer ? outer->active_level : 0) + (n > 1);
    team->icv = thr->icv;
    team->waits[0] =
        &thr->wait; /* now: a quick worker may end the region before the master starts */
    team->bar_arrived = 0;
    team->running = n - 1;
    team->single_count = 0;
    team->ws_first = 0;
    team->task_head = team->task_tail = NULL;
    team->tasks_queued = 0;
    team->tasks_unfinished = 0;
    team->task_lock = (struct kite_spinlock)KITE_SPINLOCK_INIT;
    for (unsigned int i = 0; i < OMP_WS_SLOTS; i++) {
        team->ws[i].gen = -1;
        team->ws[i].left = n;
        team->ws[i].init = 0;
    }
}

/* How many threads the region gets (OpenMP 5.2, 10.1.1, without dynamic adjustment). */
static unsigned int team_size(struct omp_thread *thr, unsigned int requested, unsigned int flags)
{
    unsigned int n = requested ? requested : thr->icv.nthreads;
    unsigned int active = thr->team ? thr->team->active_level : 0;

    (void)flags;
    if (!n || active >= thr->icv.max_active) {
        return 1;
    }
    if (n > omp_thread_limit) {
        n = omp_thread_limit;
    }
    return n;
}

/*
 * What a region changes in its master's state, saved and restored around it:
 * everything from team up to initial. Not the wait, which a late worker may
 * still be looking at (and initial, which stays).
 */
#define REGION_STATE(thr) ((char *)(thr) + offsetof(struct omp_thread, team))
#define REGION_STATE_SIZE (offsetof(struct omp_thread, initial) - offsetof(struct omp_thread, team))

void omp_parallel_run(void (*fn)(void *), void *data, unsigned int nthreads, unsigned int flags,
                      void (*setup)(struct omp_team *team, void *ctx), void *ctx)
{
    struct omp_thread *thr = omp_self();
    struct omp_thread saved;
    struct omp_task implicit;
    struct omp_team *team, serial;
    struct omp_wait *serial_waits[1];
    struct omp_pool *pool = NULL;
    unsigned int n = team_size(thr, nthreads, flags), base = 0;
    /* The proc_bind clause (flags' low 3 bits, as gcc passes it), else bind-var. */
    unsigned int bind = (flags & 7) ? (flags & 7) : thr->icv.bind;

    __builtin_memcpy(REGION_STATE(&saved), REGION_STATE(thr), REGION_STATE_SIZE);
    if (n > 1 && (pool = pool_take()) == NULL) {
        n = 1; /* every pool has a team */
    }
    if (n > 1) {
        team = &pool->team;
        base = cpu_pos[kite_cpu()];
    } else {
        team = &serial;
        serial.waits = serial_waits;
    }
    team_init(team, n, thr, fn, data);
    if (setup) {
        setup(team, ctx);
    }
    for (unsigned int i = 1; i < n; i++) {
        struct omp_worker *w = pool_worker(pool, member_slot(bind, base, i, n));

        if (!w) {
            /* No memory for more workers: the team is smaller (allowed, 10.1.1). */
            team->nthreads = i;
            __atomic_store_n(&team->running, i - 1, __ATOMIC_SEQ_CST);
            for (unsigned int k = 0; k < OMP_WS_SLOTS; k++) {
                team->ws[k].left = team->ws[k].gen < 0 ? i : 0;
            }
            break;
        }
        w->team = team;
        w->tid = i;
        __atomic_add_fetch(&w->go, 1, __ATOMIC_SEQ_CST);
        omp_wake(&w->wait);
    }
    member_start(thr, team, 0, &implicit);
    fn(data);
    omp_tasks_drain(thr);
    if (team->nthreads > 1) {
        wait_for(&thr->wait, team_done, team);
        omp_tasks_drain(thr);
    }
    if (pool) {
        __atomic_store_n(&pool->busy, 0, __ATOMIC_RELEASE); /* also when no worker could be made */
    }
    __builtin_memcpy(REGION_STATE(thr), REGION_STATE(&saved), REGION_STATE_SIZE);
}

/* ---------------------------------------------------------------- the ABI */

void GOMP_parallel(void (*fn)(void *), void *data, unsigned int num_threads, unsigned int flags);
void GOMP_barrier(void);
bool GOMP_barrier_cancel(void);
bool GOMP_cancel(int which, bool do_cancel);
bool GOMP_cancellation_point(int which);

void GOMP_parallel(void (*fn)(void *), void *data, unsigned int num_threads, unsigned int flags)
{
    omp_parallel_run(fn, data, num_threads, flags, NULL, NULL);
}

void GOMP_barrier(void)
{
    struct omp_thread *thr = omp_self();

    if (thr->team) {
        omp_team_barrier(thr);
    }
}

/* Cancellation is off (OMP_CANCELLATION is not read): nothing is ever cancelled. */
bool GOMP_barrier_cancel(void)
{
    GOMP_barrier();
    return false;
}

bool GOMP_cancel(int which, bool do_cancel)
{
    (void)which;
    (void)do_cancel;
    return false;
}

bool GOMP_cancellation_point(int which)
{
    (void)which;
    return false;
}
