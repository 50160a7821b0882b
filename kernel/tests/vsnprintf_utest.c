/* SPDX-License-Identifier: MIT */
/*
 * Host unit test of kite_vsnprintf (kernel/vsnprintf.c): glibc's snprintf is
 * the reference. A sweep builds formats from every combination of flags,
 * widths, precisions, lengths and conversions and compares output and return
 * value; truncation is checked at every buffer size; the cases where Kite
 * chose its own behaviour (unknown conversions, %n, huge widths) are checked
 * against fixed expectations.
 */
#include <kite/printk.h>

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define OUT_MAX 512

/* Compare Kite with glibc for one format; print both on a mismatch. */
static void KITE_PRINTF(1, 0) vcheck(const char *fmt, va_list ap)
{
    char want[OUT_MAX];
    char got[OUT_MAX];
    va_list ap2;
    int want_n;
    int got_n;

    va_copy(ap2, ap);
    want_n = vsnprintf(want, sizeof(want), fmt, ap);
    got_n = kite_vsnprintf(got, sizeof(got), fmt, ap2);
    va_end(ap2);
    if (want_n != got_n || strcmp(want, got) != 0) {
        print_error("format \"%s\": glibc \"%s\" (%d), kite \"%s\" (%d)\n", fmt, want, want_n, got,
                    got_n);
        fail();
    }
}

static void KITE_PRINTF(1, 2) check(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vcheck(fmt, ap);
    va_end(ap);
}

/* Compare Kite with an expected string, for behaviour glibc does not define for us. */
static void KITE_PRINTF(2, 3) expect(const char *want, const char *fmt, ...)
{
    char got[OUT_MAX];
    va_list ap;
    int got_n;

    va_start(ap, fmt);
    got_n = kite_vsnprintf(got, sizeof(got), fmt, ap);
    va_end(ap);
    if (got_n != (int)strlen(want) || strcmp(want, got) != 0) {
        print_error("format \"%s\": want \"%s\" (%zu), kite \"%s\" (%d)\n", fmt, want, strlen(want),
                    got, got_n);
        fail();
    }
}

static void test_literals(void **state)
{
    (void)state;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-zero-length"
    check("");
#pragma GCC diagnostic pop
    check("plain text");
    check("100%% sure");
    check("%%%%");
    check("a%cb", 'x');
    check("%s and %s", "this", "that");
    check("%d %i %u %x %X %o", -12, 34, 56u, 0xbeefu, 0xbeefu, 8u);
    check("[%5d|%-5d|%05d|%+d|% d]", 42, 42, 42, 42, 42);
    check("[%#x|%#X|%#o|%#.3o|%#o]", 255u, 255u, 8u, 8u, 0u);
    check("[%.0d|%.0x|%#.0x|%#.0o|%5.0d]", 0, 0u, 0u, 0u, 0);
    /* Arguments wider than the length says: the conversion must narrow them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
    check("[%hhd|%hhu|%hd|%hu]", 300, 300u, 70000, 70000u);
#pragma GCC diagnostic pop
    check("[%ld|%lu|%lld|%llu]", LONG_MIN, ULONG_MAX, LLONG_MIN, ULLONG_MAX);
    check("[%zu|%zd|%td|%jd|%ju]", (size_t)-1, (ptrdiff_t)-3, (ptrdiff_t)PTRDIFF_MIN, INTMAX_MIN,
          UINTMAX_MAX);
    check("[%jx|%llo|%lX]", UINTMAX_MAX, ULLONG_MAX, ULONG_MAX);
    check("[%10.4s|%-10.2s|%.0s|%s]", "abcdefgh", "abcdefgh", "abc", "");
    check("[%c|%5c|%-5c|%c]", 'a', 'b', 'c', 0x141);
    check("[%p|%p|%20p|%-20p|%p]", (void *)0x1000, (void *)&test_literals, (void *)1, (void *)1,
          (void *)UINTPTR_MAX);
    /* glibc prints all of "(nil)" whatever the precision; so must Kite. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
    check("[%p|%10p|%-10p|%.2p]", (void *)NULL, (void *)NULL, (void *)NULL, (void *)NULL);
#pragma GCC diagnostic pop
}

static void test_star(void **state)
{
    static const int values[] = {INT_MIN, -30, -6, -1, 0, 1, 3, 6, 30};

    (void)state;
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        for (size_t j = 0; j < sizeof(values) / sizeof(values[0]); j++) {
            int w = values[i];
            int p = values[j];

            /* glibc cannot print an INT_MIN width; only precisions go that far. */
            if (w == INT_MIN) {
                continue;
            }
            check("[%*d]", w, -1234);
            check("[%*.*d]", w, p, 1234);
            check("[%-*.*x]", w, p, 0xabcu);
            /* '0' is ignored when a precision is given, unless that is negative. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
            check("[%0*.*u]", w, p, 5u);
#pragma GCC diagnostic pop
            check("[%.*d]", p, 0);
            check("[%*.*s]", w, p, "hello, world");
            check("[%*c]", w, 'z');
        }
    }
}

/* The arguments glibc and C would pass for @len with a signed or unsigned conversion. */
static void check_int(const char *fmt, const char *len, bool is_signed, unsigned long long v)
{
    if (strcmp(len, "hh") == 0 || strcmp(len, "h") == 0 || len[0] == '\0') {
        if (is_signed) {
            check(fmt, (int)v);
        } else {
            check(fmt, (unsigned int)v);
        }
    } else if (strcmp(len, "l") == 0) {
        if (is_signed) {
            check(fmt, (long)v);
        } else {
            check(fmt, (unsigned long)v);
        }
    } else if (strcmp(len, "ll") == 0) {
        if (is_signed) {
            check(fmt, (long long)v);
        } else {
            check(fmt, v);
        }
    } else if (strcmp(len, "z") == 0 || strcmp(len, "t") == 0) {
        if (is_signed) {
            check(fmt, (ptrdiff_t)v);
        } else {
            check(fmt, (size_t)v);
        }
    } else if (strcmp(len, "j") == 0) {
        if (is_signed) {
            check(fmt, (intmax_t)v);
        } else {
            check(fmt, (uintmax_t)v);
        }
    } else {
        fail_msg("no length %s", len);
    }
}

static const char *const widths[] = {"", "1", "6", "24"};
static const char *const precisions[] = {"", ".", ".0", ".1", ".4", ".30"};

/* Every subset of @flags, as a string, for the sweep. */
static void flag_subset(const char *flags, unsigned int mask, char *out)
{
    for (size_t i = 0; flags[i] != '\0'; i++) {
        if (mask & (1u << i)) {
            *out++ = flags[i];
        }
    }
    *out = '\0';
}

static void test_integer_sweep(void **state)
{
    static const char *const lengths[] = {"hh", "h", "", "l", "ll", "z", "t", "j"};
    static const char convs[] = "diuoxX";
    static const unsigned long long values[] = {
        0,
        1,
        (unsigned long long)-1,
        7,
        8,
        42,
        (unsigned long long)-42,
        127,
        (unsigned long long)-128,
        255,
        256,
        32767,
        (unsigned long long)-32768,
        65535,
        65536,
        INT_MAX,
        (unsigned long long)INT_MIN,
        UINT_MAX,
        LLONG_MAX,
        (unsigned long long)LLONG_MIN,
        ULLONG_MAX,
        0x123456789abcdefull,
    };
    const char *flags = "-+ #0";

    (void)state;
    for (unsigned int mask = 0; mask < 32; mask++) {
        char fl[8];

        flag_subset(flags, mask, fl);
        for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
            for (size_t p = 0; p < sizeof(precisions) / sizeof(precisions[0]); p++) {
                for (size_t l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++) {
                    for (size_t c = 0; convs[c] != '\0'; c++) {
                        bool is_signed = convs[c] == 'd' || convs[c] == 'i';
                        char fmt[32];

                        /* '#' with a decimal conversion is undefined in C. */
                        if (strchr(fl, '#') && (is_signed || convs[c] == 'u')) {
                            continue;
                        }
                        snprintf(fmt, sizeof(fmt), "[%%%s%s%s%s%c]", fl, widths[w], precisions[p],
                                 lengths[l], convs[c]);
                        for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
                            check_int(fmt, lengths[l], is_signed, values[v]);
                        }
                    }
                }
            }
        }
    }
}

static void test_string_char_pointer_sweep(void **state)
{
    static const char *const strings[] = {NULL, "", "a", "hello", "a longer string of text"};
    static void *const pointers[] = {NULL, (void *)1, (void *)0x1234, (void *)UINTPTR_MAX};
    static const int chars[] = {'a', ' ', '%', 0xff, 0};

    (void)state;
    for (unsigned int mask = 0; mask < 32; mask++) {
        char fl[8];

        flag_subset("-+ #0", mask, fl);
        for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
            for (size_t p = 0; p < sizeof(precisions) / sizeof(precisions[0]); p++) {
                char fmt[32];

                /* Flags other than '-' mean nothing to %s, %c and %p in C; glibc is the judge. */
                snprintf(fmt, sizeof(fmt), "[%%%s%s%ss]", fl, widths[w], precisions[p]);
                for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
                    check(fmt, strings[i]);
                }
                snprintf(fmt, sizeof(fmt), "[%%%s%s%sp]", fl, widths[w], precisions[p]);
                for (size_t i = 0; i < sizeof(pointers) / sizeof(pointers[0]); i++) {
                    check(fmt, pointers[i]);
                }
                if (precisions[p][0] == '\0') {
                    snprintf(fmt, sizeof(fmt), "[%%%s%sc]", fl, widths[w]);
                    for (size_t i = 0; i < sizeof(chars) / sizeof(chars[0]); i++) {
                        check(fmt, chars[i]);
                    }
                }
            }
        }
    }
}

/* Kite at every buffer size against glibc; bytes past the size must stay untouched. */
static void KITE_PRINTF(1, 2) check_truncation(const char *fmt, ...)
{
    char full[OUT_MAX];
    va_list ap;
    int full_n;

    va_start(ap, fmt);
    full_n = vsnprintf(full, sizeof(full), fmt, ap);
    va_end(ap);
    assert_true(full_n >= 0 && full_n + 2 < OUT_MAX);

    for (size_t size = 0; size <= (size_t)full_n + 2; size++) {
        char want[OUT_MAX];
        char got[OUT_MAX];
        int want_n;
        int got_n;

        memset(want, 0x5a, sizeof(want));
        memset(got, 0x5a, sizeof(got));
        va_start(ap, fmt);
        want_n = vsnprintf(size ? want : NULL, size, fmt, ap);
        va_end(ap);
        va_start(ap, fmt);
        got_n = kite_vsnprintf(size ? got : NULL, size, fmt, ap);
        va_end(ap);
        assert_int_equal(got_n, want_n);
        assert_int_equal(got_n, full_n);
        assert_memory_equal(got, want, sizeof(got));
        if (size > 0) {
            assert_int_equal(got[size - 1 < (size_t)full_n ? size - 1 : (size_t)full_n], '\0');
        }
    }
}

static void test_truncation(void **state)
{
    (void)state;
    check_truncation("hello");
    check_truncation("%d", -123456);
    /* '0' with a precision: the precision wins. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
    check_truncation("[%-8s|%08.3x|%#o]", "ab", 0x1fu, 8u);
#pragma GCC diagnostic pop
    check_truncation("%p %s %c%%", (void *)0xdeadbeef, "str", 'q');
    check_truncation("%20d", 1);
    check_truncation("%-20s!", "x");
}

static void test_null_and_size_zero(void **state)
{
    char buf[8] = "xxxxxxx";

    (void)state;
    /* Nothing is written at size 0, not even the NUL. */
    assert_int_equal(kite_snprintf(buf, 0, "abc"), 3);
    assert_string_equal(buf, "xxxxxxx");
    assert_int_equal(kite_snprintf(NULL, 0, "%d-%s", 12345, "ab"), 8);
    assert_int_equal(kite_snprintf(buf, 1, "abc"), 3);
    assert_string_equal(buf, "");
    expect("(nil)", "%p", (void *)NULL);
    {
        const char *volatile null_str = NULL;

        expect("(null)", "%s", null_str);
        expect("  (null)", "%8s", null_str);
        expect("", "%.3s", null_str);
    }
}

static void test_unknown_conversions(void **state)
{
    int n = 0;

    (void)state;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
    expect("%q", "%q");
    expect("a %y b", "a %y b");
    expect("%-5.2y", "%-5.2y");
    /* No floating point: printed as written, and no argument is taken. */
    expect("%f 7", "%f %d", 7);
    expect("%5.2e|%g|%Lf", "%5.2e|%g|%Lf");
    /* No wide characters either. */
    expect("%lc %ls 3", "%lc %ls %d", 3);
    /* %n would let a format write memory; Kite writes nothing. */
    expect("ab%n", "ab%n", &n);
    assert_int_equal(n, 0);
    /* A format that ends inside a conversion shows what there was. */
    expect("abc%", "abc%");
    expect("abc%-0", "abc%-0");
    expect("x%5.3l", "x%5.3l");
#pragma GCC diagnostic pop
}

static void test_huge_width(void **state)
{
    const char *volatile fmt;
    char buf[16];

    (void)state;
    /* Padding past the buffer is only counted, so this is fast and exact. */
    assert_int_equal(kite_snprintf(buf, sizeof(buf), "%*d", 1 << 30, 5), 1 << 30);
    assert_string_equal(buf, "               ");
    assert_int_equal(kite_snprintf(buf, sizeof(buf), "%.*u", 1 << 30, 5u), 1 << 30);
    assert_string_equal(buf, "000000000000000");
    /*
     * More than an int can count: the result saturates at INT_MAX. The formats
     * are hidden from gcc, which would rightly reject them at compile time.
     */
    fmt = "%2147483647d%d";
    assert_int_equal(kite_snprintf(buf, sizeof(buf), fmt, 1, 2), INT_MAX);
    fmt = "%99999999999999999999d";
    assert_int_equal(kite_snprintf(buf, sizeof(buf), fmt, 1), INT_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_star),
        cmocka_unit_test(test_integer_sweep),
        cmocka_unit_test(test_string_char_pointer_sweep),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_null_and_size_zero),
        cmocka_unit_test(test_unknown_conversions),
        cmocka_unit_test(test_huge_width),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
