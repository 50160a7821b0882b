/* SPDX-License-Identifier: MIT */
/*
 * Host unit test of strtol, strtoul, strtoll, strtoull, strto[iu]max and ato*
 * (rt/libc/strtol.c) against glibc's: value, errno and *end on a table of
 * edge cases (spaces, signs, prefixes with base 0 and 16, "0x" alone, every
 * base, overflow at each limit), then on random strings over an alphabet
 * chosen to hit those edges.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../libc_priv.h"

static int compared;

/* One input in one base through all four functions; values, errno and *end must agree. */
static void check(const char *s, int base)
{
    char *want_end, *got_end;
    int want_errno, got_errno;

#define COMPARE(fn, type, pf)                                                                  \
    do {                                                                                       \
        errno = 0;                                                                             \
        type want = fn(s, &want_end, base);                                                    \
        want_errno = errno;                                                                    \
        errno = 0;                                                                             \
        type got = kite_libc_##fn(s, &got_end, base);                                          \
        got_errno = errno;                                                                     \
        compared++;                                                                            \
        if (want != got || want_errno != got_errno || want_end != got_end) {                   \
            print_error(#fn "(\"%s\", %d): glibc " pf " errno %d end +%td, kite " pf           \
                            " errno %d end +%td\n",                                            \
                        s, base, want, want_errno, want_end - s, got, got_errno, got_end - s); \
            fail();                                                                            \
        }                                                                                      \
    } while (0)

    COMPARE(strtol, long, "%ld");
    COMPARE(strtoul, unsigned long, "%lu");
    COMPARE(strtoll, long long, "%lld");
    COMPARE(strtoull, unsigned long long, "%llu");
    COMPARE(strtoimax, intmax_t, "%jd");
    COMPARE(strtoumax, uintmax_t, "%ju");
#undef COMPARE
}

static const char *const cases[] = {
    "",
    " ",
    "0",
    "-0",
    "+0",
    "1",
    "-1",
    "+",
    "-",
    "+-1",
    "  \t\n\v\f\r42",
    "   -17xyz",
    "42 ",
    "0x",
    "0X",
    "0x1f",
    "0XAbC",
    "0xg",
    "-0x10",
    " +0x7fffffffffffffff",
    "0x8000000000000000",
    "-0x8000000000000000",
    "-0x8000000000000001",
    "0xffffffffffffffff",
    "0x10000000000000000",
    "-0xffffffffffffffff",
    "010",
    "08",
    "0777",
    "-0777",
    "00x1",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "-18446744073709551615",
    "-18446744073709551616",
    "99999999999999999999999999999999",
    "-99999999999999999999999999999999",
    "1010",
    "zz",
    "ZZ",
    "z",
    "1z",
    "123abc",
    "1e10",
    "\xff"
    "1",
    "0b101",
};

static void test_table(void **state)
{
    static const int bases[] = {0, 2, 8, 10, 16, 36, 3, 35, 1, -1, 37};

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
            if (bases[b] == 1 || bases[b] < 0 || bases[b] > 36) {
                /* A bad base: 0 and EINVAL (glibc leaves *end alone, so only those). */
                errno = 0;
                assert_int_equal(kite_libc_strtol(cases[i], NULL, bases[b]), 0);
                assert_int_equal(errno, EINVAL);
                continue;
            }
            check(cases[i], bases[b]);
        }
    }
}

/* Random strings over an alphabet of the interesting characters, every base. */
static void test_random(void **state)
{
    static const char alphabet[] = " \t+-0123456789abcfxzXZ01";
    char s[40];
    unsigned int seed = 12345;

    (void)state;
    for (int round = 0; round < 20000; round++) {
        size_t len;
        int base;

        seed = seed * 1103515245 + 12345;
        len = (seed >> 16) % (sizeof(s) - 1);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245 + 12345;
            s[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
        }
        s[len] = '\0';
        seed = seed * 1103515245 + 12345;
        base = (int)((seed >> 16) % 37);
        check(s, base == 1 ? 0 : base); /* base 1 is invalid: the table checks it */
    }
}

static void test_atoi(void **state)
{
    (void)state;
    assert_int_equal(kite_libc_atoi("  -123abc"), -123);
    assert_int_equal(kite_libc_atoi("0x10"), 0);
    assert_int_equal(kite_libc_atoi("2147483647"), INT_MAX);
    assert_int_equal(kite_libc_atol("-9223372036854775808"), LONG_MIN);
    assert_int_equal(kite_libc_atoll("junk"), 0);
}

static int report(void **state)
{
    (void)state;
    print_message("compared %d conversions with glibc\n", compared);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_atoi),
    };

    return cmocka_run_group_tests(tests, NULL, report);
}
