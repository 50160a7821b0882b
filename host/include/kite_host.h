/* SPDX-License-Identifier: MIT */
/*
 * The interface between kitectl and kite_host.ko: ioctls on /dev/kite.
 * Included by both (the module builds with __KERNEL__ defined), so it
 * includes nothing but the types.
 *
 * Reservations belong to the module, not to the file descriptor that made
 * them (as with IHK): CPUs and memory stay reserved until released, and
 * instances stay until destroyed, whoever opened the device. Every call
 * is all-or-nothing: when it fails (a negative errno), nothing changed.
 *
 * CPUs are named by Linux CPU number in a bitmap; memory by chunk. A
 * reserved chunk is a physically contiguous, 2 MiB aligned range on one
 * NUMA node, taken from the module's pool (ranges reserved at host boot
 * with memmap= and named to the module with its `mem=` parameter) or, when
 * the pool has no room on that node, from memory blocks Linux takes
 * offline for it.
 */
#pragma once

#ifdef __KERNEL__
#include <linux/ioctl.h>
#include <linux/types.h>
#else
#include <stdint.h>
#include <sys/ioctl.h>
#endif

#define KITE_HOST_DEVICE "/dev/kite"

#define KITE_HOST_MAX_CPUS      256 /* Linux CPU numbers 0..255 */
#define KITE_HOST_CPU_WORDS     (KITE_HOST_MAX_CPUS / 64)
#define KITE_HOST_MAX_CHUNKS    32
#define KITE_HOST_MAX_INSTANCES 16
#define KITE_HOST_MAX_NODES     8
#define KITE_HOST_KARGS_MAX     4096
#define KITE_HOST_IMAGE_MAX     (64u << 20) /* largest kite.elf accepted */
#define KITE_HOST_CHUNK_ALIGN   (2u << 20)

struct kite_ioc_cpus {
    uint32_t instance; /* ASSIGN: the instance */
    uint32_t pad;
    uint64_t mask[KITE_HOST_CPU_WORDS]; /* bit n: Linux CPU n */
};

struct kite_ioc_chunk {
    uint64_t base;     /* RESERVE: out; RELEASE, ASSIGN: which chunk */
    uint64_t size;     /* bytes, a multiple of 2 MiB */
    int32_t node;      /* RESERVE: wanted NUMA node */
    uint32_t instance; /* QUERY: the instance it is assigned to, 0 when none */
    uint32_t source;   /* QUERY: KITE_CHUNK_POOL or KITE_CHUNK_OFFLINED */
    uint32_t pad;
};

#define KITE_CHUNK_POOL     1 /* from a memmap= range named in mem= */
#define KITE_CHUNK_OFFLINED 2 /* memory blocks Linux took offline and removed for it */

struct kite_ioc_mem {
    uint32_t instance; /* ASSIGN: the instance */
    uint32_t nr;       /* chunks that follow; RELEASE with nr = 0: every unassigned chunk */
    struct kite_ioc_chunk chunk[KITE_HOST_MAX_CHUNKS];
    /* QUERY only: the pool, per node, in bytes. */
    uint64_t pool_total[KITE_HOST_MAX_NODES];
    uint64_t pool_free[KITE_HOST_MAX_NODES];
};

struct kite_ioc_buf {
    uint32_t instance;
    uint32_t pad;
    uint64_t addr; /* user pointer */
    uint64_t len;  /* bytes at addr */
};

/* Instance states as status reports them (the Kite-side ones mirror enum kite_bp_state). */
enum kite_host_state {
    KITE_HOST_CREATED = 0,  /* no image booted yet (loaded tells whether one is loaded) */
    KITE_HOST_BOOTING = 1,  /* started; "ready" not reached yet */
    KITE_HOST_RUNNING = 2,  /* Kite reached "ready" */
    KITE_HOST_PANICKED = 3, /* Kite panicked; panic says why */
    KITE_HOST_HALTED = 4,   /* Kite powered off, or was shut down */
};

struct kite_ioc_status {
    uint32_t instance;                          /* in */
    uint32_t state;                             /* enum kite_host_state */
    uint32_t loaded;                            /* an image is loaded */
    int32_t exit_code;                          /* HALTED: Kite's exit status */
    uint64_t cpus[KITE_HOST_CPU_WORDS];         /* assigned Linux CPUs */
    uint32_t cpu_state[KITE_HOST_MAX_CPUS];     /* by Linux CPU: enum kite_bp_cpu_state */
    uint64_t mem_per_node[KITE_HOST_MAX_NODES]; /* assigned bytes */
    uint64_t image_size;                        /* bytes the loaded image spans in memory */
    uint64_t uptime_ns;                         /* since boot; 0 before */
    uint64_t boot_to_ready_ns; /* from the boot ioctl to Kite's "ready"; 0 before */
    uint64_t heartbeat_age_ns; /* UINT64_MAX: no heartbeat yet */
    uint64_t heartbeats;
    char kargs[256]; /* the start of the command line */
    char panic[256];
};

struct kite_ioc_list {
    uint32_t nr;
    uint32_t pad;
    uint32_t ids[KITE_HOST_MAX_INSTANCES];
};

struct kite_ioc_kmsg {
    uint32_t instance;
    uint32_t pad;
    uint64_t addr; /* user buffer */
    uint64_t len;  /* in: buffer size; out: bytes copied */
    uint64_t pos;  /* in: ring position to read from (0: the oldest kept); out: the next one */
    uint64_t lost; /* out: bytes between pos and the oldest kept that were overwritten */
};

struct kite_ioc_exec {
    uint32_t instance;
    uint32_t len; /* command line bytes at addr */
    uint64_t addr;
    uint64_t seq; /* out: the command's number */
};

struct kite_ioc_recv {
    uint32_t instance;
    uint32_t timeout_ms; /* wait at most this long for a message; -ETIMEDOUT after */
    uint64_t addr;       /* user buffer for the payload */
    uint32_t len;        /* in: buffer size (at least KITE_MSG_MAX); out: payload bytes */
    uint32_t type;       /* out: enum kite_msg_type */
    uint64_t seq;        /* out */
};

#define KITE_IOC 0xb7

#define KITE_IOC_RESERVE_CPU _IOW(KITE_IOC, 1, struct kite_ioc_cpus)
#define KITE_IOC_RELEASE_CPU _IOW(KITE_IOC, 2, struct kite_ioc_cpus)
#define KITE_IOC_QUERY_CPU   _IOR(KITE_IOC, 3, struct kite_ioc_cpus)
#define KITE_IOC_RESERVE_MEM _IOWR(KITE_IOC, 4, struct kite_ioc_mem)
#define KITE_IOC_RELEASE_MEM _IOW(KITE_IOC, 5, struct kite_ioc_mem)
#define KITE_IOC_QUERY_MEM   _IOR(KITE_IOC, 6, struct kite_ioc_mem)
#define KITE_IOC_CREATE      _IOR(KITE_IOC, 7, uint32_t)
#define KITE_IOC_DESTROY     _IOW(KITE_IOC, 8, uint32_t)
#define KITE_IOC_ASSIGN_CPU  _IOW(KITE_IOC, 9, struct kite_ioc_cpus)
#define KITE_IOC_ASSIGN_MEM  _IOW(KITE_IOC, 10, struct kite_ioc_mem)
#define KITE_IOC_LOAD        _IOW(KITE_IOC, 11, struct kite_ioc_buf)
#define KITE_IOC_KARGS       _IOW(KITE_IOC, 12, struct kite_ioc_buf)
#define KITE_IOC_BOOT        _IOW(KITE_IOC, 13, uint32_t)
#define KITE_IOC_SHUTDOWN    _IOW(KITE_IOC, 14, uint32_t)
#define KITE_IOC_STATUS      _IOWR(KITE_IOC, 15, struct kite_ioc_status)
#define KITE_IOC_LIST        _IOR(KITE_IOC, 16, struct kite_ioc_list)
#define KITE_IOC_KMSG        _IOWR(KITE_IOC, 17, struct kite_ioc_kmsg)
#define KITE_IOC_EXEC        _IOWR(KITE_IOC, 18, struct kite_ioc_exec)
#define KITE_IOC_RECV        _IOWR(KITE_IOC, 19, struct kite_ioc_recv)
