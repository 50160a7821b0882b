/* SPDX-License-Identifier: MIT */
/*
 * An IS-style (NAS integer sort) kernel in plain C with OpenMP: 2^LOGN keys in
 * [0, 2^LOGK), each MAXKEY/4 times the sum of four numbers from the NAS generator (seed
 * 314159265), so they bunch around the middle as NAS IS's do, sorted REPS times by a
 * parallel counting sort.
 *
 *     is [LOGN [LOGK [REPS]]]      (defaults: 2^20 keys below 2^16, 10 sorts)
 *
 * The keys are drawn in parallel, each block of BLOCK keys starting its part of the one
 * sequence by a jump (a^k mod 2^46), so they do not depend on the team size. The sort: each
 * thread counts the keys of its share, the counts are turned into each thread's first place
 * for each key (key-major, thread-minor: the sort is stable), and each thread moves its
 * keys, recording where each came from. Before each sort, as NAS IS does, two keys change.
 *
 * Verification, serial, after every sort: the keys equal those a serial generator draws
 * (with the changes); the output is in order; the recorded origins are a permutation of
 * 0..N-1 with out[i] = key[origin[i]]; equal keys keep their order.
 */
#include "../common/bench.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME  "is"
#define SEED  314159265ULL
#define BLOCK 4096

static uint32_t draw(uint64_t *x, uint32_t maxkey)
{
    double s = 0;
    int j;

    for (j = 0; j < 4; j++) {
        *x = bench_lcg_next(*x, BENCH_LCG_A);
        s += bench_lcg_real(*x);
    }
    return (uint32_t)(s * ((double)maxkey / 4));
}

static void generate(uint32_t *key, long n, uint32_t maxkey)
{
    const long blocks = (n + BLOCK - 1) / BLOCK;
    /* Each key takes four numbers: a block starts 4 * BLOCK steps after the last. */
    const uint64_t jump = bench_lcg_pow(BENCH_LCG_A, 4 * (uint64_t)BLOCK);
    long b;

#pragma omp parallel for schedule(static)
    for (b = 0; b < blocks; b++) {
        uint64_t x = (SEED * bench_lcg_pow(jump, (uint64_t)b)) & BENCH_LCG_MASK;
        long i, end = (b + 1) * BLOCK < n ? (b + 1) * BLOCK : n;

        for (i = b * BLOCK; i < end; i++) {
            key[i] = draw(&x, maxkey);
        }
    }
}

/*
 * Stable counting sort of @key into @out, with @from[i] the index out[i] came from. @counts
 * holds @maxkey counters per thread, for up to @maxthreads threads.
 */
static void sort(const uint32_t *key, uint32_t *out, uint32_t *from, long n, uint32_t maxkey,
                 uint32_t *counts, uint32_t *start, int maxthreads)
{
#pragma omp parallel num_threads(maxthreads)
    {
        const int t = omp_get_thread_num(), nt = omp_get_num_threads();
        const long lo = n * t / nt, hi = n * (t + 1) / nt;
        uint32_t *mine = counts + (size_t)t * maxkey;
        long i, k;

        memset(mine, 0, maxkey * sizeof(uint32_t));
        for (i = lo; i < hi; i++) {
            mine[key[i]]++;
        }
#pragma omp barrier
#pragma omp for schedule(static)
        for (k = 0; k < (long)maxkey; k++) {
            uint32_t sum = 0;
            int u;

            for (u = 0; u < nt; u++) {
                sum += counts[(size_t)u * maxkey + k];
            }
            start[k] = sum;
        }
#pragma omp single
        {
            uint32_t sum = 0;

            for (k = 0; k < (long)maxkey; k++) {
                uint32_t c = start[k];

                start[k] = sum;
                sum += c;
            }
        }
#pragma omp for schedule(static)
        for (k = 0; k < (long)maxkey; k++) {
            uint32_t at = start[k];
            int u;

            for (u = 0; u < nt; u++) {
                uint32_t c = counts[(size_t)u * maxkey + k];

                counts[(size_t)u * maxkey + k] = at;
                at += c;
            }
        }
        for (i = lo; i < hi; i++) {
            uint32_t at = mine[key[i]]++;

            out[at] = key[i];
            from[at] = (uint32_t)i;
        }
    }
}

/* NAS IS's change before sort @rep: key[rep] = rep, key[rep + REPS] = maxkey - rep. */
static void change(uint32_t *key, long n, long rep, long reps, uint32_t maxkey)
{
    if (rep < n) {
        key[rep] = (uint32_t)rep % maxkey;
    }
    if (rep + reps < n) {
        key[rep + reps] = (uint32_t)(maxkey - 1 - (uint32_t)rep % maxkey);
    }
}

/* Serially: NULL, or what is wrong (and where, in *@where). */
static const char *verify(const uint32_t *key, const uint32_t *expect, const uint32_t *out,
                          const uint32_t *from, long n, unsigned char *seen, long *where)
{
    long i;

    memset(seen, 0, n);
    for (i = 0; i < n; i++) {
        *where = i;
        if (key[i] != expect[i]) {
            return "a key differs from the serial generator's";
        }
        if (i > 0 && out[i - 1] > out[i]) {
            return "the output is out of order";
        }
        if (from[i] >= n || seen[from[i]]) {
            return "the origins are not a permutation";
        }
        seen[from[i]] = 1;
        if (out[i] != key[from[i]]) {
            return "a key is not the one at its origin";
        }
        if (i > 0 && out[i - 1] == out[i] && from[i - 1] > from[i]) {
            return "equal keys changed order (the sort should be stable)";
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    long logn = bench_arg(argc, argv, 1, NAME, 20, 4, 30);
    long logk = bench_arg(argc, argv, 2, NAME, 16, 2, 28);
    long reps = bench_arg(argc, argv, 3, NAME, 10, 1, 1000);
    const int maxthreads = omp_get_max_threads();
    uint32_t *key, *expect, *out, *from, *counts, *start, maxkey;
    unsigned char *seen;
    char b1[BENCH_NUM_LEN], b2[BENCH_NUM_LEN];
    double t, best = 1e30;
    bool ok = true;
    long n, r, i;

    if (logn < 0 || logk < 0 || reps < 0) {
        fprintf(stderr, "usage: %s [LOGN [LOGK [REPS]]]\n", NAME);
        return 2;
    }
    n = 1L << logn;
    maxkey = 1U << logk;
    bench_banner(NAME);
    printf("%s: %ld keys in [0, %u), %ld sorts\n", NAME, n, maxkey, reps);
    key = malloc(n * sizeof(uint32_t));
    expect = malloc(n * sizeof(uint32_t));
    out = malloc(n * sizeof(uint32_t));
    from = malloc(n * sizeof(uint32_t));
    counts = malloc((size_t)maxthreads * maxkey * sizeof(uint32_t));
    start = malloc(maxkey * sizeof(uint32_t));
    seen = malloc(n);
    if (!key || !expect || !out || !from || !counts || !start || !seen) {
        fprintf(stderr, "%s: out of memory for 2^%ld keys below 2^%ld\n", NAME, logn, logk);
        ok = false;
        goto out;
    }

    t = bench_now();
    generate(key, n, maxkey);
    t = bench_now() - t;
    printf("%s: keys drawn in %s s\n", NAME, bench_fixed(b1, t, 6));
    {
        uint64_t x = SEED;

        for (i = 0; i < n; i++) {
            expect[i] = draw(&x, maxkey);
        }
    }
    for (r = 0; r < reps && ok; r++) {
        const char *why;
        long where = 0;

        change(key, n, r, reps, maxkey);
        change(expect, n, r, reps, maxkey);
        t = bench_now();
        sort(key, out, from, n, maxkey, counts, start, maxthreads);
        t = bench_now() - t;
        best = t < best ? t : best;
        why = verify(key, expect, out, from, n, seen, &where);
        if (why) {
            printf("%s: sort %ld: %s (at %ld): FAIL\n", NAME, r + 1, why, where);
            ok = false;
        }
    }
    if (ok) {
        printf("%s: %ld sorts in order, each a stable permutation of the keys: ok\n", NAME, reps);
        printf("%s: best sort %s s, %s M keys/s\n", NAME, bench_fixed(b1, best, 6),
               bench_fixed(b2, best > 0 ? n / best / 1e6 : 0, 3));
    }
out:
    free(key);
    free(expect);
    free(out);
    free(from);
    free(counts);
    free(start);
    free(seen);
    return bench_verdict(NAME, ok);
}
