/* SPDX-License-Identifier: MIT */
/*
 * In-kernel tests of kite_vsnprintf (suite printk_format): the same formatter
 * the host tests compare with glibc, here checked as the kernel build compiles
 * it (freestanding, no SSE) on the cases printk leans on.
 */
#include <kite/printk.h>
#include <kite/test.h>
#include <kite/types.h>

KITE_TEST(printk_format, integers)
{
    char buf[64];

    KITE_EXPECT_EQ(kite_snprintf(buf, sizeof(buf), "%d %i %u", -42, 7, 4000000000u), 16);
    KITE_EXPECT_STREQ(buf, "-42 7 4000000000");
    kite_snprintf(buf, sizeof(buf), "[%5d|%-5d|%05d|%+d|% d]", 42, 42, -42, 42, 42);
    KITE_EXPECT_STREQ(buf, "[   42|42   |-0042|+42| 42]");
    kite_snprintf(buf, sizeof(buf), "%#x %#X %#o %x", 0xbeefu, 0xbeefu, 8u, 0u);
    KITE_EXPECT_STREQ(buf, "0xbeef 0XBEEF 010 0");
    kite_snprintf(buf, sizeof(buf), "%.0d|%.3d|%8.3x", 0, 7, 0x1fu);
    KITE_EXPECT_STREQ(buf, "|007|     01f");
}

KITE_TEST(printk_format, lengths)
{
    char buf[96];

    /* Arguments wider than the length says: the conversion must narrow them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
    kite_snprintf(buf, sizeof(buf), "%hhd %hhu %hd", 300, 511u, 70000);
#pragma GCC diagnostic pop
    KITE_EXPECT_STREQ(buf, "44 255 4464");
    kite_snprintf(buf, sizeof(buf), "%lld %llx", (long long)INT64_MIN,
                  (unsigned long long)UINT64_MAX);
    KITE_EXPECT_STREQ(buf, "-9223372036854775808 ffffffffffffffff");
    kite_snprintf(buf, sizeof(buf), "%zu %td %jd %lu", (size_t)12, (ptrdiff_t)-3, (intmax_t)5,
                  0x100000000ul);
    KITE_EXPECT_STREQ(buf, "12 -3 5 4294967296");
}

KITE_TEST(printk_format, strings_chars_pointers)
{
    const char *volatile null_str = NULL;
    char buf[64];

    kite_snprintf(buf, sizeof(buf), "[%s|%6s|%-6s|%.2s|%c]", "ab", "ab", "ab", "abc", 'z');
    KITE_EXPECT_STREQ(buf, "[ab|    ab|ab    |ab|z]");
    kite_snprintf(buf, sizeof(buf), "%s", null_str);
    KITE_EXPECT_STREQ(buf, "(null)");
    kite_snprintf(buf, sizeof(buf), "%p %p", (void *)0xffffffff80001000ul, (void *)NULL);
    KITE_EXPECT_STREQ(buf, "0xffffffff80001000 (nil)");
    kite_snprintf(buf, sizeof(buf), "%*d|%-*d|%.*s", 4, 1, -4, 2, 3, "abcdef");
    KITE_EXPECT_STREQ(buf, "   1|2   |abc");
}

KITE_TEST(printk_format, truncation)
{
    char buf[8];

    /* The full length is returned, and the output is always terminated. */
    KITE_EXPECT_EQ(kite_snprintf(buf, sizeof(buf), "%s-%d", "kernel", 12345), 12);
    KITE_EXPECT_STREQ(buf, "kernel-");
    KITE_EXPECT_EQ(kite_snprintf(buf, 1, "abc"), 3);
    KITE_EXPECT_STREQ(buf, "");
    KITE_EXPECT_EQ(kite_snprintf(NULL, 0, "%08x", 1u), 8);
}

KITE_TEST(printk_format, unknown)
{
    char buf[32];

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
    /* No floating point in the kernel: %f is shown as written and takes no argument. */
    kite_snprintf(buf, sizeof(buf), "%q %f %d %%", 3);
#pragma GCC diagnostic pop
    KITE_EXPECT_STREQ(buf, "%q %f 3 %");
}
