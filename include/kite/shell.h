/* SPDX-License-Identifier: MIT */
/*
 * Commands: named functions any part of Kite (or a runtime linked into the
 * image) registers with KITE_SHELL_CMD, run from a command line. The host
 * runs them in a co-kernel partition (`kitectl exec N test all`); their
 * output is what they log while they run.
 */
#pragma once

#include <kite/compiler.h>

#define KITE_SHELL_ARGS_MAX 16
#define KITE_SHELL_LINE_MAX 512

/* Returns the command's status: 0 for success. */
typedef int (*kite_shell_fn)(int argc, char **argv);

struct kite_shell_cmd {
    const char *name;
    kite_shell_fn fn;
    const char *help; /* "ARGS: what it does" */
};

#define KITE_SHELL_CMD(cmd, fn_, help_)                                               \
    static const struct kite_shell_cmd __kite_shell_cmd_##cmd KITE_USED KITE_SECTION( \
        ".kite_shell_cmds") KITE_ALIGNED(8) = {.name = #cmd, .fn = fn_, .help = help_}

/* Status of a line naming no command, or with too many words. */
#define KITE_SHELL_UNKNOWN 127

/*
 * Split @line at blanks (double quotes group words) and run the command its
 * first word names. An unknown command or a line too long prints what was
 * wrong and the commands there are, and returns KITE_SHELL_UNKNOWN.
 */
int kite_shell_run(const char *line);
