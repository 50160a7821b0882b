/* SPDX-License-Identifier: MIT */
/*
 * Panic: for broken invariants only. Prints what broke, where (backtrace), on
 * which CPU, stops the other CPUs with an NMI each, then stops: halts, or
 * powers off with status 5 when kite.panic=poweroff (the default while
 * in-kernel tests run).
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

KITE_NORETURN void kite_panic(const char *fmt, ...) KITE_PRINTF(1, 2);

/* Panic with file and line when @cond is false. */
#define KITE_BUG_ON(cond)                                              \
    do {                                                               \
        if (kite_unlikely(cond)) {                                     \
            kite_panic("BUG: %s at %s:%d", #cond, __FILE__, __LINE__); \
        }                                                              \
    } while (0)

/*
 * Print a backtrace for a report: @rip first when non-zero (the faulting
 * instruction), then the frame-pointer chain from @rbp.
 */
void kite_panic_backtrace(uint64_t rip, uint64_t rbp);

/* The panic's one-line reason, for whoever watches from outside (a co-kernel's host); first wins.
 */
void kite_panic_reason(const char *fmt, ...) KITE_PRINTF(1, 2);

/*
 * Finish a fatal report and stop (kite_panic and the arch trap code call
 * this): the other CPUs are stopped first. When two CPUs panic at once, the
 * first stops the machine and the second just stops.
 */
KITE_NORETURN void kite_panic_stop(void);

/* True once a panic has started (printk then takes no locks). */
extern volatile bool kite_panicking;
