/* SPDX-License-Identifier: MIT */
/*
 * An EP-style (NAS Parallel Benchmarks "embarrassingly parallel") kernel in plain C with
 * OpenMP: 2^M pairs of uniform numbers from the NAS generator (x' = 5^13 x mod 2^46, seed
 * 271828183) become Gaussian pairs by the Marsaglia polar method; the kernel counts the pairs
 * in each square annulus l <= max(|X|, |Y|) < l + 1 and sums X and Y.
 *
 *     ep [M [SERIAL]]      (defaults: M = 20, SERIAL = 1)
 *
 * The pairs are cut into batches of 2^BATCH_LOG; each batch starts its part of the one
 * sequence by a jump (a^k mod 2^46), so the numbers drawn do not depend on the team size and
 * the result matches NAS EP's for the same M. Verification: the same computation on one
 * thread (if(0) on the parallel region) must give the same counts and the same sums (to
 * 1e-12 relative: only the order of the additions differs); SERIAL = 0 skips it. For the NAS
 * classes' M (S 24, W 25, A 28, B 30, C 32) the sums are also checked against the published
 * values (1e-8 relative, as NAS does).
 */
#include "../common/bench.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>

#define NAME      "ep"
#define SEED      271828183ULL
#define BATCH_LOG 10
#define ANNULI    10

struct ep_result {
    double sx, sy;
    uint64_t q[ANNULI];
};

/* The pairs of batches [0, @batches) of 2^BATCH_LOG each; on one thread unless @par. */
static void ep(long batches, bool par, struct ep_result *r)
{
    const long per = 1L << BATCH_LOG;
    /* One batch draws 2 * per numbers: its start is that many steps after the last's. */
    const uint64_t batch_jump = bench_lcg_pow(BENCH_LCG_A, 2 * (uint64_t)per);
    double sx = 0, sy = 0;
    int l;

    for (l = 0; l < ANNULI; l++) {
        r->q[l] = 0;
    }
#pragma omp parallel if (par) reduction(+ : sx, sy)
    {
        uint64_t q[ANNULI] = {0};
        long b, i;
        int k;

#pragma omp for schedule(static)
        for (b = 0; b < batches; b++) {
            uint64_t x = (SEED * bench_lcg_pow(batch_jump, (uint64_t)b)) & BENCH_LCG_MASK;

            for (i = 0; i < per; i++) {
                double x1, x2, t;

                x = bench_lcg_next(x, BENCH_LCG_A);
                x1 = 2.0 * bench_lcg_real(x) - 1.0;
                x = bench_lcg_next(x, BENCH_LCG_A);
                x2 = 2.0 * bench_lcg_real(x) - 1.0;
                t = x1 * x1 + x2 * x2;
                if (t <= 1.0 && t > 0.0) {
                    double f = sqrt(-2.0 * log(t) / t);
                    double gx = x1 * f, gy = x2 * f;
                    double m = fabs(gx) > fabs(gy) ? fabs(gx) : fabs(gy);

                    q[(int)m < ANNULI ? (int)m : ANNULI - 1]++;
                    sx += gx;
                    sy += gy;
                }
            }
        }
#pragma omp critical
        for (k = 0; k < ANNULI; k++) {
            r->q[k] += q[k];
        }
    }
    r->sx = sx;
    r->sy = sy;
}

/* NAS EP's published sums for its classes' sizes, or false if @m is not one of them. */
static bool nas_reference(long m, double *sx, double *sy)
{
    static const struct {
        long m;
        double sx, sy;
    } ref[] = {
        {24, -3.247834652034740e3, -6.958407078382297e3},
        {25, -2.863319731645753e3, -6.320053679109499e3},
        {28, -4.295875165629892e3, -1.580732573678431e4},
        {30, 4.033815542441498e4, -2.660669192809235e4},
        {32, 4.764367927995374e4, -8.084072988043731e4},
    };
    unsigned int i;

    for (i = 0; i < sizeof(ref) / sizeof(ref[0]); i++) {
        if (ref[i].m == m) {
            *sx = ref[i].sx;
            *sy = ref[i].sy;
            return true;
        }
    }
    return false;
}

static void print_result(const char *what, const struct ep_result *r)
{
    char bx[BENCH_NUM_LEN], by[BENCH_NUM_LEN];
    uint64_t n = 0;
    int l;

    for (l = 0; l < ANNULI; l++) {
        n += r->q[l];
    }
    printf("%s: %s: sx = %s  sy = %s  gaussian pairs %llu\n", NAME, what, bench_sci(bx, r->sx, 15),
           bench_sci(by, r->sy, 15), (unsigned long long)n);
}

int main(int argc, char **argv)
{
    long m = bench_arg(argc, argv, 1, NAME, 20, BATCH_LOG, 36);
    long serial = bench_arg(argc, argv, 2, NAME, 1, 0, 1);
    struct ep_result par, ser;
    char buf[BENCH_NUM_LEN], rate[BENCH_NUM_LEN];
    double t, rsx, rsy;
    bool ok = true;
    int l;

    if (m < BATCH_LOG || serial < 0) {
        fprintf(stderr, "usage: %s [M [SERIAL]]  (2^M pairs; SERIAL 0 skips the serial check)\n",
                NAME);
        return 2;
    }
    bench_banner(NAME);
    printf("%s: M = %ld: 2^%ld pairs in %ld batches of 2^%d\n", NAME, m, m, 1L << (m - BATCH_LOG),
           BATCH_LOG);
    t = bench_now();
    ep(1L << (m - BATCH_LOG), true, &par);
    t = bench_now() - t;
    printf("%s: time %s s, %s M random numbers/s\n", NAME, bench_fixed(buf, t, 6),
           bench_fixed(rate, t > 0 ? (double)(2ULL << m) / t / 1e6 : 0, 3));
    print_result("parallel", &par);
    printf("%s: annulus    count\n", NAME);
    for (l = 0; l < ANNULI; l++) {
        printf("%s: %7d %10llu\n", NAME, l, (unsigned long long)par.q[l]);
    }

    if (serial) {
        ep(1L << (m - BATCH_LOG), false, &ser);
        print_result("serial", &ser);
        for (l = 0; l < ANNULI; l++) {
            if (par.q[l] != ser.q[l]) {
                printf("%s: annulus %d: parallel count %llu, serial %llu: FAIL\n", NAME, l,
                       (unsigned long long)par.q[l], (unsigned long long)ser.q[l]);
                ok = false;
            }
        }
        if (!bench_close(par.sx, ser.sx, 1e-12) || !bench_close(par.sy, ser.sy, 1e-12)) {
            printf("%s: the parallel sums differ from the serial ones: FAIL\n", NAME);
            ok = false;
        } else {
            printf("%s: counts and sums match the serial run: ok\n", NAME);
        }
    }
    if (nas_reference(m, &rsx, &rsy)) {
        bool match = bench_close(par.sx, rsx, 1e-8) && bench_close(par.sy, rsy, 1e-8);

        printf("%s: NAS EP reference for M = %ld: sx = %s  sy = %s: %s\n", NAME, m,
               bench_sci(buf, rsx, 15), bench_sci(rate, rsy, 15), match ? "ok" : "FAIL");
        ok = ok && match;
    }
    return bench_verdict(NAME, ok);
}
