/* SPDX-License-Identifier: MIT */
/*
 * kite_vsnprintf: the one formatter behind printk, the shell and the tests.
 * It follows C99 printf for the integer, character, string and pointer
 * conversions and matches glibc where C leaves room (%p as "0x..." or "(nil)",
 * a NULL %s as "(null)"). There is no floating point (the kernel is built
 * without SSE) and no %n; such conversions, like any unknown one, are copied to
 * the output as written. Pure code with no state, so it is safe from any
 * context and is also built on the host for the unit tests.
 */
#include <kite/compiler.h>
#include <kite/printk.h>
#include <kite/types.h>

#include <stdarg.h>

#define FL_LEFT  0x01 /* '-' */
#define FL_PLUS  0x02 /* '+' */
#define FL_SPACE 0x04 /* ' ' */
#define FL_ALT   0x08 /* '#' */
#define FL_ZERO  0x10 /* '0' */

/* Width and precision are capped here so that parsing them cannot overflow. */
#define FIELD_MAX 0x7fffffff

enum length {
    LEN_NONE,
    LEN_HH,
    LEN_H,
    LEN_L,
    LEN_LL,
    LEN_Z,
    LEN_T,
    LEN_J,
};

/*
 * The output cursor. @pos keeps counting past @size so the caller learns how
 * long the full output would have been.
 */
struct out {
    char *buf;
    size_t size;
    size_t pos;
};

struct spec {
    unsigned int flags;
    int width;     /* 0 when absent */
    int precision; /* -1 when absent */
    enum length length;
};

static void put_char(struct out *o, char c)
{
    /* The last byte of the buffer is kept for the terminating NUL. */
    if (o->pos + 1 < o->size) {
        o->buf[o->pos] = c;
    }
    o->pos++;
}

static void put_chars(struct out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        put_char(o, s[i]);
    }
}

/*
 * Padding is only written while it fits, then merely counted, so a huge width
 * costs no more than the buffer is long.
 */
static void put_repeat(struct out *o, char c, size_t n)
{
    while (n > 0 && o->pos + 1 < o->size) {
        o->buf[o->pos++] = c;
        n--;
    }
    o->pos += n;
}

static void pad_before(struct out *o, const struct spec *sp, size_t len)
{
    if (!(sp->flags & FL_LEFT) && (size_t)sp->width > len) {
        put_repeat(o, ' ', (size_t)sp->width - len);
    }
}

static void pad_after(struct out *o, const struct spec *sp, size_t len)
{
    if ((sp->flags & FL_LEFT) && (size_t)sp->width > len) {
        put_repeat(o, ' ', (size_t)sp->width - len);
    }
}

static void format_string(struct out *o, const struct spec *sp, const char *s)
{
    size_t len = 0;

    if (s == NULL) {
        /* As glibc: "(null)" only when the precision lets all of it show. */
        s = (sp->precision < 0 || sp->precision >= 6) ? "(null)" : "";
    }
    /* With a precision the string need not be NUL-terminated: never read past it. */
    while ((sp->precision < 0 || len < (size_t)sp->precision) && s[len] != '\0') {
        len++;
    }
    pad_before(o, sp, len);
    put_chars(o, s, len);
    pad_after(o, sp, len);
}

static void format_char(struct out *o, const struct spec *sp, char c)
{
    pad_before(o, sp, 1);
    put_char(o, c);
    pad_after(o, sp, 1);
}

/*
 * Print @value in @base with C99's rules: the precision is the minimum number
 * of digits (and a zero with precision 0 has none), '#' adds "0x" to a nonzero
 * hex value and makes octal start with 0, and '0' pads between the sign or
 * prefix and the digits unless '-' or a precision is given.
 */
static void format_number(struct out *o, const struct spec *sp, uintmax_t value, bool negative,
                          unsigned int base, bool upper, bool is_signed)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24]; /* 22 octal digits hold 64 bits */
    size_t ndigits = 0;
    char sign = 0;
    const char *prefix = "";
    size_t prefix_len = 0;
    size_t zeros = 0;
    size_t total;

    for (uintmax_t v = value; v != 0; v /= base) {
        tmp[ndigits++] = digits[v % base];
    }
    if (ndigits == 0 && sp->precision != 0) {
        tmp[ndigits++] = '0';
    }

    if (is_signed) {
        if (negative) {
            sign = '-';
        } else if (sp->flags & FL_PLUS) {
            sign = '+';
        } else if (sp->flags & FL_SPACE) {
            sign = ' ';
        }
    }

    if (sp->precision > 0 && (size_t)sp->precision > ndigits) {
        zeros = (size_t)sp->precision - ndigits;
    }
    if ((sp->flags & FL_ALT) && base == 8 && zeros == 0 &&
        (ndigits == 0 || tmp[ndigits - 1] != '0')) {
        zeros = 1;
    }
    if ((sp->flags & FL_ALT) && base == 16 && ndigits > 0 && tmp[ndigits - 1] != '0') {
        prefix = upper ? "0X" : "0x";
        prefix_len = 2;
    }

    total = (sign ? 1 : 0) + prefix_len + zeros + ndigits;
    if ((sp->flags & (FL_ZERO | FL_LEFT)) == FL_ZERO && sp->precision < 0 &&
        (size_t)sp->width > total) {
        zeros += (size_t)sp->width - total;
        total = (size_t)sp->width;
    }

    pad_before(o, sp, total);
    if (sign) {
        put_char(o, sign);
    }
    put_chars(o, prefix, prefix_len);
    put_repeat(o, '0', zeros);
    while (ndigits > 0) {
        put_char(o, tmp[--ndigits]);
    }
    pad_after(o, sp, total);
}

/* va_list is passed by pointer so that the callers share one position in it. */
static void format_signed(struct out *o, const struct spec *sp, va_list *ap)
{
    intmax_t v;

    switch (sp->length) {
    case LEN_HH:
        /* %hhd: the argument was promoted from signed char; take it back. */
        v = (signed char)va_arg(*ap, int); // NOLINT(bugprone-signed-char-misuse)
        break;
    case LEN_H:
        v = (short)va_arg(*ap, int);
        break;
    case LEN_L:
        v = va_arg(*ap, long);
        break;
    case LEN_LL:
        v = va_arg(*ap, long long);
        break;
    /* Distinct C types, even where x86_64 gives them one width. */
    case LEN_Z: /* the signed type of size_t's width */ // NOLINT(bugprone-branch-clone)
    case LEN_T:
        v = va_arg(*ap, ptrdiff_t);
        break;
    case LEN_J:
        v = va_arg(*ap, intmax_t);
        break;
    default:
        v = va_arg(*ap, int);
        break;
    }
    /* Negate in unsigned arithmetic: -INTMAX_MIN does not fit an intmax_t. */
    format_number(o, sp, v < 0 ? 0 - (uintmax_t)v : (uintmax_t)v, v < 0, 10, false, true);
}

static uintmax_t fetch_unsigned(const struct spec *sp, va_list *ap)
{
    switch (sp->length) {
    case LEN_HH:
        return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_H:
        return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_L:
        return va_arg(*ap, unsigned long);
    case LEN_LL:
        return va_arg(*ap, unsigned long long);
    case LEN_Z: // NOLINT(bugprone-branch-clone)
    case LEN_T: /* the unsigned type of ptrdiff_t's width */
        return va_arg(*ap, size_t);
    case LEN_J:
        return va_arg(*ap, uintmax_t);
    default:
        return va_arg(*ap, unsigned int);
    }
}

static void format_pointer(struct out *o, const struct spec *sp, const void *p)
{
    struct spec num = *sp;

    if (p == NULL) {
        /* glibc prints all of "(nil)" whatever the precision. */
        num.precision = -1;
        format_string(o, &num, "(nil)");
        return;
    }
    /* Like glibc: "%#lx", still honouring '+' and ' ' as a signed conversion would. */
    num.flags |= FL_ALT;
    format_number(o, &num, (uintptr_t)p, false, 16, false, true);
}

/* Parse a decimal field, saturating at FIELD_MAX. */
static int parse_decimal(const char **fmt)
{
    const char *f = *fmt;
    int n = 0;

    while (*f >= '0' && *f <= '9') {
        int d = *f - '0';

        n = (n > (FIELD_MAX - d) / 10) ? FIELD_MAX : n * 10 + d;
        f++;
    }
    *fmt = f;
    return n;
}

static void parse_length(const char **fmt, struct spec *sp)
{
    const char *f = *fmt;

    switch (*f) {
    case 'h':
        f++;
        sp->length = LEN_H;
        if (*f == 'h') {
            f++;
            sp->length = LEN_HH;
        }
        break;
    case 'l':
        f++;
        sp->length = LEN_L;
        if (*f == 'l') {
            f++;
            sp->length = LEN_LL;
        }
        break;
    case 'z':
        f++;
        sp->length = LEN_Z;
        break;
    case 't':
        f++;
        sp->length = LEN_T;
        break;
    case 'j':
        f++;
        sp->length = LEN_J;
        break;
    default:
        sp->length = LEN_NONE;
        break;
    }
    *fmt = f;
}

/*
 * Parse the conversion starting just after '%' at *@fmt and leave *@fmt on its
 * conversion character (or the NUL that cut it short). The '*' arguments are
 * taken from @ap here, in the order C gives them.
 */
static void parse_spec(const char **fmt, struct spec *sp, va_list *ap)
{
    const char *f = *fmt;

    sp->flags = 0;
    for (;; f++) {
        if (*f == '-') {
            sp->flags |= FL_LEFT;
        } else if (*f == '+') {
            sp->flags |= FL_PLUS;
        } else if (*f == ' ') {
            sp->flags |= FL_SPACE;
        } else if (*f == '#') {
            sp->flags |= FL_ALT;
        } else if (*f == '0') {
            sp->flags |= FL_ZERO;
        } else {
            break;
        }
    }

    if (*f == '*') {
        int w = va_arg(*ap, int);

        f++;
        /* A negative '*' width is a '-' flag with a positive width. */
        if (w < 0) {
            sp->flags |= FL_LEFT;
            w = (w < -FIELD_MAX) ? FIELD_MAX : -w;
        }
        sp->width = w;
    } else {
        sp->width = parse_decimal(&f);
    }

    sp->precision = -1;
    if (*f == '.') {
        f++;
        if (*f == '*') {
            int p = va_arg(*ap, int);

            f++;
            /* A negative '*' precision counts as none given. */
            sp->precision = p < 0 ? -1 : p;
        } else {
            sp->precision = parse_decimal(&f);
        }
    }

    parse_length(&f, sp);
    *fmt = f;
}

int kite_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {.buf = buf, .size = size, .pos = 0};
    va_list args;

    /* A copy, so that its address can be handed to the helpers portably. */
    va_copy(args, ap);
    while (*fmt != '\0') {
        const char *start = fmt;
        struct spec sp;

        if (*fmt != '%') {
            put_char(&o, *fmt++);
            continue;
        }
        fmt++;
        parse_spec(&fmt, &sp, &args);

        switch (*fmt) {
        case 'd':
        case 'i':
            format_signed(&o, &sp, &args);
            break;
        case 'u':
            format_number(&o, &sp, fetch_unsigned(&sp, &args), false, 10, false, false);
            break;
        case 'o':
            format_number(&o, &sp, fetch_unsigned(&sp, &args), false, 8, false, false);
            break;
        case 'x':
        case 'X':
            format_number(&o, &sp, fetch_unsigned(&sp, &args), false, 16, *fmt == 'X', false);
            break;
        case 'p':
            format_pointer(&o, &sp, va_arg(args, const void *));
            break;
        case 'c':
        case 's':
            if (sp.length != LEN_NONE) {
                /* %lc and %ls take wide characters, which the kernel has none of. */
                goto unknown;
            }
            if (*fmt == 'c') {
                format_char(&o, &sp, (char)va_arg(args, int));
            } else {
                format_string(&o, &sp, va_arg(args, const char *));
            }
            break;
        case '%':
            /* glibc ignores flags and width here; so do we. */
            put_char(&o, '%');
            break;
        case '\0':
            /* The format ended inside a conversion: show what there was. */
            put_chars(&o, start, (size_t)(fmt - start));
            continue;
        default:
        unknown:
            put_chars(&o, start, (size_t)(fmt - start) + 1);
            break;
        }
        fmt++;
    }
    va_end(args);

    if (size > 0) {
        buf[o.pos < size ? o.pos : size - 1] = '\0';
    }
    /* An int cannot say more; C would make this an error, a log line is better cut. */
    return o.pos > (size_t)FIELD_MAX ? FIELD_MAX : (int)o.pos;
}

int kite_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = kite_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
