/* SPDX-License-Identifier: MIT */
/*
 * String and memory functions: the kernel's own (kernel/string.c, through
 * <kite/string.h>) and the libc's (rt/libc/string.c).
 */
#pragma once

#include <stddef.h>

/* The kernel's own (kernel/string.c): one set of prototypes, shared with the kernel. */
#include <kite/string.h>

/* rt/libc/string.c */
void *memchr(const void *s, int c, size_t n);
char *strcpy(char *restrict dst, const char *restrict src);
char *strncpy(char *restrict dst, const char *restrict src, size_t n);
char *strcat(char *restrict dst, const char *restrict src);
char *strncat(char *restrict dst, const char *restrict src, size_t n);
size_t strspn(const char *s, const char *accept);
size_t strcspn(const char *s, const char *reject);
char *strpbrk(const char *s, const char *accept);
char *strtok_r(char *restrict s, const char *restrict delim, char **restrict save);
/* One saved position for all threads: strtok_r is the one for threads. */
char *strtok(char *restrict s, const char *restrict delim);
/* Copies @src and returns the end of @dst (its NUL). */
char *stpcpy(char *restrict dst, const char *restrict src);
/* The first @needle_len bytes equal to @needle in @hay, or NULL; @hay itself for an empty needle.
 */
void *memmem(const void *hay, size_t hay_len, const void *needle, size_t needle_len);

/* strings.h's, here too as in glibc */
#include <strings.h>
/* On the Kite heap (malloc); NULL and errno ENOMEM when it is full. */
char *strdup(const char *s);
char *strndup(const char *s, size_t n);
/* "Invalid argument" and the like; never NULL. */
char *strerror(int err);
