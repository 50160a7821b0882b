/* SPDX-License-Identifier: MIT */
/*
 * The IOAPICs: see <arch/ioapic.h>. Each is two registers, a select and a
 * window, through which its version and its redirection table are reached;
 * one lock serialises every select-then-access pair. What an ISA IRQ turns
 * into (GSI, trigger, polarity) is worked out in ioapic_priv.h from the
 * MADT's overrides.
 */
#define KITE_LOG_PREFIX "ioapic: "

#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/init.h>
#include <kite/mm.h>
#include <kite/panic.h>
#include <kite/partition.h>
#include <kite/printk.h>
#include <kite/spinlock.h>

#include <arch/ioapic.h>

#include "ioapic_priv.h"

#define IOREGSEL   0x00
#define IOWIN      0x10
#define REG_VER    0x01
#define REG_RTE(n) (0x10 + 2 * (n)) /* low half; the high half follows */

struct ioapic {
    volatile uint32_t *regs;
    uint32_t id;
    uint32_t gsi_base;
    unsigned int lines;
};

/* Filled once at init, read-only afterwards. */
static struct ioapic ioapics[KITE_ACPI_MAX_IOAPICS];
static unsigned int nioapics;
/* Guards the select register of every IOAPIC, so each select-access pair is whole. */
static struct kite_spinlock lock = KITE_SPINLOCK_INIT;

static uint32_t rd(const struct ioapic *io, unsigned int reg)
{
    io->regs[IOREGSEL / 4] = reg;
    return io->regs[IOWIN / 4];
}

static void wr(const struct ioapic *io, unsigned int reg, uint32_t v)
{
    io->regs[IOREGSEL / 4] = reg;
    io->regs[IOWIN / 4] = v;
}

/* Needs the lock. */
static void write_rte(const struct ioapic *io, unsigned int line, uint64_t rte)
{
    KITE_BUG_ON(!kite_spin_held(&lock));
    /* Masked while half written, so the line never fires with one old and one new half. */
    wr(io, REG_RTE(line), (uint32_t)rte | (uint32_t)IOAPIC_RTE_MASKED);
    wr(io, REG_RTE(line) + 1, (uint32_t)(rte >> 32));
    wr(io, REG_RTE(line), (uint32_t)rte);
}

static const struct ioapic *find(uint32_t gsi)
{
    for (unsigned int i = 0; i < nioapics; i++) {
        if (gsi >= ioapics[i].gsi_base && gsi - ioapics[i].gsi_base < ioapics[i].lines) {
            return &ioapics[i];
        }
    }
    return NULL;
}

static bool overlaps(uint32_t base, unsigned int lines)
{
    for (unsigned int i = 0; i < nioapics; i++) {
        if (base < ioapics[i].gsi_base + ioapics[i].lines && ioapics[i].gsi_base < base + lines) {
            return true;
        }
    }
    return false;
}

/* Map the IOAPIC @a describes; false (with a warning) when it cannot be used. */
static bool add(const struct kite_acpi_ioapic *a)
{
    struct ioapic *io = &ioapics[nioapics];
    uint32_t ver;

    io->regs = kite_ioremap(a->addr, 0x20);
    if (!io->regs) {
        kite_pr_warn("IOAPIC %u at %#x: no address space to map it; skipped\n", a->id, a->addr);
        return false;
    }
    io->id = a->id;
    io->gsi_base = a->gsi_base;
    /* Nothing decodes the address: reads float to all ones. */
    ver = rd(io, REG_VER);
    if (ver == 0xffffffffu) {
        kite_pr_warn("IOAPIC %u at %#x does not answer; skipped\n", a->id, a->addr);
        return false;
    }
    io->lines = ((ver >> 16) & 0xff) + 1;
    if (overlaps(io->gsi_base, io->lines)) {
        kite_pr_warn("IOAPIC %u at %#x: GSIs %u-%u overlap another IOAPIC's; skipped\n", a->id,
                     a->addr, io->gsi_base, io->gsi_base + io->lines - 1);
        return false;
    }
    /* Firmware may have left lines live: nothing fires until a driver routes it. */
    for (unsigned int line = 0; line < io->lines; line++) {
        write_rte(io, line, IOAPIC_RTE_MASKED);
    }
    kite_pr_info("IOAPIC %u at %#x: version %#x, GSIs %u-%u, all masked\n", a->id, a->addr,
                 ver & 0xff, io->gsi_base, io->gsi_base + io->lines - 1);
    return true;
}

static int ioapic_init(void)
{
    unsigned long flags;

    if (kite_partition()) {
        kite_pr_info("none in a partition (the host's): device interrupts cannot be routed\n");
        return 0;
    }
    if (!kite_acpi.has_madt || !kite_acpi.nioapics) {
        kite_pr_warn("no IOAPIC (%s): device interrupts cannot be routed\n",
                     kite_acpi.has_madt ? "the MADT lists none" : "no MADT");
        return 0;
    }
    flags = kite_spin_lock_irqsave(&lock);
    for (unsigned int i = 0; i < kite_acpi.nioapics && nioapics < KITE_ACPI_MAX_IOAPICS; i++) {
        if (add(&kite_acpi.ioapics[i])) {
            nioapics++;
        }
    }
    kite_spin_unlock_irqrestore(&lock, flags);
    return nioapics ? 0 : -KITE_ENODEV;
}
KITE_INIT(ioapic_init, KITE_INIT_ARCH);

unsigned int arch_ioapic_gsi_count(void)
{
    unsigned int n = 0;

    for (unsigned int i = 0; i < nioapics; i++) {
        n += ioapics[i].lines;
    }
    return n;
}

/* The xAPIC ID of online CPU @cpu, or a negative error. */
static int dest_of(unsigned int cpu)
{
    const struct arch_percpu *pc = arch_percpu_of(cpu);

    /* The boot CPU never sets its online flag: it was never started. */
    if (!pc || (cpu != 0 && !__atomic_load_n(&pc->online, __ATOMIC_ACQUIRE))) {
        return -KITE_ENODEV;
    }
    /* Physical destination mode holds 8 bits; more needs interrupt remapping. */
    if (pc->apic_id > 0xff) {
        return -KITE_EINVAL;
    }
    return (int)pc->apic_id;
}

int arch_ioapic_route_gsi(uint32_t gsi, uint8_t vector, unsigned int cpu, bool level,
                          bool active_low)
{
    const struct ioapic *io = find(gsi);
    unsigned long flags;
    int dest;

    if (!nioapics) {
        return -KITE_ENODEV;
    }
    if (!io || vector < ARCH_VECTOR_ISA_BASE || vector > ARCH_VECTOR_DYNAMIC_LAST) {
        return -KITE_EINVAL;
    }
    dest = dest_of(cpu);
    if (dest < 0) {
        return dest;
    }
    flags = kite_spin_lock_irqsave(&lock);
    write_rte(io, gsi - io->gsi_base, ioapic_rte(vector, (uint8_t)dest, level, active_low, false));
    kite_spin_unlock_irqrestore(&lock, flags);
    return 0;
}

int arch_ioapic_isa_to_gsi(unsigned int irq, uint32_t *gsi, bool *level, bool *active_low)
{
    struct ioapic_line line;

    if (irq >= ISA_IRQS) {
        return -KITE_EINVAL;
    }
    line = ioapic_isa_line(kite_acpi.overrides, kite_acpi.noverrides, irq);
    if (gsi) {
        *gsi = line.gsi;
    }
    if (level) {
        *level = line.level;
    }
    if (active_low) {
        *active_low = line.active_low;
    }
    return 0;
}

int arch_ioapic_route_isa(unsigned int irq, uint8_t vector, unsigned int cpu)
{
    uint32_t gsi;
    bool level, active_low;
    int rc = arch_ioapic_isa_to_gsi(irq, &gsi, &level, &active_low);

    if (rc) {
        return rc;
    }
    return arch_ioapic_route_gsi(gsi, vector, cpu, level, active_low);
}

int arch_ioapic_mask(uint32_t gsi, bool masked)
{
    const struct ioapic *io = find(gsi);
    unsigned long flags;
    uint32_t low;
    int rc = 0;

    if (!nioapics) {
        return -KITE_ENODEV;
    }
    if (!io) {
        return -KITE_EINVAL;
    }
    flags = kite_spin_lock_irqsave(&lock);
    low = rd(io, REG_RTE(gsi - io->gsi_base));
    if (!masked && (low & 0xff) < ARCH_VECTOR_ISA_BASE) {
        rc = -KITE_EINVAL; /* never routed: it would deliver a vector the CPU reserves */
    } else {
        low = masked ? low | (uint32_t)IOAPIC_RTE_MASKED : low & ~(uint32_t)IOAPIC_RTE_MASKED;
        wr(io, REG_RTE(gsi - io->gsi_base), low);
    }
    kite_spin_unlock_irqrestore(&lock, flags);
    return rc;
}
