/* SPDX-License-Identifier: MIT */
/*
 * In-kernel tests for the multiboot2 parser (suite "multiboot2"). The host
 * unit tests cover the cases in depth; these check that the parser built
 * with the kernel's flags and linked against the kernel's own string and
 * formatting code gives the same answers on a crafted good block and a
 * crafted malformed one.
 */
#include <kite/abi/multiboot2.h>
#include <kite/bootinfo.h>
#include <kite/errno.h>
#include <kite/string.h>
#include <kite/test.h>

/* Static, not on the stack: a struct kite_bootinfo is several KiB. */
static struct kite_bootinfo mb2_out;
static uint8_t mb2_block[256] KITE_ALIGNED(8);
static size_t mb2_len;

static void put32(size_t off, uint32_t v)
{
    memcpy(mb2_block + off, &v, sizeof(v));
}

static void put64(size_t off, uint64_t v)
{
    memcpy(mb2_block + off, &v, sizeof(v));
}

static size_t add_tag(uint32_t type, uint32_t size)
{
    size_t off = mb2_len;

    put32(off, type);
    put32(off + 4, size);
    mb2_len = KITE_ALIGN_UP(off + size, (size_t)8);
    return off;
}

static void add_string(uint32_t type, const char *s)
{
    size_t n = strlen(s) + 1;

    memcpy(mb2_block + add_tag(type, (uint32_t)(8 + n)) + 8, s, n);
}

static void add_end(void)
{
    add_tag(KITE_MB2_TAG_END, 8);
    put32(0, (uint32_t)mb2_len);
}

/* A block with a command line, a loader name, a two-range memory map, an unknown tag. */
static void build_good(void)
{
    size_t off;

    memset(mb2_block, 0, sizeof(mb2_block));
    mb2_len = 8;
    add_string(KITE_MB2_TAG_CMDLINE, "kite.loglevel=7");
    add_string(KITE_MB2_TAG_LOADER_NAME, "test loader");
    off = add_tag(KITE_MB2_TAG_MMAP, 16 + 2 * 24);
    put32(off + 8, 24);
    put64(off + 16, 0);
    put64(off + 24, 0x9f000);
    put32(off + 32, KITE_MB2_MEM_AVAILABLE);
    put64(off + 40, 0x100000);
    put64(off + 48, 0x7ff00000);
    put32(off + 56, KITE_MB2_MEM_RESERVED);
    add_tag(0x777, 8);
    add_end();
}

KITE_TEST(multiboot2, good_block)
{
    char err[128];

    build_good();
    KITE_ASSERT(mb2_len <= sizeof(mb2_block));
    KITE_EXPECT_EQ(kite_mb2_parse(mb2_block, mb2_len, &mb2_out, err, sizeof(err)), 0);
    KITE_EXPECT_STREQ(err, "");
    KITE_EXPECT_STREQ(mb2_out.cmdline, "kite.loglevel=7");
    KITE_EXPECT_STREQ(mb2_out.loader_name, "test loader");
    KITE_EXPECT_EQ(mb2_out.mmap_count, 2);
    KITE_EXPECT_EQ(mb2_out.mmap[0].length, 0x9f000);
    KITE_EXPECT_EQ(mb2_out.mmap[1].base, 0x100000);
    KITE_EXPECT_EQ(mb2_out.mmap[1].type, KITE_MEM_RESERVED);
    KITE_EXPECT_STREQ(kite_mem_type_name(mb2_out.mmap[1].type), "reserved");
    KITE_EXPECT(!mb2_out.mmap_truncated);
    KITE_EXPECT_EQ(mb2_out.unknown_tags, 1);
    KITE_EXPECT_EQ(mb2_out.rsdp_len, 0);
}

KITE_TEST(multiboot2, malformed_block_rejected)
{
    char err[128];

    /* The memory map claims more bytes than the block holds. */
    build_good();
    put32(8 + 24 + 24 + 4, 0x1000);
    KITE_EXPECT_EQ(kite_mb2_parse(mb2_block, mb2_len, &mb2_out, err, sizeof(err)), -KITE_EINVAL);
    KITE_EXPECT(strstr(err, "tag 6 (memory map) at offset 0x38") != NULL);
    KITE_EXPECT(strstr(err, "runs past the end of the block") != NULL);
    /* Nothing of a rejected block survives. */
    KITE_EXPECT_STREQ(mb2_out.cmdline, "");
    KITE_EXPECT_EQ(mb2_out.mmap_count, 0);

    /* No end tag. */
    build_good();
    put32(0, (uint32_t)mb2_len - 8);
    KITE_EXPECT_EQ(kite_mb2_parse(mb2_block, mb2_len, &mb2_out, err, sizeof(err)), -KITE_EINVAL);
    KITE_EXPECT(strstr(err, "no end tag") != NULL);

    /* Misaligned. */
    build_good();
    KITE_EXPECT_EQ(kite_mb2_parse(mb2_block + 4, mb2_len, &mb2_out, err, sizeof(err)),
                   -KITE_EINVAL);
    KITE_EXPECT(strstr(err, "not 8-byte aligned") != NULL);
}
