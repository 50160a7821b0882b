/* SPDX-License-Identifier: MIT */
/*
 * Host unit test of the Chase-Lev deque (rt/task/deque.h) under pthreads:
 * the order of pop and steal, fullness, and races between an owner that
 * pushes and pops and thieves that steal, on a deque of 16 entries so the
 * ring wraps thousands of times. Every entry must be taken exactly once.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define TASK_DEQUE_SIZE 16
#include "../deque.h"

#define ENTRIES 400000
#define THIEVES 3

static struct task_deque dq;
static uint8_t taken[ENTRIES];
static int done, dups;
static long stolen;

static void take(const struct task_entry *e)
{
    uintptr_t i = (uintptr_t)e->arg;

    if (i >= ENTRIES || __atomic_fetch_add(&taken[i], 1, __ATOMIC_RELAXED) != 0) {
        __atomic_fetch_add(&dups, 1, __ATOMIC_RELAXED);
    }
}

static void test_order_and_full(void **state)
{
    struct task_entry e = {NULL, NULL, NULL}, out = {NULL, NULL, NULL};

    (void)state;
    task_deque_init(&dq);
    assert_false(task_deque_pop(&dq, &out));
    assert_int_equal(task_deque_steal(&dq, &out), TASK_STEAL_EMPTY);
    for (uintptr_t i = 0; i < TASK_DEQUE_SIZE; i++) {
        assert_false(task_deque_full(&dq));
        e.arg = (void *)i;
        task_deque_push(&dq, &e);
    }
    assert_true(task_deque_full(&dq));
    assert_int_equal(task_deque_steal(&dq, &out), TASK_STEAL_OK);
    assert_ptr_equal(out.arg, (void *)0);
    assert_true(task_deque_pop(&dq, &out));
    assert_ptr_equal(out.arg, (void *)(TASK_DEQUE_SIZE - 1));
    /* After wrapping round the ring, the order still holds. */
    e.arg = (void *)100;
    task_deque_push(&dq, &e);
    e.arg = (void *)101;
    task_deque_push(&dq, &e);
    assert_true(task_deque_pop(&dq, &out));
    assert_ptr_equal(out.arg, (void *)101);
    assert_int_equal(task_deque_steal(&dq, &out), TASK_STEAL_OK);
    assert_ptr_equal(out.arg, (void *)1);
    while (task_deque_pop(&dq, &out)) {
    }
    assert_false(task_deque_has_work(&dq));
}

static void *thief(void *arg)
{
    struct task_entry out;
    long mine = 0;

    (void)arg;
    while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
        if (task_deque_steal(&dq, &out) == TASK_STEAL_OK) {
            take(&out);
            mine++;
        }
    }
    __atomic_fetch_add(&stolen, mine, __ATOMIC_RELAXED);
    return NULL;
}

static void test_race(void **state)
{
    pthread_t t[THIEVES];
    struct task_entry e = {NULL, NULL, NULL}, out;
    uintptr_t next = 0;

    (void)state;
    task_deque_init(&dq);
    memset(taken, 0, sizeof(taken));
    done = 0;
    dups = 0;
    stolen = 0;
    for (int i = 0; i < THIEVES; i++) {
        assert_int_equal(pthread_create(&t[i], NULL, thief, NULL), 0);
    }
    while (next < ENTRIES) {
        /* Batches of 1 to 20: some fill the deque, most fight over the last entry. */
        uintptr_t batch = 1 + (next * 7) % 20;

        for (uintptr_t k = 0; k < batch && next < ENTRIES; k++) {
            if (task_deque_full(&dq)) {
                break;
            }
            e.arg = (void *)next++;
            task_deque_push(&dq, &e);
        }
        /* A window for the thieves, then pop only some: the deque stays busy. */
        for (volatile int k = 0; k < 200; k++) {
        }
        for (uintptr_t k = 0; k < batch / 2 + 1 && task_deque_pop(&dq, &out); k++) {
            take(&out);
        }
    }
    while (task_deque_pop(&dq, &out)) {
        take(&out);
    }
    /* Thieves may still hold entries in flight: wait for them to stop. */
    __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < THIEVES; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
    }
    assert_int_equal(dups, 0);
    assert_true(stolen > 0);
    for (uintptr_t i = 0; i < ENTRIES; i++) {
        if (taken[i] != 1) {
            fail_msg("entry %lu taken %u times", (unsigned long)i, taken[i]);
        }
    }
    print_message("%ld of %d entries stolen\n", stolen, ENTRIES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_full),
        cmocka_unit_test(test_race),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
