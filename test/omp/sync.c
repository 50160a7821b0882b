/* SPDX-License-Identifier: MIT */
/*
 * Mutual exclusion and synchronization: critical (unnamed and named, under
 * contention), atomic (update, read, write, capture on int, long, double
 * and a type too wide for a lock-free instruction), barrier, and the simple
 * and nested locks.
 */
#include "omptest.h"

#define TEAM   4
#define ROUNDS 2000
#define PHASES 20 /* barrier phases: each costs milliseconds in QEMU without KVM */

/* Read, spin, write back: loses updates unless something excludes the other threads. */
static void slow_increment(volatile long *p)
{
    long v = *p;

    omptest_spin(20);
    *p = v + 1;
}

void test_critical(void)
{
    volatile long counter = 0;
    int inside = 0, most = 0;

#pragma omp parallel num_threads(TEAM)
    {
        for (int i = 0; i < ROUNDS; i++) {
#pragma omp critical
            {
                if (++inside > most) {
                    most = inside;
                }
                slow_increment(&counter);
                inside--;
            }
        }
    }
    omptest_say("unnamed critical: %d threads x %d increments = %ld, at most %d inside", TEAM,
                ROUNDS, counter, most);
    CHECK(counter == (long)TEAM * ROUNDS && most == 1, "critical lost updates");
}

void test_critical_named(void)
{
    volatile long a = 0, b = 0, c = 0;

#pragma omp parallel num_threads(TEAM)
    {
        for (int i = 0; i < ROUNDS; i++) {
#pragma omp critical(alpha)
            slow_increment(&a);
#pragma omp critical(beta)
            slow_increment(&b);
            if (i % 2 == 0) {
#pragma omp critical
                slow_increment(&c);
            }
        }
    }
    omptest_say("critical(alpha) %ld, critical(beta) %ld, unnamed %ld", a, b, c);
    CHECK(a == (long)TEAM * ROUNDS && b == (long)TEAM * ROUNDS && c == (long)TEAM * ROUNDS / 2,
          "named critical sections lost updates");
}

void test_atomic_int(void)
{
    int add = 0, sub = 0, orr = 0, andd = -1, xorr = 0, mul = 1, shl = 1, wr = 0, rd;

#pragma omp parallel num_threads(TEAM)
    {
        int me = omp_get_thread_num();

        for (int i = 0; i < ROUNDS; i++) {
#pragma omp atomic
            add += 2;
#pragma omp atomic update
            sub -= 1;
#pragma omp atomic
            xorr ^= 1 << (i % 8);
        }
#pragma omp atomic
        orr |= 1 << me;
#pragma omp atomic
        andd &= ~(1 << me);
#pragma omp atomic
        mul *= 3;
#pragma omp atomic
        shl <<= 1;
#pragma omp atomic write
        wr = 7;
    }
#pragma omp atomic read
    rd = wr;
    omptest_say("int: += %d, -= %d, |= %#x, &= %#x, ^= %d, *= %d, <<= %d, write/read %d", add, sub,
                orr, andd, xorr, mul, shl, rd);
    CHECK(add == 2 * TEAM * ROUNDS && sub == -TEAM * ROUNDS && orr == 0xf && andd == ~0xf &&
              xorr == 0 && mul == 81 && shl == 16 && rd == 7,
          "int atomics");
}

void test_atomic_long(void)
{
    long add = 0, last = 0, big = 1L << 40;
    unsigned long bits = 0;

#pragma omp parallel num_threads(TEAM)
    {
        int me = omp_get_thread_num();
        long old;

        for (int i = 0; i < ROUNDS; i++) {
#pragma omp atomic
            add += 1L << 33;
#pragma omp atomic
            big -= 3;
        }
#pragma omp atomic
        bits |= 1UL << (40 + me);
#pragma omp atomic capture
        {
            old = last;
            last = me;
        }
        CHECK(old >= 0 && old < TEAM, "the swap captured %ld", old);
    }
    omptest_say("long: += 2^33 x %d = %ld, -= 3 from 2^40: %ld, bits %#lx", TEAM * ROUNDS, add, big,
                bits);
    CHECK(add == (long)TEAM * ROUNDS << 33 && big == (1L << 40) - 3L * TEAM * ROUNDS &&
              bits == 0xfUL << 40,
          "long atomics");
    CHECK(last >= 0 && last < TEAM, "the last swap left %ld", last);
}

void test_atomic_double(void)
{
    double sum = 0, scaled = 1, wr = 0, rd;

#pragma omp parallel num_threads(TEAM)
    {
        for (int i = 0; i < ROUNDS; i++) {
#pragma omp atomic
            sum += 0.5;
        }
#pragma omp atomic
        scaled *= 2.0;
#pragma omp atomic write
        wr = 2.25;
    }
#pragma omp atomic read
    rd = wr;
    /* Every partial sum is a multiple of 0.5 far below 2^52: exact in any order. */
    omptest_say("double: += 0.5 x %d = %ld, *= 2 x %d = %ld, write/read 2.25 %s", TEAM * ROUNDS,
                (long)sum, TEAM, (long)scaled, rd == 2.25 ? "kept" : "lost");
    CHECK(sum == 0.5 * TEAM * ROUNDS && scaled == 16.0 && rd == 2.25, "double atomics");
}

void test_atomic_capture(void)
{
    static int ticket_of[TEAM * 100];
    int next = 0, bad = 0, pre = 0, post = 0;
    double dnext = 0;
    long lnext = 0, lold = -1;

    for (int i = 0; i < TEAM * 100; i++) {
        ticket_of[i] = 0;
    }
#pragma omp parallel num_threads(TEAM) reduction(+ : bad)
    {
        for (int i = 0; i < 100; i++) {
            int t, u;
            double d;

#pragma omp atomic capture
            t = next++;
            if (t >= 0 && t < TEAM * 100) {
#pragma omp atomic
                ticket_of[t]++;
            }
#pragma omp atomic capture
            u = ++pre;
            bad += u < 1;
#pragma omp atomic capture
            {
                d = dnext;
                dnext += 1.0;
            }
            bad += d < 0;
#pragma omp atomic capture
            {
                post += 2;
                u = post;
            }
            bad += u < 2 || u % 2 != 0;
        }
    }
    for (int i = 0; i < TEAM * 100; i++) {
        bad += ticket_of[i] != 1;
    }
#pragma omp atomic capture
    {
        lold = lnext;
        lnext = 99;
    }
    omptest_say("capture: %d unique tickets of %d, ++x %d, {x += 2; v = x} %d, double %ld, "
                "swap %ld -> %ld",
                TEAM * 100 - bad, TEAM * 100, pre, post, (long)dnext, lold, lnext);
    CHECK(bad == 0 && next == TEAM * 100 && pre == TEAM * 100 && post == 2 * TEAM * 100 &&
              dnext == TEAM * 100.0 && lold == 0 && lnext == 99,
          "atomic capture");
}

void test_atomic_wide(void)
{
    /* Too wide for a lock-free instruction: gcc brackets it with GOMP_atomic_start/end. */
    long double sum = 0;
    __int128 wide = 0;

#pragma omp parallel num_threads(TEAM)
    {
        for (int i = 0; i < ROUNDS / 4; i++) {
#pragma omp atomic
            sum += 1.5L;
#pragma omp atomic
            wide += (__int128)1 << 70;
        }
    }
    omptest_say("long double += 1.5 x %d = %ld, __int128 += 2^70 x %d = 2^70 x %ld",
                TEAM * ROUNDS / 4, (long)sum, TEAM * ROUNDS / 4, (long)(wide >> 70));
    CHECK(sum == 1.5L * TEAM * ROUNDS / 4 && wide == ((__int128)TEAM * ROUNDS / 4) << 70,
          "wide atomics");
}

void test_barrier(void)
{
    static int phase_of[TEAM];
    int bad = 0;

#pragma omp parallel num_threads(TEAM) reduction(+ : bad)
    {
        int me = omp_get_thread_num();

        for (int phase = 1; phase <= PHASES; phase++) {
            if (me == phase % TEAM) {
                omptest_spin(500); /* one thread is late each time */
            }
            phase_of[me] = phase;
#pragma omp barrier
            for (int t = 0; t < TEAM; t++) {
                bad += phase_of[t] != phase;
            }
#pragma omp barrier
        }
    }
    omptest_say("%d phases on %d threads: %d times a thread passed a barrier early", PHASES, TEAM,
                bad);
    CHECK(bad == 0, "barrier");
}

void test_barrier_9(void)
{
    static int phase_of[9];
    int bad = 0;

    /* A larger team than the CPUs (up to 4 here): some threads share a CPU. */
#pragma omp parallel num_threads(9) reduction(+ : bad)
    {
        int me = omp_get_thread_num();

        for (int phase = 1; phase <= PHASES; phase++) {
            phase_of[me] = phase;
#pragma omp barrier
            for (int t = 0; t < 9; t++) {
                bad += phase_of[t] != phase;
            }
#pragma omp barrier
        }
    }
    omptest_say("%d phases on 9 threads: %d times a thread passed a barrier early", PHASES, bad);
    CHECK(bad == 0, "barrier with 9 threads");
}

void test_lock(void)
{
    omp_lock_t lock;
    volatile long counter = 0;
    int held_test = -1, free_test = -1;

    omp_init_lock(&lock);
#pragma omp parallel num_threads(TEAM)
    {
        for (int i = 0; i < ROUNDS / 2; i++) {
            omp_set_lock(&lock);
            slow_increment(&counter);
            omp_unset_lock(&lock);
        }
    }
    omptest_say("omp_set_lock/unset_lock: %d threads x %d = %ld", TEAM, ROUNDS / 2, counter);
    CHECK(counter == (long)TEAM * ROUNDS / 2, "the lock lost updates");

#pragma omp parallel num_threads(2)
    {
        int me = omp_get_thread_num();

        if (me == 0) {
            omp_set_lock(&lock);
        }
#pragma omp barrier
        if (me == 1) {
            held_test = omp_test_lock(&lock);
        }
#pragma omp barrier
        if (me == 0) {
            omp_unset_lock(&lock);
        }
#pragma omp barrier
        if (me == 1) {
            free_test = omp_test_lock(&lock);
            if (free_test) {
                omp_unset_lock(&lock);
            }
        }
    }
    omp_destroy_lock(&lock);
    omptest_say("omp_test_lock: %d while another thread holds it, %d when free", held_test,
                free_test);
    CHECK(held_test == 0 && free_test != 0, "omp_test_lock");
}

void test_nest_lock(void)
{
    omp_nest_lock_t lock;
    int depth = 0, other = -1, other_free = -1, depth_seen = 0;
    volatile long counter = 0;

    omp_init_nest_lock(&lock);
#pragma omp parallel num_threads(2)
    {
        int me = omp_get_thread_num();

        if (me == 0) {
            omp_set_nest_lock(&lock);
            omp_set_nest_lock(&lock);
            depth = omp_test_nest_lock(&lock); /* the third level: returns the new depth */
        }
#pragma omp barrier
        if (me == 1) {
            other = omp_test_nest_lock(&lock);
        }
#pragma omp barrier
        if (me == 0) {
            omp_unset_nest_lock(&lock);
            omp_unset_nest_lock(&lock);
            omp_unset_nest_lock(&lock);
        }
#pragma omp barrier
        if (me == 1) {
            other_free = omp_test_nest_lock(&lock);
            if (other_free) {
                depth_seen = omp_test_nest_lock(&lock);
                omp_unset_nest_lock(&lock);
                omp_unset_nest_lock(&lock);
            }
        }
    }
    omptest_say("nest lock: depth %d after set, set, test; another thread's test %d; when free %d, "
                "then %d",
                depth, other, other_free, depth_seen);
    CHECK(depth == 3 && other == 0 && other_free == 1 && depth_seen == 2, "nest lock depths");

    /* Recursion under contention. */
#pragma omp parallel num_threads(TEAM)
    {
        for (int i = 0; i < ROUNDS / 4; i++) {
            omp_set_nest_lock(&lock);
            omp_set_nest_lock(&lock);
            slow_increment(&counter);
            omp_unset_nest_lock(&lock);
            slow_increment(&counter);
            omp_unset_nest_lock(&lock);
        }
    }
    omp_destroy_nest_lock(&lock);
    omptest_say("nested set twice, 2 increments each: %ld", counter);
    CHECK(counter == (long)TEAM * ROUNDS / 2, "the nest lock lost updates");
}
