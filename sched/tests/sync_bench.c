/* SPDX-License-Identifier: MIT */
/*
 * Path-length probes of synchronization for `make bench` (manual tests:
 * they measure, they do not judge; see mm/tests/heap_bench.c for the
 * method). Under -icount shift=0 a TSC delta counts guest instructions;
 * with two vCPUs it counts the instructions of both, which share one
 * virtual clock: that is how BENCH.md's reference figures for a wake-up on
 * another CPU were taken.
 */
#include <kite/arch.h>
#include <kite/printk.h>
#include <kite/sync.h>
#include <kite/test.h>
#include <kite/thread.h>
#include <kite/timer.h>

#define RUNS  1001
#define WAKES 201

static uint64_t deltas[RUNS];

KITE_TEST_MANUAL(bench, mutex_lock_unlock)
{
    static struct kite_mutex m = KITE_MUTEX_INIT(m);
    uint64_t overhead = kite_test_tsc_cost(deltas, RUNS), med;

    for (unsigned int i = 0; i < RUNS; i++) {
        uint64_t t0 = arch_tsc();

        int rc = kite_mutex_lock(&m);

        rc |= kite_mutex_unlock(&m);
        deltas[i] = arch_tsc() - t0;
        KITE_ASSERT(rc == 0);
    }
    med = kite_test_median(deltas, RUNS);
    kite_pr_info("bench: mutex lock+unlock, uncontended: %llu instructions (median of %d, TSC "
                 "read cost %llu taken off)\n",
                 (unsigned long long)(med - overhead), RUNS, (unsigned long long)overhead);
    KITE_EXPECT(med > overhead);
}

/*
 * A waiter and a signaller take turns. The waiter, holding the mutex, says
 * it is about to wait (on a semaphore) and waits; the signaller takes the
 * mutex (so the waiter is queued by then), notes the time and signals, and
 * blocks on the semaphore at once, its CPU going idle as it would when it
 * has nothing else to do. The waiter, running again with the mutex, notes
 * the time too.
 */
static struct kite_mutex lock = KITE_MUTEX_INIT(lock);
static struct kite_cond cond = KITE_COND_INIT;
static struct kite_sem about_to_wait = KITE_SEM_INIT(0);
static bool ready;
static volatile uint64_t signalled_at;

static void *waiter(void *arg)
{
    (void)arg;
    kite_mutex_lock(&lock);
    for (unsigned int i = 0; i < WAKES; i++) {
        kite_sem_up(&about_to_wait);
        while (!ready) {
            kite_cond_wait(&cond, &lock);
        }
        deltas[i] = arch_tsc() - signalled_at;
        ready = false;
    }
    kite_mutex_unlock(&lock);
    return NULL;
}

/* The median instructions from a signal to its waiter on CPU @cpu running, or 0. */
static uint64_t signal_to_run(int cpu, bool let_it_halt)
{
    struct kite_thread_attr attr = {.cpu = cpu, .name = "waiter"};
    struct kite_thread *t;

    ready = false;
    kite_sem_init(&about_to_wait, 0);
    /* Blocking calls refused here (interrupts off) would turn the loops below into spins. */
    if (kite_mutex_lock(&lock) || kite_mutex_unlock(&lock) ||
        kite_thread_create(&t, waiter, NULL, &attr)) {
        return 0;
    }
    for (unsigned int i = 0; i < WAKES; i++) {
        kite_sem_down(&about_to_wait);
        kite_mutex_lock(&lock);
        ready = true;
        kite_mutex_unlock(&lock);
        if (let_it_halt) {
            /* The waiter's CPU goes idle and halts meanwhile, as BENCH.md's case says. */
            kite_sleep_ns(50 * KITE_NSEC_PER_USEC);
        }
        signalled_at = arch_tsc();
        kite_cond_signal(&cond);
    }
    if (kite_thread_join(t, NULL)) {
        return 0;
    }
    return kite_test_median(deltas, WAKES);
}

KITE_TEST_MANUAL(bench, cond_signal_same_cpu)
{
    uint64_t med = signal_to_run((int)arch_cpu_id(), false);

    KITE_ASSERT(med);
    kite_pr_info("bench: condition variable signal -> waiter runs, same CPU: %llu instructions "
                 "(median of %d)\n",
                 (unsigned long long)med, WAKES);
}

KITE_TEST_MANUAL(bench, cond_signal_other_cpu)
{
    uint64_t med;

    if (arch_cpus_online() < 2) {
        kite_pr_info("bench: condition variable signal to another CPU: needs 2 CPUs\n");
        return;
    }
    med = signal_to_run(arch_cpu_id() == 1 ? 0 : 1, true);
    KITE_ASSERT(med);
    kite_pr_info("bench: condition variable signal -> halted waiter on another CPU runs: %llu "
                 "instructions, both CPUs (median of %d)\n",
                 (unsigned long long)med, WAKES);
}
