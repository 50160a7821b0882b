/* SPDX-License-Identifier: MIT */
/*
 * A CG-style kernel (after NAS CG) in plain C with OpenMP: inverse power iteration on a
 * random sparse symmetric positive definite matrix A, each step solving A z = x with
 * CGIT conjugate gradient iterations, then zeta = 1 / (x . z) (which tends to A's smallest
 * eigenvalue) and x = z / |z|.
 *
 *     cg [N [NITER [K]]]      (defaults: N = 20000 rows, NITER = 15 outer steps,
 *                              K = 8 random off-diagonal entries drawn per row)
 *
 * The matrix (CSR) comes from the NAS generator, serially, so it is the same for any team:
 * K entries uniform in (-0.5, 0.5) per row at random columns, mirrored to keep A symmetric,
 * and a diagonal of the row's absolute sum plus SHIFT, which makes A strictly diagonally
 * dominant, hence positive definite. (With entries of one sign, (1, ..., 1) would be an
 * eigenvector and the power iteration would have nothing to do.)
 *
 * One parallel region per solve; inside, worksharing loops (static), reductions and single.
 * Verification: the explicit residual |x - A z| of every solve is below TOL, and the whole
 * run repeated on one thread (if(0) on the regions) gives the same zeta at every step (to
 * 1e-10 relative) and the same residuals (1e-4 relative; residuals are the most sensitive
 * to the order of the additions).
 */
#include "../common/bench.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#define NAME  "cg"
#define SEED  314159265ULL
#define CGIT  25
#define SHIFT 0.1
#define TOL   1e-6

struct csr {
    long n;
    long *row; /* n + 1 offsets into col and val */
    long *col;
    double *val;
};

struct vecs {
    double *x, *z, *r, *p, *q;
};

static void csr_free(struct csr *a)
{
    free(a->row);
    free(a->col);
    free(a->val);
}

static int make_matrix(struct csr *a, long n, long k)
{
    long edges = n * k, e, i, *fill = NULL, *ei = NULL, *ej = NULL;
    double *ev = NULL, *diag = NULL;
    uint64_t x = SEED;
    int rc = -1;

    a->n = n;
    a->row = calloc(n + 1, sizeof(long));
    a->col = malloc((2 * edges + n) * sizeof(long));
    a->val = malloc((2 * edges + n) * sizeof(double));
    fill = calloc(n, sizeof(long));
    ei = malloc(edges * sizeof(long));
    ej = malloc(edges * sizeof(long));
    ev = malloc(edges * sizeof(double));
    diag = calloc(n, sizeof(double));
    if (!a->row || !a->col || !a->val || !fill || !ei || !ej || !ev || !diag) {
        goto out;
    }
    for (e = 0; e < edges; e++) {
        long j;

        x = bench_lcg_next(x, BENCH_LCG_A);
        j = (long)(bench_lcg_real(x) * (double)n);
        x = bench_lcg_next(x, BENCH_LCG_A);
        ei[e] = e / k;
        ej[e] = j < n ? j : n - 1;
        ev[e] = bench_lcg_real(x) - 0.5;
    }
    /* Row lengths: each off-diagonal entry in both rows it touches, and the diagonal. */
    for (e = 0; e < edges; e++) {
        if (ei[e] != ej[e]) {
            a->row[ei[e] + 1]++;
            a->row[ej[e] + 1]++;
            diag[ei[e]] += fabs(ev[e]);
            diag[ej[e]] += fabs(ev[e]);
        }
    }
    for (i = 0; i < n; i++) {
        a->row[i + 1] += a->row[i] + 1;
    }
    for (i = 0; i < n; i++) {
        a->col[a->row[i]] = i;
        a->val[a->row[i]] = diag[i] + SHIFT;
        fill[i] = 1;
    }
    for (e = 0; e < edges; e++) {
        if (ei[e] != ej[e]) {
            long p = a->row[ei[e]] + fill[ei[e]]++;
            long q = a->row[ej[e]] + fill[ej[e]]++;

            a->col[p] = ej[e];
            a->val[p] = ev[e];
            a->col[q] = ei[e];
            a->val[q] = ev[e];
        }
    }
    rc = 0;
out:
    free(fill);
    free(ei);
    free(ej);
    free(ev);
    free(diag);
    return rc;
}

/*
 * z = CGIT steps of conjugate gradient towards A^-1 x from z = 0; returns |x - A z|.
 * On one thread unless @par. Shared scalars are written in single and read after the
 * barrier that ends it or the reduction that fills them.
 */
static double cg_solve(const struct csr *a, struct vecs *v, bool par)
{
    const long n = a->n;
    double rho = 0, rho_new = 0, pq = 0, res = 0;

#pragma omp parallel if (par)
    {
        long i, j;
        int it;

#pragma omp for schedule(static) reduction(+ : rho)
        for (i = 0; i < n; i++) {
            v->z[i] = 0;
            v->r[i] = v->x[i];
            v->p[i] = v->x[i];
            rho += v->x[i] * v->x[i];
        }
        for (it = 0; it < CGIT; it++) {
            double alpha, beta;

#pragma omp for schedule(static) reduction(+ : pq)
            for (i = 0; i < n; i++) {
                double s = 0;

                for (j = a->row[i]; j < a->row[i + 1]; j++) {
                    s += a->val[j] * v->p[a->col[j]];
                }
                v->q[i] = s;
                pq += v->p[i] * s;
            }
            alpha = rho / pq;
#pragma omp for schedule(static) reduction(+ : rho_new)
            for (i = 0; i < n; i++) {
                v->z[i] += alpha * v->p[i];
                v->r[i] -= alpha * v->q[i];
                rho_new += v->r[i] * v->r[i];
            }
            beta = rho_new / rho;
#pragma omp for schedule(static)
            for (i = 0; i < n; i++) {
                v->p[i] = v->r[i] + beta * v->p[i];
            }
            /* Everyone has read rho, rho_new and pq (the loop above ended in a barrier). */
#pragma omp single
            {
                rho = rho_new;
                rho_new = 0;
                pq = 0;
            }
        }
#pragma omp for schedule(static) reduction(+ : res)
        for (i = 0; i < n; i++) {
            double s = 0;

            for (j = a->row[i]; j < a->row[i + 1]; j++) {
                s += a->val[j] * v->z[a->col[j]];
            }
            res += (v->x[i] - s) * (v->x[i] - s);
        }
    }
    return sqrt(res);
}

/* NITER inverse power steps from x = (1, ..., 1) / sqrt(n); zeta[] and rnorm[] per step. */
static void power(const struct csr *a, struct vecs *v, long niter, bool par, double *zeta,
                  double *rnorm)
{
    const long n = a->n;
    long i, it;

    for (i = 0; i < n; i++) {
        v->x[i] = 1.0 / sqrt((double)n);
    }
    for (it = 0; it < niter; it++) {
        double xz = 0, zz = 0, scale;

        rnorm[it] = cg_solve(a, v, par);
#pragma omp parallel for if (par) schedule(static) reduction(+ : xz, zz)
        for (i = 0; i < n; i++) {
            xz += v->x[i] * v->z[i];
            zz += v->z[i] * v->z[i];
        }
        zeta[it] = 1.0 / xz;
        scale = 1.0 / sqrt(zz);
#pragma omp parallel for if (par) schedule(static)
        for (i = 0; i < n; i++) {
            v->x[i] = v->z[i] * scale;
        }
    }
}

int main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 1, NAME, 20000, 10, 1L << 26);
    long niter = bench_arg(argc, argv, 2, NAME, 15, 1, 1000);
    long k = bench_arg(argc, argv, 3, NAME, 8, 1, 64);
    double *zeta = NULL, *rnorm = NULL, *zeta1 = NULL, *rnorm1 = NULL, t;
    char b1[BENCH_NUM_LEN], b2[BENCH_NUM_LEN], b3[BENCH_NUM_LEN], b4[BENCH_NUM_LEN];
    struct csr a = {0};
    struct vecs v = {0};
    bool ok = false;
    long it;

    if (n < 0 || niter < 0 || k < 0) {
        fprintf(stderr, "usage: %s [N [NITER [K]]]\n", NAME);
        return 2;
    }
    bench_banner(NAME);
    zeta = malloc(niter * sizeof(double));
    rnorm = malloc(niter * sizeof(double));
    zeta1 = malloc(niter * sizeof(double));
    rnorm1 = malloc(niter * sizeof(double));
    v.x = malloc(n * sizeof(double));
    v.z = malloc(n * sizeof(double));
    v.r = malloc(n * sizeof(double));
    v.p = malloc(n * sizeof(double));
    v.q = malloc(n * sizeof(double));
    if (!zeta || !rnorm || !zeta1 || !rnorm1 || !v.x || !v.z || !v.r || !v.p || !v.q ||
        make_matrix(&a, n, k) < 0) {
        fprintf(stderr, "%s: out of memory for N = %ld, K = %ld\n", NAME, n, k);
        goto out;
    }
    printf("%s: N = %ld rows, %ld nonzeros, %ld outer steps of %d CG iterations\n", NAME, n,
           a.row[n], niter, CGIT);

    t = bench_now();
    power(&a, &v, niter, true, zeta, rnorm);
    t = bench_now() - t;
    printf("%s: time %s s, %s Mflop/s\n", NAME, bench_fixed(b1, t, 6),
           bench_fixed(
               b2, t > 0 ? (double)niter * CGIT * (2.0 * (double)a.row[n] + 10.0 * n) / t / 1e6 : 0,
               3));
    power(&a, &v, niter, false, zeta1, rnorm1);

    ok = true;
    printf("%s: step  zeta                   |x - Az|     serial zeta            |x - Az|\n", NAME);
    for (it = 0; it < niter; it++) {
        bool good = rnorm[it] < TOL && bench_close(zeta[it], zeta1[it], 1e-10) &&
                    bench_close(rnorm[it], rnorm1[it], 1e-4);

        printf("%s: %4ld  %s  %s  %s  %s  %s\n", NAME, it + 1, bench_sci(b1, zeta[it], 14),
               bench_sci(b2, rnorm[it], 4), bench_sci(b3, zeta1[it], 14),
               bench_sci(b4, rnorm1[it], 4), good ? "ok" : "FAIL");
        ok = ok && good;
    }
    if (!ok) {
        printf("%s: each residual must be below %s and match the serial run's\n", NAME,
               bench_sci(b1, TOL, 1));
    }
out:
    csr_free(&a);
    free(v.x);
    free(v.z);
    free(v.r);
    free(v.p);
    free(v.q);
    free(zeta);
    free(rnorm);
    free(zeta1);
    free(rnorm1);
    return bench_verdict(NAME, ok);
}
