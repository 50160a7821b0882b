/* SPDX-License-Identifier: MIT */
/*
 * The shell's line editor (kernel/shell_priv.h): one input byte at a time,
 * it keeps the line, the cursor and the history, and writes what the screen
 * must show. The keys are those of a serial terminal: printable characters,
 * Backspace (DEL or Ctrl-H), Enter (CR, LF or CR LF), Ctrl-C, Ctrl-U, Ctrl-K,
 * Ctrl-W, Ctrl-A/E/B/F/P/N (Emacs moves), Tab (completes a command name),
 * and the ANSI sequences of the arrows, Home, End and Delete (ESC [ A, ...,
 * ESC O A, ESC [ 1 ~, ...). The keyboard driver sends the same bytes.
 *
 * The screen is redrawn with nothing but carriage returns, spaces and the
 * text itself, so the VGA console (which knows no escape sequences or
 * backspaces) shows the same line as a serial terminal. The price: a line
 * longer than the terminal is wide is redrawn badly.
 */
#include <kite/string.h>

#include "shell_priv.h"

#define CTRL(c) ((c)&0x1f)
#define KEY_ESC 0x1b
#define KEY_DEL 0x7f

/* Escape sequence states. */
#define ESC_NONE 0
#define ESC_SEEN 1 /* ESC */
#define ESC_CSI  2 /* ESC [, reading the first parameter */
#define ESC_CSI2 3 /* ESC [ n ;, later parameters (ignored) */
#define ESC_SS3  4 /* ESC O */

#define ESC_ARG_MAX 1000

static void put(struct kite_shell_editor *ed, const char *s, size_t len)
{
    if (ed->out && len > 0) {
        ed->out(ed->ctx, s, len);
    }
}

static void put_str(struct kite_shell_editor *ed, const char *s)
{
    put(ed, s, strlen(s));
}

/* Put the screen's cursor at @pos of the line: return, prompt, the text before it. */
static void place(struct kite_shell_editor *ed, size_t pos)
{
    put_str(ed, "\r" KITE_SHELL_PROMPT);
    put(ed, ed->line, pos);
}

/* Show the whole line again (blanking what is left of a longer one), the cursor where it is. */
static void refresh(struct kite_shell_editor *ed)
{
    static const char blanks[] = "                                ";
    size_t pad = ed->shown > ed->len ? ed->shown - ed->len : 0;

    place(ed, ed->len);
    for (size_t n = pad; n > 0;) {
        size_t chunk = KITE_MIN(n, sizeof(blanks) - 1);

        put(ed, blanks, chunk);
        n -= chunk;
    }
    ed->shown = ed->len;
    if (pad > 0 || ed->cur != ed->len) {
        place(ed, ed->cur);
    }
}

static void clear_line(struct kite_shell_editor *ed)
{
    ed->len = ed->cur = ed->shown = 0;
    ed->line[0] = '\0';
    ed->browse = -1;
    ed->esc = ESC_NONE;
}

void kite_shell_ed_init(struct kite_shell_editor *ed, kite_shell_out_fn out, void *ctx)
{
    memset(ed, 0, sizeof(*ed));
    ed->out = out;
    ed->ctx = ctx;
    clear_line(ed);
}

void kite_shell_ed_prompt(struct kite_shell_editor *ed)
{
    clear_line(ed);
    put_str(ed, KITE_SHELL_PROMPT);
}

/* Insert @n bytes at the cursor; what does not fit in the line is dropped. */
static void insert(struct kite_shell_editor *ed, const char *s, size_t n)
{
    n = KITE_MIN(n, sizeof(ed->line) - 1 - ed->len);
    if (n == 0) {
        return;
    }
    memmove(ed->line + ed->cur + n, ed->line + ed->cur, ed->len - ed->cur);
    memcpy(ed->line + ed->cur, s, n);
    ed->len += n;
    ed->cur += n;
    ed->line[ed->len] = '\0';
    if (ed->cur == ed->len && ed->shown == ed->len - n) {
        put(ed, s, n); /* typed at the end: the screen only needs the new text */
        ed->shown = ed->len;
    } else {
        refresh(ed);
    }
}

/* Remove @n bytes at @pos (within the line) and put the cursor at @pos. */
static void cut(struct kite_shell_editor *ed, size_t pos, size_t n)
{
    if (n == 0) {
        return;
    }
    memmove(ed->line + pos, ed->line + pos + n, ed->len - pos - n);
    ed->len -= n;
    ed->cur = pos;
    ed->line[ed->len] = '\0';
    refresh(ed);
}

static void move_to(struct kite_shell_editor *ed, size_t pos)
{
    if (pos > ed->cur) {
        put(ed, ed->line + ed->cur, pos - ed->cur); /* writing the text moves forward */
    } else if (pos < ed->cur) {
        place(ed, pos);
    }
    ed->cur = pos;
}

/* Replace the line with @text, the cursor at its end. */
static void set_line(struct kite_shell_editor *ed, const char *text)
{
    ed->len = ed->cur = strlcpy(ed->line, text, sizeof(ed->line));
    if (ed->len >= sizeof(ed->line)) {
        ed->len = ed->cur = sizeof(ed->line) - 1;
    }
    refresh(ed);
}

/* ---------------------------------------------------------------- history */

/* The entry @back lines ago (0: the newest). */
static const char *hist_entry(const struct kite_shell_editor *ed, unsigned int back)
{
    return ed->hist[(ed->hist_next + KITE_SHELL_HISTORY - 1 - back) % KITE_SHELL_HISTORY];
}

static void hist_add(struct kite_shell_editor *ed, const char *s)
{
    const char *p = s;

    while (*p == ' ') {
        p++;
    }
    if (*p == '\0' || (ed->hist_count > 0 && strcmp(hist_entry(ed, 0), s) == 0)) {
        return; /* blank lines and repeats of the last one are not kept */
    }
    strlcpy(ed->hist[ed->hist_next], s, sizeof(ed->hist[0]));
    ed->hist_next = (ed->hist_next + 1) % KITE_SHELL_HISTORY;
    if (ed->hist_count < KITE_SHELL_HISTORY) {
        ed->hist_count++;
    }
}

static void hist_up(struct kite_shell_editor *ed)
{
    if (ed->browse + 1 >= (int)ed->hist_count) {
        return;
    }
    if (ed->browse < 0) {
        strlcpy(ed->saved, ed->line, sizeof(ed->saved));
    }
    ed->browse++;
    set_line(ed, hist_entry(ed, (unsigned int)ed->browse));
}

static void hist_down(struct kite_shell_editor *ed)
{
    if (ed->browse < 0) {
        return;
    }
    ed->browse--;
    set_line(ed, ed->browse < 0 ? ed->saved : hist_entry(ed, (unsigned int)ed->browse));
}

/* ---------------------------------------------------------------- completion */

static void complete(struct kite_shell_editor *ed)
{
    size_t start = 0, wlen, common = 0;
    const struct kite_shell_cmd *first = NULL;
    const char *word;
    unsigned int matches = 0;

    while (start < ed->cur && ed->line[start] == ' ') {
        start++;
    }
    for (size_t i = start; i < ed->cur; i++) {
        if (ed->line[i] == ' ') {
            return; /* only the first word, the command, is completed */
        }
    }
    word = ed->line + start;
    wlen = ed->cur - start;
    for (const struct kite_shell_cmd *c = kite_shell_cmds_begin(); c < kite_shell_cmds_end(); c++) {
        if (strncmp(c->name, word, wlen) != 0) {
            continue;
        }
        if (!first) {
            first = c;
            common = strlen(c->name);
        } else {
            size_t i = wlen;

            while (i < common && c->name[i] == first->name[i]) {
                i++;
            }
            common = i;
        }
        matches++;
    }
    if (matches == 0) {
        return;
    }
    /* The matches' common part is certain: type it (all of a single match's name). */
    if (common > wlen) {
        insert(ed, first->name + wlen, common - wlen);
    }
    if (matches == 1) {
        if (ed->cur == ed->len || ed->line[ed->cur] != ' ') {
            insert(ed, " ", 1);
        }
        return;
    }
    put_str(ed, "\n");
    for (const struct kite_shell_cmd *c = kite_shell_cmd_next(NULL); c;
         c = kite_shell_cmd_next(c)) {
        if (strncmp(c->name, first->name, common) == 0) {
            put_str(ed, c->name);
            put_str(ed, "  ");
        }
    }
    put_str(ed, "\n");
    ed->shown = 0;
    refresh(ed);
}

/* ---------------------------------------------------------------- keys */

static int enter(struct kite_shell_editor *ed)
{
    put_str(ed, "\n");
    strlcpy(ed->result, ed->line, sizeof(ed->result));
    hist_add(ed, ed->result);
    clear_line(ed);
    return KITE_SHELL_ED_LINE;
}

/* The last byte of an escape sequence: which key it was. */
static void escape_key(struct kite_shell_editor *ed, int final, unsigned int arg)
{
    switch (final) {
    case 'A':
        hist_up(ed);
        break;
    case 'B':
        hist_down(ed);
        break;
    case 'C':
        move_to(ed, ed->cur < ed->len ? ed->cur + 1 : ed->len);
        break;
    case 'D':
        move_to(ed, ed->cur > 0 ? ed->cur - 1 : 0);
        break;
    case 'H':
        move_to(ed, 0);
        break;
    case 'F':
        move_to(ed, ed->len);
        break;
    case '~':
        if (arg == 1 || arg == 7) {
            move_to(ed, 0);
        } else if (arg == 4 || arg == 8) {
            move_to(ed, ed->len);
        } else if (arg == 3 && ed->cur < ed->len) {
            cut(ed, ed->cur, 1);
        }
        break;
    default:
        break; /* a key the editor has no use for (F1, Insert, ...) */
    }
}

/* Inside an escape sequence: true when @c was taken as part of it. */
static bool escape(struct kite_shell_editor *ed, int c)
{
    switch (ed->esc) {
    case ESC_SEEN:
        if (c == '[') {
            ed->esc = ESC_CSI;
            ed->esc_arg = 0;
            return true;
        }
        if (c == 'O') {
            ed->esc = ESC_SS3;
            return true;
        }
        ed->esc = ESC_NONE; /* Alt and a key: the key counts, the ESC not */
        return false;
    case ESC_CSI:
    case ESC_CSI2:
        if (c >= '0' && c <= '9') {
            if (ed->esc == ESC_CSI) {
                ed->esc_arg = KITE_MIN(ed->esc_arg * 10 + (unsigned int)(c - '0'), ESC_ARG_MAX);
            }
        } else if (c == ';') {
            ed->esc = ESC_CSI2;
        } else {
            ed->esc = ESC_NONE;
            if (c >= 0x40 && c <= 0x7e) {
                escape_key(ed, c, ed->esc_arg);
            }
            /* else: a broken sequence; the byte that broke it goes with it */
        }
        return true;
    case ESC_SS3:
        ed->esc = ESC_NONE;
        escape_key(ed, c, 0);
        return true;
    default:
        return false;
    }
}

int kite_shell_ed_key(struct kite_shell_editor *ed, int c)
{
    bool after_cr = ed->after_cr;
    size_t i;

    ed->after_cr = false;
    if (c < 0 || c > 0xff || escape(ed, c)) {
        return KITE_SHELL_ED_MORE;
    }
    switch (c) {
    case '\r':
        ed->after_cr = true;
        return enter(ed);
    case '\n':
        return after_cr ? KITE_SHELL_ED_MORE : enter(ed);
    case CTRL('C'):
        put_str(ed, "^C\n");
        clear_line(ed);
        return KITE_SHELL_ED_CANCEL;
    case KEY_ESC:
        ed->esc = ESC_SEEN;
        break;
    case KEY_DEL:
    case CTRL('H'):
        if (ed->cur > 0) {
            cut(ed, ed->cur - 1, 1);
        }
        break;
    case CTRL('D'):
        if (ed->cur < ed->len) {
            cut(ed, ed->cur, 1);
        }
        break;
    case CTRL('U'):
        cut(ed, 0, ed->cur);
        break;
    case CTRL('K'):
        ed->len = ed->cur;
        ed->line[ed->len] = '\0';
        refresh(ed);
        break;
    case CTRL('W'):
        for (i = ed->cur; i > 0 && ed->line[i - 1] == ' '; i--) {
        }
        while (i > 0 && ed->line[i - 1] != ' ') {
            i--;
        }
        cut(ed, i, ed->cur - i);
        break;
    case CTRL('A'):
        move_to(ed, 0);
        break;
    case CTRL('E'):
        move_to(ed, ed->len);
        break;
    case CTRL('B'):
        escape_key(ed, 'D', 0);
        break;
    case CTRL('F'):
        escape_key(ed, 'C', 0);
        break;
    case CTRL('P'):
        hist_up(ed);
        break;
    case CTRL('N'):
        hist_down(ed);
        break;
    case CTRL('L'):
        put_str(ed, "\n");
        ed->shown = 0;
        refresh(ed);
        break;
    case '\t':
        complete(ed);
        break;
    default:
        if (c >= ' ' && c < KEY_DEL) {
            char ch = (char)c;

            insert(ed, &ch, 1);
        }
        break; /* other control bytes and non-ASCII bytes are ignored */
    }
    return KITE_SHELL_ED_MORE;
}

int kite_shell_ed_keys(struct kite_shell_editor *ed, const char *s)
{
    int last = KITE_SHELL_ED_MORE;

    for (; *s; s++) {
        int r = kite_shell_ed_key(ed, (unsigned char)*s);

        if (r != KITE_SHELL_ED_MORE) {
            last = r;
        }
    }
    return last;
}
