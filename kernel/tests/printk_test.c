/* SPDX-License-Identifier: MIT */
/*
 * printk: the console line format (time, CPU, level tag) and that every
 * message lands in the ring with its level, whatever the console threshold.
 */
#include <kite/kmsg.h>
#include <kite/printk.h>
#include <kite/string.h>
#include <kite/test.h>

KITE_TEST(printk, line_format)
{
    char buf[96];
    size_t n = kite_log_format_line(buf, sizeof(buf), 1000002000ull, 3, KITE_LOG_INFO, "hello");

    KITE_EXPECT_STREQ(buf, "[    1.000002 cpu3] hello\n");
    KITE_EXPECT_EQ(n, strlen(buf));
}

KITE_TEST(printk, level_tags)
{
    char buf[96];

    kite_log_format_line(buf, sizeof(buf), 0, 0, KITE_LOG_WARNING, "w");
    KITE_EXPECT_STREQ(buf, "[    0.000000 cpu0] warning: w\n");
    kite_log_format_line(buf, sizeof(buf), 0, 0, KITE_LOG_ERR, "e");
    KITE_EXPECT_STREQ(buf, "[    0.000000 cpu0] error: e\n");
}

KITE_TEST(printk, long_line_is_cut_but_ends_in_newline)
{
    char buf[24];
    size_t n = kite_log_format_line(buf, sizeof(buf), 0, 0, KITE_LOG_INFO, "0123456789abcdef");

    KITE_EXPECT_EQ(n, sizeof(buf) - 1);
    KITE_EXPECT_EQ(buf[n - 1], '\n');
    KITE_EXPECT_EQ(buf[n], '\0');
}

KITE_TEST(printk, debug_messages_reach_the_ring)
{
    struct kite_kmsg_record rec;
    char text[64];
    uint64_t seq = kite_kmsg.next_seq;
    bool found = false;

    kite_printk(KITE_LOG_DEBUG, "printk-test %d\n", 42);
    while (kite_kmsg_read(&kite_kmsg, &seq, &rec, text, sizeof(text))) {
        if (strcmp(text, "printk-test 42") == 0) {
            found = true;
            KITE_EXPECT_EQ(rec.level, KITE_LOG_DEBUG);
        }
    }
    KITE_EXPECT(found);
}
