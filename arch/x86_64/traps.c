/* SPDX-License-Identifier: MIT */
/*
 * Segments and exceptions: the kernel GDT, the TSS with its interrupt stack
 * table (double fault, NMI and machine check each run on a stack of their
 * own, so an exhausted or corrupt kernel stack still gets a report), and the
 * IDT pointing at the stubs in entry.S. arch_trap() either hands a trap to an
 * armed struct arch_catch or prints vector, error code, every register, CR2
 * for page faults and a backtrace, then panics.
 */
#define KITE_LOG_PREFIX ""

#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/mm.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/spinlock.h>
#include <kite/stack.h>
#include <kite/thread.h>

#include <arch/apic.h>
#include <arch/gdb.h>
#include <arch/layout.h>

#define IST_DOUBLE_FAULT  1
#define IST_NMI           2
#define IST_MACHINE_CHECK 3
#define IST_STACK_SIZE    ((size_t)CONFIG_IST_STACK_KB * 1024)

#define VEC_DEBUG         1
#define VEC_NMI           2
#define VEC_BREAKPOINT    3
#define VEC_DOUBLE_FAULT  8
#define VEC_PAGE_FAULT    14
#define VEC_MACHINE_CHECK 18
#define NR_EXCEPTIONS     32

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} KITE_PACKED;

struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
} KITE_PACKED;

struct table_ptr {
    uint16_t limit;
    uint64_t base;
} KITE_PACKED;

KITE_STATIC_ASSERT(sizeof(struct tss) == 104, "TSS layout");
KITE_STATIC_ASSERT(sizeof(struct idt_gate) == 16, "IDT gate layout");
KITE_STATIC_ASSERT(__builtin_offsetof(struct arch_catch, prev) == 104,
                   "entry.S knows struct arch_catch's layout");
KITE_STATIC_ASSERT(sizeof(struct arch_regs) == 22 * sizeof(uint64_t), "entry.S pushes 22 words");
KITE_STATIC_ASSERT(__builtin_offsetof(struct arch_percpu, cpu) == ARCH_PERCPU_CPU_OFFSET,
                   "arch_cpu_id reads %gs:ARCH_PERCPU_CPU_OFFSET");
KITE_STATIC_ASSERT(__builtin_offsetof(struct arch_percpu, catch_top) == ARCH_PERCPU_CATCH_OFFSET,
                   "entry.S reads %gs:ARCH_PERCPU_CATCH_OFFSET");
KITE_STATIC_ASSERT(__builtin_offsetof(struct arch_percpu, heap) == ARCH_PERCPU_HEAP_OFFSET,
                   "arch_this_cpu_heap reads %gs:ARCH_PERCPU_HEAP_OFFSET");
KITE_STATIC_ASSERT(__builtin_offsetof(struct arch_percpu, preempt_count) ==
                       ARCH_PERCPU_PREEMPT_OFFSET,
                   "arch_preempt_* use %gs:ARCH_PERCPU_PREEMPT_OFFSET");

/* One GDT and TSS per CPU: a TSS cannot be loaded on two CPUs at once. */
struct cpu_tables {
    uint64_t gdt[5];
    struct tss tss;
} KITE_ALIGNED(64);

static struct cpu_tables tables[CONFIG_NR_CPUS];
static struct idt_gate idt[256] KITE_ALIGNED(16);
static uint8_t ist_stacks[3][IST_STACK_SIZE] KITE_ALIGNED(16); /* the boot CPU's */
static struct arch_percpu boot_percpu;
static struct arch_percpu *percpus[CONFIG_NR_CPUS];

extern char arch_vector_stubs[];
extern char boot_stack_bottom[], boot_stack_top[];

/* Address of the last trap's register frame: tells tests which stack a handler used. */
uint64_t arch_last_trap_frame;

/* Handlers for interrupt vectors (32..254), set once each. */
static struct {
    arch_irq_handler_t fn;
    void *ctx;
} handlers[256];

int arch_irq_set_handler(unsigned int vec, arch_irq_handler_t fn, void *ctx)
{
    if (vec < NR_EXCEPTIONS || vec >= ARCH_VECTOR_SPURIOUS || !fn) {
        return -KITE_EINVAL;
    }
    if (handlers[vec].fn && handlers[vec].fn != fn) {
        return -KITE_EBUSY;
    }
    handlers[vec].ctx = ctx;
    __atomic_store_n(&handlers[vec].fn, fn, __ATOMIC_RELEASE);
    return 0;
}

int arch_irq_alloc_vector(arch_irq_handler_t fn, void *ctx)
{
    static struct kite_spinlock lock = KITE_SPINLOCK_INIT;
    unsigned long flags = kite_spin_lock_irqsave(&lock);
    int vec = -KITE_ENOSPC;

    for (unsigned int v = ARCH_VECTOR_DYNAMIC_FIRST; v <= ARCH_VECTOR_DYNAMIC_LAST; v++) {
        if (!handlers[v].fn) {
            handlers[v].ctx = ctx;
            __atomic_store_n(&handlers[v].fn, fn, __ATOMIC_RELEASE);
            vec = (int)v;
            break;
        }
    }
    kite_spin_unlock_irqrestore(&lock, flags);
    return vec;
}

uint64_t arch_irq_count(unsigned int cpu, unsigned int vec)
{
    const struct arch_percpu *pc = arch_percpu_of(cpu);

    return pc && vec < 256 ? KITE_READ_ONCE(pc->irq_count[vec]) : 0;
}

#define MSR_GS_BASE 0xc0000101

void arch_percpu_install(struct arch_percpu *pc)
{
    pc->self = pc;
    pc->heap = kite_heap_cpu_row(pc->cpu);
    arch_wrmsr(MSR_GS_BASE, (uint64_t)pc);
    if (pc->cpu < CONFIG_NR_CPUS) {
        percpus[pc->cpu] = pc;
    }
}

struct arch_percpu *arch_percpu_of(unsigned int cpu)
{
    return cpu < CONFIG_NR_CPUS ? percpus[cpu] : NULL;
}

static const char *const exception_names[NR_EXCEPTIONS] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range exceeded",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor segment overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack-segment fault",
    "#GP general protection",
    "#PF page fault",
    "reserved (15)",
    "#MF x87 floating-point error",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD floating-point error",
    "#VE virtualization exception",
    "#CP control protection",
    "reserved (22)",
    "reserved (23)",
    "reserved (24)",
    "reserved (25)",
    "reserved (26)",
    "reserved (27)",
    "#HV hypervisor injection",
    "#VC VMM communication",
    "#SX security exception",
    "reserved (31)",
};

static void set_gate(unsigned int vec, unsigned int ist)
{
    uint64_t addr = (uint64_t)(arch_vector_stubs + (size_t)16 * vec);

    idt[vec] = (struct idt_gate){
        .offset_lo = (uint16_t)addr,
        .selector = ARCH_KERNEL_CS,
        .ist = (uint8_t)ist,
        .type = 0x8e, /* present, ring 0, 64-bit interrupt gate */
        .offset_mid = (uint16_t)(addr >> 16),
        .offset_hi = (uint32_t)(addr >> 32),
    };
}

static void load_tables(struct cpu_tables *t)
{
    uint64_t base = (uint64_t)&t->tss;
    uint64_t limit = sizeof(t->tss) - 1;
    struct table_ptr ptr = {sizeof(t->gdt) - 1, (uint64_t)t->gdt};
    struct table_ptr idtr = {sizeof(idt) - 1, (uint64_t)idt};

    t->gdt[0] = 0;
    t->gdt[1] = 0x00af9a000000ffffull; /* ARCH_KERNEL_CS: 64-bit code */
    t->gdt[2] = 0x00cf92000000ffffull; /* ARCH_KERNEL_DS */
    /* ARCH_TSS_SEL: a 16-byte available 64-bit TSS descriptor */
    t->gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
                ((limit & 0xf0000) << 32) | ((base & 0xff000000) << 32);
    t->gdt[4] = base >> 32;
    t->tss.iomap_base = sizeof(t->tss); /* no I/O bitmap */

    /* Reloading GS would clear its base: only CS, SS, DS and ES are reloaded. */
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movl %2, %%eax\n\t"
                     "movl %%eax, %%ds\n\t"
                     "movl %%eax, %%es\n\t"
                     "movl %%eax, %%ss\n\t"
                     "ltr %w3\n\t"
                     "lidt %4"
                     :
                     : "m"(ptr), "i"(ARCH_KERNEL_CS), "i"(ARCH_KERNEL_DS), "r"(ARCH_TSS_SEL),
                       "m"(idtr)
                     : "rax", "memory");
}

/*
 * x87 and SSE on for the code runtimes bring (the kernel itself is built
 * with general registers only): no emulation, FXSAVE and SSE exceptions
 * enabled, a clean x87 state. Preemption saves this state; voluntary
 * switches need not, as the ABI makes it caller-saved.
 */
static void fpu_init(void)
{
    arch_write_cr0((arch_read_cr0() & ~(1ull << 2)) | (1ull << 1)); /* EM off, MP on */
    arch_write_cr4(arch_read_cr4() | (1ull << 9) | (1ull << 10));   /* OSFXSR, OSXMMEXCPT */
    __asm__ volatile("fninit");
}

void arch_percpu_early_init(void)
{
    arch_percpu_install(&boot_percpu);
}

void arch_traps_init(void)
{
    struct cpu_tables *t = &tables[0];

    for (unsigned int v = 0; v < 256; v++) {
        set_gate(v, 0);
    }
    set_gate(VEC_DOUBLE_FAULT, IST_DOUBLE_FAULT);
    set_gate(VEC_NMI, IST_NMI);
    set_gate(VEC_MACHINE_CHECK, IST_MACHINE_CHECK);
    t->tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)ist_stacks[0] + IST_STACK_SIZE;
    t->tss.ist[IST_NMI - 1] = (uint64_t)ist_stacks[1] + IST_STACK_SIZE;
    t->tss.ist[IST_MACHINE_CHECK - 1] = (uint64_t)ist_stacks[2] + IST_STACK_SIZE;
    load_tables(t);
    fpu_init();
    kite_pr_info("traps: 256 vectors; double fault, NMI, machine check on %zu KiB stacks\n",
                 IST_STACK_SIZE / 1024);
}

void arch_traps_init_cpu(struct arch_percpu *pc, const uint64_t ist_top[3])
{
    struct cpu_tables *t = &tables[pc->cpu];

    arch_percpu_install(pc);
    for (unsigned int i = 0; i < 3; i++) {
        t->tss.ist[i] = ist_top[i];
    }
    load_tables(t);
    fpu_init();
}

/* Bounds of the IST stack @ist (1-based), for tests and stack checks. */
void arch_ist_stack(unsigned int ist, uint64_t *lo, uint64_t *hi);
void arch_ist_stack(unsigned int ist, uint64_t *lo, uint64_t *hi)
{
    *lo = (uint64_t)ist_stacks[ist - 1];
    *hi = *lo + IST_STACK_SIZE;
}

static void resume_at_catch(struct arch_regs *regs, struct arch_catch *c)
{
    arch_this_cpu()->catch_top = c->prev;
    c->vector = regs->vector;
    c->error = regs->error;
    c->cr2 = regs->vector == VEC_PAGE_FAULT ? arch_read_cr2() : 0;
    c->fault_rip = regs->rip;
    c->fault_rsp = regs->rsp;

    regs->rbx = c->rbx;
    regs->rbp = c->rbp;
    regs->r12 = c->r12;
    regs->r13 = c->r13;
    regs->r14 = c->r14;
    regs->r15 = c->r15;
    regs->rsp = c->rsp;
    regs->rip = c->rip;
    regs->rax = regs->vector + 1;
    regs->cs = ARCH_KERNEL_CS;
    regs->ss = ARCH_KERNEL_DS;
}

void arch_catch_leave(struct arch_catch *c)
{
    struct arch_percpu *pc = arch_this_cpu();

    if (pc->catch_top == c) {
        pc->catch_top = c->prev;
    }
}

static void print_page_fault(uint64_t error)
{
    uint64_t cr2 = arch_read_cr2();

    kite_pr_emerg("  CR2 0x%016llx: %s %s in %s mode%s%s\n", (unsigned long long)cr2,
                  (error & 1) ? "protection violation on a" : "no page for a",
                  (error & 16)  ? "instruction fetch"
                  : (error & 2) ? "write"
                                : "read",
                  (error & 4) ? "user" : "kernel", (error & 8) ? ", reserved bit set" : "",
                  (error & 32) ? ", protection key" : "");
}

void arch_dump_regs(const struct arch_regs *r)
{
    kite_pr_emerg("  RIP 0x%016llx  RSP 0x%016llx  RFLAGS %#010llx\n", (unsigned long long)r->rip,
                  (unsigned long long)r->rsp, (unsigned long long)r->rflags);
    kite_pr_emerg("  RAX 0x%016llx  RBX 0x%016llx  RCX 0x%016llx\n", (unsigned long long)r->rax,
                  (unsigned long long)r->rbx, (unsigned long long)r->rcx);
    kite_pr_emerg("  RDX 0x%016llx  RSI 0x%016llx  RDI 0x%016llx\n", (unsigned long long)r->rdx,
                  (unsigned long long)r->rsi, (unsigned long long)r->rdi);
    kite_pr_emerg("  RBP 0x%016llx  R8  0x%016llx  R9  0x%016llx\n", (unsigned long long)r->rbp,
                  (unsigned long long)r->r8, (unsigned long long)r->r9);
    kite_pr_emerg("  R10 0x%016llx  R11 0x%016llx  R12 0x%016llx\n", (unsigned long long)r->r10,
                  (unsigned long long)r->r11, (unsigned long long)r->r12);
    kite_pr_emerg("  R13 0x%016llx  R14 0x%016llx  R15 0x%016llx\n", (unsigned long long)r->r13,
                  (unsigned long long)r->r14, (unsigned long long)r->r15);
    kite_pr_emerg("  CS %#llx  SS %#llx  CR0 %#llx  CR3 %#llx  CR4 %#llx\n",
                  (unsigned long long)r->cs, (unsigned long long)r->ss,
                  (unsigned long long)arch_read_cr0(), (unsigned long long)arch_read_cr3(),
                  (unsigned long long)arch_read_cr4());
}

void arch_trap(struct arch_regs *regs);
void arch_trap(struct arch_regs *regs)
{
    struct arch_percpu *pc = arch_this_cpu();
    unsigned int vec = (unsigned int)regs->vector & 0xff;

    pc->irq_count[vec]++;
    if (vec >= NR_EXCEPTIONS) {
        arch_irq_handler_t fn = __atomic_load_n(&handlers[vec].fn, __ATOMIC_ACQUIRE);

        if (fn) {
            fn(regs, handlers[vec].ctx); /* sends its own EOI */
        } else if (vec == ARCH_VECTOR_WAKEUP) {
            arch_irq_eoi(); /* a wake-up for an idle CPU: nothing else to do */
        } else if (vec != ARCH_VECTOR_SPURIOUS) {
            arch_irq_eoi();
            kite_pr_warn("traps: unexpected interrupt, vector %u on CPU %u\n", vec, pc->cpu);
        }
        return;
    }
    /* What another CPU sent an NMI for (stop, callback) comes first, even before a catch. */
    if (vec == VEC_NMI) {
        bool claimed = arch_smp_handle_nmi(regs);

        /* The GDB stub holds CPUs here while another one talks to gdb. */
        if (arch_gdb_nmi(regs) || claimed) {
            return;
        }
    }
    /* gdb's breakpoints, watchpoints and steps, even in code that catches traps. */
    if ((vec == VEC_DEBUG || vec == VEC_BREAKPOINT) && arch_gdb_trap(regs)) {
        return;
    }
    arch_last_trap_frame = (uint64_t)regs;
    if (pc->catch_top) {
        resume_at_catch(regs, pc->catch_top);
        return;
    }
    if (regs->vector == VEC_NMI) {
        kite_pr_warn("traps: NMI received at %#llx; nothing claims it, continuing\n",
                     (unsigned long long)regs->rip);
        return;
    }

    /* kite.gdb with gdb attached, or kite.panic=gdb: gdb gets the fault instead of a report. */
    if (arch_gdb_exception(regs)) {
        return;
    }

    kite_panicking = true;
    if (regs->vector == VEC_PAGE_FAULT || regs->vector == VEC_DOUBLE_FAULT) {
        /* Running off a stack faults on its guard; with no room left to push the #PF frame, that
         * ends as a double fault. Either way CR2 names the guard page. */
        const struct kite_stack *s = kite_stack_guard_hit(arch_read_cr2());

        if (s) {
            kite_panic_reason("stack overflow in %s on CPU %u", s->name, arch_cpu_id());
            kite_pr_emerg("PANIC: stack overflow in %s on CPU %u: %#llx is in the guard below its "
                          "stack %#lx-%#lx (%zu KiB)\n",
                          s->name, arch_cpu_id(), (unsigned long long)arch_read_cr2(),
                          (unsigned long)s->bottom, (unsigned long)s->top - 1, s->size >> 10);
            arch_dump_regs(regs);
            kite_panic_stop();
        }
    }
    kite_panic_reason("exception %s (vector %llu, error code %#llx) at %#llx on CPU %u",
                      exception_names[regs->vector], (unsigned long long)regs->vector,
                      (unsigned long long)regs->error, (unsigned long long)regs->rip,
                      arch_cpu_id());
    kite_pr_emerg("PANIC: exception %s (vector %llu, error code %#llx) on CPU %u in thread %s\n",
                  exception_names[regs->vector], (unsigned long long)regs->vector,
                  (unsigned long long)regs->error, arch_cpu_id(), kite_thread_current_name());
    if (regs->vector == VEC_PAGE_FAULT) {
        print_page_fault(regs->error);
    }
    arch_dump_regs(regs);
    kite_panic_backtrace(regs->rip, regs->rbp);
    kite_panic_stop();
}
