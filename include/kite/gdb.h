/* SPDX-License-Identifier: MIT */
/*
 * The GDB stub: the GDB remote serial protocol on a polled 16550 UART, so gdb
 * can debug Kite over a null-modem cable or QEMU's second serial port. It is
 * off unless kite.gdb=PORT, kite.gdb_wait or kite.panic=gdb is given (the
 * port is then ttyS1, COM2, unless kite.gdb names another). Every CPU is a
 * gdb thread (thread N is CPU N - 1); while one CPU is in the stub, the
 * others are held with an NMI. docs/debugging.md ("gdb over serial") is the
 * user's guide.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

struct arch_regs;

/* True when the stub is on (kite.gdb, kite.gdb_wait or kite.panic=gdb) and its UART answered. */
bool kite_gdb_enabled(void);

/* True while gdb is attached: it has talked to the stub and not detached since. */
bool kite_gdb_attached(void);

/*
 * Stop here for gdb, as a breakpoint would: the calling CPU enters the stub,
 * the others are held, and gdb is told (or, when none is attached yet,
 * waited for). Returns when gdb continues or detaches; at once when the stub
 * is off.
 */
void kite_gdb_breakpoint(void);

/*
 * For kernel/panic.c with kite.panic=gdb: capture this CPU's registers and
 * enter the stub, reporting SIGABRT, so gdb can look at the panic (bt, the
 * other CPUs as threads). The other CPUs may already be stopped by
 * arch_smp_stop_others; their registers are then shown, read-only. Returns
 * when gdb continues or detaches; at once when the stub is off.
 */
void kite_gdb_panic(void);

/*
 * The stub's byte link (drivers/uart_gdb.c): a 16550 at I/O port @port,
 * 115200 8N1, polled, sharing nothing with the console (no printk, no lock),
 * so it works with interrupts off and from any trap.
 */
/* Set up the UART at @port: 0, or -KITE_ENODEV when no UART answers there. */
int kite_gdb_uart_init(uint16_t port);
/* The next received byte, or -1 when none is waiting. */
int kite_gdb_uart_getc(void);
/* Send @c, waiting for room (a UART that never drains is given up on). */
void kite_gdb_uart_putc(uint8_t c);
/*
 * Interrupt on received bytes (so gdb's Ctrl-C stops a running Kite): the
 * port's ISA IRQ is routed to CPU 0 and @fn runs there, in interrupt
 * context, after the EOI. 0, -KITE_ENODEV (no IOAPIC, or a port with no
 * standard IRQ) or another error from the routing.
 */
int kite_gdb_uart_irq_init(void (*fn)(struct arch_regs *regs));
/* After the stub read the UART with polling: bytes still waiting raise a new interrupt. */
void kite_gdb_uart_irq_rearm(void);
