/* SPDX-License-Identifier: MIT */
/*
 * The kernel message ring: every printk record, kept in memory so it can be
 * read back later (dmesg, the shell, the co-kernel host). The oldest records
 * are overwritten when the ring is full; readers notice the gap by sequence
 * number. The ring logic is pure and takes its storage from the caller.
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

struct kite_kmsg_ring {
    char *buf;
    size_t size;        /* bytes; a multiple of 8 */
    uint64_t head;      /* byte offset (not wrapped) where the next record goes */
    uint64_t tail;      /* byte offset of the oldest record kept */
    uint64_t first_seq; /* sequence number of the oldest record kept */
    uint64_t next_seq;  /* sequence number the next record gets */
};

struct kite_kmsg_record {
    uint64_t seq;
    uint64_t time_ns;
    uint8_t level;
    uint8_t cpu;
    uint16_t len; /* text bytes, no NUL */
};

/* Set up @ring over @buf (@size bytes, at least 64, rounded down to 8). */
void kite_kmsg_init(struct kite_kmsg_ring *ring, void *buf, size_t size);

/* Append one record; text longer than fits a quarter of the ring is cut. */
void kite_kmsg_append(struct kite_kmsg_ring *ring, int level, unsigned int cpu, uint64_t time_ns,
                      const char *text, size_t len);

/*
 * Read the first record whose sequence number is >= *@seq into @rec and its
 * text (NUL-terminated, cut to @textsize) into @text; set *@seq past it.
 * Returns true when a record was read, false when none is left. When records
 * were overwritten before being read, @rec->seq is greater than the *@seq
 * passed in.
 */
bool kite_kmsg_read(const struct kite_kmsg_ring *ring, uint64_t *seq, struct kite_kmsg_record *rec,
                    char *text, size_t textsize);

/* The kernel's own ring (CONFIG_KMSG_SIZE bytes). */
extern struct kite_kmsg_ring kite_kmsg;
