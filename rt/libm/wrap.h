/* SPDX-License-Identifier: MIT */
/*
 * The wrapper of one math.h function around musl's (renamed
 * __kite_musl_NAME in libm.a by mklibm.sh, which compiles one wrapper per
 * object, so an image links only the functions it calls).
 *
 * musl's code runs with interrupts off. It is built for Linux user space,
 * and its leaf functions keep values in the 128-byte red zone below the
 * stack pointer (exp, log, floor, cbrt, ... in Debian's build). Kite runs in
 * ring 0, where an interrupt pushes its frame right there, over those
 * values; Kite's own code is built with -mno-red-zone, musl's objects
 * cannot be. NMIs and machine checks run on their own stacks (IST) and
 * leave the red zone alone. The price is a pushf/cli/sti per call.
 *
 * Built with the kernel's flags and SSE: the arguments are floating point.
 */
#pragma once

#include <math.h>

#include <kite/arch.h>

#include "../irqs_off.h"

#define KITE_MATH(ret, name, params, args) \
    KITE_IRQS_OFF_WRAP(__kite_musl_##name, ret, name, params, args)

#define KITE_MATH_VOID(name, params, args)     \
    void __kite_musl_##name params;            \
    void name params                           \
    {                                          \
        unsigned long flags = arch_irq_save(); \
                                               \
        __kite_musl_##name args;               \
        arch_irq_restore(flags);               \
    }
