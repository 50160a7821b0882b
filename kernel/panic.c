/* SPDX-License-Identifier: MIT */
/*
 * Panic: say what broke, where and on which CPU, stop the other CPUs (an
 * NMI each, so a CPU spinning with interrupts off stops too), then stop the
 * machine as kite.panic says (halt for a person at the console; reboot;
 * gdb, the stub; poweroff so QEMU ends with status 5). While in-kernel tests
 * run, a panic powers off unless reboot or gdb was asked for, so a crashing
 * test ends the run at once instead of waiting for a timeout. In a co-kernel
 * partition the host is told (state word, reason) and the CPUs halt.
 */
#include <kite/arch.h>
#include <kite/cmdline.h>
#include <kite/init.h>
#include <kite/panic.h>
#include <kite/partition.h>
#include <kite/power.h>
#include <kite/printk.h>
#include <kite/string.h>
#include <kite/symbols.h>
#include <kite/thread.h>

KITE_PARAM(panic, string, "halt",
           "after a panic report: halt, reboot, gdb (wait for a debugger on the kite.gdb port), "
           "or poweroff (QEMU then exits with status 5)");

volatile bool kite_panicking;

static int check_panic_option(void)
{
    if (strcmp(param_panic, "halt") != 0 && strcmp(param_panic, "poweroff") != 0 &&
        strcmp(param_panic, "reboot") != 0 && strcmp(param_panic, "gdb") != 0) {
        kite_pr_warn("cmdline: kite.panic=%s: expected halt, reboot, gdb or poweroff; using halt\n",
                     param_panic);
        param_panic = "halt";
    }
    return 0;
}
KITE_INIT(check_panic_option, KITE_INIT_EARLY);
bool kite_test_running;
/* The gdb stub's entry (kernel/gdb.c, <kite/gdb.h>); weak: an image without the stub has none. */
void kite_gdb_panic(void) KITE_WEAK;
static char reason[KITE_BP_PANIC_MAX];

void kite_panic_reason(const char *fmt, ...)
{
    va_list ap;

    if (reason[0]) {
        return; /* the first one says it */
    }
    va_start(ap, fmt);
    kite_vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
}

static void print_frame(void *ctx, uint64_t addr)
{
    unsigned int *n = ctx;
    uint64_t off = 0;
    /* A return address is past its call, which may end the function: look up the call. */
    const char *name = kite_symbol(*n ? addr - 1 : addr, &off);

    if (name) {
        kite_pr_emerg("  #%-2u 0x%016llx %s+%#llx\n", *n, (unsigned long long)addr, name,
                      (unsigned long long)(off + (*n ? 1 : 0)));
    } else {
        kite_pr_emerg("  #%-2u 0x%016llx ?\n", *n, (unsigned long long)addr);
    }
    (*n)++;
}

void kite_panic_backtrace(uint64_t rip, uint64_t rbp)
{
    unsigned int frame = 0;

    kite_pr_emerg("backtrace:\n");
    if (rip) {
        print_frame(&frame, rip);
    }
    arch_backtrace(rbp, print_frame, &frame);
}

void kite_panic(const char *fmt, ...)
{
    struct arch_regs regs;
    char msg[256];
    va_list ap;

    arch_irq_disable();
    kite_panicking = true;
    va_start(ap, fmt);
    kite_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    kite_panic_reason("PANIC on CPU %u: %s", arch_cpu_id(), msg);
    kite_pr_emerg("PANIC on CPU %u in thread %s: %s\n", arch_cpu_id(), kite_thread_current_name(),
                  msg);
    arch_capture_regs(&regs);
    arch_dump_regs(&regs);
    kite_panic_backtrace(regs.rip, regs.rbp);
    kite_panic_stop();
}

void kite_panic_stop(void)
{
    /*
     * Nothing else may run on: not the code whose invariant broke, not a
     * printer mixing its lines into the report. The first panicking CPU stops
     * the others; one that panics at the same time is stopped there instead.
     */
    arch_irq_disable();
    kite_panicking = true;
    (void)arch_smp_stop_others();
    if (kite_partition()) {
        /* The host sees PANICKED and the reason; its kitectl kmsg shows the report. */
        kite_partition_stop(true, KITE_EXIT_PANIC, reason);
        arch_halt_forever();
    }
    if (strcmp(param_panic, "gdb") == 0) {
        kite_pr_emerg("kite: kite.panic=gdb: waiting for a debugger\n");
        if (kite_gdb_panic) {
            kite_gdb_panic(); /* returns when gdb is off or detaches */
        } else {
            kite_pr_emerg("kite: this image has no gdb stub (CONFIG_GDB); halting\n");
        }
    }
    /* An explicit kite.panic=reboot is obeyed even in a test run (tests of it need that). */
    if (strcmp(param_panic, "reboot") == 0) {
        kite_reboot();
    }
    if (kite_test_running || strcmp(param_panic, "poweroff") == 0) {
        kite_poweroff(KITE_EXIT_PANIC);
    }
    kite_pr_emerg("kite: halted after panic\n");
    arch_halt_forever();
}
