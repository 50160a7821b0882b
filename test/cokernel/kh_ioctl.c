/* SPDX-License-Identifier: MIT */
/*
 * kh_ioctl: a thin, unchecking front end to /dev/kite for the co-kernel
 * test. Where kitectl checks its input before it calls the module, this
 * passes what it is given straight to the ioctl, so the guest test can show
 * that kite_host.ko itself refuses bad arguments. One command per run; it
 * prints results on stdout and "kh_ioctl: NAME: strerror" on failure, and
 * exits 0 only when the ioctl succeeded.
 *
 *   kh_ioctl reserve-cpu N[,N...] | release-cpu N[,...] | query-cpu
 *   kh_ioctl reserve-mem SIZE_MIB@NODE[,...]   (prints each chunk's base)
 *   kh_ioctl release-mem [BASE...] | query-mem
 *   kh_ioctl create | destroy ID | list | boot ID | shutdown ID | status ID
 *   kh_ioctl assign-cpu ID N[,...] | assign-mem ID BASE[,...]
 *   kh_ioctl load ID FILE | kargs ID TEXT | kmsg ID
 *   kh_ioctl run ID TIMEOUT_MS COMMAND   (exec, then print output until DONE;
 *                                         exits with the command's status)
 *   kh_ioctl bad-ioctl | raw-cpus reserve|release W0 W1 W2 W3 | raw-kargs ID ADDR LEN
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kite/abi/bootparams.h>
#include <kite_host.h>

static int fd = -1;

static int call(const char *name, unsigned long req, void *arg)
{
    if (ioctl(fd, req, arg) < 0) {
        fprintf(stderr, "kh_ioctl: %s: %s\n", name, strerror(errno));
        return -1;
    }
    return 0;
}

static uint64_t num(const char *s)
{
    return strtoull(s, NULL, 0);
}

static void cpus(const char *list, uint64_t mask[KITE_HOST_CPU_WORDS])
{
    char *copy = strdup(list), *save = NULL;

    memset(mask, 0, KITE_HOST_CPU_WORDS * sizeof(mask[0]));
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        unsigned long c = strtoul(t, NULL, 0);

        if (c < KITE_HOST_MAX_CPUS) {
            mask[c / 64] |= 1ull << (c % 64);
        }
    }
    free(copy);
}

static int cpu_cmd(unsigned long req, const char *name, uint32_t id, const char *list)
{
    struct kite_ioc_cpus c = {.instance = id};

    cpus(list, c.mask);
    return call(name, req, &c);
}

static int mem_cmd(unsigned long req, const char *name, uint32_t id, int argc, char **argv)
{
    static struct kite_ioc_mem m;
    int ret;

    memset(&m, 0, sizeof(m));
    m.instance = id;
    for (int i = 0; i < argc; i++) {
        char *copy = strdup(argv[i]), *save = NULL;

        for (char *t = strtok_r(copy, ",", &save); t && m.nr < KITE_HOST_MAX_CHUNKS;
             t = strtok_r(NULL, ",", &save)) {
            struct kite_ioc_chunk *c = &m.chunk[m.nr++];
            char *at = strchr(t, '@');

            if (req == KITE_IOC_RESERVE_MEM) {
                c->size = num(t) << 20;
                c->node = at ? atoi(at + 1) : 0;
            } else {
                c->base = num(t);
            }
        }
        free(copy);
    }
    ret = call(name, req, &m);
    if (ret == 0 && req == KITE_IOC_RESERVE_MEM) {
        for (uint32_t i = 0; i < m.nr; i++) {
            printf("0x%llx\n", (unsigned long long)m.chunk[i].base);
        }
    }
    return ret;
}

static int query_mem(void)
{
    static struct kite_ioc_mem m;

    if (call("query-mem", KITE_IOC_QUERY_MEM, &m) < 0) {
        return -1;
    }
    for (uint32_t i = 0; i < m.nr; i++) {
        printf("chunk 0x%llx %llu MiB node %d instance %u source %u\n",
               (unsigned long long)m.chunk[i].base, (unsigned long long)m.chunk[i].size >> 20,
               m.chunk[i].node, m.chunk[i].instance, m.chunk[i].source);
    }
    for (int n = 0; n < KITE_HOST_MAX_NODES; n++) {
        if (m.pool_total[n]) {
            printf("node %d pool %llu MiB free %llu MiB\n", n,
                   (unsigned long long)m.pool_total[n] >> 20,
                   (unsigned long long)m.pool_free[n] >> 20);
        }
    }
    return 0;
}

static int buf_cmd(unsigned long req, const char *name, uint32_t id, const void *p, size_t len)
{
    struct kite_ioc_buf b = {.instance = id, .addr = (uintptr_t)p, .len = len};

    return call(name, req, &b);
}

static int load(uint32_t id, const char *path)
{
    FILE *f = fopen(path, "rb");
    static char buf[KITE_HOST_IMAGE_MAX + 1];
    size_t len;

    if (!f) {
        fprintf(stderr, "kh_ioctl: load: %s: %s\n", path, strerror(errno));
        return -1;
    }
    len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    return buf_cmd(KITE_IOC_LOAD, "load", id, buf, len);
}

static const char *const state_names[] = {"created", "booting", "running", "panicked", "halted"};

static int status(uint32_t id)
{
    static struct kite_ioc_status s;

    memset(&s, 0, sizeof(s));
    s.instance = id;
    if (call("status", KITE_IOC_STATUS, &s) < 0) {
        return -1;
    }
    printf("state %s\n", s.state < 5 ? state_names[s.state] : "?");
    printf("loaded %u image %llu\n", s.loaded, (unsigned long long)s.image_size);
    printf("cpus 0x%llx\n", (unsigned long long)s.cpus[0]);
    for (int c = 0; c < 64; c++) {
        if (s.cpus[0] & (1ull << c)) {
            printf("cpu %d state %u\n", c, s.cpu_state[c]);
        }
    }
    for (int n = 0; n < KITE_HOST_MAX_NODES; n++) {
        if (s.mem_per_node[n]) {
            printf("mem node %d %llu MiB\n", n, (unsigned long long)s.mem_per_node[n] >> 20);
        }
    }
    printf("uptime_ms %llu\n", (unsigned long long)(s.uptime_ns / 1000000));
    printf("boot_to_ready_us %llu\n", (unsigned long long)(s.boot_to_ready_ns / 1000));
    if (s.heartbeat_age_ns == UINT64_MAX) {
        printf("heartbeat none\n");
    } else {
        printf("heartbeat_age_ms %llu heartbeats %llu\n",
               (unsigned long long)(s.heartbeat_age_ns / 1000000),
               (unsigned long long)s.heartbeats);
    }
    printf("exit_code %d\n", s.exit_code);
    printf("kargs %s\n", s.kargs);
    printf("panic %s\n", s.panic);
    return 0;
}

static int kmsg(uint32_t id)
{
    static char buf[1 << 16];
    struct kite_ioc_kmsg k = {.instance = id, .addr = (uintptr_t)buf};

    for (;;) {
        k.len = sizeof(buf);
        if (call("kmsg", KITE_IOC_KMSG, &k) < 0) {
            return -1;
        }
        if (k.lost) {
            printf("[%llu bytes lost]\n", (unsigned long long)k.lost);
        }
        if (k.len == 0) {
            return 0;
        }
        fwrite(buf, 1, k.len, stdout);
    }
}

static int run(uint32_t id, uint32_t timeout_ms, const char *cmd)
{
    static char buf[KITE_MSG_MAX];
    struct kite_ioc_exec e = {.instance = id, .len = (uint32_t)strlen(cmd), .addr = (uintptr_t)cmd};

    if (call("exec", KITE_IOC_EXEC, &e) < 0) {
        return -1;
    }
    for (;;) {
        struct kite_ioc_recv r = {
            .instance = id, .timeout_ms = timeout_ms, .addr = (uintptr_t)buf, .len = sizeof(buf)};

        if (call("recv", KITE_IOC_RECV, &r) < 0) {
            return -1;
        }
        if (r.seq != e.seq) {
            fprintf(stderr, "kh_ioctl: run: a message for command %llu, not %llu\n",
                    (unsigned long long)r.seq, (unsigned long long)e.seq);
            continue;
        }
        if (r.type == KITE_MSG_OUTPUT) {
            fwrite(buf, 1, r.len, stdout);
            fflush(stdout);
        } else if (r.type == KITE_MSG_DONE) {
            int32_t st = 0;

            memcpy(&st, buf, r.len >= 4 ? 4 : 0);
            printf("\n[done: status %d]\n", st);
            return st == 0 ? 0 : -1;
        }
    }
}

int main(int argc, char **argv)
{
    const char *c;
    uint32_t id;
    int ret = -1;

    if (argc < 2) {
        fprintf(stderr, "usage: see the top of kh_ioctl.c\n");
        return 2;
    }
    fd = open(KITE_HOST_DEVICE, O_RDWR);
    if (fd < 0) {
        fprintf(stderr, "kh_ioctl: %s: %s\n", KITE_HOST_DEVICE, strerror(errno));
        return 1;
    }
    c = argv[1];
    id = argc > 2 ? (uint32_t)num(argv[2]) : 0;
    if (!strcmp(c, "reserve-cpu") && argc == 3) {
        ret = cpu_cmd(KITE_IOC_RESERVE_CPU, c, 0, argv[2]);
    } else if (!strcmp(c, "release-cpu") && argc == 3) {
        ret = cpu_cmd(KITE_IOC_RELEASE_CPU, c, 0, argv[2]);
    } else if (!strcmp(c, "query-cpu")) {
        struct kite_ioc_cpus q = {0};

        ret = call(c, KITE_IOC_QUERY_CPU, &q);
        for (int i = 0; ret == 0 && i < KITE_HOST_MAX_CPUS; i++) {
            if (q.mask[i / 64] & (1ull << (i % 64))) {
                printf("%d\n", i);
            }
        }
    } else if (!strcmp(c, "reserve-mem") && argc >= 3) {
        ret = mem_cmd(KITE_IOC_RESERVE_MEM, c, 0, argc - 2, argv + 2);
    } else if (!strcmp(c, "release-mem")) {
        ret = mem_cmd(KITE_IOC_RELEASE_MEM, c, 0, argc - 2, argv + 2);
    } else if (!strcmp(c, "query-mem")) {
        ret = query_mem();
    } else if (!strcmp(c, "create")) {
        ret = call(c, KITE_IOC_CREATE, &id);
        if (ret == 0) {
            printf("%u\n", id);
        }
    } else if (!strcmp(c, "destroy") && argc == 3) {
        ret = call(c, KITE_IOC_DESTROY, &id);
    } else if (!strcmp(c, "boot") && argc == 3) {
        ret = call(c, KITE_IOC_BOOT, &id);
    } else if (!strcmp(c, "shutdown") && argc == 3) {
        ret = call(c, KITE_IOC_SHUTDOWN, &id);
    } else if (!strcmp(c, "status") && argc == 3) {
        ret = status(id);
    } else if (!strcmp(c, "list")) {
        struct kite_ioc_list l = {0};

        ret = call(c, KITE_IOC_LIST, &l);
        for (uint32_t i = 0; ret == 0 && i < l.nr; i++) {
            printf("%u\n", l.ids[i]);
        }
    } else if (!strcmp(c, "assign-cpu") && argc == 4) {
        ret = cpu_cmd(KITE_IOC_ASSIGN_CPU, c, id, argv[3]);
    } else if (!strcmp(c, "assign-mem") && argc >= 4) {
        ret = mem_cmd(KITE_IOC_ASSIGN_MEM, c, id, argc - 3, argv + 3);
    } else if (!strcmp(c, "load") && argc == 4) {
        ret = load(id, argv[3]);
    } else if (!strcmp(c, "kargs") && argc == 4) {
        ret = buf_cmd(KITE_IOC_KARGS, c, id, argv[3], strlen(argv[3]));
    } else if (!strcmp(c, "kmsg") && argc == 3) {
        ret = kmsg(id);
    } else if (!strcmp(c, "run") && argc == 5) {
        ret = run(id, (uint32_t)num(argv[3]), argv[4]);
    } else if (!strcmp(c, "bad-ioctl")) {
        ret = call(c, _IOW(KITE_IOC, 99, uint32_t), &id);
    } else if (!strcmp(c, "raw-cpus") && argc == 7) {
        /* Any mask words, to name CPUs kitectl's parser would refuse. */
        struct kite_ioc_cpus q = {0};

        for (int i = 0; i < 4; i++) {
            q.mask[i] = num(argv[3 + i]);
        }
        ret =
            call(c, !strcmp(argv[2], "reserve") ? KITE_IOC_RESERVE_CPU : KITE_IOC_RELEASE_CPU, &q);
    } else if (!strcmp(c, "raw-kargs") && argc == 5) {
        /* Any address and length: the module must check both. */
        struct kite_ioc_buf b = {.instance = id, .addr = num(argv[3]), .len = num(argv[4])};

        ret = call(c, KITE_IOC_KARGS, &b);
    } else {
        fprintf(stderr, "kh_ioctl: bad command line; see the top of kh_ioctl.c\n");
        return 2;
    }
    return ret == 0 ? 0 : 1;
}
