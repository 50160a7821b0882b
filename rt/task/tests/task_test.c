/* SPDX-License-Identifier: MIT */
/*
 * The task runtime in a booted image (suite "task"): the deque under races
 * from every CPU, fork-join (recursive fib), parallel_for coverage,
 * reductions, stealing, idle workers blocking, wake-ups under stress and
 * refused arguments. Each test's work runs in a thread with a big stack
 * and a deadline: a hang is reported as a failure instead of stopping the
 * run. Built with SSE (objs.mk) for the double reduction.
 */
#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/mm.h>
#include <kite/printk.h>
#include <kite/shell.h>
#include <kite/string.h>
#include <kite/sync.h>
#include <kite/task.h>
#include <kite/test.h>
#include <kite/thread.h>
#include <kite/timer.h>

#include "../deque.h"

#define BODY_TIMEOUT_NS (60ull * 1000 * 1000 * 1000)

/* ---- running a body in a big-stack thread, with a deadline ---- */

struct body {
    void (*fn)(void *arg);
    void *arg;
    struct kite_sem done;
};

static struct body body;

static void *body_main(void *arg)
{
    struct body *b = arg;

    b->fn(b->arg);
    kite_sem_up(&b->done);
    return NULL;
}

/* Run fn(arg) on this CPU in a thread of 1 MiB of stack: 0, or -KITE_ETIMEDOUT when it hangs. */
static int run_body(void (*fn)(void *arg), void *arg)
{
    struct kite_thread_attr attr = {
        .cpu = (int)kite_cpu(), .stack_size = 1u << 20, .name = "task-test", .detached = true};
    int rc;

    body.fn = fn;
    body.arg = arg;
    kite_sem_init(&body.done, 0);
    rc = kite_thread_create(NULL, body_main, &body, &attr);
    if (rc < 0) {
        return rc;
    }
    return kite_sem_timeddown(&body.done, kite_time_ns() + BODY_TIMEOUT_NS);
}

static void stats_sum(struct kite_task_stats *sum, unsigned int first, unsigned int end)
{
    memset(sum, 0, sizeof(*sum));
    for (unsigned int i = first; i < end; i++) {
        struct kite_task_stats s;

        if (kite_task_stats(i, &s) == 0) {
            sum->spawns += s.spawns;
            sum->inline_runs += s.inline_runs;
            sum->tasks += s.tasks;
            sum->steals += s.steals;
            sum->steal_fails += s.steal_fails;
            sum->sleeps += s.sleeps;
        }
    }
}

/* ---- the deque itself ---- */

static struct task_deque test_dq;

static void nop(void *arg)
{
    (void)arg;
}

KITE_TEST(task, deque_order_and_full)
{
    struct task_entry e = {nop, NULL, NULL}, out = {NULL, NULL, NULL};

    task_deque_init(&test_dq);
    KITE_EXPECT(!task_deque_pop(&test_dq, &out));
    KITE_EXPECT_EQ(task_deque_steal(&test_dq, &out), TASK_STEAL_EMPTY);
    for (uintptr_t i = 0; i < 4; i++) {
        e.arg = (void *)i;
        task_deque_push(&test_dq, &e);
    }
    /* The owner takes the newest, thieves the oldest. */
    KITE_EXPECT(task_deque_pop(&test_dq, &out) && out.arg == (void *)3);
    KITE_EXPECT_EQ(task_deque_steal(&test_dq, &out), TASK_STEAL_OK);
    KITE_EXPECT(out.arg == (void *)0);
    KITE_EXPECT(task_deque_pop(&test_dq, &out) && out.arg == (void *)2);
    KITE_EXPECT(task_deque_pop(&test_dq, &out) && out.arg == (void *)1);
    KITE_EXPECT(!task_deque_pop(&test_dq, &out));
    for (uintptr_t i = 0; i < TASK_DEQUE_SIZE; i++) {
        KITE_ASSERT(!task_deque_full(&test_dq));
        e.arg = (void *)i;
        task_deque_push(&test_dq, &e);
    }
    KITE_EXPECT(task_deque_full(&test_dq));
    KITE_EXPECT_EQ(task_deque_steal(&test_dq, &out), TASK_STEAL_OK);
    KITE_EXPECT(!task_deque_full(&test_dq));
    while (task_deque_pop(&test_dq, &out)) {
    }
    KITE_EXPECT(!task_deque_has_work(&test_dq));
}

/*
 * The owner (this CPU) pushes batches of 1..4 and pops them back while a
 * thief on every CPU (this one included) steals: every entry must be taken
 * exactly once. Small batches make the owner and the thieves fight over
 * the last entry all the time.
 */
#define RACE_ENTRIES 30000

static uint8_t race_taken[RACE_ENTRIES];
static int race_done, race_dups, race_thieves, race_started;
static int64_t race_stolen;

static void race_take(const struct task_entry *e)
{
    uintptr_t i = (uintptr_t)e->arg;

    if (i >= RACE_ENTRIES || __atomic_fetch_add(&race_taken[i], 1, __ATOMIC_RELAXED) != 0) {
        __atomic_fetch_add(&race_dups, 1, __ATOMIC_RELAXED);
    }
}

static void *race_thief(void *arg)
{
    struct task_entry out;

    (void)arg;
    __atomic_fetch_add(&race_started, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&race_done, __ATOMIC_ACQUIRE)) {
        if (task_deque_steal(&test_dq, &out) == TASK_STEAL_OK) {
            race_take(&out);
            __atomic_fetch_add(&race_stolen, 1, __ATOMIC_RELAXED);
        } else {
            arch_pause();
        }
    }
    __atomic_fetch_sub(&race_thieves, 1, __ATOMIC_RELEASE);
    return NULL;
}

KITE_TEST(task, deque_race_all_cpus)
{
    unsigned int n = arch_cpus_online();
    struct task_entry e = {nop, NULL, NULL}, out = {NULL, NULL, NULL};
    uintptr_t next = 0;
    uint64_t deadline = kite_time_ns() + BODY_TIMEOUT_NS;

    task_deque_init(&test_dq);
    memset(race_taken, 0, sizeof(race_taken));
    race_done = 0;
    race_dups = 0;
    race_stolen = 0;
    race_thieves = (int)n;
    race_started = 0;
    for (unsigned int c = 0; c < n; c++) {
        struct kite_thread_attr attr = {.cpu = (int)c, .name = "thief", .detached = true};

        KITE_ASSERT(kite_thread_create(NULL, race_thief, NULL, &attr) == 0);
    }
    /* Every thief but this CPU's is stealing before the first push (ours runs when we yield). */
    while (__atomic_load_n(&race_started, __ATOMIC_ACQUIRE) < (int)n - 1 &&
           kite_time_ns() < deadline) {
        kite_thread_yield();
    }
    /*
     * However slowly the emulator runs the other CPUs, make sure the thieves
     * are at work: hold the first batches out until one has been stolen.
     */
    while (next < RACE_ENTRIES) {
        uintptr_t batch = 1 + next % 4;
        bool hold = n > 1 && __atomic_load_n(&race_stolen, __ATOMIC_RELAXED) == 0 &&
                    kite_time_ns() < deadline;

        for (uintptr_t k = 0; k < batch && next < RACE_ENTRIES; k++) {
            e.arg = (void *)next++;
            task_deque_push(&test_dq, &e);
        }
        /* A window for the thieves, of varying length, before the owner takes the rest back. */
        for (volatile uintptr_t k = 0; k < (next % 8) * 40; k++) {
        }
        while (hold && __atomic_load_n(&race_stolen, __ATOMIC_RELAXED) == 0 &&
               kite_time_ns() < deadline) {
            arch_pause();
        }
        while (task_deque_pop(&test_dq, &out)) {
            race_take(&out);
        }
        if (next % 1024 == 0) {
            kite_thread_yield(); /* let this CPU's thief in too */
        }
    }
    __atomic_store_n(&race_done, 1, __ATOMIC_RELEASE);
    while (__atomic_load_n(&race_thieves, __ATOMIC_ACQUIRE) > 0 && kite_time_ns() < deadline) {
        kite_sleep_ns(1000000);
    }
    KITE_ASSERT(__atomic_load_n(&race_thieves, __ATOMIC_ACQUIRE) == 0);
    KITE_EXPECT_EQ(race_dups, 0);
    for (unsigned int i = 0; i < RACE_ENTRIES; i++) {
        if (race_taken[i] != 1) {
            KITE_FAIL("entry %u taken %u times", i, race_taken[i]);
            return;
        }
    }
    kite_pr_info("task: deque race: %lld of %d entries stolen by %u thieves\n",
                 (long long)race_stolen, RACE_ENTRIES, n);
    KITE_EXPECT(n == 1 || race_stolen > 0);
}

/* ---- fork-join ---- */

struct fib {
    int n;
    uint64_t result;
};

static void fib_task(void *arg)
{
    struct fib *f = arg;
    struct kite_task_group g = KITE_TASK_GROUP_INIT;
    struct fib a = {f->n - 1, 0}, b = {f->n - 2, 0};

    if (f->n < 2) {
        f->result = (uint64_t)f->n;
        return;
    }
    (void)kite_task_spawn(&g, fib_task, &a);
    fib_task(&b);
    (void)kite_task_sync(&g);
    f->result = a.result + b.result;
}

static void fib_body(void *arg)
{
    fib_task(arg);
}

KITE_TEST(task, fib_spawn_sync)
{
    static const uint64_t expect[] = {0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55};
    struct fib f;

    for (int n = 0; n <= 10; n++) {
        f = (struct fib){n, 99};
        KITE_ASSERT(run_body(fib_body, &f) == 0);
        KITE_EXPECT_EQ(f.result, expect[n]);
    }
    f = (struct fib){22, 0};
    KITE_ASSERT(run_body(fib_body, &f) == 0);
    KITE_EXPECT_EQ(f.result, 17711);
}

/* The same from inside a task that a worker runs, and spawns into a group it did not create. */
static struct fib shared_fib = {18, 0};

static void fib_in_worker(void *arg)
{
    struct kite_task_group *outer = arg;

    /* A task may spawn into its parent's group: the parent's sync waits for it too. */
    (void)kite_task_spawn(outer, fib_task, &shared_fib);
}

static void fib_nested_body(void *arg)
{
    struct kite_task_group g = KITE_TASK_GROUP_INIT;

    (void)arg;
    (void)kite_task_spawn(&g, fib_in_worker, &g);
    (void)kite_task_sync(&g);
}

KITE_TEST(task, spawn_into_parent_group)
{
    shared_fib.result = 0;
    KITE_ASSERT(run_body(fib_nested_body, NULL) == 0);
    KITE_EXPECT_EQ(shared_fib.result, 2584);
}

/* ---- parallel_for ---- */

#define COVER_MAX 1200

static uint8_t cover[COVER_MAX];
static int cover_bad_chunks;

struct cover_arg {
    int64_t base, grain;
};

static void cover_fn(int64_t lo, int64_t hi, void *arg)
{
    const struct cover_arg *c = arg;

    if (hi <= lo || hi - lo > c->grain) {
        __atomic_fetch_add(&cover_bad_chunks, 1, __ATOMIC_RELAXED);
    }
    for (int64_t i = lo; i < hi; i++) {
        __atomic_fetch_add(&cover[i - c->base], 1, __ATOMIC_RELAXED);
    }
}

static int cover_failures;

static void cover_body(void *arg)
{
    static const int64_t los[] = {0, 1, -37, 1000};
    static const int64_t lens[] = {0, 1, 2, 3, 7, 64, 100, 999, 1200};
    static const int64_t grains[] = {1, 2, 3, 10, 64, 1199, 1200, 5000, INT64_MAX};

    (void)arg;
    cover_failures = 0;
    for (unsigned int a = 0; a < KITE_ARRAY_SIZE(los); a++) {
        for (unsigned int b = 0; b < KITE_ARRAY_SIZE(lens); b++) {
            for (unsigned int c = 0; c < KITE_ARRAY_SIZE(grains); c++) {
                struct cover_arg ca = {los[a], grains[c]};
                int64_t len = lens[b];

                memset(cover, 0, sizeof(cover));
                cover_bad_chunks = 0;
                if (kite_parallel_for(los[a], los[a] + len, grains[c], cover_fn, &ca) != 0) {
                    cover_failures++;
                    continue;
                }
                for (int64_t i = 0; i < COVER_MAX; i++) {
                    if (cover[i] != (i < len ? 1 : 0)) {
                        kite_pr_err("task: parallel_for(%lld, %lld, %lld): index %lld seen %u "
                                    "times\n",
                                    (long long)los[a], (long long)(los[a] + len),
                                    (long long)grains[c], (long long)(los[a] + i), cover[i]);
                        cover_failures++;
                        break;
                    }
                }
                if (cover_bad_chunks) {
                    kite_pr_err("task: parallel_for(%lld, %lld, %lld): %d bad chunks\n",
                                (long long)los[a], (long long)(los[a] + len), (long long)grains[c],
                                cover_bad_chunks);
                    cover_failures++;
                }
            }
        }
    }
}

KITE_TEST(task, parallel_for_covers_once)
{
    KITE_ASSERT(run_body(cover_body, NULL) == 0);
    KITE_EXPECT_EQ(cover_failures, 0);
}

/* The extremes of int64_t: the length does not fit an int64_t, the split must not overflow. */
static int64_t extreme_chunks;

static void extreme_fn(int64_t lo, int64_t hi, void *arg)
{
    (void)arg;
    if (hi > lo) {
        __atomic_fetch_add(&extreme_chunks, 1, __ATOMIC_RELAXED);
    }
}

static void extreme_body(void *arg)
{
    int *rc = arg;

    extreme_chunks = 0;
    *rc = kite_parallel_for(INT64_MIN, INT64_MAX, INT64_MAX / 4, extreme_fn, NULL);
}

KITE_TEST(task, parallel_for_full_int64_range)
{
    int rc = -1;

    KITE_ASSERT(run_body(extreme_body, &rc) == 0);
    KITE_EXPECT_EQ(rc, 0);
    /* 2^64 - 1 indices in chunks of at most 2^61: halving gives 8 (or 9) chunks. */
    KITE_EXPECT(extreme_chunks >= 8 && extreme_chunks <= 16);
}

#define ROWS 24
#define COLS 50

static uint8_t grid[ROWS][COLS];

static void inner_fn(int64_t lo, int64_t hi, void *arg)
{
    int64_t row = (int64_t)(intptr_t)arg;

    for (int64_t j = lo; j < hi; j++) {
        __atomic_fetch_add(&grid[row][j], 1, __ATOMIC_RELAXED);
    }
}

static void outer_fn(int64_t lo, int64_t hi, void *arg)
{
    (void)arg;
    for (int64_t i = lo; i < hi; i++) {
        (void)kite_parallel_for(0, COLS, 3, inner_fn, (void *)(intptr_t)i);
    }
}

static void nested_body(void *arg)
{
    int *rc = arg;

    memset(grid, 0, sizeof(grid));
    *rc = kite_parallel_for(0, ROWS, 1, outer_fn, NULL);
}

KITE_TEST(task, nested_parallel_for)
{
    int rc = -1;

    KITE_ASSERT(run_body(nested_body, &rc) == 0);
    KITE_EXPECT_EQ(rc, 0);
    for (int i = 0; i < ROWS; i++) {
        for (int j = 0; j < COLS; j++) {
            if (grid[i][j] != 1) {
                KITE_FAIL("cell (%d, %d) seen %u times", i, j, grid[i][j]);
                return;
            }
        }
    }
}

/* ---- reductions ---- */

static uint64_t sum_map(int64_t lo, int64_t hi, void *arg)
{
    uint64_t s = 0;

    (void)arg;
    for (int64_t i = lo; i < hi; i++) {
        s += (uint64_t)(i * i);
    }
    return s;
}

static uint64_t add_u64(uint64_t a, uint64_t b, void *arg)
{
    (void)arg;
    return a + b;
}

static double inv_map(int64_t lo, int64_t hi, void *arg)
{
    double s = 0;

    (void)arg;
    for (int64_t i = lo; i < hi; i++) {
        s += 1.0 / (double)(i + 1);
    }
    return s;
}

static double add_double(double a, double b, void *arg)
{
    (void)arg;
    return a + b;
}

/* A combine that is associative but not commutative: it checks that left meets right in order. */
struct span {
    int64_t first, last; /* -1, -1: empty (the identity) */
    int64_t broken;
};

static void span_map(int64_t lo, int64_t hi, void *acc, void *arg)
{
    struct span *s = acc;

    (void)arg;
    if (s->first < 0) {
        s->first = lo;
    } else if (s->last + 1 != lo) {
        s->broken++;
    }
    s->last = hi - 1;
}

static void span_combine(void *acc, const void *other, void *arg)
{
    struct span *a = acc;
    const struct span *b = other;

    (void)arg;
    a->broken += b->broken;
    if (b->first < 0) {
        return;
    }
    if (a->first < 0) {
        *a = *b;
        return;
    }
    if (a->last + 1 != b->first) {
        a->broken++;
    }
    a->last = b->last;
}

static int reduce_failures;

/* A double's bits: a reduction must give the same ones every time. */
static uint64_t bits(double d)
{
    uint64_t u;

    memcpy(&u, &d, sizeof(u));
    return u;
}

static void reduce_body(void *arg)
{
    static const int64_t his[] = {0, 1, 5, 1000, 77777};
    static const int64_t grains[] = {1, 7, 100, 100000};

    (void)arg;
    reduce_failures = 0;
    for (unsigned int a = 0; a < KITE_ARRAY_SIZE(his); a++) {
        for (unsigned int b = 0; b < KITE_ARRAY_SIZE(grains); b++) {
            int64_t hi = his[a];
            uint64_t got = 1, want = sum_map(0, hi, NULL);
            double d1 = -1, d2 = -2, serial = inv_map(0, hi, NULL);
            struct span id = {-1, -1, 0}, sp = {0, 0, 0};

            if (kite_parallel_reduce_u64(0, hi, grains[b], sum_map, add_u64, 0, &got, NULL) ||
                got != want) {
                kite_pr_err("task: u64 reduce over [0, %lld) grain %lld: %llu, want %llu\n",
                            (long long)hi, (long long)grains[b], (unsigned long long)got,
                            (unsigned long long)want);
                reduce_failures++;
            }
            if (kite_parallel_reduce_double(0, hi, grains[b], inv_map, add_double, 0.0, &d1,
                                            NULL) ||
                kite_parallel_reduce_double(0, hi, grains[b], inv_map, add_double, 0.0, &d2,
                                            NULL) ||
                bits(d1) != bits(d2) || d1 - serial > 1e-9 || serial - d1 > 1e-9) {
                kite_pr_err("task: double reduce over [0, %lld) grain %lld: not serial or not "
                            "reproducible\n",
                            (long long)hi, (long long)grains[b]);
                reduce_failures++;
            }
            if (kite_parallel_reduce(0, hi, grains[b], span_map, span_combine, &id, &sp, sizeof(sp),
                                     NULL) ||
                sp.broken || sp.first != (hi ? 0 : -1) || sp.last != (hi ? hi - 1 : -1)) {
                kite_pr_err("task: span reduce over [0, %lld) grain %lld: first %lld last %lld "
                            "broken %lld\n",
                            (long long)hi, (long long)grains[b], (long long)sp.first,
                            (long long)sp.last, (long long)sp.broken);
                reduce_failures++;
            }
        }
    }
}

KITE_TEST(task, reductions_match_serial)
{
    KITE_ASSERT(run_body(reduce_body, NULL) == 0);
    KITE_EXPECT_EQ(reduce_failures, 0);
}

/* ---- stealing, overflow, sleeping, wake-ups ---- */

#define SPREAD_TASKS 400

static uint64_t spread_cpus; /* bit per CPU that ran a task */
static uint64_t spread_all;  /* every CPU's bit */
static int spread_runs;

static void busy_task(void *arg)
{
    uint64_t me = 1ull << (kite_cpu() & 63);
    uint64_t deadline = kite_time_ns() + 5000000000ull;

    (void)arg;
    /*
     * Hold this CPU until every CPU has run a task (5 s at most): the
     * others can only get one by being woken and stealing it, however
     * slowly the emulator runs them.
     */
    __atomic_fetch_or(&spread_cpus, me, __ATOMIC_RELAXED);
    while (__atomic_load_n(&spread_cpus, __ATOMIC_RELAXED) != spread_all &&
           kite_time_ns() < deadline) {
        arch_pause();
    }
    __atomic_fetch_add(&spread_runs, 1, __ATOMIC_RELAXED);
}

/* One worker spawns every task: the others can only get work by stealing from it. */
static void spawn_all(void *arg)
{
    struct kite_task_group g = KITE_TASK_GROUP_INIT;

    (void)arg;
    for (int i = 0; i < SPREAD_TASKS; i++) {
        (void)kite_task_spawn(&g, busy_task, NULL);
    }
    (void)kite_task_sync(&g);
}

static void spread_body(void *arg)
{
    struct kite_task_group g = KITE_TASK_GROUP_INIT;

    (void)arg;
    (void)kite_task_spawn(&g, spawn_all, NULL);
    (void)kite_task_sync(&g);
}

KITE_TEST(task, one_spawner_others_steal)
{
    struct kite_task_stats before, after;
    unsigned int n;

    KITE_ASSERT(kite_task_init() == 0);
    n = kite_task_workers();
    KITE_ASSERT(n == arch_cpus_online());
    /* Guests count too: the test's own thread steals while it syncs. */
    stats_sum(&before, 0, kite_task_slots());
    spread_cpus = 0;
    spread_all = n >= 64 ? ~0ull : (1ull << n) - 1;
    spread_runs = 0;
    KITE_ASSERT(run_body(spread_body, NULL) == 0);
    stats_sum(&after, 0, kite_task_slots());
    KITE_EXPECT_EQ(spread_runs, SPREAD_TASKS);
    kite_pr_info("task: %d tasks ran on CPUs %#llx; %llu steals\n", spread_runs,
                 (unsigned long long)spread_cpus,
                 (unsigned long long)(after.steals - before.steals));
    /* Every CPU ran a task; all but the spawner's got theirs by stealing. */
    KITE_EXPECT_EQ(spread_cpus, spread_all);
    KITE_EXPECT(after.steals - before.steals >= n - 1);
}

static int overflow_runs;

static void count_task(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&overflow_runs, 1, __ATOMIC_RELAXED);
}

static void overflow_body(void *arg)
{
    struct kite_task_group g = KITE_TASK_GROUP_INIT;
    int *rc = arg;

    for (int i = 0; i < 3 * TASK_DEQUE_SIZE; i++) {
        (void)kite_task_spawn(&g, count_task, NULL);
    }
    *rc = kite_task_sync(&g);
}

KITE_TEST(task, full_deque_runs_inline)
{
    struct kite_task_stats before, after;
    int rc = -1;

    KITE_ASSERT(kite_task_init() == 0);
    stats_sum(&before, 0, kite_task_slots());
    overflow_runs = 0;
    KITE_ASSERT(run_body(overflow_body, &rc) == 0);
    stats_sum(&after, 0, kite_task_slots());
    KITE_EXPECT_EQ(rc, 0);
    KITE_EXPECT_EQ(overflow_runs, 3 * TASK_DEQUE_SIZE);
    /* Workers may drain the deque while it fills, so not every extra spawn overflows. */
    kite_pr_info("task: %d spawns, %llu ran inline (deque of %d)\n", 3 * TASK_DEQUE_SIZE,
                 (unsigned long long)(after.inline_runs - before.inline_runs), TASK_DEQUE_SIZE);
    KITE_EXPECT_EQ((after.spawns - before.spawns) + (after.inline_runs - before.inline_runs),
                   3 * TASK_DEQUE_SIZE);
}

/* Every worker blocked: in our flag and, independently, in the scheduler's view. */
static bool all_workers_blocked(void)
{
    static struct kite_thread_info info[256];
    unsigned int n = kite_task_workers(), blocked = 0;
    unsigned int count = kite_thread_snapshot(info, KITE_ARRAY_SIZE(info));

    for (unsigned int i = 0; i < n; i++) {
        struct kite_task_stats s;

        if (kite_task_stats(i, &s) < 0 || !s.sleeping) {
            return false;
        }
    }
    for (unsigned int i = 0; i < count && i < KITE_ARRAY_SIZE(info); i++) {
        if (strncmp(info[i].name, "task/", 5) == 0 && strcmp(info[i].state, "blocked") == 0) {
            blocked++;
        }
    }
    return blocked == n;
}

static bool wait_all_blocked(uint64_t ms)
{
    uint64_t deadline = kite_time_ns() + ms * 1000000;

    while (kite_time_ns() < deadline) {
        if (all_workers_blocked()) {
            return true;
        }
        kite_sleep_ns(1000000);
    }
    return false;
}

KITE_TEST(task, idle_workers_block)
{
    struct kite_task_stats before, after;
    struct fib f = {16, 0};

    KITE_ASSERT(kite_task_init() == 0);
    KITE_ASSERT(run_body(fib_body, &f) == 0);
    KITE_EXPECT_EQ(f.result, 987);
    stats_sum(&before, 0, kite_task_workers());
    KITE_EXPECT(wait_all_blocked(5000));
    /* Blocked means blocked: a while later none has woken up to look for work. */
    kite_sleep_ns(50 * 1000000ull);
    stats_sum(&after, 0, kite_task_workers());
    KITE_EXPECT(all_workers_blocked());
    KITE_EXPECT(after.steal_fails - before.steal_fails <= 128ull * kite_task_workers());
    KITE_EXPECT_EQ(kite_shell_run("tasks"), 0);
}

/*
 * Lost wake-ups: many rounds that each spawn a few tasks and sync, some
 * started only once every worker is asleep, some while they are falling
 * asleep, some where the syncer must sleep until a busy task ends. A lost
 * wake-up hangs a round; the deadline catches it.
 */
static int wake_runs;

static void wake_task(void *arg)
{
    uintptr_t spin = (uintptr_t)arg;

    for (volatile uintptr_t i = 0; i < spin; i++) {
    }
    __atomic_fetch_add(&wake_runs, 1, __ATOMIC_RELAXED);
}

static void ping_task(void *arg)
{
    /* Worker to worker: a child spawned from a task, its parent waiting for it. */
    struct kite_task_group g = KITE_TASK_GROUP_INIT;

    (void)kite_task_spawn(&g, wake_task, arg);
    (void)kite_task_sync(&g);
}

#define WAKE_ROUNDS 3000

static int wake_expected;

static void wake_body(void *arg)
{
    (void)arg;
    wake_expected = 0;
    for (int r = 0; r < WAKE_ROUNDS; r++) {
        struct kite_task_group g = KITE_TASK_GROUP_INIT;
        int n = 1 + r % 3;

        if (r % 500 == 0) {
            (void)wait_all_blocked(2000);
        } else if (r % 7 == 0) {
            kite_sleep_ns((uint64_t)(r % 5) * 20000);
        }
        for (int k = 0; k < n; k++) {
            (void)kite_task_spawn(&g, r % 2 ? ping_task : wake_task,
                                  (void *)(uintptr_t)(r % 11 == 0 ? 20000 : 0));
        }
        wake_expected += n;
        (void)kite_task_sync(&g);
    }
}

KITE_TEST(task, no_lost_wakeups)
{
    struct kite_task_stats before, after;

    KITE_ASSERT(kite_task_init() == 0);
    stats_sum(&before, 0, kite_task_workers());
    wake_runs = 0;
    KITE_ASSERT(run_body(wake_body, NULL) == 0);
    stats_sum(&after, 0, kite_task_workers());
    KITE_EXPECT_EQ(wake_runs, wake_expected);
    kite_pr_info("task: %d wake-up rounds, %llu worker sleeps\n", WAKE_ROUNDS,
                 (unsigned long long)(after.sleeps - before.sleeps));
    KITE_EXPECT(after.sleeps > before.sleeps);
    KITE_EXPECT(wait_all_blocked(5000));
}

/*
 * Six threads that are not workers, on every CPU, at once: four borrow the
 * guest deques, the others' spawns run inline; all sync, block and get
 * woken through pooled sleepers. Every answer must be right.
 */
#define OUTSIDERS 6

static struct kite_sem outsiders_done;
static int outsider_bad;

static void *outsider(void *arg)
{
    for (int round = 0; round < 20; round++) {
        struct fib f = {12 + (int)((uintptr_t)arg % 3), 0};
        static const uint64_t fibs[] = {144, 233, 377};
        uint64_t sum = 0;

        fib_task(&f);
        if (kite_parallel_reduce_u64(0, 3000, 40, sum_map, add_u64, 0, &sum, NULL) ||
            sum != sum_map(0, 3000, NULL) || f.result != fibs[(uintptr_t)arg % 3]) {
            __atomic_fetch_add(&outsider_bad, 1, __ATOMIC_RELAXED);
        }
    }
    kite_sem_up(&outsiders_done);
    return NULL;
}

KITE_TEST(task, concurrent_outside_threads)
{
    unsigned int n = arch_cpus_online();
    uint64_t deadline = kite_time_ns() + BODY_TIMEOUT_NS;

    KITE_ASSERT(kite_task_init() == 0);
    kite_sem_init(&outsiders_done, 0);
    outsider_bad = 0;
    for (uintptr_t i = 0; i < OUTSIDERS; i++) {
        struct kite_thread_attr attr = {
            .cpu = (int)(i % n), .stack_size = 256u << 10, .name = "outsider", .detached = true};

        KITE_ASSERT(kite_thread_create(NULL, outsider, (void *)i, &attr) == 0);
    }
    for (int i = 0; i < OUTSIDERS; i++) {
        KITE_ASSERT(kite_sem_timeddown(&outsiders_done, deadline) == 0);
    }
    KITE_EXPECT_EQ(outsider_bad, 0);
}

/* ---- refused arguments ---- */

static int never_called;

static void never_fn(void *arg)
{
    (void)arg;
    never_called++;
}

static void never_range(int64_t lo, int64_t hi, void *arg)
{
    (void)lo;
    (void)hi;
    (void)arg;
    never_called++;
}

static void never_map(int64_t lo, int64_t hi, void *acc, void *arg)
{
    (void)lo;
    (void)hi;
    (void)acc;
    (void)arg;
    never_called++;
}

static void never_combine(void *acc, const void *other, void *arg)
{
    (void)acc;
    (void)other;
    (void)arg;
    never_called++;
}

KITE_TEST(task, invalid_arguments)
{
    struct kite_task_group g = KITE_TASK_GROUP_INIT, raw;
    uint64_t u = 0, id = 0;
    unsigned char big[KITE_REDUCE_MAX + 1] = {0};
    struct kite_task_stats s;

    memset(&raw, 0, sizeof(raw));
    never_called = 0;
    KITE_EXPECT_EQ(kite_task_spawn(NULL, never_fn, NULL), -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_task_spawn(&g, NULL, NULL), -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_task_spawn(&raw, never_fn, NULL), -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_task_sync(NULL), -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_task_sync(&raw), -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_task_sync(&g), 0); /* nothing spawned: returns at once */
    KITE_EXPECT_EQ(kite_parallel_for(0, 10, 1, NULL, NULL), -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_parallel_for(10, 9, 1, never_range, NULL), -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_parallel_for(0, 10, 0, never_range, NULL), -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_parallel_for(0, 10, -5, never_range, NULL), -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_parallel_for(5, 5, 1, never_range, NULL), 0);
    KITE_EXPECT_EQ(kite_parallel_reduce(0, 10, 1, NULL, never_combine, &id, &u, 8, NULL),
                   -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_parallel_reduce(0, 10, 1, never_map, NULL, &id, &u, 8, NULL), -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_parallel_reduce(0, 10, 1, never_map, never_combine, NULL, &u, 8, NULL),
                   -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_parallel_reduce(0, 10, 1, never_map, never_combine, &id, NULL, 8, NULL),
                   -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_parallel_reduce(0, 10, 1, never_map, never_combine, &id, &u, 0, NULL),
                   -KITE_EINVAL);
    KITE_EXPECT_EQ(
        kite_parallel_reduce(0, 10, 1, never_map, never_combine, big, big, sizeof(big), NULL),
        -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_parallel_reduce(3, 2, 1, never_map, never_combine, &id, &u, 8, NULL),
                   -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_parallel_reduce(0, 10, 0, never_map, never_combine, &id, &u, 8, NULL),
                   -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_parallel_reduce_u64(0, 10, 1, NULL, add_u64, 0, &u, NULL), -KITE_EINVAL);
    KITE_EXPECT_EQ(never_called, 0);
    KITE_EXPECT_EQ(kite_task_stats(0, NULL), -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_task_stats(100000, &s), -KITE_ENODEV);
}
