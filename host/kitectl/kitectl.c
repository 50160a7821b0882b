// SPDX-License-Identifier: MIT
/*
 * kitectl's commands, in the style of IHK's ihkconfig/ihkosctl: reserve and
 * release CPUs and memory, create instances, assign them resources, load,
 * boot, watch and tear down Kite, plus one-shot `up` and `down`. Every
 * device call goes through k->ops (see kitectl.h), so this file holds all
 * the logic and none of the system calls; main.c supplies the real ones.
 *
 * kite_host.ko changes nothing when a call fails and logs why in dmesg;
 * kitectl turns the errno into a message an operator can act on, asking the
 * module (QUERY_*, STATUS, LIST) which CPU, chunk or instance was at fault.
 * Exit status: 0 done, 1 failed, 2 bad usage; exec exits with Kite's status.
 */
#define _GNU_SOURCE /* memmem */

#include "kitectl.h"

#include "../common/kimage.h"
#include "../include/kite_host.h"
#include "parse.h"

#include <kite/abi/bootparams.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_FAILED 1
#define EXIT_USAGE  2

#define MIB              (UINT64_C(1) << 20)
#define UP_WAIT_S        30 /* up: how long Kite may take to reach ready */
#define UP_MEM_DEFAULT   (UINT64_C(256) << 20)
#define EXEC_TIMEOUT_S   600  /* exec: how long a command may run */
#define SHUTDOWN_WAIT_MS 5000 /* shutdown: how long Kite may take to halt */
#define POLL_MS          10   /* up and shutdown: how often the state is read */
#define KMSG_FOLLOW_MS   100  /* kmsg -f: how often the log is read */
#define KMSG_CHUNK       65536
#define KMSG_TAIL_LINES  20 /* up: log lines shown when boot fails */
#define READY_TEXT       "kite: ready"
#define LIST_MAX         (KITE_HOST_MAX_CPUS * 4 + 16)
#define SYS_CPU_ONLINE   "/sys/devices/system/cpu/online"
#define SYS_CPU_PRESENT  "/sys/devices/system/cpu/present"
#define SYS_NODE_ONLINE  "/sys/devices/system/node/online"

static const char *const state_names[] = {"created", "booting", "running", "panicked", "halted"};
static const char *const cpu_state_names[] = {"off", "starting", "online", "stopped", "failed"};

/* ---------------------------------------------------------------- messages */

static void vsay(struct kitectl *k, const char *fmt, va_list ap)
{
    fprintf(k->err, "kitectl: ");
    if (k->cmd) {
        fprintf(k->err, "%s: ", k->cmd);
    }
    if (k->step) {
        fprintf(k->err, "%s: ", k->step);
    }
    vfprintf(k->err, fmt, ap);
    fputc('\n', k->err);
}

static void say(struct kitectl *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct kitectl *k, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsay(k, fmt, ap);
    va_end(ap);
}

/* Say what went wrong and return the exit status of a failed command. */
static int fail(struct kitectl *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct kitectl *k, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsay(k, fmt, ap);
    va_end(ap);
    return EXIT_FAILED;
}

static void print_usage(struct kitectl *k, const char *name, FILE *to);

/* Bad usage: what was wrong, then how the command is used. */
static int usage(struct kitectl *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int usage(struct kitectl *k, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsay(k, fmt, ap);
    va_end(ap);
    print_usage(k, k->cmd, k->err);
    return EXIT_USAGE;
}

/* ---------------------------------------------------------------- the device */

static int dev(struct kitectl *k, unsigned long req, void *arg)
{
    if (!k->opened) {
        if (k->open_err == 0) {
            int ret = k->ops->open(k->ctx);

            if (ret < 0) {
                k->open_err = ret;
            } else {
                k->opened = true;
            }
        }
        if (k->open_err) {
            return k->open_err;
        }
    }
    return k->ops->ioctl(k->ctx, req, arg);
}

/*
 * The message for an error no command explains better: the device is
 * missing or closed to us, the module is of another build, or the errno
 * itself with a pointer to dmesg, where kite_host.ko says why.
 */
static int dev_fail(struct kitectl *k, int err, const char *what)
{
    if (k->open_err) {
        switch (-k->open_err) {
        case ENOENT:
        case ENODEV:
        case ENXIO:
            return fail(k, "no " KITE_HOST_DEVICE ": load kite_host.ko first "
                           "(insmod kite_host.ko mem=SIZE@BASE,...)");
        case EACCES:
        case EPERM:
            return fail(k, "permission denied on " KITE_HOST_DEVICE " (mode 0600): run kitectl "
                           "as root, or give the device to your user");
        default:
            return fail(k, "cannot open " KITE_HOST_DEVICE ": %s", strerror(-k->open_err));
        }
    }
    switch (-err) {
    case ENOTTY:
        return fail(k,
                    "%s: kite_host.ko does not know this request: kitectl and the module "
                    "come from different builds",
                    what);
    case EACCES:
    case EPERM:
        return fail(k, "%s: permission denied (kite_host.ko needs CAP_SYS_ADMIN)", what);
    case EINTR:
        return fail(k, "%s: interrupted", what);
    default:
        return fail(k, "%s: %s (dmesg has kite_host.ko's reason)", what, strerror(-err));
    }
}

static int get_reserved_cpus(struct kitectl *k, uint64_t mask[KITE_HOST_CPU_WORDS])
{
    struct kite_ioc_cpus c;
    int ret;

    memset(&c, 0, sizeof(c));
    ret = dev(k, KITE_IOC_QUERY_CPU, &c);
    memcpy(mask, c.mask, sizeof(c.mask));
    return ret;
}

static int get_mem(struct kitectl *k, struct kite_ioc_mem *m)
{
    memset(m, 0, sizeof(*m));
    return dev(k, KITE_IOC_QUERY_MEM, m);
}

static int get_status(struct kitectl *k, uint32_t id, struct kite_ioc_status *st)
{
    memset(st, 0, sizeof(*st));
    st->instance = id;
    return dev(k, KITE_IOC_STATUS, st);
}

static int get_list(struct kitectl *k, struct kite_ioc_list *l)
{
    int ret;

    memset(l, 0, sizeof(*l));
    ret = dev(k, KITE_IOC_LIST, l);
    if (ret == 0 && l->nr > KITE_HOST_MAX_INSTANCES) {
        l->nr = KITE_HOST_MAX_INSTANCES;
    }
    return ret;
}

static bool instance_exists(struct kitectl *k, uint32_t id)
{
    struct kite_ioc_list l;

    if (get_list(k, &l) != 0) {
        return true; /* cannot tell: let the caller's message stand */
    }
    for (uint32_t i = 0; i < l.nr; i++) {
        if (l.ids[i] == id) {
            return true;
        }
    }
    return false;
}

/* The instance CPU @cpu is assigned to, 0 for none. */
static uint32_t cpu_owner(struct kitectl *k, unsigned int cpu)
{
    struct kite_ioc_list l;
    struct kite_ioc_status st;

    if (get_list(k, &l) != 0) {
        return 0;
    }
    for (uint32_t i = 0; i < l.nr; i++) {
        if (get_status(k, l.ids[i], &st) == 0 && kitectl_cpu_isset(st.cpus, cpu)) {
            return l.ids[i];
        }
    }
    return 0;
}

static const char *state_name(uint32_t state)
{
    return state < 5 ? state_names[state] : "unknown";
}

/* For a call on instance @id that failed with ENOENT or EINVAL: is it that there is none? */
static bool no_instance(struct kitectl *k, int err, uint32_t id)
{
    return (err == -ENOENT || err == -EINVAL || err == -ESRCH) && !instance_exists(k, id);
}

static int fail_no_instance(struct kitectl *k, uint32_t id)
{
    return fail(k, "no instance %u (kitectl list shows the instances)", id);
}

/* ---------------------------------------------------------------- the machine */

/* A CPU or node list from sysfs ("0-3\n"); -errno when it cannot be read. */
static int sys_list(struct kitectl *k, const char *path, uint64_t mask[KITE_HOST_CPU_WORDS])
{
    char buf[LIST_MAX], err[KITECTL_ERR_MAX];
    int ret = k->ops->read_text(k->ctx, path, buf, sizeof(buf));
    size_t n;

    memset(mask, 0, KITE_HOST_CPU_WORDS * sizeof(mask[0]));
    if (ret < 0) {
        return ret;
    }
    n = strlen(buf);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) {
        buf[--n] = '\0';
    }
    if (n == 0) {
        return 0;
    }
    return kitectl_parse_cpulist(buf, mask, err, sizeof(err)) == 0 ? 0 : -EINVAL;
}

/*
 * The nodes that exist; false when sysfs does not say (not mounted), and the
 * module is left to judge.
 */
static bool online_nodes(struct kitectl *k, uint64_t nodes[KITE_HOST_CPU_WORDS])
{
    return sys_list(k, SYS_NODE_ONLINE, nodes) == 0 && kitectl_cpu_count(nodes) > 0;
}

/* ---------------------------------------------------------------- memory lists */

static void mem_item(uint64_t size, uint32_t node, char *buf, size_t len)
{
    char s[32];

    kitectl_format_size(size, s, sizeof(s));
    snprintf(buf, len, "%s@%u", s, node);
}

/* The chunks of @m that belong to @instance (0: unassigned; -1: all) as "256M@1,512M@0". */
static void chunk_list(const struct kite_ioc_mem *m, int64_t instance, char *buf, size_t len)
{
    size_t pos = 0;

    buf[0] = '\0';
    for (uint32_t i = 0; i < m->nr && i < KITE_HOST_MAX_CHUNKS; i++) {
        char it[48];

        if (instance >= 0 && m->chunk[i].instance != (uint64_t)instance) {
            continue;
        }
        mem_item(m->chunk[i].size, (uint32_t)m->chunk[i].node, it, sizeof(it));
        if (pos + strlen(it) + 2 > len) {
            break;
        }
        pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", pos ? "," : "", it);
    }
}

/*
 * Pick for each item of @req a chunk of @q with its size and node, assigned
 * to @instance (0: reserved and unassigned), each chunk once; fill @out's
 * chunks with them. Says which item has none and returns 1 when one is
 * missing.
 */
static int resolve_chunks(struct kitectl *k, const struct kite_ioc_mem *q,
                          const struct kitectl_memreq *req, unsigned int nr, uint32_t instance,
                          struct kite_ioc_mem *out)
{
    bool used[KITE_HOST_MAX_CHUNKS] = {false};

    memset(out, 0, sizeof(*out));
    for (unsigned int r = 0; r < nr; r++) {
        uint32_t other = 0;
        char it[48], have[LIST_MAX];
        int pick = -1;

        for (uint32_t i = 0; i < q->nr && i < KITE_HOST_MAX_CHUNKS; i++) {
            const struct kite_ioc_chunk *c = &q->chunk[i];

            if (used[i] || c->size != req[r].size || c->node != (int32_t)req[r].node) {
                continue;
            }
            if (c->instance == instance) {
                pick = (int)i;
                break;
            }
            other = c->instance;
        }
        mem_item(req[r].size, req[r].node, it, sizeof(it));
        if (pick < 0) {
            if (other != 0 && instance == 0) {
                return fail(k, "%s is assigned to instance %u: kitectl destroy %u first", it, other,
                            other);
            }
            chunk_list(q, instance, have, sizeof(have));
            if (instance != 0) {
                return fail(k, "instance %u has no chunk %s (it has: %s)", instance, it,
                            have[0] ? have : "none");
            }
            if (have[0] == '\0') {
                return fail(k,
                            "no reserved, unassigned chunk %s: none is (kitectl reserve mem %s "
                            "first)",
                            it, it);
            }
            return fail(k, "no reserved, unassigned chunk %s (there are: %s)", it, have);
        }
        used[pick] = true;
        out->chunk[out->nr].base = q->chunk[pick].base;
        out->chunk[out->nr].size = q->chunk[pick].size;
        out->chunk[out->nr].node = q->chunk[pick].node;
        out->nr++;
    }
    return 0;
}

/* Parse a memory list argument; a usage error (exit 2) when it is malformed. */
static int parse_memlist(struct kitectl *k, const char *s, struct kitectl_memreq *req,
                         unsigned int *nr)
{
    char err[KITECTL_ERR_MAX];

    if (kitectl_parse_memlist(s, req, KITE_HOST_MAX_CHUNKS, nr, err, sizeof(err)) != 0) {
        return usage(k, "%s", err);
    }
    return 0;
}

static int parse_cpus(struct kitectl *k, const char *s, uint64_t mask[KITE_HOST_CPU_WORDS])
{
    char err[KITECTL_ERR_MAX];

    if (kitectl_parse_cpulist(s, mask, err, sizeof(err)) != 0) {
        return usage(k, "%s", err);
    }
    return 0;
}

static int parse_instance(struct kitectl *k, const char *s, uint32_t *id)
{
    if (kitectl_parse_uint(s, UINT32_MAX, id) != 0) {
        return usage(k, "\"%s\" is not an instance number (kitectl create prints one)", s);
    }
    return 0;
}

/* ---------------------------------------------------------------- operations */
/*
 * One device operation each, with its messages; `up` and `down` chain them.
 * Each returns 0, or EXIT_FAILED after saying what went wrong.
 */

static int op_reserve_cpu(struct kitectl *k, const uint64_t mask[KITE_HOST_CPU_WORDS])
{
    uint64_t present[KITE_HOST_CPU_WORDS], online[KITE_HOST_CPU_WORDS];
    uint64_t reserved[KITE_HOST_CPU_WORDS];
    char list[LIST_MAX], have[LIST_MAX];
    struct kite_ioc_cpus c;
    bool know_present = sys_list(k, SYS_CPU_PRESENT, present) == 0;
    bool know_online = sys_list(k, SYS_CPU_ONLINE, online) == 0;
    int ret;

    kitectl_format_cpulist(mask, list, sizeof(list));
    if (kitectl_cpu_isset(mask, 0)) {
        return fail(k, "CPU 0 stays with Linux: it can't be reserved");
    }
    for (unsigned int cpu = 1; know_present && cpu < KITE_HOST_MAX_CPUS; cpu++) {
        if (kitectl_cpu_isset(mask, cpu) && !kitectl_cpu_isset(present, cpu)) {
            kitectl_format_cpulist(present, have, sizeof(have));
            return fail(k, "CPU %u does not exist (this machine has CPUs %s)", cpu, have);
        }
    }
    memset(&c, 0, sizeof(c));
    memcpy(c.mask, mask, sizeof(c.mask));
    ret = dev(k, KITE_IOC_RESERVE_CPU, &c);
    if (ret == 0) {
        return 0;
    }
    if ((ret == -EBUSY || ret == -EINVAL) && get_reserved_cpus(k, reserved) == 0) {
        for (unsigned int cpu = 1; cpu < KITE_HOST_MAX_CPUS; cpu++) {
            if (kitectl_cpu_isset(mask, cpu) && kitectl_cpu_isset(reserved, cpu)) {
                uint32_t owner = cpu_owner(k, cpu);

                if (owner) {
                    return fail(k, "CPU %u is already reserved and assigned to instance %u", cpu,
                                owner);
                }
                return fail(k, "CPU %u is already reserved (kitectl query cpu lists them)", cpu);
            }
        }
        for (unsigned int cpu = 1; know_online && cpu < KITE_HOST_MAX_CPUS; cpu++) {
            if (kitectl_cpu_isset(mask, cpu) && !kitectl_cpu_isset(online, cpu)) {
                return fail(k,
                            "CPU %u is offline in Linux and not reserved: bring it online "
                            "first (echo 1 > /sys/devices/system/cpu/cpu%u/online)",
                            cpu, cpu);
            }
        }
    }
    if (ret == -EBUSY) {
        return fail(k,
                    "CPU %s: one of them is already reserved or in use (Linux refused to take "
                    "it offline; dmesg says which)",
                    list);
    }
    if (ret == -EINVAL) {
        return fail(k, "kite_host.ko refused CPUs %s (dmesg says why)", list);
    }
    return dev_fail(k, ret, "reserving CPUs");
}

static int op_release_cpu(struct kitectl *k, const uint64_t mask[KITE_HOST_CPU_WORDS])
{
    uint64_t reserved[KITE_HOST_CPU_WORDS];
    struct kite_ioc_cpus c;
    int ret;

    memset(&c, 0, sizeof(c));
    memcpy(c.mask, mask, sizeof(c.mask));
    ret = dev(k, KITE_IOC_RELEASE_CPU, &c);
    if (ret == 0) {
        return 0;
    }
    if ((ret == -EBUSY || ret == -EINVAL) && get_reserved_cpus(k, reserved) == 0) {
        for (unsigned int cpu = 0; cpu < KITE_HOST_MAX_CPUS; cpu++) {
            uint32_t owner;

            if (!kitectl_cpu_isset(mask, cpu)) {
                continue;
            }
            if (!kitectl_cpu_isset(reserved, cpu)) {
                return fail(k, "CPU %u is not reserved", cpu);
            }
            owner = cpu_owner(k, cpu);
            if (owner) {
                return fail(k, "CPU %u is assigned to instance %u: kitectl destroy %u first", cpu,
                            owner, owner);
            }
        }
    }
    if (ret == -EBUSY) {
        return fail(k, "Linux could not take the CPUs back online (dmesg says why)");
    }
    return dev_fail(k, ret, "releasing CPUs");
}

/* Reserve @req; on success @got holds the chunks with their bases. */
static int op_reserve_mem(struct kitectl *k, const struct kitectl_memreq *req, unsigned int nr,
                          struct kite_ioc_mem *got)
{
    uint64_t nodes[KITE_HOST_CPU_WORDS], asked[KITE_HOST_MAX_NODES] = {0};
    struct kite_ioc_mem q;
    char have[LIST_MAX], it[48];
    bool know_nodes = online_nodes(k, nodes);
    int ret;

    for (unsigned int i = 0; i < nr; i++) {
        if (know_nodes && !kitectl_cpu_isset(nodes, req[i].node)) {
            kitectl_format_cpulist(nodes, have, sizeof(have));
            mem_item(req[i].size, req[i].node, it, sizeof(it));
            return fail(k, "%s: node %u does not exist (this machine has nodes %s)", it,
                        req[i].node, have);
        }
        asked[req[i].node] += req[i].size;
    }
    memset(got, 0, sizeof(*got));
    got->nr = nr;
    for (unsigned int i = 0; i < nr; i++) {
        got->chunk[i].size = req[i].size;
        got->chunk[i].node = (int32_t)req[i].node;
    }
    ret = dev(k, KITE_IOC_RESERVE_MEM, got);
    if (ret == 0) {
        return 0;
    }
    if ((ret == -ENOMEM || ret == -ENOSPC) && get_mem(k, &q) == 0) {
        for (unsigned int i = 0; i < nr; i++) {
            uint32_t n = req[i].node;

            if (asked[n] > q.pool_free[n]) {
                return fail(k,
                            "not enough free memory on node %u (asked %" PRIu64 " MiB, %" PRIu64
                            " MiB free in the pool)",
                            n, asked[n] / MIB, q.pool_free[n] / MIB);
            }
        }
        if (q.nr >= KITE_HOST_MAX_CHUNKS) {
            return fail(k, "kite_host.ko holds as many chunks as it can: release some first");
        }
        chunk_list(got, -1, have, sizeof(have));
        return fail(k,
                    "not enough contiguous free memory for %s: the pool's free memory is "
                    "split (kitectl query mem shows it; dmesg says more)",
                    have);
    }
    return dev_fail(k, ret, "reserving memory");
}

static int op_release_chunks(struct kitectl *k, struct kite_ioc_mem *m)
{
    char list[LIST_MAX];
    int ret;

    m->instance = 0;
    ret = dev(k, KITE_IOC_RELEASE_MEM, m);
    if (ret == 0) {
        return 0;
    }
    chunk_list(m, -1, list, sizeof(list));
    if (ret == -EBUSY) {
        return fail(k, "%s: a chunk is assigned to an instance: destroy it first", list);
    }
    return dev_fail(k, ret, "releasing memory");
}

static int op_create(struct kitectl *k, uint32_t *id)
{
    int ret;

    *id = 0;
    ret = dev(k, KITE_IOC_CREATE, id);
    if (ret == -ENOSPC || ret == -EBUSY || ret == -EMFILE) {
        return fail(k, "kite_host.ko has %d instances already: destroy one first",
                    KITE_HOST_MAX_INSTANCES);
    }
    if (ret != 0) {
        return dev_fail(k, ret, "creating an instance");
    }
    return 0;
}

static int op_destroy(struct kitectl *k, uint32_t id)
{
    int ret = dev(k, KITE_IOC_DESTROY, &id);

    if (ret == 0) {
        return 0;
    }
    if (no_instance(k, ret, id)) {
        return fail_no_instance(k, id);
    }
    return dev_fail(k, ret, "destroying");
}

/* After ASSIGN or BOOT failed on @id: an instance that is gone or already booted. */
static int fail_instance_state(struct kitectl *k, int ret, uint32_t id, const char *what)
{
    struct kite_ioc_status st;

    if (no_instance(k, ret, id)) {
        return fail_no_instance(k, id);
    }
    if (get_status(k, id, &st) == 0 && (st.state != KITE_HOST_CREATED || st.uptime_ns != 0)) {
        return fail(k, "instance %u is %s: %s only before boot (kitectl down %u, then up again)",
                    id, state_name(st.state), what, id);
    }
    return -1;
}

static int op_assign_cpu(struct kitectl *k, uint32_t id, const uint64_t mask[KITE_HOST_CPU_WORDS])
{
    uint64_t reserved[KITE_HOST_CPU_WORDS];
    struct kite_ioc_cpus c;
    int ret;

    memset(&c, 0, sizeof(c));
    c.instance = id;
    memcpy(c.mask, mask, sizeof(c.mask));
    ret = dev(k, KITE_IOC_ASSIGN_CPU, &c);
    if (ret == 0) {
        return 0;
    }
    if (ret == -EINVAL || ret == -EBUSY || ret == -ENOENT) {
        int f = fail_instance_state(k, ret, id, "CPUs are assigned");

        if (f >= 0) {
            return f;
        }
        if (get_reserved_cpus(k, reserved) == 0) {
            for (unsigned int cpu = 0; cpu < KITE_HOST_MAX_CPUS; cpu++) {
                uint32_t owner;

                if (!kitectl_cpu_isset(mask, cpu)) {
                    continue;
                }
                if (!kitectl_cpu_isset(reserved, cpu)) {
                    return fail(k, "CPU %u is not reserved: kitectl reserve cpu %u first", cpu,
                                cpu);
                }
                owner = cpu_owner(k, cpu);
                if (owner == id) {
                    return fail(k, "CPU %u is already assigned to instance %u", cpu, id);
                }
                if (owner) {
                    return fail(k, "CPU %u is assigned to instance %u", cpu, owner);
                }
            }
        }
        if (kitectl_cpu_count(mask) > KITE_BP_MAX_CPUS) {
            return fail(k, "an instance takes at most %d CPUs", KITE_BP_MAX_CPUS);
        }
    }
    return dev_fail(k, ret, "assigning CPUs");
}

static int op_assign_chunks(struct kitectl *k, uint32_t id, struct kite_ioc_mem *m)
{
    char list[LIST_MAX];
    int ret;

    m->instance = id;
    ret = dev(k, KITE_IOC_ASSIGN_MEM, m);
    if (ret == 0) {
        return 0;
    }
    if (ret == -EINVAL || ret == -EBUSY || ret == -ENOENT) {
        int f = fail_instance_state(k, ret, id, "memory is assigned");

        if (f >= 0) {
            return f;
        }
    }
    chunk_list(m, -1, list, sizeof(list));
    if (ret == -EBUSY) {
        return fail(k, "%s: a chunk was assigned meanwhile (kitectl query mem)", list);
    }
    if (ret == -ENOSPC || ret == -E2BIG) {
        return fail(k, "%s: an instance takes at most %d chunks", list, KITE_BP_MAX_MEM);
    }
    return dev_fail(k, ret, "assigning memory");
}

/* Read and check @path; on success *@buf (malloc'd) holds it. */
static int read_image(struct kitectl *k, const char *path, void **buf, size_t *len,
                      struct kite_image_info *info)
{
    char err[KITE_IMAGE_ERR_MIN];
    int ret = k->ops->read_file(k->ctx, path, KITE_HOST_IMAGE_MAX, buf, len);

    if (ret == -EFBIG) {
        return fail(k, "%s is larger than the %u MiB kite_host.ko takes: is it a kite.elf?", path,
                    KITE_HOST_IMAGE_MAX >> 20);
    }
    if (ret < 0) {
        return fail(k, "cannot read %s: %s", path, strerror(-ret));
    }
    if (kite_image_check(*buf, *len, info, err, sizeof(err)) != 0) {
        free(*buf);
        *buf = NULL;
        return fail(k, "%s is not a Kite image: %s", path, err);
    }
    return 0;
}

/* Whether the image may be placed at @base, as its multiboot2 header allows. */
static bool image_fits_at(const struct kite_image_info *info, uint64_t base)
{
    if (!(info->flags & KITE_IMAGE_RELOCATABLE)) {
        return base == info->phys_base;
    }
    return base >= info->reloc_min && (info->reloc_align == 0 || base % info->reloc_align == 0) &&
           base + info->span <= (uint64_t)info->reloc_max + 1;
}

/*
 * After LOAD refused an image that is no larger than the instance's memory:
 * say so when no chunk of the instance is a place it may load at (which
 * chunk is first, the one it goes into, the module alone knows). -1 when
 * that is not the reason.
 */
static int fail_placement(struct kitectl *k, uint32_t id, const char *path,
                          const struct kite_image_info *info)
{
    struct kite_ioc_mem q;
    uint64_t base = 0;

    if (get_mem(k, &q) != 0) {
        return -1;
    }
    for (uint32_t i = 0; i < q.nr && i < KITE_HOST_MAX_CHUNKS; i++) {
        if (q.chunk[i].instance == id) {
            if (image_fits_at(info, q.chunk[i].base)) {
                return -1;
            }
            base = q.chunk[i].base;
        }
    }
    if (!(info->flags & KITE_IMAGE_RELOCATABLE)) {
        return fail(k,
                    "%s is not relocatable and must load at 0x%" PRIx64 ", but instance %u's "
                    "memory is at 0x%" PRIx64,
                    path, info->phys_base, id, base);
    }
    return fail(k,
                "%s may load only at 0x%x-0x%x, aligned to 0x%x; instance %u's memory at "
                "0x%" PRIx64 " is not such a place",
                path, info->reloc_min, info->reloc_max, info->reloc_align, id, base);
}

static int op_load(struct kitectl *k, uint32_t id, const char *path, const void *img, size_t len,
                   const struct kite_image_info *info)
{
    struct kite_ioc_buf b = {.instance = id, .addr = (uintptr_t)img, .len = len};
    struct kite_ioc_status st;
    uint64_t mem = 0;
    int ret = dev(k, KITE_IOC_LOAD, &b);

    if (ret == 0) {
        return 0;
    }
    if (ret == -EINVAL || ret == -EBUSY || ret == -ENOENT) {
        int f = fail_instance_state(k, ret, id, "an image is loaded");

        if (f >= 0) {
            return f;
        }
    }
    if (get_status(k, id, &st) == 0) {
        for (int n = 0; n < KITE_HOST_MAX_NODES; n++) {
            mem += st.mem_per_node[n];
        }
        if (mem == 0) {
            return fail(k,
                        "instance %u has no memory to load %s into: kitectl assign %u mem "
                        "SIZE@NODE first",
                        id, path, id);
        }
        if (info->span > mem || ret == -ENOSPC || ret == -E2BIG || ret == -EFBIG) {
            return fail(k,
                        "%s spans %" PRIu64 " KiB, more than fits in instance %u's first "
                        "chunk (%" PRIu64 " MiB assigned in all)",
                        path, info->span >> 10, id, mem / MIB);
        }
        if (ret == -EINVAL && fail_placement(k, id, path, info) >= 0) {
            return EXIT_FAILED;
        }
    }
    if (ret == -EINVAL || ret == -ENOEXEC) {
        return fail(k, "kite_host.ko refused %s (dmesg says why)", path);
    }
    return dev_fail(k, ret, "loading the image");
}

static int op_kargs(struct kitectl *k, uint32_t id, const char *args)
{
    size_t len = strlen(args);
    struct kite_ioc_buf b = {.instance = id, .addr = (uintptr_t)args, .len = len};
    int ret;

    if (len >= KITE_HOST_KARGS_MAX) {
        return fail(k, "the command line is %zu bytes; at most %d fit", len,
                    KITE_HOST_KARGS_MAX - 1);
    }
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)args[i] < 0x20 || args[i] == 0x7f) {
            return fail(k,
                        "the command line has a control character (0x%02x) at byte %zu: it "
                        "is one line of text",
                        (unsigned char)args[i], i);
        }
    }
    ret = dev(k, KITE_IOC_KARGS, &b);
    if (ret == 0) {
        return 0;
    }
    if (ret == -EINVAL || ret == -EBUSY || ret == -ENOENT) {
        int f = fail_instance_state(k, ret, id, "the command line is set");

        if (f >= 0) {
            return f;
        }
    }
    return dev_fail(k, ret, "setting the command line");
}

static int op_boot(struct kitectl *k, uint32_t id)
{
    struct kite_ioc_status st;
    uint64_t mem = 0;
    int ret = dev(k, KITE_IOC_BOOT, &id);

    if (ret == 0) {
        return 0;
    }
    if (no_instance(k, ret, id)) {
        return fail_no_instance(k, id);
    }
    if (get_status(k, id, &st) == 0) {
        for (int n = 0; n < KITE_HOST_MAX_NODES; n++) {
            mem += st.mem_per_node[n];
        }
        if (st.state != KITE_HOST_CREATED || st.uptime_ns != 0) {
            return fail(k, "instance %u is %s already: boot it once (kitectl down %u, then up)", id,
                        state_name(st.state), id);
        }
        if (kitectl_cpu_count(st.cpus) == 0) {
            return fail(k, "instance %u has no CPUs: kitectl assign %u cpu LIST first", id, id);
        }
        if (mem == 0) {
            return fail(k, "instance %u has no memory: kitectl assign %u mem SIZE@NODE first", id,
                        id);
        }
        if (!st.loaded) {
            return fail(k, "instance %u has no image: kitectl load %u IMAGE first", id, id);
        }
    }
    return dev_fail(k, ret, "booting");
}

/* Wait up to @ms for instance @id to leave BOOTING/RUNNING; 0 when it did. */
static int wait_stopped(struct kitectl *k, uint32_t id, unsigned int ms)
{
    struct kite_ioc_status st;
    uint64_t end = k->ops->now_ms(k->ctx) + ms;

    for (;;) {
        if (get_status(k, id, &st) != 0) {
            return -1;
        }
        if (st.state == KITE_HOST_HALTED || st.state == KITE_HOST_PANICKED) {
            return 0;
        }
        if (k->ops->now_ms(k->ctx) >= end || k->ops->interrupted(k->ctx)) {
            return -1;
        }
        k->ops->sleep_ms(k->ctx, POLL_MS);
    }
}

static int op_shutdown(struct kitectl *k, uint32_t id)
{
    struct kite_ioc_status st;
    int ret = dev(k, KITE_IOC_SHUTDOWN, &id);

    if (ret != 0) {
        if (no_instance(k, ret, id)) {
            return fail_no_instance(k, id);
        }
        if (get_status(k, id, &st) == 0 && st.state != KITE_HOST_RUNNING &&
            st.state != KITE_HOST_BOOTING) {
            return fail(k, "instance %u is %s, not running: nothing to shut down", id,
                        state_name(st.state));
        }
        return dev_fail(k, ret, "shutting down");
    }
    if (wait_stopped(k, id, SHUTDOWN_WAIT_MS) != 0) {
        return fail(k, "instance %u did not halt within %d s (kitectl destroy %u stops it anyway)",
                    id, SHUTDOWN_WAIT_MS / 1000, id);
    }
    return 0;
}

/* ---------------------------------------------------------------- the log */

/* Read the log of @id from *@pos into @buf; *@got bytes, *@lost overwritten before reading. */
static int kmsg_read(struct kitectl *k, uint32_t id, uint64_t *pos, char *buf, size_t cap,
                     size_t *got, uint64_t *lost)
{
    struct kite_ioc_kmsg m = {.instance = id, .addr = (uintptr_t)buf, .len = cap, .pos = *pos};
    int ret = dev(k, KITE_IOC_KMSG, &m);

    *got = 0;
    *lost = 0;
    if (ret != 0) {
        return ret;
    }
    *got = m.len > cap ? cap : (size_t)m.len;
    *lost = m.lost;
    *pos = m.pos;
    return 0;
}

/* Copy all of @id's log from *@pos to k->out; 0 or -errno. */
static int kmsg_drain(struct kitectl *k, uint32_t id, uint64_t *pos, char *buf)
{
    for (;;) {
        size_t got;
        uint64_t lost;
        int ret = kmsg_read(k, id, pos, buf, KMSG_CHUNK, &got, &lost);

        if (ret != 0) {
            return ret;
        }
        if (lost) {
            fflush(k->out);
            say(k, "%" PRIu64 " bytes of the log were overwritten before they were read", lost);
        }
        if (got == 0) {
            fflush(k->out);
            return 0;
        }
        fwrite(buf, 1, got, k->out);
    }
}

/* Show the last lines of @id's log on k->err, after a failed boot. */
static void kmsg_tail(struct kitectl *k, uint32_t id)
{
    char *buf = malloc(KMSG_CHUNK + 1), *start;
    size_t have = 0;
    uint64_t pos = 0;
    int lines = 0;

    if (!buf) {
        return;
    }
    for (;;) {
        size_t got;
        uint64_t lost;

        if (kmsg_read(k, id, &pos, buf + have, KMSG_CHUNK - have, &got, &lost) != 0 || got == 0) {
            break;
        }
        have += got;
        if (have == KMSG_CHUNK) {
            /* Keep the newer half. */
            memmove(buf, buf + KMSG_CHUNK / 2, KMSG_CHUNK / 2);
            have = KMSG_CHUNK / 2;
        }
    }
    buf[have] = '\0';
    while (have > 0 && buf[have - 1] == '\n') {
        buf[--have] = '\0';
    }
    start = buf + have;
    while (start > buf && lines < KMSG_TAIL_LINES) {
        start--;
        if (*start == '\n') {
            lines++;
        }
    }
    if (*start == '\n') {
        start++;
    }
    if (*start != '\0') {
        fprintf(k->err, "kitectl: the end of instance %u's log:\n", id);
        for (char *line = start; line && *line;) {
            char *nl = strchr(line, '\n');

            fprintf(k->err, "  | %.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
            line = nl ? nl + 1 : NULL;
        }
    }
    free(buf);
}

/* ---------------------------------------------------------------- commands */

static int cmd_reserve(struct kitectl *k, int argc, char **argv)
{
    uint64_t mask[KITE_HOST_CPU_WORDS];
    struct kitectl_memreq req[KITE_HOST_MAX_CHUNKS];
    struct kite_ioc_mem got;
    unsigned int nr = 0;

    if (argc != 3) {
        return usage(k, "expected cpu LIST or mem MEMLIST");
    }
    if (strcmp(argv[1], "cpu") == 0) {
        if (parse_cpus(k, argv[2], mask) != 0) {
            return EXIT_USAGE;
        }
        return op_reserve_cpu(k, mask);
    }
    if (strcmp(argv[1], "mem") == 0) {
        if (parse_memlist(k, argv[2], req, &nr) != 0) {
            return EXIT_USAGE;
        }
        return op_reserve_mem(k, req, nr, &got);
    }
    return usage(k, "\"%s\": expected cpu or mem", argv[1]);
}

static int cmd_release(struct kitectl *k, int argc, char **argv)
{
    uint64_t mask[KITE_HOST_CPU_WORDS];
    struct kitectl_memreq req[KITE_HOST_MAX_CHUNKS];
    struct kite_ioc_mem q, m;
    unsigned int nr = 0;
    int ret;

    if (argc != 3) {
        return usage(k, "expected cpu LIST|all or mem MEMLIST|all");
    }
    if (strcmp(argv[1], "cpu") == 0) {
        if (strcmp(argv[2], "all") == 0) {
            ret = get_reserved_cpus(k, mask);
            if (ret != 0) {
                return dev_fail(k, ret, "querying CPUs");
            }
            return kitectl_cpu_count(mask) ? op_release_cpu(k, mask) : 0;
        }
        if (parse_cpus(k, argv[2], mask) != 0) {
            return EXIT_USAGE;
        }
        return op_release_cpu(k, mask);
    }
    if (strcmp(argv[1], "mem") != 0) {
        return usage(k, "\"%s\": expected cpu or mem", argv[1]);
    }
    if (strcmp(argv[2], "all") == 0) {
        memset(&m, 0, sizeof(m)); /* nr = 0: every unassigned chunk */
        return op_release_chunks(k, &m);
    }
    ret = parse_memlist(k, argv[2], req, &nr);
    if (ret != 0) {
        return ret;
    }
    ret = get_mem(k, &q);
    if (ret != 0) {
        return dev_fail(k, ret, "querying memory");
    }
    if (resolve_chunks(k, &q, req, nr, 0, &m) != 0) {
        return EXIT_FAILED;
    }
    return op_release_chunks(k, &m);
}

static int query_mem(struct kitectl *k)
{
    struct kite_ioc_mem q;
    bool any = false;
    int ret = get_mem(k, &q);

    if (ret != 0) {
        return dev_fail(k, ret, "querying memory");
    }
    if (q.nr == 0) {
        fprintf(k->out, "no memory reserved\n");
    } else {
        fprintf(k->out, "%-18s  %6s  %4s  %8s  %s\n", "BASE", "SIZE", "NODE", "INSTANCE", "SOURCE");
    }
    for (uint32_t i = 0; i < q.nr && i < KITE_HOST_MAX_CHUNKS; i++) {
        const struct kite_ioc_chunk *c = &q.chunk[i];
        char size[32], inst[16];

        kitectl_format_size(c->size, size, sizeof(size));
        snprintf(inst, sizeof(inst), "%u", c->instance);
        fprintf(k->out, "0x%016" PRIx64 "  %6s  %4d  %8s  %s\n", c->base, size, c->node,
                c->instance ? inst : "-",
                c->source == KITE_CHUNK_OFFLINED ? "offlined"
                : c->source == KITE_CHUNK_POOL   ? "pool"
                                                 : "?");
    }
    fprintf(k->out, "pool:");
    for (int n = 0; n < KITE_HOST_MAX_NODES; n++) {
        char total[32], free_[32];

        if (q.pool_total[n] == 0) {
            continue;
        }
        kitectl_format_size(q.pool_free[n], free_, sizeof(free_));
        kitectl_format_size(q.pool_total[n], total, sizeof(total));
        fprintf(k->out, "%s node %d %s free of %s", any ? "," : "", n, free_, total);
        any = true;
    }
    fprintf(k->out, "%s\n", any ? "" : " empty (no mem= ranges)");
    return 0;
}

static int cmd_query(struct kitectl *k, int argc, char **argv)
{
    uint64_t mask[KITE_HOST_CPU_WORDS];
    struct kite_ioc_status st;
    struct kite_ioc_mem q;
    char list[LIST_MAX];
    uint32_t id = 0;
    int ret;

    if (argc == 2 && strcmp(argv[1], "cpu") == 0) {
        ret = get_reserved_cpus(k, mask);
        if (ret != 0) {
            return dev_fail(k, ret, "querying CPUs");
        }
        kitectl_format_cpulist(mask, list, sizeof(list));
        fprintf(k->out, "%s\n", list);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "mem") == 0) {
        return query_mem(k);
    }
    if (argc > 2 && (strcmp(argv[1], "cpu") == 0 || strcmp(argv[1], "mem") == 0)) {
        return usage(k, "query %s takes nothing more", argv[1]);
    }
    if (argc != 3) {
        return usage(k, "expected cpu, mem, or N cpu|mem");
    }
    if (parse_instance(k, argv[1], &id) != 0) {
        return EXIT_USAGE;
    }
    if (strcmp(argv[2], "cpu") != 0 && strcmp(argv[2], "mem") != 0) {
        return usage(k, "\"%s\": expected cpu or mem", argv[2]);
    }
    ret = get_status(k, id, &st);
    if (ret != 0) {
        return no_instance(k, ret, id) ? fail_no_instance(k, id) : dev_fail(k, ret, "status");
    }
    if (strcmp(argv[2], "cpu") == 0) {
        kitectl_format_cpulist(st.cpus, list, sizeof(list));
    } else {
        ret = get_mem(k, &q);
        if (ret != 0) {
            return dev_fail(k, ret, "querying memory");
        }
        chunk_list(&q, id, list, sizeof(list));
    }
    fprintf(k->out, "%s\n", list);
    return 0;
}

static int cmd_create(struct kitectl *k, int argc, char **argv)
{
    uint32_t id = 0;

    (void)argv;
    if (argc != 1) {
        return usage(k, "takes no arguments");
    }
    if (op_create(k, &id) != 0) {
        return EXIT_FAILED;
    }
    fprintf(k->out, "%u\n", id);
    return 0;
}

/* Commands of the form `NAME N`. */
static int one_instance(struct kitectl *k, int argc, char **argv, uint32_t *id)
{
    if (argc != 2) {
        return usage(k, "expected one instance number");
    }
    return parse_instance(k, argv[1], id);
}

static int cmd_destroy(struct kitectl *k, int argc, char **argv)
{
    uint32_t id = 0;

    if (one_instance(k, argc, argv, &id) != 0) {
        return EXIT_USAGE;
    }
    return op_destroy(k, id);
}

static int cmd_assign(struct kitectl *k, int argc, char **argv)
{
    uint64_t mask[KITE_HOST_CPU_WORDS];
    struct kitectl_memreq req[KITE_HOST_MAX_CHUNKS];
    struct kite_ioc_mem q, m;
    unsigned int nr = 0;
    uint32_t id = 0;
    int ret;

    if (argc != 4) {
        return usage(k, "expected N cpu LIST or N mem MEMLIST|all");
    }
    if (parse_instance(k, argv[1], &id) != 0) {
        return EXIT_USAGE;
    }
    if (strcmp(argv[2], "cpu") == 0) {
        if (parse_cpus(k, argv[3], mask) != 0) {
            return EXIT_USAGE;
        }
        return op_assign_cpu(k, id, mask);
    }
    if (strcmp(argv[2], "mem") != 0) {
        return usage(k, "\"%s\": expected cpu or mem", argv[2]);
    }
    if (strcmp(argv[3], "all") != 0 && parse_memlist(k, argv[3], req, &nr) != 0) {
        return EXIT_USAGE;
    }
    ret = get_mem(k, &q);
    if (ret != 0) {
        return dev_fail(k, ret, "querying memory");
    }
    if (strcmp(argv[3], "all") == 0) {
        memset(&m, 0, sizeof(m));
        for (uint32_t i = 0; i < q.nr && i < KITE_HOST_MAX_CHUNKS; i++) {
            if (q.chunk[i].instance == 0) {
                m.chunk[m.nr].base = q.chunk[i].base;
                m.chunk[m.nr].size = q.chunk[i].size;
                m.chunk[m.nr].node = q.chunk[i].node;
                m.nr++;
            }
        }
        if (m.nr == 0) {
            return fail(k, "no reserved, unassigned memory: kitectl reserve mem SIZE@NODE first");
        }
        return op_assign_chunks(k, id, &m);
    }
    if (resolve_chunks(k, &q, req, nr, 0, &m) != 0) {
        return EXIT_FAILED;
    }
    return op_assign_chunks(k, id, &m);
}

static int cmd_load(struct kitectl *k, int argc, char **argv)
{
    struct kite_image_info info;
    void *img = NULL;
    size_t len = 0;
    uint32_t id = 0;
    int ret;

    if (argc != 3) {
        return usage(k, "expected N IMAGE");
    }
    if (parse_instance(k, argv[1], &id) != 0) {
        return EXIT_USAGE;
    }
    if (read_image(k, argv[2], &img, &len, &info) != 0) {
        return EXIT_FAILED;
    }
    ret = op_load(k, id, argv[2], img, len, &info);
    free(img);
    return ret;
}

static int cmd_kargs(struct kitectl *k, int argc, char **argv)
{
    uint32_t id = 0;

    if (argc != 3) {
        return usage(k, "expected N \"ARGS\" (quote the command line as one argument)");
    }
    if (parse_instance(k, argv[1], &id) != 0) {
        return EXIT_USAGE;
    }
    return op_kargs(k, id, argv[2]);
}

static int cmd_boot(struct kitectl *k, int argc, char **argv)
{
    uint32_t id = 0;

    if (one_instance(k, argc, argv, &id) != 0) {
        return EXIT_USAGE;
    }
    return op_boot(k, id);
}

static int cmd_shutdown(struct kitectl *k, int argc, char **argv)
{
    uint32_t id = 0;

    if (one_instance(k, argc, argv, &id) != 0) {
        return EXIT_USAGE;
    }
    return op_shutdown(k, id);
}

static int cmd_kmsg(struct kitectl *k, int argc, char **argv)
{
    struct kite_ioc_status st;
    const char *num = NULL;
    bool follow = false;
    uint64_t pos = 0;
    uint32_t id = 0;
    char *buf;
    int ret;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-f") == 0) {
            follow = true;
        } else if (argv[i][0] == '-' || num) {
            return usage(k, "unexpected \"%s\"", argv[i]);
        } else {
            num = argv[i];
        }
    }
    if (!num) {
        return usage(k, "expected an instance number");
    }
    if (parse_instance(k, num, &id) != 0) {
        return EXIT_USAGE;
    }
    buf = malloc(KMSG_CHUNK);
    if (!buf) {
        return fail(k, "out of memory");
    }
    /* Follow until Kite stops for good (then one last read) or the operator stops us. */
    for (bool first = true;; first = false) {
        ret = kmsg_drain(k, id, &pos, buf);
        if (ret == 0 && follow) {
            ret = get_status(k, id, &st);
        }
        if (ret != 0) {
            if (!first && follow && !instance_exists(k, id)) {
                ret = 0; /* destroyed while we followed: its log ended */
            }
            break;
        }
        if (!follow) {
            break;
        }
        if (st.state == KITE_HOST_HALTED || st.state == KITE_HOST_PANICKED) {
            ret = kmsg_drain(k, id, &pos, buf);
            break;
        }
        if (k->ops->interrupted(k->ctx)) {
            break;
        }
        k->ops->sleep_ms(k->ctx, KMSG_FOLLOW_MS);
    }
    free(buf);
    if (ret != 0) {
        return no_instance(k, ret, id) ? fail_no_instance(k, id) : dev_fail(k, ret, "kmsg");
    }
    return 0;
}

/* "2-3 (online: 2, failed: 3)": the CPUs and what state each is in. */
static void cpu_states(const struct kite_ioc_status *st, char *buf, size_t len)
{
    char list[LIST_MAX];
    size_t pos;
    bool first = true;

    kitectl_format_cpulist(st->cpus, list, sizeof(list));
    pos = (size_t)snprintf(buf, len, "%s", list[0] ? list : "none");
    if (!list[0]) {
        return;
    }
    for (uint32_t s = 0; s < 5 && pos < len; s++) {
        uint64_t in[KITE_HOST_CPU_WORDS] = {0};

        for (unsigned int c = 0; c < KITE_HOST_MAX_CPUS; c++) {
            if (kitectl_cpu_isset(st->cpus, c) && st->cpu_state[c] == s) {
                in[c / 64] |= 1ull << (c % 64);
            }
        }
        if (kitectl_cpu_count(in) == 0) {
            continue;
        }
        kitectl_format_cpulist(in, list, sizeof(list));
        pos += (size_t)snprintf(buf + pos, len - pos, "%s%s: %s", first ? " (" : ", ",
                                cpu_state_names[s], list);
        first = false;
    }
    if (!first && pos < len) {
        snprintf(buf + pos, len - pos, ")");
    }
}

static void mem_per_node(const struct kite_ioc_status *st, char *buf, size_t len)
{
    size_t pos = 0;

    buf[0] = '\0';
    for (uint32_t n = 0; n < KITE_HOST_MAX_NODES && pos < len; n++) {
        char it[48];

        if (st->mem_per_node[n] == 0) {
            continue;
        }
        mem_item(st->mem_per_node[n], n, it, sizeof(it));
        pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", pos ? "," : "", it);
    }
    if (pos == 0) {
        snprintf(buf, len, "none");
    }
}

static int cmd_status(struct kitectl *k, int argc, char **argv)
{
    struct kite_ioc_status st;
    char cpus[LIST_MAX * 2], mem[LIST_MAX];
    uint32_t id = 0;
    int ret;

    if (one_instance(k, argc, argv, &id) != 0) {
        return EXIT_USAGE;
    }
    ret = get_status(k, id, &st);
    if (ret != 0) {
        return no_instance(k, ret, id) ? fail_no_instance(k, id) : dev_fail(k, ret, "status");
    }
    st.kargs[sizeof(st.kargs) - 1] = '\0';
    st.panic[sizeof(st.panic) - 1] = '\0';
    cpu_states(&st, cpus, sizeof(cpus));
    mem_per_node(&st, mem, sizeof(mem));
    fprintf(k->out, "instance:   %u\n", id);
    fprintf(k->out, "state:      %s\n", state_name(st.state));
    if (st.loaded) {
        fprintf(k->out, "loaded:     yes (the image spans %" PRIu64 " KiB)\n", st.image_size >> 10);
    } else {
        fprintf(k->out, "loaded:     no\n");
    }
    fprintf(k->out, "cpus:       %s\n", cpus);
    fprintf(k->out, "memory:     %s\n", mem);
    fprintf(k->out, "kargs:      %s\n", st.kargs[0] ? st.kargs : "-");
    if (st.uptime_ns) {
        fprintf(k->out, "uptime:     %" PRIu64 ".%03" PRIu64 " s\n", st.uptime_ns / 1000000000,
                st.uptime_ns / 1000000 % 1000);
    } else {
        fprintf(k->out, "uptime:     -\n");
    }
    if (st.boot_to_ready_ns) {
        fprintf(k->out, "ready in:   %" PRIu64 ".%03" PRIu64 " ms\n", st.boot_to_ready_ns / 1000000,
                st.boot_to_ready_ns / 1000 % 1000);
    } else {
        fprintf(k->out, "ready in:   -\n");
    }
    if (st.heartbeat_age_ns == UINT64_MAX || st.heartbeats == 0) {
        fprintf(k->out, "heartbeat:  none yet\n");
    } else {
        fprintf(k->out, "heartbeat:  %" PRIu64 ".%03" PRIu64 " s ago (%" PRIu64 " beats)\n",
                st.heartbeat_age_ns / 1000000000, st.heartbeat_age_ns / 1000000 % 1000,
                st.heartbeats);
    }
    fprintf(k->out, "panic:      %s\n",
            st.state == KITE_HOST_PANICKED ? (st.panic[0] ? st.panic : "(no message)") : "-");
    if (st.state == KITE_HOST_HALTED) {
        fprintf(k->out, "exit code:  %d\n", st.exit_code);
    } else {
        fprintf(k->out, "exit code:  -\n");
    }
    return 0;
}

static int cmd_list(struct kitectl *k, int argc, char **argv)
{
    struct kite_ioc_list l;
    struct kite_ioc_mem q;
    int ret;

    (void)argv;
    if (argc != 1) {
        return usage(k, "takes no arguments");
    }
    ret = get_list(k, &l);
    if (ret == 0) {
        ret = get_mem(k, &q);
    }
    if (ret != 0) {
        return dev_fail(k, ret, "listing instances");
    }
    if (l.nr == 0) {
        fprintf(k->err, "kitectl: no instances\n");
        return 0;
    }
    fprintf(k->out, "%-8s  %-8s  %-6s  %-12s  %s\n", "INSTANCE", "STATE", "LOADED", "CPUS",
            "MEMORY");
    for (uint32_t i = 0; i < l.nr; i++) {
        struct kite_ioc_status st;
        char cpus[LIST_MAX], mem[LIST_MAX];

        if (get_status(k, l.ids[i], &st) != 0) {
            continue; /* destroyed meanwhile */
        }
        kitectl_format_cpulist(st.cpus, cpus, sizeof(cpus));
        chunk_list(&q, l.ids[i], mem, sizeof(mem));
        fprintf(k->out, "%-8u  %-8s  %-6s  %-12s  %s\n", l.ids[i], state_name(st.state),
                st.loaded ? "yes" : "no", cpus[0] ? cpus : "-", mem[0] ? mem : "-");
    }
    return 0;
}

static int cmd_exec(struct kitectl *k, int argc, char **argv)
{
    uint32_t id, timeout_s = EXEC_TIMEOUT_S;
    char line[KITE_MSG_MAX + 1], *payload;
    struct kite_ioc_exec ex;
    struct kite_ioc_status st;
    bool have_id = false;
    uint64_t deadline;
    size_t len = 0;
    int i, ret;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-t") == 0) {
            if (i + 1 >= argc || kitectl_parse_uint(argv[i + 1], 86400 * 7, &timeout_s) != 0 ||
                timeout_s == 0) {
                return usage(k, "-t takes a timeout in whole seconds (1 to 604800)");
            }
            i++;
        } else if (!have_id) {
            if (parse_instance(k, argv[i], &id) != 0) {
                return EXIT_USAGE;
            }
            have_id = true;
        } else {
            break;
        }
    }
    if (!have_id || i == argc) {
        return usage(k, "expected N and a command");
    }
    for (; i < argc; i++) {
        size_t n = strlen(argv[i]);

        if (strchr(argv[i], '\n')) {
            return fail(k, "the command is one line: \"%s\" holds a newline", argv[i]);
        }
        if (len + n + 1 > KITE_MSG_MAX) {
            return fail(k, "the command is longer than %d bytes", KITE_MSG_MAX);
        }
        if (len) {
            line[len++] = ' ';
        }
        memcpy(line + len, argv[i], n);
        len += n;
    }
    line[len] = '\0';

    memset(&ex, 0, sizeof(ex));
    ex.instance = id;
    ex.len = (uint32_t)len;
    ex.addr = (uintptr_t)line;
    ret = dev(k, KITE_IOC_EXEC, &ex);
    if (ret != 0) {
        if (no_instance(k, ret, id)) {
            return fail_no_instance(k, id);
        }
        if (get_status(k, id, &st) == 0 && st.state != KITE_HOST_RUNNING) {
            return fail(k, "instance %u is %s: commands run only once Kite is running", id,
                        state_name(st.state));
        }
        if (ret == -EAGAIN) {
            return fail(k, "instance %u's command ring is full: Kite is not taking commands", id);
        }
        return dev_fail(k, ret, "sending the command");
    }
    payload = malloc(KITE_MSG_MAX);
    if (!payload) {
        return fail(k, "out of memory");
    }
    deadline = k->ops->now_ms(k->ctx) + (uint64_t)timeout_s * 1000;
    for (;;) {
        uint64_t now = k->ops->now_ms(k->ctx);
        struct kite_ioc_recv r;

        if (now >= deadline) {
            ret = fail(k,
                       "no end of \"%s\" within %u s (it may still run in Kite; -t sets the "
                       "timeout)",
                       line, timeout_s);
            break;
        }
        if (k->ops->interrupted(k->ctx)) {
            ret = fail(k, "interrupted (the command may still run in Kite)");
            break;
        }
        memset(&r, 0, sizeof(r));
        r.instance = id;
        r.timeout_ms = (uint32_t)(deadline - now < 500 ? deadline - now : 500);
        r.addr = (uintptr_t)payload;
        r.len = KITE_MSG_MAX;
        ret = dev(k, KITE_IOC_RECV, &r);
        if (ret == -ETIMEDOUT || ret == -EAGAIN || ret == -EINTR || ret == -EPIPE) {
            /* Nothing yet: is Kite still there to answer? */
            ret = get_status(k, id, &st);
            if (ret != 0) {
                ret = no_instance(k, ret, id) ? fail(k, "instance %u was destroyed", id)
                                              : dev_fail(k, ret, "status");
                break;
            }
            if (st.state == KITE_HOST_PANICKED || st.state == KITE_HOST_HALTED) {
                st.panic[sizeof(st.panic) - 1] = '\0';
                ret = fail(k, "Kite %s before \"%s\" ended%s%s", state_name(st.state), line,
                           st.state == KITE_HOST_PANICKED ? ": " : "",
                           st.state == KITE_HOST_PANICKED ? st.panic : "");
                break;
            }
            continue;
        }
        if (ret != 0) {
            ret = dev_fail(k, ret, "receiving");
            break;
        }
        if (r.seq != ex.seq) {
            continue; /* the end of an earlier command that was given up on */
        }
        if (r.type == KITE_MSG_OUTPUT) {
            fwrite(payload, 1, r.len > KITE_MSG_MAX ? KITE_MSG_MAX : r.len, k->out);
            fflush(k->out);
        } else if (r.type == KITE_MSG_DONE) {
            int32_t status = 0;

            if (r.len >= sizeof(status)) {
                memcpy(&status, payload, sizeof(status));
            }
            /* The shell's status is the exit status; one that is 0 mod 256 still fails. */
            ret = status == 0 ? 0 : (status & 0xff) ? (status & 0xff) : 1;
            break;
        }
    }
    free(payload);
    return ret;
}

/* ---------------------------------------------------------------- up and down */

/* up's completed steps, for undoing them. */
struct undo {
    bool cpus, mem, instance;
    uint64_t mask[KITE_HOST_CPU_WORDS];
    struct kite_ioc_mem chunks;
    uint32_t id;
};

static void undo_up(struct kitectl *k, struct undo *u)
{
    char did[LIST_MAX * 2], list[LIST_MAX];
    size_t pos = 0;
    bool ok = true;

    did[0] = '\0';
    k->step = "undo";
    if (u->instance) {
        if (op_destroy(k, u->id) == 0) {
            pos += (size_t)snprintf(did + pos, sizeof(did) - pos, ", destroyed instance %u", u->id);
        } else {
            ok = false;
        }
    }
    if (u->mem) {
        chunk_list(&u->chunks, -1, list, sizeof(list));
        if (op_release_chunks(k, &u->chunks) == 0) {
            pos += (size_t)snprintf(did + pos, sizeof(did) - pos, ", released %s", list);
        } else {
            ok = false;
        }
    }
    if (u->cpus) {
        kitectl_format_cpulist(u->mask, list, sizeof(list));
        if (op_release_cpu(k, u->mask) == 0) {
            snprintf(did + pos, sizeof(did) - pos, ", released CPU%s %s",
                     kitectl_cpu_count(u->mask) > 1 ? "s" : "", list);
        } else {
            ok = false;
        }
    }
    k->step = NULL;
    if (did[0]) {
        say(k, "undone: %s", did + 2);
    }
    if (!ok) {
        say(k, "some steps could not be undone: kitectl down and kitectl query cpu|mem show what "
               "is left");
    }
}

/* Wait for Kite's "ready": the state says running, or the line is in the log. */
static int wait_ready(struct kitectl *k, uint32_t id, uint32_t secs)
{
    uint64_t end = k->ops->now_ms(k->ctx) + (uint64_t)secs * 1000, pos = 0;
    char *buf = malloc(KMSG_CHUNK + sizeof(READY_TEXT));
    struct kite_ioc_status st;
    size_t keep = 0;
    int ret = EXIT_FAILED;

    if (!buf) {
        return fail(k, "out of memory");
    }
    for (;;) {
        size_t got;
        uint64_t lost;
        int r = get_status(k, id, &st);

        if (r != 0) {
            dev_fail(k, r, "status");
            break;
        }
        if (st.state == KITE_HOST_RUNNING) {
            ret = 0;
            break;
        }
        if (st.state == KITE_HOST_PANICKED) {
            st.panic[sizeof(st.panic) - 1] = '\0';
            fail(k, "Kite panicked while booting: %s", st.panic[0] ? st.panic : "(no message)");
            break;
        }
        if (st.state == KITE_HOST_HALTED) {
            fail(k, "Kite halted while booting (exit code %d)", st.exit_code);
            break;
        }
        /* The log, searched across reads: the last bytes of one read stay for the next. */
        if (kmsg_read(k, id, &pos, buf + keep, KMSG_CHUNK, &got, &lost) == 0 && got > 0) {
            buf[keep + got] = '\0';
            if (memmem(buf, keep + got, READY_TEXT, strlen(READY_TEXT))) {
                ret = 0;
                break;
            }
            size_t total = keep + got;

            keep = total < strlen(READY_TEXT) ? total : strlen(READY_TEXT);
            memmove(buf, buf + total - keep, keep);
        }
        if (k->ops->interrupted(k->ctx)) {
            fail(k, "interrupted while waiting for Kite's ready (state %s)", state_name(st.state));
            break;
        }
        if (k->ops->now_ms(k->ctx) >= end) {
            fail(k, "Kite did not reach ready within %u s (state %s)", secs, state_name(st.state));
            break;
        }
        k->ops->sleep_ms(k->ctx, POLL_MS);
    }
    free(buf);
    if (ret != 0) {
        kmsg_tail(k, id);
    }
    return ret;
}

/* The highest-numbered online CPU other than 0, or -1 after saying why there is none. */
static int default_cpu(struct kitectl *k)
{
    uint64_t online[KITE_HOST_CPU_WORDS];

    if (sys_list(k, SYS_CPU_ONLINE, online) != 0) {
        fail(k, "cannot read " SYS_CPU_ONLINE " to pick a CPU: give -c LIST");
        return -1;
    }
    for (int cpu = KITE_HOST_MAX_CPUS - 1; cpu > 0; cpu--) {
        if (kitectl_cpu_isset(online, (unsigned int)cpu)) {
            return cpu;
        }
    }
    fail(k, "Linux has no online CPU but CPU 0 to give: give -c LIST");
    return -1;
}

static int cmd_up(struct kitectl *k, int argc, char **argv)
{
    const char *cpus = NULL, *mem = NULL, *kargs = NULL, *image = NULL;
    struct kitectl_memreq req[KITE_HOST_MAX_CHUNKS];
    uint64_t mask[KITE_HOST_CPU_WORDS];
    struct kite_image_info info;
    char step[LIST_MAX + 16], defmem[LIST_MAX];
    uint32_t wait_s = UP_WAIT_S;
    struct undo u;
    unsigned int nr = 0;
    size_t len = 0;
    void *img = NULL;
    int ret = EXIT_FAILED;

    for (int i = 1; i < argc; i++) {
        const char **opt = NULL;

        if (strcmp(argv[i], "-c") == 0) {
            opt = &cpus;
        } else if (strcmp(argv[i], "-m") == 0) {
            opt = &mem;
        } else if (strcmp(argv[i], "-k") == 0) {
            opt = &kargs;
        } else if (strcmp(argv[i], "-w") == 0) {
            if (i + 1 >= argc || kitectl_parse_uint(argv[i + 1], 3600, &wait_s) != 0 ||
                wait_s == 0) {
                return usage(k, "-w takes whole seconds (1 to 3600)");
            }
            i++;
            continue;
        } else if (argv[i][0] == '-' || image) {
            return usage(k, "unexpected \"%s\"", argv[i]);
        } else {
            image = argv[i];
            continue;
        }
        if (i + 1 >= argc) {
            return usage(k, "%s needs a value", argv[i]);
        }
        *opt = argv[++i];
    }
    if (!image) {
        return usage(k, "expected an IMAGE (a kite.elf)");
    }
    if (cpus && parse_cpus(k, cpus, mask) != 0) {
        return EXIT_USAGE;
    }
    if (mem && parse_memlist(k, mem, req, &nr) != 0) {
        return EXIT_USAGE;
    }
    /* Everything that can be checked without changing anything, first. */
    if (read_image(k, image, &img, &len, &info) != 0) {
        return EXIT_FAILED;
    }
    if (kargs && strlen(kargs) >= KITE_HOST_KARGS_MAX) {
        free(img);
        return fail(k, "the command line is %zu bytes; at most %d fit", strlen(kargs),
                    KITE_HOST_KARGS_MAX - 1);
    }
    if (!cpus) {
        int cpu = default_cpu(k);

        if (cpu < 0) {
            free(img);
            return EXIT_FAILED;
        }
        memset(mask, 0, sizeof(mask));
        mask[cpu / 64] |= 1ull << (cpu % 64);
    }
    if (!mem) {
        unsigned int cpu = 0;
        int node;

        while (!kitectl_cpu_isset(mask, cpu)) {
            cpu++;
        }
        node = k->ops->cpu_node(k->ctx, cpu);
        req[0].size = UP_MEM_DEFAULT;
        req[0].node = node < 0 || node >= KITE_HOST_MAX_NODES ? 0 : (uint32_t)node;
        nr = 1;
        mem_item(req[0].size, req[0].node, defmem, sizeof(defmem));
        mem = defmem;
    }

    memset(&u, 0, sizeof(u));
    k->step = step;
    kitectl_format_cpulist(mask, defmem, sizeof(defmem));
    snprintf(step, sizeof(step), "reserve cpu %s", defmem);
    if (op_reserve_cpu(k, mask) != 0) {
        goto out_undo;
    }
    u.cpus = true;
    memcpy(u.mask, mask, sizeof(mask));

    snprintf(step, sizeof(step), "reserve mem %s", mem);
    if (op_reserve_mem(k, req, nr, &u.chunks) != 0) {
        goto out_undo;
    }
    u.mem = true;

    snprintf(step, sizeof(step), "create");
    if (op_create(k, &u.id) != 0) {
        goto out_undo;
    }
    u.instance = true;

    snprintf(step, sizeof(step), "assign %u cpu", u.id);
    if (op_assign_cpu(k, u.id, mask) != 0) {
        goto out_undo;
    }
    snprintf(step, sizeof(step), "assign %u mem", u.id);
    {
        struct kite_ioc_mem m = u.chunks; /* the chunks just reserved, in the order asked */

        if (op_assign_chunks(k, u.id, &m) != 0) {
            goto out_undo;
        }
    }
    snprintf(step, sizeof(step), "load %u", u.id);
    if (op_load(k, u.id, image, img, len, &info) != 0) {
        goto out_undo;
    }
    if (kargs) {
        snprintf(step, sizeof(step), "kargs %u", u.id);
        if (op_kargs(k, u.id, kargs) != 0) {
            goto out_undo;
        }
    }
    snprintf(step, sizeof(step), "boot %u", u.id);
    if (op_boot(k, u.id) != 0) {
        goto out_undo;
    }
    snprintf(step, sizeof(step), "wait for ready");
    if (wait_ready(k, u.id, wait_s) != 0) {
        goto out_undo;
    }
    k->step = NULL;
    free(img);
    fprintf(k->out, "%u\n", u.id);
    return 0;

out_undo:
    free(img);
    undo_up(k, &u);
    return ret;
}

/* Shut down, destroy and release instance @id; 0, or EXIT_FAILED after saying what failed. */
static int down_one(struct kitectl *k, uint32_t id)
{
    struct kite_ioc_status st;
    struct kite_ioc_mem q, m;
    char step[64];
    int ret = get_status(k, id, &st);

    k->step = step;
    snprintf(step, sizeof(step), "instance %u", id);
    if (ret != 0) {
        ret = no_instance(k, ret, id) ? fail_no_instance(k, id) : dev_fail(k, ret, "status");
        goto out;
    }
    ret = get_mem(k, &q);
    if (ret != 0) {
        ret = dev_fail(k, ret, "querying memory");
        goto out;
    }
    memset(&m, 0, sizeof(m));
    for (uint32_t i = 0; i < q.nr && i < KITE_HOST_MAX_CHUNKS; i++) {
        if (q.chunk[i].instance == id) {
            m.chunk[m.nr].base = q.chunk[i].base;
            m.chunk[m.nr].size = q.chunk[i].size;
            m.chunk[m.nr].node = q.chunk[i].node;
            m.nr++;
        }
    }
    if (st.state == KITE_HOST_RUNNING || st.state == KITE_HOST_BOOTING) {
        snprintf(step, sizeof(step), "shutdown %u", id);
        /* A Kite that does not halt is stopped by destroy all the same. */
        if (dev(k, KITE_IOC_SHUTDOWN, &id) != 0 || wait_stopped(k, id, SHUTDOWN_WAIT_MS) != 0) {
            say(k, "Kite did not halt within %d s; destroy stops its CPUs",
                SHUTDOWN_WAIT_MS / 1000);
        }
    }
    snprintf(step, sizeof(step), "destroy %u", id);
    ret = op_destroy(k, id);
    if (ret != 0) {
        goto out;
    }
    if (m.nr > 0) {
        snprintf(step, sizeof(step), "release mem (instance %u)", id);
        ret = op_release_chunks(k, &m);
    }
    if (kitectl_cpu_count(st.cpus) > 0) {
        snprintf(step, sizeof(step), "release cpu (instance %u)", id);
        if (op_release_cpu(k, st.cpus) != 0) {
            ret = EXIT_FAILED;
        }
    }
out:
    k->step = NULL;
    return ret;
}

static int cmd_down(struct kitectl *k, int argc, char **argv)
{
    struct kite_ioc_list l;
    uint32_t id = 0;
    int ret, status = 0;

    if (argc > 2) {
        return usage(k, "expected at most one instance number");
    }
    if (argc == 2) {
        if (parse_instance(k, argv[1], &id) != 0) {
            return EXIT_USAGE;
        }
        return down_one(k, id);
    }
    ret = get_list(k, &l);
    if (ret != 0) {
        return dev_fail(k, ret, "listing instances");
    }
    if (l.nr == 0) {
        fprintf(k->err, "kitectl: down: no instances\n");
    }
    for (uint32_t i = 0; i < l.nr; i++) {
        if (down_one(k, l.ids[i]) != 0) {
            status = EXIT_FAILED;
        }
    }
    return status;
}

/* ---------------------------------------------------------------- the table */

struct command {
    const char *name;
    int (*run)(struct kitectl *k, int argc, char **argv);
    const char *usage; /* lines without "kitectl ", each with its summary */
};

static int cmd_help(struct kitectl *k, int argc, char **argv);

static const struct command commands[] = {
    {"reserve", cmd_reserve,
     "reserve cpu LIST         take CPUs from Linux (hot-unplug); never CPU 0\n"
     "reserve mem MEMLIST      take memory chunks, SIZE@NODE each"},
    {"release", cmd_release,
     "release cpu LIST|all     give reserved CPUs back to Linux\n"
     "release mem MEMLIST|all  give reserved chunks back (all: every unassigned one)"},
    {"query", cmd_query,
     "query cpu                the reserved CPUs, as a LIST\n"
     "query mem                the reserved chunks and the pool's free memory per node\n"
     "query N cpu|mem          instance N's CPUs (a LIST) or memory (a MEMLIST)"},
    {"create", cmd_create, "create                   make an instance; prints its number"},
    {"destroy", cmd_destroy,
     "destroy N                stop instance N (even if hung) and delete it; its CPUs and\n"
     "                         memory stay reserved"},
    {"assign", cmd_assign,
     "assign N cpu LIST        give reserved CPUs to instance N (the lowest starts Kite)\n"
     "assign N mem MEMLIST|all give reserved chunks to instance N (the first holds the image)"},
    {"load", cmd_load, "load N IMAGE             check IMAGE (a kite.elf) and load it into N"},
    {"kargs", cmd_kargs, "kargs N \"ARGS\"           set Kite's command line"},
    {"boot", cmd_boot, "boot N                   start Kite on instance N"},
    {"shutdown", cmd_shutdown, "shutdown N               ask Kite to power off; wait up to 5 s"},
    {"kmsg", cmd_kmsg,
     "kmsg N [-f]              print Kite's log; -f follows it until Kite halts, panics\n"
     "                         or is destroyed, or until interrupted"},
    {"status", cmd_status,
     "status N                 state (created, booting, running, panicked, halted), image,\n"
     "                         CPUs, memory per node, uptime, heartbeat, panic, exit code"},
    {"exec", cmd_exec,
     "exec N [-t SECONDS] CMD...\n"
     "                         run CMD in Kite's shell, print its output, exit with its\n"
     "                         status; -t: give up after SECONDS (default 600)"},
    {"list", cmd_list, "list                     every instance: state, CPUs, memory"},
    {"up", cmd_up,
     "up [-c LIST] [-m MEMLIST] [-k \"ARGS\"] [-w SECONDS] IMAGE\n"
     "                         reserve, create, assign, load, kargs, boot and wait up to\n"
     "                         SECONDS (default 30) for Kite's ready; prints the instance\n"
     "                         number; on any failure undoes every completed step.\n"
     "                         Defaults: -c the highest-numbered online CPU but 0,\n"
     "                         -m 256M on that CPU's node"},
    {"down", cmd_down,
     "down [N]                 shut down, destroy and release instance N's CPUs and memory\n"
     "                         (without N: every instance)"},
    {"help", cmd_help, "help [COMMAND]           this text, or one command's"},
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; name && i < NR_COMMANDS; i++) {
        if (strcmp(commands[i].name, name) == 0) {
            return &commands[i];
        }
    }
    return NULL;
}

/*
 * One command's usage lines after @first ("usage: kitectl "): each form
 * starts with "kitectl " under the first one, summaries stay aligned.
 */
static void print_command(const struct command *c, FILE *to, const char *first)
{
    int indent = (int)strlen(first);
    const char *p = c->usage;

    for (bool head = true; *p; head = false) {
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);

        if (head) {
            fprintf(to, "%s", first);
        } else if (p[0] == ' ') {
            fprintf(to, "%*s", indent, "");
        } else {
            fprintf(to, "%*skitectl ", indent - 8, "");
        }
        fprintf(to, "%.*s\n", n, p);
        p += n + (nl ? 1 : 0);
    }
}

static void print_usage(struct kitectl *k, const char *name, FILE *to)
{
    const struct command *c = find_command(name);

    (void)k;
    if (c) {
        print_command(c, to, "usage: kitectl ");
    }
}

static const char help_head[] =
    "usage: kitectl COMMAND [ARGS]\n"
    "\n"
    "Runs Kite as a co-kernel beside Linux through kite_host.ko (" KITE_HOST_DEVICE "):\n"
    "reserve CPUs and memory, create an instance, assign them, load kite.elf, boot it,\n"
    "watch it, and give everything back. Reservations stay until released, whoever\n"
    "made them; a failed command changes nothing.\n"
    "\n";

static const char help_tail[] =
    "\n"
    "LIST     CPU numbers and ranges, as Linux numbers them: 2,3 or 2-5 or 1,4-6\n"
    "MEMLIST  SIZE@NODE items: 256M@1 or 256M@1,512M@0. Each item is one physically\n"
    "         contiguous chunk on NUMA node NODE; SIZE is a multiple of 2 MiB, in bytes\n"
    "         or with a K, M, G or T suffix; repeat an item for several chunks.\n"
    "\n"
    "Exit status: 0 done, 1 failed (the message says why; dmesg has the module's\n"
    "side), 2 bad usage; exec exits with the command's status.\n"
    "\n"
    "Example:\n"
    "  kitectl reserve cpu 2,3 && kitectl reserve mem 256M@1\n"
    "  id=$(kitectl create) && kitectl assign $id cpu 2,3 && kitectl assign $id mem all\n"
    "  kitectl load $id kite.elf && kitectl kargs $id \"kite.test=all\" && kitectl boot $id\n"
    "  kitectl kmsg $id -f; kitectl destroy $id; kitectl release cpu 2,3; kitectl release "
    "mem all\n"
    "or, in one go: id=$(kitectl up -c 2,3 -m 256M@1 kite.elf) ... kitectl down $id\n";

static void print_help(FILE *to)
{
    fputs(help_head, to);
    for (size_t i = 0; i < NR_COMMANDS; i++) {
        print_command(&commands[i], to, "  kitectl ");
    }
    fputs(help_tail, to);
}

static int cmd_help(struct kitectl *k, int argc, char **argv)
{
    const struct command *c;

    if (argc == 1) {
        print_help(k->out);
        return 0;
    }
    c = find_command(argv[1]);
    if (argc > 2 || !c) {
        return usage(k, "expected no argument or a command name");
    }
    print_command(c, k->out, "usage: kitectl ");
    return 0;
}

int kitectl_run(struct kitectl *k, int argc, char **argv)
{
    const struct command *c;

    k->cmd = NULL;
    k->step = NULL;
    if (argc < 1) {
        print_help(k->err);
        return EXIT_USAGE;
    }
    if (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0) {
        print_help(k->out);
        return 0;
    }
    c = find_command(argv[0]);
    if (!c) {
        fprintf(k->err, "kitectl: unknown command \"%s\" (kitectl help lists them)\n", argv[0]);
        return EXIT_USAGE;
    }
    k->cmd = c->name;
    return c->run(k, argc, argv);
}
