/* SPDX-License-Identifier: MIT */
/*
 * Commands: named functions any part of Kite (or a runtime linked into the
 * image) registers with KITE_SHELL_CMD, run from a command line. The host
 * runs them in a co-kernel partition (`kitectl exec N test all`); their
 * output is what they log while they run.
 *
 * The shell: without a runtime (no kite_main) and outside a partition, Kite
 * reads command lines from the console (serial, or the PS/2 keyboard beside
 * the VGA screen), with line editing, history and completion of command
 * names. kite.shell.run="cmd; cmd" runs commands at the end of boot.
 *
 *     static int cmd_hello(int argc, char **argv)
 *     {
 *         if (argc != 2) {
 *             return kite_shell_usage(argv[0]);
 *         }
 *         kite_pr_info("hello, %s\n", argv[1]);
 *         return 0;
 *     }
 *     KITE_SHELL_CMD(hello, cmd_hello, "NAME: greet NAME");
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
/* Status of a command given the wrong arguments (kite_shell_usage). */
#define KITE_SHELL_USAGE 2

/*
 * Split @line at blanks (double quotes group words) and run the command its
 * first word names. An unknown command or a line too long prints what was
 * wrong and the commands there are, and returns KITE_SHELL_UNKNOWN.
 */
int kite_shell_run(const char *line);

/*
 * Print the usage of command @name ("usage: NAME ARGS", from the text before
 * the ':' of its help) as an error. Returns KITE_SHELL_USAGE, for a command
 * to return when its arguments are wrong.
 */
int kite_shell_usage(const char *name);

/*
 * Boot: run the commands of kite.shell.run (separated by ';'), each shown
 * after the prompt as if typed. Called after "ready", before the tests or
 * the runtime; a `poweroff` among them ends the run there.
 */
void kite_shell_run_boot(void);

/*
 * Start the interactive shell on the console, in a thread of its own on
 * CPU 0 that polls the console's input (kite_console_getc) while it sleeps.
 * Returns 0, -KITE_EPERM in a co-kernel partition (no console input there),
 * or the error of kite_thread_create.
 */
int kite_shell_start(void);
