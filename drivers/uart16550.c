/* SPDX-License-Identifier: MIT */
/*
 * 16550 UART console, polled: COM1 at 115200 8N1 by default, on from the
 * first C line of boot. The UART is probed through its scratch register, so
 * a machine without one (many new boards) simply has no serial console
 * instead of a hang; writes give up on a UART that never drains. Moved to
 * another port by kite.serial_port, it replays the log from the start.
 * Input (for the shell) is polled too.
 */
#include <kite/arch.h>
#include <kite/cmdline.h>
#include <kite/console.h>
#include <kite/partition.h>
#include <kite/printk.h>

#define UART_CLOCK_DIV 115200u
#define REG_DATA       0
#define REG_IER        1
#define REG_FCR        2
#define REG_LCR        3
#define REG_MCR        4
#define REG_LSR        5
#define REG_SCRATCH    7
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20
#define TX_SPINS       100000

KITE_PARAM(serial, bool, true, "serial console on (1) or off (0)");
KITE_PARAM(serial_port, uint, 0x3f8,
           "I/O port of the serial console's UART (COM1 0x3f8, COM2 0x2f8)");
KITE_PARAM(baud, uint, 115200, "serial console speed in bit/s; must divide 115200");

static uint16_t port;
static bool stuck;

static bool probe(uint16_t base)
{
    arch_outb(base + REG_SCRATCH, 0x5a);
    if (arch_inb(base + REG_SCRATCH) != 0x5a) {
        return false;
    }
    arch_outb(base + REG_SCRATCH, 0xa5);
    return arch_inb(base + REG_SCRATCH) == 0xa5;
}

static int uart_setup(bool early)
{
    unsigned long baud = early ? UART_CLOCK_DIV : param_baud;
    uint16_t base = early ? 0x3f8 : (uint16_t)param_serial_port;
    bool bad_baud = baud == 0 || baud > UART_CLOCK_DIV || UART_CLOCK_DIV % baud;
    bool moved = !early && port != 0 && base != port;
    uint16_t div;

    if (kite_partition()) {
        return KITE_CONSOLE_OFF; /* the host's UART: Kite logs into the shared ring */
    }
    if (!early && (!param_serial || param_serial_port > 0xfff8)) {
        return KITE_CONSOLE_OFF;
    }
    if (bad_baud) {
        baud = UART_CLOCK_DIV;
    }
    if (!probe(base)) {
        return KITE_CONSOLE_OFF;
    }
    div = (uint16_t)(UART_CLOCK_DIV / baud);
    arch_outb(base + REG_IER, 0x00); /* polled: no interrupts */
    arch_outb(base + REG_LCR, 0x80); /* divisor latch */
    arch_outb(base + REG_DATA, div & 0xff);
    arch_outb(base + REG_IER, div >> 8);
    arch_outb(base + REG_LCR, 0x03); /* 8N1 */
    arch_outb(base + REG_FCR, 0xc7); /* FIFOs on and cleared */
    arch_outb(base + REG_MCR, 0x03); /* DTR, RTS */
    port = base;
    stuck = false;
    if (bad_baud && !early) {
        kite_pr_warn("serial: kite.baud=%lu: expected a divisor of 115200 (115200, 57600, 38400, "
                     "19200, 9600, ...); using 115200\n",
                     param_baud);
    }
    return moved ? KITE_CONSOLE_MOVED : KITE_CONSOLE_ON;
}

static void put(char c)
{
    for (int i = 0; !(arch_inb(port + REG_LSR) & LSR_THR_EMPTY); i++) {
        if (i == TX_SPINS) {
            stuck = true; /* nobody drains it: stop waiting on every character */
            return;
        }
        arch_pause();
    }
    arch_outb(port + REG_DATA, (uint8_t)c);
}

static void uart_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len && !stuck; i++) {
        if (s[i] == '\n') {
            put('\r');
        }
        put(s[i]);
    }
}

/* Polled input for the shell: a byte the FIFO holds, or -1. */
static int uart_getc(void)
{
    if (port == 0 || !(arch_inb(port + REG_LSR) & LSR_DATA_READY)) {
        return -1;
    }
    return arch_inb(port + REG_DATA);
}

KITE_CONSOLE(uart16550,
             {.name = "serial", .setup = uart_setup, .write = uart_write, .getc = uart_getc});
