/* SPDX-License-Identifier: MIT */
/*
 * Host unit test of kernel/date.c against glibc: every day from 1600 to
 * 2400 both ways (timegm and gmtime_r), times of day, dates before 1970,
 * and which dates are valid.
 */
#define _GNU_SOURCE /* timegm */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include <kite/walltime.h>

static void test_days_both_ways(void **state)
{
    (void)state;
    for (int year = 1600; year <= 2400; year++) {
        for (unsigned int month = 1; month <= 12; month++) {
            for (unsigned int day = 1; day <= 31; day++) {
                struct tm tm = {.tm_year = year - 1900,
                                .tm_mon = (int)month - 1,
                                .tm_mday = (int)day,
                                .tm_hour = 13,
                                .tm_min = 5,
                                .tm_sec = 7};
                struct kite_date d = {year, month, day, 13, 5, 7}, back;
                time_t t;

                if (!kite_date_valid(&d)) {
                    continue;
                }
                t = timegm(&tm);
                /* timegm normalises; a valid date stays the day asked. */
                assert_int_equal(tm.tm_mday, (int)day);
                assert_int_equal(kite_date_to_days(year, month, day) * 86400 + 13 * 3600 + 5 * 60 +
                                     7,
                                 (int64_t)t);
                kite_date_from_secs((int64_t)t, &back);
                assert_int_equal(back.year, year);
                assert_int_equal(back.month, month);
                assert_int_equal(back.day, day);
                assert_int_equal(back.hour, 13);
                assert_int_equal(back.min, 5);
                assert_int_equal(back.sec, 7);
            }
        }
    }
}

static void test_times_of_day(void **state)
{
    static const int64_t secs[] = {0,         1,         59,         60,         3599,
                                   86399,     86400,     -1,         -86400,     -86401,
                                   951782399, 951782400, 1000000000, 1798761600, 4102444799};

    (void)state;
    for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
        time_t t = (time_t)secs[i];
        struct tm tm;
        struct kite_date d;

        assert_non_null(gmtime_r(&t, &tm));
        kite_date_from_secs(secs[i], &d);
        assert_int_equal(d.year, tm.tm_year + 1900);
        assert_int_equal(d.month, tm.tm_mon + 1);
        assert_int_equal(d.day, tm.tm_mday);
        assert_int_equal(d.hour, tm.tm_hour);
        assert_int_equal(d.min, tm.tm_min);
        assert_int_equal(d.sec, tm.tm_sec);
        assert_true(kite_date_valid(&d));
    }
}

static void test_valid(void **state)
{
    const struct kite_date good[] = {{2000, 2, 29, 0, 0, 0},
                                     {2024, 2, 29, 23, 59, 59},
                                     {1970, 1, 1, 0, 0, 0},
                                     {2099, 12, 31, 12, 0, 0}};
    const struct kite_date bad[] = {
        {1900, 2, 29, 0, 0, 0}, {2023, 2, 29, 0, 0, 0}, {2024, 4, 31, 0, 0, 0},
        {2024, 13, 1, 0, 0, 0}, {2024, 0, 1, 0, 0, 0},  {2024, 1, 0, 0, 0, 0},
        {2024, 1, 1, 24, 0, 0}, {2024, 1, 1, 0, 60, 0}, {2024, 1, 1, 0, 0, 60}};

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_true(kite_date_valid(&good[i]));
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(kite_date_valid(&bad[i]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days_both_ways),
        cmocka_unit_test(test_times_of_day),
        cmocka_unit_test(test_valid),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
