/* SPDX-License-Identifier: MIT */
/*
 * A plain C runtime on Kite's own API (include/kite/): it prints its
 * arguments, starts one thread bound to each CPU, lets each sum the squares
 * of its share of 1..HELLO_N once all are started (a semaphore), joins them,
 * prints each share and checks the total against n(n+1)(2n+1)/6. kite_main's return value is the
 * image's exit status (0: the total was right).
 *
 *     make EXT=rt/examples/hello iso
 *     scripts/mkiso.sh build/kite.elf /tmp/hello.iso 'kite.args="one two" -- three'
 *     scripts/qemu.sh --iso /tmp/hello.iso --smp 2 --timeout 30; echo "QEMU status $?"
 *
 * kite.mk sets HELLO_N with ext-cflags, to show flags given to these sources only.
 */
#define KITE_LOG_PREFIX "hello: "

#include <kite/errno.h>
#include <kite/kite.h>
#include <kite/numa.h>
#include <kite/printk.h>
#include <kite/sync.h>
#include <kite/thread.h>

#ifndef HELLO_N
#define HELLO_N 1000
#endif
#define MAX_WORKERS 64

struct share {
    struct kite_thread *thread;
    unsigned int cpu;
    uint64_t first, last; /* this worker's numbers, inclusive */
    uint64_t sum;         /* written by the worker, read after the join */
};

static struct share shares[MAX_WORKERS];
/* One unit per worker once the shares are set: a worker starts before it is known how many. */
static struct kite_sem go = KITE_SEM_INIT(0);

static void *sum_squares(void *arg)
{
    struct share *s = arg;
    uint64_t sum = 0;

    kite_sem_down(&go);

    for (uint64_t i = s->first; i <= s->last; i++) {
        sum += i * i;
    }
    s->sum = sum;
    return NULL;
}

/* The CPUs Kite knows, node by node; returns how many (at most @max). */
static unsigned int list_cpus(unsigned int *cpus, unsigned int max)
{
    unsigned int n = 0;

    for (unsigned int node = 0; node < kite_numa_node_count() && n < max; node++) {
        unsigned int got = kite_numa_node_cpus((int)node, cpus + n, max - n);

        n += got < max - n ? got : max - n;
    }
    return n;
}

int kite_main(int argc, char **argv)
{
    unsigned int cpus[MAX_WORKERS], ncpus, workers = 0;
    uint64_t n = HELLO_N, total = 0, want = n * (n + 1) * (2 * n + 1) / 6;

    kite_pr_info("%d argument%s after argv[0] = %s\n", argc - 1, argc == 2 ? "" : "s", argv[0]);
    for (int i = 1; i < argc; i++) {
        kite_pr_info("argv[%d] = %s\n", i, argv[i]);
    }

    ncpus = list_cpus(cpus, MAX_WORKERS);
    for (unsigned int i = 0; i < ncpus; i++) {
        struct share *s = &shares[workers];
        struct kite_thread_attr attr = {.cpu = (int)cpus[i], .name = "hello-worker"};
        int err;

        s->cpu = cpus[i];
        err = kite_thread_create(&s->thread, sum_squares, s, &attr);
        if (err == -KITE_ENODEV) {
            continue; /* listed by the firmware but not started */
        }
        if (err) {
            kite_pr_err("no thread for CPU %u: %s\n", cpus[i], kite_strerror(err));
            break;
        }
        workers++;
    }
    if (workers == 0) {
        kite_pr_err("no worker started\n");
        return 1;
    }
    for (unsigned int w = 0; w < workers; w++) {
        shares[w].first = n * w / workers + 1;
        shares[w].last = n * (w + 1) / workers;
    }
    for (unsigned int w = 0; w < workers; w++) {
        kite_sem_up(&go);
    }
    for (unsigned int w = 0; w < workers; w++) {
        struct share *s = &shares[w];

        if (kite_thread_join(s->thread, NULL) != 0) {
            kite_pr_err("could not join the worker on CPU %u\n", s->cpu);
            return 1;
        }
        kite_pr_info("CPU %u: squares of %llu..%llu sum to %llu\n", s->cpu,
                     (unsigned long long)s->first, (unsigned long long)s->last,
                     (unsigned long long)s->sum);
        total += s->sum;
    }
    if (total != want) {
        kite_pr_err("%u workers: total %llu, expected %llu\n", workers, (unsigned long long)total,
                    (unsigned long long)want);
        return 1;
    }
    kite_pr_info("%u workers: total %llu, as expected\n", workers, (unsigned long long)total);
    return 0;
}
