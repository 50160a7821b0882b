/* SPDX-License-Identifier: MIT */
/*
 * In-kernel tests for the command-line parser (suite "cmdline"). The options
 * below go through the same macro as KITE_PARAM but stay out of the boot's
 * option list; each test copies their descriptors into a local array and
 * parses against that, so the boot's own options are left alone.
 */
#include <kite/cmdline.h>
#include <kite/string.h>
#include <kite/test.h>

KITE_PARAM_UNLISTED(cmdline_test_level, int, 6,
                    "test only: an integer option for the cmdline tests");
KITE_PARAM_UNLISTED(cmdline_test_verbose, bool, false,
                    "test only: a boolean option for the cmdline tests");
KITE_PARAM_UNLISTED(cmdline_test_name, string, "none",
                    "test only: a string option for the cmdline tests");

struct collected {
    int count;
    char last[256];
};

static void collect(void *ctx, const char *msg)
{
    struct collected *c = ctx;

    c->count++;
    strlcpy(c->last, msg, sizeof(c->last));
}

struct run {
    struct kite_param opts[3];
    struct collected warned;
    char *argv[4];
    int argc;
    int ret;
};

/* Parse @line against copies of the test options, reset to their defaults first. */
static void run_parse(struct run *r, char *line)
{
    param_cmdline_test_level = 6;
    param_cmdline_test_verbose = false;
    param_cmdline_test_name = "none";
    memset(r, 0, sizeof(*r));
    r->opts[0] = __kite_param_cmdline_test_level;
    r->opts[1] = __kite_param_cmdline_test_verbose;
    r->opts[2] = __kite_param_cmdline_test_name;
    r->opts[0].set = r->opts[1].set = r->opts[2].set = false;
    r->ret =
        kite_cmdline_parse(line, r->opts, r->opts + 3, collect, &r->warned, &r->argc, r->argv, 3);
}

KITE_TEST(cmdline, declared_options)
{
    KITE_EXPECT_STREQ(__kite_param_cmdline_test_level.name, "kite.cmdline_test_level");
    KITE_EXPECT_STREQ(__kite_param_cmdline_test_level.def, "6");
    KITE_EXPECT_EQ(__kite_param_cmdline_test_verbose.type, KITE_PARAM_T_bool);
    KITE_EXPECT(strstr(kite_param_form(&__kite_param_cmdline_test_level), "integer") != NULL);
}

KITE_TEST(cmdline, int_bool_string)
{
    char line[] = "kite.cmdline_test_level=0x10 kite.cmdline_test_verbose "
                  "kite.cmdline_test_name=\"two words\"";
    struct run r;

    run_parse(&r, line);
    KITE_EXPECT_EQ(r.ret, 0);
    KITE_EXPECT_EQ(param_cmdline_test_level, 16);
    KITE_EXPECT(param_cmdline_test_verbose);
    KITE_EXPECT_STREQ(param_cmdline_test_name, "two words");
    KITE_EXPECT(r.opts[0].set && r.opts[1].set && r.opts[2].set);
    KITE_EXPECT_EQ(r.argc, 0);
    KITE_EXPECT(r.argv[0] == NULL);
}

KITE_TEST(cmdline, negative_and_bool_words)
{
    char line[] = "kite.cmdline_test_level=-3 kite.cmdline_test_verbose=On";
    struct run r;

    run_parse(&r, line);
    KITE_EXPECT_EQ(r.ret, 0);
    KITE_EXPECT_EQ(param_cmdline_test_level, -3);
    KITE_EXPECT(param_cmdline_test_verbose);
}

KITE_TEST(cmdline, unknown_option_warns)
{
    char line[] = "console=ttyS0 kite.cmdline_test_level=2";
    struct run r;

    run_parse(&r, line);
    KITE_EXPECT_EQ(r.ret, 1);
    KITE_EXPECT_EQ(r.warned.count, 1);
    KITE_EXPECT(strstr(r.warned.last, "'console=ttyS0'") != NULL);
    KITE_EXPECT(strstr(r.warned.last, "kite.help") != NULL);
    KITE_EXPECT_EQ(param_cmdline_test_level, 2);
}

KITE_TEST(cmdline, malformed_value_keeps_default)
{
    char line[] = "kite.cmdline_test_level=12abc kite.cmdline_test_verbose=maybe";
    struct run r;

    run_parse(&r, line);
    KITE_EXPECT_EQ(r.ret, 2);
    KITE_EXPECT_EQ(param_cmdline_test_level, 6);
    KITE_EXPECT(!param_cmdline_test_verbose);
    KITE_EXPECT(!r.opts[0].set && !r.opts[1].set);
    KITE_EXPECT(strstr(r.warned.last, "kite.cmdline_test_verbose=maybe") != NULL);
    KITE_EXPECT(strstr(r.warned.last, "a boolean") != NULL);
    KITE_EXPECT(strstr(r.warned.last, "keeping the default 0") != NULL);
}

KITE_TEST(cmdline, runtime_arguments)
{
    char line[] = "kite.cmdline_test_level=1 -- app --flag \"a b\" kite.cmdline_test_level=9 x";
    struct run r;

    run_parse(&r, line);
    /* Three fit; the other two are dropped with one warning. */
    KITE_EXPECT_EQ(r.ret, 1);
    KITE_EXPECT_EQ(param_cmdline_test_level, 1);
    KITE_ASSERT(r.argc == 3);
    KITE_EXPECT_STREQ(r.argv[0], "app");
    KITE_EXPECT_STREQ(r.argv[1], "--flag");
    KITE_EXPECT_STREQ(r.argv[2], "a b");
    KITE_EXPECT(r.argv[3] == NULL);
    KITE_EXPECT(strstr(r.warned.last, "5 runtime arguments") != NULL);
}
