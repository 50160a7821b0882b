/* SPDX-License-Identifier: MIT */
/*
 * Command-line options. A subsystem declares each option it takes with
 * KITE_PARAM; the declaration lands in a linker section, so the parser and
 * kite.help see every option without a central list.
 *
 *     KITE_PARAM(loglevel, int, 6, "console log level, 0 (emergencies) .. 7 (debug)");
 *
 * declares `static long param_loglevel = 6;` and the option `kite.loglevel=N`;
 * kite.help shows the default with macros expanded.
 * Types: bool (kite.x, kite.x=1/0/yes/no/on/off/true/false), int (decimal or
 * 0x hex, optional sign), uint (unsigned), string (the text after '='; double
 * quotes allow spaces).
 *
 * Tokens after a lone "--" are not options: they are the runtime's arguments
 * (kite_runtime_argc/argv). An unknown option or a malformed value draws a
 * warning that names it and the accepted form, and the default stays.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

enum kite_param_type {
    KITE_PARAM_T_bool,
    KITE_PARAM_T_int,
    KITE_PARAM_T_uint,
    KITE_PARAM_T_string,
};

typedef bool kite_param_ctype_bool;
typedef long kite_param_ctype_int;
typedef unsigned long kite_param_ctype_uint;
typedef const char *kite_param_ctype_string;

struct kite_param {
    const char *name; /* full name, "kite.loglevel" */
    enum kite_param_type type;
    void *var;
    const char *def; /* the default, as written in the declaration */
    const char *help;
    bool set; /* given on this boot's command line (written by the parser) */
};

/* Types are pasted here, before `bool` could expand to `_Bool`. */
#define KITE_PARAM_DEFINE(name, ctype, tag, def, help, ...)      \
    static ctype param_##name = (def);                           \
    static struct kite_param __kite_param_##name __VA_ARGS__ = { \
        "kite." #name, tag, &param_##name, KITE_STR(def), help, false}

#define KITE_PARAM(name, type, def, help)                                            \
    KITE_PARAM_DEFINE(name, kite_param_ctype_##type, KITE_PARAM_T_##type, def, help, \
                      KITE_USED KITE_SECTION(".kite_params") KITE_ALIGNED(8))

/* The same declaration, kept out of the boot's option list (for tests of the parser). */
#define KITE_PARAM_UNLISTED(name, type, def, help) \
    KITE_PARAM_DEFINE(name, kite_param_ctype_##type, KITE_PARAM_T_##type, def, help, KITE_USED)

#define KITE_RUNTIME_ARGS_MAX 32

/* Called for each problem found; the kernel logs it as a warning. */
typedef void (*kite_param_warn_fn)(void *ctx, const char *msg);

/*
 * Parse @line (modified in place: it must stay alive, string options point
 * into it) against the options in [@first, @last). Runtime arguments after
 * "--" go to @argv (at most @argv_max, the rest dropped with a warning) and
 * their count to *@argc. Returns the number of warnings issued.
 */
int kite_cmdline_parse(char *line, struct kite_param *first, struct kite_param *last,
                       kite_param_warn_fn warn, void *ctx, int *argc, char **argv, int argv_max);

/* Describe @p's accepted form ("an integer", ...), for help and warnings. */
const char *kite_param_form(const struct kite_param *p);

/* Print every option, its type, default and help (what kite.help shows). */
void kite_cmdline_help(void);

/* Parse the boot command line (kite_boot.cmdline) against every KITE_PARAM. */
void kite_cmdline_init(void);

/* The runtime's arguments: the tokens after "--" on the command line. */
extern int kite_runtime_argc;
extern char *kite_runtime_argv[KITE_RUNTIME_ARGS_MAX + 1];
