/* SPDX-License-Identifier: MIT */
/*
 * printf's floating point inside a booted image (built with SSE, as runtime
 * code is): known outputs of each conversion, doubles passed through
 * printf's own variadic entry (more than the eight XMM argument registers),
 * and several threads per CPU formatting doubles at once while preemption
 * switches between them, each checking every string against one it builds
 * from integers. The digits themselves are compared with glibc's on the
 * host (printf_float_utest.c), as are strtod's (strtod_utest.c); here
 * strtod reads back what printf wrote.
 */
#include <errno.h>
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kite/arch.h>
#include <kite/test.h>
#include <kite/thread.h>

KITE_TEST(libc, printf_doubles)
{
    char buf[128];
    volatile double zero = 0.0;

    KITE_EXPECT_EQ(snprintf(buf, sizeof(buf), "%.3f", 3.14159), 5);
    KITE_EXPECT_STREQ(buf, "3.142");
    snprintf(buf, sizeof(buf), "%f|%e|%g|%a", 0.1, 1e300, 0.0001, 1.0);
    KITE_EXPECT_STREQ(buf, "0.100000|1.000000e+300|0.0001|0x1p+0");
    snprintf(buf, sizeof(buf), "%+08.2f|%-8.1e|%#g|%G", -2.5, 12345.0, 2.0, 1e-10);
    KITE_EXPECT_STREQ(buf, "-0002.50|1.2e+04 |2.00000|1E-10");
    /* Ties go to the even digit, on the exact binary value. */
    snprintf(buf, sizeof(buf), "%.0f %.0f %.0f %.1f %.2f", 0.5, 1.5, 2.5, 0.25, 1.005);
    KITE_EXPECT_STREQ(buf, "0 2 2 0.2 1.00");
    snprintf(buf, sizeof(buf), "%f %F %e %f %5.1f", 1 / zero, -1 / zero, zero / zero, -zero, -zero);
    KITE_EXPECT(strcmp(buf, "inf -INF nan -0.000000  -0.0") == 0 ||
                strcmp(buf, "inf -INF -nan -0.000000  -0.0") == 0);
    snprintf(buf, sizeof(buf), "%.17g %.20e", DBL_TRUE_MIN, DBL_MAX);
    KITE_EXPECT_STREQ(buf, "4.9406564584124654e-324 1.79769313486231570815e+308");
    snprintf(buf, sizeof(buf), "%Lf %.25Lg %La", 0.1L, 0.1L, 1.0L);
    KITE_EXPECT_STREQ(buf, "0.100000 0.1000000000000000000013553 0x8p-3");
    snprintf(buf, sizeof(buf), "%*.*f|%d", -7, 2, 1.0 / 3, 42);
    KITE_EXPECT_STREQ(buf, "0.33   |42");
}

KITE_TEST(libc, printf_many_double_arguments)
{
    /* Ten doubles: eight in XMM registers, two on the stack, between integers. */
    int n = printf("libc: %d %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f %s\n", 0, 1.0, 2.0,
                   3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, "end");

    KITE_EXPECT_EQ(n, 53);
    KITE_EXPECT_EQ(fflush(stdout), 0);
}

#define ROUNDS 3000

/*
 * Format k/8 + id for many k with %.3f and compare with the same number
 * written from integers; the sum kept in an XMM register across the
 * formatting and any preemption must come out exact too.
 */
static void *format_worker(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    double sum = 0;
    char got[64], want[64];

    for (int k = 0; k < ROUNDS; k++) {
        double v = (double)k / 8 + (double)id;
        /* k/8 has at most three decimals: 0.125 steps. */
        int whole = k / 8 + (int)id;
        int thousandths = (k % 8) * 125;

        snprintf(got, sizeof(got), "%.3f|%g", v, (double)id + 0.5);
        snprintf(want, sizeof(want), "%d.%03d|%d.5", whole, thousandths, (int)id);
        if (strcmp(got, want) != 0) {
            printf("libc: thread %u: \"%s\", expected \"%s\"\n", (unsigned int)id, got, want);
            return (void *)0;
        }
        sum += v;
        if (k % 500 == 0) {
            kite_thread_yield();
        }
    }
    /* The sum of k/8 over 0..ROUNDS-1 and ROUNDS * id: exact in a double. */
    double expect = (double)ROUNDS * (ROUNDS - 1) / 16 + (double)ROUNDS * (double)id;

    if (sum != expect) {
        return (void *)0;
    }
    printf("libc: thread %u formatted %d doubles, sum %.3f\n", (unsigned int)id, ROUNDS, sum);
    return (void *)1;
}

KITE_TEST(libc, printf_doubles_in_threads)
{
    unsigned int cpus = arch_cpus_online();
    unsigned int n = cpus * 2 > 16 ? 16 : cpus * 2;
    struct kite_thread *t[16];

    for (unsigned int i = 0; i < n; i++) {
        struct kite_thread_attr attr = {.cpu = (int)(i % cpus), .name = "fmt"};

        KITE_ASSERT(kite_thread_create(&t[i], format_worker, (void *)(uintptr_t)i, &attr) == 0);
    }
    for (unsigned int i = 0; i < n; i++) {
        void *ok = NULL;

        KITE_EXPECT_EQ(kite_thread_join(t[i], &ok), 0);
        KITE_EXPECT_EQ((uintptr_t)ok, 1);
    }
    KITE_EXPECT_EQ(fflush(stdout), 0);
}

KITE_TEST(libc, strtod_reads_back)
{
    char buf[64];
    char *end = NULL;

    KITE_EXPECT(strtod("3.14159xyz", &end) == 3.14159);
    KITE_EXPECT(end != NULL && *end == 'x');
    KITE_EXPECT(strtof("0.1", NULL) == 0.1f);
    KITE_EXPECT(atof("-0x1.8p1") == -3.0);
    errno = 0;
    KITE_EXPECT(strtod("1e999", NULL) == __builtin_huge_val());
    KITE_EXPECT_EQ(errno, ERANGE);
    /* %.17g of any double reads back to the same double. */
    for (int i = 1; i < 200; i++) {
        double v = 1.0 / i + (double)i * 1e10;

        snprintf(buf, sizeof(buf), "%.17g", v);
        KITE_EXPECT(strtod(buf, NULL) == v);
    }
}

KITE_TEST(libc, difftime)
{
    time_t now = time(NULL);

    KITE_EXPECT(difftime(7, 2) == 5.0);
    KITE_EXPECT(difftime(2, 7) == -5.0);
    KITE_EXPECT(difftime(now, now) == 0.0);
}
