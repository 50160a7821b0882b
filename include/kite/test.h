/* SPDX-License-Identifier: MIT */
/*
 * In-kernel tests. A test is a function declared with KITE_TEST(suite, name);
 * it lands in a linker section, and kite.test=all | suite | suite.name (comma
 * lists) runs the matching ones at the end of boot, prints one result line per
 * test and a closing "N passed, N failed", and powers off with a status that
 * says whether all passed.
 *
 *     KITE_TEST(cmdline, int_option)
 *     {
 *         KITE_EXPECT_EQ(parse("kite.x=3"), 3);
 *     }
 *
 * KITE_EXPECT, KITE_EXPECT_EQ and KITE_EXPECT_STREQ record a failure and go
 * on; KITE_ASSERT records it and returns from the test.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

struct kite_test_ctx {
    unsigned int failures;
    const char *skipped; /* why the test does not apply here (KITE_SKIP_IF), or NULL */
};

struct kite_test {
    const char *suite;
    const char *name;
    void (*fn)(struct kite_test_ctx *kt);
    const char *file;
    int line;
    bool manual; /* run only when named exactly (suite.name), never by "all" or its suite */
};

#define KITE_TEST(suite, name) KITE_TEST_DECLARE(suite, name, false)

/*
 * A test that cannot come back (it crashes the kernel on purpose, to check
 * the crash report): it runs only when kite.test= names it as suite.name.
 */
#define KITE_TEST_MANUAL(suite, name) KITE_TEST_DECLARE(suite, name, true)

#define KITE_TEST_DECLARE(suite, name, manual)                                                     \
    static void kite_test_##suite##_##name(struct kite_test_ctx *kt);                              \
    static const struct kite_test __kite_test_##suite##_##name KITE_USED KITE_SECTION(             \
        ".kite_tests")                                                                             \
        KITE_ALIGNED(8) = {#suite, #name, kite_test_##suite##_##name, __FILE__, __LINE__, manual}; \
    static void kite_test_##suite##_##name(struct kite_test_ctx *kt __attribute__((unused)))

/* Record a failure of the running test (file, line and message are printed). */
void kite_test_fail(struct kite_test_ctx *kt, const char *file, int line, const char *fmt, ...)
    KITE_PRINTF(4, 5);

#define KITE_EXPECT(cond)                                                 \
    do {                                                                  \
        if (!(cond)) {                                                    \
            kite_test_fail(kt, __FILE__, __LINE__, "expected %s", #cond); \
        }                                                                 \
    } while (0)

#define KITE_EXPECT_EQ(a, b)                                                      \
    do {                                                                          \
        long long kite_a_ = (long long)(a), kite_b_ = (long long)(b);             \
        if (kite_a_ != kite_b_) {                                                 \
            kite_test_fail(kt, __FILE__, __LINE__,                                \
                           "expected %s == %s, got %lld (%#llx) and "             \
                           "%lld (%#llx)",                                        \
                           #a, #b, kite_a_, (unsigned long long)kite_a_, kite_b_, \
                           (unsigned long long)kite_b_);                          \
        }                                                                         \
    } while (0)

#define KITE_EXPECT_STREQ(a, b)                                                                 \
    do {                                                                                        \
        const char *kite_a_ = (a), *kite_b_ = (b);                                              \
        if (kite_a_ == 0 || kite_b_ == 0 || kite_test_strcmp(kite_a_, kite_b_) != 0) {          \
            kite_test_fail(kt, __FILE__, __LINE__,                                              \
                           "expected %s == %s, got \"%s\" and "                                 \
                           "\"%s\"",                                                            \
                           #a, #b, kite_a_ ? kite_a_ : "(null)", kite_b_ ? kite_b_ : "(null)"); \
        }                                                                                       \
    } while (0)

/*
 * End the test as not applicable when @cond holds, saying @why (the runner
 * lists every skip with its reason; none is silent). For what this machine
 * or boot cannot have, e.g. the HPET in a co-kernel partition.
 */
#define KITE_SKIP_IF(cond, why)  \
    do {                         \
        if (cond) {              \
            kt->skipped = (why); \
            return;              \
        }                        \
    } while (0)

#define KITE_ASSERT(cond)                                                  \
    do {                                                                   \
        if (!(cond)) {                                                     \
            kite_test_fail(kt, __FILE__, __LINE__, "assertion %s", #cond); \
            return;                                                        \
        }                                                                  \
    } while (0)

#define KITE_FAIL(fmt, ...) kite_test_fail(kt, __FILE__, __LINE__, fmt, ##__VA_ARGS__)

int kite_test_strcmp(const char *a, const char *b);

/* The median of @n values (sorts @v in place): for the path-length probes of `make bench`. */
uint64_t kite_test_median(uint64_t *v, unsigned int n);
/* What reading the TSC twice costs (the median of @n tries, using @scratch), to take off a probe.
 */
uint64_t kite_test_tsc_cost(uint64_t *scratch, unsigned int n);

/*
 * Run the tests @spec selects ("all", "suite", "suite.name", comma-separated).
 * A selector that matches no test is an error and counts as a failure.
 * Returns the number of failures (0 when all selected tests passed).
 */
int kite_test_run(const char *spec);
