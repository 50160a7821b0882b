/* SPDX-License-Identifier: MIT */
/*
 * The local APIC: see <arch/apic.h>. Two ways to reach its registers: xAPIC,
 * a memory-mapped page, and x2APIC, the same registers as MSRs 0x800 +
 * (reg >> 4), with 32-bit APIC IDs and an ICR written in one go. The boot CPU
 * picks x2APIC when CPUID offers it (kite.x2apic=0 keeps xAPIC) and every
 * other CPU follows its choice, so rd()/wr() need no per-CPU state. Every
 * wait on the APIC is bounded, so a machine that never answers gives an
 * error, not a hang.
 */
#define KITE_LOG_PREFIX "apic: "

#include <kite/arch.h>
#include <kite/cmdline.h>
#include <kite/errno.h>
#include <kite/mm.h>
#include <kite/partition.h>
#include <kite/printk.h>

#include <arch/apic.h>

#include "../../kernel/acpi.h"

#define REG_ID       0x20
#define REG_EOI      0xb0
#define REG_SVR      0xf0
#define REG_ICR_LO   0x300
#define REG_ICR_HI   0x310
#define SVR_ENABLE   0x100
#define ICR_PENDING  (1u << 12)
#define ICR_INIT     0x4500 /* INIT, level assert */
#define ICR_STARTUP  0x4600 /* STARTUP, vector in the low byte */
#define ICR_FIXED    0x4000 /* fixed delivery, assert */
#define ICR_NMI      0x4400 /* NMI delivery, assert */
#define DEFAULT_BASE 0xfee00000ull

#define MSR_APIC_BASE  0x1b
#define APIC_BASE_EXTD (1ull << 10) /* x2APIC mode */
#define APIC_BASE_EN   (1ull << 11) /* APIC enabled */
#define MSR_X2APIC     0x800        /* + (xAPIC register offset >> 4) */
#define MSR_X2APIC_ICR (MSR_X2APIC + (REG_ICR_LO >> 4))

#define REG_LVT_TIMER    0x320
#define REG_TIMER_INIT   0x380
#define REG_TIMER_CUR    0x390
#define REG_TIMER_DIV    0x3e0
#define LVT_MASKED       (1u << 16)
#define LVT_TSC_DEADLINE (2u << 17)
#define DIV_BY_1         0xb
#define MSR_TSC_DEADLINE 0x6e0

KITE_PARAM(x2apic, bool, true,
           "use the local APIC in x2APIC mode (MSRs) when the CPU offers it; 0 keeps xAPIC");

static volatile uint32_t *lapic; /* the xAPIC page; unused in x2APIC mode */
static bool x2apic;

static uint32_t rd(unsigned int reg)
{
    if (x2apic) {
        return (uint32_t)arch_rdmsr(MSR_X2APIC + (reg >> 4));
    }
    return lapic[reg / 4];
}

static void wr(unsigned int reg, uint32_t v)
{
    if (x2apic) {
        arch_wrmsr(MSR_X2APIC + (reg >> 4), v);
    } else {
        lapic[reg / 4] = v;
    }
}

void arch_udelay(uint64_t us)
{
    uint64_t start = arch_tsc(), ticks = us * arch_tsc_khz / 1000;

    while (arch_tsc() - start < ticks) {
        arch_pause();
    }
}

/* The two 8259s, when the machine has them: masked, so only the APIC delivers interrupts. */
static void mask_legacy_pic(void)
{
    if (kite_partition() || (kite_acpi.has_madt && !kite_acpi.pcat_compat)) {
        return;
    }
    arch_outb(0x21, 0xff);
    arch_outb(0xa1, 0xff);
}

/*
 * The mode for every CPU, chosen on the boot CPU: x2APIC when CPUID.1:ECX[21]
 * offers it and kite.x2apic allows, or when firmware already switched to it
 * (leaving x2APIC needs the APIC disabled, which loses its state). Maps the
 * xAPIC page otherwise. 0 or -KITE_ENODEV.
 */
static int choose_mode(void)
{
    uint32_t a, b, c, d;
    bool offered, on = arch_rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD;
    uint64_t base = kite_acpi.lapic_addr ? kite_acpi.lapic_addr : DEFAULT_BASE;

    arch_cpuid(1, 0, &a, &b, &c, &d);
    offered = (c >> 21) & 1;
    if (kite_partition()) {
        offered = false; /* the host chose the mode for every CPU; Kite keeps it */
    }
    if (on || (offered && param_x2apic)) {
        /*
         * Not exercised by the tests: QEMU 7.2's TCG does not offer x2APIC
         * (it needs KVM there, or QEMU 8). Kept to the register accessors,
         * the ICR and the ID, which is all that differs.
         */
        x2apic = true;
        if (on && !param_x2apic) {
            kite_pr_warn("kite.x2apic=0: firmware already switched to x2APIC, which only a reset "
                         "undoes; staying in x2APIC mode\n");
        }
        kite_pr_info("local APIC in x2APIC mode (MSRs)\n");
        return 0;
    }
    lapic = kite_ioremap(base, 4096);
    if (!lapic) {
        return -KITE_ENODEV;
    }
    kite_pr_info("local APIC in xAPIC mode at %#llx (%s)\n", (unsigned long long)base,
                 kite_partition() ? "as the host runs it"
                 : offered        ? "kite.x2apic=0"
                                  : "the CPU offers no x2APIC");
    return 0;
}

int arch_lapic_init(void)
{
    if (!lapic && !x2apic) {
        int rc;

        mask_legacy_pic();
        rc = choose_mode();
        if (rc) {
            return rc;
        }
    }
    if (x2apic) {
        uint64_t base = arch_rdmsr(MSR_APIC_BASE);

        /* xAPIC (or disabled) to x2APIC in one write is allowed; the reverse is not. */
        if (!(base & APIC_BASE_EXTD)) {
            arch_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
        }
    }
    wr(REG_SVR, SVR_ENABLE | ARCH_VECTOR_SPURIOUS);
    return 0;
}

bool arch_lapic_x2apic(void)
{
    return x2apic;
}

uint32_t arch_lapic_id(void)
{
    /* xAPIC keeps an 8-bit ID in the top byte; x2APIC's is the whole register. */
    return x2apic ? rd(REG_ID) : rd(REG_ID) >> 24;
}

/*
 * Send and, in xAPIC mode, wait until the APIC has taken it (1 ms); false
 * when it never does. Interrupts stay off throughout: an interrupt handler
 * that sends an IPI between the two xAPIC writes would change the
 * destination of ours.
 */
static bool icr_send(uint32_t apic_id, uint32_t low)
{
    unsigned long flags = arch_irq_save();
    uint64_t start, limit = arch_tsc_khz; /* 1 ms */
    bool ok = true;

    if (x2apic) {
        /*
         * One 64-bit write, destination in the high half, and no delivery
         * status to poll. WRMSR to the ICR is not serializing: the fences
         * make what we stored before the IPI visible to its receiver.
         */
        __asm__ volatile("mfence; lfence" ::: "memory");
        arch_wrmsr(MSR_X2APIC_ICR, ((uint64_t)apic_id << 32) | low);
        arch_irq_restore(flags);
        return true;
    }
    wr(REG_ICR_HI, apic_id << 24);
    wr(REG_ICR_LO, low);
    start = arch_tsc();
    while (rd(REG_ICR_LO) & ICR_PENDING) {
        if (arch_tsc() - start > limit) {
            ok = false;
            break;
        }
        arch_pause();
    }
    arch_irq_restore(flags);
    return ok;
}

int arch_lapic_start_cpu(uint32_t apic_id, uint8_t vector)
{
    if (!icr_send(apic_id, ICR_INIT)) {
        return -KITE_ETIMEDOUT;
    }
    arch_udelay(10000);
    for (int i = 0; i < 2; i++) {
        if (!icr_send(apic_id, ICR_STARTUP | vector)) {
            return -KITE_ETIMEDOUT;
        }
        arch_udelay(200);
    }
    return 0;
}

void arch_lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
    (void)icr_send(apic_id, ICR_FIXED | vector);
}

void arch_lapic_send_nmi(uint32_t apic_id)
{
    (void)icr_send(apic_id, ICR_NMI);
}

void arch_irq_eoi(void)
{
    wr(REG_EOI, 0);
}

/* ---------------------------------------------------------------- the per-CPU timer */

static bool tsc_deadline;  /* CPUID.1:ECX[24]: the timer takes an absolute TSC value */
static uint64_t tsc_mult;  /* TSC ticks = (ns * tsc_mult) >> 32 */
static uint64_t apic_mult; /* APIC timer ticks = (ns * apic_mult) >> 32 (one-shot mode) */
static uint64_t apic_khz;

const char *arch_timer_kind(void)
{
    return tsc_deadline ? "TSC deadline" : "local APIC one-shot";
}

/* Count the APIC timer (divide by 1) against the TSC for @us microseconds: its rate in kHz. */
static uint64_t apic_timer_khz(unsigned int us)
{
    uint32_t left;

    wr(REG_LVT_TIMER, LVT_MASKED | ARCH_VECTOR_TIMER);
    wr(REG_TIMER_DIV, DIV_BY_1);
    wr(REG_TIMER_INIT, 0xffffffffu);
    arch_udelay(us);
    left = rd(REG_TIMER_CUR);
    wr(REG_TIMER_INIT, 0);
    return (uint64_t)(0xffffffffu - left) * 1000 / us;
}

void arch_timer_init_cpu(void)
{
    if (arch_lapic_init()) {
        return; /* no APIC mapped: no timer (reported where the APIC is set up) */
    }
    if (arch_cpu_id() == 0) {
        uint32_t a, b, c, d;

        arch_cpuid(1, 0, &a, &b, &c, &d);
        tsc_deadline = (c >> 24) & 1;
        tsc_mult = (arch_tsc_khz << 32) / 1000000;
        if (!tsc_deadline) {
            apic_khz = apic_timer_khz(100); /* 100 us: ~10^5 ticks at QEMU's 1 GHz, plenty */
            if (!apic_khz) {
                apic_khz = 1000000;
                kite_pr_warn("the APIC timer does not count; assuming 1 GHz\n");
            }
            apic_mult = (apic_khz << 32) / 1000000;
        }
        if (tsc_deadline) {
            kite_pr_info("timer: TSC deadline\n");
        } else {
            kite_pr_info("timer: local APIC one-shot at %llu.%03llu MHz\n",
                         (unsigned long long)apic_khz / 1000, (unsigned long long)apic_khz % 1000);
        }
    }
    if (tsc_deadline) {
        wr(REG_LVT_TIMER, LVT_TSC_DEADLINE | ARCH_VECTOR_TIMER);
        __asm__ volatile("mfence" ::: "memory"); /* SDM: order the LVT write before the MSR */
        arch_wrmsr(MSR_TSC_DEADLINE, 0);
    } else {
        wr(REG_TIMER_DIV, DIV_BY_1);
        wr(REG_LVT_TIMER, ARCH_VECTOR_TIMER); /* one-shot */
        wr(REG_TIMER_INIT, 0);
    }
}

void arch_timer_arm(uint64_t deadline_ns, uint64_t now_ns)
{
    if (tsc_deadline) {
        uint64_t tsc =
            arch_boot_tsc + (uint64_t)(((unsigned __int128)deadline_ns * tsc_mult) >> 32);

        arch_wrmsr(MSR_TSC_DEADLINE, tsc ? tsc : 1);
    } else {
        uint64_t now = now_ns ? now_ns : kite_time_ns();
        uint64_t delta = deadline_ns > now ? deadline_ns - now : 0;
        uint64_t ticks = (uint64_t)(((unsigned __int128)delta * apic_mult) >> 32);

        wr(REG_TIMER_INIT, (uint32_t)KITE_MAX(KITE_MIN(ticks, 0xffffffffull), 1ull));
    }
}

void arch_timer_disarm(void)
{
    if (tsc_deadline) {
        arch_wrmsr(MSR_TSC_DEADLINE, 0);
    } else {
        wr(REG_TIMER_INIT, 0);
    }
}
