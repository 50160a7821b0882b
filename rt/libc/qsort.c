/* SPDX-License-Identifier: MIT */
/*
 * qsort as introsort: quicksort with a median-of-three pivot, insertion sort
 * for short ranges, and heapsort once the recursion gets deeper than
 * 2 log2(n), so no input (sorted, reversed, all equal, built against the
 * pivot rule) takes more than O(n log n) comparisons. The stack holds one
 * frame per halving: the smaller side is recursed into, the larger looped
 * on. Not stable. bsearch is the plain binary search.
 */
#include <stdlib.h>

#include "libc_priv.h"

#define INSERTION_MAX 12

typedef int (*cmp_fn)(const void *, const void *);

struct sorter {
    size_t size;
    cmp_fn cmp;
};

static void swap(const struct sorter *st, char *a, char *b)
{
    if (a == b) {
        return;
    }
    for (size_t i = 0; i < st->size; i++) {
        char t = a[i];

        a[i] = b[i];
        b[i] = t;
    }
}

static char *at(const struct sorter *st, char *base, size_t i)
{
    return base + i * st->size;
}

static void insertion_sort(const struct sorter *st, char *base, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && st->cmp(at(st, base, j - 1), at(st, base, j)) > 0; j--) {
            swap(st, at(st, base, j - 1), at(st, base, j));
        }
    }
}

static void sift_down(const struct sorter *st, char *base, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2 * root + 1;

        if (child >= n) {
            return;
        }
        if (child + 1 < n && st->cmp(at(st, base, child), at(st, base, child + 1)) < 0) {
            child++;
        }
        if (st->cmp(at(st, base, root), at(st, base, child)) >= 0) {
            return;
        }
        swap(st, at(st, base, root), at(st, base, child));
        root = child;
    }
}

static void heap_sort(const struct sorter *st, char *base, size_t n)
{
    for (size_t i = n / 2; i > 0; i--) {
        sift_down(st, base, i - 1, n);
    }
    for (size_t end = n - 1; end > 0; end--) {
        swap(st, base, at(st, base, end));
        sift_down(st, base, 0, end);
    }
}

/* Order the first, middle and last elements, then put the median first as the pivot. */
static void choose_pivot(const struct sorter *st, char *base, size_t n)
{
    char *lo = base, *mid = at(st, base, n / 2), *hi = at(st, base, n - 1);

    if (st->cmp(mid, lo) < 0) {
        swap(st, mid, lo);
    }
    if (st->cmp(hi, mid) < 0) {
        swap(st, hi, mid);
        if (st->cmp(mid, lo) < 0) {
            swap(st, mid, lo);
        }
    }
    swap(st, base, mid);
}

/*
 * Hoare partition around base[0]; both scans stop on elements equal to the
 * pivot, so runs of equal keys split evenly. Returns the pivot's final index.
 */
static size_t partition(const struct sorter *st, char *base, size_t n)
{
    size_t i = 0, j = n;

    for (;;) {
        do {
            i++;
        } while (i < n && st->cmp(at(st, base, i), base) < 0);
        do {
            j--;
        } while (st->cmp(at(st, base, j), base) > 0);
        if (i >= j) {
            break;
        }
        swap(st, at(st, base, i), at(st, base, j));
    }
    swap(st, base, at(st, base, j));
    return j;
}

static void intro_sort(const struct sorter *st, char *base, size_t n, unsigned int depth)
{
    while (n > INSERTION_MAX) {
        size_t p;

        if (depth-- == 0) {
            heap_sort(st, base, n);
            return;
        }
        choose_pivot(st, base, n);
        p = partition(st, base, n);
        if (p < n - p - 1) {
            intro_sort(st, base, p, depth);
            base = at(st, base, p + 1);
            n -= p + 1;
        } else {
            intro_sort(st, at(st, base, p + 1), n - p - 1, depth);
            n = p;
        }
    }
    insertion_sort(st, base, n);
}

void LIBC_NAME(qsort)(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    struct sorter st = {size, cmp};
    unsigned int depth = 0;

    if (n < 2 || size == 0) {
        return;
    }
    for (size_t m = n; m > 1; m >>= 1) {
        depth += 2;
    }
    intro_sort(&st, base, n, depth);
}

void *LIBC_NAME(bsearch)(const void *key, const void *base, size_t n, size_t size,
                         int (*cmp)(const void *, const void *))
{
    const char *lo = base;

    while (n > 0) {
        const char *mid = lo + (n / 2) * size;
        int c = cmp(key, mid);

        if (c == 0) {
            return (void *)mid;
        }
        if (c > 0) {
            lo = mid + size;
            n -= n / 2 + 1;
        } else {
            n /= 2;
        }
    }
    return NULL;
}
