/* SPDX-License-Identifier: MIT */
/*
 * Kite's init order. boot/entry.S calls kite_start() in long mode on the
 * boot CPU, on the boot stack, with the physical address of the multiboot2
 * block. The fixed steps below run in this order; optional parts hook in
 * with KITE_INIT at the levels run between them. Later work inserts memory,
 * per-CPU areas and interrupts, timers, the scheduler and the other CPUs at
 * their marked places.
 */
#define KITE_LOG_PREFIX ""

#include <kite/arch.h>
#include <kite/bootinfo.h>
#include <kite/cmdline.h>
#include <kite/console.h>
#include <kite/init.h>
#include <kite/kite.h>
#include <kite/panic.h>
#include <kite/partition.h>
#include <kite/power.h>
#include <kite/printk.h>
#include <kite/shell.h>
#include <kite/string.h>
#include <kite/sync.h>
#include <kite/test.h>
#include <kite/thread.h>
#include <kite/walltime.h>

#include <generated/ext.h> /* KITE_RUNTIME_NAME: make EXT='s ext-name, or "kite" */

KITE_PARAM(test, string, "",
           "run in-kernel tests at the end of boot, then power off with status 0 (all passed) "
           "or 1: all, a suite, or suite.name, comma-separated");

KITE_PARAM(args, string, "",
           "the runtime's arguments: kite_main gets these words (double quotes around the whole "
           "value), then those after --");

/*
 * A runtime linked into the image defines kite_main, or an ordinary C main
 * (an unmodified program built against rt/libc); without either, Kite runs
 * the shell. Their return value goes to the libc's exit when it is linked
 * (atexit handlers, stdout flushed), as a return from main does in C.
 */
int kite_main(int argc, char **argv) KITE_WEAK;
int main(int argc, char **argv) KITE_WEAK;
KITE_NORETURN void exit(int status) KITE_WEAK;

/*
 * kite_main's argv: the runtime's name (make EXT='s ext-name), kite.args's
 * words, then the command line's words after "--"; NULL-terminated.
 */
static char args_line[KITE_CMDLINE_MAX + 4];
static char *main_argv[1 + 2 * KITE_RUNTIME_ARGS_MAX + 1];

static void args_warn(void *ctx, const char *msg)
{
    (void)ctx;
    kite_pr_warn("kite.args: %s\n", msg);
}

/* Returns argc. kite.args is split by the command line's own splitter, as if it followed "--". */
static int main_args(void)
{
    int argc = 1, nargs = 0;

    main_argv[0] = KITE_RUNTIME_NAME;
    if (param_args[0]) {
        strlcpy(args_line, "-- ", sizeof(args_line));
        strlcpy(args_line + 3, param_args, sizeof(args_line) - 3);
        (void)kite_cmdline_parse(args_line, NULL, NULL, args_warn, NULL, &nargs, main_argv + 1,
                                 KITE_RUNTIME_ARGS_MAX);
        argc += nargs;
    }
    for (int i = 0; i < kite_runtime_argc; i++) {
        main_argv[argc++] = kite_runtime_argv[i];
    }
    main_argv[argc] = NULL;
    return argc;
}

void kite_start(uint64_t mbi_phys);
void kite_bootinfo_init(uint64_t mbi_phys);
void kite_acpi_init(void);
void kite_numa_init(void);
void kite_mm_init(void);
void kite_smp_init(void);

/*
 * The runtime's entry runs in its own thread, "main", on the boot CPU, with a
 * stack of KITE_MAIN_STACK: the boot thread's 16 KiB is too small for
 * ordinary programs' locals.
 */
#define KITE_MAIN_STACK (1u << 20)

static void *main_thread(void *arg)
{
    int (*entry)(int, char **) = kite_main ? kite_main : main;
    const char *what = kite_main ? "kite_main" : "main";
    int argc = main_args(), rc;

    (void)arg;
    kite_pr_info("kite: calling %s with %d argument%s (argv[0] = %s)\n", what, argc - 1,
                 argc == 2 ? "" : "s", main_argv[0]);
    rc = entry(argc, main_argv);
    kite_pr_info("kite: %s returned %d\n", what, rc);
    if (exit) {
        exit(rc);
    }
    kite_poweroff(rc);
}

static KITE_NORETURN void run_main(void)
{
    struct kite_thread_attr attr = {
        .cpu = (int)kite_cpu(), .stack_size = KITE_MAIN_STACK, .name = "main"};
    struct kite_thread *t;
    int rc = kite_thread_create(&t, main_thread, NULL, &attr);

    if (rc < 0) {
        kite_panic("kite: cannot start the main thread (%d)", rc);
    }
    rc = kite_thread_join(t, NULL); /* main_thread powers off: this returns only on an error */
    kite_panic("kite: joining the main thread failed (%d)", rc);
}

static KITE_NORETURN void run(void)
{
    static struct kite_sem never = KITE_SEM_INIT(0);

    kite_shell_run_boot(); /* kite.shell.run= commands, before the tests or the runtime */
    if (param_test[0]) {
        kite_poweroff(kite_test_run(param_test) ? KITE_EXIT_FAILURE : KITE_EXIT_SUCCESS);
    }
    if (kite_main || main) {
        run_main();
    }
    if (kite_partition()) {
        kite_pr_info("kite: no runtime linked (no kite_main); idling. kitectl exec runs commands "
                     "here.\n");
    } else {
        kite_pr_info("kite: no runtime linked (no kite_main); the shell reads the console "
                     "('help' lists the commands). In QEMU, Ctrl-A X quits.\n");
        (void)kite_shell_start(); /* a thread; on failure it says why, and Kite idles */
    }
    /* Waits for good, as a thread: the CPU idles and still runs what comes (the host's commands).
     */
    kite_sem_down(&never);
    arch_halt_forever();
}

void kite_start(uint64_t mbi_phys)
{
    uint64_t ready_tsc;

    arch_percpu_early_init(); /* this CPU's number, for every log line */
    kite_pr_info("kite: Kite aerokernel, entered at %#llx\n", (unsigned long long)arch_phys_base);
    arch_traps_init();                /* GDT, TSS with IST stacks, IDT: faults are reported */
    arch_time_init();                 /* TSC rate: log timestamps and boot time */
    kite_bootinfo_init(mbi_phys);     /* multiboot2: command line, memory map, ACPI, modules */
    kite_partition_init();            /* co-kernel: the host's boot params, when it loaded us */
    kite_console_early_init();        /* serial at its defaults (the ring in a partition) */
    kite_cmdline_init();              /* KITE_PARAM options; warnings for bad ones */
    kite_console_init();              /* consoles as the options and boot info say */
    kite_init_level(KITE_INIT_EARLY); /* optional early hooks */
    kite_acpi_init();                 /* ACPI tables: CPUs, interrupt routing, NUMA, timers */
    kite_numa_init();                 /* nodes, their memory, CPUs and distances */
    kite_mm_init();                   /* final page tables, a page allocator per node region */
    arch_time_calibrate();            /* TSC rate against the HPET, unless CPUID gave it */
    kite_walltime_init();             /* the date: the CMOS clock, or the host's in a partition */
    kite_sched_init();                /* threads: the boot context and CPU 0's idle thread */
    kite_smp_init();                  /* the other CPUs: started, each in its idle thread */
    kite_init_level(KITE_INIT_ARCH);
    kite_init_level(KITE_INIT_DEVICE); /* drivers */
    kite_init_level(KITE_INIT_LATE);

    ready_tsc = arch_tsc() - arch_boot_tsc;
    kite_pr_info("kite: ready in %llu ms (%llu TSC ticks since entry)\n",
                 (unsigned long long)(kite_time_ns() / 1000000), (unsigned long long)ready_tsc);
    arch_irq_enable();      /* the boot thread is preemptible and answers IPIs from here on */
    kite_partition_ready(); /* co-kernel: state RUNNING, heartbeat, the host's commands */
    run();
}
