/* SPDX-License-Identifier: MIT */
/*
 * A STREAM-style memory kernel in plain C with OpenMP: copy (c = a), scale (b = s*c),
 * add (c = a + b) and triad (a = b + s*c) over three arrays of doubles, each timed NTIMES
 * times; the best time gives MB/s. As STREAM does, the results are checked by replaying the
 * same operations on one scalar per array and comparing the arrays' mean errors.
 *
 *     stream [N [NTIMES]]      (defaults: 1000000 elements per array, 10 times)
 *
 * Under emulation the rates say little about real hardware (docs/benchmarks.md): they are
 * logged, never compared.
 */
#include "../common/bench.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#define NAME "stream"

enum { COPY, SCALE, ADD, TRIAD, KERNELS };

static const char *const kernel_name[KERNELS] = {"copy", "scale", "add", "triad"};
/* Arrays each kernel reads or writes: bytes moved per element. */
static const int kernel_arrays[KERNELS] = {2, 2, 3, 3};

static void run(int k, long n, double *restrict a, double *restrict b, double *restrict c,
                double scalar)
{
    long j;

    switch (k) {
    case COPY:
#pragma omp parallel for schedule(static)
        for (j = 0; j < n; j++) {
            c[j] = a[j];
        }
        break;
    case SCALE:
#pragma omp parallel for schedule(static)
        for (j = 0; j < n; j++) {
            b[j] = scalar * c[j];
        }
        break;
    case ADD:
#pragma omp parallel for schedule(static)
        for (j = 0; j < n; j++) {
            c[j] = a[j] + b[j];
        }
        break;
    default:
#pragma omp parallel for schedule(static)
        for (j = 0; j < n; j++) {
            a[j] = b[j] + scalar * c[j];
        }
        break;
    }
}

/* Mean absolute error of @x against @expect, relative to @expect (STREAM's check). */
static double mean_error(const double *x, long n, double expect)
{
    double sum = 0;
    long j;

#pragma omp parallel for reduction(+ : sum) schedule(static)
    for (j = 0; j < n; j++) {
        double d = x[j] - expect;

        sum += d < 0 ? -d : d;
    }
    return sum / (double)n / (expect < 0 ? -expect : expect);
}

static bool verify(const double *a, const double *b, const double *c, long n, int ntimes,
                   double scalar)
{
    /* Same operations on one element per array; exact in double for these values. */
    double aj = 2.0, bj = 2.0, cj = 0.0, err[3];
    const char *arr = "abc";
    bool ok = true;
    int i;

    for (i = 0; i < ntimes; i++) {
        cj = aj;
        bj = scalar * cj;
        cj = aj + bj;
        aj = bj + scalar * cj;
    }
    err[0] = mean_error(a, n, aj);
    err[1] = mean_error(b, n, bj);
    err[2] = mean_error(c, n, cj);
    for (i = 0; i < 3; i++) {
        char buf[BENCH_NUM_LEN];

        /* STREAM allows 1e-13 relative for doubles. */
        printf("%s: array %c: mean relative error %s %s\n", NAME, arr[i], bench_sci(buf, err[i], 3),
               err[i] <= 1e-13 ? "ok" : "FAIL");
        ok = ok && err[i] <= 1e-13;
    }
    return ok;
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, NAME, 1000000, 1000, 1L << 30);
    long ntimes = bench_arg(argc, argv, 2, NAME, 10, 2, 1000);
    double best[KERNELS], total[KERNELS], scalar = 3.0;
    double *a, *b, *c;
    bool ok;
    long j;
    int i, k;

    if (n < 0 || ntimes < 0) {
        fprintf(stderr, "usage: %s [N [NTIMES]]\n", NAME);
        return 2;
    }
    bench_banner(NAME);
    printf("%s: %ld elements per array (%ld KiB each), %ld times\n", NAME, n,
           (long)(n * sizeof(double) / 1024), ntimes);
    a = malloc(n * sizeof(double));
    b = malloc(n * sizeof(double));
    c = malloc(n * sizeof(double));
    if (!a || !b || !c) {
        fprintf(stderr, "%s: cannot allocate 3 x %ld doubles\n", NAME, n);
        free(a);
        free(b);
        free(c);
        return bench_verdict(NAME, false);
    }
    /* First touch in parallel, with the kernels' schedule, as STREAM does. */
#pragma omp parallel for schedule(static)
    for (j = 0; j < n; j++) {
        a[j] = 1.0;
        b[j] = 2.0;
        c[j] = 0.0;
    }
#pragma omp parallel for schedule(static)
    for (j = 0; j < n; j++) {
        a[j] = 2.0 * a[j];
    }

    for (k = 0; k < KERNELS; k++) {
        best[k] = 1e30;
        total[k] = 0;
    }
    for (i = 0; i < ntimes; i++) {
        for (k = 0; k < KERNELS; k++) {
            double t = bench_now();

            run(k, n, a, b, c, scalar);
            t = bench_now() - t;
            /* STREAM leaves the first pass out of the statistics (warm-up). */
            if (i > 0) {
                total[k] += t;
                best[k] = t < best[k] ? t : best[k];
            }
        }
    }

    printf("%s: kernel    best MB/s    avg time s    min time s\n", NAME);
    for (k = 0; k < KERNELS; k++) {
        char r[BENCH_NUM_LEN], avg[BENCH_NUM_LEN], mn[BENCH_NUM_LEN];
        double bytes = (double)kernel_arrays[k] * sizeof(double) * (double)n;

        printf("%s: %-6s %12s %13s %13s\n", NAME, kernel_name[k],
               bench_fixed(r, best[k] > 0 ? 1e-6 * bytes / best[k] : 0, 1),
               bench_fixed(avg, total[k] / (double)(ntimes - 1), 6), bench_fixed(mn, best[k], 6));
    }
    ok = verify(a, b, c, n, (int)ntimes, scalar);
    free(a);
    free(b);
    free(c);
    return bench_verdict(NAME, ok);
}
