/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the OpenMP benchmark kernels in bench/omp/: argument parsing, timing
 * (omp_get_wtime and the time stamp counter), markers an outside instruction counter can see,
 * number formatting that needs no floating-point printf, the NAS linear congruential
 * generator, and the closing verification line. Plain C: the same code builds for Linux with
 * gcc -fopenmp and for Kite with make EXT=bench/omp/<name>.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for any number bench_fixed or bench_sci writes. */
#define BENCH_NUM_LEN 64

/*
 * Positional argument @i (argv[i]) as an integer in [@min, @max], or @def when absent.
 * A bad or out-of-range value is reported under @what and gives -1.
 */
long bench_arg(int argc, char **argv, int i, const char *what, long def, long min, long max);

/* Wall seconds (omp_get_wtime). */
double bench_now(void);

/* @v with @decimals digits after the point, in @buf (BENCH_NUM_LEN bytes); returns @buf. */
const char *bench_fixed(char *buf, double v, int decimals);
/* @v as d.ddde+XX with @digits digits after the point, in @buf; returns @buf. */
const char *bench_sci(char *buf, double v, int digits);

/* |a - b| <= tol * max(|a|, |b|), or both tiny (below 1e-300). */
bool bench_close(double a, double b, double tol);

/*
 * The NAS Parallel Benchmarks' generator: x' = a * x mod 2^46, with a = 5^13 and an odd
 * seed; x / 2^46 is uniform in (0, 1). Only the low 46 bits of a product matter, and those
 * are exact in 64-bit unsigned arithmetic.
 */
#define BENCH_LCG_A    1220703125ULL
#define BENCH_LCG_MASK ((1ULL << 46) - 1)

static inline uint64_t bench_lcg_next(uint64_t x, uint64_t a)
{
    return (x * a) & BENCH_LCG_MASK;
}

static inline double bench_lcg_real(uint64_t x)
{
    return (double)x * (1.0 / 70368744177664.0); /* 2^-46 */
}

/* a^n mod 2^46: the generator's multiplier for a jump of n steps. */
uint64_t bench_lcg_pow(uint64_t a, uint64_t n);

/* The time stamp counter: under QEMU's -icount shift=0 one tick is one guest instruction. */
static inline uint64_t bench_rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/*
 * xchg %bx,%bx changes nothing; a TCG plugin counting instructions per vCPU can log its
 * count at each one (../shared/BENCH.md), so measured loops are bracketed by two markers.
 */
static inline void bench_marker(void)
{
    __asm__ volatile("xchg %%bx, %%bx" ::: "memory");
}

/* Prints the kernel's name and the team size it will use. */
void bench_banner(const char *name);

/* Prints "NAME: VERIFICATION SUCCESSFUL" or "... FAILED"; returns main's status (0 on success). */
int bench_verdict(const char *name, bool ok);
