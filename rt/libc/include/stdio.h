/* SPDX-License-Identifier: MIT */
/*
 * Formatted output (rt/libc/). stdout and stderr write to Kite's consoles,
 * in order with the log but without its prefix: a stream buffers one line
 * and writes it at '\n', when full, and at fflush; stderr is unbuffered.
 * There is no input and no files.
 *
 * Formats: C99 printf for d i u x X o c s p % and f F e E g G a A, flags
 * - + space # 0, width and precision (also *), lengths hh h l ll z t j, and
 * L (long double, as are q and ll on a float conversion), matching glibc
 * byte for byte: floating-point digits are exact and rounded to nearest,
 * ties to even. %n, %lc and %ls are printed as written, consuming nothing.
 * A long double with a large exponent needs heap memory for its digits;
 * without it the call returns -1 with errno ENOMEM.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

#define EOF    (-1)
#define BUFSIZ 256

typedef struct kite_libc_file FILE;

extern FILE *const stdout;
extern FILE *const stderr;
#define stdout stdout
#define stderr stderr

int printf(const char *restrict fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *restrict fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int fprintf(FILE *restrict f, const char *restrict fmt, ...) __attribute__((format(printf, 2, 3)));
int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int sprintf(char *restrict buf, const char *restrict fmt, ...)
    __attribute__((format(printf, 2, 3)));
int vsprintf(char *restrict buf, const char *restrict fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

int fputc(int c, FILE *f);
int putc(int c, FILE *f);
int putchar(int c);
int fputs(const char *restrict s, FILE *restrict f);
/* @n items of @size bytes; returns @n (the consoles take everything). */
size_t fwrite(const void *restrict p, size_t size, size_t n, FILE *restrict f);
/* "@s: " (when @s is neither NULL nor empty), strerror(errno) and a newline, on stderr. */
void perror(const char *s);
/* @s and a newline. */
int puts(const char *s);
int fflush(FILE *f);
