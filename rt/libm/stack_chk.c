/* SPDX-License-Identifier: MIT */
/*
 * Debian builds musl with the stack protector: its math functions with
 * arrays on the stack check a canary at %fs:0x28 (in the TCB that Kite keeps
 * at every thread's FS base) before returning, and call this when it was
 * overwritten. Kite's own code is built without the stack protector.
 */
#include <kite/panic.h>

void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
    kite_panic("libm: stack smashing detected in a math function");
}
