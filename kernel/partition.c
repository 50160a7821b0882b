/* SPDX-License-Identifier: MIT */
/*
 * Co-kernel mode (see <kite/partition.h>): taking the boot params, the
 * console ring, the state words and heartbeat the host watches, and the
 * service that runs the host's commands (`kitectl exec`).
 *
 * The host's commands arrive on the host-to-Kite ring with an IPI on the
 * vector published in the params. One service thread on CPU 0 takes them
 * one at a time: it runs the command in a thread of its own and, while it
 * runs, forwards what Kite logs (the console ring's new bytes) to the host
 * as output messages; then a done message with the command's status.
 */
#define KITE_LOG_PREFIX "partition: "

#include <kite/arch.h>
#include <kite/bootinfo.h>
#include <kite/console.h>
#include <kite/numa.h>
#include <kite/partition.h>
#include <kite/power.h>
#include <kite/printk.h>
#include <kite/shell.h>
#include <kite/string.h>
#include <kite/sync.h>
#include <kite/thread.h>
#include <kite/timer.h>

#define EARLY_MAP_END (4ull << 30)
#define HEARTBEAT_NS  (100 * KITE_NSEC_PER_MSEC)
#define FORWARD_NS    (20 * KITE_NSEC_PER_MSEC)
#define ROOM_WAIT_NS  (10 * KITE_NSEC_PER_SEC) /* a host that reads nothing for this long */
#define SERVICE_STACK (64u << 10)

struct kite_boot_params *kite_bp;

static struct kite_ring *ring_at(uint64_t off)
{
    return (struct kite_ring *)((uint8_t *)kite_bp + off);
}

static uint8_t *ring_data(struct kite_ring *r)
{
    return (uint8_t *)r + r->data_off;
}

/* Copy @len bytes at ring position @pos out of (@to_ring false) or into @r's data. */
static void ring_copy(struct kite_ring *r, uint64_t pos, void *buf, size_t len, bool to_ring)
{
    uint8_t *data = ring_data(r), *b = buf;
    uint64_t mask = r->size - 1;

    for (size_t i = 0; i < len; i++) {
        if (to_ring) {
            data[(pos + i) & mask] = b[i];
        } else {
            b[i] = data[(pos + i) & mask];
        }
    }
}

/* ---------------------------------------------------------------- boot */

static KITE_NORETURN void refuse(struct kite_boot_params *bp, const char *why)
{
    /* Nothing of the host's may be touched, not even its serial port: say it in the params. */
    if (bp && bp->magic == KITE_BP_MAGIC) {
        kite_snprintf(bp->panic, sizeof(bp->panic), "boot params refused: %s", why);
        __atomic_store_n(&bp->state, KITE_BP_PANICKED, __ATOMIC_RELEASE);
    }
    arch_halt_forever();
}

void kite_partition_init(void)
{
    struct kite_boot_params *bp;
    uint64_t phys = kite_boot.boot_params;
    char err[200];

    if (!kite_boot.has_boot_params) {
        return;
    }
    if (phys == 0 || phys % 4096 || phys + sizeof(*bp) > EARLY_MAP_END) {
        refuse(NULL, "address");
    }
    bp = (struct kite_boot_params *)(uintptr_t)phys;
    if (kite_bp_check(bp, phys, EARLY_MAP_END - phys, err, sizeof(err))) {
        refuse(bp, err);
    }
    kite_bp = bp;
    bp->entry_tsc = arch_boot_tsc;
    arch_time_set_khz(bp->tsc_khz, "the host");
    kite_partition_cpu_state(bp->cpus[0].apic_id, KITE_CPU_ONLINE);
    kite_pr_info("co-kernel instance %u: %u CPUs, %u memory ranges, %u nodes; shared region "
                 "%#llx (%llu KiB), SIPI page %#llx\n",
                 bp->instance, bp->nr_cpus, bp->nr_mem, bp->nr_nodes,
                 (unsigned long long)bp->shared_phys, (unsigned long long)bp->shared_size >> 10,
                 (unsigned long long)bp->sipi_page);
}

void kite_partition_cpu_state(uint32_t apic_id, uint32_t state)
{
    if (!kite_bp) {
        return;
    }
    for (uint32_t i = 0; i < kite_bp->nr_cpus; i++) {
        if (kite_bp->cpus[i].apic_id == apic_id) {
            __atomic_store_n(&kite_bp->cpu_state[i], state, __ATOMIC_RELEASE);
        }
    }
}

void kite_partition_stop(bool panicked, int code, const char *reason)
{
    if (!kite_bp) {
        return;
    }
    for (uint32_t i = 0; i < kite_bp->nr_cpus; i++) {
        if (kite_bp->cpu_state[i] == KITE_CPU_ONLINE ||
            kite_bp->cpu_state[i] == KITE_CPU_STARTING) {
            __atomic_store_n(&kite_bp->cpu_state[i], KITE_CPU_STOPPED, __ATOMIC_RELEASE);
        }
    }
    if (panicked) {
        kite_snprintf(kite_bp->panic, sizeof(kite_bp->panic), "%s", reason ? reason : "panic");
    }
    kite_bp->exit_code = code;
    __atomic_store_n(&kite_bp->state, panicked ? KITE_BP_PANICKED : KITE_BP_HALTED,
                     __ATOMIC_RELEASE);
}

/* ---------------------------------------------------------------- console ring */

static int ring_setup(bool early)
{
    (void)early;
    return kite_bp ? KITE_CONSOLE_ON : KITE_CONSOLE_OFF;
}

/* printk's lock orders the writers. The host never waits for: it reads what is still there. */
static void ring_write(const char *s, size_t len)
{
    struct kite_ring *r = ring_at(kite_bp->console_off);
    uint64_t head = r->head;

    ring_copy(r, head, (void *)(uintptr_t)s, len, true);
    __atomic_store_n(&r->head, head + len, __ATOMIC_RELEASE);
}

KITE_CONSOLE(ring, {.name = "host ring", .setup = ring_setup, .write = ring_write});

/* ---------------------------------------------------------------- messages */

static struct kite_sem kick = KITE_SEM_INIT(0);
static struct kite_timer heartbeat;
static uint8_t payload[KITE_MSG_MAX];

static void beat(struct kite_timer *t, void *arg)
{
    (void)t;
    (void)arg;
    kite_bp->heartbeat_tsc = arch_tsc();
    kite_bp->heartbeats++;
    if (__atomic_load_n(&kite_bp->request, __ATOMIC_ACQUIRE) & KITE_BP_REQ_SHUTDOWN) {
        kite_sem_up(&kick); /* also without the IPI */
    }
}

static void host_ipi(struct arch_regs *regs, void *ctx)
{
    (void)regs;
    (void)ctx;
    arch_irq_eoi();
    kite_sem_up(&kick);
}

/* The next host message into @m and payload[]; false when none is complete. */
static bool receive(struct kite_msg *m)
{
    struct kite_ring *r = ring_at(kite_bp->h2k_off);
    uint64_t tail = r->tail, head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
    uint64_t rec;

    if (head - tail < sizeof(*m)) {
        return false;
    }
    ring_copy(r, tail, m, sizeof(*m), false);
    rec = sizeof(*m) + KITE_ALIGN_UP((uint64_t)m->len, 8);
    if (m->len > KITE_MSG_MAX || rec > r->size || head - tail > r->size) {
        kite_pr_err("host message of type %u, %u bytes, ring %llu bytes ahead: expected at most "
                    "%u bytes within the ring; dropping what is queued\n",
                    m->type, m->len, (unsigned long long)(head - tail), KITE_MSG_MAX);
        __atomic_store_n(&r->tail, head, __ATOMIC_RELEASE);
        return false;
    }
    if (head - tail < rec) {
        return false;
    }
    ring_copy(r, tail + sizeof(*m), payload, m->len, false);
    __atomic_store_n(&r->tail, tail + rec, __ATOMIC_RELEASE);
    return true;
}

/* Queue a message for the host, waiting for room; false when the host reads nothing. */
static bool send(uint32_t type, uint64_t seq, const void *data, uint32_t len)
{
    struct kite_ring *r = ring_at(kite_bp->k2h_off);
    struct kite_msg m = {.type = type, .len = len, .seq = seq};
    uint64_t rec = sizeof(m) + KITE_ALIGN_UP((uint64_t)len, 8), head = r->head;
    uint64_t give_up = kite_time_ns() + ROOM_WAIT_NS;

    while (r->size - (head - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE)) < rec) {
        if (kite_time_ns() > give_up) {
            return false;
        }
        kite_sleep_ns(KITE_NSEC_PER_MSEC);
    }
    ring_copy(r, head, &m, sizeof(m), true);
    ring_copy(r, head + sizeof(m), (void *)(uintptr_t)data, len, true);
    __atomic_store_n(&r->head, head + rec, __ATOMIC_RELEASE);
    return true;
}

/* Send what the console ring got since @pos as output of command @seq; the new position. */
static uint64_t forward(uint64_t pos, uint64_t seq)
{
    struct kite_ring *c = ring_at(kite_bp->console_off);
    uint64_t head = __atomic_load_n(&c->head, __ATOMIC_ACQUIRE);
    static char chunk[KITE_MSG_MAX];

    if (head - pos > c->size) {
        pos = head - c->size; /* overwritten before it could go: the host's kmsg says so too */
    }
    while (pos < head) {
        uint32_t n = (uint32_t)KITE_MIN(head - pos, (uint64_t)sizeof(chunk));

        ring_copy(c, pos, chunk, n, false);
        if (!send(KITE_MSG_OUTPUT, seq, chunk, n)) {
            return head;
        }
        pos += n;
    }
    return pos;
}

struct job {
    char line[KITE_SHELL_LINE_MAX];
    volatile bool done;
    int status;
};

static void *run_job(void *arg)
{
    struct job *j = arg;

    j->status = kite_shell_run(j->line);
    __atomic_store_n(&j->done, true, __ATOMIC_RELEASE);
    return NULL;
}

static void execute(const struct kite_msg *m)
{
    /* On CPU 0, as a command typed at boot would run (tests expect to start there). */
    struct kite_thread_attr attr = {.cpu = 0, .name = "host-command"};
    struct kite_ring *c = ring_at(kite_bp->console_off);
    static struct job job;
    uint64_t pos = __atomic_load_n(&c->head, __ATOMIC_ACQUIRE);
    struct kite_thread *t;
    int32_t status;

    memcpy(job.line, payload, KITE_MIN((size_t)m->len, sizeof(job.line) - 1));
    job.line[KITE_MIN((size_t)m->len, sizeof(job.line) - 1)] = '\0';
    job.done = false;
    kite_pr_info("host command %llu: %s\n", (unsigned long long)m->seq, job.line);
    if (kite_thread_create(&t, run_job, &job, &attr)) {
        status = -1;
        kite_pr_err("host command %llu: no memory for its thread\n", (unsigned long long)m->seq);
    } else {
        while (!__atomic_load_n(&job.done, __ATOMIC_ACQUIRE)) {
            pos = forward(pos, m->seq);
            kite_sleep_ns(FORWARD_NS);
        }
        status = kite_thread_join(t, NULL) ? -1 : job.status;
    }
    (void)forward(pos, m->seq);
    if (!send(KITE_MSG_DONE, m->seq, &status, sizeof(status))) {
        kite_pr_warn("host command %llu: the host reads no replies\n", (unsigned long long)m->seq);
    }
}

static void *service(void *arg)
{
    struct kite_msg m;

    (void)arg;
    for (;;) {
        kite_sem_down(&kick);
        if (__atomic_load_n(&kite_bp->request, __ATOMIC_ACQUIRE) & KITE_BP_REQ_SHUTDOWN) {
            kite_pr_info("the host asks for a shutdown\n");
            kite_poweroff(KITE_EXIT_SUCCESS);
        }
        while (receive(&m)) {
            if (m.type == KITE_MSG_EXEC) {
                execute(&m);
            } else {
                kite_pr_warn("host message of type %u: expected %u (exec); ignored\n", m.type,
                             KITE_MSG_EXEC);
            }
        }
    }
    return NULL;
}

void kite_partition_ready(void)
{
    struct kite_thread_attr attr = {.cpu = 0, .name = "host-service", .stack_size = SERVICE_STACK};
    struct kite_thread *t;
    int vec;

    if (!kite_bp) {
        return;
    }
    vec = arch_irq_alloc_vector(host_ipi, NULL);
    if (vec < 0 || kite_thread_create(&t, service, NULL, &attr)) {
        kite_pr_err("no vector or thread for the host's messages: kitectl exec will not work\n");
    } else {
        kite_bp->kite_apic_id = kite_numa_cpu_apic_id(0);
        __atomic_store_n(&kite_bp->kite_vector, (uint32_t)vec, __ATOMIC_RELEASE);
    }
    kite_timer_init(&heartbeat, beat, NULL);
    beat(&heartbeat, NULL);
    if (kite_timer_start(&heartbeat, 0, HEARTBEAT_NS, HEARTBEAT_NS)) {
        kite_pr_err("no heartbeat timer: the host will see the heartbeat stop\n");
    }
    kite_bp->ready_tsc = arch_tsc();
    __atomic_store_n(&kite_bp->state, KITE_BP_RUNNING, __ATOMIC_RELEASE);
}
