/* SPDX-License-Identifier: MIT */
/*
 * Threads: the only unit of execution in Kite. A thread runs a function on
 * one CPU, on its own guarded stack, both allocated on that CPU's node,
 * with its own block of __thread variables (through the FS base).
 *
 * Scheduling: each CPU runs its highest-priority runnable thread; threads
 * of equal priority take turns every quantum (CONFIG_SCHED_QUANTUM_US,
 * kite.quantum=). A CPU with one runnable thread and no timer due takes no
 * timer interrupt at all. A thread created with KITE_CPU_ANY is unbound:
 * it starts on the least loaded CPU of its creator's node, and idle CPUs
 * steal unbound threads (nearest node first). A thread created for a CPU
 * stays there until kite_thread_move.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

#define KITE_CPU_ANY              (-1)
#define KITE_THREAD_STACK_DEFAULT (16u << 10)
#define KITE_THREAD_NAME_MAX      24

/* Priorities: higher runs first; a thread of higher priority preempts at once. */
#define KITE_PRIO_MIN     (-4)
#define KITE_PRIO_DEFAULT 0
#define KITE_PRIO_MAX     3

struct kite_thread;
typedef void *(*kite_thread_fn)(void *arg);

struct kite_thread_attr {
    int cpu;           /* KITE_CPU_ANY: a CPU of the creator's node, the least loaded */
    size_t stack_size; /* 0: KITE_THREAD_STACK_DEFAULT */
    const char *name;  /* copied; NULL: "thread" */
    bool detached;     /* freed when it exits; cannot be joined */
    int prio;          /* KITE_PRIO_MIN..KITE_PRIO_MAX; 0 (the zero value) is the default */
};

/*
 * Start @fn(@arg) in a new thread (@attr NULL: defaults). Returns 0 and the
 * thread in *@out (may be NULL for detached threads), -KITE_ENODEV for a CPU
 * that is not online, -KITE_EINVAL for a bad stack size or priority,
 * -KITE_ENOMEM.
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

/*
 * A permit per thread, for building waits without a lock: kite_thread_park
 * takes the calling thread's permit, blocking until kite_thread_unpark(t)
 * gives one (a permit given before the park is kept: it returns at once).
 * It may also return early, so callers check what they wait for in a loop:
 *
 *     while (!ready) { announce that you sleep; if (!ready) kite_thread_park(); }
 *
 * and the waker sets ready, then unparks the thread if it announced itself.
 * Not with interrupts off or a spinlock held.
 */
void kite_thread_park(void);
void kite_thread_unpark(struct kite_thread *t);

/*
 * Bind @t to CPU @cpu (KITE_CPU_ANY: unbind it). The calling thread moves
 * before this returns; another thread moves the next time it is scheduled
 * (at once when it is waiting in a run queue). 0, -KITE_ENODEV or -KITE_EINVAL.
 */
KITE_MUST_CHECK int kite_thread_move(struct kite_thread *t, int cpu);

/* Change the calling thread's priority; 0 or -KITE_EINVAL. */
KITE_MUST_CHECK int kite_thread_set_prio(int prio);
int kite_thread_prio(const struct kite_thread *t);

struct kite_thread *kite_thread_self(void);
const char *kite_thread_name(const struct kite_thread *t);
unsigned int kite_thread_cpu(const struct kite_thread *t);
/* The CPU the caller runs on (it may move afterwards, unless bound). */
unsigned int kite_cpu(void);

/* The time slice of equal-priority threads, in nanoseconds (kite.quantum, in microseconds). */
uint64_t kite_sched_quantum_ns(void);
/* Context switches CPU @cpu has made since boot (tests and statistics). */
uint64_t kite_sched_switches(unsigned int cpu);

/* The name of the thread running here; "boot" before threads exist (for reports). */
const char *kite_thread_current_name(void);

/* The thread running on CPU @cpu now (its idle thread when none), or NULL for no such CPU. */
struct kite_thread *kite_cpu_thread(unsigned int cpu);

/* One thread as kite_thread_snapshot saw it. */
struct kite_thread_info {
    char name[KITE_THREAD_NAME_MAX];
    unsigned int cpu;  /* the CPU that runs it, has it queued, or ran it last */
    int prio;          /* KITE_PRIO_MIN..KITE_PRIO_MAX; KITE_PRIO_MIN - 1 for an idle thread */
    bool running;      /* the CPU's current thread */
    bool bound;        /* kept on its CPU (else it may be stolen) */
    const char *state; /* "running", "ready", "blocked", "moving", "exiting"; idle: "waiting" */
};

/*
 * Copy up to @max of the live threads into @out, by CPU, each CPU's running
 * thread first; returns how many there are. Every thread: running, waiting
 * for a CPU, or blocked (on a lock, a join, a sleep). A snapshot read
 * without stopping anything, for the shell and for debugging: a thread may
 * change state while it is taken.
 */
unsigned int kite_thread_snapshot(struct kite_thread_info *out, unsigned int max);

/* For boot only: the boot CPU's threads, then each started CPU's run queue and idle thread. */
void kite_sched_init(void);
void kite_sched_cpu_init(void);
KITE_NORETURN void kite_sched_idle(void);
