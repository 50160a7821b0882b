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
