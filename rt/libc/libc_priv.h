/* SPDX-License-Identifier: MIT */
/*
 * Private to rt/libc. The libc's pure functions are also built on the host
 * for the unit tests, next to glibc's, so they are defined through
 * LIBC_NAME(x): the standard name x in the image, kite_libc_x in a host test
 * (KITE_HOST_TEST). In the image the declarations below repeat those of the
 * public headers (the compiler checks they agree); on the host they declare
 * the prefixed names, and the standard headers there are glibc's.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef KITE_HOST_TEST
#define LIBC_NAME(x) kite_libc_##x
#else
#define LIBC_NAME(x) x
#endif

#include <stdarg.h>

/* ctype.c */
int LIBC_NAME(isalnum)(int c);
int LIBC_NAME(isalpha)(int c);
int LIBC_NAME(isblank)(int c);
int LIBC_NAME(iscntrl)(int c);
int LIBC_NAME(isdigit)(int c);
int LIBC_NAME(isgraph)(int c);
int LIBC_NAME(islower)(int c);
int LIBC_NAME(isprint)(int c);
int LIBC_NAME(ispunct)(int c);
int LIBC_NAME(isspace)(int c);
int LIBC_NAME(isupper)(int c);
int LIBC_NAME(isxdigit)(int c);
int LIBC_NAME(isascii)(int c);
int LIBC_NAME(tolower)(int c);
int LIBC_NAME(toupper)(int c);

/* string.c */
void *LIBC_NAME(memchr)(const void *s, int c, size_t n);
char *LIBC_NAME(strcpy)(char *restrict dst, const char *restrict src);
char *LIBC_NAME(strncpy)(char *restrict dst, const char *restrict src, size_t n);
char *LIBC_NAME(strcat)(char *restrict dst, const char *restrict src);
char *LIBC_NAME(strncat)(char *restrict dst, const char *restrict src, size_t n);
size_t LIBC_NAME(strspn)(const char *s, const char *accept);
size_t LIBC_NAME(strcspn)(const char *s, const char *reject);
char *LIBC_NAME(strpbrk)(const char *s, const char *accept);
char *LIBC_NAME(strtok_r)(char *restrict s, const char *restrict delim, char **restrict save);
char *LIBC_NAME(strtok)(char *restrict s, const char *restrict delim);
char *LIBC_NAME(stpcpy)(char *restrict dst, const char *restrict src);
void *LIBC_NAME(memmem)(const void *hay, size_t hay_len, const void *needle, size_t needle_len);
int LIBC_NAME(strcasecmp)(const char *a, const char *b);
int LIBC_NAME(strncasecmp)(const char *a, const char *b, size_t n);

/* strtol.c */
long LIBC_NAME(strtol)(const char *restrict s, char **restrict end, int base);
unsigned long LIBC_NAME(strtoul)(const char *restrict s, char **restrict end, int base);
long long LIBC_NAME(strtoll)(const char *restrict s, char **restrict end, int base);
unsigned long long LIBC_NAME(strtoull)(const char *restrict s, char **restrict end, int base);
intmax_t LIBC_NAME(strtoimax)(const char *restrict s, char **restrict end, int base);
uintmax_t LIBC_NAME(strtoumax)(const char *restrict s, char **restrict end, int base);
int LIBC_NAME(atoi)(const char *s);
long LIBC_NAME(atol)(const char *s);
long long LIBC_NAME(atoll)(const char *s);

/* strtod.c */
double LIBC_NAME(strtod)(const char *restrict s, char **restrict end);
float LIBC_NAME(strtof)(const char *restrict s, char **restrict end);
double LIBC_NAME(atof)(const char *s);

/* qsort.c */
void LIBC_NAME(qsort)(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
void *LIBC_NAME(bsearch)(const void *key, const void *base, size_t n, size_t size,
                         int (*cmp)(const void *, const void *));

/* printf.c */
int LIBC_NAME(vsnprintf)(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int LIBC_NAME(snprintf)(char *restrict buf, size_t size, const char *restrict fmt, ...)
    __attribute__((format(printf, 3, 4)));
int LIBC_NAME(vsprintf)(char *restrict buf, const char *restrict fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
int LIBC_NAME(sprintf)(char *restrict buf, const char *restrict fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The output cursor of the string formatters (printf.c, printf_float.c):
 * @pos counts on past @size, so the caller learns how long the whole output
 * would have been; the last byte of @buf is kept for the NUL.
 */
struct libc_out {
    char *buf;
    size_t size;
    size_t pos;
};

static inline void libc_out_char(struct libc_out *o, char c)
{
    if (o->pos + 1 < o->size) {
        o->buf[o->pos] = c;
    }
    o->pos++;
}

static inline void libc_out_chars(struct libc_out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        libc_out_char(o, s[i]);
    }
}

static inline void libc_out_fill(struct libc_out *o, char c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        libc_out_char(o, c);
    }
}

/* printf's flags. */
#define LIBC_FL_LEFT  0x01 /* '-' */
#define LIBC_FL_PLUS  0x02 /* '+' */
#define LIBC_FL_SPACE 0x04 /* ' ' */
#define LIBC_FL_ALT   0x08 /* '#' */
#define LIBC_FL_ZERO  0x10 /* '0' */

/* One floating-point conversion: @conv is one of f F e E g G a A. */
struct libc_float_spec {
    unsigned int flags;
    int width;     /* 0 when absent */
    int precision; /* -1 when absent */
    char conv;
};

enum libc_float_kind { LIBC_FLOAT_FINITE, LIBC_FLOAT_INF, LIBC_FLOAT_NAN };

/*
 * A double or an x87 long double taken apart: a finite value is
 * (-1)^@neg * @mant * 2^@exp exactly (@mant 0 for a zero). @ldbl says which
 * type it was, which %a needs: glibc prints a double's hex digits after a
 * leading 1 bit and a long double's after a leading 4-bit digit.
 */
struct libc_float {
    enum libc_float_kind kind;
    bool neg;
    bool ldbl;
    uint64_t mant;
    int exp;
};

/*
 * printf_float.c: format @v as glibc does. False only when the memory for a
 * long double's exact digits could not be had (errno ENOMEM); a double
 * needs none.
 */
bool kite_libc_format_float(struct libc_out *o, const struct libc_float_spec *sp,
                            const struct libc_float *v);
