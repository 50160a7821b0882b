/* SPDX-License-Identifier: MIT */
/*
 * Timers: a callback at a time, on a chosen CPU, once or periodically.
 *
 *     static void tick(struct kite_timer *t, void *arg) { ... }
 *     struct kite_timer t;
 *     kite_timer_init(&t, tick, NULL);
 *     kite_timer_start(&t, 2, 1000000, 1000000); // on CPU 2, every ms
 *     ...
 *     kite_timer_cancel(&t);
 *
 * Each CPU keeps its timers in deadline order and arms its one-shot timer
 * for the earliest (tickless: no timer pending, no interrupt). A callback
 * runs in interrupt context with interrupts off: it must not block, but may
 * wake threads, start and cancel timers. A periodic timer's next deadline
 * is its previous one plus the period, so it does not drift; missed
 * periods are skipped, not run in a burst.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

#define KITE_NSEC_PER_USEC 1000ull
#define KITE_NSEC_PER_MSEC 1000000ull
#define KITE_NSEC_PER_SEC  1000000000ull
#define KITE_FOREVER       UINT64_MAX /* a deadline that never comes */

struct kite_timer;
typedef void (*kite_timer_fn)(struct kite_timer *t, void *arg);

struct kite_timer {
    uint64_t deadline; /* kite_time_ns() at which it fires */
    uint64_t period;   /* 0: once */
    kite_timer_fn fn;
    void *arg;
    struct kite_timer *next; /* its CPU's list, in deadline order */
    volatile int cpu;        /* the CPU whose list holds it, or -1 */
    volatile int home;       /* the CPU it was last started on, or -1 */
    volatile bool stopped;   /* cancelled: a periodic timer is not requeued */
};

/* Prepare @t (once, before any start). */
void kite_timer_init(struct kite_timer *t, kite_timer_fn fn, void *arg);

/*
 * Run @t's callback on CPU @cpu (KITE_CPU_ANY: the calling CPU) once
 * @delay_ns have passed, then every @period_ns (0: once). Starting a
 * pending timer moves it. Returns 0, or -KITE_ENODEV for a CPU that is not
 * online, -KITE_EINVAL for a timer never initialized.
 */
KITE_MUST_CHECK int kite_timer_start(struct kite_timer *t, int cpu, uint64_t delay_ns,
                                     uint64_t period_ns);
/* The same with an absolute deadline (kite_time_ns() clock). */
KITE_MUST_CHECK int kite_timer_start_at(struct kite_timer *t, int cpu, uint64_t deadline_ns,
                                        uint64_t period_ns);

/*
 * Stop @t. Returns true when it was pending. When its callback is running
 * on another CPU, waits for it to finish, so @t may be freed afterwards
 * (do not cancel a timer from its own callback's CPU while it runs there:
 * a callback may cancel or restart its own timer, though).
 */
bool kite_timer_cancel(struct kite_timer *t);

/* True while @t waits to fire. */
bool kite_timer_pending(const struct kite_timer *t);

/* The deadline (kite_time_ns) of CPU @cpu's next timer; KITE_FOREVER when none or no such CPU. */
uint64_t kite_timer_next(unsigned int cpu);

/* Sleep the calling thread for at least @ns nanoseconds (other threads run meanwhile). */
void kite_sleep_ns(uint64_t ns);
/* Sleep until kite_time_ns() >= @deadline_ns. */
void kite_sleep_until(uint64_t deadline_ns);
