/* SPDX-License-Identifier: MIT */
/*
 * Consoles: where printk's lines go, and where the shell's keys come from
 * (those with input: serial, the PS/2 keyboard). Console drivers declare
 * themselves with KITE_CONSOLE; the kernel starts them early (before memory),
 * then again once the command line is known, so options like kite.serial=0
 * or kite.vga=0 apply.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

#define KITE_CONSOLE_OFF   0
#define KITE_CONSOLE_ON    1
#define KITE_CONSOLE_MOVED 2

struct kite_console {
    const char *name;
    /*
     * Bring the device up. @early: called before the command line is parsed
     * (only defaults apply). Returns KITE_CONSOLE_OFF, KITE_CONSOLE_ON, or
     * KITE_CONSOLE_MOVED when it now writes somewhere new (another port) and
     * should be given the log so far.
     */
    int (*setup)(bool early);
    void (*write)(const char *s, size_t len); /* NULL: an input-only console (a keyboard) */
    /* The next input byte, or -1 when none is waiting; never waits. NULL: output only. */
    int (*getc)(void);
};

#define KITE_CONSOLE(id, ...)                                                                     \
    static const struct kite_console __kite_console_##id KITE_USED KITE_SECTION(".kite_consoles") \
        KITE_ALIGNED(8) = __VA_ARGS__

/* Start the consoles with their defaults (first thing at boot). */
void kite_console_early_init(void);
/* Restart them as the command line says; a new console replays the log so far. */
void kite_console_init(void);
/* Write raw text to every active console. */
void kite_console_write(const char *s, size_t len);
/* The next byte typed on any active console with input, or -1 when none; never waits. */
int kite_console_getc(void);
