/* SPDX-License-Identifier: MIT */
/*
 * Inside the shell: the command table for completion, and the line editor.
 *
 * The editor is a pure state machine: it is fed one input byte at a time
 * (what a serial terminal sends, or what the keyboard driver makes of its
 * keys: printable characters, control characters, ANSI escape sequences for
 * the arrows) and writes what the screen must show through a callback. It
 * never reads a device, so the tests drive it with strings
 * (kernel/tests/shell_test.c) and the console thread drives it with keys.
 */
#pragma once

#include <kite/shell.h>
#include <kite/types.h>

#define KITE_SHELL_PROMPT  "kite> "
#define KITE_SHELL_HISTORY 32 /* lines kept for the up and down arrows */

/* The command table, in link order: [begin, end). */
const struct kite_shell_cmd *kite_shell_cmds_begin(void);
const struct kite_shell_cmd *kite_shell_cmds_end(void);
/* The command after @prev in name order (NULL: the first); NULL after the last. */
const struct kite_shell_cmd *kite_shell_cmd_next(const struct kite_shell_cmd *prev);

/* What kite_shell_ed_key says about the byte it was given. */
enum kite_shell_ed_result {
    KITE_SHELL_ED_MORE,   /* editing goes on */
    KITE_SHELL_ED_LINE,   /* Enter: the line is in ed->result; show a new prompt */
    KITE_SHELL_ED_CANCEL, /* Ctrl-C: the line was dropped; show a new prompt */
};

typedef void (*kite_shell_out_fn)(void *ctx, const char *s, size_t len);

struct kite_shell_editor {
    char line[KITE_SHELL_LINE_MAX];   /* being edited; NUL-terminated at len */
    size_t len;                       /* characters in line */
    size_t cur;                       /* cursor: 0..len */
    size_t shown;                     /* characters of the line the screen shows after the prompt */
    char result[KITE_SHELL_LINE_MAX]; /* the last line entered */

    char hist[KITE_SHELL_HISTORY][KITE_SHELL_LINE_MAX];
    unsigned int hist_count; /* entries kept, at most KITE_SHELL_HISTORY */
    unsigned int hist_next;  /* the slot the next entry goes to */
    int browse;              /* -1: a new line; else how far back the shown entry is (0 newest) */
    char saved[KITE_SHELL_LINE_MAX]; /* the new line, while history is shown instead */

    uint8_t esc;          /* escape sequence state (shell_edit.c) */
    unsigned int esc_arg; /* its numeric parameter */
    bool after_cr;        /* the last byte was '\r': a '\n' right after it is the same Enter */

    kite_shell_out_fn out; /* the screen; NULL: nothing is shown */
    void *ctx;
};

/* Set up @ed with an empty line and history; @out receives what to show. */
void kite_shell_ed_init(struct kite_shell_editor *ed, kite_shell_out_fn out, void *ctx);

/* Show the prompt for a new line (after a result or a cancel, and at the start). */
void kite_shell_ed_prompt(struct kite_shell_editor *ed);

/* Feed one input byte (0..255). Returns an enum kite_shell_ed_result. */
int kite_shell_ed_key(struct kite_shell_editor *ed, int c);

/* Feed each byte of @s; returns the result of the last one that was not MORE (or MORE). */
int kite_shell_ed_keys(struct kite_shell_editor *ed, const char *s);
