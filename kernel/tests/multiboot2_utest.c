/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for kernel/multiboot2.c. A small builder lays out
 * multiboot2 information blocks in memory the way GRUB does; each test parses
 * one from an exactly-sized heap copy, so AddressSanitizer catches any read
 * past what the parser was told it may read. Malformed blocks must be
 * rejected with a cleared result and a message that says where; a truncation
 * and byte-flipping sweep checks that no input makes the parser misbehave.
 */
#include <kite/abi/multiboot2.h>
#include <kite/bootinfo.h>
#include <kite/errno.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define BUILDER_SIZE 16384

struct builder {
    _Alignas(8) uint8_t buf[BUILDER_SIZE];
    size_t len;
};

static struct builder bld;
static struct kite_bootinfo info;
static char err[256];

static void put32(size_t off, uint32_t v)
{
    memcpy(bld.buf + off, &v, sizeof(v));
}

static void put64(size_t off, uint64_t v)
{
    memcpy(bld.buf + off, &v, sizeof(v));
}

static void b_init(void)
{
    memset(&bld, 0, sizeof(bld));
    bld.len = 8;
}

/* Start a tag of @size bytes (header included); returns its offset. Padding follows. */
static size_t b_tag(uint32_t type, uint32_t size)
{
    size_t off = bld.len;

    assert_true(off + size + 8 <= BUILDER_SIZE);
    put32(off, type);
    put32(off + 4, size);
    bld.len = (off + size + 7) & ~(size_t)7;
    return off;
}

static size_t b_string(uint32_t type, const char *s)
{
    size_t n = strlen(s) + 1;
    size_t off = b_tag(type, (uint32_t)(8 + n));

    memcpy(bld.buf + off + 8, s, n);
    return off;
}

static size_t b_module(uint32_t start, uint32_t end, const char *name)
{
    size_t n = strlen(name) + 1;
    size_t off = b_tag(KITE_MB2_TAG_MODULE, (uint32_t)(16 + n));

    put32(off + 8, start);
    put32(off + 12, end);
    memcpy(bld.buf + off + 16, name, n);
    return off;
}

/* Entry i of @count: base 0x100000 * i, length 0x1000 * (i + 1), type 1 + i % 5. */
static size_t b_mmap(uint32_t entry_size, uint32_t count, uint32_t extra)
{
    size_t off = b_tag(KITE_MB2_TAG_MMAP, 16 + entry_size * count + extra);

    put32(off + 8, entry_size);
    put32(off + 12, 0);
    for (uint32_t i = 0; i < count; i++) {
        size_t e = off + 16 + (size_t)i * entry_size;

        put64(e, 0x100000ull * i);
        put64(e + 8, 0x1000ull * (i + 1));
        put32(e + 16, 1 + i % 5);
    }
    return off;
}

static size_t b_rsdp(uint32_t type, uint8_t revision, uint32_t len, uint32_t tag_room)
{
    size_t off = b_tag(type, 8 + tag_room);
    uint8_t *r = bld.buf + off + 8;

    memcpy(r, "RSD PTR ", 8);
    for (uint32_t i = 8; i < tag_room; i++) {
        r[i] = (uint8_t)(0x40 + i);
    }
    r[15] = revision;
    if (type == KITE_MB2_TAG_ACPI_NEW) {
        memcpy(r + 20, &len, sizeof(len));
    }
    return off;
}

static size_t b_end(void)
{
    size_t off = b_tag(KITE_MB2_TAG_END, 8);

    put32(0, (uint32_t)bld.len);
    return off;
}

/* Parse @len bytes of the builder from a heap copy of exactly @avail bytes. */
static int parse_avail(size_t len, size_t avail)
{
    uint8_t *copy = malloc(avail ? avail : 1);
    int ret;

    assert_non_null(copy);
    memcpy(copy, bld.buf, KITE_MIN(len, avail));
    memset(&info, 0xa5, sizeof(info));
    memset(err, 'X', sizeof(err));
    ret = kite_mb2_parse(copy, avail, &info, err, sizeof(err));
    free(copy);
    return ret;
}

static int parse_built(void)
{
    return parse_avail(bld.len, bld.len);
}

static bool info_is_clear(void)
{
    static const struct kite_bootinfo zero;

    return memcmp(&info, &zero, sizeof(info)) == 0;
}

static void expect_einval(int ret, const char *want1, const char *want2)
{
    if (ret != -KITE_EINVAL || !info_is_clear() || !strstr(err, want1) ||
        (want2 && !strstr(err, want2))) {
        print_error("ret %d, err \"%s\", wanted \"%s\" and \"%s\"\n", ret, err, want1,
                    want2 ? want2 : "");
    }
    assert_int_equal(ret, -KITE_EINVAL);
    assert_true(info_is_clear());
    assert_non_null(strstr(err, want1));
    if (want2) {
        assert_non_null(strstr(err, want2));
    }
}

static const char long_name[] = "/boot/modules/a-module-with-a-name-much-longer-than-sixty-three-"
                                "bytes.img";

/* Offsets of interesting tags in the block build_good() lays out. */
static size_t good_mmap_off, good_cmdline_off, good_module_off, good_acpi_new_off;

static void build_good(void)
{
    size_t off;

    b_init();
    good_cmdline_off = b_string(KITE_MB2_TAG_CMDLINE, "kite.loglevel=7 -- a b");
    b_string(KITE_MB2_TAG_LOADER_NAME, "GRUB 2.06-13+deb12u1");
    good_module_off = b_module(0x200000, 0x280000, "/boot/initrd.tar");
    b_module(0x280000, 0x280000, long_name);

    off = b_tag(KITE_MB2_TAG_BASIC_MEMINFO, 16);
    put32(off + 8, 639);
    put32(off + 12, 523264);

    off = b_tag(KITE_MB2_TAG_BOOTDEV, 20);
    put32(off + 8, 0x80);

    good_mmap_off = b_mmap(24, 3, 0);

    off = b_tag(KITE_MB2_TAG_FRAMEBUFFER, 32);
    put64(off + 8, 0xb8000);
    put32(off + 16, 160);
    put32(off + 20, 80);
    put32(off + 24, 25);
    bld.buf[off + 28] = 16;
    bld.buf[off + 29] = KITE_MB2_FB_EGA_TEXT;

    off = b_tag(KITE_MB2_TAG_EFI64, 16);
    put64(off + 8, 0x7fe00000);

    b_rsdp(KITE_MB2_TAG_ACPI_OLD, 0, 20, 20);
    good_acpi_new_off = b_rsdp(KITE_MB2_TAG_ACPI_NEW, 2, 36, 36);

    off = b_tag(KITE_MB2_TAG_LOAD_BASE, 12);
    put32(off + 8, 0x100000);

    off = b_tag(0x4b495445, 24);
    put32(off + 8, 0xdeadbeef);

    b_end();
}

static void test_good_block(void **state)
{
    (void)state;
    build_good();
    assert_int_equal(parse_built(), 0);
    assert_string_equal(err, "");

    assert_string_equal(info.cmdline, "kite.loglevel=7 -- a b");
    assert_string_equal(info.loader_name, "GRUB 2.06-13+deb12u1");

    assert_int_equal(info.module_count, 2);
    assert_int_equal(info.modules[0].start, 0x200000);
    assert_int_equal(info.modules[0].end, 0x280000);
    assert_string_equal(info.modules[0].name, "/boot/initrd.tar");
    assert_int_equal(info.modules[1].start, 0x280000);
    assert_int_equal(strlen(info.modules[1].name), KITE_BOOT_NAME_MAX - 1);
    assert_memory_equal(info.modules[1].name, long_name, KITE_BOOT_NAME_MAX - 1);

    assert_int_equal(info.mem_lower_kib, 639);
    assert_int_equal(info.mem_upper_kib, 523264);

    assert_int_equal(info.mmap_count, 3);
    assert_false(info.mmap_truncated);
    for (unsigned int i = 0; i < 3; i++) {
        assert_int_equal(info.mmap[i].base, 0x100000ull * i);
        assert_int_equal(info.mmap[i].length, 0x1000ull * (i + 1));
        assert_int_equal(info.mmap[i].type, 1 + i);
    }

    assert_true(info.has_framebuffer);
    assert_int_equal(info.fb.addr, 0xb8000);
    assert_int_equal(info.fb.pitch, 160);
    assert_int_equal(info.fb.width, 80);
    assert_int_equal(info.fb.height, 25);
    assert_int_equal(info.fb.bpp, 16);
    assert_int_equal(info.fb.type, KITE_MB2_FB_EGA_TEXT);

    assert_true(info.efi);

    /* The ACPI 2.0 copy wins: its revision, its length, its bytes. */
    assert_int_equal(info.rsdp_len, 36);
    assert_int_equal(info.rsdp_revision, 2);
    assert_memory_equal(info.rsdp, bld.buf + good_acpi_new_off + 8, 36);

    assert_true(info.has_load_base);
    assert_int_equal(info.load_base, 0x100000);

    /* The boot device tag is known (just unused); only the made-up type counts. */
    assert_int_equal(info.unknown_tags, 1);
}

static void test_acpi_new_before_old(void **state)
{
    size_t new_off;

    (void)state;
    b_init();
    new_off = b_rsdp(KITE_MB2_TAG_ACPI_NEW, 2, 36, 40);
    b_rsdp(KITE_MB2_TAG_ACPI_OLD, 0, 20, 20);
    b_end();
    assert_int_equal(parse_built(), 0);
    assert_int_equal(info.rsdp_len, 36);
    assert_int_equal(info.rsdp_revision, 2);
    assert_memory_equal(info.rsdp, bld.buf + new_off + 8, 36);
}

static void test_acpi_old_only(void **state)
{
    size_t off;

    (void)state;
    b_init();
    off = b_rsdp(KITE_MB2_TAG_ACPI_OLD, 0, 20, 20);
    b_end();
    assert_int_equal(parse_built(), 0);
    assert_int_equal(info.rsdp_len, 20);
    assert_int_equal(info.rsdp_revision, 0);
    assert_memory_equal(info.rsdp, bld.buf + off + 8, 20);
    assert_int_equal(info.rsdp[20], 0);
    assert_false(info.efi);
    assert_false(info.has_framebuffer);
    assert_false(info.has_load_base);
}

static void test_minimal_block(void **state)
{
    (void)state;
    b_init();
    b_end();
    assert_int_equal(bld.len, 16);
    assert_int_equal(parse_built(), 0);
    assert_string_equal(err, "");
    assert_string_equal(info.cmdline, "");
    assert_int_equal(info.mmap_count, 0);
    assert_int_equal(info.module_count, 0);
    assert_int_equal(info.rsdp_len, 0);
}

static void test_efi32(void **state)
{
    size_t off;

    (void)state;
    b_init();
    off = b_tag(KITE_MB2_TAG_EFI32, 12);
    put32(off + 8, 0x7f000000);
    b_end();
    assert_int_equal(parse_built(), 0);
    assert_true(info.efi);
}

static void test_null_and_misaligned(void **state)
{
    uint8_t *raw;

    (void)state;
    memset(&info, 0xa5, sizeof(info));
    expect_einval(kite_mb2_parse(NULL, 64, &info, err, sizeof(err)), "NULL", NULL);

    build_good();
    raw = malloc(bld.len + 8);
    assert_non_null(raw);
    memcpy(raw + 4, bld.buf, bld.len);
    memset(&info, 0xa5, sizeof(info));
    expect_einval(kite_mb2_parse(raw + 4, bld.len, &info, err, sizeof(err)), "not 8-byte aligned",
                  NULL);
    free(raw);

    /* No result struct: still an error, still a message. */
    assert_int_equal(kite_mb2_parse(bld.buf, bld.len, NULL, err, sizeof(err)), -KITE_EINVAL);
    assert_non_null(strstr(err, "NULL"));
}

static void test_block_header(void **state)
{
    (void)state;
    build_good();
    expect_einval(parse_avail(4, 4), "less than the 8-byte block header", NULL);

    put32(0, 8);
    expect_einval(parse_built(), "total_size 0x8 is smaller than the 16 bytes", NULL);
    put32(0, 0);
    expect_einval(parse_built(), "total_size 0x0 is smaller", NULL);

    build_good();
    put32(0, (uint32_t)bld.len + 8);
    expect_einval(parse_built(), "is larger than the", "bytes available");
    put32(0, 0xffffffff);
    expect_einval(parse_built(), "total_size 0xffffffff is larger", NULL);
}

static void test_tag_size_below_header(void **state)
{
    (void)state;
    build_good();
    put32(good_mmap_off + 4, 4);
    expect_einval(parse_built(), "tag 6 (memory map) at offset 0x", "size 4 is smaller than the 8");

    put32(good_mmap_off + 4, 0);
    expect_einval(parse_built(), "size 0 is smaller", NULL);
}

static void test_tag_past_total(void **state)
{
    char want[64];

    (void)state;
    build_good();
    put32(good_mmap_off + 4, 0x10000);
    snprintf(want, sizeof(want), "tag 6 (memory map) at offset 0x%zx", good_mmap_off);
    expect_einval(parse_built(), want, "runs past the end of the block");

    /* Sizes near 2^32 must not wrap any offset arithmetic. */
    put32(good_mmap_off + 4, 0xfffffff9);
    expect_einval(parse_built(), want, "runs past");
}

static void test_no_end_tag(void **state)
{
    char want[80];

    (void)state;
    build_good();
    /* Cut the block right before its end tag. */
    bld.len -= 8;
    put32(0, (uint32_t)bld.len);
    snprintf(want, sizeof(want), "no end tag before the block's total_size (0x%zx)", bld.len);
    expect_einval(parse_built(), want, NULL);

    /* The last tag's padding runs out of the block: still no end tag. */
    b_init();
    b_string(KITE_MB2_TAG_CMDLINE, "abc");
    put32(0, 8 + 12);
    expect_einval(parse_avail(bld.len, 8 + 12), "no end tag", NULL);
}

static void test_end_tag_size(void **state)
{
    (void)state;
    b_init();
    b_string(KITE_MB2_TAG_LOADER_NAME, "x");
    b_tag(KITE_MB2_TAG_END, 16);
    put32(0, (uint32_t)bld.len);
    expect_einval(parse_built(), "tag 0 (end) at offset 0x18", "size 16, expected 8");
}

static void test_unterminated_strings(void **state)
{
    size_t off;

    (void)state;
    build_good();
    /* Overwrite the command line's NUL and padding up to the tag's end. */
    off = good_cmdline_off;
    memset(bld.buf + off + 8, 'a', 23);
    expect_einval(parse_built(), "tag 1 (command line) at offset 0x8", "not NUL-terminated");

    b_init();
    b_tag(KITE_MB2_TAG_CMDLINE, 8);
    b_end();
    expect_einval(parse_built(), "tag 1 (command line)", "not NUL-terminated");

    b_init();
    off = b_string(KITE_MB2_TAG_LOADER_NAME, "GRUB");
    bld.buf[off + 12] = '!';
    b_end();
    expect_einval(parse_built(), "tag 2 (loader name)", "not NUL-terminated");

    build_good();
    off = good_module_off;
    put32(off + 4, 16 + 4);
    memset(bld.buf + off + 16, 'm', 4);
    expect_einval(parse_built(), "tag 3 (module)", "not NUL-terminated");
}

static void test_module_errors(void **state)
{
    char want[64];

    (void)state;
    build_good();
    put32(good_module_off + 8, 0x300000);
    snprintf(want, sizeof(want), "tag 3 (module) at offset 0x%zx", good_module_off);
    expect_einval(parse_built(), want, "start 0x300000 is after its end 0x280000");

    b_init();
    b_tag(KITE_MB2_TAG_MODULE, 12);
    b_end();
    expect_einval(parse_built(), "tag 3 (module)", "size 12 is smaller than its 16-byte header");

    /* A zero-length module is fine. */
    b_init();
    b_module(0x1000, 0x1000, "");
    b_end();
    assert_int_equal(parse_built(), 0);
    assert_int_equal(info.module_count, 1);
    assert_string_equal(info.modules[0].name, "");
}

static void test_mmap_errors(void **state)
{
    char want[64];

    (void)state;
    build_good();
    snprintf(want, sizeof(want), "tag 6 (memory map) at offset 0x%zx", good_mmap_off);

    put32(good_mmap_off + 8, 0);
    expect_einval(parse_built(), want, "entry_size 0 is smaller than the 24-byte");
    put32(good_mmap_off + 8, 16);
    expect_einval(parse_built(), want, "entry_size 16 is smaller");
    put32(good_mmap_off + 8, 28);
    expect_einval(parse_built(), want, "entry_size 28 is not a multiple of 8");

    b_init();
    b_tag(KITE_MB2_TAG_MMAP, 12);
    b_end();
    expect_einval(parse_built(), "tag 6 (memory map) at offset 0x8",
                  "size 12 is smaller than its 16-byte header");
}

static void test_mmap_layouts(void **state)
{
    (void)state;
    /* Trailing bytes shorter than an entry are ignored. */
    b_init();
    b_mmap(24, 2, 16);
    b_end();
    assert_int_equal(parse_built(), 0);
    assert_int_equal(info.mmap_count, 2);
    assert_int_equal(info.mmap[1].base, 0x100000);

    /* A bigger entry_size (a newer entry version) is stepped over correctly. */
    b_init();
    b_mmap(40, 4, 0);
    b_end();
    assert_int_equal(parse_built(), 0);
    assert_int_equal(info.mmap_count, 4);
    assert_int_equal(info.mmap[3].base, 0x300000);
    assert_int_equal(info.mmap[3].length, 0x4000);
    assert_int_equal(info.mmap[3].type, 4);

    /* An empty map is valid. */
    b_init();
    b_mmap(24, 0, 0);
    b_end();
    assert_int_equal(parse_built(), 0);
    assert_int_equal(info.mmap_count, 0);

    /* A second map replaces the first. */
    b_init();
    b_mmap(24, 5, 0);
    b_mmap(24, 2, 0);
    b_end();
    assert_int_equal(parse_built(), 0);
    assert_int_equal(info.mmap_count, 2);
}

static void test_mmap_truncated(void **state)
{
    (void)state;
    b_init();
    b_mmap(24, 200, 0);
    b_end();
    assert_int_equal(parse_built(), 0);
    assert_string_equal(err, "");
    assert_int_equal(info.mmap_count, KITE_BOOT_MMAP_MAX);
    assert_true(info.mmap_truncated);
    assert_int_equal(info.mmap[127].base, 0x100000ull * 127);
    assert_int_equal(info.mmap[127].type, 1 + 127 % 5);

    /* Exactly full is not truncated. */
    b_init();
    b_mmap(24, KITE_BOOT_MMAP_MAX, 0);
    b_end();
    assert_int_equal(parse_built(), 0);
    assert_int_equal(info.mmap_count, KITE_BOOT_MMAP_MAX);
    assert_false(info.mmap_truncated);
}

static void test_too_many_modules(void **state)
{
    size_t bad = 0;

    (void)state;
    b_init();
    for (uint32_t i = 0; i < 20; i++) {
        b_module(0x1000 * i, 0x1000 * i + 0x800, "m");
    }
    b_end();
    assert_int_equal(parse_built(), 0);
    assert_int_equal(info.module_count, KITE_BOOT_MODULES_MAX);
    assert_int_equal(info.modules[15].start, 0xf000);

    /* Modules past the table are still checked. */
    b_init();
    for (uint32_t i = 0; i < 20; i++) {
        bad = b_module(0x1000 * i, 0x1000 * i + 0x800, "m");
    }
    put32(bad + 8, 0xffffffff);
    b_end();
    expect_einval(parse_built(), "tag 3 (module)", "is after its end");
}

static void test_long_cmdline(void **state)
{
    static char line[KITE_CMDLINE_MAX + 1];

    (void)state;
    /* One byte too long: dropped whole, with a warning, and the parse succeeds. */
    memset(line, 'k', KITE_CMDLINE_MAX);
    line[KITE_CMDLINE_MAX] = '\0';
    b_init();
    b_string(KITE_MB2_TAG_CMDLINE, line);
    b_string(KITE_MB2_TAG_LOADER_NAME, "GRUB");
    b_end();
    assert_int_equal(parse_built(), 0);
    assert_string_equal(info.cmdline, "");
    assert_string_equal(info.loader_name, "GRUB");
    assert_int_equal(strncmp(err, "warning: ", 9), 0);
    assert_non_null(strstr(err, "4096 bytes"));

    /* The longest line that fits is kept whole. */
    line[KITE_CMDLINE_MAX - 1] = '\0';
    b_init();
    b_string(KITE_MB2_TAG_CMDLINE, line);
    b_end();
    assert_int_equal(parse_built(), 0);
    assert_string_equal(err, "");
    assert_int_equal(strlen(info.cmdline), KITE_CMDLINE_MAX - 1);

    /* A later error replaces the warning. */
    line[KITE_CMDLINE_MAX - 1] = 'k';
    b_init();
    b_string(KITE_MB2_TAG_CMDLINE, line);
    b_tag(KITE_MB2_TAG_LOAD_BASE, 8);
    b_end();
    expect_einval(parse_built(), "tag 21 (image load base)", "smaller than its 12-byte header");
    assert_null(strstr(err, "warning"));
}

static void test_short_fixed_tags(void **state)
{
    static const struct {
        uint32_t type, size;
        const char *want, *want2;
    } cases[] = {
        {KITE_MB2_TAG_BASIC_MEMINFO, 12, "tag 4 (basic memory info) at offset 0x8: size 12",
         "its 16-byte header"},
        {KITE_MB2_TAG_FRAMEBUFFER, 30, "tag 8 (framebuffer) at offset 0x8: size 30",
         "its 31-byte header and common fields"},
        {KITE_MB2_TAG_EFI64, 12, "tag 12 (EFI 64-bit system table) at offset 0x8: size 12",
         "its 16-byte header"},
        {KITE_MB2_TAG_EFI32, 8, "tag 11 (EFI 32-bit system table) at offset 0x8: size 8",
         "its 12-byte header"},
        {KITE_MB2_TAG_ACPI_OLD, 27, "tag 14 (ACPI 1.0 RSDP) at offset 0x8: size 27",
         "its 28-byte header and 20-byte RSDP"},
        {KITE_MB2_TAG_ACPI_NEW, 40, "tag 15 (ACPI 2.0 RSDP) at offset 0x8: size 40",
         "its 44-byte header and 36-byte RSDP"},
        {KITE_MB2_TAG_LOAD_BASE, 11, "tag 21 (image load base) at offset 0x8: size 11",
         "its 12-byte header"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        b_init();
        b_tag(cases[i].type, cases[i].size);
        b_end();
        expect_einval(parse_built(), cases[i].want, cases[i].want2);
    }
}

static void test_acpi_new_length(void **state)
{
    char want[64];

    (void)state;
    build_good();
    snprintf(want, sizeof(want), "tag 15 (ACPI 2.0 RSDP) at offset 0x%zx", good_acpi_new_off);
    put32(good_acpi_new_off + 8 + 20, 60);
    expect_einval(parse_built(), want, "length field says 60, but the tag holds only 36");
    put32(good_acpi_new_off + 8 + 20, 20);
    expect_einval(parse_built(), want, "length field says 20, less than the 36");
    put32(good_acpi_new_off + 8 + 20, 0xffffffff);
    expect_einval(parse_built(), want, "but the tag holds only");

    /* A longer RSDP than Kite keeps is cut to KITE_RSDP_MAX. */
    b_init();
    b_rsdp(KITE_MB2_TAG_ACPI_NEW, 3, 44, 44);
    b_end();
    assert_int_equal(parse_built(), 0);
    assert_int_equal(info.rsdp_len, KITE_RSDP_MAX);
    assert_int_equal(info.rsdp_revision, 3);
}

static void test_small_err_buffer(void **state)
{
    char small[8];

    (void)state;
    b_init();
    b_tag(KITE_MB2_TAG_MMAP, 12);
    b_end();
    memset(small, 'X', sizeof(small));
    assert_int_equal(kite_mb2_parse(bld.buf, bld.len, &info, small, sizeof(small)), -KITE_EINVAL);
    assert_string_equal(small, "tag 6 (");
    assert_int_equal(kite_mb2_parse(bld.buf, bld.len, &info, NULL, 0), -KITE_EINVAL);
    assert_int_equal(kite_mb2_parse(bld.buf, bld.len, &info, small, 0), -KITE_EINVAL);
}

static void test_mem_type_names(void **state)
{
    (void)state;
    assert_string_equal(kite_mem_type_name(KITE_MEM_AVAILABLE), "available");
    assert_string_equal(kite_mem_type_name(KITE_MEM_RESERVED), "reserved");
    assert_string_equal(kite_mem_type_name(KITE_MEM_ACPI_RECLAIMABLE), "ACPI reclaimable");
    assert_string_equal(kite_mem_type_name(KITE_MEM_NVS), "ACPI NVS");
    assert_string_equal(kite_mem_type_name(KITE_MEM_BAD), "bad memory");
    assert_string_equal(kite_mem_type_name(0), "unknown");
    assert_string_equal(kite_mem_type_name(0x12345678), "unknown");
}

/* Whatever the result, it must be self-consistent: counts in range, strings terminated. */
static void check_result(int ret)
{
    assert_true(ret == 0 || ret == -KITE_EINVAL);
    assert_non_null(memchr(err, '\0', sizeof(err)));
    if (ret < 0) {
        assert_true(err[0] != '\0');
        assert_true(info_is_clear());
        return;
    }
    assert_true(info.mmap_count <= KITE_BOOT_MMAP_MAX);
    assert_true(info.module_count <= KITE_BOOT_MODULES_MAX);
    assert_true(info.rsdp_len <= KITE_RSDP_MAX);
    assert_non_null(memchr(info.cmdline, '\0', sizeof(info.cmdline)));
    assert_non_null(memchr(info.loader_name, '\0', sizeof(info.loader_name)));
    for (unsigned int i = 0; i < info.module_count; i++) {
        assert_true(info.modules[i].start <= info.modules[i].end);
        assert_non_null(memchr(info.modules[i].name, '\0', sizeof(info.modules[i].name)));
    }
}

static void test_truncation_sweep(void **state)
{
    size_t full;

    (void)state;
    build_good();
    full = bld.len;
    /* The end tag is last, so any shorter total_size loses it. */
    for (size_t len = 0; len <= full; len++) {
        int ret;

        build_good();
        if (len >= 4) {
            put32(0, (uint32_t)len);
        }
        ret = parse_avail(len, len);
        check_result(ret);
        assert_int_equal(ret, len == full ? 0 : -KITE_EINVAL);
    }
    /* The caller vouching for less than total_size is always refused. */
    for (size_t avail = 0; avail < full; avail++) {
        build_good();
        expect_einval(parse_avail(full, avail), avail < 8 ? "block header" : "larger than", NULL);
    }
}

static uint32_t rng_state = 0x4b495445;

static uint32_t rng(void)
{
    /* xorshift32: deterministic, so a failure reproduces. */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void test_random_flips(void **state)
{
    size_t full;
    unsigned int ok = 0, bad = 0;

    (void)state;
    build_good();
    full = bld.len;
    for (unsigned int iter = 0; iter < 20000; iter++) {
        unsigned int flips = 1 + rng() % 4;
        int ret;

        build_good();
        for (unsigned int f = 0; f < flips; f++) {
            size_t at = rng() % full;

            /* Mostly small values, so sizes and types land near real ones. */
            bld.buf[at] = (rng() & 1) ? (uint8_t)rng() : (uint8_t)(rng() % 64);
        }
        ret = parse_avail(full, full);
        check_result(ret);
        if (ret == 0) {
            ok++;
        } else {
            bad++;
        }
    }
    /* Both outcomes must occur, or the sweep is not exercising the checks. */
    assert_true(ok > 100);
    assert_true(bad > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_block),
        cmocka_unit_test(test_acpi_new_before_old),
        cmocka_unit_test(test_acpi_old_only),
        cmocka_unit_test(test_minimal_block),
        cmocka_unit_test(test_efi32),
        cmocka_unit_test(test_null_and_misaligned),
        cmocka_unit_test(test_block_header),
        cmocka_unit_test(test_tag_size_below_header),
        cmocka_unit_test(test_tag_past_total),
        cmocka_unit_test(test_no_end_tag),
        cmocka_unit_test(test_end_tag_size),
        cmocka_unit_test(test_unterminated_strings),
        cmocka_unit_test(test_module_errors),
        cmocka_unit_test(test_mmap_errors),
        cmocka_unit_test(test_mmap_layouts),
        cmocka_unit_test(test_mmap_truncated),
        cmocka_unit_test(test_too_many_modules),
        cmocka_unit_test(test_long_cmdline),
        cmocka_unit_test(test_short_fixed_tags),
        cmocka_unit_test(test_acpi_new_length),
        cmocka_unit_test(test_small_err_buffer),
        cmocka_unit_test(test_mem_type_names),
        cmocka_unit_test(test_truncation_sweep),
        cmocka_unit_test(test_random_flips),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
