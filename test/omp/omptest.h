/* SPDX-License-Identifier: MIT */
/*
 * The OpenMP test suite's shared declarations. The same sources build for
 * Kite (make EXT=test/omp) and for Linux (gcc -fopenmp -O2 on test/omp/ sources);
 * run.sh compares the two outputs line by line, so a test prints only what
 * does not depend on the number of CPUs or on timing, and only from the
 * thread that called it (the initial thread).
 */
#ifndef OMPTEST_H
#define OMPTEST_H

#include <omp.h>
#include <stdbool.h>

/* Printed, and counted as a failure of the running test, when @cond is false. */
#define CHECK(cond, ...)               \
    do {                               \
        if (!(cond)) {                 \
            omptest_fail(__VA_ARGS__); \
        }                              \
    } while (0)

/* "NAME: ..." for the running test; call from the initial thread only. */
void omptest_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "NAME: FAIL: ..." and one more failure for the running test. */
void omptest_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Spends a little time without sleeping, so that other threads run meanwhile. */
void omptest_spin(unsigned int n);

/* One entry point per test, each in the file named after its group. */
void test_parallel(void);
void test_parallel_if(void);
void test_parallel_nested(void);
void test_parallel_nested_active(void);
void test_parallel_from_pthreads(void);
void test_query(void);
void test_wtime(void);
void test_for_static(void);
void test_for_static_chunk(void);
void test_for_dynamic(void);
void test_for_guided(void);
void test_for_runtime(void);
void test_for_auto(void);
void test_for_collapse(void);
void test_for_nowait(void);
void test_for_ull(void);
void test_for_steps(void);
void test_lastprivate(void);
void test_firstprivate(void);
void test_parallel_for(void);
void test_ordered(void);
void test_sections(void);
void test_parallel_sections(void);
void test_single(void);
void test_copyprivate(void);
void test_master(void);
void test_masked(void);
void test_critical(void);
void test_critical_named(void);
void test_atomic_int(void);
void test_atomic_long(void);
void test_atomic_double(void);
void test_atomic_capture(void);
void test_atomic_wide(void);
void test_barrier(void);
void test_barrier_9(void);
void test_reduction_int(void);
void test_reduction_long(void);
void test_reduction_double(void);
void test_reduction_array(void);
void test_reduction_user(void);
void test_task(void);
void test_task_firstprivate(void);
void test_task_recursive(void);
void test_taskgroup(void);
void test_task_if0(void);
void test_task_final(void);
void test_task_depend(void);
void test_taskloop(void);
void test_lock(void);
void test_nest_lock(void);
void test_threadprivate(void);
void test_copyin(void);
void test_env(void);

#endif
