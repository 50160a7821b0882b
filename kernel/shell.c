/* SPDX-License-Identifier: MIT */
/*
 * The command table (KITE_SHELL_CMD) and running a command line. The
 * commands every image has: help, test, uptime, echo.
 */
#include <kite/arch.h>
#include <kite/printk.h>
#include <kite/shell.h>
#include <kite/string.h>
#include <kite/test.h>
#include <kite/timer.h>

extern const struct kite_shell_cmd __kite_shell_cmds_start[], __kite_shell_cmds_end[];

static const struct kite_shell_cmd *cmds_end(void)
{
    return KITE_SECTION_END(__kite_shell_cmds_start, __kite_shell_cmds_end);
}

static const struct kite_shell_cmd *find(const char *name)
{
    for (const struct kite_shell_cmd *c = __kite_shell_cmds_start; c < cmds_end(); c++) {
        if (strcmp(c->name, name) == 0) {
            return c;
        }
    }
    return NULL;
}

static void list(void)
{
    for (const struct kite_shell_cmd *c = __kite_shell_cmds_start; c < cmds_end(); c++) {
        kite_pr_info("  %-10s %s\n", c->name, c->help);
    }
}

/* Split @buf in place into at most @max words; -1 when there are more or a quote is open. */
static int split(char *buf, char **argv, int max)
{
    int argc = 0;
    char *p = buf;

    for (;;) {
        char *out;
        bool quoted = false;

        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (!*p) {
            return argc;
        }
        if (argc == max) {
            return -1;
        }
        argv[argc++] = out = p;
        for (; *p && (quoted || (*p != ' ' && *p != '\t')); p++) {
            if (*p == '"') {
                quoted = !quoted;
            } else {
                *out++ = *p;
            }
        }
        if (quoted) {
            return -1;
        }
        if (*p) {
            p++;
        }
        *out = '\0';
    }
}

int kite_shell_run(const char *line)
{
    char buf[KITE_SHELL_LINE_MAX];
    char *argv[KITE_SHELL_ARGS_MAX + 1];
    const struct kite_shell_cmd *c;
    size_t n = strlen(line);
    int argc;

    if (n >= sizeof(buf)) {
        kite_pr_err("shell: a line of %zu bytes: expected at most %zu\n", n, sizeof(buf) - 1);
        return KITE_SHELL_UNKNOWN;
    }
    memcpy(buf, line, n + 1);
    argc = split(buf, argv, KITE_SHELL_ARGS_MAX);
    if (argc < 0) {
        kite_pr_err("shell: '%s': an unclosed quote or more than %d words\n", line,
                    KITE_SHELL_ARGS_MAX);
        return KITE_SHELL_UNKNOWN;
    }
    if (argc == 0) {
        return 0;
    }
    argv[argc] = NULL;
    c = find(argv[0]);
    if (!c) {
        kite_pr_err("shell: no command '%s'; the commands are:\n", argv[0]);
        list();
        return KITE_SHELL_UNKNOWN;
    }
    return c->fn(argc, argv);
}

static int cmd_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    list();
    return 0;
}
KITE_SHELL_CMD(help, cmd_help, ": list the commands");

static int cmd_test(int argc, char **argv)
{
    if (argc != 2) {
        kite_pr_err("usage: test all|SUITE|SUITE.NAME[,...]\n");
        return 2;
    }
    return kite_test_run(argv[1]) ? 1 : 0;
}
KITE_SHELL_CMD(test, cmd_test, "all|SUITE|SUITE.NAME[,...]: run in-kernel tests");

static int cmd_uptime(int argc, char **argv)
{
    uint64_t ns = kite_time_ns();

    (void)argc;
    (void)argv;
    kite_pr_info("up %llu.%03llu s\n", (unsigned long long)(ns / KITE_NSEC_PER_SEC),
                 (unsigned long long)(ns / 1000000 % 1000));
    return 0;
}
KITE_SHELL_CMD(uptime, cmd_uptime, ": time since boot");

static int cmd_echo(int argc, char **argv)
{
    char line[KITE_SHELL_LINE_MAX] = "";
    size_t len = 0;

    for (int i = 1; i < argc && len < sizeof(line); i++) {
        len += (size_t)kite_snprintf(line + len, sizeof(line) - len, "%s%s", i > 1 ? " " : "",
                                     argv[i]);
    }
    kite_pr_info("%s\n", line);
    return 0;
}
KITE_SHELL_CMD(echo, cmd_echo, "WORDS: print them");
