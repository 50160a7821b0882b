/* SPDX-License-Identifier: MIT */
/*
 * In-kernel tests of the message ring logic (suite kmsg), on rings of their
 * own so the kernel's log is left alone: records come back in order with their
 * fields, the oldest are overwritten with a visible sequence gap, and long
 * text is cut.
 */
#include <kite/compiler.h>
#include <kite/kmsg.h>
#include <kite/printk.h>
#include <kite/test.h>
#include <kite/types.h>

static char ring_storage[512] KITE_ALIGNED(8);

KITE_TEST(kmsg, append_read)
{
    struct kite_kmsg_ring ring;
    struct kite_kmsg_record rec;
    char text[32];
    uint64_t seq = 0;

    kite_kmsg_init(&ring, ring_storage, sizeof(ring_storage));
    KITE_EXPECT(!kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));

    kite_kmsg_append(&ring, KITE_LOG_ERR, 2, 1000, "hello", 5);
    kite_kmsg_append(&ring, KITE_LOG_INFO, 3, 2000, "world!", 6);

    KITE_ASSERT(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    KITE_EXPECT_EQ(rec.seq, 0);
    KITE_EXPECT_EQ(rec.level, KITE_LOG_ERR);
    KITE_EXPECT_EQ(rec.cpu, 2);
    KITE_EXPECT_EQ(rec.time_ns, 1000);
    KITE_EXPECT_EQ(rec.len, 5);
    KITE_EXPECT_STREQ(text, "hello");
    KITE_EXPECT_EQ(seq, 1);

    KITE_ASSERT(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    KITE_EXPECT_EQ(rec.seq, 1);
    KITE_EXPECT_STREQ(text, "world!");
    KITE_EXPECT(!kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    KITE_EXPECT_EQ(seq, 2);
}

KITE_TEST(kmsg, overwrite_gap)
{
    struct kite_kmsg_ring ring;
    struct kite_kmsg_record rec;
    char text[32];
    char want[32];
    uint64_t seq = 0;
    uint64_t last = 0;

    kite_kmsg_init(&ring, ring_storage, sizeof(ring_storage));
    for (unsigned int i = 0; i < 100; i++) {
        int n = kite_snprintf(text, sizeof(text), "record %u", i);

        kite_kmsg_append(&ring, KITE_LOG_INFO, 0, i, text, (size_t)n);
    }

    /* A reader starting at 0 fell behind: it gets the oldest kept, past 0. */
    KITE_ASSERT(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    KITE_EXPECT(rec.seq > 0);
    KITE_EXPECT_EQ(rec.seq, ring.first_seq);
    last = rec.seq;
    while (kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text))) {
        KITE_EXPECT_EQ(rec.seq, last + 1);
        last = rec.seq;
    }
    KITE_EXPECT_EQ(last, 99);
    kite_snprintf(want, sizeof(want), "record %u", 99u);
    KITE_EXPECT_STREQ(text, want);
}

KITE_TEST(kmsg, text_cut)
{
    struct kite_kmsg_ring ring;
    struct kite_kmsg_record rec;
    char long_text[200];
    char text[256];
    uint64_t seq = 0;

    for (unsigned int i = 0; i < sizeof(long_text); i++) {
        long_text[i] = (char)('a' + i % 26);
    }
    kite_kmsg_init(&ring, ring_storage, sizeof(ring_storage));
    kite_kmsg_append(&ring, KITE_LOG_WARNING, 0, 0, long_text, sizeof(long_text));
    KITE_ASSERT(kite_kmsg_read(&ring, &seq, &rec, text, sizeof(text)));
    /* A quarter of the 512-byte ring. */
    KITE_EXPECT_EQ(rec.len, 128);
    KITE_EXPECT_EQ(text[127], long_text[127]);
    KITE_EXPECT_EQ(text[128], '\0');
}
