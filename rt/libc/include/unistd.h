/* SPDX-License-Identifier: MIT */
/*
 * The few POSIX calls of unistd.h that runtime and benchmark code asks for
 * (rt/libc/): the machine's CPUs and page size, and sleeping. There are no
 * processes, files or file descriptors; calls for them are not declared, so
 * code using them fails to build or link, naming the call.
 */
#pragma once

#include <stddef.h>

typedef unsigned int useconds_t;

/* sysconf's names (glibc's numbers); any other name fails with EINVAL. */
#define _SC_PAGESIZE         30
#define _SC_PAGE_SIZE        _SC_PAGESIZE
#define _SC_NPROCESSORS_CONF 83
#define _SC_NPROCESSORS_ONLN 84

/*
 * _SC_NPROCESSORS_ONLN: the CPUs running now; _SC_NPROCESSORS_CONF: those
 * Kite set out to start (listed by the firmware, within CONFIG_NR_CPUS and
 * kite.maxcpus); _SC_PAGESIZE: 4096. Else -1 and errno EINVAL.
 */
long sysconf(int name);
int getpagesize(void);

/* Sleep the calling thread; both always sleep the whole time and return 0. */
unsigned int sleep(unsigned int seconds);
int usleep(useconds_t usec);
