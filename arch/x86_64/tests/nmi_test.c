/* SPDX-License-Identifier: MIT */
/*
 * NMIs between CPUs: arch_smp_nmi runs a callback on another CPU even while
 * that CPU spins with interrupts off, and sees the frame it interrupted;
 * calls that cannot work are refused. The local APIC runs in the mode the
 * CPU offers. The manual crash test panics while CPU 1 spins with
 * interrupts off: the report must say the other CPUs were stopped (the QEMU
 * runner boots it and checks that).
 */
#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/panic.h>
#include <kite/test.h>

#include <arch/apic.h>

#define RFLAGS_IF (1ull << 9)

/* CPU 1 spinning with interrupts off: the test sets release to let it go. */
static volatile bool spinning, release, spin_timed_out;
static volatile uint64_t spin_ms = 2000;

static void spin_irqs_off(void *arg)
{
    uint64_t start = arch_tsc();

    (void)arg;
    arch_irq_disable();
    spinning = true;
    while (!release) {
        if (arch_tsc() - start > spin_ms * arch_tsc_khz) {
            spin_timed_out = true;
            break;
        }
        arch_pause();
    }
    spinning = false;
    arch_irq_enable();
}

/* Start spin_irqs_off on @cpu and wait until it spins; false when it never does. */
static bool start_spinner(unsigned int cpu)
{
    uint64_t start = arch_tsc();

    spinning = release = spin_timed_out = false;
    if (arch_smp_call(cpu, spin_irqs_off, NULL) != 0) {
        return false;
    }
    while (!spinning) {
        if (arch_tsc() - start > 1000 * arch_tsc_khz) {
            return false;
        }
        arch_pause();
    }
    return true;
}

static volatile unsigned int nmi_cpu;
static volatile uint64_t nmi_rflags, nmi_rip;
static volatile bool nmi_frame_visible;

static void note_nmi(struct arch_regs *regs)
{
    nmi_cpu = arch_cpu_id() + 1;
    nmi_rflags = regs->rflags;
    nmi_rip = regs->rip;
    nmi_frame_visible = arch_smp_nmi_regs(arch_cpu_id()) == regs;
}

KITE_TEST(nmi, reaches_cpu_with_interrupts_off)
{
    uint64_t before;

    if (arch_cpus_online() < 2) {
        KITE_EXPECT_EQ(arch_smp_nmi(1, note_nmi), -KITE_ENODEV);
        return;
    }
    KITE_ASSERT(start_spinner(1));
    before = arch_irq_count(1, 2);
    nmi_cpu = 0;
    KITE_EXPECT_EQ(arch_smp_nmi(1, note_nmi), 0);
    KITE_EXPECT_EQ(nmi_cpu, 2);
    KITE_EXPECT_EQ(nmi_rflags & RFLAGS_IF, 0);
    KITE_EXPECT(nmi_rip >= (uint64_t)_text_start && nmi_rip < (uint64_t)_text_end);
    KITE_EXPECT(nmi_frame_visible);
    KITE_EXPECT_EQ(arch_irq_count(1, 2), before + 1);
    /* Only while the NMI is handled (or the CPU stopped) is a frame kept. */
    KITE_EXPECT(arch_smp_nmi_regs(1) == NULL);
    KITE_EXPECT(spinning); /* the NMI returned to the loop it interrupted */
    release = true;
    KITE_EXPECT_EQ(arch_smp_wait(1, 5000), 0);
    KITE_EXPECT(!spin_timed_out);
}

KITE_TEST(nmi, reaches_every_cpu)
{
    for (unsigned int cpu = 1; cpu < CONFIG_NR_CPUS; cpu++) {
        if (!arch_percpu_of(cpu) || !arch_percpu_of(cpu)->online) {
            continue;
        }
        nmi_cpu = 0;
        KITE_EXPECT_EQ(arch_smp_nmi(cpu, note_nmi), 0);
        KITE_EXPECT_EQ(nmi_cpu, cpu + 1);
    }
}

static volatile int nmi_rc;

static void nmi_boot_cpu(void *arg)
{
    (void)arg;
    nmi_rc = arch_smp_nmi(0, note_nmi);
}

/* The boot CPU was never started like the others, yet takes NMIs from them. */
KITE_TEST(nmi, reaches_the_boot_cpu)
{
    if (arch_cpus_online() < 2) {
        return;
    }
    nmi_cpu = 0;
    nmi_rc = 1;
    KITE_ASSERT(arch_smp_call(1, nmi_boot_cpu, NULL) == 0);
    KITE_EXPECT_EQ(arch_smp_wait(1, 5000), 0);
    KITE_EXPECT_EQ(nmi_rc, 0);
    KITE_EXPECT_EQ(nmi_cpu, 1);
}

KITE_TEST(nmi, refused_when_it_should_be)
{
    KITE_EXPECT_EQ(arch_smp_nmi(arch_cpu_id(), note_nmi), -KITE_ENODEV);
    KITE_EXPECT_EQ(arch_smp_nmi(CONFIG_NR_CPUS, note_nmi), -KITE_ENODEV);
    KITE_EXPECT_EQ(arch_smp_nmi(1, NULL), -KITE_EINVAL);
    KITE_EXPECT(arch_smp_nmi_regs(CONFIG_NR_CPUS) == NULL);
}

KITE_TEST(nmi, apic_mode_as_the_cpu_offers)
{
    uint32_t a, b, c, d;

    /* kite.x2apic is on by default; the test boots do not turn it off. */
    arch_cpuid(1, 0, &a, &b, &c, &d);
    KITE_EXPECT_EQ(arch_lapic_x2apic(), (c >> 21) & 1);
    KITE_EXPECT_EQ(arch_lapic_id(), arch_this_cpu()->apic_id);
}

/* Manual: panics on purpose, with CPU 1 spinning with interrupts off. */
KITE_TEST_MANUAL(crash, panic_stops_other_cpus)
{
    KITE_ASSERT(arch_cpus_online() >= 2);
    spin_ms = 60000; /* longer than the run: only the NMI can stop it */
    KITE_ASSERT(start_spinner(1));
    kite_panic("deliberate panic while CPU 1 spins with interrupts off");
}

static volatile bool go, racer_ready;

static void panic_too(void *arg)
{
    (void)arg;
    arch_irq_disable();
    racer_ready = true;
    while (!go) {
        arch_pause();
    }
    kite_panic("deliberate panic on CPU %u, racing CPU 0", arch_cpu_id());
}

/*
 * Manual: two CPUs panic at once. Whichever gets there first stops the
 * other; one report must end the run, without a hang.
 */
KITE_TEST_MANUAL(crash, concurrent_panics)
{
    uint64_t start = arch_tsc();

    KITE_ASSERT(arch_cpus_online() >= 2);
    go = racer_ready = false;
    KITE_ASSERT(arch_smp_call(1, panic_too, NULL) == 0);
    while (!racer_ready) {
        KITE_ASSERT(arch_tsc() - start < 1000 * arch_tsc_khz);
        arch_pause();
    }
    go = true;
    kite_panic("deliberate panic on CPU 0, racing CPU 1");
}
