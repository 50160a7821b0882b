/* SPDX-License-Identifier: MIT */
/*
 * The message ring's logic (include/kite/kmsg.h): records of a header and the
 * text, each padded to 8 bytes, laid one after another in a buffer the caller
 * owns. When a record would not fit before the end of the buffer, a wrap
 * marker is left and the record goes to offset 0; the oldest records are
 * evicted to make room. Locking and the kernel's own ring live in
 * kernel/printk.c; this file is pure and is also built for the host tests.
 *
 * Positions (head, tail) count bytes from the start and never wrap; the
 * offset in the buffer is the position modulo the size. A wrap moves the
 * position to the next multiple of the size, so the bytes skipped at the end
 * of the buffer belong to nobody.
 */
#include <kite/compiler.h>
#include <kite/kmsg.h>
#include <kite/string.h>
#include <kite/types.h>

/* Marks a header; a record whose kind is neither means the ring was scribbled on. */
#define KIND_RECORD 0x4b52 /* "KR" */
#define KIND_WRAP   0x4b57 /* "KW": the next record is at offset 0 */

/*
 * The header at the start of each record in the buffer. It is copied in and
 * out with memcpy, so the caller's buffer needs no particular alignment.
 */
struct kmsg_hdr {
    uint64_t seq;
    uint64_t time_ns;
    uint16_t len; /* text bytes that follow the header */
    uint16_t kind;
    uint8_t level;
    uint8_t cpu;
    uint16_t reserved;
};

#define HDR_SIZE sizeof(struct kmsg_hdr)
KITE_STATIC_ASSERT(sizeof(struct kmsg_hdr) == 24, "kmsg header is three words");

#define MIN_SIZE 64

static size_t record_size(size_t len)
{
    return KITE_ALIGN_UP(HDR_SIZE + len, 8);
}

/* Longest text one record may hold: a quarter of the ring, and what len can say. */
static size_t max_text(const struct kite_kmsg_ring *ring)
{
    return KITE_MIN(ring->size / 4, (size_t)UINT16_MAX);
}

static size_t offset_of(const struct kite_kmsg_ring *ring, uint64_t pos)
{
    return (size_t)(pos % ring->size);
}

/* The position of the next multiple of the size, where a wrap continues. */
static uint64_t wrap_pos(const struct kite_kmsg_ring *ring, uint64_t pos)
{
    return pos + (ring->size - offset_of(ring, pos));
}

/*
 * Look at what lies at @pos (which must be before the head): set *@hdr and
 * return true for a record, or return false with *@next set to where the ring
 * goes on after a wrap. A header that makes no sense (a wild write hit the
 * ring) is reported as a wrap past the head, which ends any walk.
 */
static bool record_at(const struct kite_kmsg_ring *ring, uint64_t pos, struct kmsg_hdr *hdr,
                      uint64_t *next)
{
    size_t off = offset_of(ring, pos);

    /* Too little room left for even a header: the writer wrapped without a marker. */
    if (ring->size - off < HDR_SIZE) {
        *next = wrap_pos(ring, pos);
        return false;
    }
    memcpy(hdr, ring->buf + off, HDR_SIZE);
    if (hdr->kind == KIND_WRAP) {
        *next = wrap_pos(ring, pos);
        return false;
    }
    if (hdr->kind != KIND_RECORD || hdr->len > max_text(ring) ||
        record_size(hdr->len) > ring->size - off || pos + record_size(hdr->len) > ring->head) {
        *next = ring->head + ring->size;
        return false;
    }
    *next = pos + record_size(hdr->len);
    return true;
}

/* Drop the oldest record (or wrap marker); the ring must not be empty. */
static void evict_oldest(struct kite_kmsg_ring *ring)
{
    struct kmsg_hdr hdr;
    uint64_t next;

    if (record_at(ring, ring->tail, &hdr, &next)) {
        ring->first_seq++;
    }
    if (next > ring->head) {
        /* Corrupt: give up what is left rather than walk garbage. */
        next = ring->head;
        ring->first_seq = ring->next_seq;
    }
    ring->tail = next;
}

void kite_kmsg_init(struct kite_kmsg_ring *ring, void *buf, size_t size)
{
    ring->buf = buf;
    ring->size = KITE_ALIGN_DOWN(size, (size_t)8);
    /* Too small to hold even one cut record: a ring that keeps nothing. */
    if (ring->size < MIN_SIZE) {
        ring->size = 0;
    }
    ring->head = 0;
    ring->tail = 0;
    ring->first_seq = 0;
    ring->next_seq = 0;
}

void kite_kmsg_append(struct kite_kmsg_ring *ring, int level, unsigned int cpu, uint64_t time_ns,
                      const char *text, size_t len)
{
    struct kmsg_hdr hdr = {0};
    uint64_t start = ring->head;
    uint64_t end;
    size_t size;

    if (ring->size == 0) {
        return;
    }
    len = KITE_MIN(len, max_text(ring));
    size = record_size(len);
    if (offset_of(ring, start) + size > ring->size) {
        start = wrap_pos(ring, start);
    }
    end = start + size;

    while (end - ring->tail > ring->size) {
        if (ring->tail == ring->head) {
            /*
             * Empty, yet the skipped end and the record do not fit together:
             * nothing is lost by starting the empty ring at the wrap.
             */
            ring->tail = start;
            break;
        }
        evict_oldest(ring);
    }

    if (start != ring->head && ring->size - offset_of(ring, ring->head) >= HDR_SIZE) {
        hdr.kind = KIND_WRAP;
        memcpy(ring->buf + offset_of(ring, ring->head), &hdr, HDR_SIZE);
    }

    hdr.seq = ring->next_seq++;
    hdr.time_ns = time_ns;
    hdr.len = (uint16_t)len;
    hdr.kind = KIND_RECORD;
    /* The header has a byte for each; out-of-range values saturate rather than alias. */
    hdr.level = (uint8_t)(level < 0 ? 0 : KITE_MIN(level, 0xff));
    hdr.cpu = (uint8_t)KITE_MIN(cpu, 0xffu);
    memcpy(ring->buf + offset_of(ring, start), &hdr, HDR_SIZE);
    if (len > 0) {
        memcpy(ring->buf + offset_of(ring, start) + HDR_SIZE, text, len);
    }
    /* An empty ring already had first_seq == next_seq, which is this record's. */
    ring->head = end;
}

bool kite_kmsg_read(const struct kite_kmsg_ring *ring, uint64_t *seq, struct kite_kmsg_record *rec,
                    char *text, size_t textsize)
{
    uint64_t pos = ring->tail;
    struct kmsg_hdr hdr;

    if (*seq >= ring->next_seq) {
        return false;
    }
    /*
     * Records carry no index, so the walk starts at the oldest; a reader that
     * is behind skips nothing it asked for, and one that fell behind the
     * overwrite gets the oldest kept record with a larger seq than it asked.
     */
    while (pos < ring->head) {
        uint64_t next;

        if (record_at(ring, pos, &hdr, &next) && hdr.seq >= *seq) {
            size_t n = 0;

            if (textsize > 0) {
                n = KITE_MIN((size_t)hdr.len, textsize - 1);
                memcpy(text, ring->buf + offset_of(ring, pos) + HDR_SIZE, n);
                text[n] = '\0';
            }
            rec->seq = hdr.seq;
            rec->time_ns = hdr.time_ns;
            rec->level = hdr.level;
            rec->cpu = hdr.cpu;
            rec->len = (uint16_t)n;
            *seq = hdr.seq + 1;
            return true;
        }
        pos = next;
    }
    return false;
}
