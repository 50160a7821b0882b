/* SPDX-License-Identifier: MIT */
/*
 * String and memory functions. The first group is the kernel's own
 * (kernel/string.c, declared again here with the standard prototypes); the
 * rest are the libc's (rt/libc/string.c).
 */
#pragma once

#include <stddef.h>

/* kernel/string.c */
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
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);

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
/* On the Kite heap (malloc); NULL and errno ENOMEM when it is full. */
char *strdup(const char *s);
char *strndup(const char *s, size_t n);
/* "Invalid argument" and the like; never NULL. */
char *strerror(int err);
