/* SPDX-License-Identifier: MIT */
/*
 * The command table (KITE_SHELL_CMD) and running a command line. The
 * commands every image has: help, test, uptime, echo. The console side (the
 * line editor, the shell thread, kite.shell.run) is in shell_edit.c and
 * shell_console.c; the commands that show the machine are in shell_cmds.c.
 */
#include <kite/arch.h>
#include <kite/printk.h>
#include <kite/shell.h>
#include <kite/string.h>
#include <kite/test.h>
#include <kite/timer.h>

#include "shell_priv.h"

extern const struct kite_shell_cmd __kite_shell_cmds_start[], __kite_shell_cmds_end[];

const struct kite_shell_cmd *kite_shell_cmds_begin(void)
{
    return __kite_shell_cmds_start;
}

const struct kite_shell_cmd *kite_shell_cmds_end(void)
{
    return KITE_SECTION_END(__kite_shell_cmds_start, __kite_shell_cmds_end);
}

static const struct kite_shell_cmd *find(const char *name)
{
    for (const struct kite_shell_cmd *c = kite_shell_cmds_begin(); c < kite_shell_cmds_end(); c++) {
        if (strcmp(c->name, name) == 0) {
            return c;
        }
    }
    return NULL;
}

/* The command after @prev in name order (NULL: the first); NULL after the last. */
const struct kite_shell_cmd *kite_shell_cmd_next(const struct kite_shell_cmd *prev)
{
    const struct kite_shell_cmd *best = NULL;

    for (const struct kite_shell_cmd *c = kite_shell_cmds_begin(); c < kite_shell_cmds_end(); c++) {
        if ((!prev || strcmp(c->name, prev->name) > 0) &&
            (!best || strcmp(c->name, best->name) < 0)) {
            best = c;
        }
    }
    return best;
}

static void list(void)
{
    for (const struct kite_shell_cmd *c = kite_shell_cmd_next(NULL); c;
         c = kite_shell_cmd_next(c)) {
        kite_pr_info("  %-10s %s\n", c->name, c->help);
    }
}

/* @s for a message: at most @size - 4 bytes of it, control bytes shown as '?'. */
static const char *printable(char *out, size_t size, const char *s)
{
    size_t i = 0;

    for (; s[i] && i + 4 < size; i++) {
        out[i] = s[i] >= ' ' && s[i] < 0x7f ? s[i] : '?';
    }
    strlcpy(out + i, s[i] ? "..." : "", size - i);
    return out;
}

/* "ARGS: what it does" -> "ARGS" (empty for a command that takes none). */
static int args_len(const char *help)
{
    const char *colon = strchr(help, ':');

    return colon ? (int)(colon - help) : 0;
}

int kite_shell_usage(const char *name)
{
    const struct kite_shell_cmd *c = find(name);

    if (c) {
        int n = args_len(c->help);

        kite_pr_err("usage: %s%s%.*s\n", c->name, n ? " " : "", n, c->help);
    }
    return KITE_SHELL_USAGE;
}

/*
 * Split @buf in place into at most @max words: their count, or SPLIT_TOO_MANY,
 * SPLIT_OPEN_QUOTE.
 */
#define SPLIT_TOO_MANY   (-1)
#define SPLIT_OPEN_QUOTE (-2)

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
            return SPLIT_TOO_MANY;
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
            return SPLIT_OPEN_QUOTE;
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
    char shown[64];
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
        printable(shown, sizeof(shown), line);
        if (argc == SPLIT_OPEN_QUOTE) {
            kite_pr_err("shell: '%s': a double quote is not closed\n", shown);
        } else {
            kite_pr_err("shell: '%s': more than %d words\n", shown, KITE_SHELL_ARGS_MAX);
        }
        return KITE_SHELL_UNKNOWN;
    }
    if (argc == 0) {
        return 0;
    }
    argv[argc] = NULL;
    c = find(argv[0]);
    if (!c) {
        kite_pr_err("shell: no command '%s'; the commands are:\n",
                    printable(shown, sizeof(shown), argv[0]));
        list();
        return KITE_SHELL_UNKNOWN;
    }
    return c->fn(argc, argv);
}

static int cmd_help(int argc, char **argv)
{
    const struct kite_shell_cmd *c;

    if (argc == 1) {
        kite_pr_info("commands (help NAME shows one; Tab completes names, the arrows recall "
                     "lines):\n");
        list();
        return 0;
    }
    c = argc == 2 ? find(argv[1]) : NULL;
    if (!c) {
        if (argc == 2) {
            kite_pr_err("help: no command '%s'\n", argv[1]);
        }
        return kite_shell_usage(argv[0]);
    }
    kite_pr_info("%s%s%s\n", c->name, args_len(c->help) ? " " : "", c->help);
    return 0;
}
KITE_SHELL_CMD(help, cmd_help, "[NAME]: list the commands, or say what one does");

static int cmd_test(int argc, char **argv)
{
    if (argc != 2) {
        return kite_shell_usage(argv[0]);
    }
    return kite_test_run(argv[1]) ? 1 : 0;
}
KITE_SHELL_CMD(test, cmd_test, "all|SUITE|SUITE.NAME[,...]: run in-kernel tests");

static int cmd_uptime(int argc, char **argv)
{
    uint64_t ns = kite_time_ns();

    if (argc != 1) {
        return kite_shell_usage(argv[0]);
    }
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
