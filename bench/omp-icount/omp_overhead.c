// SPDX-License-Identifier: MIT
/*
 * The OpenMP overhead probe of bench/omp-icount: one C source built for Kite
 * (make EXT=bench/omp-icount, rt/omp) and for Linux (gcc -static -fopenmp,
 * libgomp). It marks the operations with marker instructions that the TCG
 * plugin beside it (plugin.c) turns into per-vCPU instruction counts; run.sh
 * takes the differences (see docs/bench-openmp.md).
 *
 *   omp_overhead [REPS [THREADS]]     (defaults: 500 repetitions, 4 threads)
 *
 * Brackets, all placed by the initial (master) thread, back to back so that
 * the intervals tile the run and nothing any vCPU does is left out:
 *   MARK_PARALLEL before each of REPS empty `parallel` regions (their body is
 *     an empty asm statement: gcc removes a region whose body is empty) and once after
 *     the last: an interval holds one region's entry and exit on the master,
 *     the workers' wake-up, their empty body and join, and their return to
 *     waiting (or what is left of it from the region before: in steady state
 *     each interval holds exactly one such return);
 *   MARK_BARRIER inside one region, before each of REPS barriers and once
 *     after the last: an interval holds one barrier on every thread.
 * The marker itself and a loop's few instructions are in each interval too.
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

/* A no-op the plugin recognises: nopl 0x4b17KKKK(%rbx,%rbx,1). */
#define MARK(k) __asm__ volatile("nopl %c0(%%rbx,%%rbx,1)" ::"i"(0x4b170000 + (k)) : "memory")

enum {
    MARK_START = 1,    /* a run begins (the plugin log may hold several runs) */
    MARK_PARALLEL = 2, /* around each empty parallel region */
    MARK_BARRIER = 3,  /* around each barrier, inside one region */
    MARK_END = 4,      /* the run is over */
};

#define WARMUP 50

static int parse(const char *s, int lo, int hi, const char *what)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "omp_overhead: %s '%s': expected a number from %d to %d\n", what, s, lo,
                hi);
        exit(2);
    }
    return (int)v;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? parse(argv[1], 1, 1000000, "repetitions") : 500;
    int threads = argc > 2 ? parse(argv[2], 1, 256, "threads") : 4;
    int seen = 0, bad = 0;

    /* Warm up: the pool's threads exist, the code and data are in the TLB and caches. */
    for (int i = 0; i < WARMUP; i++) {
#pragma omp parallel num_threads(threads)
        {
#pragma omp master
            seen = omp_get_num_threads();
#pragma omp barrier
        }
    }
    if (seen != threads) {
        fprintf(stderr, "omp_overhead: asked for %d threads, a region had %d\n", threads, seen);
        return 1;
    }

    MARK(MARK_START);
    for (int r = 0; r < reps; r++) {
        MARK(MARK_PARALLEL);
#pragma omp parallel num_threads(threads)
        {
            /* gcc drops a truly empty region; this keeps it and costs nothing. */
            __asm__ volatile("" ::: "memory");
        }
    }
    MARK(MARK_PARALLEL);

#pragma omp parallel num_threads(threads)
    {
        int master = omp_get_thread_num() == 0;

        if (omp_get_num_threads() != threads) {
#pragma omp atomic write
            bad = 1;
        }
        for (int i = 0; i < WARMUP; i++) {
#pragma omp barrier
        }
        for (int r = 0; r < reps; r++) {
            if (master) {
                MARK(MARK_BARRIER);
            }
#pragma omp barrier
        }
        if (master) {
            MARK(MARK_BARRIER);
        }
    }
    MARK(MARK_END);

    if (bad) {
        fprintf(stderr, "omp_overhead: the barrier region did not get %d threads\n", threads);
        return 1;
    }
    printf("omp_overhead: %d parallel regions and %d barriers with %d threads done\n", reps, reps,
           threads);
    return 0;
}
