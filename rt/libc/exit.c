/* SPDX-License-Identifier: MIT */
/*
 * exit and atexit. There is no process: exit ends the whole image. It runs
 * the registered handlers, last first, flushes stdout and stderr, and powers
 * off with the status (under QEMU's exit device QEMU exits with
 * (status << 1) | 1). _Exit skips the handlers and the flush.
 */
#include <stdio.h>
#include <stdlib.h>

#include <kite/power.h>
#include <kite/spinlock.h>

#define ATEXIT_MAX 32

/* lock guards handlers and handler_count. */
static struct kite_spinlock lock = KITE_SPINLOCK_INIT;
static void (*handlers[ATEXIT_MAX])(void);
static int handler_count;

int atexit(void (*fn)(void))
{
    unsigned long flags = kite_spin_lock_irqsave(&lock);
    int rc = -1;

    if (handler_count < ATEXIT_MAX) {
        handlers[handler_count++] = fn;
        rc = 0;
    }
    kite_spin_unlock_irqrestore(&lock, flags);
    return rc;
}

/* A handler may call atexit or exit again; each handler is taken off before it runs. */
void exit(int status)
{
    for (;;) {
        unsigned long flags = kite_spin_lock_irqsave(&lock);
        void (*fn)(void) = handler_count > 0 ? handlers[--handler_count] : NULL;

        kite_spin_unlock_irqrestore(&lock, flags);
        if (!fn) {
            break;
        }
        fn();
    }
    fflush(NULL);
    kite_poweroff(status);
}

void _Exit(int status)
{
    kite_poweroff(status);
}
