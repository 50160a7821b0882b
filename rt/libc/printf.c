/* SPDX-License-Identifier: MIT */
/*
 * The string formatters of stdio.h. This walks the format itself: each
 * integer, character, string and pointer conversion is handed, with its
 * argument, to the kernel's formatter (kernel/vsnprintf.c), so the log and
 * runtime code print them alike; the floating-point ones go to
 * printf_float.c. Both are checked against glibc by the host tests
 * (rt/libc/tests/printf_utest.c, printf_float_utest.c).
 *
 * Built with SSE allowed (rt/Makefile): va_arg of a double reads an XMM
 * register's save slot.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <kite/printk.h>

#include "libc_priv.h"

/* Width and precision are capped here so that parsing them cannot overflow. */
#define FIELD_MAX INT_MAX

static int parse_decimal(const char **fmt)
{
    int v = 0;

    while (**fmt >= '0' && **fmt <= '9') {
        int d = *(*fmt)++ - '0';

        v = (v > (FIELD_MAX - d) / 10) ? FIELD_MAX : v * 10 + d;
    }
    return v;
}

/* Format one non-float conversion (@spec rebuilt with its '*' values) at @o. */
static void sub_format(struct libc_out *o, const char *spec, ...)
{
    bool room = o->pos < o->size;
    va_list ap;
    int n;

    va_start(ap, spec);
    n = kite_vsnprintf(room ? o->buf + o->pos : NULL, room ? o->size - o->pos : 0, spec, ap);
    va_end(ap);
    o->pos += (size_t)n;
}

static void take_double(struct libc_float *v, double d)
{
    uint64_t bits;
    unsigned int e;
    uint64_t f;

    memcpy(&bits, &d, sizeof(bits));
    e = (unsigned int)(bits >> 52) & 0x7ff;
    f = bits & ((1ull << 52) - 1);
    v->neg = (bits >> 63) != 0;
    v->ldbl = false;
    v->kind = LIBC_FLOAT_FINITE;
    if (e == 0x7ff) {
        v->kind = f ? LIBC_FLOAT_NAN : LIBC_FLOAT_INF;
    } else if (e == 0) {
        v->mant = f;
        v->exp = -1074;
    } else {
        v->mant = f | (1ull << 52);
        v->exp = (int)e - 1075;
    }
}

/*
 * An x87 long double: a 64-bit mantissa with an explicit integer bit, then
 * the sign and a 15-bit exponent. Encodings the x87 itself rejects (an
 * integer bit of 0 with a nonzero exponent) print as nan, as glibc's do.
 */
static void take_long_double(struct libc_float *v, long double ld)
{
    uint64_t m;
    uint16_t se;
    unsigned int e;

    memcpy(&m, &ld, sizeof(m));
    memcpy(&se, (const char *)&ld + sizeof(m), sizeof(se));
    e = se & 0x7fffu;
    v->neg = (se >> 15) != 0;
    v->ldbl = true;
    v->kind = LIBC_FLOAT_FINITE;
    if (e == 0x7fff) {
        /* Only the integer bit alone is infinity; without it (pseudo-infinity), nan. */
        v->kind = m == 1ull << 63 ? LIBC_FLOAT_INF : LIBC_FLOAT_NAN;
    } else if (e == 0) {
        v->mant = m;
        v->exp = -16445;
    } else if ((m >> 63) == 0) {
        v->kind = LIBC_FLOAT_NAN;
    } else {
        v->mant = m;
        v->exp = (int)e - 16383 - 63;
    }
}

/*
 * An integer argument of the given length, narrowed as C says (hh, h) and
 * widened to 64 bits: none, hh and h arrive as an int, the others (l ll z t
 * j, and glibc's L and q for long long) are 64 bits here.
 */
static long long fetch_int(va_list *ap, const char *length, bool is_signed)
{
    if (length[0] != '\0' && length[0] != 'h') {
        return va_arg(*ap, long long);
    }
    int v = va_arg(*ap, int);

    if (length[0] == 'h' && length[1] == 'h') {
        return is_signed ? (long long)(signed char)v : (long long)(unsigned char)v;
    }
    if (length[0] == 'h') {
        return is_signed ? (long long)(short)v : (long long)(unsigned short)v;
    }
    return is_signed ? (long long)v : (long long)(unsigned int)v;
}

static bool is_float_conv(char c)
{
    return c == 'f' || c == 'F' || c == 'e' || c == 'E' || c == 'g' || c == 'G' || c == 'a' ||
           c == 'A';
}

static bool is_int_conv(char c)
{
    return c == 'd' || c == 'i' || c == 'u' || c == 'o' || c == 'x' || c == 'X';
}

int LIBC_NAME(vsnprintf)(char *restrict buf, size_t size, const char *restrict format, va_list ap)
{
    const char *fmt = format;
    struct libc_out o = {.buf = buf, .size = size, .pos = 0};
    va_list args;

    va_copy(args, ap);
    while (*fmt != '\0') {
        const char *start = fmt;
        unsigned int flags = 0;
        int width = 0;
        int precision = -1;
        char length[3] = "";
        char spec[48];
        size_t sl = 0;

        if (*fmt != '%') {
            libc_out_char(&o, *fmt++);
            continue;
        }
        for (fmt++;; fmt++) {
            if (*fmt == '-') {
                flags |= LIBC_FL_LEFT;
            } else if (*fmt == '+') {
                flags |= LIBC_FL_PLUS;
            } else if (*fmt == ' ') {
                flags |= LIBC_FL_SPACE;
            } else if (*fmt == '#') {
                flags |= LIBC_FL_ALT;
            } else if (*fmt == '0') {
                flags |= LIBC_FL_ZERO;
            } else {
                break;
            }
        }
        if (*fmt == '*') {
            int w = va_arg(args, int);

            fmt++;
            /* A negative '*' width is a '-' flag with a positive width. */
            if (w < 0) {
                flags |= LIBC_FL_LEFT;
                w = (w == INT_MIN) ? FIELD_MAX : -w;
            }
            width = w;
        } else {
            width = parse_decimal(&fmt);
        }
        if (*fmt == '.') {
            fmt++;
            if (*fmt == '*') {
                int p = va_arg(args, int);

                fmt++;
                /* A negative '*' precision counts as none given. */
                precision = p < 0 ? -1 : p;
            } else {
                precision = parse_decimal(&fmt);
            }
        }
        /* The length: hh h l ll z t j as the kernel knows them, and glibc's L and q. */
        if ((fmt[0] == 'h' && fmt[1] == 'h') || (fmt[0] == 'l' && fmt[1] == 'l')) {
            length[0] = fmt[0];
            length[1] = fmt[1];
            fmt += 2;
        } else if (*fmt == 'h' || *fmt == 'l' || *fmt == 'z' || *fmt == 't' || *fmt == 'j' ||
                   *fmt == 'L' || *fmt == 'q') {
            length[0] = *fmt++;
        }

        if (is_float_conv(*fmt)) {
            struct libc_float_spec fs = {
                .flags = flags, .width = width, .precision = precision, .conv = *fmt};
            struct libc_float v;

            /* glibc reads a long double for L, q and ll alike. */
            if (length[0] == 'L' || length[0] == 'q' || (length[0] == 'l' && length[1] == 'l')) {
                take_long_double(&v, va_arg(args, long double));
            } else {
                take_double(&v, va_arg(args, double));
            }
            if (!kite_libc_format_float(&o, &fs, &v)) {
                va_end(args);
                return -1;
            }
            fmt++;
            continue;
        }
        if (*fmt == '\0') {
            /* The format ended inside a conversion: show what there was. */
            libc_out_chars(&o, start, (size_t)(fmt - start));
            continue;
        }
        if (*fmt == '%') {
            /* glibc ignores flags and width here; so does the kernel. */
            libc_out_char(&o, '%');
            fmt++;
            continue;
        }
        if (!is_int_conv(*fmt) && *fmt != 'p' &&
            !((*fmt == 'c' || *fmt == 's') && length[0] == '\0')) {
            /* As the kernel does: %n, %lc, %ls and unknown letters are printed as written. */
            libc_out_chars(&o, start, (size_t)(fmt - start) + 1);
            fmt++;
            continue;
        }
        /* Rebuild the conversion with the '*' values in it for the kernel's formatter. */
        spec[sl++] = '%';
        for (unsigned int i = 0; i < 5; i++) {
            if (flags & (1u << i)) {
                spec[sl++] = "-+ #0"[i];
            }
        }
        if (width > 0) {
            sl += (size_t)kite_snprintf(spec + sl, sizeof(spec) - sl, "%d", width);
        }
        if (precision >= 0) {
            sl += (size_t)kite_snprintf(spec + sl, sizeof(spec) - sl, ".%d", precision);
        }
        if (is_int_conv(*fmt)) {
            /* The argument is read and narrowed here, then printed as a long long. */
            kite_snprintf(spec + sl, sizeof(spec) - sl, "ll%c", *fmt);
            sub_format(&o, spec, fetch_int(&args, length, *fmt == 'd' || *fmt == 'i'));
        } else if (*fmt == 'c') {
            int c = va_arg(args, int);

            kite_snprintf(spec + sl, sizeof(spec) - sl, "c");
            sub_format(&o, spec, c);
        } else {
            /* %s, or %p (whose length, if any, glibc ignores too). */
            const void *p = va_arg(args, const void *);

            kite_snprintf(spec + sl, sizeof(spec) - sl, "%c", *fmt);
            sub_format(&o, spec, p);
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

int LIBC_NAME(snprintf)(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = LIBC_NAME(vsnprintf)(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* C gives sprintf no size: the buffer is trusted to be large enough. */
int LIBC_NAME(vsprintf)(char *restrict buf, const char *restrict fmt, va_list ap)
{
    return LIBC_NAME(vsnprintf)(buf, INT_MAX, fmt, ap);
}

int LIBC_NAME(sprintf)(char *restrict buf, const char *restrict fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = LIBC_NAME(vsprintf)(buf, fmt, ap);
    va_end(ap);
    return n;
}
