/* SPDX-License-Identifier: MIT */
/*
 * Init levels. kernel/main.c is a fixed list of steps; optional parts
 * register a hook with KITE_INIT(fn, level) and main.c runs each level at its
 * place between the fixed steps, logging every hook by name. A hook returns 0
 * or a negative -KITE_E* code, which is reported (boot goes on).
 */
#pragma once

#include <kite/compiler.h>

#define KITE_INIT_EARLY  1 /* after the console and command line: no memory yet */
#define KITE_INIT_ARCH   2 /* after traps and time: CPU features */
#define KITE_INIT_DEVICE 3 /* drivers */
#define KITE_INIT_LATE   4 /* just before the runtime or the tests start */

struct kite_init_hook {
    int (*fn)(void);
    const char *name;
    int level;
};

#define KITE_INIT(fn, level)                                                                 \
    static const struct kite_init_hook __kite_init_##fn KITE_USED KITE_SECTION(".kite_init") \
        KITE_ALIGNED(8) = {fn, #fn, level}

/* Run every hook of @level; returns how many failed. */
int kite_init_level(int level);
