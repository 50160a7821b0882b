/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 half of the GDB stub (the protocol is kernel/gdb.c): the
 * registers of a trap frame in gdb's amd64 layout, memory access that
 * cannot fault the stub (mapped pages only, and a trap catch around the
 * copy), int3 written into read-only text with CR0.WP cleared, single steps
 * with the trap flag, and DR0-DR3/DR7 for hardware breakpoints and
 * watchpoints. arch/x86_64/traps.c sends #DB, #BP, NMIs and exceptions
 * nothing catches here first; this file decides whether they are the stub's.
 */
#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/gdb.h>
#include <kite/printk.h>

#include <arch/apic.h>
#include <arch/gdb.h>
#include <arch/layout.h>
#include <arch/paging.h>

#define RFLAGS_TF (1ull << 8)
#define RFLAGS_IF (1ull << 9)
#define RFLAGS_RF (1ull << 16)
#define CR0_WP    (1ull << 16)
#define DR6_BS    (1ull << 14)  /* the trap was a single step */
#define DR6_CLEAR 0xffff0ff0ull /* DR6 with no condition recorded */
#define DR7_LE    (1ull << 8)   /* exact data breakpoints */
#define PAGE_SIZE 4096ull
#define NR_HW     4

/* Per CPU: a deliberate int3's reason, and a single step in flight. */
static const struct kite_gdb_event *break_ev[CONFIG_NR_CPUS];
static struct {
    bool active;
    bool masked_if; /* interrupts were on and are held off for the step */
} steps[CONFIG_NR_CPUS];

/* The debug registers every CPU loads; changed only while the others are held. */
static struct {
    bool used;
    int type; /* gdb's Z type: 1 instruction, 2 write, 3 read, 4 access */
    uint64_t addr;
    size_t len;
} hw[NR_HW];

/* ---------------------------------------------------------------- registers */

/* gdb registers 0-16 (rax..r15, rip) in struct arch_regs. */
static const uint8_t gpr_offset[17] = {
    __builtin_offsetof(struct arch_regs, rax), __builtin_offsetof(struct arch_regs, rbx),
    __builtin_offsetof(struct arch_regs, rcx), __builtin_offsetof(struct arch_regs, rdx),
    __builtin_offsetof(struct arch_regs, rsi), __builtin_offsetof(struct arch_regs, rdi),
    __builtin_offsetof(struct arch_regs, rbp), __builtin_offsetof(struct arch_regs, rsp),
    __builtin_offsetof(struct arch_regs, r8),  __builtin_offsetof(struct arch_regs, r9),
    __builtin_offsetof(struct arch_regs, r10), __builtin_offsetof(struct arch_regs, r11),
    __builtin_offsetof(struct arch_regs, r12), __builtin_offsetof(struct arch_regs, r13),
    __builtin_offsetof(struct arch_regs, r14), __builtin_offsetof(struct arch_regs, r15),
    __builtin_offsetof(struct arch_regs, rip),
};

static uint64_t *gpr(const struct arch_regs *r, unsigned int regno)
{
    return (uint64_t *)(uintptr_t)((uintptr_t)r + gpr_offset[regno]);
}

static uint16_t selector(unsigned int regno)
{
    uint16_t v = 0;

    /* ds, es, fs and gs are not in the frame; they are the same on every CPU in the kernel. */
    switch (regno) {
    case 20:
        __asm__ volatile("mov %%ds, %0" : "=r"(v));
        break;
    case 21:
        __asm__ volatile("mov %%es, %0" : "=r"(v));
        break;
    case 22:
        __asm__ volatile("mov %%fs, %0" : "=r"(v));
        break;
    default:
        __asm__ volatile("mov %%gs, %0" : "=r"(v));
        break;
    }
    return v;
}

static void put_le(uint8_t *buf, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        buf[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint64_t get_le(const uint8_t *buf, size_t n)
{
    uint64_t v = 0;

    for (size_t i = 0; i < n; i++) {
        v |= (uint64_t)buf[i] << (8 * i);
    }
    return v;
}

size_t arch_gdb_reg_size(unsigned int regno)
{
    if (regno <= 16) {
        return 8;
    }
    if (regno <= 23) {
        return 4; /* eflags, cs, ss, ds, es, fs, gs */
    }
    if (regno <= 31) {
        return 10; /* st0-st7 */
    }
    if (regno <= 39) {
        return 4; /* fctrl, fstat, ftag, fiseg, fioff, foseg, fooff, fop */
    }
    if (regno <= 55) {
        return 16; /* xmm0-xmm15 */
    }
    return regno == 56 ? 4 : 0; /* mxcsr */
}

bool arch_gdb_reg_get(const struct arch_regs *r, unsigned int regno, uint8_t *buf)
{
    if (regno <= 16) {
        put_le(buf, *gpr(r, regno), 8);
    } else if (regno == 17) {
        put_le(buf, r->rflags, 4);
    } else if (regno == 18) {
        put_le(buf, r->cs, 4);
    } else if (regno == 19) {
        put_le(buf, r->ss, 4);
    } else if (regno <= 23) {
        put_le(buf, selector(regno), 4);
    } else {
        return false; /* x87 and SSE state: not shown */
    }
    return true;
}

void arch_gdb_regs_get(const struct arch_regs *r, uint8_t *buf)
{
    for (unsigned int regno = 0; regno < ARCH_GDB_G_REGS; regno++) {
        (void)arch_gdb_reg_get(r, regno, buf);
        buf += arch_gdb_reg_size(regno);
    }
}

bool arch_gdb_reg_set(struct arch_regs *r, unsigned int regno, const uint8_t *buf)
{
    if (regno <= 16) {
        *gpr(r, regno) = get_le(buf, 8);
        return true;
    }
    if (regno == 17) {
        /* The upper half and bit 1 stay as the CPU has them. */
        r->rflags = (r->rflags & ~0xffffffffull) | (get_le(buf, 4) & 0xffffffffull) | 2;
        return true;
    }
    return false; /* segments, x87 and SSE: Kite's kernel selectors stay */
}

uint64_t arch_gdb_pc(const struct arch_regs *r)
{
    return r->rip;
}

void arch_gdb_set_pc(struct arch_regs *r, uint64_t pc)
{
    r->rip = pc;
}

/* ---------------------------------------------------------------- memory */

/* Copy @len bytes; false when a trap (a fault) cut it short. */
static bool copy_caught(volatile uint8_t *dst, const volatile uint8_t *src, size_t len)
{
    struct arch_catch c;

    if (arch_catch_enter(&c)) {
        return false; /* resumed here after a fault; the catch is disarmed */
    }
    for (size_t i = 0; i < len; i++) {
        dst[i] = src[i];
    }
    arch_catch_leave(&c);
    return true;
}

/* Copy page by page while the pages are mapped; the bytes done. */
static size_t copy(uint64_t addr, uint8_t *buf, size_t len, bool write)
{
    size_t done = 0;

    while (done < len) {
        uint64_t a = addr + done;
        size_t chunk = KITE_MIN(len - done, (size_t)(PAGE_SIZE - (a & (PAGE_SIZE - 1))));

        if (a < addr || !arch_addr_mapped(a)) {
            break; /* wrapped around, or nothing there */
        }
        if (write ? !copy_caught((volatile uint8_t *)(uintptr_t)a, buf + done, chunk)
                  : !copy_caught(buf + done, (const volatile uint8_t *)(uintptr_t)a, chunk)) {
            break;
        }
        done += chunk;
    }
    return done;
}

size_t arch_gdb_mem_read(uint64_t addr, void *buf, size_t len)
{
    return copy(addr, buf, len, false);
}

size_t arch_gdb_mem_write(uint64_t addr, const void *buf, size_t len)
{
    unsigned long flags = arch_irq_save();
    uint64_t cr0 = arch_read_cr0();
    size_t done;

    /* Text is mapped read-only: supervisor writes may pass for this one copy on this CPU. */
    arch_write_cr0(cr0 & ~CR0_WP);
    done = copy(addr, (uint8_t *)(uintptr_t)buf, len, true);
    arch_write_cr0(cr0);
    arch_irq_restore(flags);
    return done;
}

/* ---------------------------------------------------------------- breaks and steps */

void arch_gdb_break(const struct kite_gdb_event *ev)
{
    unsigned long flags = arch_irq_save(); /* no switch to another CPU before the int3 */

    break_ev[arch_cpu_id()] = ev;
    /* The nop keeps the stop's PC on this line, not in whatever the compiler puts next. */
    __asm__ volatile("int3\n\tnop" ::: "memory");
    arch_irq_restore(flags);
}

/* Instructions that read or write IF themselves, or wait for an interrupt: stepped as they are. */
static bool touches_if(uint64_t rip)
{
    uint8_t insn[8];
    size_t n = arch_gdb_mem_read(rip, insn, sizeof(insn));

    for (size_t i = 0; i < n; i++) {
        uint8_t b = insn[i];

        if ((b & 0xf0) == 0x40 || b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 ||
            b == 0x2e || b == 0x36 || b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65) {
            continue; /* a prefix */
        }
        /* cli sti pushf popf iret hlt int3 int n into */
        return b == 0xfa || b == 0xfb || b == 0x9c || b == 0x9d || b == 0xcf || b == 0xf4 ||
               b == 0xcc || b == 0xcd || b == 0xce;
    }
    return true; /* unreadable: leave the flags alone */
}

void arch_gdb_step(unsigned int cpu, struct arch_regs *r)
{
    uint8_t op[2];
    size_t n = arch_gdb_mem_read(r->rip, op, sizeof(op));

    /*
     * A hlt would end only at an interrupt, which an idle CPU may never
     * get (the timer is tickless), and the step would never finish: step
     * over it, as if an interrupt had woken it at once (the idle loop looks
     * again anyway), so the stop comes after the instruction that follows.
     * The idle loop's "sti; hlt" is stepped over whole, interrupts left on
     * as sti leaves them: the trap after an sti comes only after the hlt.
     */
    if (n >= 1 && op[0] == 0xf4) {
        r->rip += 1;
    } else if (n == 2 && op[0] == 0xfb && op[1] == 0xf4) {
        r->rip += 2;
        r->rflags |= RFLAGS_IF;
    }
    steps[cpu].active = true;
    /* Else the next timer tick would be what gets stepped, and a thread switch with it. */
    steps[cpu].masked_if = (r->rflags & RFLAGS_IF) && !touches_if(r->rip);
    if (steps[cpu].masked_if) {
        r->rflags &= ~RFLAGS_IF;
    }
    r->rflags |= RFLAGS_TF;
}

void arch_gdb_step_end(unsigned int cpu, struct arch_regs *r)
{
    if (!steps[cpu].active) {
        return;
    }
    r->rflags &= ~RFLAGS_TF;
    if (steps[cpu].masked_if) {
        r->rflags |= RFLAGS_IF;
    }
    steps[cpu].active = false;
    steps[cpu].masked_if = false;
}

void arch_gdb_resume(struct arch_regs *r)
{
    r->rflags |= RFLAGS_RF;
}

/* ---------------------------------------------------------------- debug registers */

static uint64_t read_dr6(void)
{
    uint64_t v;

    __asm__ volatile("mov %%dr6, %0" : "=r"(v));
    return v;
}

static void write_dr(unsigned int n, uint64_t v)
{
    switch (n) {
    case 0:
        __asm__ volatile("mov %0, %%dr0" ::"r"(v));
        break;
    case 1:
        __asm__ volatile("mov %0, %%dr1" ::"r"(v));
        break;
    case 2:
        __asm__ volatile("mov %0, %%dr2" ::"r"(v));
        break;
    case 3:
        __asm__ volatile("mov %0, %%dr3" ::"r"(v));
        break;
    case 6:
        __asm__ volatile("mov %0, %%dr6" ::"r"(v));
        break;
    default:
        __asm__ volatile("mov %0, %%dr7" ::"r"(v));
        break;
    }
}

int arch_gdb_hw_set(int type, uint64_t addr, size_t len)
{
    if (type < 1 || type > 4) {
        return -KITE_EINVAL;
    }
    if (type == 1) {
        len = 1; /* gdb's kind for an instruction breakpoint; DR7 wants LEN 0 */
    } else if ((len != 1 && len != 2 && len != 4 && len != 8) || (addr & (len - 1))) {
        return -KITE_EINVAL;
    }
    for (unsigned int i = 0; i < NR_HW; i++) {
        if (hw[i].used && hw[i].type == type && hw[i].addr == addr && hw[i].len == len) {
            return 0;
        }
    }
    for (unsigned int i = 0; i < NR_HW; i++) {
        if (!hw[i].used) {
            hw[i].type = type;
            hw[i].addr = addr;
            hw[i].len = len;
            hw[i].used = true;
            return 0;
        }
    }
    return -KITE_ENOSPC;
}

int arch_gdb_hw_clear(int type, uint64_t addr, size_t len)
{
    if (type == 1) {
        len = 1;
    }
    for (unsigned int i = 0; i < NR_HW; i++) {
        if (hw[i].used && hw[i].type == type && hw[i].addr == addr && hw[i].len == len) {
            hw[i].used = false;
            return 0;
        }
    }
    return -KITE_ENOENT;
}

void arch_gdb_hw_clear_all(void)
{
    for (unsigned int i = 0; i < NR_HW; i++) {
        hw[i].used = false;
    }
}

bool arch_gdb_hw_any(void)
{
    for (unsigned int i = 0; i < NR_HW; i++) {
        if (hw[i].used) {
            return true;
        }
    }
    return false;
}

void arch_gdb_hw_load(void)
{
    /* DR7's RW field: 00 execute, 01 write, 11 read or write (x86 has no read-only). */
    static const uint64_t rw[5] = {0, 0, 1, 3, 3};
    uint64_t dr7 = 0;

    write_dr(7, 0);
    for (unsigned int i = 0; i < NR_HW; i++) {
        uint64_t lenbits;

        if (!hw[i].used) {
            continue;
        }
        lenbits = hw[i].len == 8 ? 2 : hw[i].len == 4 ? 3 : hw[i].len - 1;
        write_dr(i, hw[i].addr);
        dr7 |= (1ull << (2 * i)) | (rw[hw[i].type] << (16 + 4 * i)) |
               (hw[i].type == 1 ? 0 : lenbits << (18 + 4 * i));
    }
    write_dr(6, DR6_CLEAR);
    if (dr7) {
        write_dr(7, dr7 | DR7_LE);
    }
}

/* ---------------------------------------------------------------- CPUs */

bool arch_gdb_cpu_online(unsigned int cpu)
{
    const struct arch_percpu *pc = arch_percpu_of(cpu);

    /* The boot CPU never sets its online flag: it was never started. */
    return pc && (cpu == 0 || __atomic_load_n(&pc->online, __ATOMIC_ACQUIRE));
}

void arch_gdb_send_nmi(unsigned int cpu)
{
    const struct arch_percpu *pc = arch_percpu_of(cpu);

    if (pc) {
        arch_lapic_send_nmi(pc->apic_id);
    }
}

/* ---------------------------------------------------------------- trap hooks */

/* #DB: a single step the stub armed, or one of its debug registers fired. */
static bool debug_trap(struct arch_regs *regs)
{
    unsigned int cpu = arch_cpu_id();
    uint64_t dr6 = read_dr6();
    struct kite_gdb_event ev = {.signal = KITE_GDB_SIGTRAP, .why = KITE_GDB_STOP_SIGNAL};
    bool ours = cpu < CONFIG_NR_CPUS && steps[cpu].active && (dr6 & DR6_BS);

    write_dr(6, DR6_CLEAR);
    for (unsigned int i = 0; i < NR_HW; i++) {
        if ((dr6 & (1ull << i)) && hw[i].used) {
            static const enum kite_gdb_why why[5] = {KITE_GDB_STOP_SIGNAL, KITE_GDB_STOP_HWBREAK,
                                                     KITE_GDB_STOP_WATCH, KITE_GDB_STOP_RWATCH,
                                                     KITE_GDB_STOP_AWATCH};

            ev.why = why[hw[i].type];
            ev.addr = hw[i].addr;
            ours = true;
            break;
        }
    }
    if (!ours) {
        if ((dr6 & DR6_BS) && (regs->rflags & RFLAGS_TF) && kite_gdb_enabled()) {
            /* A trap flag pushf saved during a step and popf brought back: drop it. */
            regs->rflags &= ~RFLAGS_TF;
            return true;
        }
        return false;
    }
    return kite_gdb_stop(regs, &ev);
}

/* #BP: a deliberate stop, or gdb's int3 (the PC goes back onto it, as gdb expects). */
static bool break_trap(struct arch_regs *regs)
{
    unsigned int cpu = arch_cpu_id();
    uint64_t addr = regs->rip - 1;
    const struct kite_gdb_event *ev = cpu < CONFIG_NR_CPUS ? break_ev[cpu] : NULL;
    int state;

    if (ev) {
        break_ev[cpu] = NULL;
        (void)kite_gdb_stop(regs, ev);
        return true;
    }
    state = kite_gdb_sw_break_state(addr);
    if (state > 0) {
        struct kite_gdb_event bp = {
            .signal = KITE_GDB_SIGTRAP, .why = KITE_GDB_STOP_SWBREAK, .again = true};

        regs->rip = addr;
        if (kite_gdb_stop(regs, &bp)) {
            return true;
        }
        regs->rip = addr + 1;
        return false;
    }
    if (state < 0) {
        uint8_t b;

        /* gdb took it out after this CPU trapped on it: run the instruction now there. */
        if (arch_gdb_mem_read(addr, &b, 1) == 1 && b != ARCH_GDB_BREAK_INSN) {
            regs->rip = addr;
            return true;
        }
    }
    return false;
}

bool arch_gdb_trap(struct arch_regs *regs)
{
    if (regs->vector == 1) {
        return debug_trap(regs);
    }
    return break_trap(regs);
}

bool arch_gdb_nmi(struct arch_regs *regs)
{
    return kite_gdb_nmi(regs);
}

bool arch_gdb_exception(struct arch_regs *regs)
{
    static const char *const names[22] = {
        "#DE", "#DB", "NMI", "#BP", "#OF",       "#BR", "#UD", "#NM", "#DF", "vector 9", "#TS",
        "#NP", "#SS", "#GP", "#PF", "vector 15", "#MF", "#AC", "#MC", "#XM", "#VE",      "#CP"};
    static char reason[CONFIG_NR_CPUS][32];
    struct kite_gdb_event ev = {.signal = KITE_GDB_SIGSEGV, .why = KITE_GDB_STOP_SIGNAL};
    unsigned int cpu = arch_cpu_id();
    uint64_t pc;

    if (!kite_gdb_wants_exceptions() || cpu >= CONFIG_NR_CPUS) {
        return false;
    }
    if (regs->vector < KITE_ARRAY_SIZE(names)) {
        kite_snprintf(reason[cpu], sizeof(reason[cpu]), "exception %s, error code %#llx",
                      names[regs->vector], (unsigned long long)regs->error);
    } else {
        kite_snprintf(reason[cpu], sizeof(reason[cpu]), "exception vector %llu",
                      (unsigned long long)regs->vector);
    }
    ev.reason = reason[cpu];
    switch (regs->vector) {
    case 0:  /* #DE */
    case 7:  /* #NM */
    case 16: /* #MF */
    case 19: /* #XM */
        ev.signal = KITE_GDB_SIGFPE;
        break;
    case 1:
    case 3:
        ev.signal = KITE_GDB_SIGTRAP; /* an int3 or #DB that is not gdb's */
        break;
    case 6: /* #UD */
        ev.signal = KITE_GDB_SIGILL;
        break;
    case 17: /* #AC */
    case 18: /* #MC */
        ev.signal = KITE_GDB_SIGBUS;
        break;
    default:
        break;
    }
    pc = regs->rip;
    if (!kite_gdb_stop(regs, &ev)) {
        return false;
    }
    /* gdb detached and left the PC alone: the fault stands, and is reported as without gdb. */
    return kite_gdb_attached() || regs->rip != pc;
}
