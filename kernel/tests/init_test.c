/* SPDX-License-Identifier: MIT */
/*
 * Init levels: a KITE_INIT hook runs once, at its level, before the tests.
 */
#include <kite/init.h>
#include <kite/test.h>

static int late_runs;

static int init_test_late_hook(void)
{
    late_runs++;
    return 0;
}
KITE_INIT(init_test_late_hook, KITE_INIT_LATE);

KITE_TEST(init, late_hook_ran_once)
{
    KITE_EXPECT_EQ(late_runs, 1);
}
