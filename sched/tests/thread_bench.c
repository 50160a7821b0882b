/* SPDX-License-Identifier: MIT */
/*
 * Path-length probes of threads for `make bench` (manual tests: they
 * measure, they do not judge; see mm/tests/heap_bench.c for the method).
 */
#include <kite/arch.h>
#include <kite/printk.h>
#include <kite/test.h>
#include <kite/thread.h>

#define RUNS     1001
#define HANDOFFS 2000

static uint64_t deltas[RUNS];

static void *nothing(void *arg)
{
    return arg;
}

KITE_TEST_MANUAL(bench, thread_create_join)
{
    struct kite_thread_attr here = {.cpu = (int)arch_cpu_id()};
    struct kite_thread *t;

    /* A warm-up: the stack cache holds one, so what follows reuses it. */
    KITE_ASSERT(kite_thread_create(&t, nothing, NULL, &here) == 0);
    KITE_ASSERT(kite_thread_join(t, NULL) == 0);
    for (unsigned int i = 0; i < RUNS; i++) {
        uint64_t t0 = arch_tsc();

        if (kite_thread_create(&t, nothing, NULL, &here) || kite_thread_join(t, NULL)) {
            KITE_FAIL("create or join failed");
            return;
        }
        deltas[i] = arch_tsc() - t0;
    }
    kite_pr_info("bench: thread create+join, same CPU: %llu instructions (median of %d)\n",
                 (unsigned long long)kite_test_median(deltas, RUNS), RUNS);
}

static void *yielder(void *arg)
{
    (void)arg;
    for (unsigned int i = 0; i < HANDOFFS / 2; i++) {
        kite_thread_yield();
    }
    return NULL;
}

KITE_TEST_MANUAL(bench, yield_handoff)
{
    struct kite_thread_attr here = {.cpu = (int)arch_cpu_id()};
    struct kite_thread *a, *b;
    uint64_t t0, total;

    KITE_ASSERT(kite_thread_create(&a, yielder, NULL, &here) == 0);
    KITE_ASSERT(kite_thread_create(&b, yielder, NULL, &here) == 0);
    /* Both queued behind us: from the first yield on, a and b hand the CPU to each other. */
    t0 = arch_tsc();
    KITE_ASSERT(kite_thread_join(a, NULL) == 0);
    KITE_ASSERT(kite_thread_join(b, NULL) == 0);
    total = arch_tsc() - t0;
    kite_pr_info("bench: yield hand-off between two threads on one CPU: %llu instructions "
                 "(%d hand-offs, %llu in all)\n",
                 (unsigned long long)(total / HANDOFFS), HANDOFFS, (unsigned long long)total);
}
