// SPDX-License-Identifier: MIT
/*
 * kitectl's main: the real operations behind struct kitectl_ops (the
 * /dev/kite ioctls, sysfs, files, the clock) and the signal handling that
 * lets `kmsg -f`, `exec` and `up` stop cleanly on Ctrl-C (up then undoes
 * what it did). The commands themselves are in kitectl.c.
 */
#define _GNU_SOURCE

#include "kitectl.h"

#include "../include/kite_host.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int fd = -1;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int sys_open(void *ctx)
{
    (void)ctx;
    fd = open(KITE_HOST_DEVICE, O_RDWR | O_CLOEXEC);
    return fd < 0 ? -errno : 0;
}

static int sys_ioctl(void *ctx, unsigned long req, void *arg)
{
    (void)ctx;
    return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

static int sys_read_text(void *ctx, const char *path, char *buf, size_t len)
{
    int f = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    (void)ctx;
    if (f < 0) {
        return -errno;
    }
    n = read(f, buf, len - 1);
    if (n < 0) {
        n = -errno;
    } else {
        buf[n] = '\0';
    }
    close(f);
    return (int)n;
}

/* Linux links /sys/devices/system/cpu/cpuN/nodeM to the CPU's node. */
static int sys_cpu_node(void *ctx, unsigned int cpu)
{
    char path[64];
    struct dirent *e;
    int node = -ENOENT;
    DIR *d;

    (void)ctx;
    snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u", cpu);
    d = opendir(path);
    if (!d) {
        return -errno;
    }
    while ((e = readdir(d)) != NULL) {
        char *end;
        long n;

        if (strncmp(e->d_name, "node", 4) != 0 || e->d_name[4] < '0' || e->d_name[4] > '9') {
            continue;
        }
        n = strtol(e->d_name + 4, &end, 10);
        if (*end == '\0' && n >= 0 && n < 1024) {
            node = (int)n;
            break;
        }
    }
    closedir(d);
    return node;
}

static int sys_read_file(void *ctx, const char *path, size_t max, void **buf, size_t *len)
{
    int f = open(path, O_RDONLY | O_CLOEXEC), ret = 0;
    size_t got = 0;
    struct stat sb;
    char *b;

    (void)ctx;
    *buf = NULL;
    *len = 0;
    if (f < 0) {
        return -errno;
    }
    if (fstat(f, &sb) != 0) {
        ret = -errno;
        goto out_close;
    }
    if (!S_ISREG(sb.st_mode)) {
        ret = S_ISDIR(sb.st_mode) ? -EISDIR : -EINVAL;
        goto out_close;
    }
    if ((uint64_t)sb.st_size > max) {
        ret = -EFBIG;
        goto out_close;
    }
    b = malloc(sb.st_size ? (size_t)sb.st_size : 1);
    if (!b) {
        ret = -ENOMEM;
        goto out_close;
    }
    while (got < (size_t)sb.st_size) {
        ssize_t n = read(f, b + got, (size_t)sb.st_size - got);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            ret = n < 0 ? -errno : -EIO;
            free(b);
            goto out_close;
        }
        got += (size_t)n;
    }
    *buf = b;
    *len = got;
out_close:
    close(f);
    return ret;
}

static uint64_t sys_now_ms(void *ctx)
{
    struct timespec ts;

    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sys_sleep_ms(void *ctx, unsigned int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

    (void)ctx;
    nanosleep(&ts, NULL); /* a signal cuts it short; the caller looks at interrupted() */
}

static bool sys_interrupted(void *ctx)
{
    (void)ctx;
    return stop != 0;
}

static const struct kitectl_ops sys_ops = {
    .open = sys_open,
    .ioctl = sys_ioctl,
    .read_text = sys_read_text,
    .cpu_node = sys_cpu_node,
    .read_file = sys_read_file,
    .now_ms = sys_now_ms,
    .sleep_ms = sys_sleep_ms,
    .interrupted = sys_interrupted,
};

int main(int argc, char **argv)
{
    struct kitectl k = {.ops = &sys_ops, .out = stdout, .err = stderr};
    struct sigaction sa;
    int ret;

    /* No SA_RESTART: a blocking ioctl returns EINTR and the command stops cleanly. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    ret = kitectl_run(&k, argc - 1, argv + 1);
    if (fflush(stdout) != 0 && ret == 0) {
        ret = 1;
    }
    if (fd >= 0) {
        close(fd);
    }
    return ret;
}
