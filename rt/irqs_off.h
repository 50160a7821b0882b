/* SPDX-License-Identifier: MIT */
/*
 * A wrapper that calls a function built for user space with interrupts
 * off: rt/libm (musl's math) and rt/libgcc (a few of gcc's helpers) link
 * code that keeps values in the red zone below the stack pointer, where in
 * Kite's ring 0 an interrupt would push its frame. NMIs and machine checks
 * run on their own stacks (IST) and leave the red zone alone.
 *
 * KITE_IRQS_OFF_WRAP(real, ret, name, params, args) defines `ret name params`
 * calling `ret real params` (declared here) with interrupts off.
 */
#pragma once

#include <kite/arch.h>

#define KITE_IRQS_OFF_WRAP(real, ret, name, params, args) \
    ret real params;                                      \
    ret name params;                                      \
    ret name params                                       \
    {                                                     \
        unsigned long flags = arch_irq_save();            \
        ret r = real args;                                \
                                                          \
        arch_irq_restore(flags);                          \
        return r;                                         \
    }
