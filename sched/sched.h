/* SPDX-License-Identifier: MIT */
/*
 * Between the scheduler and what blocks threads (wait queues, timers,
 * sleep): the one way to block and the one way to wake.
 *
 * Blocking is a two-step protocol, so a wake-up can never be lost: with
 * interrupts off and the lock a waker takes held, the thread marks itself
 * blocked (kite_sched_prepare_block) and records itself where the waker will
 * look; it drops that lock and calls kite_sched_block, which switches away
 * unless a wake came in between. Exactly one waker calls kite_sched_wake
 * for each block.
 */
#pragma once

#include <kite/thread.h>

/* Interrupts off: mark the calling thread blocked. */
void kite_sched_prepare_block(void);
/* Interrupts off: run other threads until this one is woken. Returns with interrupts off. */
void kite_sched_block(void);
/* Make @t (blocked) runnable again; from any CPU or interrupt handler. */
void kite_sched_wake(struct kite_thread *t);

/* Timers, for the scheduler: each CPU's earliest deadline (KITE_FOREVER when none). */
extern volatile uint64_t kite_timer_first[CONFIG_NR_CPUS];
/* Run this CPU's timers due at @now (interrupts off). */
void kite_timer_run_due(uint64_t now);
/* Ask CPU @cpu to re-arm its timer (a timer earlier than its armed one was added). */
void kite_sched_retimer(unsigned int cpu);
void kite_timer_cpu_init(unsigned int cpu);
