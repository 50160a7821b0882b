/* SPDX-License-Identifier: MIT */
/*
 * The GDB stub: the GDB remote serial protocol over a polled UART
 * (drivers/uart_gdb.c), so gdb can debug Kite over a null-modem cable or
 * QEMU's second serial port. The x86_64 half (arch/x86_64/gdb_arch.c) owns
 * registers, memory access, int3, debug registers and single steps.
 *
 * A CPU enters the stub on a breakpoint, watchpoint or finished step, on an
 * exception nothing catches (once gdb is attached, or with kite.panic=gdb),
 * on a panic (kite.panic=gdb), at boot (kite.gdb_wait) and when gdb sends
 * Ctrl-C (the UART's receive interrupt). The first CPU in becomes the
 * master: it holds every other CPU with an NMI (each spins in the NMI
 * handler with its interrupted frame recorded, so gdb reads its registers
 * as thread CPU + 1) and talks to gdb. A CPU that traps while another is
 * master is held like the others and reports its own stop afterwards (an
 * int3 is simply run again). Continue releases everyone; a single step runs
 * only the stepped CPU, the others stay held.
 *
 * Nothing here prints through printk once a CPU is stopped (a held CPU may
 * own printk's lock): notices go straight to the consoles.
 */
#define KITE_LOG_PREFIX "gdb: "

#include <kite/arch.h>
#include <kite/cmdline.h>
#include <kite/console.h>
#include <kite/errno.h>
#include <kite/gdb.h>
#include <kite/init.h>
#include <kite/panic.h>
#include <kite/partition.h>
#include <kite/power.h>
#include <kite/printk.h>
#include <kite/string.h>
#include <kite/thread.h>

#include <arch/gdb.h>

KITE_PARAM(gdb, string, "",
           "GDB stub on a serial port: ttyS0-ttyS3 (COM1-COM4) or an I/O port like 0x2f8; "
           "off when empty (kite.gdb_wait or kite.panic=gdb turn it on at ttyS1)");
KITE_PARAM(gdb_wait, bool, false,
           "stop early in boot until gdb attaches to the kite.gdb port (ttyS1 unless given)");

#define PACKET_MAX      4096  /* the longest packet gdb may send us */
#define PACKET_SIZE     "ff0" /* what qSupported tells gdb (hex), with room to spare */
#define MEM_MAX         ((PACKET_MAX - 16) / 2) /* bytes one 'm' reply carries */
#define NO_CPU          (~0u)
#define STOP_TIMEOUT_MS 1000
#define NR_SW           64

extern struct kite_param __kite_params_start[], __kite_params_end[];
#define params_end KITE_SECTION_END(__kite_params_start, __kite_params_end)

static bool enabled;
static bool panic_gdb; /* kite.panic=gdb: exceptions go to gdb even before it attaches */
static bool attached;
static uint16_t port;
static char port_name[16];

/*
 * Each CPU's part. regs is its frame while it is in the stub or held;
 * held_gen says which stop it is held for (0: none); go lets one held CPU
 * run a single step, and stepped_gen remembers for which stop; nmi_sent
 * marks an NMI of the stub's on its way; busy is set while the CPU is in
 * the stub in any role.
 */
static struct gdb_cpu {
    struct arch_regs *regs;
    uint32_t held_gen;
    uint32_t stepped_gen;
    bool go;
    bool nmi_sent;
    bool busy;
} cpus[CONFIG_NR_CPUS];

static unsigned int master = NO_CPU; /* the CPU talking to gdb, or NO_CPU */
static bool hold;                    /* held CPUs stay held while it is set */
static uint32_t stop_gen;            /* bumped by each stop that holds the others */

/* Only the master touches what follows. */
static char in[PACKET_MAX + 1];
static char out[PACKET_MAX + 1];
static size_t out_len;
static bool out_sent;       /* out holds the last packet sent (for a '-') */
static bool pending_dollar; /* the receive interrupt took a packet's '$' */
static bool resumed;        /* gdb resumed us (c, s) and waits for a stop reply */
static struct kite_gdb_event last_ev;
static unsigned int ev_cpu;       /* the CPU the stop is for (gdb's current thread) */
static unsigned int g_cpu, c_cpu; /* Hg and Hc: register and resume threads (NO_CPU: ev_cpu) */
static uint8_t scratch[PACKET_MAX];

/* gdb's int3 (Z0): kept after removal, so a CPU that trapped on one just then is recognised. */
enum { SW_FREE, SW_INSERTED, SW_REMOVED };
static struct {
    uint64_t addr;
    uint8_t orig;
    uint8_t state;
} sw[NR_SW];

bool kite_gdb_enabled(void)
{
    return enabled;
}

bool kite_gdb_attached(void)
{
    return attached;
}

bool kite_gdb_wants_exceptions(void)
{
    return enabled && (attached || panic_gdb);
}

/* A line straight to the consoles: no printk lock, which a held CPU may own. */
static void notice(const char *fmt, ...) KITE_PRINTF(1, 2);
static void notice(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = kite_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > 0) {
        kite_console_write(buf, KITE_MIN((size_t)n, sizeof(buf) - 1));
    }
}

/* ---------------------------------------------------------------- packets */

static const char hexdigits[] = "0123456789abcdef";

/* A hex number at *@p (at least one digit); *@p moves past it. */
static bool parse_hex(const char **p, uint64_t *v)
{
    const char *s = *p;

    *v = 0;
    while (kite_hex_digit(*s) >= 0) {
        *v = (*v << 4) | (uint64_t)kite_hex_digit(*s);
        s++;
    }
    if (s == *p) {
        return false;
    }
    *p = s;
    return true;
}

/* "ADDR,LEN" at *@p. */
static bool parse_range(const char **p, uint64_t *addr, uint64_t *len)
{
    if (!parse_hex(p, addr) || **p != ',') {
        return false;
    }
    (*p)++;
    return parse_hex(p, len);
}

static void out_str(const char *s)
{
    while (*s && out_len < PACKET_MAX) {
        out[out_len++] = *s++;
    }
}

static void out_fmt(const char *fmt, ...) KITE_PRINTF(1, 2);
static void out_fmt(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = kite_vsnprintf(out + out_len, sizeof(out) - out_len, fmt, ap);
    va_end(ap);
    if (n > 0) {
        out_len = KITE_MIN(out_len + (size_t)n, (size_t)PACKET_MAX);
    }
}

static void out_hex(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n && out_len + 2 <= PACKET_MAX; i++) {
        out[out_len++] = hexdigits[b[i] >> 4];
        out[out_len++] = hexdigits[b[i] & 15];
    }
}

/* A register gdb cannot have: "xx" for each byte. */
static void out_unavailable(size_t n)
{
    for (size_t i = 0; i < 2 * n && out_len < PACKET_MAX; i++) {
        out[out_len++] = 'x';
    }
}

static void send_out(void)
{
    uint8_t sum = 0;

    kite_gdb_uart_putc('$');
    for (size_t i = 0; i < out_len; i++) {
        kite_gdb_uart_putc((uint8_t)out[i]);
        sum = (uint8_t)(sum + (uint8_t)out[i]);
    }
    kite_gdb_uart_putc('#');
    kite_gdb_uart_putc((uint8_t)hexdigits[sum >> 4]);
    kite_gdb_uart_putc((uint8_t)hexdigits[sum & 15]);
    out_sent = true;
}

static int getc_wait(void)
{
    int c;

    while ((c = kite_gdb_uart_getc()) < 0) {
        arch_pause();
    }
    return c;
}

/*
 * The next packet gdb sends, checked and acknowledged, into in[]: its
 * length. A '-' from gdb (our last packet arrived garbled) sends it again;
 * a packet with a bad checksum is answered with '-' so gdb sends it again.
 */
static size_t get_packet(void)
{
    for (;;) {
        int c = pending_dollar ? '$' : getc_wait(), hi, lo;
        size_t n = 0;
        uint8_t sum = 0;
        bool overflow = false;

        pending_dollar = false;
        if (c == '-' && out_sent) {
            send_out();
            continue;
        }
        if (c != '$') {
            continue; /* acks, a Ctrl-C while stopped, line noise */
        }
        for (;;) {
            c = getc_wait();
            if (c == '$') {
                n = 0; /* a fresh start: what came before was cut off */
                sum = 0;
                overflow = false;
                continue;
            }
            if (c == '#') {
                break;
            }
            sum = (uint8_t)(sum + (uint8_t)c);
            if (n < PACKET_MAX) {
                in[n++] = (char)c;
            } else {
                overflow = true;
            }
        }
        hi = kite_hex_digit(getc_wait());
        lo = kite_hex_digit(getc_wait());
        if (overflow || hi < 0 || lo < 0 || (uint8_t)((hi << 4) | lo) != sum) {
            kite_gdb_uart_putc('-');
            continue;
        }
        kite_gdb_uart_putc('+');
        in[n] = '\0';
        attached = true;
        return n;
    }
}

/* ---------------------------------------------------------------- CPUs */

static bool held(unsigned int cpu)
{
    uint32_t gen = __atomic_load_n(&stop_gen, __ATOMIC_SEQ_CST);

    return gen && __atomic_load_n(&cpus[cpu].held_gen, __ATOMIC_SEQ_CST) == gen;
}

/* CPU @cpu's registers for reading, or NULL when it runs on (it did not stop). */
static const struct arch_regs *regs_to_read(unsigned int cpu)
{
    if (cpu >= CONFIG_NR_CPUS) {
        return NULL;
    }
    if (cpu == master || held(cpu)) {
        return cpus[cpu].regs;
    }
    /* After a panic, arch_smp_stop_others stopped the others; their frames stay readable. */
    return kite_panicking ? arch_smp_nmi_regs(cpu) : NULL;
}

/* The same for writing: only CPUs the stub holds itself. */
static struct arch_regs *regs_to_write(unsigned int cpu)
{
    if (cpu >= CONFIG_NR_CPUS || (cpu != master && !held(cpu))) {
        return NULL;
    }
    return cpus[cpu].regs;
}

/*
 * Hold this CPU: record @regs, spin until released (a continue) or handed a
 * single step (go), then load the debug registers gdb may have changed.
 */
static void hold_here(unsigned int me, struct arch_regs *regs)
{
    struct gdb_cpu *c = &cpus[me];

    c->regs = regs;
    for (;;) {
        /* The stop to count this CPU in; re-read, as a new stop may begin before it leaves. */
        uint32_t gen = __atomic_load_n(&stop_gen, __ATOMIC_SEQ_CST);

        __atomic_store_n(&c->held_gen, gen, __ATOMIC_SEQ_CST);
        if (!__atomic_load_n(&hold, __ATOMIC_SEQ_CST)) {
            break;
        }
        if (__atomic_exchange_n(&c->go, false, __ATOMIC_SEQ_CST)) {
            c->stepped_gen = gen;
            break;
        }
        arch_pause();
    }
    __atomic_store_n(&c->held_gen, 0, __ATOMIC_SEQ_CST);
    arch_gdb_hw_load();
}

/* Hold every other CPU (an NMI each) and wait up to STOP_TIMEOUT_MS for them. */
static void stop_others(unsigned int me)
{
    uint64_t start, limit = STOP_TIMEOUT_MS * arch_tsc_khz;
    uint32_t gen;
    bool waiting;

    /* hold before the new generation: a CPU that sees the generation sees hold too. */
    __atomic_store_n(&hold, true, __ATOMIC_SEQ_CST);
    gen = __atomic_add_fetch(&stop_gen, 1, __ATOMIC_SEQ_CST);
    if (!gen) {
        gen = __atomic_add_fetch(&stop_gen, 1, __ATOMIC_SEQ_CST);
    }
    if (kite_panicking) {
        return; /* arch_smp_stop_others stopped them already, for good */
    }
    for (unsigned int cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
        if (cpu != me && arch_gdb_cpu_online(cpu)) {
            __atomic_store_n(&cpus[cpu].nmi_sent, true, __ATOMIC_SEQ_CST);
            arch_gdb_send_nmi(cpu);
        }
    }
    start = arch_tsc();
    do {
        waiting = false;
        for (unsigned int cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
            if (cpu != me && arch_gdb_cpu_online(cpu) &&
                __atomic_load_n(&cpus[cpu].held_gen, __ATOMIC_SEQ_CST) != gen) {
                waiting = true;
            }
        }
        arch_pause();
    } while (waiting && arch_tsc() - start < limit);
}

bool kite_gdb_nmi(struct arch_regs *regs)
{
    unsigned int me = arch_cpu_id();
    struct gdb_cpu *c;

    if (!enabled || me >= CONFIG_NR_CPUS) {
        return false;
    }
    c = &cpus[me];
    if (!__atomic_exchange_n(&c->nmi_sent, false, __ATOMIC_SEQ_CST)) {
        return false; /* not ours */
    }
    /*
     * In the stub already (it holds itself there), the stop is over, or this
     * CPU was let go for a single step in this very stop: the NMI is one that
     * waited while the CPU was held in an NMI already, and it must not hold it
     * again.
     */
    if (c->busy || !__atomic_load_n(&hold, __ATOMIC_SEQ_CST) ||
        c->stepped_gen == __atomic_load_n(&stop_gen, __ATOMIC_SEQ_CST)) {
        return true;
    }
    c->busy = true;
    hold_here(me, regs);
    c->busy = false;
    return true;
}

/* ---------------------------------------------------------------- breakpoints */

int kite_gdb_sw_break_state(uint64_t addr)
{
    for (unsigned int i = 0; i < NR_SW; i++) {
        if (sw[i].addr == addr && sw[i].state != SW_FREE) {
            return sw[i].state == SW_INSERTED ? 1 : -1;
        }
    }
    return 0;
}

static int sw_insert(uint64_t addr)
{
    static const uint8_t insn = ARCH_GDB_BREAK_INSN;
    int slot = -1;
    uint8_t orig, now;

    for (unsigned int i = 0; i < NR_SW; i++) {
        if (sw[i].addr == addr && sw[i].state == SW_INSERTED) {
            return 0;
        }
        if (sw[i].addr == addr && sw[i].state == SW_REMOVED) {
            slot = (int)i; /* the same place again: keep one entry for it */
        }
    }
    for (unsigned int i = 0; i < NR_SW && slot < 0; i++) {
        if (sw[i].state == SW_FREE) {
            slot = (int)i;
        }
    }
    for (unsigned int i = 0; i < NR_SW && slot < 0; i++) {
        if (sw[i].state == SW_REMOVED) {
            slot = (int)i; /* forget an old removed one */
        }
    }
    if (slot < 0) {
        return -KITE_ENOSPC;
    }
    if (arch_gdb_mem_read(addr, &orig, 1) != 1) {
        return -KITE_EFAULT;
    }
    if (arch_gdb_mem_write(addr, &insn, 1) != 1 || arch_gdb_mem_read(addr, &now, 1) != 1 ||
        now != insn) {
        (void)arch_gdb_mem_write(addr, &orig, 1);
        return -KITE_EFAULT;
    }
    sw[slot].addr = addr;
    sw[slot].orig = orig;
    sw[slot].state = SW_INSERTED;
    return 0;
}

static int sw_remove(uint64_t addr)
{
    for (unsigned int i = 0; i < NR_SW; i++) {
        if (sw[i].addr == addr && sw[i].state == SW_INSERTED) {
            if (arch_gdb_mem_write(addr, &sw[i].orig, 1) != 1) {
                return -KITE_EFAULT;
            }
            sw[i].state = SW_REMOVED;
            return 0;
        }
    }
    return -KITE_ENOENT;
}

static void sw_remove_all(void)
{
    for (unsigned int i = 0; i < NR_SW; i++) {
        if (sw[i].state == SW_INSERTED) {
            (void)sw_remove(sw[i].addr);
        }
    }
}

/* ---------------------------------------------------------------- commands */

enum action { STAY, CONTINUE, STEP, DETACH, KILL };

struct resume {
    enum action action;
    unsigned int cpu; /* the CPU to step */
    bool has_addr;
    uint64_t addr; /* where to resume, when given */
};

static unsigned int reg_cpu(void)
{
    return g_cpu == NO_CPU ? ev_cpu : g_cpu;
}

/* A thread id ("-1" all, "0" any: both NO_CPU) into *@cpu; false for a CPU that is not there. */
static bool parse_thread(const char **p, unsigned int *cpu)
{
    uint64_t tid;

    if ((*p)[0] == '-' && (*p)[1] == '1') {
        *p += 2;
        *cpu = NO_CPU;
        return true;
    }
    if (!parse_hex(p, &tid)) {
        return false;
    }
    if (tid == 0) {
        *cpu = NO_CPU;
        return true;
    }
    if (tid > CONFIG_NR_CPUS || !arch_gdb_cpu_online((unsigned int)tid - 1)) {
        return false;
    }
    *cpu = (unsigned int)tid - 1;
    return true;
}

static void stop_reply(void)
{
    out_fmt("T%02xthread:%x;", last_ev.signal & 0xff, ev_cpu + 1);
    switch (last_ev.why) {
    case KITE_GDB_STOP_SWBREAK:
        out_str("swbreak:;");
        break;
    case KITE_GDB_STOP_HWBREAK:
        out_str("hwbreak:;");
        break;
    case KITE_GDB_STOP_WATCH:
        out_fmt("watch:%llx;", (unsigned long long)last_ev.addr);
        break;
    case KITE_GDB_STOP_RWATCH:
        out_fmt("rwatch:%llx;", (unsigned long long)last_ev.addr);
        break;
    case KITE_GDB_STOP_AWATCH:
        out_fmt("awatch:%llx;", (unsigned long long)last_ev.addr);
        break;
    default:
        break;
    }
}

static void cmd_read_regs(void)
{
    const struct arch_regs *r = regs_to_read(reg_cpu());
    uint8_t buf[ARCH_GDB_G_SIZE];

    if (!r) {
        out_unavailable(ARCH_GDB_G_SIZE);
        return;
    }
    arch_gdb_regs_get(r, buf);
    out_hex(buf, sizeof(buf));
}

/* Hex at @p into @buf (up to @max bytes): the byte count, or -1 for bad hex. */
static int unhex(const char *p, uint8_t *buf, size_t max)
{
    size_t n = 0;

    while (p[0] && p[1] && n < max) {
        int hi = kite_hex_digit(p[0]), lo = kite_hex_digit(p[1]);

        if (hi < 0 || lo < 0) {
            return -1;
        }
        buf[n++] = (uint8_t)((hi << 4) | lo);
        p += 2;
    }
    return (int)n;
}

static void cmd_write_regs(const char *p)
{
    struct arch_regs *r = regs_to_write(reg_cpu());
    int n = unhex(p, scratch, sizeof(scratch));
    size_t off = 0;

    if (!r || n < 0) {
        out_str("E01");
        return;
    }
    for (unsigned int regno = 0; regno < ARCH_GDB_NUM_REGS; regno++) {
        size_t size = arch_gdb_reg_size(regno);

        if (off + size > (size_t)n) {
            break;
        }
        (void)arch_gdb_reg_set(r, regno, scratch + off); /* segments and FPU stay as they are */
        off += size;
    }
    out_str("OK");
}

static void cmd_read_reg(const char *p)
{
    const struct arch_regs *r = regs_to_read(reg_cpu());
    uint8_t buf[ARCH_GDB_REG_MAX];
    uint64_t regno;
    size_t size;

    if (!parse_hex(&p, &regno) || regno >= ARCH_GDB_NUM_REGS) {
        out_str("E01");
        return;
    }
    size = arch_gdb_reg_size((unsigned int)regno);
    if (r && arch_gdb_reg_get(r, (unsigned int)regno, buf)) {
        out_hex(buf, size);
    } else {
        out_unavailable(size);
    }
}

static void cmd_write_reg(const char *p)
{
    struct arch_regs *r = regs_to_write(reg_cpu());
    uint8_t buf[ARCH_GDB_REG_MAX];
    uint64_t regno;

    if (!r || !parse_hex(&p, &regno) || *p++ != '=' || regno >= ARCH_GDB_NUM_REGS ||
        unhex(p, buf, sizeof(buf)) != (int)arch_gdb_reg_size((unsigned int)regno) ||
        !arch_gdb_reg_set(r, (unsigned int)regno, buf)) {
        out_str("E01");
        return;
    }
    out_str("OK");
}

static void cmd_read_mem(const char *p)
{
    uint64_t addr, len;
    size_t got;

    if (!parse_range(&p, &addr, &len)) {
        out_str("E01");
        return;
    }
    len = KITE_MIN(len, (uint64_t)MEM_MAX);
    got = arch_gdb_mem_read(addr, scratch, (size_t)len);
    if (got == 0 && len > 0) {
        out_str("E14");
        return;
    }
    /* gdb sees the code, not its own int3s. */
    for (unsigned int i = 0; i < NR_SW; i++) {
        if (sw[i].state == SW_INSERTED && sw[i].addr >= addr && sw[i].addr - addr < got) {
            scratch[sw[i].addr - addr] = sw[i].orig;
        }
    }
    out_hex(scratch, got);
}

/* Write @n bytes of scratch at @addr, keeping gdb's int3s in place over what it writes. */
static void write_mem(uint64_t addr, size_t n)
{
    static const uint8_t insn = ARCH_GDB_BREAK_INSN;

    if (arch_gdb_mem_write(addr, scratch, n) != n) {
        out_str("E14");
        return;
    }
    for (unsigned int i = 0; i < NR_SW; i++) {
        if (sw[i].state == SW_INSERTED && sw[i].addr >= addr && sw[i].addr - addr < n) {
            sw[i].orig = scratch[sw[i].addr - addr];
            (void)arch_gdb_mem_write(sw[i].addr, &insn, 1);
        }
    }
    out_str("OK");
}

static void cmd_write_mem_hex(const char *p)
{
    uint64_t addr, len;

    if (!parse_range(&p, &addr, &len) || *p++ != ':' || len > sizeof(scratch) ||
        unhex(p, scratch, (size_t)len) != (int)len) {
        out_str("E01");
        return;
    }
    write_mem(addr, (size_t)len);
}

/* X: binary data, '}' escaping the next byte (xor 0x20), to the end of the packet. */
static void cmd_write_mem_bin(const char *p, const char *end)
{
    uint64_t addr, len;
    size_t n = 0;

    if (!parse_range(&p, &addr, &len) || *p++ != ':' || len > sizeof(scratch)) {
        out_str("E01");
        return;
    }
    while (p < end && n < len) {
        uint8_t b = (uint8_t)*p++;

        if (b == '}' && p < end) {
            b = (uint8_t)(*p++ ^ 0x20);
        }
        scratch[n++] = b;
    }
    if (n != len) {
        out_str("E01");
        return;
    }
    if (len == 0) {
        out_str("OK"); /* gdb's probe for X */
        return;
    }
    write_mem(addr, n);
}

static void cmd_break(bool insert, const char *p)
{
    uint64_t type, addr, kind;
    int rc;

    if (!parse_hex(&p, &type) || *p++ != ',' || !parse_range(&p, &addr, &kind) || type > 4) {
        out_str("E01");
        return;
    }
    if (type == 0) {
        rc = insert ? sw_insert(addr) : sw_remove(addr);
    } else {
        rc = insert ? arch_gdb_hw_set((int)type, addr, (size_t)kind)
                    : arch_gdb_hw_clear((int)type, addr, (size_t)kind);
    }
    if (rc) {
        out_fmt("E%02x", -rc & 0xff);
    } else {
        out_str("OK");
    }
}

static void thread_info(unsigned int cpu)
{
    char text[96];
    const struct kite_thread *t = kite_cpu_thread(cpu);
    const char *name = t ? kite_thread_name(t) : "boot";
    int n;

    if (cpu == master || held(cpu)) {
        n = kite_snprintf(text, sizeof(text), "cpu%u: thread %s", cpu, name);
    } else if (regs_to_read(cpu)) {
        n = kite_snprintf(text, sizeof(text), "cpu%u: thread %s, stopped by the panic", cpu, name);
    } else {
        n = kite_snprintf(text, sizeof(text), "cpu%u: running (did not stop)", cpu);
    }
    out_hex((const uint8_t *)text, KITE_MIN((size_t)(n > 0 ? n : 0), sizeof(text) - 1));
}

static void cmd_query(const char *p)
{
    unsigned int cpu;

    if (strncmp(p, "qSupported", 10) == 0) {
        out_str("PacketSize=" PACKET_SIZE ";swbreak+;hwbreak+");
    } else if (strcmp(p, "qAttached") == 0) {
        out_str("1");
    } else if (strcmp(p, "qC") == 0) {
        out_fmt("QC%x", ev_cpu + 1);
    } else if (strcmp(p, "qfThreadInfo") == 0) {
        char sep = 'm';

        for (cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
            if (arch_gdb_cpu_online(cpu)) {
                out_fmt("%c%x", sep, cpu + 1);
                sep = ',';
            }
        }
    } else if (strcmp(p, "qsThreadInfo") == 0) {
        out_str("l");
    } else if (strncmp(p, "qThreadExtraInfo,", 17) == 0) {
        p += 17;
        if (parse_thread(&p, &cpu) && cpu != NO_CPU) {
            thread_info(cpu);
        } else {
            out_str("E01");
        }
    }
    /* Anything else (qOffsets, qSymbol, qTStatus, qXfer...): an empty reply, "not supported". */
}

/* c/s/C/S: [SIG;][ADDR]. */
static bool cmd_resume(const char *p, bool step, struct resume *res)
{
    uint64_t v;

    res->action = step ? STEP : CONTINUE;
    res->cpu = c_cpu == NO_CPU ? ev_cpu : c_cpu;
    res->has_addr = false;
    if (p[-1] == 'C' || p[-1] == 'S') {
        (void)parse_hex(&p, &v); /* a signal to deliver: Kite has none to deliver */
        if (*p == ';') {
            p++;
        }
    }
    if (parse_hex(&p, &res->addr)) {
        res->has_addr = true;
    }
    return true;
}

/* vCont;ACTION[:TID];...: step the CPU a step names, else continue everything. */
static bool cmd_vcont(const char *p, struct resume *res)
{
    res->action = CONTINUE;
    res->cpu = ev_cpu;
    res->has_addr = false;
    while (*p == ';') {
        char a = p[1];
        unsigned int cpu = NO_CPU;
        uint64_t sig;

        p += 2;
        if (a == 'C' || a == 'S') {
            (void)parse_hex(&p, &sig);
        }
        if (*p == ':') {
            p++;
            if (!parse_thread(&p, &cpu)) {
                out_str("E01");
                return false;
            }
        }
        if ((a == 's' || a == 'S') && res->action != STEP) {
            res->action = STEP;
            res->cpu = cpu == NO_CPU ? ev_cpu : cpu;
        } else if (a != 'c' && a != 'C' && a != 's' && a != 'S') {
            out_str("E01");
            return false;
        }
        while (*p && *p != ';') {
            p++;
        }
    }
    return true;
}

/* Handle the packet in[0..@n); true when it resumes (the reply, if any, is in out[]). */
static bool handle(size_t n, struct resume *res)
{
    const char *p = in + 1;
    unsigned int cpu;

    out_len = 0;
    *res = (struct resume){.action = STAY, .cpu = ev_cpu};
    switch (in[0]) {
    case '?':
        stop_reply();
        break;
    case 'g':
        cmd_read_regs();
        break;
    case 'G':
        cmd_write_regs(p);
        break;
    case 'p':
        cmd_read_reg(p);
        break;
    case 'P':
        cmd_write_reg(p);
        break;
    case 'm':
        cmd_read_mem(p);
        break;
    case 'M':
        cmd_write_mem_hex(p);
        break;
    case 'X':
        cmd_write_mem_bin(p, in + n);
        break;
    case 'c':
    case 'C':
        return cmd_resume(p, false, res);
    case 's':
    case 'S':
        return cmd_resume(p, true, res);
    case 'Z':
    case 'z':
        cmd_break(in[0] == 'Z', p);
        break;
    case 'H':
        p = in + 2;
        if ((in[1] != 'g' && in[1] != 'c') || !parse_thread(&p, &cpu)) {
            out_str("E01");
        } else {
            if (in[1] == 'g') {
                g_cpu = cpu;
            } else {
                c_cpu = cpu;
            }
            out_str("OK");
        }
        break;
    case 'T':
        out_str(parse_thread(&p, &cpu) && cpu != NO_CPU ? "OK" : "E01");
        break;
    case 'q':
        cmd_query(in);
        break;
    case 'v':
        if (strcmp(in, "vCont?") == 0) {
            out_str("vCont;c;C;s;S");
        } else if (strncmp(in, "vCont;", 6) == 0) {
            return cmd_vcont(in + 5, res);
        } else if (strncmp(in, "vKill", 5) == 0) {
            res->action = KILL;
            return true;
        }
        break;
    case 'D':
        out_str("OK");
        res->action = DETACH;
        return true;
    case 'k':
        res->action = KILL;
        return true;
    default:
        break; /* unknown: an empty reply */
    }
    return false;
}

/* Talk to gdb until it resumes this CPU or another. */
static void command_loop(struct resume *res)
{
    for (;;) {
        size_t n = get_packet();

        if (handle(n, res)) {
            if (res->action == STEP && !regs_to_write(res->cpu)) {
                out_len = 0;
                out_str("E01"); /* a CPU that did not stop cannot be stepped */
                send_out();
                continue;
            }
            if (res->action == DETACH) {
                send_out();
            }
            return;
        }
        send_out();
    }
}

static void release_all(unsigned int me)
{
    cpus[me].busy = false; /* from here an NMI of the next stop holds this CPU */
    __atomic_store_n(&hold, false, __ATOMIC_SEQ_CST);
    __atomic_store_n(&master, NO_CPU, __ATOMIC_SEQ_CST);
}

bool kite_gdb_stop(struct arch_regs *regs, const struct kite_gdb_event *ev)
{
    unsigned int me = arch_cpu_id();
    struct gdb_cpu *c;
    struct resume res;

    if (!enabled || me >= CONFIG_NR_CPUS) {
        return false;
    }
    c = &cpus[me];
    if (c->busy) {
        return false; /* a fault in the stub itself: the panic report says where */
    }
    c->busy = true;
    arch_gdb_step_end(me, regs);
    for (;;) {
        unsigned int none = NO_CPU;

        if (__atomic_load_n(&master, __ATOMIC_SEQ_CST) == me) {
            break; /* a step gdb asked of this CPU ended: the others are still held */
        }
        if (__atomic_compare_exchange_n(&master, &none, me, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST)) {
            stop_others(me);
            break;
        }
        /* Another CPU talks to gdb: wait with the held ones, then report (or just re-trap). */
        hold_here(me, regs);
        if (ev->again) {
            c->busy = false;
            return true;
        }
    }

    c->regs = regs;
    last_ev = *ev;
    ev_cpu = me;
    g_cpu = NO_CPU; /* gdb takes the stopped thread as the current one */
    if (resumed) {
        out_len = 0;
        stop_reply();
        send_out();
        resumed = false;
    } else if (!attached) {
        notice("gdb: CPU %u stopped (%s) at %#llx; waiting for gdb on %s (I/O port %#x)\n", me,
               ev->reason ? ev->reason : "a trap", (unsigned long long)arch_gdb_pc(regs), port_name,
               port);
    }

    command_loop(&res);

    if (res.action == KILL) {
        kite_qemu_exit(KITE_EXIT_SUCCESS); /* under QEMU, gdb's kill ends it (status 1) */
        res.action = DETACH;               /* elsewhere: detach and run on */
    }
    if (res.action == DETACH) {
        sw_remove_all();
        arch_gdb_hw_clear_all();
        attached = false;
        res.action = CONTINUE;
    }
    if (res.has_addr) {
        arch_gdb_set_pc(res.action == STEP ? cpus[res.cpu].regs : regs, res.addr);
    }
    resumed = attached; /* gdb waits for the next stop's reply */
    arch_gdb_resume(regs);
    arch_gdb_hw_load();
    kite_gdb_uart_irq_rearm();
    if (res.action == CONTINUE) {
        release_all(me);
    } else if (res.cpu == me) {
        arch_gdb_step(me, regs);
        c->busy = false;
    } else {
        /* Hand the stub to the stepped CPU; this one waits with the others. */
        struct arch_regs *r = cpus[res.cpu].regs;

        arch_gdb_step(res.cpu, r);
        arch_gdb_resume(r);
        __atomic_store_n(&master, res.cpu, __ATOMIC_SEQ_CST);
        __atomic_store_n(&cpus[res.cpu].go, true, __ATOMIC_SEQ_CST);
        hold_here(me, regs);
        c->busy = false;
    }
    return true;
}

/* ---------------------------------------------------------------- entry points */

void kite_gdb_breakpoint(void)
{
    static const struct kite_gdb_event ev = {
        .signal = KITE_GDB_SIGTRAP, .why = KITE_GDB_STOP_SIGNAL, .reason = "kite_gdb_breakpoint"};

    if (enabled) {
        arch_gdb_break(&ev);
    }
}

void kite_gdb_panic(void)
{
    static const struct kite_gdb_event ev = {
        .signal = KITE_GDB_SIGABRT, .why = KITE_GDB_STOP_SIGNAL, .reason = "panic"};

    if (enabled) {
        arch_gdb_break(&ev);
    }
}

/* The UART's receive interrupt: gdb's Ctrl-C, or gdb starting to talk to a running Kite. */
static void rx_irq(struct arch_regs *regs)
{
    static const struct kite_gdb_event ctrl_c = {
        .signal = KITE_GDB_SIGINT, .why = KITE_GDB_STOP_SIGNAL, .reason = "Ctrl-C from gdb"};
    static const struct kite_gdb_event attach = {
        .signal = KITE_GDB_SIGINT, .why = KITE_GDB_STOP_SIGNAL, .reason = "gdb attached"};
    int c;

    while ((c = kite_gdb_uart_getc()) >= 0) {
        if (c == 0x03 || c == '$') {
            pending_dollar = c == '$';
            (void)kite_gdb_stop(regs, c == '$' ? &attach : &ctrl_c);
            return;
        }
    }
}

/* Another part's option (kite.panic, kite.serial_port), read through the option table. */
static const struct kite_param *find_param(const char *name, enum kite_param_type type)
{
    for (const struct kite_param *p = __kite_params_start; p < params_end; p++) {
        if (p->type == type && strcmp(p->name, name) == 0) {
            return p;
        }
    }
    return NULL;
}

/* The console's UART, when it is on and at @base: gdb would read its lines as noise. */
static bool console_uart_at(uint16_t base)
{
    const struct kite_param *on = find_param("kite.serial", KITE_PARAM_T_bool);
    const struct kite_param *at = find_param("kite.serial_port", KITE_PARAM_T_uint);

    return on && at && *(const bool *)on->var && *(const unsigned long *)at->var == base;
}

/* kite.gdb's value: a port, or 0 for off; -KITE_EINVAL for a value it cannot be. */
static int parse_port(const char *s, uint16_t *port_out)
{
    static const uint16_t com[4] = {0x3f8, 0x2f8, 0x3e8, 0x2e8};
    uint64_t v;

    *port_out = 0;
    if (strcmp(s, "0") == 0 || strcmp(s, "off") == 0 || strcmp(s, "no") == 0) {
        return 0;
    }
    if (!s[0] || strcmp(s, "1") == 0 || strcmp(s, "on") == 0 || strcmp(s, "yes") == 0) {
        s = "ttyS1";
    }
    if (strncmp(s, "ttyS", 4) == 0 && s[4] >= '0' && s[4] <= '3' && !s[5]) {
        *port_out = com[s[4] - '0'];
        return 0;
    }
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        const char *p = s + 2;

        if (parse_hex(&p, &v) && !*p && v > 0 && v <= 0xfff8) {
            *port_out = (uint16_t)v;
            return 0;
        }
    }
    return -KITE_EINVAL;
}

/* Right after the console and the command line: the stub's UART, and kite.gdb_wait's stop. */
static int gdb_early_init(void)
{
    static const struct kite_gdb_event wait_ev = {
        .signal = KITE_GDB_SIGTRAP, .why = KITE_GDB_STOP_SIGNAL, .reason = "kite.gdb_wait"};
    const struct kite_param *panic = find_param("kite.panic", KITE_PARAM_T_string);

    panic_gdb = panic && strcmp(*(const char *const *)panic->var, "gdb") == 0;
    if (!param_gdb[0] && !param_gdb_wait && !panic_gdb) {
        return 0;
    }
    if (kite_partition()) {
        kite_pr_warn("kite.gdb: the host owns the UARTs of a co-kernel partition; no stub\n");
        return 0;
    }
    if (parse_port(param_gdb, &port)) {
        kite_pr_warn("kite.gdb=%s: expected ttyS0-ttyS3 or an I/O port like 0x2f8; no stub\n",
                     param_gdb);
        return -KITE_EINVAL;
    }
    if (!port) {
        return 0; /* kite.gdb=off */
    }
    if (port == 0x3f8 || port == 0x2f8 || port == 0x3e8 || port == 0x2e8) {
        kite_snprintf(port_name, sizeof(port_name), "ttyS%d",
                      port == 0x3f8   ? 0
                      : port == 0x2f8 ? 1
                      : port == 0x3e8 ? 2
                                      : 3);
    } else {
        kite_snprintf(port_name, sizeof(port_name), "port %#x", port);
    }
    if (console_uart_at(port)) {
        kite_pr_warn("kite.gdb=%s: the serial console writes there too, which confuses gdb; "
                     "move one of them (kite.serial_port=, or kite.serial=0)\n",
                     param_gdb);
    }
    if (kite_gdb_uart_init(port)) {
        kite_pr_warn("kite.gdb: no UART answers at %s (I/O port %#x); no stub\n", port_name, port);
        return -KITE_ENODEV;
    }
    enabled = true;
    g_cpu = c_cpu = NO_CPU;
    kite_pr_info("stub on %s (I/O port %#x, 115200 8N1)%s\n", port_name, port,
                 panic_gdb ? "; panics and exceptions stop for gdb (kite.panic=gdb)" : "");
    if (param_gdb_wait) {
        kite_pr_notice("kite.gdb_wait: the boot waits for gdb on %s (make debug-serial: "
                       "gdb kite.elf -ex 'target remote localhost:1235')\n",
                       port_name);
        arch_gdb_break(&wait_ev);
        kite_pr_info("gdb let the boot go on\n");
    }
    return 0;
}
KITE_INIT(gdb_early_init, KITE_INIT_EARLY);

static void load_debug_regs(struct arch_regs *regs)
{
    (void)regs;
    arch_gdb_hw_load();
}

/* With the CPUs and the IOAPIC up: Ctrl-C by interrupt, debug registers on the new CPUs. */
static int gdb_irq_init(void)
{
    int rc;

    if (!enabled) {
        return 0;
    }
    /* CPUs started after kite.gdb_wait's stop: give them what gdb set meanwhile. */
    if (arch_gdb_hw_any()) {
        for (unsigned int cpu = 1; cpu < CONFIG_NR_CPUS; cpu++) {
            if (arch_gdb_cpu_online(cpu) && cpu != arch_cpu_id()) {
                (void)arch_smp_nmi(cpu, load_debug_regs);
            }
        }
    }
    rc = kite_gdb_uart_irq_init(rx_irq);
    if (rc) {
        kite_pr_warn("no interrupt from %s (%s): gdb's Ctrl-C is seen only at the next stop\n",
                     port_name, kite_strerror(rc));
        return 0;
    }
    kite_pr_info("gdb's Ctrl-C stops Kite (receive interrupt of %s on CPU 0)\n", port_name);
    return 0;
}
KITE_INIT(gdb_irq_init, KITE_INIT_DEVICE);
