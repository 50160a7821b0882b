/* SPDX-License-Identifier: MIT */
/*
 * The GDB stub's UART: a 16550 at the port kite.gdb names (ttyS1, COM2, by
 * default), 115200 8N1, polled. It is separate from the serial console
 * (drivers/uart16550.c): no printk, no lock, nothing shared, so the stub can
 * use it with interrupts off, from any trap, and while a held CPU owns the
 * console's lock. Its receive interrupt, routed to CPU 0, is how gdb's
 * Ctrl-C reaches a running Kite.
 */
#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/gdb.h>

#include <arch/ioapic.h>

#define REG_DATA      0
#define REG_IER       1
#define REG_IIR       2 /* read: interrupt identification */
#define REG_FCR       2 /* write: FIFO control */
#define REG_LCR       3
#define REG_MCR       4
#define REG_LSR       5
#define REG_SCRATCH   7
#define LSR_DATA      0x01
#define LSR_THR_EMPTY 0x20
#define IER_RX        0x01
#define MCR_DTR_RTS   0x03
#define MCR_OUT2      0x08 /* gates the UART's interrupt line on PC boards */
#define TX_SPINS      1000000

static uint16_t port;
static bool irq_on;
static void (*rx_fn)(struct arch_regs *regs);

int kite_gdb_uart_init(uint16_t base)
{
    arch_outb(base + REG_SCRATCH, 0x5a);
    if (arch_inb(base + REG_SCRATCH) != 0x5a) {
        return -KITE_ENODEV;
    }
    arch_outb(base + REG_SCRATCH, 0xa5);
    if (arch_inb(base + REG_SCRATCH) != 0xa5) {
        return -KITE_ENODEV;
    }
    arch_outb(base + REG_IER, 0x00);
    arch_outb(base + REG_LCR, 0x80); /* divisor latch: 115200 / 1 */
    arch_outb(base + REG_DATA, 1);
    arch_outb(base + REG_IER, 0);
    arch_outb(base + REG_LCR, 0x03); /* 8N1 */
    arch_outb(base + REG_FCR, 0xc7); /* FIFOs on and cleared */
    arch_outb(base + REG_MCR, MCR_DTR_RTS | MCR_OUT2);
    port = base;
    return 0;
}

int kite_gdb_uart_getc(void)
{
    if (!port || !(arch_inb(port + REG_LSR) & LSR_DATA)) {
        return -1;
    }
    return arch_inb(port + REG_DATA);
}

void kite_gdb_uart_putc(uint8_t c)
{
    if (!port) {
        return;
    }
    for (int i = 0; !(arch_inb(port + REG_LSR) & LSR_THR_EMPTY); i++) {
        if (i == TX_SPINS) {
            return; /* nothing drains it: drop the byte rather than hang the stub */
        }
        arch_pause();
    }
    arch_outb(port + REG_DATA, c);
}

/* The PC's wiring: COM1 and COM3 on IRQ 4, COM2 and COM4 on IRQ 3. */
static int isa_irq(uint16_t base)
{
    switch (base) {
    case 0x3f8:
    case 0x3e8:
        return 4;
    case 0x2f8:
    case 0x2e8:
        return 3;
    default:
        return -1;
    }
}

static void uart_irq(struct arch_regs *regs, void *ctx)
{
    (void)ctx;
    (void)arch_inb(port + REG_IIR);
    arch_irq_eoi();
    if (rx_fn) {
        rx_fn(regs);
    }
}

int kite_gdb_uart_irq_init(void (*fn)(struct arch_regs *regs))
{
    int irq = isa_irq(port);
    int rc;

    if (!port || irq < 0) {
        return -KITE_ENODEV;
    }
    rx_fn = fn;
    rc = arch_irq_set_handler(ARCH_VECTOR_ISA_BASE + (unsigned int)irq, uart_irq, NULL);
    if (rc) {
        return rc;
    }
    rc = arch_ioapic_route_isa((unsigned int)irq, (uint8_t)(ARCH_VECTOR_ISA_BASE + irq), 0);
    if (rc) {
        return rc;
    }
    irq_on = true;
    arch_outb(port + REG_IER, IER_RX);
    return 0;
}

void kite_gdb_uart_irq_rearm(void)
{
    if (irq_on) {
        /* The line is edge-triggered: off and on again, so bytes already waiting raise an edge. */
        arch_outb(port + REG_IER, 0);
        arch_outb(port + REG_IER, IER_RX);
    }
}
