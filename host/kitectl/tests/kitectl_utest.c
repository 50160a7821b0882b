/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for kitectl: the list and size parsers (parse.c), and the
 * commands (kitectl.c) run against a fake kite_host.ko. The fake keeps the
 * module's rules (all-or-nothing calls, CPU 0 refused, chunks from a pool per
 * node, instances that must be created, assigned, loaded and booted in
 * order), records every call, and fails the call a test names. The tests
 * check what an operator sees (stdout, the message, the exit status) and what
 * the module is left holding; for `up` they fail each step in turn and check
 * that exactly the completed steps were undone, in reverse order.
 */
#include "../../common/kimage.h"
#include "../kitectl.h"
#include "../parse.h"

#include <kite/abi/bootparams.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define MIB        (UINT64_C(1) << 20)
#define NR_CPUS    4 /* CPUs 0-1 on node 0, 2-3 on node 1 */
#define NR_NODES   2
#define POOL_SIZE  (1024 * MIB) /* per node */
#define MAX_CALLS  8192
#define FAKE_CHUNK 64
#define LOG_MAX    8192

/* ---------------------------------------------------------------- the fake module */

struct fake_chunk {
    bool used;
    uint64_t base, size;
    int node;
    uint32_t inst;
};

struct fake_inst {
    bool used;
    uint32_t id;
    uint64_t cpus[KITE_HOST_CPU_WORDS];
    bool loaded;
    uint64_t image_size;
    uint32_t state;
    int polls; /* status reads since boot */
    char kargs[KITE_HOST_KARGS_MAX];
    char log[LOG_MAX];
    size_t log_len;
    uint64_t seq;
    int pending; /* messages queued for RECV: 2 = output then done, 1 = done */
};

static struct fake {
    /* The machine. */
    uint64_t online[KITE_HOST_CPU_WORDS];
    uint64_t reserved[KITE_HOST_CPU_WORDS];
    struct fake_chunk chunk[FAKE_CHUNK];
    struct fake_inst inst[KITE_HOST_MAX_INSTANCES];
    uint32_t next_id;
    uint64_t now;
    /* What Kite does. */
    int ready_after;   /* status reads after boot until running; < 0: never */
    bool panics;       /* panics instead of becoming ready */
    bool ready_in_log; /* says ready in its log, in two pieces, but its state stays booting */
    bool exec_answers; /* exec gets output and an end */
    int32_t exec_status;
    bool halt_on_shutdown;
    /* Failure injection: the first call of fail_req fails with fail_err. */
    unsigned long fail_req;
    int fail_err;
    int open_err;
    /* Every call, in order. */
    unsigned long call[MAX_CALLS];
    int ncalls;
} fk;

static const uint64_t pool_base[NR_NODES] = {0x40000000, 0x80000000};

static bool has_cpu(const uint64_t *m, unsigned int c)
{
    return m[c / 64] >> (c % 64) & 1;
}

static void set_cpu(uint64_t *m, unsigned int c, bool on)
{
    if (on) {
        m[c / 64] |= 1ull << (c % 64);
    } else {
        m[c / 64] &= ~(1ull << (c % 64));
    }
}

static struct fake_inst *find_inst(uint32_t id)
{
    for (int i = 0; i < KITE_HOST_MAX_INSTANCES; i++) {
        if (fk.inst[i].used && fk.inst[i].id == id) {
            return &fk.inst[i];
        }
    }
    return NULL;
}

static uint32_t cpu_owner(unsigned int c)
{
    for (int i = 0; i < KITE_HOST_MAX_INSTANCES; i++) {
        if (fk.inst[i].used && has_cpu(fk.inst[i].cpus, c)) {
            return fk.inst[i].id;
        }
    }
    return 0;
}

static int find_chunk(uint64_t base)
{
    for (int i = 0; i < FAKE_CHUNK; i++) {
        if (fk.chunk[i].used && fk.chunk[i].base == base) {
            return i;
        }
    }
    return -1;
}

static uint64_t pool_free(int node)
{
    uint64_t used = 0;

    for (int i = 0; i < FAKE_CHUNK; i++) {
        if (fk.chunk[i].used && fk.chunk[i].node == node) {
            used += fk.chunk[i].size;
        }
    }
    return POOL_SIZE - used;
}

/* First fit in the node's pool range, on 2 MiB boundaries. */
static bool find_gap(int node, uint64_t size, uint64_t *base)
{
    for (uint64_t b = pool_base[node]; b + size <= pool_base[node] + POOL_SIZE; b += 2 * MIB) {
        bool clash = false;

        for (int i = 0; i < FAKE_CHUNK && !clash; i++) {
            clash = fk.chunk[i].used && b < fk.chunk[i].base + fk.chunk[i].size &&
                    fk.chunk[i].base < b + size;
        }
        if (!clash) {
            *base = b;
            return true;
        }
    }
    return false;
}

static void inst_log(struct fake_inst *in, const char *s)
{
    size_t n = strlen(s);

    assert_true(in->log_len + n < LOG_MAX);
    memcpy(in->log + in->log_len, s, n);
    in->log_len += n;
}

static int f_reserve_cpu(const struct kite_ioc_cpus *c)
{
    for (unsigned int cpu = 0; cpu < KITE_HOST_MAX_CPUS; cpu++) {
        if (!has_cpu(c->mask, cpu)) {
            continue;
        }
        if (cpu == 0) {
            return -EINVAL;
        }
        if (has_cpu(fk.reserved, cpu)) {
            return -EBUSY;
        }
        if (!has_cpu(fk.online, cpu)) {
            return -EINVAL;
        }
    }
    for (unsigned int cpu = 0; cpu < KITE_HOST_MAX_CPUS; cpu++) {
        if (has_cpu(c->mask, cpu)) {
            set_cpu(fk.reserved, cpu, true);
            set_cpu(fk.online, cpu, false);
        }
    }
    return 0;
}

static int f_release_cpu(const struct kite_ioc_cpus *c)
{
    for (unsigned int cpu = 0; cpu < KITE_HOST_MAX_CPUS; cpu++) {
        if (has_cpu(c->mask, cpu) && !has_cpu(fk.reserved, cpu)) {
            return -EINVAL;
        }
        if (has_cpu(c->mask, cpu) && cpu_owner(cpu)) {
            return -EBUSY;
        }
    }
    for (unsigned int cpu = 0; cpu < KITE_HOST_MAX_CPUS; cpu++) {
        if (has_cpu(c->mask, cpu)) {
            set_cpu(fk.reserved, cpu, false);
            set_cpu(fk.online, cpu, true);
        }
    }
    return 0;
}

static int f_reserve_mem(struct kite_ioc_mem *m)
{
    int taken[KITE_HOST_MAX_CHUNKS], n = 0;

    if (m->nr == 0 || m->nr > KITE_HOST_MAX_CHUNKS) {
        return -EINVAL;
    }
    for (uint32_t i = 0; i < m->nr; i++) {
        if (m->chunk[i].node < 0 || m->chunk[i].node >= NR_NODES || m->chunk[i].size == 0 ||
            m->chunk[i].size % KITE_HOST_CHUNK_ALIGN) {
            return -EINVAL;
        }
    }
    for (uint32_t i = 0; i < m->nr; i++) {
        uint64_t base;
        int slot = -1;

        for (int s = 0; s < FAKE_CHUNK && slot < 0; s++) {
            slot = fk.chunk[s].used ? -1 : s;
        }
        if (slot < 0 || !find_gap(m->chunk[i].node, m->chunk[i].size, &base)) {
            while (n > 0) {
                fk.chunk[taken[--n]].used = false;
            }
            return slot < 0 ? -ENOSPC : -ENOMEM;
        }
        fk.chunk[slot] = (struct fake_chunk){true, base, m->chunk[i].size, m->chunk[i].node, 0};
        taken[n++] = slot;
        m->chunk[i].base = base;
    }
    return 0;
}

static int f_release_mem(const struct kite_ioc_mem *m)
{
    if (m->nr == 0) {
        for (int i = 0; i < FAKE_CHUNK; i++) {
            if (fk.chunk[i].used && !fk.chunk[i].inst) {
                fk.chunk[i].used = false;
            }
        }
        return 0;
    }
    for (uint32_t i = 0; i < m->nr; i++) {
        int s = find_chunk(m->chunk[i].base);

        if (s < 0) {
            return -EINVAL;
        }
        if (fk.chunk[s].inst) {
            return -EBUSY;
        }
    }
    for (uint32_t i = 0; i < m->nr; i++) {
        fk.chunk[find_chunk(m->chunk[i].base)].used = false;
    }
    return 0;
}

static void f_query_mem(struct kite_ioc_mem *m)
{
    memset(m, 0, sizeof(*m));
    for (int i = 0; i < FAKE_CHUNK && m->nr < KITE_HOST_MAX_CHUNKS; i++) {
        if (fk.chunk[i].used) {
            struct kite_ioc_chunk *c = &m->chunk[m->nr++];

            c->base = fk.chunk[i].base;
            c->size = fk.chunk[i].size;
            c->node = fk.chunk[i].node;
            c->instance = fk.chunk[i].inst;
            c->source = KITE_CHUNK_POOL;
        }
    }
    for (int n = 0; n < NR_NODES; n++) {
        m->pool_total[n] = POOL_SIZE;
        m->pool_free[n] = pool_free(n);
    }
}

static uint64_t inst_mem(uint32_t id, int node)
{
    uint64_t sum = 0;

    for (int i = 0; i < FAKE_CHUNK; i++) {
        if (fk.chunk[i].used && fk.chunk[i].inst == id && (node < 0 || fk.chunk[i].node == node)) {
            sum += fk.chunk[i].size;
        }
    }
    return sum;
}

static int f_assign_cpu(const struct kite_ioc_cpus *c)
{
    struct fake_inst *in = find_inst(c->instance);

    if (!in) {
        return -ENOENT;
    }
    if (in->state != KITE_HOST_CREATED) {
        return -EBUSY;
    }
    for (unsigned int cpu = 0; cpu < KITE_HOST_MAX_CPUS; cpu++) {
        if (has_cpu(c->mask, cpu) && (!has_cpu(fk.reserved, cpu) || cpu_owner(cpu))) {
            return -EINVAL;
        }
    }
    for (unsigned int cpu = 0; cpu < KITE_HOST_MAX_CPUS; cpu++) {
        if (has_cpu(c->mask, cpu)) {
            set_cpu(in->cpus, cpu, true);
        }
    }
    return 0;
}

static int f_assign_mem(const struct kite_ioc_mem *m)
{
    struct fake_inst *in = find_inst(m->instance);

    if (!in) {
        return -ENOENT;
    }
    if (in->state != KITE_HOST_CREATED) {
        return -EBUSY;
    }
    for (uint32_t i = 0; i < m->nr; i++) {
        int s = find_chunk(m->chunk[i].base);

        if (s < 0 || fk.chunk[s].inst) {
            return -EINVAL;
        }
    }
    for (uint32_t i = 0; i < m->nr; i++) {
        fk.chunk[find_chunk(m->chunk[i].base)].inst = in->id;
    }
    return 0;
}

static int f_load(const struct kite_ioc_buf *b)
{
    struct fake_inst *in = find_inst(b->instance);
    struct kite_image_info info;
    char err[KITE_IMAGE_ERR_MIN];

    if (!in) {
        return -ENOENT;
    }
    if (in->state != KITE_HOST_CREATED) {
        return -EBUSY;
    }
    if (kite_image_check((const void *)(uintptr_t)b->addr, b->len, &info, err, sizeof(err))) {
        return -EINVAL;
    }
    if (inst_mem(in->id, -1) == 0) {
        return -EINVAL;
    }
    if (info.span > inst_mem(in->id, -1)) {
        return -ENOSPC;
    }
    for (int i = 0; i < FAKE_CHUNK; i++) {
        if (fk.chunk[i].used && fk.chunk[i].inst == in->id &&
            fk.chunk[i].base + info.span > (uint64_t)info.reloc_max + 1) {
            return -EINVAL;
        }
    }
    in->loaded = true;
    in->image_size = info.span;
    return 0;
}

static int f_kargs(const struct kite_ioc_buf *b)
{
    struct fake_inst *in = find_inst(b->instance);

    if (!in) {
        return -ENOENT;
    }
    if (in->state != KITE_HOST_CREATED) {
        return -EBUSY;
    }
    if (b->len >= KITE_HOST_KARGS_MAX) {
        return -EINVAL;
    }
    memcpy(in->kargs, (const void *)(uintptr_t)b->addr, b->len);
    in->kargs[b->len] = '\0';
    return 0;
}

static int f_boot(uint32_t id)
{
    struct fake_inst *in = find_inst(id);
    bool cpus = false;

    if (!in) {
        return -ENOENT;
    }
    for (unsigned int c = 0; c < KITE_HOST_MAX_CPUS; c++) {
        cpus |= has_cpu(in->cpus, c);
    }
    if (in->state != KITE_HOST_CREATED) {
        return -EBUSY;
    }
    if (!cpus || !inst_mem(id, -1) || !in->loaded) {
        return -EINVAL;
    }
    in->state = KITE_HOST_BOOTING;
    in->polls = 0;
    inst_log(in, fk.ready_in_log ? "" : "kite: booting on 2 CPUs\n");
    return 0;
}

/* Kite moves on each time its state is read. */
static void advance(struct fake_inst *in)
{
    if (in->state != KITE_HOST_BOOTING || fk.ready_after < 0 || ++in->polls < fk.ready_after) {
        return;
    }
    if (fk.ready_in_log) {
        inst_log(in, in->polls == fk.ready_after ? "kite: re" : "");
        inst_log(in, in->polls == fk.ready_after + 1 ? "ady in 5 ms\n" : "");
        return;
    }
    if (fk.panics) {
        in->state = KITE_HOST_PANICKED;
        inst_log(in, "kite: panic: test: a panic on purpose\n");
    } else {
        in->state = KITE_HOST_RUNNING;
        inst_log(in, "kite: ready\n");
    }
}

static int f_status(struct kite_ioc_status *st)
{
    struct fake_inst *in = find_inst(st->instance);

    if (!in) {
        return -ENOENT;
    }
    advance(in);
    st->state = in->state;
    st->loaded = in->loaded;
    memcpy(st->cpus, in->cpus, sizeof(st->cpus));
    for (unsigned int c = 0; c < KITE_HOST_MAX_CPUS; c++) {
        st->cpu_state[c] =
            has_cpu(in->cpus, c) && in->state == KITE_HOST_RUNNING ? KITE_CPU_ONLINE : KITE_CPU_OFF;
    }
    for (int n = 0; n < NR_NODES; n++) {
        st->mem_per_node[n] = inst_mem(in->id, n);
    }
    st->image_size = in->image_size;
    st->uptime_ns = in->state == KITE_HOST_CREATED ? 0 : 1500000000;
    st->boot_to_ready_ns = in->state == KITE_HOST_RUNNING ? 42500000 : 0;
    st->heartbeat_age_ns = in->state == KITE_HOST_RUNNING ? 50000000 : UINT64_MAX;
    st->heartbeats = in->state == KITE_HOST_RUNNING ? 15 : 0;
    memcpy(st->kargs, in->kargs, sizeof(st->kargs) - 1); /* the start, as the module gives */
    if (in->state == KITE_HOST_PANICKED) {
        snprintf(st->panic, sizeof(st->panic), "test: a panic on purpose");
    }
    return 0;
}

static int f_kmsg(struct kite_ioc_kmsg *m)
{
    struct fake_inst *in = find_inst(m->instance);
    uint64_t n;

    if (!in) {
        return -ENOENT;
    }
    n = m->pos >= in->log_len ? 0 : in->log_len - m->pos;
    n = n < m->len ? n : m->len;
    memcpy((void *)(uintptr_t)m->addr, in->log + m->pos, n);
    m->len = n;
    m->pos += n;
    m->lost = 0;
    return 0;
}

static int f_exec(struct kite_ioc_exec *e)
{
    struct fake_inst *in = find_inst(e->instance);

    if (!in) {
        return -ENOENT;
    }
    if (in->state != KITE_HOST_RUNNING) {
        return -EINVAL;
    }
    e->seq = ++in->seq;
    in->pending = fk.exec_answers ? 2 : 0;
    return 0;
}

static int f_recv(struct kite_ioc_recv *r)
{
    struct fake_inst *in = find_inst(r->instance);
    static const char out[] = "hello from kite\n";

    if (!in) {
        return -ENOENT;
    }
    if (in->pending == 0) {
        fk.now += r->timeout_ms;
        return -ETIMEDOUT;
    }
    r->seq = in->seq;
    if (in->pending == 2) {
        r->type = KITE_MSG_OUTPUT;
        memcpy((void *)(uintptr_t)r->addr, out, sizeof(out) - 1);
        r->len = sizeof(out) - 1;
    } else {
        r->type = KITE_MSG_DONE;
        memcpy((void *)(uintptr_t)r->addr, &fk.exec_status, sizeof(fk.exec_status));
        r->len = sizeof(fk.exec_status);
    }
    in->pending--;
    return 0;
}

static int f_destroy(uint32_t id)
{
    struct fake_inst *in = find_inst(id);

    if (!in) {
        return -ENOENT;
    }
    for (int i = 0; i < FAKE_CHUNK; i++) {
        if (fk.chunk[i].inst == id) {
            fk.chunk[i].inst = 0;
        }
    }
    memset(in, 0, sizeof(*in));
    return 0;
}

static int fake_ioctl(void *ctx, unsigned long req, void *arg)
{
    (void)ctx;
    assert_true(fk.ncalls < MAX_CALLS);
    fk.call[fk.ncalls++] = req;
    if (req == fk.fail_req) {
        fk.fail_req = 0;
        return fk.fail_err;
    }
    switch (req) {
    case KITE_IOC_RESERVE_CPU:
        return f_reserve_cpu(arg);
    case KITE_IOC_RELEASE_CPU:
        return f_release_cpu(arg);
    case KITE_IOC_QUERY_CPU:
        memcpy(((struct kite_ioc_cpus *)arg)->mask, fk.reserved, sizeof(fk.reserved));
        return 0;
    case KITE_IOC_RESERVE_MEM:
        return f_reserve_mem(arg);
    case KITE_IOC_RELEASE_MEM:
        return f_release_mem(arg);
    case KITE_IOC_QUERY_MEM:
        f_query_mem(arg);
        return 0;
    case KITE_IOC_CREATE:
        for (int i = 0; i < KITE_HOST_MAX_INSTANCES; i++) {
            if (!fk.inst[i].used) {
                fk.inst[i].used = true;
                fk.inst[i].id = ++fk.next_id;
                *(uint32_t *)arg = fk.inst[i].id;
                return 0;
            }
        }
        return -ENOSPC;
    case KITE_IOC_DESTROY:
        return f_destroy(*(uint32_t *)arg);
    case KITE_IOC_ASSIGN_CPU:
        return f_assign_cpu(arg);
    case KITE_IOC_ASSIGN_MEM:
        return f_assign_mem(arg);
    case KITE_IOC_LOAD:
        return f_load(arg);
    case KITE_IOC_KARGS:
        return f_kargs(arg);
    case KITE_IOC_BOOT:
        return f_boot(*(uint32_t *)arg);
    case KITE_IOC_SHUTDOWN: {
        struct fake_inst *in = find_inst(*(uint32_t *)arg);

        if (!in) {
            return -ENOENT;
        }
        if (in->state != KITE_HOST_RUNNING && in->state != KITE_HOST_BOOTING) {
            return -EINVAL;
        }
        if (fk.halt_on_shutdown) {
            in->state = KITE_HOST_HALTED;
            inst_log(in, "kite: power off\n");
        }
        return 0;
    }
    case KITE_IOC_STATUS:
        return f_status(arg);
    case KITE_IOC_LIST: {
        struct kite_ioc_list *l = arg;

        for (int i = 0; i < KITE_HOST_MAX_INSTANCES; i++) {
            if (fk.inst[i].used) {
                l->ids[l->nr++] = fk.inst[i].id;
            }
        }
        return 0;
    }
    case KITE_IOC_KMSG:
        return f_kmsg(arg);
    case KITE_IOC_EXEC:
        return f_exec(arg);
    case KITE_IOC_RECV:
        return f_recv(arg);
    default:
        return -ENOTTY;
    }
}

static int fake_open(void *ctx)
{
    (void)ctx;
    return fk.open_err;
}

static int fake_read_text(void *ctx, const char *path, char *buf, size_t len)
{
    (void)ctx;
    if (strcmp(path, "/sys/devices/system/cpu/online") == 0) {
        kitectl_format_cpulist(fk.online, buf, len);
    } else if (strcmp(path, "/sys/devices/system/cpu/present") == 0) {
        snprintf(buf, len, "0-%d", NR_CPUS - 1);
    } else if (strcmp(path, "/sys/devices/system/node/online") == 0) {
        snprintf(buf, len, "0-%d", NR_NODES - 1);
    } else {
        return -ENOENT;
    }
    strncat(buf, "\n", len - strlen(buf) - 1);
    return (int)strlen(buf);
}

static int fake_cpu_node(void *ctx, unsigned int cpu)
{
    (void)ctx;
    return cpu < NR_CPUS ? (int)cpu / 2 : -ENOENT;
}

/* The synthetic image of kimage_utest.c: 32 KiB in memory, relocatable. */
static uint8_t image[0x3000];

static void put(size_t off, uint64_t v, unsigned int bytes)
{
    for (unsigned int i = 0; i < bytes; i++) {
        image[off + i] = (uint8_t)(v >> (8 * i));
    }
}

static void build_image(void)
{
    static const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    const uint64_t vbase = 0xffffffff80000000ull;
    const uint64_t ph[2][6] = {
        {1 | 5ull << 32, 0x1000, vbase, 0x200000, 0x1000, 0x1000},
        {1 | 6ull << 32, 0x2000, vbase + 0x3000, 0x203000, 0x800, 0x5000},
    };

    memset(image, 0, sizeof(image));
    memcpy(image, ident, sizeof(ident));
    put(16, 2, 2);
    put(18, 62, 2);
    put(24, vbase + 0x30, 8);
    put(32, 64, 8);
    put(54, 56, 2);
    put(56, 2, 2);
    for (unsigned int i = 0; i < 2; i++) {
        for (unsigned int f = 0; f < 6; f++) {
            put(64 + 56 * i + 8 * f, ph[i][f], 8);
        }
    }
    put(0x1000, 0xe85250d6u, 4);
    put(0x1008, 48, 4);
    put(0x100c, (uint32_t) - (0xe85250d6u + 48), 4);
    put(0x1010, 10 | 1u << 16, 4); /* relocatable: 2 MiB up to 3 GiB, 2 MiB aligned */
    put(0x1014, 24, 4);
    put(0x1018, 0x200000, 4);
    put(0x101c, 0xc0000000, 4);
    put(0x1020, 0x200000, 4);
    put(0x102c, 8, 4);
}

static int fake_read_file(void *ctx, const char *path, size_t max, void **buf, size_t *len)
{
    (void)ctx;
    (void)max;
    if (strcmp(path, "kite.elf") == 0) {
        *buf = malloc(sizeof(image));
        memcpy(*buf, image, sizeof(image));
        *len = sizeof(image);
        return 0;
    }
    if (strcmp(path, "notes.txt") == 0) {
        *buf = strdup("just some text\n");
        *len = strlen(*buf);
        return 0;
    }
    if (strcmp(path, "huge.bin") == 0) {
        return -EFBIG;
    }
    return -ENOENT;
}

static uint64_t fake_now(void *ctx)
{
    (void)ctx;
    return fk.now;
}

static void fake_sleep(void *ctx, unsigned int ms)
{
    (void)ctx;
    fk.now += ms;
}

static bool fake_interrupted(void *ctx)
{
    (void)ctx;
    return false;
}

static const struct kitectl_ops fake_ops = {
    .open = fake_open,
    .ioctl = fake_ioctl,
    .read_text = fake_read_text,
    .cpu_node = fake_cpu_node,
    .read_file = fake_read_file,
    .now_ms = fake_now,
    .sleep_ms = fake_sleep,
    .interrupted = fake_interrupted,
};

/* ---------------------------------------------------------------- running commands */

static char out[65536], err[65536];

/* Run "kitectl ARGS..." (@args ends with NULL); stdout and stderr land in out and err. */
static int run(const char *const *args)
{
    char *argv[32], *obuf = NULL, *ebuf = NULL;
    size_t olen = 0, elen = 0;
    struct kitectl k = {.ops = &fake_ops};
    int argc = 0, ret;

    while (args[argc]) {
        assert_true(argc < 31);
        argv[argc] = (char *)args[argc];
        argc++;
    }
    argv[argc] = NULL;
    k.out = open_memstream(&obuf, &olen);
    k.err = open_memstream(&ebuf, &elen);
    assert_non_null(k.out);
    assert_non_null(k.err);
    ret = kitectl_run(&k, argc, argv);
    fclose(k.out);
    fclose(k.err);
    snprintf(out, sizeof(out), "%s", obuf);
    snprintf(err, sizeof(err), "%s", ebuf);
    free(obuf);
    free(ebuf);
    return ret;
}

#define RUN(...) run((const char *[]){__VA_ARGS__, NULL})

#define expect_in(buf, text)                                    \
    do {                                                        \
        if (strstr((buf), (text)) == NULL) {                    \
            fail_msg("expected \"%s\" in:\n%s", (text), (buf)); \
        }                                                       \
    } while (0)

static int setup(void **state)
{
    (void)state;
    memset(&fk, 0, sizeof(fk));
    fk.online[0] = (1u << NR_CPUS) - 1;
    fk.ready_after = 3;
    fk.exec_answers = true;
    fk.halt_on_shutdown = true;
    build_image();
    return 0;
}

/* The module holds nothing: every CPU online, no chunk, no instance. */
static void assert_clean(void)
{
    assert_int_equal(fk.online[0], (1u << NR_CPUS) - 1);
    assert_int_equal(fk.reserved[0], 0);
    for (int i = 0; i < FAKE_CHUNK; i++) {
        assert_false(fk.chunk[i].used);
    }
    for (int i = 0; i < KITE_HOST_MAX_INSTANCES; i++) {
        assert_false(fk.inst[i].used);
    }
}

static bool mutates(unsigned long req)
{
    return req != KITE_IOC_QUERY_CPU && req != KITE_IOC_QUERY_MEM && req != KITE_IOC_STATUS &&
           req != KITE_IOC_LIST && req != KITE_IOC_KMSG;
}

/* The calls that change something, from call @from on. */
static int mutating_calls(int from, unsigned long *calls, int max)
{
    int n = 0;

    for (int i = from; i < fk.ncalls && n < max; i++) {
        if (mutates(fk.call[i])) {
            calls[n++] = fk.call[i];
        }
    }
    return n;
}

/* ---------------------------------------------------------------- parser tests */

static void cpulist_ok(const char *s, uint64_t w0, uint64_t w3)
{
    uint64_t mask[KITE_HOST_CPU_WORDS];
    char e[KITECTL_ERR_MAX] = "";

    if (kitectl_parse_cpulist(s, mask, e, sizeof(e)) != 0) {
        fail_msg("\"%s\" refused: %s", s, e);
    }
    assert_int_equal(mask[0], w0);
    assert_int_equal(mask[3], w3);
}

static void cpulist_bad(const char *s, const char *what)
{
    uint64_t mask[KITE_HOST_CPU_WORDS] = {~0ull, ~0ull, ~0ull, ~0ull};
    char e[KITECTL_ERR_MAX] = "";

    if (kitectl_parse_cpulist(s, mask, e, sizeof(e)) == 0) {
        fail_msg("\"%s\" accepted", s);
    }
    expect_in(e, what);
    assert_int_equal(mask[0] | mask[1] | mask[2] | mask[3], 0);
}

static void test_cpulist(void **state)
{
    char buf[64];
    uint64_t mask[KITE_HOST_CPU_WORDS];

    (void)state;
    cpulist_ok("2,3", 0xc, 0);
    cpulist_ok("2-5", 0x3c, 0);
    cpulist_ok("1,4-6", 0x72, 0);
    cpulist_ok("0", 1, 0);
    cpulist_ok("5-5", 0x20, 0);
    cpulist_ok("255", 0, 1ull << 63);
    cpulist_ok("0-255", ~0ull, ~0ull);
    cpulist_ok("007", 0x80, 0);

    cpulist_bad("", "empty CPU list (expected CPU numbers and ranges such as 2,3 or 2-5");
    cpulist_bad(",", "item 1 is empty");
    cpulist_bad("2,", "bad CPU list \"2,\": item 2 is empty");
    cpulist_bad(",2", "item 1 is empty");
    cpulist_bad("2,,3", "bad CPU list \"2,,3\": item 2 is empty (expected");
    cpulist_bad("5-2", "range 5-2 is reversed (write 2-5)");
    cpulist_bad("256", "CPU \"256\" is out of range (Linux CPU numbers 0-255)");
    cpulist_bad("2-256", "CPU \"256\" is out of range");
    cpulist_bad("99999999999999999999999", "is out of range");
    cpulist_bad("-1", "\"-1\" is not a CPU number or range");
    cpulist_bad("a", "\"a\" is not a CPU number or range");
    cpulist_bad("2-", "\"2-\" is not a CPU number or range");
    cpulist_bad("2-3-4", "\"2-3-4\" is not a CPU number or range");
    cpulist_bad(" 2", "\" 2\" is not a CPU number");
    cpulist_bad("2 ", "\"2 \" is not a CPU number");
    cpulist_bad("0x2", "\"0x2\" is not a CPU number");
    cpulist_bad("3,3", "CPU 3 is named twice");
    cpulist_bad("2-4,3", "bad CPU list \"2-4,3\": CPU 3 is named twice");

    /* Formatting gives back what Linux would print, and parses again to the same set. */
    assert_int_equal(kitectl_parse_cpulist("6,1,2,3,9-10,63-64", mask, buf, sizeof(buf)), 0);
    kitectl_format_cpulist(mask, buf, sizeof(buf));
    assert_string_equal(buf, "1-3,6,9-10,63-64");
    memset(mask, 0, sizeof(mask));
    kitectl_format_cpulist(mask, buf, sizeof(buf));
    assert_string_equal(buf, "");
    assert_int_equal(kitectl_parse_cpulist("0-255", mask, buf, sizeof(buf)), 0);
    kitectl_format_cpulist(mask, buf, sizeof(buf));
    assert_string_equal(buf, "0-255");
    assert_int_equal(kitectl_cpu_count(mask), 256);
}

static void size_ok(const char *s, uint64_t want)
{
    char e[KITECTL_ERR_MAX] = "";
    uint64_t v;

    if (kitectl_parse_size(s, &v, e, sizeof(e)) != 0) {
        fail_msg("\"%s\" refused: %s", s, e);
    }
    assert_int_equal(v, want);
}

static void size_bad(const char *s, const char *what)
{
    char e[KITECTL_ERR_MAX] = "";
    uint64_t v = 1;

    if (kitectl_parse_size(s, &v, e, sizeof(e)) == 0) {
        fail_msg("\"%s\" accepted", s);
    }
    expect_in(e, what);
    assert_int_equal(v, 0);
}

static void test_size(void **state)
{
    char buf[32];

    (void)state;
    size_ok("0", 0);
    size_ok("4096", 4096);
    size_ok("1K", 1024);
    size_ok("2M", 2 * MIB);
    size_ok("256m", 256 * MIB);
    size_ok("1G", 1024 * MIB);
    size_ok("1t", UINT64_C(1) << 40);
    size_ok("18446744073709551615", UINT64_MAX);
    size_ok("17179869183G", 17179869183ull << 30);
    size_bad("18446744073709551616", "\"18446744073709551616\" is too large");
    size_bad("17179869184G", "is too large");
    size_bad("", "\"\" is not a size");
    size_bad("M", "\"M\" is not a size");
    size_bad("1X", "\"1X\" is not a size (the suffix may be K, M, G or T");
    size_bad("1MB", "\"1MB\" is not a size");
    size_bad("-1", "\"-1\" is not a size");
    size_bad("1.5G", "\"1.5G\" is not a size");

    kitectl_format_size(256 * MIB, buf, sizeof(buf));
    assert_string_equal(buf, "256M");
    kitectl_format_size(1024 * MIB, buf, sizeof(buf));
    assert_string_equal(buf, "1G");
    kitectl_format_size(1536 * MIB, buf, sizeof(buf));
    assert_string_equal(buf, "1536M");
    kitectl_format_size(3072, buf, sizeof(buf));
    assert_string_equal(buf, "3K");
    kitectl_format_size(1000, buf, sizeof(buf));
    assert_string_equal(buf, "1000");
    kitectl_format_size(0, buf, sizeof(buf));
    assert_string_equal(buf, "0");
}

static void memlist_bad(const char *s, const char *what)
{
    struct kitectl_memreq req[KITE_HOST_MAX_CHUNKS];
    char e[KITECTL_ERR_MAX] = "";
    unsigned int nr = 99;

    if (kitectl_parse_memlist(s, req, KITE_HOST_MAX_CHUNKS, &nr, e, sizeof(e)) == 0) {
        fail_msg("\"%s\" accepted", s);
    }
    expect_in(e, what);
    assert_int_equal(nr, 0);
}

static void test_memlist(void **state)
{
    struct kitectl_memreq req[KITE_HOST_MAX_CHUNKS];
    char e[KITECTL_ERR_MAX] = "", many[512] = "";
    unsigned int nr;

    (void)state;
    assert_int_equal(kitectl_parse_memlist("256M@1", req, 32, &nr, e, sizeof(e)), 0);
    assert_int_equal(nr, 1);
    assert_int_equal(req[0].size, 256 * MIB);
    assert_int_equal(req[0].node, 1);
    assert_int_equal(
        kitectl_parse_memlist("256M@1,512M@0,2M@7,268435456@0", req, 32, &nr, e, sizeof(e)), 0);
    assert_int_equal(nr, 4);
    assert_int_equal(req[1].size, 512 * MIB);
    assert_int_equal(req[1].node, 0);
    assert_int_equal(req[2].size, 2 * MIB);
    assert_int_equal(req[2].node, 7);
    assert_int_equal(req[3].size, 256 * MIB);
    /* Each item is one chunk: a repeat asks for two. */
    assert_int_equal(kitectl_parse_memlist("256M@1,256M@1", req, 32, &nr, e, sizeof(e)), 0);
    assert_int_equal(nr, 2);

    memlist_bad("", "empty memory list (expected SIZE@NODE items such as 256M@1");
    memlist_bad("256M", "bad memory list \"256M\": \"256M\" has no @NODE");
    memlist_bad("256M@", "the node in \"256M@\" is not a number");
    memlist_bad("256M@1x", "the node in \"256M@1x\" is not a number");
    memlist_bad("256M@-1", "the node in \"256M@-1\" is not a number");
    memlist_bad("@1", "\"\" is not a size");
    memlist_bad("256M@8", "node in \"256M@8\" is out of range (0-7)");
    memlist_bad("256M@99999999999999999999", "is out of range (0-7)");
    memlist_bad("256M@1,", "item 2 is empty");
    memlist_bad(",256M@1", "item 1 is empty");
    memlist_bad("256M@1,,512M@0", "item 2 is empty");
    memlist_bad("1M@0", "the size in \"1M@0\" is not a non-zero multiple of 2 MiB");
    memlist_bad("3M@0", "the size in \"3M@0\" is not a non-zero multiple of 2 MiB");
    memlist_bad("0@0", "the size in \"0@0\" is not a non-zero multiple of 2 MiB");
    memlist_bad("256Q@1", "\"256Q\" is not a size");
    memlist_bad("99999999999999999999999M@0", "is too large");
    memlist_bad("17179869184G@0", "\"17179869184G\" is too large");
    for (int i = 0; i < 33; i++) {
        strcat(many, i ? ",2M@0" : "2M@0");
    }
    memlist_bad(many, "more than 32 items");
}

static void test_uint(void **state)
{
    uint32_t v;

    (void)state;
    assert_int_equal(kitectl_parse_uint("0", 10, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(kitectl_parse_uint("4294967295", UINT32_MAX, &v), 0);
    assert_int_equal(v, UINT32_MAX);
    assert_int_equal(kitectl_parse_uint("4294967296", UINT32_MAX, &v), -1);
    assert_int_equal(kitectl_parse_uint("11", 10, &v), -1);
    assert_int_equal(kitectl_parse_uint("", 10, &v), -1);
    assert_int_equal(kitectl_parse_uint("-1", 10, &v), -1);
    assert_int_equal(kitectl_parse_uint("1a", 10, &v), -1);
    assert_int_equal(kitectl_parse_uint("+1", 10, &v), -1);
}

/* ---------------------------------------------------------------- usage */

static void test_usage(void **state)
{
    (void)state;
    assert_int_equal(run((const char *[]){NULL}), 2);
    expect_in(err, "usage: kitectl COMMAND [ARGS]");
    expect_in(err, "kitectl up [-c LIST] [-m MEMLIST] [-k \"ARGS\"] [-w SECONDS] IMAGE");
    assert_int_equal(RUN("help"), 0);
    expect_in(out, "kitectl reserve cpu LIST");
    expect_in(out, "kitectl exec N [-t SECONDS] CMD...");
    expect_in(out, "kitectl down [N]");
    assert_string_equal(err, "");
    assert_int_equal(RUN("help", "kmsg"), 0);
    expect_in(out, "usage: kitectl kmsg N [-f]");
    assert_int_equal(RUN("--help"), 0);

    assert_int_equal(RUN("frobnicate"), 2);
    expect_in(err, "kitectl: unknown command \"frobnicate\" (kitectl help lists them)");
    assert_int_equal(RUN("reserve", "cpu"), 2);
    expect_in(err, "kitectl: reserve: expected cpu LIST or mem MEMLIST");
    expect_in(err, "usage: kitectl reserve cpu LIST");
    assert_int_equal(RUN("reserve", "disk", "2"), 2);
    expect_in(err, "\"disk\": expected cpu or mem");
    assert_int_equal(RUN("reserve", "cpu", "2,,3"), 2);
    expect_in(err, "kitectl: reserve: bad CPU list \"2,,3\": item 2 is empty");
    expect_in(err, "usage: kitectl reserve cpu LIST");
    assert_int_equal(RUN("reserve", "mem", "256M"), 2);
    expect_in(err, "\"256M\" has no @NODE");
    expect_in(err, "kitectl reserve mem MEMLIST");
    assert_int_equal(RUN("destroy"), 2);
    expect_in(err, "usage: kitectl destroy N");
    assert_int_equal(RUN("destroy", "one"), 2);
    expect_in(err, "\"one\" is not an instance number");
    assert_int_equal(RUN("create", "now"), 2);
    assert_int_equal(RUN("query"), 2);
    assert_int_equal(RUN("query", "cpu", "2"), 2);
    assert_int_equal(RUN("query", "1", "disk"), 2);
    assert_int_equal(RUN("up"), 2);
    expect_in(err, "expected an IMAGE");
    assert_int_equal(RUN("up", "-c"), 2);
    expect_in(err, "-c needs a value");
    assert_int_equal(RUN("up", "-w", "0", "kite.elf"), 2);
    assert_int_equal(RUN("up", "-m", "256M@9", "kite.elf"), 2);
    expect_in(err, "out of range (0-7)");
    assert_int_equal(RUN("exec", "1"), 2);
    assert_int_equal(RUN("exec", "1", "-t", "x", "test"), 2);
    assert_int_equal(RUN("kmsg", "1", "-x"), 2);
    assert_int_equal(RUN("down", "1", "2"), 2);
    /* None of these reached the device. */
    assert_int_equal(fk.ncalls, 0);
}

/* ---------------------------------------------------------------- single commands */

static void test_no_device(void **state)
{
    (void)state;
    fk.open_err = -ENOENT;
    assert_int_equal(RUN("query", "cpu"), 1);
    assert_string_equal(err, "kitectl: query: no /dev/kite: load kite_host.ko first (insmod "
                             "kite_host.ko mem=SIZE@BASE,...)\n");
    fk.open_err = -EACCES;
    assert_int_equal(RUN("create"), 1);
    expect_in(err, "permission denied on /dev/kite (mode 0600)");
    fk.open_err = 0;
    fk.fail_req = KITE_IOC_CREATE;
    fk.fail_err = -ENOTTY;
    assert_int_equal(RUN("create"), 1);
    expect_in(err, "kitectl and the module come from different builds");
}

static void test_reserve_cpu(void **state)
{
    (void)state;
    assert_int_equal(RUN("reserve", "cpu", "2-3"), 0);
    assert_string_equal(err, "");
    assert_int_equal(fk.reserved[0], 0xc);
    assert_int_equal(RUN("query", "cpu"), 0);
    assert_string_equal(out, "2-3\n");

    /* Refused ones change nothing. */
    assert_int_equal(RUN("reserve", "cpu", "0,1"), 1);
    assert_string_equal(err, "kitectl: reserve: CPU 0 stays with Linux: it can't be reserved\n");
    assert_int_equal(RUN("reserve", "cpu", "1,7"), 1);
    assert_string_equal(err, "kitectl: reserve: CPU 7 does not exist (this machine has CPUs "
                             "0-3)\n");
    assert_int_equal(RUN("reserve", "cpu", "1,3"), 1);
    assert_string_equal(err, "kitectl: reserve: CPU 3 is already reserved (kitectl query cpu "
                             "lists them)\n");
    fk.fail_req = KITE_IOC_RESERVE_CPU;
    fk.fail_err = -EBUSY;
    assert_int_equal(RUN("reserve", "cpu", "1"), 1);
    expect_in(err, "CPU 1: one of them is already reserved or in use");
    assert_int_equal(fk.reserved[0], 0xc);

    assert_int_equal(RUN("release", "cpu", "1"), 1);
    assert_string_equal(err, "kitectl: release: CPU 1 is not reserved\n");
    assert_int_equal(RUN("release", "cpu", "all"), 0);
    assert_clean();
    /* Nothing reserved: all is nothing. */
    assert_int_equal(RUN("release", "cpu", "all"), 0);
    assert_int_equal(RUN("query", "cpu"), 0);
    assert_string_equal(out, "\n");
}

static void test_reserve_mem(void **state)
{
    (void)state;
    assert_int_equal(RUN("reserve", "mem", "512M@1,512M@1,128M@0"), 0);
    assert_int_equal(RUN("query", "mem"), 0);
    expect_in(out, "BASE                  SIZE  NODE  INSTANCE  SOURCE\n");
    expect_in(out, "0x0000000080000000    512M     1         -  pool\n");
    expect_in(out, "0x00000000a0000000    512M     1         -  pool\n");
    expect_in(out, "0x0000000040000000    128M     0         -  pool\n");
    expect_in(out, "pool: node 0 896M free of 1G, node 1 0 free of 1G\n");

    assert_int_equal(RUN("reserve", "mem", "2M@1"), 1);
    assert_string_equal(err, "kitectl: reserve: not enough free memory on node 1 (asked 2 MiB, "
                             "0 MiB free in the pool)\n");
    assert_int_equal(RUN("reserve", "mem", "512M@0,512M@0"), 1);
    assert_string_equal(err, "kitectl: reserve: not enough free memory on node 0 (asked 1024 "
                             "MiB, 896 MiB free in the pool)\n");
    assert_int_equal(RUN("reserve", "mem", "2M@3"), 1);
    assert_string_equal(err, "kitectl: reserve: 2M@3: node 3 does not exist (this machine has "
                             "nodes 0-1)\n");

    /* Release resolves SIZE@NODE to a chunk; one that is not there is named. */
    assert_int_equal(RUN("release", "mem", "128M@1"), 1);
    assert_string_equal(err, "kitectl: release: no reserved, unassigned chunk 128M@1 (there are: "
                             "512M@1,512M@1,128M@0)\n");
    assert_int_equal(RUN("release", "mem", "512M@1,512M@1,512M@1"), 1);
    assert_int_equal(RUN("release", "mem", "512M@1"), 0);
    assert_int_equal(pool_free(1), 512 * MIB);
    assert_int_equal(RUN("release", "mem", "all"), 0);
    assert_clean();
    assert_int_equal(RUN("query", "mem"), 0);
    expect_in(out, "no memory reserved\n");
}

/* The whole cycle by hand, as the co-kernel test runs it. */
static void test_manual_cycle(void **state)
{
    (void)state;
    assert_int_equal(RUN("reserve", "cpu", "2,3"), 0);
    assert_int_equal(RUN("reserve", "mem", "256M@1"), 0);
    assert_int_equal(RUN("create"), 0);
    assert_string_equal(out, "1\n");
    assert_int_equal(RUN("boot", "1"), 1);
    assert_string_equal(err, "kitectl: boot: instance 1 has no CPUs: kitectl assign 1 cpu LIST "
                             "first\n");
    assert_int_equal(RUN("assign", "1", "cpu", "1-3"), 1);
    assert_string_equal(err, "kitectl: assign: CPU 1 is not reserved: kitectl reserve cpu 1 "
                             "first\n");
    assert_int_equal(RUN("assign", "1", "cpu", "2,3"), 0);
    assert_int_equal(RUN("boot", "1"), 1);
    expect_in(err, "instance 1 has no memory: kitectl assign 1 mem SIZE@NODE first");
    assert_int_equal(RUN("load", "1", "kite.elf"), 1);
    expect_in(err, "instance 1 has no memory to load kite.elf into");
    assert_int_equal(RUN("assign", "1", "mem", "all"), 0);
    assert_int_equal(RUN("boot", "1"), 1);
    expect_in(err, "instance 1 has no image: kitectl load 1 IMAGE first");
    assert_int_equal(RUN("load", "1", "notes.txt"), 1);
    assert_string_equal(err, "kitectl: load: notes.txt is not a Kite image: not an ELF file (no "
                             "\\177ELF magic)\n");
    assert_int_equal(RUN("load", "1", "missing.elf"), 1);
    assert_string_equal(err, "kitectl: load: cannot read missing.elf: No such file or directory\n");
    assert_int_equal(RUN("load", "1", "huge.bin"), 1);
    expect_in(err, "huge.bin is larger than the 64 MiB kite_host.ko takes");
    assert_int_equal(RUN("load", "1", "kite.elf"), 0);
    assert_int_equal(RUN("kargs", "1", "kite.test=all loglevel=7"), 0);
    assert_int_equal(RUN("query", "1", "cpu"), 0);
    assert_string_equal(out, "2-3\n");
    assert_int_equal(RUN("query", "1", "mem"), 0);
    assert_string_equal(out, "256M@1\n");
    assert_int_equal(RUN("status", "1"), 0);
    expect_in(out, "state:      created\n");
    expect_in(out, "loaded:     yes (the image spans 32 KiB)\n");
    expect_in(out, "kargs:      kite.test=all loglevel=7\n");
    assert_int_equal(RUN("boot", "1"), 0);
    assert_int_equal(RUN("boot", "1"), 1);
    expect_in(err, "instance 1 is booting already");

    /* status reads move the fake Kite to running. */
    fk.ready_after = 1;
    assert_int_equal(RUN("status", "1"), 0);
    expect_in(out, "instance:   1\nstate:      running\n");
    expect_in(out, "cpus:       2-3 (online: 2-3)\n");
    expect_in(out, "memory:     256M@1\n");
    expect_in(out, "uptime:     1.500 s\n");
    expect_in(out, "ready in:   42.500 ms\n");
    expect_in(out, "heartbeat:  0.050 s ago (15 beats)\n");
    expect_in(out, "panic:      -\n");
    assert_int_equal(RUN("kmsg", "1"), 0);
    assert_string_equal(out, "kite: booting on 2 CPUs\nkite: ready\n");
    assert_int_equal(RUN("list"), 0);
    expect_in(out, "1         running   yes     2-3           256M@1\n");

    assert_int_equal(RUN("exec", "1", "test", "all"), 0);
    assert_string_equal(out, "hello from kite\n");
    fk.exec_status = 3;
    assert_int_equal(RUN("exec", "1", "test", "sched"), 3);
    fk.exec_status = 256;
    assert_int_equal(RUN("exec", "-t", "5", "1", "false"), 1);
    fk.exec_answers = false;
    assert_int_equal(RUN("exec", "1", "-t", "2", "sleep", "10"), 1);
    expect_in(err, "no end of \"sleep 10\" within 2 s");

    /* Busy resources are named with what to do. */
    assert_int_equal(RUN("release", "cpu", "2"), 1);
    assert_string_equal(err, "kitectl: release: CPU 2 is assigned to instance 1: kitectl destroy "
                             "1 first\n");
    assert_int_equal(RUN("release", "mem", "256M@1"), 1);
    assert_string_equal(err, "kitectl: release: 256M@1 is assigned to instance 1: kitectl destroy "
                             "1 first\n");
    assert_int_equal(RUN("reserve", "cpu", "3"), 1);
    expect_in(err, "CPU 3 is already reserved and assigned to instance 1");

    assert_int_equal(RUN("shutdown", "1"), 0);
    assert_int_equal(RUN("status", "1"), 0);
    expect_in(out, "state:      halted\n");
    expect_in(out, "exit code:  0\n");
    assert_int_equal(RUN("shutdown", "1"), 1);
    expect_in(err, "instance 1 is halted, not running: nothing to shut down");
    assert_int_equal(RUN("destroy", "1"), 0);
    assert_int_equal(RUN("destroy", "1"), 1);
    assert_string_equal(err, "kitectl: destroy: no instance 1 (kitectl list shows the "
                             "instances)\n");
    assert_int_equal(RUN("status", "1"), 1);
    expect_in(err, "no instance 1");
    assert_int_equal(RUN("release", "cpu", "2,3"), 0);
    assert_int_equal(RUN("release", "mem", "all"), 0);
    assert_clean();
}

static void test_kmsg_follow(void **state)
{
    (void)state;
    assert_int_equal(RUN("up", "-c", "2", "kite.elf"), 0);
    /* Following a running Kite ends when it halts; here it halts after a few polls. */
    fk.inst[0].state = KITE_HOST_BOOTING;
    fk.inst[0].polls = 0;
    fk.panics = true;
    assert_int_equal(RUN("kmsg", "1", "-f"), 0);
    expect_in(out, "kite: ready\nkite: panic: test: a panic on purpose\n");
    assert_int_equal(RUN("status", "1"), 0);
    expect_in(out, "state:      panicked\n");
    expect_in(out, "panic:      test: a panic on purpose\n");
    assert_int_equal(RUN("exec", "1", "test"), 1);
    expect_in(err, "instance 1 is panicked: commands run only once Kite is running");
    assert_int_equal(RUN("kmsg", "7"), 1);
    expect_in(err, "no instance 7");
    assert_int_equal(RUN("down"), 0);
    assert_clean();
}

/* ---------------------------------------------------------------- up and down */

static void test_up_defaults(void **state)
{
    (void)state;
    assert_int_equal(RUN("up", "kite.elf"), 0);
    assert_string_equal(out, "1\n");
    assert_string_equal(err, "");
    /* The highest online CPU but 0, and 256M on its node. */
    assert_int_equal(fk.reserved[0], 0x8);
    assert_int_equal(fk.inst[0].cpus[0], 0x8);
    assert_int_equal(inst_mem(1, 1), 256 * MIB);
    assert_int_equal(fk.inst[0].state, KITE_HOST_RUNNING);
    /* The next takes the next CPU down, on its node. */
    assert_int_equal(RUN("up", "-k", "kite.test=all", "kite.elf"), 0);
    assert_string_equal(out, "2\n");
    assert_int_equal(fk.inst[1].cpus[0], 0x4);
    assert_string_equal(fk.inst[1].kargs, "kite.test=all");
    assert_int_equal(RUN("up", "-c", "1", "-m", "64M@0,2M@1", "kite.elf"), 0);
    assert_int_equal(inst_mem(3, 0), 64 * MIB);
    assert_int_equal(inst_mem(3, 1), 2 * MIB);
    assert_int_equal(RUN("list"), 0);
    expect_in(out, "2         running   yes     2             256M@1\n");
    expect_in(out, "3         running   yes     1             64M@0,2M@1\n");
    /* Only CPU 0 is left. */
    assert_int_equal(RUN("up", "kite.elf"), 1);
    expect_in(err, "Linux has no online CPU but CPU 0 to give: give -c LIST");
    assert_int_equal(RUN("down", "2"), 0);
    assert_int_equal(fk.reserved[0], 0xa);
    assert_int_equal(RUN("down"), 0);
    assert_clean();
    assert_int_equal(RUN("down"), 0);
    expect_in(err, "no instances");
}

/* Kite's "ready" line is found in its log even when it arrives in pieces. */
static void test_up_ready_in_log(void **state)
{
    (void)state;
    fk.ready_in_log = true;
    assert_int_equal(RUN("up", "-c", "1", "-m", "2M@0", "kite.elf"), 0);
    assert_string_equal(out, "1\n");
    assert_int_equal(fk.inst[0].state, KITE_HOST_BOOTING);
    assert_int_equal(RUN("down", "1"), 0);
    assert_clean();
}

/* Memory the image may not load at is named: here it must end below 2 GiB. */
static void test_load_placement(void **state)
{
    (void)state;
    put(0x101c, 0x80000000, 4);
    assert_int_equal(RUN("up", "-c", "3", "kite.elf"), 1);
    expect_in(err, "kitectl: up: load 1: kite.elf may load only at 0x200000-0x80000000, aligned "
                   "to 0x200000; instance 1's memory at 0x80000000 is not such a place\n");
    assert_clean();
}

/* A bad image or a busy CPU stops up before it changes anything. */
static void test_up_checks_first(void **state)
{
    (void)state;
    assert_int_equal(RUN("up", "-c", "2", "notes.txt"), 1);
    assert_string_equal(err, "kitectl: up: notes.txt is not a Kite image: not an ELF file (no "
                             "\\177ELF magic)\n");
    assert_int_equal(fk.ncalls, 0);
    assert_int_equal(RUN("up", "-c", "0", "kite.elf"), 1);
    assert_string_equal(err, "kitectl: up: reserve cpu 0: CPU 0 stays with Linux: it can't be "
                             "reserved\n");
    assert_clean();
}

struct up_step {
    unsigned long req; /* the call that fails (0: Kite does not come up) */
    int nr_done;       /* mutating calls before it */
    int nr_undo;       /* the undo calls expected */
    const char *step;  /* the step the message names */
};

static const unsigned long up_calls[] = {
    KITE_IOC_RESERVE_CPU, KITE_IOC_RESERVE_MEM, KITE_IOC_CREATE, KITE_IOC_ASSIGN_CPU,
    KITE_IOC_ASSIGN_MEM,  KITE_IOC_LOAD,        KITE_IOC_KARGS,  KITE_IOC_BOOT,
};
static const unsigned long undo_calls[] = {KITE_IOC_DESTROY, KITE_IOC_RELEASE_MEM,
                                           KITE_IOC_RELEASE_CPU};

/* Fail each step of up in turn: the completed ones are undone, in reverse, and nothing more. */
static void test_up_rollback(void **state)
{
    static const struct up_step steps[] = {
        {KITE_IOC_RESERVE_CPU, 0, 0, "kitectl: up: reserve cpu 2-3: "},
        {KITE_IOC_RESERVE_MEM, 1, 1, "kitectl: up: reserve mem 256M@1: "},
        {KITE_IOC_CREATE, 2, 2, "kitectl: up: create: "},
        {KITE_IOC_ASSIGN_CPU, 3, 3, "kitectl: up: assign 1 cpu: "},
        {KITE_IOC_ASSIGN_MEM, 4, 3, "kitectl: up: assign 1 mem: "},
        {KITE_IOC_LOAD, 5, 3, "kitectl: up: load 1: "},
        {KITE_IOC_KARGS, 6, 3, "kitectl: up: kargs 1: "},
        {KITE_IOC_BOOT, 7, 3, "kitectl: up: boot 1: "},
        {0, 8, 3,
         "kitectl: up: wait for ready: Kite did not reach ready within 2 s (state "
         "booting)"},
    };

    for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
        const struct up_step *st = &steps[s];
        unsigned long calls[64] = {0};
        int n;

        setup(state);
        fk.fail_req = st->req;
        fk.fail_err = -EIO;
        fk.ready_after = st->req ? 3 : -1;
        assert_int_equal(
            RUN("up", "-c", "2-3", "-m", "256M@1", "-k", "quiet", "-w", "2", "kite.elf"), 1);
        assert_string_equal(out, "");
        if (strncmp(err, st->step, strlen(st->step)) != 0) {
            fail_msg("step %zu: expected \"%s...\", got:\n%s", s, st->step, err);
        }
        n = mutating_calls(0, calls, 64);
        /* The completed steps, the failing call (when it was one), then the undo. */
        assert_int_equal(n, st->nr_done + (st->req ? 1 : 0) + st->nr_undo);
        for (int i = 0; i < st->nr_done; i++) {
            assert_int_equal(calls[i], up_calls[i]);
        }
        for (int i = 0; i < st->nr_undo; i++) {
            assert_int_equal(calls[n - st->nr_undo + i], undo_calls[3 - st->nr_undo + i]);
        }
        if (st->nr_undo) {
            expect_in(err, "kitectl: up: undone: ");
        } else {
            assert_null(strstr(err, "undone"));
        }
        assert_clean();
    }
}

static void test_up_panic(void **state)
{
    (void)state;
    fk.panics = true;
    assert_int_equal(RUN("up", "-c", "3", "kite.elf"), 1);
    expect_in(err, "kitectl: up: wait for ready: Kite panicked while booting: test: a panic on "
                   "purpose\n");
    expect_in(err, "kitectl: the end of instance 1's log:\n  | kite: booting on 2 CPUs\n  | "
                   "kite: panic: test: a panic on purpose\n");
    expect_in(err, "kitectl: up: undone: destroyed instance 1, released 256M@1, released "
                   "CPU 3\n");
    assert_clean();
}

/* An undo step that fails is reported, and the rest is still undone. */
static void test_up_undo_failure(void **state)
{
    unsigned long calls[64] = {0};
    int n;

    (void)state;
    fk.ready_after = -1;
    fk.fail_req = KITE_IOC_DESTROY;
    fk.fail_err = -EIO;
    assert_int_equal(RUN("up", "-c", "3", "-w", "1", "kite.elf"), 1);
    expect_in(err, "kitectl: up: undo: destroying: Input/output error");
    expect_in(err, "some steps could not be undone");
    n = mutating_calls(0, calls, 64);
    assert_true(n >= 3);
    assert_int_equal(calls[n - 1], KITE_IOC_RELEASE_CPU);
    assert_int_equal(calls[n - 2], KITE_IOC_RELEASE_MEM);
    assert_int_equal(calls[n - 3], KITE_IOC_DESTROY);
    /* The instance survived, holding its CPU and memory; down takes it all back. */
    assert_int_equal(RUN("down"), 0);
    assert_clean();
}

/* down on a Kite that ignores shutdown still destroys and releases. */
static void test_down_hung(void **state)
{
    (void)state;
    assert_int_equal(RUN("up", "-c", "2", "kite.elf"), 0);
    fk.halt_on_shutdown = false;
    assert_int_equal(RUN("down", "1"), 0);
    expect_in(err, "Kite did not halt within 5 s; destroy stops its CPUs");
    assert_clean();
    assert_int_equal(RUN("down", "1"), 1);
    expect_in(err, "no instance 1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpulist),
        cmocka_unit_test(test_size),
        cmocka_unit_test(test_memlist),
        cmocka_unit_test(test_uint),
        cmocka_unit_test_setup(test_usage, setup),
        cmocka_unit_test_setup(test_no_device, setup),
        cmocka_unit_test_setup(test_reserve_cpu, setup),
        cmocka_unit_test_setup(test_reserve_mem, setup),
        cmocka_unit_test_setup(test_manual_cycle, setup),
        cmocka_unit_test_setup(test_kmsg_follow, setup),
        cmocka_unit_test_setup(test_up_defaults, setup),
        cmocka_unit_test_setup(test_up_checks_first, setup),
        cmocka_unit_test_setup(test_up_ready_in_log, setup),
        cmocka_unit_test_setup(test_load_placement, setup),
        cmocka_unit_test_setup(test_up_rollback, setup),
        cmocka_unit_test_setup(test_up_panic, setup),
        cmocka_unit_test_setup(test_up_undo_failure, setup),
        cmocka_unit_test_setup(test_down_hung, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
