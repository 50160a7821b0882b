/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the OpenMP benchmark kernels (see bench.h). Numbers are formatted with
 * integer printf only, so the kernels print the same way whether or not the C library they
 * run on formats floating point.
 */
#include "bench.h"

#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

long bench_arg(int argc, char **argv, int i, const char *what, long def, long min, long max)
{
    char *end;
    long v;

    if (i >= argc) {
        return def;
    }
    errno = 0;
    v = strtol(argv[i], &end, 0);
    if (errno != 0 || end == argv[i] || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "%s: bad argument %d '%s': expected an integer in [%ld, %ld]\n", what, i,
                argv[i], min, max);
        return -1;
    }
    return v;
}

double bench_now(void)
{
    return omp_get_wtime();
}

static uint64_t pow10u(int n)
{
    uint64_t p = 1;

    while (n-- > 0) {
        p *= 10;
    }
    return p;
}

/* NaN and infinities, which the integer paths below cannot hold; NULL for a finite @v. */
static const char *special(char *buf, double v)
{
    if (v != v) {
        snprintf(buf, BENCH_NUM_LEN, "nan");
    } else if (v > 1e308 || v < -1e308) {
        snprintf(buf, BENCH_NUM_LEN, "%sinf", v < 0 ? "-" : "");
    } else {
        return NULL;
    }
    return buf;
}

const char *bench_fixed(char *buf, double v, int decimals)
{
    uint64_t scale, total;
    double a;

    if (special(buf, v)) {
        return buf;
    }
    if (decimals < 0) {
        decimals = 0;
    } else if (decimals > 9) {
        decimals = 9;
    }
    scale = pow10u(decimals);
    a = v < 0 ? -v : v;
    if (a * (double)scale >= 1e18) {
        return bench_sci(buf, v, 6);
    }
    total = (uint64_t)(a * (double)scale + 0.5);
    if (decimals == 0) {
        snprintf(buf, BENCH_NUM_LEN, "%s%llu", v < 0 && total ? "-" : "",
                 (unsigned long long)total);
    } else {
        snprintf(buf, BENCH_NUM_LEN, "%s%llu.%0*llu", v < 0 && total ? "-" : "",
                 (unsigned long long)(total / scale), decimals,
                 (unsigned long long)(total % scale));
    }
    return buf;
}

const char *bench_sci(char *buf, double v, int digits)
{
    uint64_t scale, total;
    double m;
    int e = 0;

    if (special(buf, v)) {
        return buf;
    }
    if (digits < 0) {
        digits = 0;
    } else if (digits > 15) {
        digits = 15;
    }
    scale = pow10u(digits);
    m = v < 0 ? -v : v;
    if (m != 0) {
        /* Display only: scaling by 10 may cost the last digit, never the value compared. */
        while (m >= 10) {
            m /= 10;
            e++;
        }
        while (m < 1) {
            m *= 10;
            e--;
        }
    }
    total = (uint64_t)(m * (double)scale + 0.5);
    if (total >= 10 * scale) {
        total /= 10;
        e++;
    }
    snprintf(buf, BENCH_NUM_LEN, "%s%llu%s%0*llue%c%02d", v < 0 ? "-" : "",
             (unsigned long long)(total / scale), digits ? "." : "", digits,
             (unsigned long long)(total % scale), e < 0 ? '-' : '+', e < 0 ? -e : e);
    return buf;
}

bool bench_close(double a, double b, double tol)
{
    double aa = a < 0 ? -a : a;
    double ab = b < 0 ? -b : b;
    double d = a - b;

    if (d < 0) {
        d = -d;
    }
    if (aa < 1e-300 && ab < 1e-300) {
        return true;
    }
    return d <= tol * (aa > ab ? aa : ab);
}

uint64_t bench_lcg_pow(uint64_t a, uint64_t n)
{
    uint64_t r = 1;

    while (n) {
        if (n & 1) {
            r = (r * a) & BENCH_LCG_MASK;
        }
        a = (a * a) & BENCH_LCG_MASK;
        n >>= 1;
    }
    return r;
}

void bench_banner(const char *name)
{
    printf("%s: OpenMP, up to %d threads, %d processors\n", name, omp_get_max_threads(),
           omp_get_num_procs());
}

int bench_verdict(const char *name, bool ok)
{
    printf("%s: VERIFICATION %s\n", name, ok ? "SUCCESSFUL" : "FAILED");
    fflush(stdout);
    return ok ? 0 : 1;
}
