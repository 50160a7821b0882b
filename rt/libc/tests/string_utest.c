/* SPDX-License-Identifier: MIT */
/*
 * Host unit test of ctype.h and the libc's string.h additions
 * (rt/libc/ctype.c, rt/libc/string.c) against glibc in the C locale: every
 * class and case mapping for EOF and all 256 byte values, and the string
 * functions on tables of inputs, including empty strings and sets.
 */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "../libc_priv.h"

static void test_ctype(void **state)
{
    (void)state;
    for (int c = -1; c < 256; c++) {
        /* glibc returns a bit mask; compare truth values. */
        assert_int_equal(!!kite_libc_isalnum(c), !!isalnum(c));
        assert_int_equal(!!kite_libc_isalpha(c), !!isalpha(c));
        assert_int_equal(!!kite_libc_isblank(c), !!isblank(c));
        assert_int_equal(!!kite_libc_iscntrl(c), !!iscntrl(c));
        assert_int_equal(!!kite_libc_isdigit(c), !!isdigit(c));
        assert_int_equal(!!kite_libc_isgraph(c), !!isgraph(c));
        assert_int_equal(!!kite_libc_islower(c), !!islower(c));
        assert_int_equal(!!kite_libc_isprint(c), !!isprint(c));
        assert_int_equal(!!kite_libc_ispunct(c), !!ispunct(c));
        assert_int_equal(!!kite_libc_isspace(c), !!isspace(c));
        assert_int_equal(!!kite_libc_isupper(c), !!isupper(c));
        assert_int_equal(!!kite_libc_isxdigit(c), !!isxdigit(c));
        assert_int_equal(!!kite_libc_isascii(c), !!isascii(c));
        assert_int_equal(kite_libc_tolower(c), tolower(c));
        assert_int_equal(kite_libc_toupper(c), toupper(c));
    }
}

static const char *const strs[] = {"", "a", "abc", "hello, world", "  \tx y;z", "aaaa", "xyz"};
static const char *const sets[] = {"", "a", "abc", " \t", ",;", "xyz", "lo"};

static void test_spans(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        for (size_t j = 0; j < sizeof(sets) / sizeof(sets[0]); j++) {
            assert_int_equal(kite_libc_strspn(strs[i], sets[j]), strspn(strs[i], sets[j]));
            assert_int_equal(kite_libc_strcspn(strs[i], sets[j]), strcspn(strs[i], sets[j]));
            assert_ptr_equal(kite_libc_strpbrk(strs[i], sets[j]), strpbrk(strs[i], sets[j]));
        }
        for (int c = 0; c < 256; c += 7) {
            size_t n = strlen(strs[i]) + 1;

            assert_ptr_equal(kite_libc_memchr(strs[i], c, n), memchr(strs[i], c, n));
            assert_ptr_equal(kite_libc_memchr(strs[i], c, n / 2), memchr(strs[i], c, n / 2));
        }
    }
}

static void test_copies(void **state)
{
    char want[32], got[32];

    (void)state;
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        for (size_t n = 0; n < 16; n++) {
            memset(want, 'W', sizeof(want));
            memset(got, 'W', sizeof(got));
            strncpy(want, strs[i], n);
            kite_libc_strncpy(got, strs[i], n);
            assert_memory_equal(want, got, sizeof(want));

            memset(want, 'W', sizeof(want));
            memset(got, 'W', sizeof(got));
            strcpy(want, "pre-");
            kite_libc_strcpy(got, "pre-");
            strncat(want, strs[i], n);
            kite_libc_strncat(got, strs[i], n);
            assert_memory_equal(want, got, sizeof(want));
        }
        memset(want, 'W', sizeof(want));
        memset(got, 'W', sizeof(got));
        strcpy(want, "pre-");
        strcpy(got, "pre-");
        strcat(want, strs[i]);
        assert_ptr_equal(kite_libc_strcat(got, strs[i]), got);
        assert_memory_equal(want, got, sizeof(want));
    }
}

static void test_strtok_r(void **state)
{
    static const char *const inputs[] = {"", ",,,", "a", ",a,,b c,", "one two  three", " x"};

    (void)state;
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        char want[32], got[32];
        char *want_save = NULL, *got_save = NULL;
        char *w, *g;

        strcpy(want, inputs[i]);
        strcpy(got, inputs[i]);
        w = strtok_r(want, ", ", &want_save);
        g = kite_libc_strtok_r(got, ", ", &got_save);
        for (;;) {
            assert_int_equal(w == NULL, g == NULL);
            if (!w) {
                break;
            }
            assert_int_equal(w - want, g - got);
            assert_string_equal(w, g);
            w = strtok_r(NULL, ", ", &want_save);
            g = kite_libc_strtok_r(NULL, ", ", &got_save);
        }
        /* Once done, it stays done. */
        assert_null(kite_libc_strtok_r(NULL, ", ", &got_save));
    }
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

/* strcasecmp, strncasecmp, stpcpy and memmem against glibc on every pair of inputs. */
static void test_case_and_search(void **state)
{
    static const char *const more[] = {"",       "a",  "A", "abc", "ABD",  "abC",     "Hello",
                                       "hELLO!", "zz", "[", "_",   "\x80", "\xc3\xa9"};
    char want[32], got[32];

    (void)state;
    for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
        for (size_t j = 0; j < sizeof(more) / sizeof(more[0]); j++) {
            size_t hay = strlen(more[i]), needle = strlen(more[j]);

            assert_int_equal(sign(kite_libc_strcasecmp(more[i], more[j])),
                             sign(strcasecmp(more[i], more[j])));
            for (size_t n = 0; n < 8; n++) {
                assert_int_equal(sign(kite_libc_strncasecmp(more[i], more[j], n)),
                                 sign(strncasecmp(more[i], more[j], n)));
            }
            assert_ptr_equal(kite_libc_memmem(more[i], hay, more[j], needle),
                             memmem(more[i], hay, more[j], needle));
            assert_ptr_equal(kite_libc_memmem(more[i], hay / 2, more[j], needle / 2),
                             memmem(more[i], hay / 2, more[j], needle / 2));
        }
        memset(want, 'W', sizeof(want));
        memset(got, 'W', sizeof(got));
        assert_int_equal(stpcpy(want, more[i]) - want, kite_libc_stpcpy(got, more[i]) - got);
        assert_memory_equal(want, got, sizeof(want));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ctype),           cmocka_unit_test(test_spans),
        cmocka_unit_test(test_copies),          cmocka_unit_test(test_strtok_r),
        cmocka_unit_test(test_case_and_search),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
