/* SPDX-License-Identifier: MIT */
/*
 * Host unit test of the libc's string formatters (rt/libc/printf.c):
 * snprintf, vsnprintf, sprintf and vsprintf under their kite_libc_ host
 * names, against glibc's on the same formats and arguments. A sweep over
 * flags, widths, precisions and conversions with edge values, then the
 * cases C is picky about, each at several buffer sizes.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../libc_priv.h"

#define OUT_MAX 600

static int compared;

/* One comparison at buffer size @size (0..OUT_MAX): return value and bytes written. */
static void __attribute__((format(printf, 2, 0)))
vcheck_size(size_t size, const char *fmt, va_list ap)
{
    char want[OUT_MAX];
    char got[OUT_MAX];
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

/*
 * Compare at the full size and cut short at 0, 1 and half the output. Not
 * marked as printf-like: the edge cases below are formats gcc warns about
 * on purpose (flags C says to ignore, a NULL %s).
 */
static void check(const char *fmt, ...)
{
    char tmp[OUT_MAX];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && n < OUT_MAX);
    const size_t sizes[] = {OUT_MAX, 0, 1, (size_t)n / 2 + 1, (size_t)n, (size_t)n + 1};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        va_start(ap, fmt);
        vcheck_size(sizes[i], fmt, ap);
        va_end(ap);
    }
}

static const char *const flag_sets[] = {"", "-", "+", " ", "#", "0", "-+", "+0", " 0", "#0", "-#"};
static const char *const widths[] = {"", "1", "5", "12", "25"};
static const char *const precisions[] = {"", ".", ".0", ".1", ".3", ".17"};

/* Every flag set, width and precision with @conv on each value given. */
static void sweep_int(const char *length, char conv, const long long *values, size_t n)
{
    char fmt[32];

    for (size_t f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++) {
        for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
            for (size_t p = 0; p < sizeof(precisions) / sizeof(precisions[0]); p++) {
                snprintf(fmt, sizeof(fmt), "[%%%s%s%s%s%c]", flag_sets[f], widths[w], precisions[p],
                         length, conv);
                for (size_t v = 0; v < n; v++) {
                    if (length[0] == 'l' && length[1] == 'l') {
                        check(fmt, values[v]);
                    } else if (length[0] == 'l') {
                        check(fmt, (long)values[v]);
                    } else {
                        check(fmt, (int)values[v]);
                    }
                }
            }
        }
    }
}

static void test_sweep_integers(void **state)
{
    static const long long ints[] = {0, 1, -1, 7, 42, -42, 255, 65535, INT_MAX, INT_MIN};
    static const long long longs[] = {0, 1, -1, LLONG_MAX, LLONG_MIN, 0x123456789abcLL};
    const char convs[] = "diuxXo";

    (void)state;
    for (const char *c = convs; *c != '\0'; c++) {
        sweep_int("", *c, ints, sizeof(ints) / sizeof(ints[0]));
        sweep_int("l", *c, longs, sizeof(longs) / sizeof(longs[0]));
        sweep_int("ll", *c, longs, sizeof(longs) / sizeof(longs[0]));
    }
}

static void test_sweep_strings(void **state)
{
    static const char *const strs[] = {"", "a", "hello", "a longer string of text"};
    char fmt[32];

    (void)state;
    for (size_t f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++) {
        if (strpbrk(flag_sets[f], "+ #0")) {
            continue; /* undefined for %s and %c */
        }
        for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
            for (size_t p = 0; p < sizeof(precisions) / sizeof(precisions[0]); p++) {
                snprintf(fmt, sizeof(fmt), "<%%%s%s%ss>", flag_sets[f], widths[w], precisions[p]);
                for (size_t s = 0; s < sizeof(strs) / sizeof(strs[0]); s++) {
                    check(fmt, strs[s]);
                }
                snprintf(fmt, sizeof(fmt), "<%%%s%sc>", flag_sets[f], widths[w]);
                check(fmt, 'x');
            }
        }
    }
}

static void test_edge_cases(void **state)
{
    (void)state;
    check("%d %i", INT_MIN, INT_MAX);
    check("%ld %lld", LONG_MIN, LLONG_MIN);
    check("%u %lu %llu", UINT_MAX, ULONG_MAX, ULLONG_MAX);
    check("[%.0d] [%.0x] [%.0o] [%#.0o] [%#.0x] [%5.0d]", 0, 0, 0, 0, 0, 0);
    check("[%#x] [%#X] [%#o] [%#o]", 0, 0, 0, 8);
    check("[%#x] [%#X] [%#10x] [%#-10x] [%#010x]", 255, 255, 255, 255, 255);
    check("[%+d] [% d] [%+ d] [%+5d] [%-+5d] [%0+5d]", 0, 0, 5, -5, 5, 5);
    check("[%05d] [%-05d] [%05.3d] [%5.3d]", -42, -42, -42, -42);
    check("[%*d] [%-*d] [%*d] [%.*d] [%.*d]", 6, 1, 6, 1, -6, 1, 4, 1, -4, 1);
    check("[%*.*s]", 8, 3, "abcdef");
    check("[%hhd] [%hhu] [%hhx] [%hd] [%hu] [%hx]", 300, -1, 511, 70000, -1, 0x12345);
    check("[%zu] [%zd] [%zx]", (size_t)SIZE_MAX, (ptrdiff_t)-1, (size_t)4096);
    check("[%td] [%tx]", (ptrdiff_t)PTRDIFF_MIN, (ptrdiff_t)PTRDIFF_MAX);
    check("[%jd] [%ju] [%jx]", INTMAX_MIN, UINTMAX_MAX, (uintmax_t)0xdeadbeef);
    check("[%p] [%p] [%20p] [%-20p]", (void *)0x1234, (void *)NULL, (void *)0xffffffffffffULL,
          (void *)0x10);
    check("[%s] [%10s] [%.3s]", (const char *)NULL, (const char *)NULL, "abcdef");
    check("100%% [%c] [%-3c] [%3c]", 'a', 'b', 'c');
    check("%s", "");
    check("no conversion at all");
    check("%5d|%-5d|%05d|%5s|%-5s", 1, 2, 3, "x", "y");
}

static void test_huge_width_truncated(void **state)
{
    char got[16];
    char want[16];
    volatile size_t size = sizeof(want); /* hides the cut from gcc's truncation warning */

    (void)state;
    /* The full length is returned though only size - 1 characters fit. */
    assert_int_equal(kite_libc_snprintf(got, size, "%300d", 7), snprintf(want, size, "%300d", 7));
    assert_string_equal(got, want);
    assert_int_equal(kite_libc_snprintf(got, sizeof(got), "%-300s|", "x"), 301);
    assert_int_equal(kite_libc_snprintf(NULL, 0, "%.400d", 1), 400);
    assert_int_equal(kite_libc_snprintf(got, 1, "abc"), 3);
    assert_string_equal(got, "");
}

static void test_sprintf(void **state)
{
    char got[64];

    (void)state;
    assert_int_equal(kite_libc_sprintf(got, "%s-%04d-%x", "id", 42, 0xbeefU), 12);
    assert_string_equal(got, "id-0042-beef");
}

static int report(void **state)
{
    (void)state;
    print_message("compared %d formatter outputs with glibc\n", compared);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep_integers), cmocka_unit_test(test_sweep_strings),
        cmocka_unit_test(test_edge_cases),     cmocka_unit_test(test_huge_width_truncated),
        cmocka_unit_test(test_sprintf),
    };

    return cmocka_run_group_tests(tests, NULL, report);
}
