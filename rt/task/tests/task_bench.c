/* SPDX-License-Identifier: MIT */
/*
 * Path-length probe of the task runtime for `make bench`-style runs (a
 * manual test: it measures, it does not judge; see mm/tests/heap_bench.c
 * for the method: under -icount shift=0 a TSC delta counts instructions).
 * kite.test=bench.task_spawn_sync, 1 CPU.
 */
#include <kite/arch.h>
#include <kite/printk.h>
#include <kite/sync.h>
#include <kite/task.h>
#include <kite/test.h>
#include <kite/thread.h>
#include <kite/timer.h>

#define RUNS 1001

static uint64_t deltas[RUNS];
static uint64_t overhead;
static int failed;

static void empty(void *arg)
{
    (void)arg;
}

/* spawn + sync of one empty task, RUNS times; the median goes to *@out. */
static void probe(uint64_t *out)
{
    struct kite_task_group g = KITE_TASK_GROUP_INIT;

    for (unsigned int i = 0; i < RUNS; i++) {
        uint64_t t0 = arch_tsc();

        if (kite_task_spawn(&g, empty, NULL) || kite_task_sync(&g)) {
            failed = 1;
        }
        deltas[i] = arch_tsc() - t0;
    }
    *out = kite_test_median(deltas, RUNS) - overhead;
}

static uint64_t in_worker;
static const char *ran_on;

static void probe_task(void *arg)
{
    (void)arg;
    ran_on = kite_thread_current_name();
    probe(&in_worker);
}

struct probe_run {
    uint64_t guest;
    struct kite_sem done;
};

static void *probe_thread(void *arg)
{
    struct probe_run *r = arg;
    struct kite_task_group g = KITE_TASK_GROUP_INIT;

    /* From a thread that is not a worker (a guest place)... */
    probe(&r->guest);
    /*
     * ...and inside a task on this CPU's worker: the spawn wakes it, and while
     * this thread sleeps the worker steals the task (on one CPU nothing else
     * can run it; on more, another worker may).
     */
    if (kite_task_spawn(&g, probe_task, NULL)) {
        failed = 1;
    }
    kite_sleep_ns(1000000);
    if (kite_task_sync(&g)) {
        failed = 1;
    }
    kite_sem_up(&r->done);
    return NULL;
}

KITE_TEST_MANUAL(bench, task_spawn_sync)
{
    static struct probe_run run;
    struct kite_thread_attr attr = {
        .cpu = (int)kite_cpu(), .stack_size = 64u << 10, .name = "probe", .detached = true};

    overhead = kite_test_tsc_cost(deltas, RUNS);
    KITE_ASSERT(kite_task_init() == 0);
    kite_sem_init(&run.done, 0);
    KITE_ASSERT(kite_thread_create(NULL, probe_thread, &run, &attr) == 0);
    KITE_ASSERT(kite_sem_down(&run.done) == 0);
    KITE_EXPECT_EQ(failed, 0);
    kite_pr_info(
        "bench: task spawn+sync of an empty task, %u CPU(s): %llu instructions from a "
        "guest thread, %llu inside a task run by %s (medians of %d, TSC read cost %llu taken "
        "off)\n",
        arch_cpus_online(), (unsigned long long)run.guest, (unsigned long long)in_worker,
        ran_on ? ran_on : "?", RUNS, (unsigned long long)overhead);
}
