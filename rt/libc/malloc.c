/* SPDX-License-Identifier: MIT */
/*
 * The malloc family over the Kite heap (mm/heap.c): blocks on the calling
 * CPU's node, 16-byte aligned, freed from any CPU. Adds what C asks on top:
 * errno ENOMEM on failure, a unique pointer for malloc(0), overflow checks.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kite/mm.h>

void *malloc(size_t size)
{
    void *p = kite_malloc(size ? size : 1);

    if (!p) {
        errno = ENOMEM;
    }
    return p;
}

void *calloc(size_t count, size_t size)
{
    void *p;

    if (size != 0 && count > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    p = kite_calloc(count ? count : 1, size ? size : 1);
    if (!p) {
        errno = ENOMEM;
    }
    return p;
}

/*
 * realloc(NULL, n) is malloc(n). realloc(p, 0) keeps a minimal block, as
 * malloc(0) gives one, rather than freeing p and returning NULL (glibc's
 * choice): C leaves this to the implementation, and a NULL here would read
 * as a failure that left p allocated.
 */
void *realloc(void *ptr, size_t size)
{
    void *p = kite_realloc(ptr, size ? size : 1);

    if (!p) {
        errno = ENOMEM;
    }
    return p;
}

void free(void *ptr)
{
    kite_free(ptr);
}

void *aligned_alloc(size_t align, size_t size)
{
    void *p;

    if (align == 0 || (align & (align - 1)) != 0) {
        errno = EINVAL;
        return NULL;
    }
    p = kite_aligned_alloc(align, size ? size : 1);
    if (!p) {
        errno = ENOMEM;
    }
    return p;
}

int posix_memalign(void **out, size_t align, size_t size)
{
    void *p;

    if (align < sizeof(void *) || (align & (align - 1)) != 0) {
        return EINVAL;
    }
    p = kite_aligned_alloc(align, size ? size : 1);
    if (!p) {
        return ENOMEM;
    }
    *out = p;
    return 0;
}

char *strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *d = malloc(len + 1);

    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

char *strdup(const char *s)
{
    return strndup(s, SIZE_MAX - 1);
}
