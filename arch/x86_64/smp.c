/* SPDX-License-Identifier: MIT */
/*
 * Starting the other CPUs and handing them work. Each CPU the topology
 * lists is started with INIT-SIPI-SIPI through the trampoline, gets its own
 * per-CPU area, GDT/TSS and guarded stacks on its node, and then idles in
 * hlt until arch_smp_call gives it a function to run (a wake-up IPI ends the
 * hlt). A CPU that does not come up within 200 ms is reported and left out.
 * Threads and scheduling build on this with the SMP work.
 *
 * NMIs reach a CPU whatever it is doing, interrupts off included: they stop
 * the other CPUs when one panics (arch_smp_stop_others) and run small
 * callbacks on another CPU (arch_smp_nmi). Each CPU keeps the frame its NMI
 * interrupted, so a stopped CPU can still be shown.
 */
#define KITE_LOG_PREFIX "smp: "

#include <kite/arch.h>
#include <kite/bootinfo.h>
#include <kite/cmdline.h>
#include <kite/errno.h>
#include <kite/mm.h>
#include <kite/numa.h>
#include <kite/panic.h>
#include <kite/partition.h>
#include <kite/printk.h>
#include <kite/stack.h>
#include <kite/string.h>
#include <kite/thread.h>

#include <arch/apic.h>
#include <arch/paging.h>
#include <arch/tlb.h>

#define STACK_SIZE       (16u << 10)
#define START_TIMEOUT_US 200000
#define MSR_EFER         0xc0000080
#define EFER_LME         (1u << 8)
#define EFER_NXE         (1u << 11)
#define NMI_TIMEOUT_MS   100
#define NO_CPU           (~0u)

extern char arch_trampoline_start[], arch_trampoline_end[], arch_tr_gdt[], arch_tr_gdt_ptr[],
    arch_tr_pm_ptr[], arch_tr_pm32[], arch_tr_cr3[], arch_tr_efer[], arch_tr_stack[],
    arch_tr_percpu[], arch_tr_entry[];

void kite_smp_init(void);

KITE_PARAM(maxcpus, uint, 0, "use at most this many CPUs, the boot CPU included (0: all)");

static unsigned int online = 1;
static unsigned int wanted = 1; /* CPUs Kite set out to use: all listed, within the limits */

/* Where @sym of the trampoline lands in the copy at @page. */
#define TR(page, sym) ((uint8_t *)(page) + ((uintptr_t)(sym) - (uintptr_t)arch_trampoline_start))

unsigned int arch_cpus_online(void)
{
    return online;
}

unsigned int arch_cpus_wanted(void)
{
    return wanted;
}

static KITE_NORETURN void ap_main(struct arch_percpu *pc)
{
    arch_traps_init_cpu(pc, pc->ist_top);
    arch_lapic_init();
    kite_partition_cpu_state(pc->apic_id, KITE_CPU_ONLINE);
    kite_pr_info("CPU %u online (APIC ID %u, node %d)\n", pc->cpu, pc->apic_id,
                 kite_numa_node_of_cpu(pc->cpu));
    /* This context becomes the CPU's idle thread, ready before the CPU counts as online. */
    kite_sched_cpu_init();
    __atomic_store_n(&pc->online, true, __ATOMIC_RELEASE);
    kite_sched_idle();
}

void arch_smp_kick(unsigned int cpu)
{
    struct arch_percpu *pc = arch_percpu_of(cpu);

    if (pc) {
        arch_lapic_send_ipi(pc->apic_id, ARCH_VECTOR_WAKEUP);
    }
}

bool arch_smp_poll(void)
{
    struct arch_percpu *pc = arch_this_cpu();
    void (*fn)(void *) = __atomic_load_n(&pc->call_fn, __ATOMIC_ACQUIRE);

    if (!fn) {
        return false;
    }
    arch_irq_enable();
    fn(pc->call_arg);
    arch_irq_disable();
    __atomic_store_n(&pc->call_fn, NULL, __ATOMIC_RELEASE);
    return true;
}

int arch_smp_call(unsigned int cpu, void (*fn)(void *arg), void *arg)
{
    struct arch_percpu *pc = arch_percpu_of(cpu);

    if (!pc || !pc->online || cpu == arch_cpu_id()) {
        return -KITE_ENODEV;
    }
    if (__atomic_load_n(&pc->call_fn, __ATOMIC_ACQUIRE)) {
        return -KITE_EBUSY;
    }
    pc->call_arg = arg;
    __atomic_store_n(&pc->call_fn, fn, __ATOMIC_RELEASE);
    arch_lapic_send_ipi(pc->apic_id, ARCH_VECTOR_WAKEUP);
    return 0;
}

int arch_smp_wait(unsigned int cpu, uint64_t timeout_ms)
{
    struct arch_percpu *pc = arch_percpu_of(cpu);
    uint64_t start = arch_tsc(), limit = timeout_ms * arch_tsc_khz;

    if (!pc) {
        return -KITE_ENODEV;
    }
    while (__atomic_load_n(&pc->call_fn, __ATOMIC_ACQUIRE)) {
        if (arch_tsc() - start > limit) {
            return -KITE_ETIMEDOUT;
        }
        /* The work may unmap memory, and we may be waiting with interrupts off. */
        arch_tlb_serve();
        arch_pause();
    }
    return 0;
}

/* ---------------------------------------------------------------- NMIs */

/*
 * What NMIs ask of one CPU. regs and stopped are written by that CPU; fn by
 * the one sender that owns busy, which the CPU clears once fn has run.
 */
struct nmi_slot {
    struct arch_regs *regs;             /* the frame the NMI being handled interrupted */
    void (*fn)(struct arch_regs *regs); /* arch_smp_nmi's callback, taken by the CPU */
    bool busy;                          /* a sender owns fn */
    bool stopped;                       /* halted for good (arch_smp_stop_others) */
} KITE_ALIGNED(64);

static struct nmi_slot nmi_slots[CONFIG_NR_CPUS];
/* The CPU that asked all others to stop, or NO_CPU. */
static unsigned int stopper = NO_CPU;

/* CPU @cpu's area when it is online and not the caller @me, else NULL. */
static struct arch_percpu *other_online(unsigned int cpu, unsigned int me)
{
    struct arch_percpu *pc = arch_percpu_of(cpu);

    /* The boot CPU never sets its online flag: it was never started. */
    if (!pc || cpu == me || (cpu != 0 && !__atomic_load_n(&pc->online, __ATOMIC_ACQUIRE))) {
        return NULL;
    }
    return pc;
}

static KITE_NORETURN void stop_here(struct arch_regs *regs)
{
    unsigned int cpu = arch_cpu_id();

    if (cpu < CONFIG_NR_CPUS) {
        nmi_slots[cpu].regs = regs;
        __atomic_store_n(&nmi_slots[cpu].stopped, true, __ATOMIC_RELEASE);
    }
    arch_halt_forever();
}

bool arch_smp_handle_nmi(struct arch_regs *regs)
{
    unsigned int cpu = arch_cpu_id(), by;
    struct nmi_slot *s;
    void (*fn)(struct arch_regs * regs);
    bool claimed = false;

    if (cpu >= CONFIG_NR_CPUS) {
        return false;
    }
    s = &nmi_slots[cpu];
    s->regs = regs;
    /* Requests are state, not messages: NMIs that arrive together collapse into one. */
    fn = __atomic_exchange_n(&s->fn, NULL, __ATOMIC_ACQ_REL);
    if (fn) {
        fn(regs);
        claimed = true;
    }
    by = __atomic_load_n(&stopper, __ATOMIC_ACQUIRE);
    if (by != NO_CPU && by != cpu) {
        stop_here(regs);
    }
    /* Parking for a debugger (wait here until released) will be one more request like these. */
    s->regs = NULL;
    if (fn) {
        __atomic_store_n(&s->busy, false, __ATOMIC_RELEASE); /* the sender may go on */
    }
    return claimed;
}

int arch_smp_nmi(unsigned int cpu, void (*fn)(struct arch_regs *regs))
{
    struct arch_percpu *pc = other_online(cpu, arch_cpu_id());
    uint64_t start, limit = NMI_TIMEOUT_MS * arch_tsc_khz;
    struct nmi_slot *s;
    bool idle = false;

    if (!fn) {
        return -KITE_EINVAL;
    }
    if (!pc || cpu >= CONFIG_NR_CPUS ||
        __atomic_load_n(&nmi_slots[cpu].stopped, __ATOMIC_ACQUIRE)) {
        return -KITE_ENODEV;
    }
    s = &nmi_slots[cpu];
    if (!__atomic_compare_exchange_n(&s->busy, &idle, true, false, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED)) {
        return -KITE_EBUSY;
    }
    __atomic_store_n(&s->fn, fn, __ATOMIC_RELEASE);
    arch_lapic_send_nmi(pc->apic_id);
    start = arch_tsc();
    while (__atomic_load_n(&s->busy, __ATOMIC_ACQUIRE)) {
        if (arch_tsc() - start > limit) {
            void (*mine)(struct arch_regs * regs) = fn;

            /* Take the callback back if the CPU never looked; if it did, it clears busy. */
            if (__atomic_compare_exchange_n(&s->fn, &mine, NULL, false, __ATOMIC_ACQ_REL,
                                            __ATOMIC_RELAXED)) {
                __atomic_store_n(&s->busy, false, __ATOMIC_RELEASE);
            }
            return -KITE_ETIMEDOUT;
        }
        arch_pause();
    }
    return 0;
}

const struct arch_regs *arch_smp_nmi_regs(unsigned int cpu)
{
    return cpu < CONFIG_NR_CPUS ? __atomic_load_n(&nmi_slots[cpu].regs, __ATOMIC_ACQUIRE) : NULL;
}

void arch_smp_stop_self(void)
{
    stop_here(NULL);
}

unsigned int arch_smp_stop_others(void)
{
    unsigned int me = arch_cpu_id(), others = 0, running, expected = NO_CPU;
    uint64_t start = arch_tsc(), limit = NMI_TIMEOUT_MS * arch_tsc_khz;

    /* The first caller stops the others; a later one (on another CPU) is stopped by it. */
    if (!__atomic_compare_exchange_n(&stopper, &expected, me, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE) &&
        expected != me) {
        stop_here(NULL);
    }
    for (unsigned int cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
        struct arch_percpu *pc = other_online(cpu, me);

        if (pc) {
            others++;
            if (!__atomic_load_n(&nmi_slots[cpu].stopped, __ATOMIC_ACQUIRE)) {
                arch_lapic_send_nmi(pc->apic_id);
            }
        }
    }
    if (!others) {
        return 0;
    }
    do {
        running = 0;
        for (unsigned int cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
            if (other_online(cpu, me) &&
                !__atomic_load_n(&nmi_slots[cpu].stopped, __ATOMIC_ACQUIRE)) {
                running++;
            }
        }
        arch_pause();
    } while (running && arch_tsc() - start < limit);
    for (unsigned int cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
        if (!other_online(cpu, me)) {
            continue;
        }
        if (!__atomic_load_n(&nmi_slots[cpu].stopped, __ATOMIC_ACQUIRE)) {
            kite_pr_emerg("CPU %u did not stop within %u ms\n", cpu, NMI_TIMEOUT_MS);
        } else if (nmi_slots[cpu].regs) {
            const struct arch_regs *r = nmi_slots[cpu].regs;
            const struct kite_thread *t = kite_cpu_thread(cpu);

            kite_pr_emerg("CPU %u stopped at %#llx, in thread %s\n", cpu,
                          (unsigned long long)r->rip, t ? kite_thread_name(t) : "?");
            kite_panic_backtrace(r->rip, r->rbp);
        } else {
            kite_pr_emerg("CPU %u stopped itself (it was panicking too)\n", cpu);
        }
    }
    if (running) {
        kite_pr_emerg("%u of %u other CPUs stopped; the rest may still run\n", others - running,
                      others);
    } else {
        kite_pr_emerg("%u other CPU%s stopped\n", others, others == 1 ? "" : "s");
    }
    return running;
}

/* A page below 1 MiB that firmware and loader have given up (Kite never allocates there). */
static uint64_t trampoline_page(void)
{
    if (kite_partition()) {
        return kite_bp->sipi_page; /* the host reserved it for this */
    }
    for (unsigned int i = 0; i < kite_boot.mmap_count; i++) {
        const struct kite_mem_range *r = &kite_boot.mmap[i];
        uint64_t start = KITE_ALIGN_UP(KITE_MAX(r->base, 0x8000ull), KITE_PAGE_SIZE);

        if (r->type == KITE_MEM_AVAILABLE && start + KITE_PAGE_SIZE <= r->base + r->length &&
            start + KITE_PAGE_SIZE <= 0x9f000) {
            return start;
        }
    }
    return 0;
}

static bool start_cpu(uint8_t *page, unsigned int cpu, uint32_t apic_id)
{
    int node = kite_numa_node_of_cpu(cpu);
    struct arch_percpu *pc = kite_malloc_node(sizeof(*pc), node);
    struct kite_stack *stacks[4] = {0};
    uint64_t start;
    int rc;

    if (!pc) {
        pc = kite_malloc(sizeof(*pc));
    }
    if (!pc) {
        return false;
    }
    memset(pc, 0, sizeof(*pc));
    pc->cpu = cpu;
    pc->apic_id = apic_id;
    kite_snprintf(pc->name, sizeof(pc->name), "cpu%u", cpu);
    for (unsigned int i = 0; i < 4; i++) {
        stacks[i] = kite_stack_alloc(STACK_SIZE, node, pc->name);
        if (!stacks[i]) {
            goto out_free;
        }
    }
    for (unsigned int i = 0; i < 3; i++) {
        pc->ist_top[i] = stacks[i + 1]->top;
    }
    *(uint64_t *)TR(page, arch_tr_stack) = stacks[0]->top;
    *(uint64_t *)TR(page, arch_tr_percpu) = (uint64_t)(uintptr_t)pc;
    *(uint64_t *)TR(page, arch_tr_entry) = (uint64_t)(uintptr_t)ap_main;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    kite_partition_cpu_state(apic_id, KITE_CPU_STARTING);
    rc = arch_lapic_start_cpu(apic_id, (uint8_t)((uintptr_t)page >> 12));
    start = arch_tsc();
    while (rc == 0 && !__atomic_load_n(&pc->online, __ATOMIC_ACQUIRE)) {
        if (arch_tsc() - start > START_TIMEOUT_US * arch_tsc_khz / 1000) {
            rc = -KITE_ETIMEDOUT;
            break;
        }
        arch_pause();
    }
    if (rc == 0) {
        return true;
    }
    kite_partition_cpu_state(apic_id, KITE_CPU_FAILED);
    kite_pr_warn("CPU %u (APIC ID %u) did not start (%s); going on without it\n", cpu, apic_id,
                 kite_strerror(rc));
    /* A CPU that never arrived may still wake up later: keep its memory rather than reuse it. */
    return false;

out_free:
    for (unsigned int i = 0; i < 4; i++) {
        kite_stack_free(stacks[i]);
    }
    kite_free(pc);
    kite_pr_warn("no memory to start CPU %u\n", cpu);
    return false;
}

void kite_smp_init(void)
{
    uint64_t t0 = kite_time_ns(), phys = trampoline_page(), cr3 = arch_read_cr3();
    uint32_t a, b, c, d, efer = EFER_LME;
    unsigned int total = 0;
    uint8_t *page = (uint8_t *)(uintptr_t)phys;

    for (unsigned int n = 0; n < kite_numa_node_count(); n++) {
        total += kite_numa_node_cpus((int)n, NULL, 0);
    }
    if (arch_lapic_init()) {
        kite_pr_warn("no local APIC mapping; only the boot CPU runs\n");
        return;
    }
    arch_this_cpu()->apic_id = arch_lapic_id();
    /* Before any other CPU runs: unmapping must reach every TLB from the start. */
    arch_tlb_init();
    if (param_maxcpus && param_maxcpus < total) {
        kite_pr_info("kite.maxcpus=%lu: using %lu of %u CPUs\n", param_maxcpus, param_maxcpus,
                     total);
        total = (unsigned int)param_maxcpus;
    }
    wanted = KITE_MIN(total, (unsigned int)CONFIG_NR_CPUS);
    if (total <= 1) {
        return;
    }
    if (!phys || cr3 >= (4ull << 30) ||
        arch_map_pages(phys, phys, KITE_PAGE_SIZE, ARCH_MAP_WRITE | ARCH_MAP_EXEC)) {
        kite_pr_warn("no page below 1 MiB for the start-up code; only the boot CPU runs\n");
        return;
    }
    arch_cpuid(0x80000001, 0, &a, &b, &c, &d);
    if ((d >> 20) & 1) {
        efer |= EFER_NXE;
    }
    memcpy(page, arch_trampoline_start,
           (uintptr_t)arch_trampoline_end - (uintptr_t)arch_trampoline_start);
    *(uint32_t *)TR(page, arch_tr_gdt_ptr + 2) = (uint32_t)(uintptr_t)TR(phys, arch_tr_gdt);
    *(uint32_t *)TR(page, arch_tr_pm_ptr) = (uint32_t)(uintptr_t)TR(phys, arch_tr_pm32);
    *(uint32_t *)TR(page, arch_tr_cr3) = (uint32_t)cr3;
    *(uint32_t *)TR(page, arch_tr_efer) = efer;

    for (unsigned int cpu = 1; cpu < total && cpu < CONFIG_NR_CPUS; cpu++) {
        if (start_cpu(page, cpu, kite_numa_cpu_apic_id(cpu))) {
            online++;
        }
    }
    /* Started: the page need not stay writable and executable. */
    if (arch_map_pages(phys, phys, KITE_PAGE_SIZE, ARCH_MAP_WRITE)) {
        kite_pr_warn("could not make the start-up page non-executable again\n");
    }
    kite_pr_info("%u of %u CPUs online in %llu us\n", online, total,
                 (unsigned long long)((kite_time_ns() - t0) / 1000));
}
