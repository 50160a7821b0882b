/* SPDX-License-Identifier: MIT */
/*
 * The kernel's own string functions (kernel/string.c): gcc also emits calls
 * to memcpy and memset for struct copies, so these must be right.
 */
#include <kite/string.h>
#include <kite/test.h>

KITE_TEST(string, mem_functions)
{
    char a[16] = "abcdefghijklmno", b[16];

    memset(b, 'x', sizeof(b));
    KITE_EXPECT_EQ(b[15], 'x');
    memcpy(b, a, sizeof(a));
    KITE_EXPECT_EQ(memcmp(a, b, sizeof(a)), 0);
    memmove(a + 2, a, 8); /* overlapping, forwards */
    KITE_EXPECT_EQ(memcmp(a, "ababcdefghklmno", 15), 0);
    memmove(a, a + 2, 8); /* overlapping, backwards */
    KITE_EXPECT_EQ(memcmp(a, "abcdefghghklmno", 15), 0);
    KITE_EXPECT(memcmp(b, "abd", 3) < 0);
}

KITE_TEST(string, str_functions)
{
    char buf[8];
    /* In variables, so that the calls are not folded away at compile time. */
    const char *volatile a = "a", *volatile dotted = "kite.test";

    KITE_EXPECT_EQ(strlen("kite"), 4);
    KITE_EXPECT_EQ(strnlen("kite", 2), 2);
    KITE_EXPECT(strcmp(a, "b") < 0);
    KITE_EXPECT_EQ(strncmp(dotted, "kite.help", 5), 0);
    KITE_EXPECT_STREQ(strchr("a.b.c", '.'), ".b.c");
    KITE_EXPECT_STREQ(strrchr("a.b.c", '.'), ".c");
    KITE_EXPECT_STREQ(strstr("kite.test=all", "test"), "test=all");
    KITE_EXPECT(strstr("kite", "tea") == NULL);
    KITE_EXPECT_STREQ(strstr("kite", ""), "kite");
    KITE_EXPECT_EQ(strlcpy(buf, "aerokernel", sizeof(buf)), 10);
    KITE_EXPECT_STREQ(buf, "aeroker");
}
