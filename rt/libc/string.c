/* SPDX-License-Identifier: MIT */
/*
 * string.h beyond what the kernel already has (kernel/string.c holds memcpy,
 * strlen, strcmp and the like; the image must define each name once).
 * strdup and strndup are in malloc.c, strerror in errno.c.
 */
#include <stdbool.h>
#include <string.h>

#include "libc_priv.h"

void *LIBC_NAME(memchr)(const void *s, int c, size_t n)
{
    const unsigned char *p = s;

    for (size_t i = 0; i < n; i++) {
        if (p[i] == (unsigned char)c) {
            return (void *)(p + i);
        }
    }
    return NULL;
}

char *LIBC_NAME(strcpy)(char *restrict dst, const char *restrict src)
{
    char *d = dst;

    while ((*d++ = *src++) != '\0') {
    }
    return dst;
}

/* Copies at most @n characters and pads with NULs to @n; no NUL if @src is that long. */
char *LIBC_NAME(strncpy)(char *restrict dst, const char *restrict src, size_t n)
{
    size_t i = 0;

    for (; i < n && src[i] != '\0'; i++) {
        dst[i] = src[i];
    }
    for (; i < n; i++) {
        dst[i] = '\0';
    }
    return dst;
}

char *LIBC_NAME(strcat)(char *restrict dst, const char *restrict src)
{
    LIBC_NAME(strcpy)(dst + strlen(dst), src);
    return dst;
}

/* Appends at most @n characters of @src, then always a NUL. */
char *LIBC_NAME(strncat)(char *restrict dst, const char *restrict src, size_t n)
{
    char *d = dst + strlen(dst);
    size_t i = 0;

    for (; i < n && src[i] != '\0'; i++) {
        d[i] = src[i];
    }
    d[i] = '\0';
    return dst;
}

static bool in_set(char c, const char *set)
{
    for (; *set != '\0'; set++) {
        if (*set == c) {
            return true;
        }
    }
    return false;
}

size_t LIBC_NAME(strspn)(const char *s, const char *accept)
{
    size_t n = 0;

    while (s[n] != '\0' && in_set(s[n], accept)) {
        n++;
    }
    return n;
}

size_t LIBC_NAME(strcspn)(const char *s, const char *reject)
{
    size_t n = 0;

    while (s[n] != '\0' && !in_set(s[n], reject)) {
        n++;
    }
    return n;
}

char *LIBC_NAME(strpbrk)(const char *s, const char *accept)
{
    s += LIBC_NAME(strcspn)(s, accept);
    return *s != '\0' ? (char *)s : NULL;
}

/*
 * Tokens of @s separated by runs of @delim characters; @s NULL continues
 * from *@save. Writes a NUL over the delimiter that ends each token.
 */
char *LIBC_NAME(strtok_r)(char *restrict s, const char *restrict delim, char **restrict save)
{
    char *end;

    if (!s && (s = *save) == NULL) {
        return NULL; /* continued before it was started */
    }
    s += LIBC_NAME(strspn)(s, delim);
    if (*s == '\0') {
        *save = s;
        return NULL;
    }
    end = s + LIBC_NAME(strcspn)(s, delim);
    if (*end != '\0') {
        *end++ = '\0';
    }
    *save = end;
    return s;
}

/* Not reentrant (one position for every thread): use strtok_r in threads. */
char *LIBC_NAME(strtok)(char *restrict s, const char *restrict delim)
{
    static char *save;

    return LIBC_NAME(strtok_r)(s, delim, &save);
}

char *LIBC_NAME(stpcpy)(char *restrict dst, const char *restrict src)
{
    while ((*dst = *src++) != '\0') {
        dst++;
    }
    return dst;
}

void *LIBC_NAME(memmem)(const void *hay, size_t hay_len, const void *needle, size_t needle_len)
{
    const unsigned char *h = hay, *n = needle;

    if (needle_len == 0) {
        return (void *)h;
    }
    for (size_t i = 0; needle_len <= hay_len && i <= hay_len - needle_len; i++) {
        if (h[i] == n[0] && memcmp(h + i, n, needle_len) == 0) {
            return (void *)(h + i);
        }
    }
    return NULL;
}

static int lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int LIBC_NAME(strncasecmp)(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int ca = lower((unsigned char)a[i]), cb = lower((unsigned char)b[i]);

        if (ca != cb || ca == '\0') {
            return ca - cb;
        }
    }
    return 0;
}

int LIBC_NAME(strcasecmp)(const char *a, const char *b)
{
    return LIBC_NAME(strncasecmp)(a, b, (size_t)-1);
}
