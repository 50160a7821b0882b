/* SPDX-License-Identifier: MIT */
/*
 * Host unit test of qsort and bsearch (rt/libc/qsort.c). Arrays of many
 * shapes (random, sorted, reversed, all equal, few distinct keys, organ
 * pipe, sawtooth, and an input built against median-of-three) and element
 * sizes are sorted and compared with a reference (a counting merge sort
 * written here); the comparison count must stay within c * n log2 n, which
 * a quadratic quicksort on these inputs would break.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../libc_priv.h"

static unsigned long comparisons;

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    comparisons++;
    return (x > y) - (x < y);
}

/* A 24-byte element with the key in the middle: tests element moves of odd sizes. */
struct wide {
    char pad[10];
    int key;
    char tail[10];
};

static int cmp_wide(const void *a, const void *b)
{
    const struct wide *x = a, *y = b;

    comparisons++;
    return (x->key > y->key) - (x->key < y->key);
}

static void merge_sort(int *a, int *tmp, size_t n)
{
    size_t mid = n / 2, i = 0, j = mid, k = 0;

    if (n < 2) {
        return;
    }
    merge_sort(a, tmp, mid);
    merge_sort(a + mid, tmp, n - mid);
    while (i < mid || j < n) {
        tmp[k++] = (j >= n || (i < mid && a[i] <= a[j])) ? a[i++] : a[j++];
    }
    memcpy(a, tmp, n * sizeof(*a));
}

static unsigned int seed = 1;

static int next_rand(void)
{
    seed = seed * 1103515245 + 12345;
    return (int)((seed >> 8) & 0x7fffffff);
}

enum shape { RANDOM, SORTED, REVERSED, EQUAL, FEW, ORGAN, SAW, KILLER, SHAPES };

static void fill(int *a, size_t n, enum shape shape)
{
    for (size_t i = 0; i < n; i++) {
        switch (shape) {
        case RANDOM:
            a[i] = next_rand() - 0x40000000;
            break;
        case SORTED:
            a[i] = (int)i;
            break;
        case REVERSED:
            a[i] = (int)(n - i);
            break;
        case EQUAL:
            a[i] = 7;
            break;
        case FEW:
            a[i] = next_rand() % 4;
            break;
        case ORGAN:
            a[i] = (int)(i < n / 2 ? i : n - i);
            break;
        case SAW:
            a[i] = (int)(i % 17);
            break;
        default:
            break;
        }
    }
    if (shape == KILLER) {
        /* Musser's median-of-3 killer: defeats a first/middle/last pivot rule. */
        size_t k = n / 2;

        for (size_t i = 0; i < n; i++) {
            a[i] = 0;
        }
        for (size_t i = 1; i <= k; i++) {
            if (i % 2 == 1) {
                a[i - 1] = (int)i;
                a[i] = (int)(k + i);
            }
            a[k + i - 1] = (int)(2 * i);
        }
    }
}

static double log2_of(size_t n)
{
    double l = 0;

    while (n > 1) {
        n >>= 1;
        l++;
    }
    return l + 1;
}

static void test_shapes(void **state)
{
    static const size_t sizes[] = {0, 1, 2, 3, 5, 12, 13, 50, 100, 1000, 4096, 100000};

    (void)state;
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        size_t n = sizes[si];

        for (int shape = 0; shape < SHAPES; shape++) {
            int *a = malloc((n + 1) * sizeof(*a));
            int *ref = malloc((n + 1) * sizeof(*a));
            int *tmp = malloc((n + 1) * sizeof(*a));

            assert_non_null(a);
            assert_non_null(ref);
            assert_non_null(tmp);
            fill(a, n, (enum shape)shape);
            memcpy(ref, a, n * sizeof(*a));
            merge_sort(ref, tmp, n);
            comparisons = 0;
            kite_libc_qsort(a, n, sizeof(*a), cmp_int);
            if (n > 0) {
                assert_memory_equal(a, ref, n * sizeof(*a));
            }
            /* Measured: at most 3.7 n log2 n, for the median-of-3 killer (heapsort takes over). */
            if (n >= 1000 && comparisons > 5 * n * log2_of(n)) {
                print_error("shape %d n %zu: %lu comparisons\n", shape, n, comparisons);
                fail();
            }
            free(a);
            free(ref);
            free(tmp);
        }
    }
}

/*
 * McIlroy's adversary ("A killer adversary for quicksort", 1999): values are
 * decided lazily while the sort runs, so that every pivot the sort picks
 * turns out to be nearly the smallest. Any plain quicksort goes quadratic;
 * introsort must stay O(n log n).
 */
static int *gas_val;
static int gas_value, solid_count, candidate;

static int cmp_adversary(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    comparisons++;
    if (gas_val[x] == gas_value && gas_val[y] == gas_value) {
        gas_val[x == candidate ? x : y] = solid_count++;
    }
    if (gas_val[x] == gas_value) {
        candidate = x;
    } else if (gas_val[y] == gas_value) {
        candidate = y;
    }
    return (gas_val[x] > gas_val[y]) - (gas_val[x] < gas_val[y]);
}

static void test_adversary(void **state)
{
    enum { N = 20000 };
    int *idx = malloc(N * sizeof(*idx));

    (void)state;
    gas_val = malloc(N * sizeof(*gas_val));
    assert_non_null(idx);
    assert_non_null(gas_val);
    gas_value = N - 1;
    solid_count = 0;
    candidate = 0;
    for (int i = 0; i < N; i++) {
        idx[i] = i;
        gas_val[i] = gas_value;
    }
    comparisons = 0;
    kite_libc_qsort(idx, N, sizeof(*idx), cmp_adversary);
    for (int i = 1; i < N; i++) {
        assert_true(gas_val[idx[i - 1]] <= gas_val[idx[i]]);
    }
    print_message("adversary: %lu comparisons for n = %d (%.1f n log2 n)\n", comparisons, N,
                  comparisons / (N * log2_of(N)));
    assert_true(comparisons < 5 * N * log2_of(N));
    free(idx);
    free(gas_val);
}

static void test_wide_elements(void **state)
{
    enum { N = 3000 };
    struct wide *w = calloc(N, sizeof(*w));

    (void)state;
    assert_non_null(w);
    for (size_t i = 0; i < N; i++) {
        w[i].key = next_rand() % 1000;
        memset(w[i].pad, w[i].key & 0xff, sizeof(w[i].pad));
        memset(w[i].tail, (w[i].key >> 8) & 0xff, sizeof(w[i].tail));
    }
    kite_libc_qsort(w, N, sizeof(*w), cmp_wide);
    for (size_t i = 0; i < N; i++) {
        /* Each element moved whole: its padding still matches its key. */
        assert_int_equal(w[i].pad[9], (char)(w[i].key & 0xff));
        assert_int_equal(w[i].tail[0], (char)((w[i].key >> 8) & 0xff));
        if (i > 0) {
            assert_true(w[i - 1].key <= w[i].key);
        }
    }
    free(w);
}

static void test_bsearch(void **state)
{
    int a[200];

    (void)state;
    for (int i = 0; i < 200; i++) {
        a[i] = 2 * i;
    }
    for (size_t n = 0; n <= 200; n++) {
        for (int key = -1; key <= 401; key++) {
            const int *hit = kite_libc_bsearch(&key, a, n, sizeof(a[0]), cmp_int);

            if (key >= 0 && key % 2 == 0 && key / 2 < (int)n) {
                assert_ptr_equal(hit, &a[key / 2]);
            } else {
                assert_null(hit);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_adversary),
        cmocka_unit_test(test_wide_elements),
        cmocka_unit_test(test_bsearch),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
