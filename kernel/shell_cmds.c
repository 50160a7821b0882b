/* SPDX-License-Identifier: MIT */
/*
 * Shell commands that show the machine and end the run: cpus, numa, mem,
 * threads, irqs, timers, dmesg, config, reboot, poweroff. They only read
 * what other subsystems publish. Like every command, they print through
 * printk (so the host sees them in a partition), except dmesg: it shows the
 * log itself, so it writes to the consoles straight, leaving the message
 * ring as it was.
 */
#define KITE_LOG_PREFIX ""

#include <kite/arch.h>
#include <kite/console.h>
#include <kite/kmsg.h>
#include <kite/mm.h>
#include <kite/numa.h>
#include <kite/partition.h>
#include <kite/power.h>
#include <kite/printk.h>
#include <kite/shell.h>
#include <kite/string.h>
#include <kite/thread.h>
#include <kite/timer.h>

#define MAX_CPUS_SHOWN 4096 /* topology CPUs walked by `cpus` */
#define THREADS_SHOWN  256  /* rows of the `threads` table */
#define CPUS_PER_ROW   8    /* columns of the `irqs` table: 17 + 8 * 11 of its 160 bytes */

/* The image's .config, from kernel/config_blob.S. */
extern const char kite_config_text[], kite_config_text_end[];

static bool cpu_online(unsigned int cpu)
{
    const struct arch_percpu *pc = arch_percpu_of(cpu);

    /* The boot CPU was never started, so it never set its flag. */
    return pc && (cpu == 0 || __atomic_load_n(&pc->online, __ATOMIC_ACQUIRE));
}

/* A decimal number in @s, all of it, into *@v. */
static bool parse_uint(const char *s, unsigned long *v)
{
    unsigned long acc = 0;

    if (*s == '\0') {
        return false;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || acc > (~0ul - 9) / 10) {
            return false;
        }
        acc = acc * 10 + (unsigned long)(*s - '0');
    }
    *v = acc;
    return true;
}

/* "0-3,6" for the @n CPU numbers in @cpus (ascending) into @buf. */
static const char *cpu_list(char *buf, size_t size, const unsigned int *cpus, unsigned int n)
{
    size_t len = 0;

    buf[0] = '\0';
    for (unsigned int i = 0; i < n && len + 24 < size;) {
        unsigned int j = i;

        while (j + 1 < n && cpus[j + 1] == cpus[j] + 1) {
            j++;
        }
        len += (size_t)kite_snprintf(buf + len, size - len, j > i ? "%s%u-%u" : "%s%u",
                                     len ? "," : "", cpus[i], cpus[j]);
        i = j + 1;
    }
    return len ? buf : "none";
}

/* ---------------------------------------------------------------- cpus, numa, mem */

static int cmd_cpus(int argc, char **argv)
{
    unsigned int cpu;

    if (argc != 1) {
        return kite_shell_usage(argv[0]);
    }
    kite_pr_info("%u CPU%s online (%u set out to start); this shell runs on CPU %u\n",
                 arch_cpus_online(), arch_cpus_online() == 1 ? "" : "s", arch_cpus_wanted(),
                 kite_cpu());
    kite_pr_info("  cpu  apic id  node  state    context switches\n");
    for (cpu = 0; cpu < MAX_CPUS_SHOWN && kite_numa_cpu_apic_id(cpu) != ~0u; cpu++) {
        kite_pr_info("  %3u  %7u  %4d  %-7s  %llu\n", cpu, kite_numa_cpu_apic_id(cpu),
                     kite_numa_node_of_cpu(cpu), cpu_online(cpu) ? "online" : "offline",
                     (unsigned long long)kite_sched_switches(cpu));
    }
    return 0;
}
KITE_SHELL_CMD(cpus, cmd_cpus, ": the CPUs: APIC IDs, nodes, online or not, context switches");

static uint64_t node_mem(int node, unsigned int *nranges)
{
    struct kite_mem_range r[8];
    unsigned int n = kite_numa_node_ranges(node, r, KITE_ARRAY_SIZE(r));
    uint64_t sum = 0;

    for (unsigned int i = 0; i < KITE_MIN(n, (unsigned int)KITE_ARRAY_SIZE(r)); i++) {
        sum += r[i].length;
    }
    *nranges = n;
    return sum;
}

static int cmd_numa(int argc, char **argv)
{
    unsigned int nodes = kite_numa_node_count();
    unsigned int cpus[256];
    char list[160], row[160];

    if (argc != 1) {
        return kite_shell_usage(argv[0]);
    }
    kite_pr_info("%u NUMA node%s\n", nodes, nodes == 1 ? "" : "s");
    for (unsigned int n = 0; n < nodes; n++) {
        unsigned int nranges, ncpus = kite_numa_node_cpus((int)n, cpus, KITE_ARRAY_SIZE(cpus));
        uint64_t mem = node_mem((int)n, &nranges);
        size_t len = 0;

        kite_pr_info("  node %u (domain %u): %llu MiB in %u range%s, CPUs %s\n", n,
                     kite_numa_node_domain((int)n), (unsigned long long)(mem >> 20), nranges,
                     nranges == 1 ? "" : "s",
                     cpu_list(list, sizeof(list), cpus,
                              KITE_MIN(ncpus, (unsigned int)KITE_ARRAY_SIZE(cpus))));
        for (unsigned int m = 0; m < nodes && len + 5 < sizeof(row); m++) {
            len += (size_t)kite_snprintf(row + len, sizeof(row) - len, " %3u",
                                         kite_numa_distance((int)n, (int)m));
        }
        kite_pr_info("    distances from node %u:%s\n", n, row);
    }
    return 0;
}
KITE_SHELL_CMD(numa, cmd_numa, ": the NUMA nodes: memory, CPUs, distances");

static int cmd_mem(int argc, char **argv)
{
    struct kite_node_mem_stats st;
    uint64_t total = 0, free = 0;
    unsigned int nodes = kite_numa_node_count();

    if (argc != 1) {
        return kite_shell_usage(argv[0]);
    }
    kite_pr_info("page allocator, per node (the heap takes its memory from it):\n");
    for (unsigned int n = 0; n < nodes; n++) {
        if (kite_page_stats((int)n, &st) != 0) {
            continue;
        }
        kite_pr_info("  node %u: %llu MiB free of %llu MiB, largest free block %llu KiB\n", n,
                     (unsigned long long)(st.free >> 20), (unsigned long long)(st.total >> 20),
                     (unsigned long long)(st.largest_free >> 10));
        total += st.total;
        free += st.free;
    }
    kite_pr_info("  all: %llu MiB free of %llu MiB (%llu%% used)\n",
                 (unsigned long long)(free >> 20), (unsigned long long)(total >> 20),
                 (unsigned long long)(total ? (total - free) * 100 / total : 0));
    return 0;
}
KITE_SHELL_CMD(mem, cmd_mem, ": free and total memory per node");

/* ---------------------------------------------------------------- threads, irqs, timers */

static int cmd_threads(int argc, char **argv)
{
    struct kite_thread_info *info;
    unsigned int n;

    if (argc != 1) {
        return kite_shell_usage(argv[0]);
    }
    info = kite_malloc(THREADS_SHOWN * sizeof(*info));
    if (!info) {
        kite_pr_err("threads: no memory for the list\n");
        return 1;
    }
    n = kite_thread_snapshot(info, THREADS_SHOWN);
    kite_pr_info("%u thread%s:\n", n, n == 1 ? "" : "s");
    kite_pr_info("  cpu  state     prio  bound  name\n");
    for (unsigned int i = 0; i < KITE_MIN(n, THREADS_SHOWN); i++) {
        char prio[8];

        if (info[i].prio < KITE_PRIO_MIN) {
            strlcpy(prio, "idle", sizeof(prio));
        } else {
            kite_snprintf(prio, sizeof(prio), "%d", info[i].prio);
        }
        kite_pr_info("  %3u  %-8s  %4s  %-5s  %s\n", info[i].cpu, info[i].state, prio,
                     info[i].bound ? "yes" : "no", info[i].name);
    }
    if (n > THREADS_SHOWN) {
        kite_pr_info("  ... and %u more\n", n - THREADS_SHOWN);
    }
    kite_free(info);
    for (unsigned int cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
        if (cpu_online(cpu)) {
            kite_pr_info("  cpu%-3u %llu context switches\n", cpu,
                         (unsigned long long)kite_sched_switches(cpu));
        }
    }
    return 0;
}
KITE_SHELL_CMD(threads, cmd_threads,
               ": every thread (CPU, state, priority), context switches per CPU");

static const char *vector_name(unsigned int vec)
{
    static const char *const exc[32] = {
        "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "",    "#TS",
        "#NP", "#SS", "#GP", "#PF", "",    "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
    };

    if (vec < 32) {
        return exc[vec] ? exc[vec] : "";
    }
    switch (vec) {
    case ARCH_VECTOR_TIMER:
        return "timer";
    case ARCH_VECTOR_WAKEUP:
        return "wakeup IPI";
    case ARCH_VECTOR_TLB:
        return "TLB IPI";
    case ARCH_VECTOR_SPURIOUS:
        return "spurious";
    default:
        break;
    }
    if (vec >= ARCH_VECTOR_ISA_BASE && vec < ARCH_VECTOR_DYNAMIC_FIRST) {
        return "ISA IRQ";
    }
    return vec >= ARCH_VECTOR_DYNAMIC_FIRST && vec <= ARCH_VECTOR_DYNAMIC_LAST ? "device" : "";
}

static int cmd_irqs(int argc, char **argv)
{
    unsigned int cpus[CPUS_PER_ROW];

    if (argc != 1) {
        return kite_shell_usage(argv[0]);
    }
    kite_pr_info("interrupts and exceptions taken, per vector and CPU (vectors never taken are "
                 "left out):\n");
    for (unsigned int first = 0; first < CONFIG_NR_CPUS;) {
        unsigned int n = 0;
        char line[160];
        size_t len;

        /* The next few online CPUs make one table. */
        for (; first < CONFIG_NR_CPUS && n < CPUS_PER_ROW; first++) {
            if (cpu_online(first)) {
                cpus[n++] = first;
            }
        }
        if (n == 0) {
            break;
        }
        len = (size_t)kite_snprintf(line, sizeof(line), "  %-15s", "vector");
        for (unsigned int i = 0; i < n; i++) {
            char name[16];

            kite_snprintf(name, sizeof(name), "cpu%u", cpus[i]);
            len += (size_t)kite_snprintf(line + len, sizeof(line) - len, " %10s", name);
        }
        kite_pr_info("%s\n", line);
        for (unsigned int vec = 0; vec < 256; vec++) {
            bool any = false;

            for (unsigned int i = 0; i < n; i++) {
                any |= arch_irq_count(cpus[i], vec) != 0;
            }
            if (!any) {
                continue;
            }
            len =
                (size_t)kite_snprintf(line, sizeof(line), "  0x%02x %-10s", vec, vector_name(vec));
            for (unsigned int i = 0; i < n; i++) {
                len += (size_t)kite_snprintf(line + len, sizeof(line) - len, " %10llu",
                                             (unsigned long long)arch_irq_count(cpus[i], vec));
            }
            kite_pr_info("%s\n", line);
        }
    }
    return 0;
}
KITE_SHELL_CMD(irqs, cmd_irqs, ": interrupt counts per vector and CPU");

static int cmd_timers(int argc, char **argv)
{
    uint64_t now = kite_time_ns();

    if (argc != 1) {
        return kite_shell_usage(argv[0]);
    }
    kite_pr_info("each CPU's next timer (%s); a CPU with none takes no timer interrupt:\n",
                 arch_timer_kind());
    for (unsigned int cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
        uint64_t t = kite_timer_next(cpu);

        if (!cpu_online(cpu)) {
            continue;
        }
        if (t == KITE_FOREVER) {
            kite_pr_info("  cpu%-3u none\n", cpu);
        } else if (t <= now) {
            kite_pr_info("  cpu%-3u due now\n", cpu);
        } else {
            kite_pr_info("  cpu%-3u in %llu.%03llu ms\n", cpu,
                         (unsigned long long)((t - now) / KITE_NSEC_PER_MSEC),
                         (unsigned long long)((t - now) / KITE_NSEC_PER_USEC % 1000));
        }
    }
    return 0;
}
KITE_SHELL_CMD(timers, cmd_timers, ": each CPU's next timer deadline");

/* ---------------------------------------------------------------- dmesg, config */

/* Where `dmesg -c` cleared the log: earlier records are no longer shown. */
static uint64_t dmesg_from;

static void dmesg_line(int level, const char *fmt, ...) KITE_PRINTF(2, 3);
static void dmesg_line(int level, const char *fmt, ...)
{
    char line[96];
    va_list ap;
    int n = kite_snprintf(line, sizeof(line), "<%d>", level);

    va_start(ap, fmt);
    n += kite_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    kite_printk_raw(line, KITE_MIN((size_t)n, sizeof(line) - 1));
}

static int cmd_dmesg(int argc, char **argv)
{
    struct kite_kmsg_record rec;
    char text[512], line[600];
    uint64_t seq = __atomic_load_n(&dmesg_from, __ATOMIC_RELAXED);
    /* What was logged before the command: its own messages are not read back. */
    uint64_t end = KITE_READ_ONCE(kite_kmsg.next_seq);
    unsigned long maxlevel = KITE_LOG_DEBUG;
    bool clear = false;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0) {
            clear = true;
        } else if (strcmp(argv[i], "-l") == 0 && i + 1 < argc &&
                   parse_uint(argv[i + 1], &maxlevel) && maxlevel <= KITE_LOG_DEBUG) {
            i++;
        } else {
            return kite_shell_usage(argv[0]);
        }
    }
    for (;;) {
        uint64_t want = seq;
        size_t len;

        if (seq >= end || !kite_kmsg_read(&kite_kmsg, &seq, &rec, text, sizeof(text)) ||
            rec.seq >= end) {
            break;
        }
        if (rec.seq > want) {
            dmesg_line(KITE_LOG_WARNING, "dmesg: %llu older messages were overwritten\n",
                       (unsigned long long)(rec.seq - want));
        }
        if (rec.level > maxlevel) {
            continue;
        }
        len = (size_t)kite_snprintf(line, sizeof(line), "<%u>", rec.level);
        len += kite_log_format_line(line + len, sizeof(line) - len, rec.time_ns, rec.cpu, rec.level,
                                    text);
        kite_printk_raw(line, KITE_MIN(len, sizeof(line) - 1));
    }
    if (clear) {
        __atomic_store_n(&dmesg_from, end, __ATOMIC_RELAXED);
        dmesg_line(KITE_LOG_INFO, "dmesg: cleared; later dmesg shows what comes after\n");
    }
    return 0;
}
KITE_SHELL_CMD(dmesg, cmd_dmesg,
               "[-c] [-l LEVEL]: the kernel log, all levels (-l: up to LEVEL; -c: clear it "
               "afterwards)");

static int cmd_config(int argc, char **argv)
{
    /* Two linker symbols, distinct objects to C: the size comes from their addresses. */
    size_t size = (size_t)((uintptr_t)kite_config_text_end - (uintptr_t)kite_config_text);
    unsigned int shown = 0;

    if (argc > 2) {
        return kite_shell_usage(argv[0]);
    }
    for (size_t pos = 0; pos < size;) {
        size_t eol = pos, len;
        char line[256];

        while (eol < size && kite_config_text[eol] != '\n') {
            eol++;
        }
        len = KITE_MIN(eol - pos, sizeof(line) - 1);
        memcpy(line, kite_config_text + pos, len);
        line[len] = '\0';
        pos = eol + 1;
        if (strncmp(line, "CONFIG_", 7) != 0 || (argc == 2 && !strstr(line, argv[1]))) {
            continue;
        }
        kite_pr_info("%s\n", line);
        shown++;
    }
    if (shown == 0 && argc == 2) {
        kite_pr_info("config: no option set matches '%s'\n", argv[1]);
    }
    return 0;
}
KITE_SHELL_CMD(config, cmd_config,
               "[WORD]: the options this image was built with (those with WORD)");

/* ---------------------------------------------------------------- reboot, poweroff */

static int cmd_reboot(int argc, char **argv)
{
    if (argc != 1) {
        return kite_shell_usage(argv[0]);
    }
    if (kite_partition()) {
        kite_pr_err("reboot: not in a co-kernel partition, whose machine is the host's (kitectl "
                    "shutdown, then boot, restarts Kite)\n");
        return 1;
    }
    kite_pr_notice("kite: rebooting\n");
    arch_reset();
}
KITE_SHELL_CMD(reboot, cmd_reboot, ": reset the machine");

static int cmd_poweroff(int argc, char **argv)
{
    unsigned long code = KITE_EXIT_SUCCESS;

    if (argc > 2 || (argc == 2 && (!parse_uint(argv[1], &code) || code > 127))) {
        return kite_shell_usage(argv[0]);
    }
    kite_poweroff((int)code);
}
KITE_SHELL_CMD(poweroff, cmd_poweroff,
               "[STATUS]: end the run (QEMU exits with 2 * STATUS + 1; default 0)");
