/* SPDX-License-Identifier: MIT */
/*
 * Reductions: + * max min & | ^ && || on int and long, + * max min && || on
 * double, array sections, and a user-defined reduction (declare reduction).
 * The values are chosen so that every result is exact in any order.
 */
#include <limits.h>

#include "omptest.h"

#define TEAM 4
#define N    1000

void test_reduction_int(void)
{
    int sum = 0, prod = 1, max = INT_MIN, min = INT_MAX, and = ~0, or = 0, xor = 0, land = 1,
        lor = 0, land0 = 1, lor0 = 0;

#pragma omp parallel for num_threads(TEAM) schedule(dynamic, 16)                                \
    reduction(+ : sum) reduction(* : prod) reduction(max : max) reduction(min : min)           \
    reduction(& : and) reduction(| : or) reduction(^ : xor) reduction(&& : land, land0)        \
    reduction(|| : lor, lor0)
    for (int i = 0; i < N; i++) {
        sum += i;
        if (i % 100 == 0) {
            prod *= 2; /* ten doublings */
        }
        max = i * 7 % 1009 > max ? i * 7 % 1009 : max;
        min = i * 7 % 1009 - 500 < min ? i * 7 % 1009 - 500 : min;
        and &= ~(1 << (i % 20)) | (i < 500 ? 0 : 1 << 25);
        or |= 1 << (i % 24);
        xor ^= i;
        land = land && i >= 0;
        land0 = land0 && i != 777;
        lor = lor || i == 999;
        lor0 = lor0 || i < 0;
    }
    omptest_say("int: + %d, * %d, max %d, min %d, & %#x, | %#x, ^ %d, && %d %d, || %d %d", sum,
                prod, max, min, and, or, xor, land, land0, lor, lor0);
    CHECK(sum == N * (N - 1) / 2 && prod == 1024 && max == 1008 && min == -500, "int + * max min");
    CHECK(and == (int)~0xfffff && or == 0xffffff && xor == 0 && land && !land0 &&lor && !lor0,
          "int & | ^ && ||");
}

void test_reduction_long(void)
{
    long sum = 0, prod = 1, max = LONG_MIN, min = LONG_MAX, and = -1, or = 0, xor = 0, land = 1,
         lor = 0;

#pragma omp parallel num_threads(TEAM)
    {
#pragma omp for schedule(guided) reduction(+ : sum) reduction(* : prod) reduction(max : max)     \
    reduction(min : min) reduction(& : and) reduction(| : or) reduction(^ : xor)                   \
    reduction(&& : land) reduction(|| : lor)
        for (long i = 0; i < N; i++) {
            sum += i << 32;
            if (i % 40 == 0) {
                prod *= 3; /* 25 triplings: more than 32 bits */
            }
            max = (i - 300) * (i - 300) > max ? (i - 300) * (i - 300) : max;
            min = -(i << 33) < min ? -(i << 33) : min;
            and &= ~(1L << (i % 50));
            or |= 1L << (i % 63);
            xor ^= i << 40;
            land = land && i < N;
            lor = lor || i == 500;
        }
    }
    omptest_say("long: + %ld, * %ld, max %ld, min %ld, & %#lx, | %#lx, ^ %ld, && %ld, || %ld", sum,
                prod, max, min, and, or, xor, land, lor);
    CHECK(sum == (long)N * (N - 1) / 2 << 32 && prod == 847288609443L && max == 699L * 699 &&
              min == -(999L << 33),
          "long + * max min");
    CHECK(and == (long)(~0UL << 50) && or == (long)(~0UL >> 1) && xor == 0 && land &&lor,
          "long & | ^ && ||");
}

void test_reduction_double(void)
{
    double sum = 0, prod = 1, max = -1e300, min = 1e300;
    int land = 1, lor = 0;

#pragma omp parallel for num_threads(TEAM) schedule(static, 7) reduction(+ : sum)              \
    reduction(* : prod) reduction(max : max) reduction(min : min) reduction(&& : land)        \
    reduction(|| : lor)
    for (int i = 0; i < N; i++) {
        double x = i * 0.25;

        sum += x;
        if (i % 100 == 0) {
            prod *= 0.5;
        }
        max = x > max ? x : max;
        min = x - 10 < min ? x - 10 : min;
        land = land && x >= 0;
        lor = lor || x > 249;
    }
    /* Multiples of 0.25 below 2^50 and powers of two: exact whatever the order. */
    omptest_say("double: + %ld/4, * 1/%ld, max %ld/4, min %ld, && %d, || %d", (long)(sum * 4),
                (long)(1 / prod), (long)(max * 4), (long)min, land, lor);
    CHECK(sum == 0.25 * N * (N - 1) / 2 && prod == 1.0 / 1024 && max == 249.75 && min == -10.0 &&
              land && lor,
          "double reductions");
}

void test_reduction_array(void)
{
    long hist[8] = {0};
    int counts[3][4] = {{0}};

#pragma omp parallel for num_threads(TEAM) schedule(dynamic, 5) reduction(+ : hist[:8])
    for (int i = 0; i < N; i++) {
        hist[i % 8] += i;
    }
    omptest_say("reduction(+ : hist[:8]): %ld %ld %ld %ld %ld %ld %ld %ld", hist[0], hist[1],
                hist[2], hist[3], hist[4], hist[5], hist[6], hist[7]);
    for (int k = 0; k < 8; k++) {
        CHECK(hist[k] == 125L * k + 8L * 124 * 125 / 2, "hist[%d] = %ld", k, hist[k]);
    }

#pragma omp parallel num_threads(TEAM)
    {
#pragma omp for reduction(+ : counts)
        for (int i = 0; i < 120; i++) {
            counts[i % 3][i % 4]++;
        }
    }
    omptest_say("reduction(+ : a 3x4 array): %d %d %d %d / %d %d %d %d / %d %d %d %d", counts[0][0],
                counts[0][1], counts[0][2], counts[0][3], counts[1][0], counts[1][1], counts[1][2],
                counts[1][3], counts[2][0], counts[2][1], counts[2][2], counts[2][3]);
    for (int r = 0; r < 3; r++) {
        for (int c = 0; c < 4; c++) {
            CHECK(counts[r][c] == 10, "counts[%d][%d] = %d", r, c, counts[r][c]);
        }
    }
}

/* A user-defined reduction: the bounding interval of a set of numbers. */
struct span {
    long lo, hi;
};

static struct span span_join(struct span a, struct span b)
{
    return (struct span){a.lo < b.lo ? a.lo : b.lo, a.hi > b.hi ? a.hi : b.hi};
}

#pragma omp declare reduction(join                                    \
                              : struct span                           \
                              : omp_out = span_join(omp_out, omp_in)) \
    initializer(omp_priv = (struct span){LONG_MAX, LONG_MIN})

void test_reduction_user(void)
{
    struct span s = {LONG_MAX, LONG_MIN};

#pragma omp parallel for num_threads(TEAM) reduction(join : s)
    for (int i = 0; i < N; i++) {
        long v = (i * 37L) % 1013 - 400;

        s = span_join(s, (struct span){v, v});
    }
    omptest_say("declare reduction(join): [%ld, %ld]", s.lo, s.hi);
    CHECK(s.lo == -400 && s.hi == 612, "user reduction gave [%ld, %ld]", s.lo, s.hi);
}
