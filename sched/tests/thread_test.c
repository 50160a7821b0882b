/* SPDX-License-Identifier: MIT */
/*
 * Threads under a booted kernel: join returns each thread's value, bound
 * threads run where they were put, 10,000 threads come and go across all
 * CPUs leaving memory as it was, yield alternates threads on a CPU,
 * detached threads clean up after themselves, and misuse gives errors.
 */
#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/mm.h>
#include <kite/numa.h>
#include <kite/test.h>
#include <kite/thread.h>

static void *twice(void *arg)
{
    return (void *)((uintptr_t)arg * 2);
}

KITE_TEST(thread, join_returns_the_value)
{
    struct kite_thread *t[32];

    for (uintptr_t i = 0; i < 32; i++) {
        KITE_ASSERT(kite_thread_create(&t[i], twice, (void *)i, NULL) == 0);
    }
    for (uintptr_t i = 0; i < 32; i++) {
        void *ret = NULL;

        KITE_EXPECT_EQ(kite_thread_join(t[i], &ret), 0);
        KITE_EXPECT_EQ((uintptr_t)ret, i * 2);
    }
}

static void *where(void *arg)
{
    (void)arg;
    return (void *)(uintptr_t)arch_cpu_id();
}

KITE_TEST(thread, bound_threads_run_where_put)
{
    for (unsigned int cpu = 0; cpu < arch_cpus_online(); cpu++) {
        struct kite_thread_attr attr = {.cpu = (int)cpu, .name = "bound"};
        struct kite_thread *t;
        void *ret;

        KITE_ASSERT(kite_thread_create(&t, where, NULL, &attr) == 0);
        KITE_EXPECT_EQ(kite_thread_cpu(t), cpu);
        KITE_ASSERT(kite_thread_join(t, &ret) == 0);
        KITE_EXPECT_EQ((uintptr_t)ret, cpu);
    }
}

/* Create and join @n threads, @batch at a time, spread over the CPUs; false on any error. */
static bool churn(unsigned int n, unsigned int batch)
{
    struct kite_thread *t[64];

    for (unsigned int done = 0; done < n; done += batch) {
        for (unsigned int i = 0; i < batch; i++) {
            struct kite_thread_attr attr = {.cpu = (int)(i % arch_cpus_online())};

            if (kite_thread_create(&t[i], twice, (void *)(uintptr_t)i, &attr)) {
                return false;
            }
        }
        for (unsigned int i = 0; i < batch; i++) {
            void *ret;

            if (kite_thread_join(t[i], &ret) || (uintptr_t)ret != 2 * (uintptr_t)i) {
                return false;
            }
        }
    }
    return true;
}

KITE_TEST(thread, ten_thousand_threads_leave_memory_as_it_was)
{
    struct kite_node_mem_stats before[KITE_MAX_NODES] = {0}, after = {0};

    KITE_ASSERT(churn(64, 64)); /* every CPU's stack cache warmed up */
    kite_heap_trim();
    for (unsigned int n = 0; n < kite_numa_node_count(); n++) {
        kite_page_stats((int)n, &before[n]);
    }
    KITE_ASSERT(churn(10000, 64));
    kite_heap_trim();
    for (unsigned int n = 0; n < kite_numa_node_count(); n++) {
        kite_page_stats((int)n, &after);
        KITE_EXPECT_EQ(after.free, before[n].free);
    }
}

static volatile unsigned int turns[2];
static volatile int last = -1;
static volatile unsigned int alternations;
static volatile bool go;

static void *ping(void *arg)
{
    int me = (int)(uintptr_t)arg;

    /* Both start together: the first one created must not run ahead alone. */
    while (!go) {
        kite_thread_yield();
    }
    for (int i = 0; i < 100; i++) {
        if (last != me) {
            alternations++;
        }
        last = me;
        turns[me]++;
        kite_thread_yield();
    }
    return NULL;
}

KITE_TEST(thread, yield_alternates_threads_on_a_cpu)
{
    struct kite_thread_attr attr = {.cpu = (int)arch_cpus_online() - 1};
    struct kite_thread *a, *b;

    alternations = 0;
    last = -1;
    go = false;
    KITE_ASSERT(kite_thread_create(&a, ping, (void *)0, &attr) == 0);
    KITE_ASSERT(kite_thread_create(&b, ping, (void *)1, &attr) == 0);
    go = true;
    KITE_ASSERT(kite_thread_join(a, NULL) == 0);
    KITE_ASSERT(kite_thread_join(b, NULL) == 0);
    KITE_EXPECT_EQ(turns[0] + turns[1], 200);
    KITE_EXPECT(alternations >= 150); /* they took turns, not one after the other */
}

static volatile unsigned int detached_done;

static void *count(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&detached_done, 1, __ATOMIC_RELAXED);
    return NULL;
}

KITE_TEST(thread, detached_threads_clean_up)
{
    struct kite_thread_attr attr = {.cpu = KITE_CPU_ANY, .detached = true, .name = "detached"};
    uint64_t start = arch_tsc();

    detached_done = 0;
    for (int i = 0; i < 100; i++) {
        KITE_ASSERT(kite_thread_create(NULL, count, NULL, &attr) == 0);
    }
    while (detached_done < 100 && arch_tsc() - start < 5000 * arch_tsc_khz) {
        kite_thread_yield();
    }
    KITE_EXPECT_EQ(detached_done, 100);
}

KITE_TEST(thread, misuse_gives_errors)
{
    struct kite_thread_attr far = {.cpu = 999}, tiny = {.cpu = KITE_CPU_ANY, .stack_size = 1};
    struct kite_thread *t;

    KITE_EXPECT_EQ(kite_thread_join(kite_thread_self(), NULL), -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_thread_create(&t, twice, NULL, &far), -KITE_ENODEV);
    KITE_EXPECT_EQ(kite_thread_create(&t, twice, NULL, &tiny), -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_thread_join(NULL, NULL), -KITE_EINVAL);
}
