/* SPDX-License-Identifier: MIT */
/*
 * math.h inside a booted image (musl's math, rt/libm): exact results where
 * IEEE 754 or the function fixes them, and within one unit in the last
 * place of the correctly rounded value (written as hex floats) elsewhere;
 * then the same functions on every CPU at once, several threads per CPU
 * taking turns by preemption, each result compared bit for bit with the
 * one computed first. Built with SSE, as runtime code is.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <kite/arch.h>
#include <kite/test.h>
#include <kite/thread.h>

/* How many doubles lie between @a and @b (both finite, same sign). */
static uint64_t ulps(double a, double b)
{
    int64_t x, y;

    memcpy(&x, &a, sizeof(x));
    memcpy(&y, &b, sizeof(y));
    return x > y ? (uint64_t)(x - y) : (uint64_t)(y - x);
}

static uint32_t ulpsf(float a, float b)
{
    int32_t x, y;

    memcpy(&x, &a, sizeof(x));
    memcpy(&y, &b, sizeof(y));
    return x > y ? (uint32_t)(x - y) : (uint32_t)(y - x);
}

/* The arguments go through volatiles so that gcc cannot fold the calls itself. */
static volatile double zero = 0.0, half = 0.5, one = 1.0, two = 2.0, ten = 10.0, m_two_half = -2.5;
static volatile float halff = 0.5f, onehalf = 1.5f;

KITE_TEST(libm, exact_results)
{
    KITE_EXPECT(sin(0.0 * one) == 0.0);
    KITE_EXPECT(cos(0.0 * one) == 1.0);
    KITE_EXPECT(exp(0.0 * one) == 1.0);
    KITE_EXPECT(log(one) == 0.0);
    KITE_EXPECT(log10(1000.0 * one) == 3.0);
    KITE_EXPECT(pow(two, 10.0) == 1024.0);
    KITE_EXPECT(sqrt(two) == M_SQRT2); /* IEEE: correctly rounded */
    KITE_EXPECT(sqrt(16.0 * one) == 4.0);
    KITE_EXPECT(fabs(m_two_half) == 2.5);
    KITE_EXPECT(floor(m_two_half) == -3.0);
    KITE_EXPECT(ceil(m_two_half) == -2.0);
    KITE_EXPECT(trunc(m_two_half) == -2.0);
    KITE_EXPECT(round(m_two_half) == -3.0);
    KITE_EXPECT(rint(m_two_half) == -2.0); /* ties to even */
    KITE_EXPECT(fmod(7.5 * one, two) == 1.5);
    KITE_EXPECT(fmod(-7.5 * one, two) == -1.5);
    KITE_EXPECT(hypot(3.0 * one, 4.0) == 5.0);
    KITE_EXPECT(cbrt(27.0 * one) == 3.0);
    KITE_EXPECT(cbrt(-8.0 * one) == -2.0);
    KITE_EXPECT(ldexp(one, -1074) == DBL_TRUE_MIN);
    KITE_EXPECT(sqrtf(4.0f * halff * 8.0f) == 4.0f);
    KITE_EXPECT(fabsf(-onehalf) == 1.5f);
    KITE_EXPECT(floorf(-onehalf) == -2.0f);
    KITE_EXPECT(sqrtl(4.0L * one) == 2.0L);

    /* The special values C's annex F gives. */
    KITE_EXPECT(isnan(sqrt(-one)));
    KITE_EXPECT(isnan(log(-one)));
    KITE_EXPECT(isinf(log(0.0 * one)) && log(0.0 * one) < 0);
    KITE_EXPECT(exp(1000.0 * one) == HUGE_VAL);
    KITE_EXPECT(exp(-1000.0 * one) == 0.0);
    KITE_EXPECT(pow(0.0 * one, 0.0) == 1.0);
    KITE_EXPECT(isnan(fmod(one, zero)));
    KITE_EXPECT(signbit(copysign(one, -0.0)));
    KITE_EXPECT(fpclassify(DBL_MIN / 2) == FP_SUBNORMAL);
    KITE_EXPECT(isfinite(DBL_MAX) && !isfinite(INFINITY) && isnan(NAN));
}

KITE_TEST(libm, within_one_ulp)
{
    /* Correctly rounded values (computed with glibc on the host; musl may differ by 1 ulp). */
    KITE_EXPECT(ulps(sin(half), 0x1.eaee8744b05fp-2) <= 1);
    KITE_EXPECT(ulps(cos(half), 0x1.c1528065b7d5p-1) <= 1);
    KITE_EXPECT(ulps(tan(half), 0x1.17b4f5bf3474ap-1) <= 1);
    KITE_EXPECT(ulps(exp(half), 0x1.a61298e1e069cp+0) <= 1);
    KITE_EXPECT(ulps(exp(one), M_E) <= 1);
    KITE_EXPECT(ulps(log(ten), 0x1.26bb1bbb55516p+1) <= 1);
    KITE_EXPECT(ulps(log10(two), 0x1.34413509f79ffp-2) <= 1);
    KITE_EXPECT(ulps(pow(1.5 * one, 2.5), 0x1.60b9fd68a4554p+1) <= 1);
    KITE_EXPECT(ulps(pow(two, half), M_SQRT2) <= 1);
    KITE_EXPECT(ulps(atan2(one, two), 0x1.dac670561bb4fp-2) <= 1);
    KITE_EXPECT(ulps(atan2(one, one), M_PI_4) <= 1);
    KITE_EXPECT(ulps(cbrt(two), 0x1.428a2f98d728cp+0) <= 1);
    /* A huge argument needs the full reduction mod pi/2 (__rem_pio2_large). */
    KITE_EXPECT(ulps(sin(1e22 * one), -0x1.b453ab76bf397p-1) <= 1);
    KITE_EXPECT(ulpsf(sinf(halff), 0x1.eaee88p-2f) <= 1);
    KITE_EXPECT(ulpsf(expf(halff), 0x1.a61298p+0f) <= 1);
    KITE_EXPECT(ulpsf(powf(onehalf, 2.5f), 0x1.60b9fep+1f) <= 1);
    KITE_EXPECT(ulpsf(cosf(halff), 0x1.c15280p-1f) <= 1);

    long double r = sqrtl(2.0L * one);

    KITE_EXPECT(r * r - 2.0L < 1e-18L && r * r - 2.0L > -1e-18L);
    KITE_EXPECT(ulps((double)sinl(0.5L * one), 0x1.eaee8744b05fp-2) <= 1);

    double s, c;

    sincos(half, &s, &c);
    KITE_EXPECT(s == sin(half) && c == cos(half));
}

#define POINTS 256

/* One mix of the functions at @x: every result is folded into the sum bit for bit. */
static double mix(double x)
{
    return sin(x) + cos(x) * tan(x / 4) + exp(x / 8) + log(x + 1) + log10(x + 2) + pow(x, 1.5) +
           sqrt(x) + floor(x * 3) + ceil(x / 3) + fmod(x, 0.7) + atan2(x, 3) + hypot(x, 2) +
           cbrt(x) + (double)sinf((float)x) + (double)expf((float)x / 16);
}

static double reference[POINTS];

static void *math_worker(void *arg)
{
    (void)arg;
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < POINTS; i++) {
            double got = mix(i * 0.37);
            uint64_t a, b;

            /* Bit for bit: the same code on the same input gives the same double. */
            memcpy(&a, &got, sizeof(a));
            memcpy(&b, &reference[i], sizeof(b));
            if (a != b) {
                return (void *)0;
            }
        }
        kite_thread_yield();
    }
    return (void *)1;
}

KITE_TEST(libm, every_cpu_at_once)
{
    unsigned int cpus = arch_cpus_online();
    unsigned int n = cpus * 3 > 24 ? 24 : cpus * 3;
    struct kite_thread *t[24];

    for (int i = 0; i < POINTS; i++) {
        reference[i] = mix(i * 0.37);
        KITE_EXPECT(isfinite(reference[i]));
    }
    for (unsigned int i = 0; i < n; i++) {
        struct kite_thread_attr attr = {.cpu = (int)(i % cpus), .name = "math"};

        KITE_ASSERT(kite_thread_create(&t[i], math_worker, NULL, &attr) == 0);
    }
    for (unsigned int i = 0; i < n; i++) {
        void *ok = NULL;

        KITE_EXPECT_EQ(kite_thread_join(t[i], &ok), 0);
        KITE_EXPECT_EQ((uintptr_t)ok, 1);
    }
}
