/* SPDX-License-Identifier: MIT */
/*
 * Command-line parsing. Splits a command line into tokens in place (double
 * quotes group words and are removed), matches each "kite.name[=value]"
 * against the KITE_PARAM descriptors it is handed, and passes the tokens after
 * "--" on as the runtime's arguments. It keeps no state: kernel/params.c feeds
 * it the boot line and the .kite_params section and logs what it warns about;
 * the host unit tests feed it arrays of descriptors.
 */
#include <kite/cmdline.h>
#include <kite/printk.h>
#include <kite/string.h>

#define WARN_MSG_MAX 384
/* Longest token quoted whole in a warning; a longer one is cut with "...". */
#define SHOW_MAX 128

struct parse_state {
    kite_param_warn_fn warn;
    void *ctx;
    int warnings;
};

struct token {
    char *text;
    bool quoted;       /* had at least one double quote */
    bool unterminated; /* a double quote was left open at the end of the line */
};

static void warnf(struct parse_state *st, const char *fmt, ...) KITE_PRINTF(2, 3);
static void warnf(struct parse_state *st, const char *fmt, ...)
{
    char msg[WARN_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    kite_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    st->warnings++;
    if (st->warn) {
        st->warn(st->ctx, msg);
    }
}

static size_t str_len(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0') {
        n++;
    }
    return n;
}

/* Precision for printing @s with "%.*s%s" and show_more(@s), so warnings stay one short line. */
static int show_len(const char *s)
{
    return (int)KITE_MIN(str_len(s), (size_t)SHOW_MAX);
}

static const char *show_more(const char *s)
{
    return str_len(s) > SHOW_MAX ? "..." : "";
}

static bool str_eq(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static bool starts_with(const char *s, const char *prefix)
{
    while (*prefix != '\0' && *s == *prefix) {
        s++;
        prefix++;
    }
    return *prefix == '\0';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool str_eq_nocase(const char *a, const char *b)
{
    while (*a != '\0' && lower(*a) == lower(*b)) {
        a++;
        b++;
    }
    return lower(*a) == lower(*b);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Cut the next token out of *@pos, in place: quotes are squeezed out, so the
 * write position never passes the read position, and a NUL ends the token.
 * Returns false at the end of the line.
 */
static bool next_token(char **pos, struct token *tok)
{
    char *r = *pos, *w;
    bool in_quote = false;

    while (is_space(*r)) {
        r++;
    }
    if (*r == '\0') {
        *pos = r;
        return false;
    }
    tok->text = w = r;
    tok->quoted = false;
    while (*r != '\0') {
        char c = *r++;

        if (c == '"') {
            in_quote = !in_quote;
            tok->quoted = true;
        } else if (!in_quote && is_space(c)) {
            break;
        } else {
            *w++ = c;
        }
    }
    *w = '\0';
    tok->unterminated = in_quote;
    *pos = r;
    return true;
}

/*
 * Unsigned decimal or 0x hex, no sign, at most @max. A leading 0 does not mean
 * octal: people write "010" meaning ten.
 */
static bool parse_magnitude(const char *s, unsigned long max, unsigned long *v)
{
    unsigned int base = 10;
    unsigned long acc = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        int d = kite_hex_digit(*s);

        if (d < 0 || (unsigned int)d >= base) {
            return false;
        }
        if (acc > (max - (unsigned long)d) / base) {
            return false;
        }
        acc = acc * base + (unsigned long)d;
    }
    *v = acc;
    return true;
}

static bool parse_long(const char *s, long *v)
{
    bool neg = false;
    unsigned long mag;

    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    if (!parse_magnitude(s, neg ? (unsigned long)__LONG_MAX__ + 1 : (unsigned long)__LONG_MAX__,
                         &mag)) {
        return false;
    }
    /* Written so that LONG_MIN's magnitude never has to fit in a long. */
    *v = neg ? (mag == 0 ? 0 : -(long)(mag - 1) - 1) : (long)mag;
    return true;
}

static bool parse_bool(const char *s, bool *v)
{
    static const char *const yes[] = {"1", "yes", "on", "true"};
    static const char *const no[] = {"0", "no", "off", "false"};

    for (size_t i = 0; i < KITE_ARRAY_SIZE(yes); i++) {
        if (str_eq_nocase(s, yes[i])) {
            *v = true;
            return true;
        }
        if (str_eq_nocase(s, no[i])) {
            *v = false;
            return true;
        }
    }
    return false;
}

/*
 * Store @val (NULL for a bare "kite.x") in @p's variable. Returns false, having
 * stored nothing, when the value is malformed for @p's type.
 */
static bool set_value(struct kite_param *p, const char *val)
{
    switch (p->type) {
    case KITE_PARAM_T_bool: {
        bool b = true;

        if (val && !parse_bool(val, &b)) {
            return false;
        }
        *(kite_param_ctype_bool *)p->var = b;
        return true;
    }
    case KITE_PARAM_T_int: {
        long l;

        if (!val || !parse_long(val, &l)) {
            return false;
        }
        *(kite_param_ctype_int *)p->var = l;
        return true;
    }
    case KITE_PARAM_T_uint: {
        unsigned long u;

        if (!val || !parse_magnitude(val, ~0UL, &u)) {
            return false;
        }
        *(kite_param_ctype_uint *)p->var = u;
        return true;
    }
    case KITE_PARAM_T_string:
        if (!val) {
            return false;
        }
        *(kite_param_ctype_string *)p->var = val;
        return true;
    }
    return false;
}

const char *kite_param_form(const struct kite_param *p)
{
    if (!p) {
        return "nothing (no such option)";
    }
    switch (p->type) {
    case KITE_PARAM_T_bool:
        return "a boolean (1/0, yes/no, on/off, true/false; the bare name means true)";
    case KITE_PARAM_T_int:
        return "an integer (decimal or 0x hex, optional sign)";
    case KITE_PARAM_T_uint:
        return "an unsigned integer (decimal or 0x hex, no sign)";
    case KITE_PARAM_T_string:
        return "a string (double quotes allow spaces)";
    }
    return "a value of an unknown type";
}

static struct kite_param *find_param(struct kite_param *first, struct kite_param *last,
                                     const char *name)
{
    for (struct kite_param *p = first; p < last; p++) {
        if (p->name && str_eq(p->name, name)) {
            return p;
        }
    }
    return NULL;
}

static void option_token(struct parse_state *st, char *text, struct kite_param *first,
                         struct kite_param *last)
{
    char *eq = text;
    const char *val = NULL;
    struct kite_param *p;

    while (*eq != '\0' && *eq != '=') {
        eq++;
    }
    /* Split name and value for the lookup; the '=' is put back for messages. */
    if (*eq == '=') {
        *eq = '\0';
        val = eq + 1;
    }
    p = find_param(first, last, text);
    if (val) {
        *eq = '=';
    }
    if (!p) {
        warnf(st, "unknown option '%.*s%s'%s; see kite.help for the accepted options",
              show_len(text), text, show_more(text),
              starts_with(text, "kite.") ? "" : " (Kite's options start with 'kite.')");
        return;
    }
    if (!set_value(p, val)) {
        const char *keep = p->set ? "the value given earlier" : "the default ";
        const char *def = p->set ? "" : (p->def ? p->def : "(none)");

        if (val) {
            warnf(st, "%s=%.*s%s: expected %s; keeping %s%s", p->name, show_len(val), val,
                  show_more(val), kite_param_form(p), keep, def);
        } else {
            warnf(st, "%s has no value: expected %s after '='; keeping %s%s", p->name,
                  kite_param_form(p), keep, def);
        }
        return;
    }
    p->set = true;
}

/*
 * @argv must have room for @argv_max + 1 pointers: argv[argc] is set to NULL,
 * as a C runtime's main() expects. A NULL @argv or @argc takes no arguments
 * (any after "--" draw the overflow warning), and a NULL @warn only counts.
 * An unterminated double quote is a warning; the token runs to the end of the
 * line. A quoted "--" is an ordinary token, not the separator.
 */
int kite_cmdline_parse(char *line, struct kite_param *first, struct kite_param *last,
                       kite_param_warn_fn warn, void *ctx, int *argc, char **argv, int argv_max)
{
    struct parse_state st = {.warn = warn, .ctx = ctx};
    struct token tok;
    bool runtime = false;
    int nargs = 0, dropped = 0;
    const char *first_dropped = NULL;
    char *pos = line;

    if (!argv || argv_max < 0) {
        argv_max = 0;
    }
    while (pos && next_token(&pos, &tok)) {
        if (tok.unterminated) {
            warnf(&st, "unterminated double quote in '%.*s%s'; it runs to the end of the line",
                  show_len(tok.text), tok.text, show_more(tok.text));
        }
        if (runtime) {
            if (nargs < argv_max) {
                argv[nargs++] = tok.text;
            } else if (dropped++ == 0) {
                first_dropped = tok.text;
            }
        } else if (!tok.quoted && str_eq(tok.text, "--")) {
            runtime = true;
        } else {
            option_token(&st, tok.text, first, last);
        }
    }
    if (dropped > 0) {
        warnf(&st,
              "%d runtime arguments after '--', more than the %d accepted; dropped the last %d, "
              "from '%.*s%s' on",
              nargs + dropped, argv_max, dropped, show_len(first_dropped), first_dropped,
              show_more(first_dropped));
    }
    if (argv) {
        argv[nargs] = NULL;
    }
    if (argc) {
        *argc = nargs;
    }
    return st.warnings;
}
