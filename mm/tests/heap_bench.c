/* SPDX-License-Identifier: MIT */
/*
 * Path-length probes for `make bench` (manual tests: they measure, they do
 * not judge). Under QEMU's -icount shift=0 one TSC tick is one guest
 * instruction, so a TSC delta is the instruction count of what ran between
 * the two reads; the cost of the reads themselves is measured and taken off.
 */
#include <kite/arch.h>
#include <kite/mm.h>
#include <kite/printk.h>
#include <kite/test.h>

#define RUNS 1001

static uint64_t deltas[RUNS];

KITE_TEST_MANUAL(bench, malloc_free_64)
{
    uint64_t overhead = kite_test_tsc_cost(deltas, RUNS), m;
    void *warm = kite_malloc(64);

    kite_free(warm); /* the slab is in place: what follows is the fast path */
    for (unsigned int i = 0; i < RUNS; i++) {
        uint64_t t0 = arch_tsc();
        void *p = kite_malloc(64);

        kite_free(p);
        deltas[i] = arch_tsc() - t0;
    }
    m = kite_test_median(deltas, RUNS);
    kite_pr_info("bench: kite_malloc(64)+kite_free: %llu instructions (median of %d, TSC read "
                 "cost %llu taken off)\n",
                 (unsigned long long)(m - overhead), RUNS, (unsigned long long)overhead);
    KITE_EXPECT(m > overhead);
}
