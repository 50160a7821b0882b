/* SPDX-License-Identifier: MIT */
/*
 * Small stdlib.h pieces: absolute values, division, the pseudo-random
 * generator, abort and assert's failure path.
 */
#include <assert.h>
#include <stdlib.h>

#include <kite/panic.h>

int abs(int v)
{
    return v < 0 ? -v : v;
}

long labs(long v)
{
    return v < 0 ? -v : v;
}

long long llabs(long long v)
{
    return v < 0 ? -v : v;
}

/* C rounds the quotient toward zero, as the division operator does. */
div_t div(int num, int den)
{
    return (div_t){num / den, num % den};
}

ldiv_t ldiv(long num, long den)
{
    return (ldiv_t){num / den, num % den};
}

lldiv_t lldiv(long long num, long long den)
{
    return (lldiv_t){num / den, num % den};
}

/*
 * The example generator of the C standard (C11 7.22.2.2), so a seed gives
 * the same sequence as the standard's: next = next * 1103515245 + 12345,
 * result (next / 65536) % 32768. glibc's rand is a different generator.
 * The state is shared; a compare-and-swap loop keeps concurrent callers
 * from losing steps.
 */
static unsigned long rand_next = 1;

int rand(void)
{
    unsigned long old = __atomic_load_n(&rand_next, __ATOMIC_RELAXED);
    unsigned long next;

    do {
        next = old * 1103515245 + 12345;
    } while (!__atomic_compare_exchange_n(&rand_next, &old, next, true, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    return (int)((next / 65536) % 32768);
}

void srand(unsigned int seed)
{
    __atomic_store_n(&rand_next, seed, __ATOMIC_RELAXED);
}

void abort(void)
{
    kite_panic("abort() called");
}

void __kite_assert_fail(const char *expr, const char *file, int line, const char *func)
{
    kite_panic("assertion '%s' failed in %s at %s:%d", expr, func, file, line);
}
