// SPDX-License-Identifier: MIT
/*
 * gcc's helper functions, linked from libgcc.a by rt/libgcc: the calls gcc
 * emits for popcount without -mpopcnt, __int128 division, complex
 * arithmetic, __int128 <-> floating point and __builtin_powi, plus a few
 * called by name (-ftrapv's checks, the 128-bit bit counts). The wrapped
 * helpers (unsigned 128-bit remainder, float complex) are also run from
 * every CPU at once under preemption, and checked against the identity
 * a == q * b + r.
 *
 * Inputs go through volatile variables so that gcc calls the helper rather
 * than folding the result at compile time.
 */
#include <math.h>
#include <stdint.h>

#include <kite/arch.h>
#include <kite/test.h>
#include <kite/thread.h>

typedef unsigned __int128 u128;
typedef __int128 i128;

/* Called by name: gcc emits them only with -ftrapv or for rare builtins. */
int __addvsi3(int a, int b);
long __mulvdi3(long a, long b);
long __negvdi2(long a);
int __clzti2(u128 a);
int __ctzti2(u128 a);
int __ffsti2(i128 a);
int __parityti2(u128 a);
int __popcountti2(u128 a);
u128 __udivmodti4(u128 a, u128 b, u128 *rem);

static unsigned int slow_popcount(uint64_t v)
{
    unsigned int n = 0;

    for (; v; v >>= 1) {
        n += v & 1;
    }
    return n;
}

KITE_TEST(libgcc, bit_counts)
{
    static const uint64_t in[] = {0,
                                  1,
                                  0x8000000000000000ull,
                                  0xffffffffffffffffull,
                                  0x0123456789abcdefull,
                                  0xf0f0f0f00f0f0f0full};

    for (unsigned int i = 0; i < KITE_ARRAY_SIZE(in); i++) {
        volatile uint64_t v = in[i];

        KITE_EXPECT_EQ((unsigned int)__builtin_popcountll(v), slow_popcount(in[i]));
        KITE_EXPECT_EQ((unsigned int)__builtin_parityll(v), slow_popcount(in[i]) & 1);
    }
    KITE_EXPECT_EQ(__popcountti2((u128)0xffffffffffffffffull << 64 | 7), 67);
    KITE_EXPECT_EQ(__parityti2((u128)1 << 100), 1);
    KITE_EXPECT_EQ(__clzti2((u128)1 << 100), 27);
    KITE_EXPECT_EQ(__ctzti2((u128)1 << 100), 100);
    KITE_EXPECT_EQ(__ffsti2(0), 0);
    KITE_EXPECT_EQ(__ffsti2((i128)1 << 70), 71);
}

KITE_TEST(libgcc, int128_division)
{
    volatile u128 a = ((u128)0x0123456789abcdefull << 64) | 0xfedcba9876543210ull;
    volatile u128 b = ((u128)0x10 << 64) | 0x1234;
    volatile i128 sa = -(i128)a, sb = (i128)b;
    u128 q = a / b, r = a % b;
    i128 sq = sa / sb, sr = sa % sb;

    KITE_EXPECT(q * b + r == a && r < b);
    KITE_EXPECT_EQ((uint64_t)q, 0x123456789abcdeull); /* a / b is a >> 68 here, less a little */
    KITE_EXPECT(sq == -(i128)q && sr == -(i128)r);    /* C truncates toward zero */
    /* A 64-bit divisor of a 128-bit dividend: 10^30 / 10^15. */
    volatile u128 big = (u128)1000000000000000ull * 1000000000000000ull;
    volatile u128 div = 1000000000000000ull;

    KITE_EXPECT(big / div == div && big % div == 0);
}

KITE_TEST(libgcc, int128_and_floating_point)
{
    volatile double d = 1e30;
    volatile float f = -0x1p70f;
    volatile i128 i = -((i128)1 << 100);
    volatile u128 u = (u128)1 << 127;

    /* The double nearest 10^30 is 10^30 + 19884624838656. */
    KITE_EXPECT((u128)d == (u128)1000000000000000ull * 1000000000000000ull + 19884624838656ull);
    KITE_EXPECT((i128)f == -((i128)1 << 70));
    KITE_EXPECT((double)i == -0x1p100);
    KITE_EXPECT((double)u == 0x1p127);
    KITE_EXPECT((float)u == 0x1p127f);
}

KITE_TEST(libgcc, complex_arithmetic)
{
    volatile double re = 1, im = 2;
    double _Complex z = __builtin_complex((double)re, (double)im) / __builtin_complex(3.0, 4.0);
    volatile float fre = 1, fim = 2;
    float _Complex fz = __builtin_complex((float)fre, (float)fim) / __builtin_complex(3.0f, 4.0f);
    /* Annex G: an infinite operand gives an infinite product, not NaN + NaN i. */
    volatile double inf = INFINITY, nan_ = NAN;
    double _Complex p = __builtin_complex((double)inf, (double)nan_) * __builtin_complex(1.0, 1.0);
    float _Complex fp = __builtin_complex((float)inf, (float)nan_) * __builtin_complex(1.0f, 1.0f);

    KITE_EXPECT(fabs(__real__(z) - 0.44) < 1e-15 && fabs(__imag__(z) - 0.08) < 1e-15);
    KITE_EXPECT(fabsf(__real__(fz) - 0.44f) < 1e-6f && fabsf(__imag__(fz) - 0.08f) < 1e-6f);
    KITE_EXPECT(isinf(__real__(p)) || isinf(__imag__(p)));
    KITE_EXPECT(isinf(__real__(fp)) || isinf(__imag__(fp)));
}

KITE_TEST(libgcc, powi_and_trapping_arithmetic)
{
    volatile int n = 10, m = -2;

    KITE_EXPECT(__builtin_powi(2.0, n) == 1024.0);
    KITE_EXPECT(__builtin_powi(2.0, m) == 0.25);
    KITE_EXPECT(__builtin_powif(3.0f, n) == 59049.0f);
    KITE_EXPECT_EQ(__addvsi3(2000000000, 147483647), 2147483647);
    KITE_EXPECT_EQ(__mulvdi3(-3037000499L, 3037000499L), -9223372030926249001L);
    KITE_EXPECT_EQ(__negvdi2(-5), 5);
}

/* Many remainders and float complex quotients, checked, while the timer preempts. */
static void *divide_a_lot(void *arg)
{
    uint64_t seed = 0x9e3779b97f4a7c15ull * ((uintptr_t)arg + 1), bad = 0;

    for (unsigned int i = 0; i < 20000; i++) {
        u128 a, b, q, r;

        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        a = ((u128)seed << 64) | (seed >> 7);
        b = (seed >> 3) | ((u128)(seed & 0xff) << 64) | 1;
        if (i & 1) {
            q = __udivmodti4(a, b, &r);
        } else {
            q = a / b;
            r = a % b;
        }
        bad += q * b + r != a || r >= b;
        {
            volatile float x = (float)(seed & 0xffff) + 1;
            float _Complex c =
                __builtin_complex((float)x, (float)x) / __builtin_complex((float)x, 0.0f);

            bad += fabsf(__real__(c) - 1) > 1e-6f || fabsf(__imag__(c) - 1) > 1e-6f;
        }
    }
    return (void *)(uintptr_t)bad;
}

KITE_TEST(libgcc, wrapped_helpers_on_every_cpu_under_preemption)
{
    unsigned int n = KITE_MIN(arch_cpus_online() * 2, 16u);
    struct kite_thread *t[16];

    for (unsigned int i = 0; i < n; i++) {
        struct kite_thread_attr attr = {.cpu = (int)(i % arch_cpus_online()), .name = "divide"};

        KITE_ASSERT(kite_thread_create(&t[i], divide_a_lot, (void *)(uintptr_t)i, &attr) == 0);
    }
    for (unsigned int i = 0; i < n; i++) {
        void *bad = (void *)1;

        KITE_EXPECT_EQ(kite_thread_join(t[i], &bad), 0);
        KITE_EXPECT_EQ((uintptr_t)bad, 0);
    }
}
