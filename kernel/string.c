/* SPDX-License-Identifier: MIT */
/*
 * The kernel's memory and string functions (include/kite/string.h) and
 * kite_strerror. The kernel has no C library, and gcc emits calls to memcpy,
 * memset, memmove and memcmp on its own, so these must exist and must be
 * plain C that works in any context. Kernel only: host tests use the C
 * library's.
 */
#include <kite/compiler.h>
#include <kite/errno.h>
#include <kite/string.h>
#include <kite/types.h>

/*
 * gcc recognises a copy or fill loop and replaces it with a call to memcpy or
 * memset, which here would be the function calling itself forever. Functions
 * with such loops turn that pattern matching off.
 */
#ifdef __clang__
#define NO_LIBCALL_LOOPS __attribute__((no_builtin))
#else
#define NO_LIBCALL_LOOPS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif

/* A word that may alias any object, so that word-wise copies stay defined C. */
typedef uint64_t __attribute__((may_alias)) word_t;

#define WORD_SIZE sizeof(word_t)

static bool words_aligned(const void *a, const void *b)
{
    return (((uintptr_t)a | (uintptr_t)b) & (WORD_SIZE - 1)) == 0;
}

NO_LIBCALL_LOOPS void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (words_aligned(d, s)) {
        for (; n >= WORD_SIZE; n -= WORD_SIZE, d += WORD_SIZE, s += WORD_SIZE) {
            *(word_t *)(void *)d = *(const word_t *)(const void *)s;
        }
    }
    while (n-- > 0) {
        *d++ = *s++;
    }
    return dst;
}

NO_LIBCALL_LOOPS void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    /* Copying forwards is safe unless the destination starts inside the source. */
    if ((uintptr_t)d - (uintptr_t)s >= n) {
        while (n-- > 0) {
            *d++ = *s++;
        }
        return dst;
    }
    d += n;
    s += n;
    while (n-- > 0) {
        *--d = *--s;
    }
    return dst;
}

NO_LIBCALL_LOOPS void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;

    if (words_aligned(d, d)) {
        word_t w = (unsigned char)c * (uint64_t)0x0101010101010101;

        for (; n >= WORD_SIZE; n -= WORD_SIZE, d += WORD_SIZE) {
            *(word_t *)(void *)d = w;
        }
    }
    while (n-- > 0) {
        *d++ = (unsigned char)c;
    }
    return dst;
}

NO_LIBCALL_LOOPS int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a;
    const unsigned char *y = b;

    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) {
            return x[i] < y[i] ? -1 : 1;
        }
    }
    return 0;
}

NO_LIBCALL_LOOPS size_t strlen(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0') {
        n++;
    }
    return n;
}

NO_LIBCALL_LOOPS size_t strnlen(const char *s, size_t maxlen)
{
    size_t n = 0;

    while (n < maxlen && s[n] != '\0') {
        n++;
    }
    return n;
}

/* Characters compare as unsigned char, as C requires. */
NO_LIBCALL_LOOPS int strcmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;

    while (*x != '\0' && *x == *y) {
        x++;
        y++;
    }
    return (*x > *y) - (*x < *y);
}

NO_LIBCALL_LOOPS int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;

    for (; n > 0; n--, x++, y++) {
        if (*x != *y || *x == '\0') {
            return (*x > *y) - (*x < *y);
        }
    }
    return 0;
}

/* The terminating NUL counts as part of the string, so strchr(s, 0) finds it. */
NO_LIBCALL_LOOPS char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c) {
            return (char *)s;
        }
        if (*s == '\0') {
            return NULL;
        }
    }
}

NO_LIBCALL_LOOPS char *strrchr(const char *s, int c)
{
    const char *last = NULL;

    for (;; s++) {
        if (*s == (char)c) {
            last = s;
        }
        if (*s == '\0') {
            return (char *)last;
        }
    }
}

NO_LIBCALL_LOOPS char *strstr(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);

    for (; *haystack != '\0' || n == 0; haystack++) {
        if (strncmp(haystack, needle, n) == 0) {
            return (char *)haystack;
        }
    }
    return NULL;
}

NO_LIBCALL_LOOPS size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
    size_t len = strlen(src);

    if (size > 0) {
        size_t n = len < size - 1 ? len : size - 1;

        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

const char *kite_strerror(int err)
{
    /* In unsigned arithmetic so that INT_MIN has a magnitude too. */
    unsigned int code = err < 0 ? 0u - (unsigned int)err : (unsigned int)err;

    switch (code) {
    case KITE_EPERM:
        return "EPERM";
    case KITE_ENOENT:
        return "ENOENT";
    case KITE_ESRCH:
        return "ESRCH";
    case KITE_EIO:
        return "EIO";
    case KITE_E2BIG:
        return "E2BIG";
    case KITE_EAGAIN:
        return "EAGAIN";
    case KITE_ENOMEM:
        return "ENOMEM";
    case KITE_EFAULT:
        return "EFAULT";
    case KITE_EBUSY:
        return "EBUSY";
    case KITE_EEXIST:
        return "EEXIST";
    case KITE_ENODEV:
        return "ENODEV";
    case KITE_EINVAL:
        return "EINVAL";
    case KITE_ENOSPC:
        return "ENOSPC";
    case KITE_ERANGE:
        return "ERANGE";
    case KITE_EDEADLK:
        return "EDEADLK";
    case KITE_ENOSYS:
        return "ENOSYS";
    case KITE_ETIMEDOUT:
        return "ETIMEDOUT";
    default:
        return "E?";
    }
}
