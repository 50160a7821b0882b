/* SPDX-License-Identifier: MIT */
/*
 * An ordinary OpenMP program, unchanged for Kite: it studies the primes
 * below LIMIT with a few common constructs.
 *
 *   - parallel for with schedule(dynamic) and reductions: count the primes
 *     (testing a number costs more the larger it is, so threads take
 *     chunks as they go), sum them, find the widest gap between two;
 *   - atomic: a histogram of the primes' last digits;
 *   - sections: two independent questions answered side by side;
 *   - tasks: a recursive merge sort of shuffled primes, with taskwait;
 *   - critical: threads report into one shared list.
 *
 * The output does not depend on the number of threads. On Kite:
 *
 *     make EXT=rt/examples/openmp iso
 *     scripts/qemu.sh --iso build/kite.iso --smp 4 --timeout 60
 *     (kite.env="OMP_NUM_THREADS=2" on the command line sets the team size)
 *
 * On Linux: gcc -fopenmp -O2 -o primes rt/examples/openmp/primes.c && ./primes
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#define LIMIT 200000

static int is_prime(int n)
{
    if (n < 2) {
        return 0;
    }
    for (int d = 2; d * d <= n; d++) {
        if (n % d == 0) {
            return 0;
        }
    }
    return 1;
}

/* Sorts a[lo, hi) using tmp: the halves are sorted as two tasks, then merged. */
static void merge_sort(int *a, int *tmp, int lo, int hi)
{
    int mid = lo + (hi - lo) / 2, i = lo, j = mid, k = lo;

    if (hi - lo < 2) {
        return;
    }
    /* Small pieces are not worth a task of their own. */
#pragma omp task if (hi - lo > 2000)
    merge_sort(a, tmp, lo, mid);
#pragma omp task if (hi - lo > 2000)
    merge_sort(a, tmp, mid, hi);
#pragma omp taskwait
    while (i < mid && j < hi) {
        tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
    }
    while (i < mid) {
        tmp[k++] = a[i++];
    }
    while (j < hi) {
        tmp[k++] = a[j++];
    }
    for (k = lo; k < hi; k++) {
        a[k] = tmp[k];
    }
}

int main(void)
{
    static char prime[LIMIT];
    static int list[LIMIT], tmp[LIMIT];
    long count = 0, sum = 0;
    int widest = 0, digits[10] = {0}, twins = 0, largest = 0, n = 0, sorted = 1;

    /* 1. Which numbers are prime: every number is independent of the others. */
#pragma omp parallel for schedule(dynamic, 1000) reduction(+ : count, sum)
    for (int i = 0; i < LIMIT; i++) {
        prime[i] = (char)is_prime(i);
        if (prime[i]) {
            count++;
            sum += i;
#pragma omp atomic
            digits[i % 10]++;
        }
    }
    printf("primes below %d: %ld, summing to %ld\n", LIMIT, count, sum);
    printf("last digits: 1: %d, 2: %d, 3: %d, 5: %d, 7: %d, 9: %d\n", digits[1], digits[2],
           digits[3], digits[5], digits[7], digits[9]);

    /* 2. The widest gap: each iteration looks back to the previous prime. */
#pragma omp parallel for schedule(static) reduction(max : widest)
    for (int i = 3; i < LIMIT; i++) {
        if (prime[i]) {
            int prev = i - 1;

            while (!prime[prev]) {
                prev--;
            }
            widest = i - prev > widest ? i - prev : widest;
        }
    }
    printf("widest gap between consecutive primes: %d\n", widest);

    /* 3. Two unrelated questions, one section each. */
#pragma omp parallel sections
    {
#pragma omp section
        for (int i = 3; i + 2 < LIMIT; i++) {
            twins += prime[i] && prime[i + 2];
        }
#pragma omp section
        for (int i = LIMIT - 1; i > 0 && !largest; i--) {
            largest = prime[i] ? i : 0;
        }
    }
    printf("twin prime pairs: %d; largest prime: %d\n", twins, largest);

    /* 4. Shuffle the primes (a fixed sequence, so every run is the same) and sort them with tasks:
     * one thread starts the sort, the team runs the tasks it creates. */
    for (int i = 2; i < LIMIT; i++) {
        if (prime[i]) {
            list[n++] = i;
        }
    }
    srand(7);
    for (int i = n - 1; i > 0; i--) {
        int j = rand() % (i + 1), t = list[i];

        list[i] = list[j];
        list[j] = t;
    }
#pragma omp parallel
    {
#pragma omp single
        merge_sort(list, tmp, 0, n);
    }
    for (int i = 0, k = 0; i < LIMIT; i++) {
        if (prime[i]) {
            sorted = sorted && list[k++] == i;
        }
    }
    printf("merge sort with tasks of %d shuffled primes: %s\n", n,
           sorted ? "sorted" : "NOT sorted");

    /* 5. Each thread checks a share of the sorted list; a critical section collects the
     * findings in one place. */
    int bad = 0;
#pragma omp parallel
    {
        int mine = 0;

#pragma omp for
        for (int i = 1; i < n; i++) {
            mine += list[i] <= list[i - 1];
        }
#pragma omp critical
        bad += mine;
    }
    printf("%s\n", bad == 0 && sorted && count == 17984 ? "all as expected" : "WRONG");
    return bad == 0 && sorted && count == 17984 ? 0 : 1;
}
