/* SPDX-License-Identifier: MIT */
/*
 * Host unit test of printf's floating-point conversions (rt/libc/printf.c,
 * printf_float.c) against glibc's, byte for byte: random bit patterns of
 * doubles and long doubles at many precisions, values whose digits end
 * exactly on a tie, the edges of each range, every flag with widths and
 * precisions (also from '*'), and formats that mix floats with integers
 * (more arguments than registers).
 */
#include <float.h>
#include <limits.h>
#include <math.h> /* the constants only: no libm */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../libc_priv.h"

/* The longest output here: LDBL_MAX with %f is 4,933 digits, plus precision. */
#define OUT_MAX 6000

static unsigned long compared;

static void __attribute__((format(printf, 2, 0)))
vcheck_size(size_t size, const char *fmt, va_list ap)
{
    static char want[OUT_MAX];
    static char got[OUT_MAX];
    va_list ap2;
    int want_n, got_n;

    memset(want, 'W', sizeof(want));
    memset(got, 'W', sizeof(got));
    va_copy(ap2, ap);
    want_n = vsnprintf(want, size, fmt, ap);
    got_n = kite_libc_vsnprintf(got, size, fmt, ap2);
    va_end(ap2);
    compared++;
    if (want_n != got_n || memcmp(want, got, sizeof(want)) != 0) {
        print_error("format \"%s\" size %zu: glibc \"%.*s\" (%d), kite \"%.*s\" (%d)\n", fmt, size,
                    (int)strnlen(want, size), want, want_n, (int)strnlen(got, size), got, got_n);
        fail();
    }
}

/* Compare at the full size, and (with @cuts) cut short at 0, 1 and half the output. */
static void vcheck(bool cuts, const char *fmt, va_list ap)
{
    static char tmp[OUT_MAX];
    va_list ap2;
    int n;

    va_copy(ap2, ap);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap2);
    va_end(ap2);
    assert_true(n >= 0 && n < OUT_MAX);
    const size_t sizes[] = {OUT_MAX, 0, 1, (size_t)n / 2 + 1, (size_t)n};
    for (size_t i = 0; i < (cuts ? sizeof(sizes) / sizeof(sizes[0]) : 1); i++) {
        va_copy(ap2, ap);
        vcheck_size(sizes[i], fmt, ap2);
        va_end(ap2);
    }
}

/* Not marked printf-like: some formats here are ones gcc warns about on purpose. */
static void check(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vcheck(true, fmt, ap);
    va_end(ap);
}

static void check_full(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vcheck(false, fmt, ap);
    va_end(ap);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: a fixed sequence, so a failure is reproducible. */
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static double from_bits(uint64_t b)
{
    double d;

    memcpy(&d, &b, sizeof(d));
    return d;
}

/* The test links no libm: 2^e, the next double toward zero or away from it, 10^e. */
static double two_to(int e)
{
    double v = 1.0;

    for (; e > 0; e--) {
        v *= 2;
    }
    for (; e < 0; e++) {
        v /= 2;
    }
    return v;
}

static double step(double v, int dir)
{
    uint64_t b;

    memcpy(&b, &v, sizeof(b));
    b += (uint64_t)(int64_t)dir;
    return from_bits(b);
}

static double ten_to(int e)
{
    double v = 1.0;

    for (; e > 0; e--) {
        v *= 10;
    }
    for (; e < 0; e++) {
        v /= 10;
    }
    return v;
}

static long double ld_from(uint64_t mant, uint16_t se)
{
    long double v = 0;

    memcpy(&v, &mant, sizeof(mant));
    memcpy((char *)&v + sizeof(mant), &se, sizeof(se));
    return v;
}

static const char *const convs[] = {"f", "e", "g", "a", "F", "E", "G", "A"};
static const int precisions[] = {-1, 0,  1,  2,  3,  4,  5,  6,  9, 12,
                                 13, 14, 15, 16, 17, 18, 20, 25, 40};
/* Fewer for the random values, to keep the test quick: around the digits a double holds. */
static const int few_precisions[] = {-1, 0, 1, 3, 6, 13, 16, 17, 20};

/* @v under every conversion and each of @n precisions. */
static void some_precisions(double v, const int *precs, size_t n)
{
    char fmt[32];

    for (size_t c = 0; c < sizeof(convs) / sizeof(convs[0]); c++) {
        for (size_t p = 0; p < n; p++) {
            if (precs[p] < 0) {
                snprintf(fmt, sizeof(fmt), "%%%s", convs[c]);
            } else {
                snprintf(fmt, sizeof(fmt), "%%.%d%s", precs[p], convs[c]);
            }
            check_full(fmt, v);
        }
    }
}

static void all_precisions(double v)
{
    some_precisions(v, precisions, sizeof(precisions) / sizeof(precisions[0]));
}

static void random_precisions(double v)
{
    some_precisions(v, few_precisions, sizeof(few_precisions) / sizeof(few_precisions[0]));
}

/*
 * A long double far from 1 takes thousands of digits to print exactly (so
 * does glibc): those get the shorter list of precisions.
 */
static void all_precisions_ld(long double v)
{
    char fmt[32];
    bool far = v != 0 && (v > 1e300L || v < -1e300L || (v < 1e-300L && v > -1e-300L));
    const int *precs = far ? few_precisions : precisions;
    size_t n = far ? sizeof(few_precisions) / sizeof(few_precisions[0])
                   : sizeof(precisions) / sizeof(precisions[0]);

    for (size_t c = 0; c < sizeof(convs) / sizeof(convs[0]); c++) {
        for (size_t p = 0; p < n; p++) {
            if (precs[p] < 0) {
                snprintf(fmt, sizeof(fmt), "%%L%s", convs[c]);
            } else {
                snprintf(fmt, sizeof(fmt), "%%.%dL%s", precs[p], convs[c]);
            }
            check_full(fmt, v);
        }
    }
}

static void test_edges(void **state)
{
    (void)state;
    const double values[] = {
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        1.5,
        2.5,
        3.5,
        0.25,
        0.125,
        0.375,
        9.5,
        10.5,
        99.5,
        999.5,
        0.05,
        0.15,
        0.25,
        0.35,
        0.45,
        1e-5,
        1e-4,
        9.9999e-5,
        0.0001,
        0.00009999995,
        123456.0,
        999999.5,
        9999995.0,
        1e6,
        1e15,
        1e16,
        1e17,
        1e21,
        1e22,
        1e23,
        9007199254740993.0,
        0.1,
        0.2,
        0.3,
        1.0 / 3,
        2.0 / 3,
        M_PI,
        M_E,
        1e100,
        1e-100,
        1e308,
        1e-308,
        DBL_MAX,
        -DBL_MAX,
        DBL_MIN,
        DBL_MIN / 2,
        DBL_TRUE_MIN,
        2 * DBL_TRUE_MIN,
        DBL_MIN - DBL_TRUE_MIN,
        DBL_EPSILON,
        1 + DBL_EPSILON,
        1 - DBL_EPSILON / 2,
        9.999999999999999e22,
        5e-324,
        4.9406564584124654e-324,
        0x1.fffffffffffffp0,
        0x1.8p0,
        0x1.08p0,
        0x1.18p0,
        0x1.00000000000008p0,
        0x1.fffffffffffff8p-1,
        0xf.8p0,
        INFINITY,
        -INFINITY,
        NAN,
        -NAN,
    };
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        all_precisions(values[i]);
    }
    /* Powers of two and ten across the whole range, and their neighbours. */
    for (int e = -1074; e <= 1023; e += 7) {
        double v = two_to(e);

        all_precisions(v);
        all_precisions(step(v, -1));
    }
    for (int e = -323; e <= 308; e += 3) {
        char text[32];

        snprintf(text, sizeof(text), "1e%d", e);
        all_precisions(strtod(text, NULL));
    }
}

/* Exact ties: (2k+1) / 2^j cut right at their last digit, and %g's switch points. */
static void test_ties(void **state)
{
    (void)state;
    char fmt[32];

    for (int j = 1; j <= 12; j++) {
        for (int k = 0; k < 40; k++) {
            double v = (2.0 * k + 1) / two_to(j);

            for (int p = 0; p <= j; p++) {
                snprintf(fmt, sizeof(fmt), "%%.%df", p);
                check_full(fmt, v);
                snprintf(fmt, sizeof(fmt), "%%.%de", p);
                check_full(fmt, v);
                snprintf(fmt, sizeof(fmt), "%%.%dg", p);
                check_full(fmt, v);
                snprintf(fmt, sizeof(fmt), "%%.%da", p);
                check_full(fmt, v);
            }
        }
    }
    for (int e = -6; e <= 8; e++) {
        for (int p = 0; p <= 8; p++) {
            double v = 9.5 * ten_to(e);

            snprintf(fmt, sizeof(fmt), "%%.%dg", p);
            check_full(fmt, v);
            check_full(fmt, step(v, -1));
            check_full(fmt, step(v, 1));
            snprintf(fmt, sizeof(fmt), "%%#.%dg", p);
            check_full(fmt, v);
        }
    }
}

static void test_random_doubles(void **state)
{
    (void)state;
    for (int i = 0; i < 2000; i++) {
        random_precisions(from_bits(rnd()));
    }
    /* Values of everyday size: a random mantissa scaled by a small power of 2. */
    for (int i = 0; i < 2000; i++) {
        uint64_t b = rnd();

        b = (b & ~(0x7ffull << 52)) | ((uint64_t)(1023 - 40 + (int)(rnd() % 80)) << 52);
        random_precisions(from_bits(b));
    }
    /* Short decimals, which printf users print most. */
    for (int i = 0; i < 1500; i++) {
        double v = (double)(rnd() % 2000001) / ten_to((int)(rnd() % 9));

        random_precisions(v);
    }
}

static void test_long_double(void **state)
{
    (void)state;
    const long double values[] = {
        0.0L,
        -0.0L,
        1.0L,
        0.5L,
        1.5L,
        2.5L,
        0.1L,
        1.0L / 3,
        LDBL_MAX,
        -LDBL_MAX,
        LDBL_MIN,
        LDBL_MIN / 2,
        LDBL_TRUE_MIN,
        LDBL_EPSILON,
        1e4000L,
        1e-4000L,
        0xf.8p0L,
        0xf.f8p0L,
        0xf.fffffffffffffffp0L,
        0x1.8p0L,
        12345678901234567890.0L,
        INFINITY,
        -INFINITY,
        NAN,
        -NAN,
    };
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        all_precisions_ld(values[i]);
    }
    for (int i = 0; i < 120; i++) {
        uint64_t m = rnd();
        uint16_t se = (uint16_t)rnd();
        unsigned int e = se & 0x7fffu;

        /* A valid encoding: the integer bit set exactly when the exponent is nonzero. */
        m = e == 0 ? m & ~(1ull << 63) : m | (1ull << 63);
        all_precisions_ld(ld_from(m, se));
    }
    /* Everyday sizes, and the spellings ll and q that glibc also reads as long double. */
    for (int i = 0; i < 1500; i++) {
        uint16_t se = (uint16_t)((16383 - 70 + rnd() % 140) | (rnd() & 0x8000));

        all_precisions_ld(ld_from(rnd() | (1ull << 63), se));
    }
    check("%llf %qe", 2.5L, 1e300L);
    /* Encodings the x87 rejects: glibc prints nan for them. */
    check("%Lf %Le %Lg %La", ld_from(1ull << 62, 0x4000), ld_from(1ull << 62, 0x4000),
          ld_from(0, 0x4000), ld_from(1ull << 62, 0x7fff));
    check("%Lf %La", ld_from(1ull << 63, 0), ld_from((1ull << 63) | 5, 0x8000));
    check("%Lf %La", ld_from(0, 0x7fff), ld_from(1ull << 63, 0x7fff));
}

static const char *const flag_sets[] = {"",   "-",  "+",  " ",   "#",   "0", "-+",
                                        "+0", " 0", "#0", "-#0", "+ #", "-0"};
static const char *const widths[] = {"", "1", "8", "13", "30"};
static const char *const precs[] = {"", ".", ".0", ".1", ".3", ".10"};

static void test_flags(void **state)
{
    (void)state;
    const double values[] = {0.0,   -0.0,     1.0,       -1.5, 123.456, -0.000123456, 1e20,
                             1e-20, INFINITY, -INFINITY, NAN,  -NAN,    DBL_TRUE_MIN};
    char fmt[32];

    for (size_t c = 0; c < sizeof(convs) / sizeof(convs[0]); c++) {
        for (size_t f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++) {
            for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
                for (size_t p = 0; p < sizeof(precs) / sizeof(precs[0]); p++) {
                    snprintf(fmt, sizeof(fmt), "%%%s%s%s%s", flag_sets[f], widths[w], precs[p],
                             convs[c]);
                    for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
                        check(fmt, values[v]);
                    }
                    snprintf(fmt, sizeof(fmt), "%%%s%s%sL%s", flag_sets[f], widths[w], precs[p],
                             convs[c]);
                    check(fmt, -2.5L);
                }
            }
        }
    }
    /* '*' width and precision, negative ones too. */
    const int stars[] = {-20, -1, 0, 1, 7, 25};
    for (size_t i = 0; i < sizeof(stars) / sizeof(stars[0]); i++) {
        for (size_t j = 0; j < sizeof(stars) / sizeof(stars[0]); j++) {
            check("%*.*f|%*.*e|%-*.*g|%0*.*a", stars[i], stars[j], M_PI, stars[i], stars[j], -M_E,
                  stars[i], stars[j], 1e-7, stars[i], stars[j], 255.5);
            check("%0*.*Lf", stars[i], stars[j], -1.0L / 7);
        }
    }
    check("%.100f %.300e %.200g", 0.1, 1.0 / 3, 2e-300);
    check("%#.0f %#.0e %#.0g %#.0a %#g %#g", 1.0, 2.0, 3.0, 4.0, 0.0, 100.0);
    check("%lf %zf %jf %tf", 1.5, 3.5, 4.5, 5.5);
}

/* Floats among integers, strings and '*': more of each than the registers hold. */
static void test_mixed(void **state)
{
    (void)state;
    check("%d %f %s %e %c %g %lld %a %u %.3f %x %5.1e %p %G %ld %f %f %f %f %d", -7, 1.25, "str",
          1e10, 'z', 0.0001, -123456789012345ll, 0.5, 42u, M_PI, 255u, -7.77, (void *)0x1234, 1e-10,
          99l, 1.0, 2.0, 3.0, 4.0, 5);
    check("%f %f %f %f %f %f %f %f %f %f %Lf %f %d %d %d %d %d %d %d", 1.0, 2.0, 3.0, 4.0, 5.0, 6.0,
          7.0, 8.0, 9.0, 10.0, 11.0L, 12.0, 1, 2, 3, 4, 5, 6, 7);
    check("%5%|%-5.3%|%f%%|%y %f", 1.0, 2.0);
    check("%*d %.*f %*s", 5, 3, 2, 1.005, -6, "ab");
    check("%Ld %Lu %qd %Lx", -5ll, 6ull, 7ll, 0xabcll);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),          cmocka_unit_test(test_ties),
        cmocka_unit_test(test_random_doubles), cmocka_unit_test(test_long_double),
        cmocka_unit_test(test_flags),          cmocka_unit_test(test_mixed),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);

    printf("printf_float: %lu comparisons with glibc\n", compared);
    return failed;
}
