// SPDX-License-Identifier: MIT
/*
 * A QEMU TCG plugin that counts guest instructions per vCPU and, each time a
 * guest executes a marker instruction, writes one line with the counts of
 * every vCPU at that moment. Used by bench/omp-icount/run.sh to measure the
 * instructions an OpenMP parallel region or barrier costs, all vCPUs summed,
 * the same way on Kite and on Linux (../../docs/bench-openmp.md).
 *
 * Markers (both harmless on x86_64; a compiler never emits them):
 *   nopl 0x4b17KKKK(%rbx,%rbx,1)   0f 1f 84 1b KK KK 17 4b   marker K (0-65535)
 *   xchg %bx,%bx                   66 87 db                  marker 65536
 *
 * Output, one line per marker execution, in the order the markers ran:
 *   vcpu N marker K count C cpus C0 C1 ... Cn-1
 * C is vCPU N's instructions from power-on up to and including the marker.
 * Ci is vCPU i's count at that moment: exact for vCPU N, and for a vCPU that
 * is halted; for one that is running at the same time, it is accurate to
 * the translation block it is in (up to a few dozen instructions, see below).
 *
 * Arguments (-plugin plugin.so,out=FILE,exact=on):
 *   out=FILE   where the lines go (default: QEMU's plugin output, stderr)
 *   exact=on   count with a callback per instruction instead of one per
 *              translation block (slower; for checking)
 *   profile=FILE  also count, from the first marker on, the instructions run
 *              in each block (all vCPUs) and write the 60 busiest block
 *              addresses to FILE at exit: "address instructions executions",
 *              to find where an operation's instructions go (addr2line -f)
 *
 * The default counts a whole block when it starts, so the marker's own
 * vCPU subtracts the instructions after the marker in its block. That is
 * exact unless an instruction in the block faults before the block ends
 * (the rest of the block was then counted but not run): page faults and
 * the like, rare once the measured code is warm.
 *
 * QEMU 7.2 (Debian) installs no qemu-plugin.h, so the few parts of the
 * plugin API (version 1) this file uses are declared here.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the QEMU plugin API, version 1 (QEMU 4.2 to 8.1) ---- */

#define API __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;

typedef struct {
    const char *target_name;
    struct {
        int min;
        int cur;
    } version;
    bool system_emulation;
    union {
        struct {
            int smp_vcpus;
            int max_vcpus;
        } system;
    };
} qemu_info_t;

enum qemu_plugin_cb_flags {
    QEMU_PLUGIN_CB_NO_REGS,
    QEMU_PLUGIN_CB_R_REGS,
    QEMU_PLUGIN_CB_RW_REGS,
};

struct qemu_plugin_tb;
struct qemu_plugin_insn;

typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
                                            qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
void qemu_plugin_outs(const char *string);
bool qemu_plugin_bool_parse(const char *name, const char *val, bool *ret);

API extern int qemu_plugin_version;
API int qemu_plugin_version = 1;
API int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv);

/* ---- the counter ---- */

#define MARKER_XCHG_BX 65536u

/* One counter per vCPU, each on its own cache line: only its vCPU's thread writes it. */
struct vcpu_count {
    uint64_t insns;
    char pad[56];
};

static struct vcpu_count *counts;
static unsigned int nr_vcpus;
static bool exact;
static FILE *out;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* profile=: one record per translated block; a block translated again gets another. */
struct block {
    uint64_t vaddr;
    uint64_t n;
    uint64_t execs;
};

static const char *profile_path;
static bool profiling; /* set by the first marker */
static struct block **blocks;
static size_t nr_blocks, max_blocks;
static pthread_mutex_t blocks_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t load(unsigned int vcpu)
{
    return __atomic_load_n(&counts[vcpu].insns, __ATOMIC_RELAXED);
}

static void add(unsigned int vcpu, uint64_t n)
{
    __atomic_store_n(&counts[vcpu].insns, load(vcpu) + n, __ATOMIC_RELAXED);
}

static void on_tb(unsigned int vcpu, void *udata)
{
    if (vcpu < nr_vcpus) {
        add(vcpu, (uintptr_t)udata);
    }
}

static void on_tb_profile(unsigned int vcpu, void *udata)
{
    struct block *b = udata;

    if (vcpu < nr_vcpus) {
        add(vcpu, b->n);
    }
    if (__atomic_load_n(&profiling, __ATOMIC_RELAXED)) {
        __atomic_add_fetch(&b->execs, 1, __ATOMIC_RELAXED);
    }
}

static struct block *new_block(uint64_t vaddr, uint64_t n)
{
    struct block *b = calloc(1, sizeof(*b));

    if (!b) {
        return NULL;
    }
    b->vaddr = vaddr;
    b->n = n;
    pthread_mutex_lock(&blocks_lock);
    if (nr_blocks == max_blocks) {
        size_t max = max_blocks ? 2 * max_blocks : 4096;
        struct block **grown = realloc(blocks, max * sizeof(*grown));

        if (!grown) {
            pthread_mutex_unlock(&blocks_lock);
            free(b);
            return NULL;
        }
        blocks = grown;
        max_blocks = max;
    }
    blocks[nr_blocks++] = b;
    pthread_mutex_unlock(&blocks_lock);
    return b;
}

static int by_vaddr(const void *a, const void *b)
{
    const struct block *x = *(struct block *const *)a, *y = *(struct block *const *)b;

    return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

static int by_insns(const void *a, const void *b)
{
    const struct block *x = *(struct block *const *)a, *y = *(struct block *const *)b;
    uint64_t ix = x->n * x->execs, iy = y->n * y->execs;

    return ix > iy ? -1 : ix < iy;
}

/* Merge the records of each address (into the first), then write the busiest. */
static void write_profile(void)
{
    FILE *f = fopen(profile_path, "w");
    size_t kept = 0;

    if (!f) {
        fprintf(stderr, "omp-icount plugin: cannot write %s\n", profile_path);
        return;
    }
    qsort(blocks, nr_blocks, sizeof(*blocks), by_vaddr);
    for (size_t i = 0; i < nr_blocks; i++) {
        if (kept && blocks[kept - 1]->vaddr == blocks[i]->vaddr &&
            blocks[kept - 1]->n == blocks[i]->n) {
            blocks[kept - 1]->execs += blocks[i]->execs;
        } else {
            blocks[kept++] = blocks[i];
        }
    }
    qsort(blocks, kept, sizeof(*blocks), by_insns);
    for (size_t i = 0; i < kept && i < 60 && blocks[i]->execs; i++) {
        fprintf(f, "%#" PRIx64 " %" PRIu64 " %" PRIu64 "\n", blocks[i]->vaddr,
                blocks[i]->n * blocks[i]->execs, blocks[i]->execs);
    }
    fclose(f);
}

static void on_insn(unsigned int vcpu, void *udata)
{
    (void)udata;
    if (vcpu < nr_vcpus) {
        add(vcpu, 1);
    }
}

/* udata: the marker number in the low 32 bits, and in the high 32 bits how many
 * instructions of its block follow it (already counted when the block started). */
static void on_marker(unsigned int vcpu, void *udata)
{
    uint64_t data = (uintptr_t)udata;
    unsigned int marker = (unsigned int)(data & 0xffffffffu);
    uint64_t after = data >> 32;
    char line[64 + 24 * 64];
    size_t len;

    if (vcpu >= nr_vcpus) {
        return;
    }
    if (exact) {
        add(vcpu, 1);
    }
    __atomic_store_n(&profiling, true, __ATOMIC_RELAXED);
    pthread_mutex_lock(&out_lock);
    len = (size_t)snprintf(line, sizeof(line), "vcpu %u marker %u count %" PRIu64 " cpus", vcpu,
                           marker, load(vcpu) - after);
    for (unsigned int i = 0; i < nr_vcpus && len < sizeof(line) - 24; i++) {
        uint64_t c = load(i) - (i == vcpu ? after : 0);
        len += (size_t)snprintf(line + len, sizeof(line) - len, " %" PRIu64, c);
    }
    snprintf(line + len, sizeof(line) - len, "\n");
    if (out) {
        fputs(line, out);
        fflush(out);
    } else {
        qemu_plugin_outs(line);
    }
    pthread_mutex_unlock(&out_lock);
}

/* Returns the marker number of an instruction, or -1 if it is not a marker. */
static long marker_of(const struct qemu_plugin_insn *insn)
{
    const uint8_t *b = qemu_plugin_insn_data(insn);
    size_t size = qemu_plugin_insn_size(insn);

    if (size == 8 && b[0] == 0x0f && b[1] == 0x1f && b[2] == 0x84 && b[3] == 0x1b && b[6] == 0x17 &&
        b[7] == 0x4b) {
        return b[4] | (b[5] << 8);
    }
    if (size == 3 && b[0] == 0x66 && b[1] == 0x87 && b[2] == 0xdb) {
        return MARKER_XCHG_BX;
    }
    return -1;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);

    (void)id;
    struct block *b = NULL;

    if (profile_path && !exact) {
        b = new_block(qemu_plugin_tb_vaddr(tb), n);
    }
    if (b) {
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_tb_profile, QEMU_PLUGIN_CB_NO_REGS, b);
    } else if (!exact) {
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_tb, QEMU_PLUGIN_CB_NO_REGS,
                                             (void *)(uintptr_t)n);
    }
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        long marker = marker_of(insn);

        if (marker >= 0) {
            uint64_t after = exact ? 0 : n - 1 - i;
            uint64_t data = (after << 32) | (uint64_t)marker;

            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker, QEMU_PLUGIN_CB_NO_REGS,
                                                   (void *)(uintptr_t)data);
        } else if (exact) {
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_insn, QEMU_PLUGIN_CB_NO_REGS, NULL);
        }
    }
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
    (void)id;
    (void)udata;
    if (out) {
        fclose(out);
        out = NULL;
    }
    if (profile_path) {
        write_profile();
    }
}

int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    const char *path = NULL;

    if (!info->system_emulation) {
        qemu_plugin_outs("omp-icount plugin: needs system emulation\n");
        return -1;
    }
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "out=", 4) == 0) {
            path = argv[i] + 4;
        } else if (strncmp(argv[i], "profile=", 8) == 0) {
            profile_path = argv[i] + 8;
        } else if (strncmp(argv[i], "exact=", 6) == 0 &&
                   qemu_plugin_bool_parse("exact", argv[i] + 6, &exact)) {
            continue;
        } else {
            fprintf(stderr,
                    "omp-icount plugin: unknown argument '%s'; expected out=FILE, exact=on|off or "
                    "profile=FILE\n",
                    argv[i]);
            return -1;
        }
    }
    nr_vcpus = (unsigned int)(info->system.max_vcpus > 0 ? info->system.max_vcpus : 1);
    counts = calloc(nr_vcpus, sizeof(*counts));
    if (!counts) {
        return -1;
    }
    if (path) {
        out = fopen(path, "w");
        if (!out) {
            fprintf(stderr, "omp-icount plugin: cannot write %s\n", path);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
