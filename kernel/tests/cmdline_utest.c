/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for kernel/cmdline.c. Each test parses a line against a
 * hand-built array of option descriptors (one per type), collects the
 * warnings, and checks the values, the "set" flags, the runtime arguments
 * after "--", and that every warning names what was wrong.
 */
#include <kite/cmdline.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define MAX_WARNINGS 8
#define ARGV_MAX     4

static long v_level;
static unsigned long v_pages;
static bool v_debug;
static const char *v_name;

static struct kite_param params[4];

enum { P_LEVEL, P_PAGES, P_DEBUG, P_NAME };

struct warnings {
    int count;
    char msg[MAX_WARNINGS][400];
};

static struct warnings w;
static char line[8192];
static int argc;
static char *argv[ARGV_MAX + 1];

static void collect(void *ctx, const char *msg)
{
    struct warnings *ws = ctx;

    assert_ptr_equal(ws, &w);
    /* Every message is one line. */
    assert_null(strchr(msg, '\n'));
    if (ws->count < MAX_WARNINGS) {
        snprintf(ws->msg[ws->count], sizeof(ws->msg[0]), "%s", msg);
    }
    ws->count++;
}

static int setup(void **state)
{
    (void)state;
    v_level = 6;
    v_pages = 100;
    v_debug = false;
    v_name = "default";
    params[P_LEVEL] =
        (struct kite_param){"kite.loglevel", KITE_PARAM_T_int, &v_level, "6", "log level", false};
    params[P_PAGES] =
        (struct kite_param){"kite.pages", KITE_PARAM_T_uint, &v_pages, "100", "pages", false};
    params[P_DEBUG] =
        (struct kite_param){"kite.debug", KITE_PARAM_T_bool, &v_debug, "false", "debug", false};
    params[P_NAME] = (struct kite_param){
        "kite.name", KITE_PARAM_T_string, &v_name, "\"default\"", "name", false};
    memset(&w, 0, sizeof(w));
    memset(argv, 0x5a, sizeof(argv));
    argc = -1;
    return 0;
}

/* Parse @text (copied, since the parser cuts it in place) with room for @argv_max arguments. */
static int parse_max(const char *text, int argv_max)
{
    int n;

    assert_true(strlen(text) < sizeof(line));
    snprintf(line, sizeof(line), "%s", text);
    n = kite_cmdline_parse(line, params, params + 4, collect, &w, &argc, argv, argv_max);
    assert_int_equal(n, w.count);
    return n;
}

static int parse(const char *text)
{
    return parse_max(text, ARGV_MAX);
}

static void expect_warning(int i, const char *want1, const char *want2)
{
    assert_true(i < w.count);
    if (!strstr(w.msg[i], want1) || (want2 && !strstr(w.msg[i], want2))) {
        print_error("warning %d is \"%s\", wanted \"%s\" and \"%s\"\n", i, w.msg[i], want1,
                    want2 ? want2 : "");
    }
    assert_non_null(strstr(w.msg[i], want1));
    if (want2) {
        assert_non_null(strstr(w.msg[i], want2));
    }
}

static void test_int_values(void **state)
{
    static const struct {
        const char *text;
        long want;
    } good[] = {
        {"kite.loglevel=7", 7},
        {"kite.loglevel=0", 0},
        {"kite.loglevel=-12", -12},
        {"kite.loglevel=+5", 5},
        {"kite.loglevel=010", 10},
        {"kite.loglevel=0x1F", 31},
        {"kite.loglevel=0XaB", 0xab},
        {"kite.loglevel=-0x10", -16},
        {"kite.loglevel=9223372036854775807", 9223372036854775807L},
        {"kite.loglevel=-9223372036854775808", -9223372036854775807L - 1},
        {"kite.loglevel=0x7fffffffffffffff", 9223372036854775807L},
        {"kite.loglevel=-0x8000000000000000", -9223372036854775807L - 1},
    };

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        setup(state);
        assert_int_equal(parse(good[i].text), 0);
        assert_int_equal(v_level, good[i].want);
        assert_true(params[P_LEVEL].set);
        assert_false(params[P_PAGES].set);
    }
}

static void test_int_malformed(void **state)
{
    static const char *const bad[] = {
        "abc",
        "",
        "0x",
        "-",
        "+",
        "12abc",
        "1 2",
        "0x1g",
        "--5",
        "9223372036854775808",
        "-9223372036854775809",
        "0x8000000000000000",
        "99999999999999999999999",
        "1.5",
    };
    char text[64], want[64];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        setup(state);
        snprintf(text, sizeof(text), "kite.loglevel=\"%s\"", bad[i]);
        snprintf(want, sizeof(want), "kite.loglevel=%s: expected an integer", bad[i]);
        assert_int_equal(parse(text), 1);
        expect_warning(0, want, "keeping the default 6");
        assert_int_equal(v_level, 6);
        assert_false(params[P_LEVEL].set);
    }
}

static void test_int_bare(void **state)
{
    setup(state);
    assert_int_equal(parse("kite.loglevel"), 1);
    expect_warning(0, "kite.loglevel has no value", "expected an integer");
    expect_warning(0, "keeping the default 6", NULL);
    assert_int_equal(v_level, 6);
    assert_false(params[P_LEVEL].set);
}

static void test_uint_values(void **state)
{
    setup(state);
    assert_int_equal(parse("kite.pages=18446744073709551615"), 0);
    assert_true(v_pages == 18446744073709551615UL);
    assert_true(params[P_PAGES].set);

    setup(state);
    assert_int_equal(parse("kite.pages=0xFFFFFFFFFFFFFFFF"), 0);
    assert_true(v_pages == ~0UL);

    setup(state);
    assert_int_equal(parse("kite.pages=4096"), 0);
    assert_int_equal(v_pages, 4096);
}

static void test_uint_malformed(void **state)
{
    static const char *const bad[] = {
        "-1", "+1", "-0", "18446744073709551616", "0x10000000000000000", "x", ""};
    char text[64], want[64];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        setup(state);
        snprintf(text, sizeof(text), "kite.pages=%s", bad[i]);
        snprintf(want, sizeof(want), "kite.pages=%s: expected an unsigned integer", bad[i]);
        assert_int_equal(parse(text), 1);
        expect_warning(0, want, "keeping the default 100");
        assert_int_equal(v_pages, 100);
        assert_false(params[P_PAGES].set);
    }
    setup(state);
    assert_int_equal(parse("kite.pages"), 1);
    expect_warning(0, "kite.pages has no value", "unsigned integer");
}

static void test_bool_values(void **state)
{
    static const struct {
        const char *text;
        bool want;
    } cases[] = {
        {"kite.debug", true},      {"kite.debug=1", true},      {"kite.debug=yes", true},
        {"kite.debug=YES", true},  {"kite.debug=On", true},     {"kite.debug=true", true},
        {"kite.debug=TRUE", true}, {"kite.debug=0", false},     {"kite.debug=no", false},
        {"kite.debug=OFF", false}, {"kite.debug=False", false}, {"kite.debug=nO", false},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        setup(state);
        /* Start from the opposite, so every case changes the variable. */
        v_debug = !cases[i].want;
        assert_int_equal(parse(cases[i].text), 0);
        assert_int_equal(v_debug, cases[i].want);
        assert_true(params[P_DEBUG].set);
    }
}

static void test_bool_malformed(void **state)
{
    static const char *const bad[] = {"", "2", "maybe", "yess", "t", "y", "onn", "-1"};
    char text[64], want[64];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        setup(state);
        snprintf(text, sizeof(text), "kite.debug=%s", bad[i]);
        snprintf(want, sizeof(want), "kite.debug=%s: expected a boolean", bad[i]);
        assert_int_equal(parse(text), 1);
        expect_warning(0, want, "keeping the default false");
        assert_false(v_debug);
        assert_false(params[P_DEBUG].set);
    }
}

static void test_string_values(void **state)
{
    setup(state);
    assert_int_equal(parse("kite.name=hello"), 0);
    assert_string_equal(v_name, "hello");
    assert_true(params[P_NAME].set);
    /* The value points into the line, which the caller keeps alive. */
    assert_true(v_name >= line && v_name < line + sizeof(line));

    setup(state);
    assert_int_equal(parse("kite.name="), 0);
    assert_string_equal(v_name, "");
    assert_true(params[P_NAME].set);

    setup(state);
    assert_int_equal(parse("kite.name=a=b"), 0);
    assert_string_equal(v_name, "a=b");

    setup(state);
    assert_int_equal(parse("kite.name"), 1);
    expect_warning(0, "kite.name has no value", "expected a string");
    expect_warning(0, "keeping the default \"default\"", NULL);
    assert_string_equal(v_name, "default");
    assert_false(params[P_NAME].set);
}

static void test_quotes(void **state)
{
    setup(state);
    assert_int_equal(parse("kite.name=\"a b\"  kite.loglevel=3"), 0);
    assert_string_equal(v_name, "a b");
    assert_int_equal(v_level, 3);

    /* Quotes may open anywhere in the token and are all removed. */
    setup(state);
    assert_int_equal(parse("\"kite.name=x\ty\" kite.debug"), 0);
    assert_string_equal(v_name, "x\ty");
    assert_true(v_debug);

    setup(state);
    assert_int_equal(parse("kite.name=a\"  \"b\"\"c"), 0);
    assert_string_equal(v_name, "a  bc");

    setup(state);
    assert_int_equal(parse("kite.name=\"\""), 0);
    assert_string_equal(v_name, "");
    assert_true(params[P_NAME].set);

    /* An open quote runs to the end of the line, with a warning. */
    setup(state);
    assert_int_equal(parse("kite.loglevel=2 kite.name=\"abc def"), 1);
    expect_warning(0, "unterminated double quote", "kite.name=abc def");
    assert_string_equal(v_name, "abc def");
    assert_int_equal(v_level, 2);
}

static void test_unknown_options(void **state)
{
    setup(state);
    assert_int_equal(parse("foo=bar kite.loglevel=4 kite.nope=1 quiet"), 3);
    expect_warning(0, "unknown option 'foo=bar'", "see kite.help");
    expect_warning(0, "start with 'kite.'", NULL);
    expect_warning(1, "unknown option 'kite.nope=1'", "see kite.help");
    assert_null(strstr(w.msg[1], "start with"));
    expect_warning(2, "unknown option 'quiet'", NULL);
    assert_int_equal(v_level, 4);

    /* A name is matched whole: a prefix or an extension of a known one is unknown. */
    setup(state);
    assert_int_equal(parse("kite.log=1 kite.loglevels=1 kite.=1 kite"), 4);
    assert_int_equal(v_level, 6);
}

static void test_long_token_cut(void **state)
{
    char text[600];

    setup(state);
    memset(text, 'z', 500);
    text[500] = '\0';
    assert_int_equal(parse(text), 1);
    expect_warning(0, "unknown option 'zzzz", "...'");
    expect_warning(0, "see kite.help", NULL);
}

static void test_runtime_args(void **state)
{
    setup(state);
    assert_int_equal(parse("kite.loglevel=3 -- init --verbose \"two words\" kite.loglevel=9"), 0);
    assert_int_equal(v_level, 3);
    assert_int_equal(argc, 4);
    assert_string_equal(argv[0], "init");
    assert_string_equal(argv[1], "--verbose");
    assert_string_equal(argv[2], "two words");
    assert_string_equal(argv[3], "kite.loglevel=9");
    assert_null(argv[4]);

    /* A second "--" is an argument; a quoted "--" is not the separator. */
    setup(state);
    assert_int_equal(parse("\"--\" -- -- x"), 1);
    expect_warning(0, "unknown option '--'", NULL);
    assert_int_equal(argc, 2);
    assert_string_equal(argv[0], "--");
    assert_string_equal(argv[1], "x");
    assert_null(argv[2]);

    /* "--" with nothing after it. */
    setup(state);
    assert_int_equal(parse("kite.debug --"), 0);
    assert_true(v_debug);
    assert_int_equal(argc, 0);
    assert_null(argv[0]);

    /* Empty quoted arguments are kept. */
    setup(state);
    assert_int_equal(parse("-- \"\" a"), 0);
    assert_int_equal(argc, 2);
    assert_string_equal(argv[0], "");
    assert_string_equal(argv[1], "a");
}

static void test_argv_overflow(void **state)
{
    setup(state);
    assert_int_equal(parse_max("-- a b cee d e", 2), 1);
    assert_int_equal(argc, 2);
    assert_string_equal(argv[0], "a");
    assert_string_equal(argv[1], "b");
    assert_null(argv[2]);
    expect_warning(0, "5 runtime arguments", "more than the 2 accepted");
    expect_warning(0, "dropped the last 3", "'cee'");

    setup(state);
    assert_int_equal(parse_max("-- a b c d", ARGV_MAX), 0);
    assert_int_equal(argc, ARGV_MAX);
    assert_null(argv[ARGV_MAX]);

    /* No room at all. */
    setup(state);
    assert_int_equal(parse_max("-- a", 0), 1);
    assert_int_equal(argc, 0);
    assert_null(argv[0]);

    /* No argv array: arguments are dropped with the same warning, nothing is written. */
    setup(state);
    snprintf(line, sizeof(line), "-- a b");
    assert_int_equal(kite_cmdline_parse(line, params, params + 4, collect, &w, NULL, NULL, 8), 1);
    expect_warning(0, "2 runtime arguments", "'a'");
}

static void test_empty_lines(void **state)
{
    static const char *const lines[] = {"", " ", " \t\n\r  "};

    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        setup(state);
        assert_int_equal(parse(lines[i]), 0);
        assert_int_equal(argc, 0);
        assert_null(argv[0]);
        assert_int_equal(v_level, 6);
        assert_int_equal(v_pages, 100);
        assert_false(v_debug);
        assert_string_equal(v_name, "default");
        for (size_t p = 0; p < 4; p++) {
            assert_false(params[p].set);
        }
    }

    setup(state);
    assert_int_equal(kite_cmdline_parse(NULL, params, params + 4, collect, &w, &argc, argv, 4), 0);
    assert_int_equal(argc, 0);
    assert_null(argv[0]);

    /* No options to match against: everything is unknown. */
    setup(state);
    snprintf(line, sizeof(line), "kite.loglevel=1");
    assert_int_equal(kite_cmdline_parse(line, params, params, collect, &w, &argc, argv, 4), 1);
    expect_warning(0, "unknown option 'kite.loglevel=1'", NULL);
}

static void test_repeated_options(void **state)
{
    setup(state);
    assert_int_equal(parse("kite.loglevel=3 kite.name=a kite.loglevel=5 kite.name=b"), 0);
    assert_int_equal(v_level, 5);
    assert_string_equal(v_name, "b");

    /* A malformed repeat keeps the earlier value, and says so. */
    setup(state);
    assert_int_equal(parse("kite.loglevel=3 kite.loglevel=x"), 1);
    expect_warning(0, "kite.loglevel=x", "keeping the value given earlier");
    assert_int_equal(v_level, 3);
    assert_true(params[P_LEVEL].set);

    setup(state);
    assert_int_equal(parse("kite.debug kite.debug=off"), 0);
    assert_false(v_debug);
}

static void test_separators(void **state)
{
    setup(state);
    assert_int_equal(parse("\tkite.loglevel=1\nkite.debug\r\nkite.pages=7   "), 0);
    assert_int_equal(v_level, 1);
    assert_true(v_debug);
    assert_int_equal(v_pages, 7);
}

static void test_no_warn_callback(void **state)
{
    setup(state);
    snprintf(line, sizeof(line), "bogus kite.loglevel=zz -- a");
    assert_int_equal(kite_cmdline_parse(line, params, params + 4, NULL, NULL, &argc, argv, 4), 2);
    assert_int_equal(argc, 1);
    assert_int_equal(v_level, 6);
}

static void test_param_form(void **state)
{
    setup(state);
    assert_non_null(strstr(kite_param_form(&params[P_LEVEL]), "an integer"));
    assert_non_null(strstr(kite_param_form(&params[P_PAGES]), "an unsigned integer"));
    assert_non_null(strstr(kite_param_form(&params[P_DEBUG]), "a boolean"));
    assert_non_null(strstr(kite_param_form(&params[P_NAME]), "a string"));
    assert_non_null(kite_param_form(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_int_values, setup),
        cmocka_unit_test_setup(test_int_malformed, setup),
        cmocka_unit_test_setup(test_int_bare, setup),
        cmocka_unit_test_setup(test_uint_values, setup),
        cmocka_unit_test_setup(test_uint_malformed, setup),
        cmocka_unit_test_setup(test_bool_values, setup),
        cmocka_unit_test_setup(test_bool_malformed, setup),
        cmocka_unit_test_setup(test_string_values, setup),
        cmocka_unit_test_setup(test_quotes, setup),
        cmocka_unit_test_setup(test_unknown_options, setup),
        cmocka_unit_test_setup(test_long_token_cut, setup),
        cmocka_unit_test_setup(test_runtime_args, setup),
        cmocka_unit_test_setup(test_argv_overflow, setup),
        cmocka_unit_test_setup(test_empty_lines, setup),
        cmocka_unit_test_setup(test_repeated_options, setup),
        cmocka_unit_test_setup(test_separators, setup),
        cmocka_unit_test_setup(test_no_warn_callback, setup),
        cmocka_unit_test_setup(test_param_form, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
