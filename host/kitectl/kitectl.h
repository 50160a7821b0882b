/* SPDX-License-Identifier: MIT */
/*
 * kitectl's commands run against a table of operations, not against
 * /dev/kite and sysfs directly: main.c fills it with the real device, and
 * tests/kitectl_utest.c with a fake kite_host.ko, so command logic (the
 * error messages, `up` undoing what it did) is tested without the module.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Every operation gets the ops' @ctx first and returns 0 (or a count) or -errno. */
struct kitectl_ops {
    int (*open)(void *ctx);                                /* open /dev/kite */
    int (*ioctl)(void *ctx, unsigned long req, void *arg); /* one KITE_IOC_* */
    /* Read a small text file (sysfs) into @buf, NUL-terminated; returns bytes read. */
    int (*read_text)(void *ctx, const char *path, char *buf, size_t len);
    int (*cpu_node)(void *ctx, unsigned int cpu); /* the NUMA node of Linux CPU @cpu */
    /* Read a whole file of at most @max bytes into a malloc'd *@buf; -EFBIG when larger. */
    int (*read_file)(void *ctx, const char *path, size_t max, void **buf, size_t *len);
    uint64_t (*now_ms)(void *ctx); /* a monotonic clock */
    void (*sleep_ms)(void *ctx, unsigned int ms);
    bool (*interrupted)(void *ctx); /* SIGINT or SIGTERM arrived */
};

struct kitectl {
    const struct kitectl_ops *ops;
    void *ctx;
    FILE *out; /* results: instance numbers, lists, logs, command output */
    FILE *err; /* messages */
    /* Filled while a command runs. */
    const char *cmd;  /* "reserve", "up": the prefix of every message */
    const char *step; /* in up/down: the step that is running, named in its messages */
    int open_err;     /* -errno from ops->open, 0 when the device is open */
    bool opened;
};

/* Run one command line (argv[0] is the command, not the program); returns the exit status. */
int kitectl_run(struct kitectl *k, int argc, char **argv);
