/* SPDX-License-Identifier: MIT */
/*
 * Host unit test of strtod, strtof and atof (rt/libc/strtod.c) against
 * glibc's: the result's bits, where parsing stopped and errno, on the
 * shortest and longer decimal forms of random doubles, exact midpoints
 * between neighbouring doubles and floats (and a hair either side), random
 * digit strings with random exponents, hex floats, the ends of the range,
 * and malformed input.
 */
#include <errno.h>
#include <float.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../libc_priv.h"

static unsigned long compared;

static void check(const char *s)
{
    char *want_end, *got_end;
    int want_errno, got_errno;
    double want, got;
    float want_f, got_f;

    errno = 0;
    want = strtod(s, &want_end);
    want_errno = errno;
    errno = 0;
    got = kite_libc_strtod(s, &got_end);
    got_errno = errno;
    compared++;
    if (memcmp(&want, &got, sizeof(want)) != 0 || want_end != got_end || want_errno != got_errno) {
        print_error("strtod(\"%.80s\"): glibc %a end %td errno %d, kite %a end %td errno %d\n", s,
                    want, want_end - s, want_errno, got, got_end - s, got_errno);
        fail();
    }
    errno = 0;
    want_f = strtof(s, &want_end);
    want_errno = errno;
    errno = 0;
    got_f = kite_libc_strtof(s, &got_end);
    got_errno = errno;
    if (memcmp(&want_f, &got_f, sizeof(want_f)) != 0 || want_end != got_end ||
        want_errno != got_errno) {
        print_error("strtof(\"%.80s\"): glibc %a end %td errno %d, kite %a end %td errno %d\n", s,
                    (double)want_f, want_end - s, want_errno, (double)got_f, got_end - s,
                    got_errno);
        fail();
    }
}

static uint64_t rng_state = 0x243f6a8885a308d3ull;

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

static void test_special(void **state)
{
    (void)state;
    const char *const cases[] = {
        "0",
        "-0",
        "+0.0",
        "1",
        "-1",
        "0.5",
        "1.5",
        "  \t\n12.25abc",
        "1e10",
        "1E-10",
        "1e",
        "1e+",
        "1e-x",
        ".5",
        "5.",
        ".",
        "-.",
        "",
        "-",
        "+",
        "x",
        "  ",
        "e5",
        "0x",
        "0x.",
        "0x.p1",
        "0xg",
        "0x1p",
        "0x1.8p3",
        "0X1.FFFFFFFFFFFFFP1023",
        "0x1p-1074",
        "0x1p-1075",
        "0x1.8p-1075",
        "0x.00000000000000000001p0",
        "-0x1.0000000000000800000000001p0",
        "0x1.00000000000008p0",
        "0x1.00000000000018p0",
        "inf",
        "-INF",
        "infinity",
        "Infinityx",
        "infin",
        "nan",
        "-NaN",
        "nan()",
        "nan(abc_12)",
        "nan(",
        "nan(a b)",
        "1e400",
        "-1e400",
        "1e-400",
        "1e308",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.797693134862315807937289714053e308",
        "1.7976931348623159e308",
        "2.2250738585072014e-308",
        "2.2250738585072011e-308",
        "4.9406564584124654e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "2.47032822920623272088e-324",
        "1e-320",
        "3.4028234663852886e38",
        "3.4028235677973366e38",
        "3.40282357e38",
        "1.17549435e-38",
        "1.4e-45",
        "7e-46",
        "7.1e-46",
        "00000000000000000000000000000001.5",
        "0.000000000000000000000000000000000015e35",
        "123456789012345678901234567890",
        "9007199254740993",
        "9007199254740993.0000000001",
        "9007199254740992.9999999999",
        "1e23",
        "8.5e-315",
        "0e999999999",
        "1e-999999999",
        "1e999999999",
        "0.0000e-5",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        check(cases[i]);
    }
    assert_true(kite_libc_atof("2.5x") == 2.5);
}

static void test_random_doubles(void **state)
{
    (void)state;
    char buf[128];
    const char *const forms[] = {"%.17g", "%.16g", "%.15g", "%.25e", "%.40g", "%a", "%.3a"};

    for (int i = 0; i < 30000; i++) {
        double v = from_bits(rnd());

        if (v != v) {
            continue;
        }
        for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
            snprintf(buf, sizeof(buf), forms[f], v);
            check(buf);
        }
        float x;
        uint32_t b = (uint32_t)rnd();

        memcpy(&x, &b, sizeof(x));
        if (x == x) {
            snprintf(buf, sizeof(buf), "%.9g", (double)x);
            check(buf);
            snprintf(buf, sizeof(buf), "%.8g", (double)x);
            check(buf);
        }
    }
}

/*
 * The exact midpoint between a double and the next (a long double holds
 * it), printed in full, then nudged by a digit at the very end.
 */
static void test_midpoints(void **state)
{
    (void)state;
    static char buf[1200];

    for (int i = 0; i < 3000; i++) {
        uint64_t b = rnd() & ~(1ull << 63);
        double lo = from_bits(b), hi = from_bits(b + 1);

        if (!(hi < 1e308)) {
            continue;
        }
        long double mid = ((long double)lo + (long double)hi) / 2;
        int n = snprintf(buf, sizeof(buf) - 2, "%.800Le", mid);

        assert_true(n > 0 && n < (int)sizeof(buf) - 2);
        check(buf);
        /* Just above the midpoint: a 1 far past the last digit. */
        char *e = strchr(buf, 'e');
        char exp[16];

        snprintf(exp, sizeof(exp), "%s", e);
        snprintf(e, sizeof(buf) - (size_t)(e - buf), "1%s", exp);
        check(buf);
        /* Float midpoints. */
        uint32_t fb = (uint32_t)rnd() & 0x7effffffu;
        float flo, fhi;

        memcpy(&flo, &fb, sizeof(flo));
        fb++;
        memcpy(&fhi, &fb, sizeof(fhi));
        snprintf(buf, sizeof(buf), "%.200e", ((double)flo + (double)fhi) / 2);
        check(buf);
    }
}

static void test_random_strings(void **state)
{
    (void)state;
    char buf[1000];

    for (int i = 0; i < 20000; i++) {
        size_t n = 1 + rnd() % (i % 10 == 0 ? 900 : 30);
        size_t pos = 0;

        for (size_t k = 0; k < n; k++) {
            buf[pos++] = (char)('0' + rnd() % 10);
        }
        if (rnd() % 2) {
            size_t at = rnd() % (pos + 1);

            memmove(buf + at + 1, buf + at, pos - at);
            buf[at] = '.';
            pos++;
        }
        snprintf(buf + pos, sizeof(buf) - pos, "e%d", (int)(rnd() % 800) - 400);
        check(buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_special),
        cmocka_unit_test(test_random_doubles),
        cmocka_unit_test(test_midpoints),
        cmocka_unit_test(test_random_strings),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);

    printf("strtod: %lu comparisons with glibc\n", compared);
    return failed;
}
