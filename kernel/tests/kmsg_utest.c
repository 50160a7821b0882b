/* SPDX-License-Identifier: MIT */
/*
 * Host unit test of the message ring (kernel/kmsg.c). Each ring's storage is
 * its own heap block of exactly the ring's size, so AddressSanitizer catches
 * any access past either end. Record texts are made from their sequence
 * number, so every read can be checked against what was written.
 */
#include <kite/kmsg.h>
#include <kite/printk.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define TEXT_MAX 512

static char *new_storage(size_t size)
{
    char *buf = malloc(size);

    assert_non_null(buf);
    memset(buf, 0xa5, size);
    return buf;
}

/* The text of record @seq: its number, then filler up to @len bytes. */
static void make_text(char *out, uint64_t seq, size_t len)
{
    int n = kite_snprintf(out, TEXT_MAX, "msg %llu:", (unsigned long long)seq);

    for (size_t i = (size_t)n; i < len; i++) {
        out[i] = (char)('a' + (seq + i) % 26);
    }
    out[len] = '\0';
}

static void append_seq(struct kite_kmsg_ring *ring, uint64_t seq, size_t len)
{
    char text[TEXT_MAX + 1];

    make_text(text, seq, len);
    kite_kmsg_append(ring, (int)(seq % 8), (unsigned int)(seq % 4), seq * 1000, text, len);
}

/* Read everything from seq 0: the records kept must be consecutive and intact. */
static unsigned int check_contents(const struct kite_kmsg_ring *ring, const size_t *lens,
                                   size_t max_len)
{
    uint64_t seq = 0;
    uint64_t expect = ring->first_seq;
    struct kite_kmsg_record rec;
    char text[TEXT_MAX + 1];
    char want[TEXT_MAX + 1];
    unsigned int count = 0;

    while (kite_kmsg_read(ring, &seq, &rec, text, sizeof(text))) {
        size_t len = lens[rec.seq] < max_len ? lens[rec.seq] : max_len;

        assert_int_equal(rec.seq, expect);
        assert_int_equal(seq, rec.seq + 1);
        assert_int_equal(rec.len, len);
        assert_int_equal(rec.level, rec.seq % 8);
        assert_int_equal(rec.cpu, rec.seq % 4);
        assert_int_equal(rec.time_ns, rec.seq * 1000);
        make_text(want, rec.seq, len);
        assert_memory_equal(text, want, len + 1);
        expect++;
        count++;
    }
    assert_int_equal(expect, ring->next_seq);
    assert_int_equal(count, ring->next_seq - ring->first_seq);
    return count;
}

static void test_empty(void **state)
{
    char *buf = new_storage(256);
    struct kite_kmsg_ring ring;
    struct kite_kmsg_record rec;
    char text[16] = "untouched";
    uint64_t seq = 0;

    (void)state;
    kite_kmsg_init(&ring, buf, 256);
    assert_false(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    assert_int_equal(seq, 0);
    assert_string_equal(text, "untouched");
    seq = 100;
    assert_false(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    assert_int_equal(seq, 100);
    free(buf);
}

static void test_append_read(void **state)
{
    char *buf = new_storage(1024);
    struct kite_kmsg_ring ring;
    struct kite_kmsg_record rec;
    char text[64];
    uint64_t seq = 0;

    (void)state;
    kite_kmsg_init(&ring, buf, 1024);
    kite_kmsg_append(&ring, 3, 1, 111, "first", 5);
    kite_kmsg_append(&ring, 6, 2, 222, "second\n", 7);
    kite_kmsg_append(&ring, 7, 3, 333, "", 0);
    /* Only @len bytes count, wherever the NULs are. */
    kite_kmsg_append(&ring, 0, 0, 444, "fourth-and-more", 6);

    assert_true(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    assert_int_equal(rec.seq, 0);
    assert_int_equal(rec.level, 3);
    assert_int_equal(rec.cpu, 1);
    assert_int_equal(rec.time_ns, 111);
    assert_int_equal(rec.len, 5);
    assert_string_equal(text, "first");
    assert_int_equal(seq, 1);

    assert_true(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    assert_int_equal(rec.seq, 1);
    assert_int_equal(rec.level, 6);
    assert_string_equal(text, "second\n");

    assert_true(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    assert_int_equal(rec.seq, 2);
    assert_int_equal(rec.len, 0);
    assert_string_equal(text, "");

    assert_true(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    assert_int_equal(rec.seq, 3);
    assert_string_equal(text, "fourth");
    assert_int_equal(seq, 4);

    assert_false(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    assert_int_equal(seq, 4);

    /* Reading from the middle starts at the record asked for. */
    seq = 2;
    assert_true(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    assert_int_equal(rec.seq, 2);

    /* The reader keeps its place while more is appended. */
    seq = 4;
    kite_kmsg_append(&ring, 1, 0, 555, "fifth", 5);
    assert_true(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    assert_int_equal(rec.seq, 4);
    assert_string_equal(text, "fifth");
    free(buf);
}

static void test_reader_buffer_cut(void **state)
{
    char *buf = new_storage(256);
    struct kite_kmsg_ring ring;
    struct kite_kmsg_record rec;
    char text[5];
    uint64_t seq = 0;

    (void)state;
    kite_kmsg_init(&ring, buf, 256);
    kite_kmsg_append(&ring, 6, 0, 0, "abcdefgh", 8);
    kite_kmsg_append(&ring, 6, 0, 0, "xyz", 3);
    assert_true(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    assert_string_equal(text, "abcd");
    assert_int_equal(rec.len, 4);
    /* No text buffer at all still reads the record. */
    assert_true(kite_kmsg_read(&ring, &seq, &rec, NULL, 0));
    assert_int_equal(rec.seq, 1);
    assert_int_equal(rec.len, 0);
    assert_false(kite_kmsg_read(&ring, &seq, &rec, NULL, 0));
    free(buf);
}

static void test_text_cut(void **state)
{
    char *buf = new_storage(512);
    struct kite_kmsg_ring ring;
    struct kite_kmsg_record rec;
    char long_text[300];
    char text[TEXT_MAX];
    uint64_t seq = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(long_text); i++) {
        long_text[i] = (char)('A' + i % 26);
    }
    kite_kmsg_init(&ring, buf, 512);
    kite_kmsg_append(&ring, 4, 0, 0, long_text, sizeof(long_text));
    kite_kmsg_append(&ring, 4, 0, 0, long_text, 128);
    kite_kmsg_append(&ring, 4, 0, 0, long_text, 129);

    /* A quarter of 512 bytes. */
    assert_true(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    assert_int_equal(rec.len, 128);
    assert_memory_equal(text, long_text, 128);
    assert_int_equal(text[128], '\0');
    assert_true(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    assert_int_equal(rec.len, 128);
    assert_true(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    assert_int_equal(rec.len, 128);
    free(buf);
}

static void test_wrap_and_overwrite(void **state)
{
    enum { N = 400 };
    char *buf = new_storage(512);
    struct kite_kmsg_ring ring;
    struct kite_kmsg_record rec;
    char text[TEXT_MAX];
    size_t lens[N];
    uint64_t reader = 0;

    (void)state;
    kite_kmsg_init(&ring, buf, 512);
    for (uint64_t i = 0; i < N; i++) {
        lens[i] = (size_t)(i * 37 % 90);
        append_seq(&ring, i, lens[i]);
        assert_true(ring.head - ring.tail <= ring.size);
        /* The newest record is always kept, and with it a fair share of the ring. */
        assert_true(check_contents(&ring, lens, 128) >= (i < 3 ? i + 1 : 3));
    }
    assert_int_equal(ring.next_seq, N);
    assert_true(ring.first_seq > 0);
    /* The ring went round several times. */
    assert_true(ring.head > 4 * ring.size);

    /* A reader that fell behind gets the oldest record kept: the gap shows in seq. */
    assert_true(kite_kmsg_read(&ring, &reader, &rec, text, sizeof(text)));
    assert_int_equal(rec.seq, ring.first_seq);
    assert_true(rec.seq > 0);
    assert_int_equal(reader, rec.seq + 1);
    free(buf);
}

/* Many ring sizes and record lengths, to hit every way a record meets the end. */
static void test_wrap_sweep(void **state)
{
    enum { N = 300 };
    size_t lens[N];

    (void)state;
    for (size_t size = 64; size <= 520; size += 8) {
        char *buf = new_storage(size);
        struct kite_kmsg_ring ring;
        size_t max_len = size / 4;
        size_t max_rec = (24 + max_len + 7) & ~(size_t)7;

        kite_kmsg_init(&ring, buf, size);
        for (uint64_t i = 0; i < N; i++) {
            size_t kept_bytes = 0;
            unsigned int kept;

            lens[i] = (size_t)((i * 7 + size) % (max_len + 3));
            append_seq(&ring, i, lens[i]);
            assert_true(ring.head - ring.tail <= ring.size);
            kept = check_contents(&ring, lens, max_len);
            assert_true(kept >= 1);
            /* Eviction stops once there is room, so little more than a wrap is ever lost. */
            for (uint64_t s = ring.first_seq; s < ring.next_seq; s++) {
                size_t len = lens[s] < max_len ? lens[s] : max_len;

                kept_bytes += (24 + len + 7) & ~(size_t)7;
            }
            if (ring.first_seq > 0) {
                assert_true(kept_bytes + 3 * max_rec > size);
            }
        }
        free(buf);
    }
}

static void test_exact_fit(void **state)
{
    char *buf = new_storage(256);
    struct kite_kmsg_ring ring;
    size_t lens[12];

    (void)state;
    /* 24-byte header and 40 bytes of text: four records fill 256 bytes exactly. */
    kite_kmsg_init(&ring, buf, 256);
    for (uint64_t i = 0; i < 12; i++) {
        lens[i] = 40;
        append_seq(&ring, i, lens[i]);
        /* Nothing is evicted while it still fits; then one goes per append. */
        assert_int_equal(check_contents(&ring, lens, 64), i < 4 ? i + 1 : 4);
        assert_int_equal(ring.first_seq, i < 4 ? 0 : i - 3);
    }
    free(buf);
}

static void test_tiny_ring(void **state)
{
    char *buf = new_storage(64);
    struct kite_kmsg_ring ring;
    struct kite_kmsg_record rec;
    char text[TEXT_MAX];
    uint64_t seq = 0;

    (void)state;
    /* Sizes are rounded down to 8. */
    kite_kmsg_init(&ring, buf, 71);
    assert_int_equal(ring.size, 64);
    for (uint64_t i = 0; i < 50; i++) {
        append_seq(&ring, i, 100);
        seq = 0;
        assert_true(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
        /* A cut record takes more than half of 64 bytes: only the newest is kept. */
        assert_int_equal(rec.seq, i);
        assert_int_equal(rec.len, 16);
        assert_false(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    }

    /* Below the minimum the ring keeps nothing, and touches nothing. */
    memset(buf, 0x11, 64);
    kite_kmsg_init(&ring, buf, 56);
    kite_kmsg_append(&ring, 6, 0, 0, "lost", 4);
    seq = 0;
    assert_false(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    for (size_t i = 0; i < 64; i++) {
        assert_int_equal((unsigned char)buf[i], 0x11);
    }
    free(buf);
}

static void test_unaligned_storage(void **state)
{
    char *block = new_storage(257);
    struct kite_kmsg_ring ring;
    size_t lens[200];

    (void)state;
    /* Headers are copied, not dereferenced in place, so any alignment works. */
    kite_kmsg_init(&ring, block + 1, 256);
    for (uint64_t i = 0; i < 200; i++) {
        lens[i] = (size_t)(i % 50);
        append_seq(&ring, i, lens[i]);
        check_contents(&ring, lens, 64);
    }
    free(block);
}

static void test_level_cpu_saturate(void **state)
{
    char *buf = new_storage(256);
    struct kite_kmsg_ring ring;
    struct kite_kmsg_record rec;
    char text[8];
    uint64_t seq = 0;

    (void)state;
    kite_kmsg_init(&ring, buf, 256);
    kite_kmsg_append(&ring, -1, 300, 0, "x", 1);
    kite_kmsg_append(&ring, 1000, 255, 0, "y", 1);
    assert_true(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    assert_int_equal(rec.level, 0);
    assert_int_equal(rec.cpu, 255);
    assert_true(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    assert_int_equal(rec.level, 255);
    assert_int_equal(rec.cpu, 255);
    free(buf);
}

static void test_corrupt_ring(void **state)
{
    char *buf = new_storage(256);
    struct kite_kmsg_ring ring;
    struct kite_kmsg_record rec;
    char text[TEXT_MAX];
    uint64_t seq = 0;

    (void)state;
    kite_kmsg_init(&ring, buf, 256);
    for (uint64_t i = 0; i < 20; i++) {
        append_seq(&ring, i, 30);
    }
    /* A wild write over the ring: reads stop, appends start afresh. */
    memset(buf, 0xff, 256);
    assert_false(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    for (uint64_t i = 20; i < 40; i++) {
        append_seq(&ring, i, 30);
    }
    seq = 0;
    assert_true(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    assert_true(rec.seq >= 20);
    while (kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text))) {
    }
    assert_int_equal(rec.seq, 39);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_append_read),
        cmocka_unit_test(test_reader_buffer_cut),
        cmocka_unit_test(test_text_cut),
        cmocka_unit_test(test_wrap_and_overwrite),
        cmocka_unit_test(test_wrap_sweep),
        cmocka_unit_test(test_exact_fit),
        cmocka_unit_test(test_tiny_ring),
        cmocka_unit_test(test_unaligned_storage),
        cmocka_unit_test(test_level_cpu_saturate),
        cmocka_unit_test(test_corrupt_ring),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
