/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for host/common/kimage.c. Most tests build a small
 * synthetic Kite image (two PT_LOAD segments, a note, a multiboot2 header
 * with the relocatable tag), break one thing in it, and check that the
 * checker refuses it with a message naming what was wrong, leaving the result
 * zeroed. One test checks the real build/kite.elf (KITE_ELF names another
 * path), and is skipped when it has not been built.
 */
#include "../kimage.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define IMG_SIZE  0x3000
#define VBASE     0xffffffff80000000ull
#define PBASE     0x200000ull
#define MB2_AT    0x1000
#define MB2_LEN   48
#define PHDR(i)   (64 + 56 * (i))
#define MB2_MAGIC 0xe85250d6u

static uint8_t img[0x20000];
static struct kite_image_info info;
static char err[KITE_IMAGE_ERR_MIN];

static void w16(size_t off, uint32_t v)
{
    img[off] = (uint8_t)v;
    img[off + 1] = (uint8_t)(v >> 8);
}

static void w32(size_t off, uint32_t v)
{
    w16(off, v & 0xffff);
    w16(off + 2, v >> 16);
}

static void w64(size_t off, uint64_t v)
{
    w32(off, (uint32_t)v);
    w32(off + 4, (uint32_t)(v >> 32));
}

static void phdr(unsigned int i, uint32_t type, uint32_t flags, uint64_t offset, uint64_t vaddr,
                 uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
    size_t p = PHDR(i);

    w32(p, type);
    w32(p + 4, flags);
    w64(p + 8, offset);
    w64(p + 16, vaddr);
    w64(p + 24, paddr);
    w64(p + 32, filesz);
    w64(p + 40, memsz);
    w64(p + 48, 0x1000);
}

/* A multiboot2 header at @at of @len bytes: the fixed part with its checksum, then @tags. */
static void mb2(size_t at, uint32_t arch, uint32_t len)
{
    w32(at, MB2_MAGIC);
    w32(at + 4, arch);
    w32(at + 8, len);
    w32(at + 12, (uint32_t) - (MB2_MAGIC + arch + len));
}

/*
 * The good image: segment 0 (R X) holds the header and the entry at
 * 0x200030, segment 1 (RW) has a .bss tail, segment 2 is a note.
 */
static int build(void **state)
{
    (void)state;
    memset(img, 0, sizeof(img));
    memset(&info, 0xa5, sizeof(info));
    memset(err, 'X', sizeof(err));
    img[0] = 0x7f;
    img[1] = 'E';
    img[2] = 'L';
    img[3] = 'F';
    img[4] = 2; /* ELFCLASS64 */
    img[5] = 1; /* little endian */
    img[6] = 1; /* EV_CURRENT */
    w16(16, 2); /* ET_EXEC */
    w16(18, 62);
    w32(20, 1);
    w64(24, VBASE + 0x30);
    w64(32, 64);
    w16(52, 64);
    w16(54, 56);
    w16(56, 3);
    phdr(0, 1, 5, 0x1000, VBASE, PBASE, 0x1000, 0x1000);
    phdr(1, 1, 6, 0x2000, VBASE + 0x3000, PBASE + 0x3000, 0x800, 0x5000);
    phdr(2, 4, 4, 0x1100, VBASE + 0x100, PBASE + 0x100, 0x14, 0x14);
    mb2(MB2_AT, 0, MB2_LEN);
    w16(MB2_AT + 16, 10); /* relocatable */
    w16(MB2_AT + 18, 1);
    w32(MB2_AT + 20, 24);
    w32(MB2_AT + 24, 0x200000);
    w32(MB2_AT + 28, 0xc0000000);
    w32(MB2_AT + 32, 0x200000);
    w32(MB2_AT + 36, 1);
    w32(MB2_AT + 44, 8); /* the end tag */
    return 0;
}

static void expect_ok(size_t len)
{
    int ret = kite_image_check(img, len, &info, err, sizeof(err));

    if (ret != 0) {
        fail_msg("refused: %s", err);
    }
    assert_string_equal(err, "");
}

/* Refused with a message containing @what; the result is all zero. */
static void expect_error(size_t len, const char *what)
{
    static const struct kite_image_info zero;
    int ret = kite_image_check(img, len, &info, err, sizeof(err));

    assert_int_equal(ret, -KITE_IMAGE_EINVAL);
    assert_non_null(memchr(err, '\0', sizeof(err)));
    /* Every message fits KITE_IMAGE_ERR_MIN with room to spare, and is one line. */
    assert_true(strlen(err) < sizeof(err) - 1);
    assert_null(strchr(err, '\n'));
    if (strstr(err, what) == NULL) {
        fail_msg("message \"%s\" does not say \"%s\"", err, what);
    }
    assert_memory_equal(&info, &zero, sizeof(info));
}

static void test_good(void **state)
{
    (void)state;
    expect_ok(IMG_SIZE);
    assert_int_equal(info.phys_base, PBASE);
    assert_int_equal(info.span, 0x8000);
    assert_int_equal(info.entry_off, 0x30);
    assert_int_equal(info.nr_segs, 2);
    assert_int_equal(info.seg[0].offset, 0x1000);
    assert_int_equal(info.seg[0].filesz, 0x1000);
    assert_int_equal(info.seg[0].memsz, 0x1000);
    assert_int_equal(info.seg[0].phys_off, 0);
    assert_int_equal(info.seg[1].offset, 0x2000);
    assert_int_equal(info.seg[1].filesz, 0x800);
    assert_int_equal(info.seg[1].memsz, 0x5000);
    assert_int_equal(info.seg[1].phys_off, 0x3000);
    assert_int_equal(info.seg[2].memsz, 0);
    assert_int_equal(info.mb2_offset, MB2_AT);
    assert_int_equal(info.flags, KITE_IMAGE_RELOCATABLE);
    assert_int_equal(info.reloc_min, 0x200000);
    assert_int_equal(info.reloc_max, 0xc0000000);
    assert_int_equal(info.reloc_align, 0x200000);
    assert_int_equal(info.reloc_pref, 1);
}

/* Segments listed high first: the base is still the lowest, offsets follow phdr order. */
static void test_unsorted_segments(void **state)
{
    (void)state;
    phdr(0, 1, 6, 0x2000, VBASE + 0x3000, PBASE + 0x3000, 0x800, 0x5001);
    phdr(1, 1, 5, 0x1000, VBASE, PBASE, 0x1000, 0x1000);
    expect_ok(IMG_SIZE);
    assert_int_equal(info.phys_base, PBASE);
    assert_int_equal(info.span, 0x9000); /* 0x8001 rounded up */
    assert_int_equal(info.seg[0].phys_off, 0x3000);
    assert_int_equal(info.seg[1].phys_off, 0);
}

/* The entry's physical address comes from its segment's p_paddr, not from a fixed offset. */
static void test_entry_in_second_segment(void **state)
{
    (void)state;
    phdr(1, 1, 7, 0x2000, VBASE + 0x10000, PBASE + 0x3000, 0x800, 0x5000);
    w64(24, VBASE + 0x10010);
    expect_ok(IMG_SIZE);
    assert_int_equal(info.entry_off, 0x3010);
}

static void test_no_reloc_tag(void **state)
{
    (void)state;
    mb2(MB2_AT, 0, 24);
    w32(MB2_AT + 16, 0);
    w32(MB2_AT + 20, 8);
    expect_ok(IMG_SIZE);
    assert_int_equal(info.flags, 0);
    assert_int_equal(info.reloc_align, 0);
}

/* Trailing bytes past the last segment may be cut; anything else may not. */
static void test_truncated(void **state)
{
    (void)state;
    for (size_t len = 0; len < 0x2800; len++) {
        int ret = kite_image_check(img, len, &info, err, sizeof(err));

        if (ret != -KITE_IMAGE_EINVAL) {
            fail_msg("a file cut to %zu bytes was accepted", len);
        }
        assert_true(err[0] != '\0');
    }
    expect_error(0, "not an ELF file (no \\177ELF magic)");
    expect_error(40, "truncated ELF file (40 bytes");
    expect_error(100, "program headers extend past the end of the file");
    expect_error(0x1800, "segment 0 extends past the end of the file (offset 4096, size 4096, "
                         "file 6144)");
    expect_error(0x27ff, "segment 1 extends past the end of the file");
    expect_ok(0x2800);
}

static void test_bad_magic(void **state)
{
    (void)state;
    img[1] = 'e';
    expect_error(IMG_SIZE, "not an ELF file (no \\177ELF magic)");
}

static void test_bad_ident(void **state)
{
    (void)state;
    img[4] = 1;
    expect_error(IMG_SIZE, "not a 64-bit ELF file (class 1, expected 2");
    img[4] = 2;
    img[5] = 2;
    expect_error(IMG_SIZE, "not a little-endian ELF file");
    img[5] = 1;
    img[6] = 0;
    expect_error(IMG_SIZE, "unknown ELF version 0");
}

static void test_wrong_type(void **state)
{
    (void)state;
    w16(16, 3);
    expect_error(IMG_SIZE, "ELF type 3 is not an executable (expected 2: ET_EXEC");
}

static void test_wrong_machine(void **state)
{
    (void)state;
    w16(18, 183);
    expect_error(IMG_SIZE, "ELF machine 183 is not x86_64 (expected 62: EM_X86_64)");
    w16(18, 3);
    expect_error(IMG_SIZE, "ELF machine 3 is not x86_64");
}

static void test_phdr_out_of_range(void **state)
{
    (void)state;
    w64(32, IMG_SIZE - 100);
    expect_error(IMG_SIZE, "program headers extend past the end of the file (offset 12188, 168 "
                           "bytes, file 12288)");
    w64(32, ~0ull - 10);
    expect_error(IMG_SIZE, "program headers extend past the end of the file");
    w64(32, 64);
    w16(56, 0);
    expect_error(IMG_SIZE, "the ELF file has 0 program headers");
    w16(56, 0xffff);
    expect_error(IMG_SIZE, "the ELF file has 65535 program headers");
    w16(56, 3);
    w16(54, 32);
    expect_error(IMG_SIZE, "program header size 32 is too small");
    w16(54, 0xffff);
    expect_error(IMG_SIZE, "program headers extend past the end of the file");
}

static void test_segment_out_of_range(void **state)
{
    (void)state;
    /* An offset that wraps around with the size must not pass. */
    phdr(1, 1, 6, ~0ull - 0x100, VBASE + 0x3000, PBASE + 0x3000, 0x800, 0x5000);
    expect_error(IMG_SIZE, "segment 1 extends past the end of the file");
    phdr(1, 1, 6, 0x2000, VBASE + 0x3000, PBASE + 0x3000, ~0ull, ~0ull);
    expect_error(IMG_SIZE, "segment 1 extends past the end of the file");
    phdr(1, 1, 6, 0x2000, VBASE + 0x3000, PBASE + 0x3000, 0x800, 0x700);
    expect_error(IMG_SIZE, "segment 1 has more file bytes than memory bytes (filesz 2048 > "
                           "memsz 1792)");
    phdr(1, 1, 6, 0x2000, VBASE + 0x3000, ~0ull - 0x1000, 0x800, 0x5000);
    expect_error(IMG_SIZE, "segment 1 ends past the largest physical address");
    phdr(1, 1, 6, 0x2000, ~0ull - 0x1000, PBASE + 0x3000, 0x800, 0x5000);
    expect_error(IMG_SIZE, "segment 1 wraps around the address space");
}

static void test_no_load(void **state)
{
    (void)state;
    w32(PHDR(0), 6);
    w32(PHDR(1), 6);
    expect_error(IMG_SIZE, "no PT_LOAD segment: nothing to load (3 program headers");
}

static void test_overlap(void **state)
{
    (void)state;
    phdr(1, 1, 6, 0x2000, VBASE + 0x3000, PBASE + 0xfff, 0x800, 0x5000);
    expect_error(IMG_SIZE, "segments 0 and 1 overlap in physical memory (at 0x200000 and "
                           "0x200fff)");
    /* Touching is not overlapping; an empty segment overlaps nothing. */
    phdr(1, 1, 6, 0x2000, VBASE + 0x3000, PBASE + 0x1000, 0x800, 0x5000);
    expect_ok(IMG_SIZE);
    phdr(1, 1, 6, 0x2000, VBASE + 0x3000, PBASE + 0x10, 0, 0);
    expect_ok(IMG_SIZE);
    /* Containment is overlap too. */
    phdr(1, 1, 6, 0x2000, VBASE + 0x3000, PBASE - 0x1000, 0x800, 0x5000);
    expect_error(IMG_SIZE, "segments 0 and 1 overlap");
}

static void test_too_many_segments(void **state)
{
    (void)state;
    w16(56, 17);
    for (unsigned int i = 0; i < 17; i++) {
        phdr(i, 1, 5, 0x1000, VBASE + 0x1000ull * i, PBASE + 0x1000ull * i, i == 0 ? 0x1000 : 0,
             0x1000);
    }
    expect_error(IMG_SIZE, "more than 16 PT_LOAD segments (segment 16 is one too many)");
    w16(56, 16);
    expect_ok(IMG_SIZE);
    assert_int_equal(info.nr_segs, 16);
    assert_int_equal(info.span, 0x10000);
}

static void test_entry(void **state)
{
    (void)state;
    w64(24, VBASE + 0x1000);
    expect_error(IMG_SIZE, "entry point 0xffffffff80001000 is not inside the file bytes of an "
                           "executable PT_LOAD segment");
    /* Inside a segment that is not executable. */
    w64(24, VBASE + 0x3010);
    expect_error(IMG_SIZE, "entry point 0xffffffff80003010 is not inside");
    /* Inside the executable segment, but not executable. */
    w64(24, VBASE + 0x30);
    w32(PHDR(0) + 4, 4);
    expect_error(IMG_SIZE, "entry point 0xffffffff80000030 is not inside");
}

static void test_no_mb2(void **state)
{
    (void)state;
    memset(img + MB2_AT, 0, MB2_LEN);
    expect_error(IMG_SIZE, "no multiboot2 header in the first 32 KiB: not a Kite image");
    /* Not 8-byte aligned: not a header. */
    build(state);
    memmove(img + MB2_AT + 4, img + MB2_AT, MB2_LEN);
    memset(img + MB2_AT, 0, 4);
    expect_error(IMG_SIZE, "no multiboot2 header in the first 32 KiB");
}

static void test_mb2_past_32k(void **state)
{
    size_t len = 0x10000;

    (void)state;
    phdr(0, 1, 5, 0x1000, VBASE, PBASE, 0x9000, 0x9000);
    phdr(1, 1, 6, 0xa000, VBASE + 0xa000, PBASE + 0xa000, 0x800, 0x5000);
    memmove(img + 0x8000, img + MB2_AT, MB2_LEN);
    memset(img + MB2_AT, 0, MB2_LEN);
    expect_error(len, "no multiboot2 header in the first 32 KiB");
    /* The last place it may start. */
    memmove(img + 0x7ff0, img + 0x8000, MB2_LEN);
    expect_ok(len);
    assert_int_equal(info.mb2_offset, 0x7ff0);
}

static void test_mb2_bad_checksum(void **state)
{
    (void)state;
    w32(MB2_AT + 12, 0x12345678);
    expect_error(IMG_SIZE, "the multiboot2 header at offset 0x1000 has a bad checksum "
                           "(0x12345678, expected 0x17adaefa)");
}

static void test_mb2_bad_arch(void **state)
{
    (void)state;
    mb2(MB2_AT, 4, MB2_LEN);
    expect_error(IMG_SIZE, "is for architecture 4 (expected 0: i386)");
}

/* GRUB skips a magic whose checksum is wrong and takes a good header after it. */
static void test_mb2_good_after_bad(void **state)
{
    (void)state;
    w32(MB2_AT - 16, MB2_MAGIC);
    expect_ok(IMG_SIZE);
    assert_int_equal(info.mb2_offset, MB2_AT);
}

static void test_mb2_bad_length(void **state)
{
    (void)state;
    mb2(MB2_AT, 0, 16);
    expect_error(IMG_SIZE, "has length 16 (expected 24 up to the end of the file");
    mb2(MB2_AT, 0, 0x3000);
    expect_error(IMG_SIZE, "has length 12288");
    mb2(MB2_AT, 0, 0xffffffff);
    expect_error(IMG_SIZE, "has length 4294967295");
}

static void test_mb2_bad_tags(void **state)
{
    (void)state;
    w32(MB2_AT + 20, 4);
    expect_error(IMG_SIZE, "multiboot2 header tag 10 at offset 0x1010 has size 4 (expected 8 "
                           "to 32)");
    w32(MB2_AT + 20, 33);
    expect_error(IMG_SIZE, "has size 33 (expected 8 to 32)");
    w32(MB2_AT + 20, 16);
    expect_error(IMG_SIZE, "the multiboot2 relocatable tag at offset 0x1010 has size 16 "
                           "(expected 24)");
    /* The relocatable tag fills the header: no room for the end tag. */
    build(state);
    mb2(MB2_AT, 0, 40);
    expect_error(IMG_SIZE, "has no end tag");
    /* An unknown tag is skipped by its rounded-up size. */
    build(state);
    mb2(MB2_AT, 0, 64);
    memmove(img + MB2_AT + 32, img + MB2_AT + 16, 32);
    w16(MB2_AT + 16, 99);
    w32(MB2_AT + 20, 12);
    expect_ok(IMG_SIZE);
    assert_int_equal(info.flags, KITE_IMAGE_RELOCATABLE);
}

/* A short buffer gets a cut but terminated message; none at all is allowed too. */
static void test_short_error_buffer(void **state)
{
    char small[8];

    (void)state;
    img[0] = 0;
    assert_int_equal(kite_image_check(img, IMG_SIZE, &info, small, sizeof(small)),
                     -KITE_IMAGE_EINVAL);
    assert_string_equal(small, "not an ");
    assert_int_equal(kite_image_check(img, IMG_SIZE, &info, NULL, 0), -KITE_IMAGE_EINVAL);
    img[0] = 0x7f;
    assert_int_equal(kite_image_check(img, IMG_SIZE, &info, NULL, 0), 0);
}

/* The image the build makes: what the co-kernel loader will be given. */
static void test_real_image(void **state)
{
    const char *path = getenv("KITE_ELF") ? getenv("KITE_ELF") : "build/kite.elf";
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long size;
    int ret;

    (void)state;
    if (!f) {
        printf("kimage_utest: %s not built; skipping the real-image test\n", path);
        skip();
    }
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    assert_true(size > 0);
    rewind(f);
    buf = malloc((size_t)size);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    ret = kite_image_check(buf, (size_t)size, &info, err, sizeof(err));
    if (ret != 0) {
        fail_msg("%s refused: %s", path, err);
    }
    /* boot/header.S asks to be relocatable at a 2 MiB alignment. */
    assert_int_equal(info.flags, KITE_IMAGE_RELOCATABLE);
    assert_int_equal(info.reloc_align, 0x200000);
    assert_int_equal(info.phys_base % 0x200000, 0);
    assert_true(info.nr_segs >= 1);
    assert_true(info.entry_off < info.span);
    assert_true(info.mb2_offset < KITE_IMAGE_MB2_SEARCH);
    for (unsigned int i = 0; i < info.nr_segs; i++) {
        assert_true(info.seg[i].phys_off + info.seg[i].memsz <= info.span);
        assert_true(info.seg[i].offset + info.seg[i].filesz <= (uint64_t)size);
    }
    /* Cut in the middle of its last segment, it is refused. */
    assert_true(info.seg[info.nr_segs - 1].filesz > 1);
    ret = kite_image_check(buf, (size_t)(info.seg[info.nr_segs - 1].offset + 1), &info, err,
                           sizeof(err));
    assert_int_equal(ret, -KITE_IMAGE_EINVAL);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_good, build),
        cmocka_unit_test_setup(test_unsorted_segments, build),
        cmocka_unit_test_setup(test_entry_in_second_segment, build),
        cmocka_unit_test_setup(test_no_reloc_tag, build),
        cmocka_unit_test_setup(test_truncated, build),
        cmocka_unit_test_setup(test_bad_magic, build),
        cmocka_unit_test_setup(test_bad_ident, build),
        cmocka_unit_test_setup(test_wrong_type, build),
        cmocka_unit_test_setup(test_wrong_machine, build),
        cmocka_unit_test_setup(test_phdr_out_of_range, build),
        cmocka_unit_test_setup(test_segment_out_of_range, build),
        cmocka_unit_test_setup(test_no_load, build),
        cmocka_unit_test_setup(test_overlap, build),
        cmocka_unit_test_setup(test_too_many_segments, build),
        cmocka_unit_test_setup(test_entry, build),
        cmocka_unit_test_setup(test_no_mb2, build),
        cmocka_unit_test_setup(test_mb2_past_32k, build),
        cmocka_unit_test_setup(test_mb2_bad_checksum, build),
        cmocka_unit_test_setup(test_mb2_bad_arch, build),
        cmocka_unit_test_setup(test_mb2_good_after_bad, build),
        cmocka_unit_test_setup(test_mb2_bad_length, build),
        cmocka_unit_test_setup(test_mb2_bad_tags, build),
        cmocka_unit_test_setup(test_short_error_buffer, build),
        cmocka_unit_test_setup(test_real_image, build),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
