/* SPDX-License-Identifier: MIT */
/*
 * An EPCC-style OpenMP overhead microbenchmark (after the EPCC OpenMP micro-benchmark
 * suite's syncbench) in plain C: for each construct, REPS repetitions of the construct
 * around a small delay are timed, and the overhead per construct is
 *
 *     (time of the REPS repetitions - time of the same delays without it) / REPS,
 *
 * printed in microseconds. Each measurement is made OUTER times and the smallest kept.
 *
 *     epcc [REPS [OUTER [DELAY [ONLY]]]]      (defaults: 1000 repetitions, 5 times, a delay
 *                                              of 100 loop iterations, every construct)
 *
 * ONLY, a construct's number in the order printed (2 = parallel ... 12 = reduction), measures
 * just that one (and the references), for an instruction count of one construct.
 *
 * For instruction counts, each measured loop is also bracketed, on the initial thread, by
 *   - rdtsc: the delta per repetition minus the reference's is printed too (under QEMU's
 *     -icount shift=0 one TSC tick is one guest instruction; with several vCPUs a vCPU's
 *     clock also advances with the others' instructions, see docs/benchmarks.md);
 *   - two marker instructions (nopl 0x4b17KKKK(%rbx,%rbx,1), K = MARK_BASE + 2 * construct
 *     before the loop and that + 1 after it), which bench/omp-icount/plugin.c turns into
 *     per-vCPU instruction counts.
 *
 * Every construct's effect is checked (a counter the construct guards, the iterations a
 * loop ran, the reduction's value); any mismatch fails the run.
 */
#include "../common/bench.h"

#include <omp.h>
#include <stdio.h>

#define NAME "epcc"

/* Markers MARK_BASE.. are this program's; bench/omp-icount's own probe uses 1 to 4. */
#define MARK_BASE 0x100
#define MARK(k)   __asm__ volatile("nopl %c0(%%rbx,%%rbx,1)" ::"i"(0x4b170000 + (k)) : "memory")

enum construct {
    REF_SERIAL, /* the delays alone, on one thread: reference for parallel, reduction */
    REF_REGION, /* the delays inside one region: reference for the rest */
    PARALLEL,
    BARRIER,
    FOR_STATIC,
    FOR_STATIC1,
    FOR_DYNAMIC,
    FOR_GUIDED,
    SINGLE,
    CRITICAL,
    LOCK,
    ATOMIC,
    REDUCTION,
    CONSTRUCTS
};

static const char *const construct_name[CONSTRUCTS] = {
    "reference (serial)",
    "reference (region)",
    "parallel",
    "barrier",
    "for schedule(static)",
    "for schedule(static,1)",
    "for schedule(dynamic)",
    "for schedule(guided)",
    "single",
    "critical",
    "lock/unlock",
    "atomic",
    "reduction",
};

static long delay_length;
static omp_lock_t lock;

/* EPCC's delay: a loop the compiler must keep (the asm hides the value). */
static void delay(void)
{
    long i, a = 0;

    for (i = 0; i < delay_length; i++) {
        a += i;
        __asm__ volatile("" : "+r"(a));
    }
}

/*
 * One function per construct: REPS repetitions of it around delay(). Each returns what the
 * construct's check counts, to be compared with expected().
 */
static long ref_serial(long reps)
{
    long j;

    for (j = 0; j < reps; j++) {
        delay();
    }
    return reps;
}

static long ref_region(long reps)
{
    long j;

#pragma omp parallel private(j)
    for (j = 0; j < reps; j++) {
        delay();
    }
    return reps;
}

static long parallel(long reps)
{
    long count = 0, j;

    for (j = 0; j < reps; j++) {
#pragma omp parallel
        {
            delay();
#pragma omp atomic
            count++;
        }
    }
    return count;
}

static long barrier(long reps)
{
    long count = 0, j;

#pragma omp parallel private(j) reduction(+ : count)
    for (j = 0; j < reps; j++) {
        delay();
#pragma omp barrier
        count++;
    }
    return count;
}

/*
 * The loops have one iteration per thread, as EPCC's for test; the count adds i + 1 for
 * iteration i, so a lost or doubled iteration shows.
 */
static long for_static(long reps)
{
    long count = 0, j;

#pragma omp parallel private(j) reduction(+ : count)
    {
        const int nt = omp_get_num_threads();
        int i;

        for (j = 0; j < reps; j++) {
#pragma omp for schedule(static)
            for (i = 0; i < nt; i++) {
                delay();
                count += i + 1;
            }
        }
    }
    return count;
}

static long for_static1(long reps)
{
    long count = 0, j;

#pragma omp parallel private(j) reduction(+ : count)
    {
        const int nt = omp_get_num_threads();
        int i;

        for (j = 0; j < reps; j++) {
#pragma omp for schedule(static, 1)
            for (i = 0; i < nt; i++) {
                delay();
                count += i + 1;
            }
        }
    }
    return count;
}

static long for_dynamic(long reps)
{
    long count = 0, j;

#pragma omp parallel private(j) reduction(+ : count)
    {
        const int nt = omp_get_num_threads();
        int i;

        for (j = 0; j < reps; j++) {
#pragma omp for schedule(dynamic)
            for (i = 0; i < nt; i++) {
                delay();
                count += i + 1;
            }
        }
    }
    return count;
}

static long for_guided(long reps)
{
    long count = 0, j;

#pragma omp parallel private(j) reduction(+ : count)
    {
        const int nt = omp_get_num_threads();
        int i;

        for (j = 0; j < reps; j++) {
#pragma omp for schedule(guided)
            for (i = 0; i < nt; i++) {
                delay();
                count += i + 1;
            }
        }
    }
    return count;
}

static long single(long reps)
{
    long count = 0, j;

#pragma omp parallel private(j)
    for (j = 0; j < reps; j++) {
#pragma omp single
        {
            delay();
            count++;
        }
    }
    return count;
}

/* Each thread enters reps / threads times: about reps entries in all, as in EPCC. */
static long critical(long reps)
{
    long count = 0, j;

#pragma omp parallel private(j)
    for (j = 0; j < reps / omp_get_num_threads(); j++) {
#pragma omp critical
        {
            delay();
            count++;
        }
    }
    return count;
}

static long lock_unlock(long reps)
{
    long count = 0, j;

#pragma omp parallel private(j)
    for (j = 0; j < reps / omp_get_num_threads(); j++) {
        omp_set_lock(&lock);
        delay();
        count++;
        omp_unset_lock(&lock);
    }
    return count;
}

static long atomic(long reps)
{
    long count = 0, j;

#pragma omp parallel private(j)
    for (j = 0; j < reps; j++) {
        delay();
#pragma omp atomic
        count++;
    }
    return count;
}

static long reduction(long reps)
{
    long count = 0, j;

    for (j = 0; j < reps; j++) {
#pragma omp parallel reduction(+ : count)
        {
            delay();
            count++;
        }
    }
    return count;
}

static long (*const run[CONSTRUCTS])(long reps) = {
    ref_serial, ref_region, parallel, barrier,     for_static, for_static1, for_dynamic,
    for_guided, single,     critical, lock_unlock, atomic,     reduction,
};

/* What run() returns when every construct did its job, with a team of @nt. */
static long expected(enum construct c, long reps, long nt)
{
    switch (c) {
    case PARALLEL:
    case BARRIER:
    case ATOMIC:
    case REDUCTION:
        return reps * nt;
    case FOR_STATIC:
    case FOR_STATIC1:
    case FOR_DYNAMIC:
    case FOR_GUIDED:
        return reps * nt * (nt + 1) / 2;
    case CRITICAL:
    case LOCK:
        return reps / nt * nt;
    default:
        return reps;
    }
}

struct measure {
    double time;  /* seconds, smallest of OUTER */
    uint64_t tsc; /* TSC ticks, smallest of OUTER */
    bool ok;
};

/* The markers need constants, hence one pair per construct. */
#define MEASURE_CASE(c)                \
    case c:                            \
        MARK(MARK_BASE + 2 * (c));     \
        t = bench_now();               \
        tsc = bench_rdtsc();           \
        got = run[c](reps);            \
        tsc = bench_rdtsc() - tsc;     \
        t = bench_now() - t;           \
        MARK(MARK_BASE + 2 * (c) + 1); \
        break

static void measure(enum construct c, long reps, long outer, long nt, struct measure *m)
{
    long o;

    m->time = 1e30;
    m->tsc = UINT64_MAX;
    m->ok = true;
    for (o = 0; o < outer; o++) {
        uint64_t tsc = 0;
        double t = 0;
        long got = -1;

        switch (c) {
            MEASURE_CASE(REF_SERIAL);
            MEASURE_CASE(REF_REGION);
            MEASURE_CASE(PARALLEL);
            MEASURE_CASE(BARRIER);
            MEASURE_CASE(FOR_STATIC);
            MEASURE_CASE(FOR_STATIC1);
            MEASURE_CASE(FOR_DYNAMIC);
            MEASURE_CASE(FOR_GUIDED);
            MEASURE_CASE(SINGLE);
            MEASURE_CASE(CRITICAL);
            MEASURE_CASE(LOCK);
            MEASURE_CASE(ATOMIC);
            MEASURE_CASE(REDUCTION);
        default:
            break;
        }
        if (got != expected(c, reps, nt)) {
            printf("%s: %s: the check counted %ld, expected %ld: FAIL\n", NAME, construct_name[c],
                   got, expected(c, reps, nt));
            m->ok = false;
        }
        m->time = t < m->time ? t : m->time;
        m->tsc = tsc < m->tsc ? tsc : m->tsc;
    }
}

int main(int argc, char **argv)
{
    long reps = bench_arg(argc, argv, 1, NAME, 1000, 1, 100000000);
    long outer = bench_arg(argc, argv, 2, NAME, 5, 1, 1000);
    long only = bench_arg(argc, argv, 4, NAME, -1, REF_REGION + 1, CONSTRUCTS - 1);
    long nt = omp_get_max_threads();
    struct measure m[CONSTRUCTS];
    bool ok = true;
    int c;

    delay_length = bench_arg(argc, argv, 3, NAME, 100, 0, 100000000);
    if (reps < 0 || outer < 0 || delay_length < 0 || (argc > 4 && only < 0)) {
        fprintf(stderr, "usage: %s [REPS [OUTER [DELAY [ONLY]]]]\n", NAME);
        return 2;
    }
    bench_banner(NAME);
    printf("%s: %ld repetitions, smallest of %ld, delay %ld iterations, %ld threads\n", NAME, reps,
           outer, delay_length, nt);
    omp_init_lock(&lock);
    /* Warm up: the team exists and the code has run once before anything is measured. */
    parallel(10);
    printf("%s: %-24s %12s %12s %14s  %s\n", NAME, "construct", "overhead us", "tsc/rep", "time s",
           "check");
    for (c = 0; c < CONSTRUCTS; c++) {
        const enum construct ref = c == PARALLEL || c == REDUCTION ? REF_SERIAL : REF_REGION;
        char us[BENCH_NUM_LEN], secs[BENCH_NUM_LEN];
        double over = 0;
        long long ticks = 0;

        if (only >= 0 && c > REF_REGION && c != only) {
            continue;
        }
        measure((enum construct)c, reps, outer, nt, &m[c]);
        if (c == REF_SERIAL || c == REF_REGION) {
            ticks = (long long)(m[c].tsc / (uint64_t)reps);
        } else {
            over = (m[c].time - m[ref].time) / (double)reps * 1e6;
            ticks = ((long long)m[c].tsc - (long long)m[ref].tsc) / reps;
        }
        printf("%s: %-24s %12s %12lld %14s  %s\n", NAME, construct_name[c],
               c == REF_SERIAL || c == REF_REGION ? "-" : bench_fixed(us, over, 3), ticks,
               bench_fixed(secs, m[c].time, 6), m[c].ok ? "ok" : "FAIL");
        ok = ok && m[c].ok;
    }
    omp_destroy_lock(&lock);
    return bench_verdict(NAME, ok);
}
