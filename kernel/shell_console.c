/* SPDX-License-Identifier: MIT */
/*
 * The shell on the console: kite.shell.run's commands at the end of boot,
 * and the interactive shell, a thread on CPU 0 that feeds the line editor
 * (shell_edit.c) with what kite_console_getc reads and runs each line it
 * gives. The consoles' input is polled: the thread sleeps between polls, so
 * an idle CPU 0 still halts. Right after a key it polls more often for a
 * while, so that a pasted line does not overflow a 16550's 16-byte FIFO.
 */
#define KITE_LOG_PREFIX "shell: "

#include <kite/arch.h>
#include <kite/cmdline.h>
#include <kite/console.h>
#include <kite/errno.h>
#include <kite/partition.h>
#include <kite/printk.h>
#include <kite/string.h>
#include <kite/thread.h>
#include <kite/timer.h>

#include "shell_priv.h"

#define POLL_NS      (10 * KITE_NSEC_PER_MSEC) /* between polls while nobody types */
#define FAST_POLL_NS (1 * KITE_NSEC_PER_MSEC)  /* while someone types: 16 bytes at 115200 bit/s */
#define TYPING_NS    (2 * KITE_NSEC_PER_SEC)   /* how long after a key polls stay fast */
#define SHELL_STACK  (64u << 10)               /* commands (test SUITE) run on it */

/*
 * kite.shell.run: written out rather than with KITE_PARAM, whose option names
 * are C identifiers (kite.shell_run). The parser matches the full name, dots
 * and all.
 */
static const char *param_shell_run = "";
static struct kite_param __kite_param_shell_run KITE_USED KITE_SECTION(".kite_params")
    KITE_ALIGNED(8) = {"kite.shell.run",
                       KITE_PARAM_T_string,
                       &param_shell_run,
                       "\"\"",
                       "shell commands to run at the end of boot, separated by ';' "
                       "(kite.shell.run=\"cpus; mem\")",
                       false};

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

void kite_shell_run_boot(void)
{
    char cmd[KITE_SHELL_LINE_MAX];
    const char *p = param_shell_run;

    while (*p) {
        const char *end = p;
        bool quoted = false;
        size_t n;
        int status;

        for (; *end && (quoted || *end != ';'); end++) {
            quoted ^= *end == '"';
        }
        n = (size_t)(end - p);
        while (n > 0 && blank(*p)) {
            p++;
            n--;
        }
        while (n > 0 && blank(p[n - 1])) {
            n--;
        }
        if (n >= sizeof(cmd)) {
            kite_pr_err("a command of %zu bytes in kite.shell.run (at most %zu): '%.40s...'\n", n,
                        sizeof(cmd) - 1, p);
        } else if (n > 0) {
            memcpy(cmd, p, n);
            cmd[n] = '\0';
            kite_printk(KITE_LOG_INFO, "%s%s\n", KITE_SHELL_PROMPT, cmd);
            status = kite_shell_run(cmd);
            if (status != 0) {
                kite_pr_warn("'%s' ended with status %d\n", cmd, status);
            }
        }
        p = *end ? end + 1 : end;
    }
}

static void screen(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    kite_printk_raw(s, len);
}

/* Big (a history of lines): static, not on the thread's stack. */
static struct kite_shell_editor editor;

static void *shell_main(void *arg)
{
    uint64_t last_key = 0;

    (void)arg;
    kite_shell_ed_init(&editor, screen, NULL);
    kite_shell_ed_prompt(&editor);
    for (;;) {
        int c = kite_console_getc();

        if (c < 0) {
            bool typing = last_key && kite_time_ns() - last_key < TYPING_NS;

            kite_sleep_ns(typing ? FAST_POLL_NS : POLL_NS);
            continue;
        }
        last_key = kite_time_ns();
        switch (kite_shell_ed_key(&editor, c)) {
        case KITE_SHELL_ED_LINE:
            (void)kite_shell_run(editor.result); /* errors and usages print themselves */
            kite_shell_ed_prompt(&editor);
            break;
        case KITE_SHELL_ED_CANCEL:
            kite_shell_ed_prompt(&editor);
            break;
        default:
            break;
        }
    }
    return NULL;
}

int kite_shell_start(void)
{
    struct kite_thread_attr attr = {
        .cpu = 0, .stack_size = SHELL_STACK, .name = "shell", .detached = true};
    int err;

    if (kite_partition()) {
        return -KITE_EPERM; /* the host's console: commands come through kitectl exec */
    }
    err = kite_thread_create(NULL, shell_main, NULL, &attr);
    if (err) {
        kite_pr_err("no shell thread: error %d\n", err);
    }
    return err;
}
