/* SPDX-License-Identifier: MIT */
/*
 * Threads: the only unit of execution in Kite. A thread runs a function on
 * one CPU, on its own guarded stack, both allocated on that CPU's node.
 * Threads switch when they yield, block (join) or exit; preemption, timers
 * and sleep come with the rest of the scheduler work.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

#define KITE_CPU_ANY              (-1)
#define KITE_THREAD_STACK_DEFAULT (16u << 10)
#define KITE_THREAD_NAME_MAX      24

struct kite_thread;
typedef void *(*kite_thread_fn)(void *arg);

struct kite_thread_attr {
    int cpu;           /* KITE_CPU_ANY: a CPU of the creator's node, the least loaded */
    size_t stack_size; /* 0: KITE_THREAD_STACK_DEFAULT */
    const char *name;  /* copied; NULL: "thread" */
    bool detached;     /* freed when it exits; cannot be joined */
};

/*
 * Start @fn(@arg) in a new thread (@attr NULL: defaults). Returns 0 and the
 * thread in *@out (may be NULL for detached threads), -KITE_ENODEV for a CPU
 * that is not online, -KITE_EINVAL for a bad stack size, -KITE_ENOMEM.
 */
KITE_MUST_CHECK int kite_thread_create(struct kite_thread **out, kite_thread_fn fn, void *arg,
                                       const struct kite_thread_attr *attr);

/*
 * Wait for @t to end and take its return value (@ret may be NULL); frees
 * it. -KITE_EINVAL for joining oneself or a detached thread.
 */
KITE_MUST_CHECK int kite_thread_join(struct kite_thread *t, void **ret);

/* End the calling thread with @ret (returning from its function does the same). */
KITE_NORETURN void kite_thread_exit(void *ret);

/* Let the other runnable threads of this CPU run first. */
void kite_thread_yield(void);

struct kite_thread *kite_thread_self(void);
const char *kite_thread_name(const struct kite_thread *t);
unsigned int kite_thread_cpu(const struct kite_thread *t);

/* For boot only: the boot CPU's threads, then each started CPU's run queue and idle thread. */
void kite_sched_init(void);
void kite_sched_cpu_init(void);
KITE_NORETURN void kite_sched_idle(void);
