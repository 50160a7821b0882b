/* SPDX-License-Identifier: MIT */
/*
 * The co-kernel boot parameters: what the host loader (host/module) hands a
 * Kite it boots in a partition of a running Linux, and what that Kite
 * publishes back. Shared verbatim by the kernel and the Linux module, so
 * this header includes nothing from either.
 *
 * The host builds one shared region per instance, physically contiguous,
 * page aligned and below 4 GiB, laid out as the offsets in the params say:
 *
 *   offset 0            struct kite_boot_params (this page and the next)
 *   mbi_off             the multiboot2 information block Kite is entered with
 *   console_off         the console ring (struct kite_ring + data): Kite -> host
 *   h2k_off, k2h_off    the two message rings (struct kite_ring + data)
 *
 * Kite is entered as from GRUB: 32-bit protected mode, paging off,
 * EAX = KITE_MB2_BOOT_MAGIC, EBX = the physical address of the block at
 * mbi_off. The block's memory map lists only the partition's memory as
 * available; a tag of type KITE_MB2_TAG_BOOT_PARAMS carries the physical
 * address of these params. Kite maps the partition's memory, the shared
 * region, the SIPI page and its local APIC, and nothing else.
 *
 * Rings are byte rings with one producer and one consumer: the producer
 * writes data at head % size and then advances head; the consumer reads at
 * tail % size and then advances tail. Both only grow. The console ring's
 * producer never waits (the host keeps up or loses the oldest bytes, and
 * can tell how many from head); the message rings' producers wait for room.
 * A message is a struct kite_msg followed by len bytes, padded to 8.
 */
#pragma once

#ifdef __KERNEL__
#include <linux/types.h> /* the Linux module */
#else
#include <stdint.h>
#endif

#define KITE_BP_MAGIC   0x003150424554494bULL /* the bytes "KITEBP1\0" */
#define KITE_BP_VERSION 2                     /* 2: wall_ns, wall_tsc */

/* The multiboot2 information tag (u32 type, u32 size = 16, u64 params address). */
#define KITE_MB2_TAG_BOOT_PARAMS 0x4b697465u /* "Kite" */

#define KITE_BP_MAX_CPUS    64
#define KITE_BP_MAX_MEM     32
#define KITE_BP_MAX_NODES   8
#define KITE_BP_PANIC_MAX   256
#define KITE_BP_NO_DOORBELL 0xffffffffu

/* bp->state: the instance as a whole. The host sets CREATED..BOOTING, Kite the rest. */
enum kite_bp_state {
    KITE_BP_CREATED = 0,  /* host: params written, not started */
    KITE_BP_BOOTING = 1,  /* host: the boot CPU was sent INIT-SIPI-SIPI */
    KITE_BP_RUNNING = 2,  /* Kite: "ready" was reached */
    KITE_BP_PANICKED = 3, /* Kite: panicked; panic[] says why; its CPUs are halted */
    KITE_BP_HALTED = 4,   /* Kite: powered off (exit_code says how); its CPUs are halted */
};

/* bp->cpu_state[i], written by Kite's CPU i (host CPUs never write them). */
enum kite_bp_cpu_state {
    KITE_CPU_OFF = 0,      /* not started (yet) */
    KITE_CPU_STARTING = 1, /* Kite is starting it */
    KITE_CPU_ONLINE = 2,   /* running Kite */
    KITE_CPU_STOPPED = 3,  /* halted for good: power-off or panic */
    KITE_CPU_FAILED = 4,   /* did not come up in time; left out */
};

/* Bits of bp->request, set by the host, cleared by Kite when it has acted. */
#define KITE_BP_REQ_SHUTDOWN 0x1u /* power off cleanly (kitectl shutdown) */

struct kite_bp_cpu {
    uint32_t apic_id;
    uint32_t node; /* the host's NUMA node id */
};

struct kite_bp_mem {
    uint64_t base; /* 2 MiB aligned */
    uint64_t size; /* a multiple of 2 MiB */
    uint32_t node;
    uint32_t pad;
};

/* A byte ring's header; its data follows at the next 64-byte boundary (data_off from the header).
 */
struct kite_ring {
    volatile uint64_t head; /* bytes the producer has written in all */
    uint8_t pad0[56];
    volatile uint64_t tail; /* bytes the consumer has taken in all (unused by the console ring) */
    uint8_t pad1[56];
    uint64_t size; /* data bytes; a power of two */
    uint64_t data_off;
};

/* Message types on the rings. */
enum kite_msg_type {
    KITE_MSG_EXEC = 1,   /* host -> Kite: run the command line in the payload (NUL-free text) */
    KITE_MSG_OUTPUT = 2, /* Kite -> host: text the running command printed */
    KITE_MSG_DONE = 3,   /* Kite -> host: the command ended; payload: int32_t status */
};

struct kite_msg {
    uint32_t type; /* enum kite_msg_type */
    uint32_t len;  /* payload bytes (the record is padded to 8) */
    uint64_t seq;  /* an EXEC's number; OUTPUT and DONE carry the EXEC's */
};

#define KITE_MSG_MAX 4096 /* largest payload */

struct kite_boot_params {
    /* Written by the host before boot; read-only to Kite. */
    uint64_t magic;   /* KITE_BP_MAGIC */
    uint32_t version; /* KITE_BP_VERSION */
    uint32_t size;    /* sizeof(struct kite_boot_params) */
    uint32_t instance;
    uint32_t flags;
    uint64_t tsc_khz; /* the TSC rate the host measured; Kite does not calibrate */

    uint32_t nr_cpus; /* cpus[0] is the CPU the host starts; Kite starts the others */
    uint32_t nr_mem;
    struct kite_bp_cpu cpus[KITE_BP_MAX_CPUS];
    struct kite_bp_mem mem[KITE_BP_MAX_MEM]; /* mem[0] holds the image at its base */

    uint32_t nr_nodes; /* distance[][] covers node ids 0..nr_nodes-1 */
    uint32_t pad0;
    uint8_t distance[KITE_BP_MAX_NODES][KITE_BP_MAX_NODES];

    uint64_t sipi_page;   /* 4 KiB below 1 MiB, Kite's for starting its other CPUs */
    uint64_t shared_phys; /* the shared region (this struct is at its start) */
    uint64_t shared_size;
    uint64_t mbi_off, mbi_size;
    uint64_t console_off;        /* struct kite_ring, Kite -> host */
    uint64_t h2k_off;            /* struct kite_ring, host -> Kite messages */
    uint64_t k2h_off;            /* struct kite_ring, Kite -> host messages */
    uint32_t host_doorbell_apic; /* unused: the host polls (KITE_BP_NO_DOORBELL) */
    uint32_t pad1;
    /* The host's wall clock: ns since 1970 UTC, and the TSC at that moment; 0: none. */
    uint64_t wall_ns, wall_tsc;

    /* Written by Kite. */
    volatile uint32_t state;         /* enum kite_bp_state */
    volatile uint32_t kite_vector;   /* the IPI vector Kite listens on for h2k messages */
    volatile uint32_t kite_apic_id;  /* the CPU to send it to */
    volatile int32_t exit_code;      /* with KITE_BP_HALTED */
    volatile uint64_t entry_tsc;     /* TSC when Kite's first C code ran */
    volatile uint64_t ready_tsc;     /* TSC at "ready" */
    volatile uint64_t heartbeat_tsc; /* TSC of the latest heartbeat (about every 100 ms) */
    volatile uint64_t heartbeats;
    volatile uint32_t cpu_state[KITE_BP_MAX_CPUS]; /* enum kite_bp_cpu_state, by cpus[] index */
    char panic[KITE_BP_PANIC_MAX];                 /* the panic's first line, NUL-terminated */

    /* Written by the host while Kite runs. */
    volatile uint32_t request; /* KITE_BP_REQ_* */
    uint32_t pad2;
};

#define KITE_BP_SHARED_MIN 0x10000ull /* params, block and rings fit in no less */
