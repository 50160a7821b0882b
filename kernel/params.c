/* SPDX-License-Identifier: MIT */
/*
 * Kernel side of the command line: run the pure parser (cmdline.c) over every
 * KITE_PARAM in the image, log its warnings, keep the runtime's arguments,
 * and list the options for kite.help.
 */
#define KITE_LOG_PREFIX "cmdline: "

#include <kite/bootinfo.h>
#include <kite/cmdline.h>
#include <kite/printk.h>
#include <kite/string.h>

KITE_PARAM(help, bool, false, "list every option with its form, default and help, then boot on");

extern struct kite_param __kite_params_start[], __kite_params_end[];
#define params_end KITE_SECTION_END(__kite_params_start, __kite_params_end)

int kite_runtime_argc;
char *kite_runtime_argv[KITE_RUNTIME_ARGS_MAX + 1];

/* Options point into this copy; it lives as long as the kernel. */
static char cmdline_copy[KITE_CMDLINE_MAX];

static void warn(void *ctx, const char *msg)
{
    (void)ctx;
    kite_pr_warn("%s\n", msg);
}

void kite_cmdline_help(void)
{
    kite_pr_notice("options (kite.NAME=VALUE; tokens after \"--\" go to the runtime):\n");
    for (struct kite_param *p = __kite_params_start; p < params_end; p++) {
        kite_pr_notice("  %-18s %s, default %s\n", p->name, kite_param_form(p), p->def);
        kite_pr_notice("  %-18s %s\n", "", p->help);
    }
}

void kite_cmdline_init(void)
{
    int warnings;

    kite_pr_info("%s\n", kite_boot.cmdline[0] ? kite_boot.cmdline : "(empty)");
    strlcpy(cmdline_copy, kite_boot.cmdline, sizeof(cmdline_copy));
    warnings = kite_cmdline_parse(cmdline_copy, __kite_params_start, params_end, warn, NULL,
                                  &kite_runtime_argc, kite_runtime_argv, KITE_RUNTIME_ARGS_MAX);
    if (warnings) {
        kite_pr_warn("%d problem%s above; the options named keep their defaults\n", warnings,
                     warnings == 1 ? "" : "s");
    }
    if (param_help) {
        kite_cmdline_help();
    }
}
