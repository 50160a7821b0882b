/* SPDX-License-Identifier: MIT */
/*
 * The scheduler calls of POSIX that runtimes use (rt/libc/time.c), and CPU
 * sets for affinity (the CPU_* macros here; sched_getaffinity and
 * sched_setaffinity in rt/pthread/, see docs/pthreads.md). A Kite thread
 * runs on one CPU or on any: see pthread_setaffinity_np in <pthread.h> for
 * how a set picks one.
 */
#pragma once

#include <stddef.h>

/* Let other threads of this CPU run; always 0. */
int sched_yield(void);
/* The CPU the caller runs on now (it may move afterwards unless bound). */
int sched_getcpu(void);

/* A set of CPU numbers, as glibc's: CPU_SETSIZE bits in unsigned longs. */
#define CPU_SETSIZE     1024
#define __KITE_CPU_BITS (8 * sizeof(unsigned long))

typedef struct {
    unsigned long __bits[CPU_SETSIZE / (8 * sizeof(unsigned long))];
} cpu_set_t;

/* The _S forms take the set's size in bytes; CPUs outside it are ignored. */
#define CPU_ALLOC_SIZE(count) \
    ((((size_t)(count) + __KITE_CPU_BITS - 1) / __KITE_CPU_BITS) * sizeof(unsigned long))
#define CPU_ZERO_S(size, set) __builtin_memset((set), 0, (size))
#define CPU_SET_S(cpu, size, set)                                                            \
    ((size_t)(cpu) / 8 < (size_t)(size) ? ((set)->__bits[(size_t)(cpu) / __KITE_CPU_BITS] |= \
                                           1ul << ((size_t)(cpu) % __KITE_CPU_BITS))         \
                                        : 0ul)
#define CPU_CLR_S(cpu, size, set)                                                            \
    ((size_t)(cpu) / 8 < (size_t)(size) ? ((set)->__bits[(size_t)(cpu) / __KITE_CPU_BITS] &= \
                                           ~(1ul << ((size_t)(cpu) % __KITE_CPU_BITS)))      \
                                        : 0ul)
#define CPU_ISSET_S(cpu, size, set)        \
    ((size_t)(cpu) / 8 < (size_t)(size) && \
     ((set)->__bits[(size_t)(cpu) / __KITE_CPU_BITS] >> ((size_t)(cpu) % __KITE_CPU_BITS)) & 1)
#define CPU_COUNT_S(size, set)  __kite_cpu_count((size), (set))
#define CPU_EQUAL_S(size, a, b) (__builtin_memcmp((a), (b), (size)) == 0)

#define CPU_ZERO(set)       CPU_ZERO_S(sizeof(cpu_set_t), set)
#define CPU_SET(cpu, set)   CPU_SET_S(cpu, sizeof(cpu_set_t), set)
#define CPU_CLR(cpu, set)   CPU_CLR_S(cpu, sizeof(cpu_set_t), set)
#define CPU_ISSET(cpu, set) CPU_ISSET_S(cpu, sizeof(cpu_set_t), set)
#define CPU_COUNT(set)      CPU_COUNT_S(sizeof(cpu_set_t), set)
#define CPU_EQUAL(a, b)     CPU_EQUAL_S(sizeof(cpu_set_t), a, b)

/* How many CPUs @set (@size bytes) holds. */
static inline int __kite_cpu_count(size_t size, const cpu_set_t *set)
{
    int n = 0;

    /*
     * By halves, quarters...: without -mpopcnt, __builtin_popcountl (and the
     * loops gcc turns into it) call libgcc, which the kernel does not link.
     */
    for (size_t i = 0; i < size / sizeof(unsigned long); i++) {
        unsigned long w = set->__bits[i];

        w = w - ((w >> 1) & 0x5555555555555555ul);
        w = (w & 0x3333333333333333ul) + ((w >> 2) & 0x3333333333333333ul);
        w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0ful;
        n += (int)((w * 0x0101010101010101ul) >> 56);
    }
    return n;
}

#ifndef __KITE_PID_T
#define __KITE_PID_T
typedef int pid_t;
#endif

/*
 * The calling thread's affinity (@pid 0; any other is -1, errno ESRCH), as
 * pthread_getaffinity_np and pthread_setaffinity_np (rt/pthread/): 0, or -1
 * with errno set.
 */
int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set);
int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set);
