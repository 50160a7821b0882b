/* SPDX-License-Identifier: MIT */
/*
 * The OpenMP test suite's driver: runs the tests named on the command line,
 * or every test but "env" when none is named (or "all"). Each test prints its
 * findings and then "NAME: ok" or "NAME: FAIL (N checks)"; the last line
 * counts the tests and main returns 1 if any failed (2 for an unknown name).
 *
 *     gcc -fopenmp -O2 -o omptest test/omp/[a-z]*.c && ./omptest [all | env | NAME...]
 *     make EXT=test/omp    (Kite: kite.args="NAME ..." names the tests)
 *
 * "env" prints what OMP_NUM_THREADS, OMP_SCHEDULE and OMP_DYNAMIC set; it
 * is left out of "all" because without them its output depends on the CPUs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "omptest.h"

struct omptest {
    const char *name;
    void (*run)(void);
};

#define T(name)            \
    {                      \
#name, test_##name \
    }
static const struct omptest tests[] = {
    T(parallel),
    T(parallel_if),
    T(parallel_nested),
    T(parallel_nested_active),
    T(parallel_from_pthreads),
    T(query),
    T(wtime),
    T(for_static),
    T(for_static_chunk),
    T(for_dynamic),
    T(for_guided),
    T(for_runtime),
    T(for_auto),
    T(for_collapse),
    T(for_nowait),
    T(for_ull),
    T(for_steps),
    T(lastprivate),
    T(firstprivate),
    T(parallel_for),
    T(ordered),
    T(sections),
    T(parallel_sections),
    T(single),
    T(copyprivate),
    T(master),
    T(masked),
    T(critical),
    T(critical_named),
    T(atomic_int),
    T(atomic_long),
    T(atomic_double),
    T(atomic_capture),
    T(atomic_wide),
    T(barrier),
    T(barrier_9),
    T(reduction_int),
    T(reduction_long),
    T(reduction_double),
    T(reduction_array),
    T(reduction_user),
    T(task),
    T(task_firstprivate),
    T(task_recursive),
    T(taskgroup),
    T(task_if0),
    T(task_final),
    T(task_depend),
    T(taskloop),
    T(lock),
    T(nest_lock),
    T(threadprivate),
    T(copyin),
    T(env),
};
#define NTESTS (sizeof(tests) / sizeof(tests[0]))

static const char *current;   /* the running test's name */
static unsigned int failures; /* the running test's failed checks */

void omptest_say(const char *fmt, ...)
{
    va_list ap;

    printf("%s: ", current);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

void omptest_fail(const char *fmt, ...)
{
    va_list ap;

    /* Two threads failing at once would interleave their lines. */
#pragma omp critical(omptest_output)
    {
        failures++;
        printf("%s: FAIL: ", current);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
    }
}

void omptest_spin(unsigned int n)
{
    for (volatile unsigned int i = 0; i < n; i = i + 1) {
    }
}

/* Runs one test; returns 1 if it failed. */
static int run(const struct omptest *t)
{
    current = t->name;
    failures = 0;
    t->run();
    if (failures == 0) {
        printf("%s: ok\n", t->name);
        return 0;
    }
    printf("%s: FAIL (%u checks)\n", t->name, failures);
    return 1;
}

static const struct omptest *find(const char *name)
{
    for (unsigned int i = 0; i < NTESTS; i++) {
        if (strcmp(tests[i].name, name) == 0) {
            return &tests[i];
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    unsigned int ran = 0, failed = 0;
    bool all = argc < 2 || (argc == 2 && strcmp(argv[1], "all") == 0);

    for (int i = 1; i < argc && !all; i++) {
        if (!find(argv[i])) {
            fprintf(stderr, "omptest: no test named '%s'; the tests are all", argv[i]);
            for (unsigned int j = 0; j < NTESTS; j++) {
                fprintf(stderr, " %s", tests[j].name);
            }
            fprintf(stderr, "\n");
            return 2;
        }
    }
    printf("omptest: begin\n");
    if (all) {
        for (unsigned int i = 0; i < NTESTS; i++) {
            if (strcmp(tests[i].name, "env") != 0) {
                failed += run(&tests[i]);
                ran++;
            }
        }
    } else {
        for (int i = 1; i < argc; i++) {
            failed += run(find(argv[i]));
            ran++;
        }
    }
    printf("omptest: end: %u tests, %u failed\n", ran, failed);
    return failed ? 1 : 0;
}
