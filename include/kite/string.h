/* SPDX-License-Identifier: MIT */
/*
 * The C string and memory functions the kernel uses, with their standard
 * prototypes and meaning, so that calls gcc emits on its own (struct copies,
 * zeroing) land here too. kernel/string.c defines them for the kernel; host
 * builds of the pure code link the C library's instead.
 */
#pragma once

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);

/*
 * Copy @src into @dst (@size bytes) as BSD does: at most @size - 1 characters,
 * always NUL-terminated when @size > 0. Returns strlen(@src); a result >= @size
 * means the copy was cut.
 */
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);

/* The value of hex digit @c (0-9, a-f, A-F), or -1 when it is not one. */
static inline int kite_hex_digit(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}
