/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for host/common/kimage.c, the kite.elf checker that
 * kite_host.ko runs on whatever file user space hands it. Each input is
 * checked twice from an exactly-sized heap copy under ASan and UBSan: as a
 * whole file, and as a patch to a small valid image built here (the first two
 * bytes pick the offset, the third how much of the image is kept, the rest is
 * written over it), so the fuzzer reaches the segment, multiboot2 and tag
 * checks without first having to invent an ELF header. Beyond "no crash", it
 * aborts (so libFuzzer saves the input) when a result breaks the contract in
 * kimage.h: a refusal that leaves data or no message, an accepted image whose
 * segments or entry lie outside the file or the span. test/fuzz/run.sh builds
 * and runs it.
 */
#include "../../host/common/kimage.h"
#include "fuzz_check.h"

#include <string.h>

#define TEMPLATE_SIZE 0x3000
#define VBASE         0xffffffff80000000ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t template[TEMPLATE_SIZE];
static struct kite_image_info info;

static void put(size_t off, uint64_t v, unsigned int bytes)
{
    for (unsigned int i = 0; i < bytes; i++) {
        template[off + i] = (uint8_t)(v >> (8 * i));
    }
}

/* The same image as host/common/tests/kimage_utest.c: two PT_LOADs, a note, a relocatable tag. */
static void build_template(void)
{
    static const uint64_t ph[3][6] = {
        /* type | flags << 32, offset, vaddr, paddr, filesz, memsz */
        {1 | 5ull << 32, 0x1000, VBASE, 0x200000, 0x1000, 0x1000},
        {1 | 6ull << 32, 0x2000, VBASE + 0x3000, 0x203000, 0x800, 0x5000},
        {4 | 4ull << 32, 0x1100, VBASE + 0x100, 0x200100, 0x14, 0x14},
    };
    static const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    const uint32_t magic = 0xe85250d6u;

    memcpy(template, ident, sizeof(ident));
    put(16, 2, 2);
    put(18, 62, 2);
    put(20, 1, 4);
    put(24, VBASE + 0x30, 8);
    put(32, 64, 8);
    put(52, 64, 2);
    put(54, 56, 2);
    put(56, 3, 2);
    for (unsigned int i = 0; i < 3; i++) {
        for (unsigned int f = 0; f < 6; f++) {
            put(64 + 56 * i + 8 * f, ph[i][f], 8);
        }
    }
    put(0x1000, magic, 4);
    put(0x1008, 48, 4);
    put(0x100c, (uint32_t) - (magic + 48), 4);
    put(0x1010, 10 | 1u << 16, 4);
    put(0x1014, 24, 4);
    put(0x1018, 0x200000, 4);
    put(0x101c, 0xc0000000, 4);
    put(0x1020, 0x200000, 4);
    put(0x1024, 1, 4);
    put(0x102c, 8, 4);
}

static void check(const uint8_t *file, size_t len)
{
    char err[KITE_IMAGE_ERR_MIN];
    int ret;

    memset(err, 'X', sizeof(err));
    ret = kite_image_check(file, len, &info, err, sizeof(err));
    if (memchr(err, '\0', sizeof(err)) == NULL) {
        fuzz_broken("kimage_fuzz", "the error message is not terminated");
    }
    if (ret == -KITE_IMAGE_EINVAL) {
        if (!fuzz_all_zero(&info, sizeof(info))) {
            fuzz_broken("kimage_fuzz", "a refused image left data in the result");
        }
        if (err[0] == '\0' || strlen(err) >= sizeof(err) - 1) {
            fuzz_broken("kimage_fuzz", "a refused image has no message, or one cut short");
        }
        return;
    }
    if (ret != 0 || err[0] != '\0') {
        fuzz_broken("kimage_fuzz", "an accepted image returned a value or a message");
    }
    if (info.nr_segs == 0 || info.nr_segs > KITE_IMAGE_MAX_SEGS) {
        fuzz_broken("kimage_fuzz", "the segment count is out of range");
    }
    if (info.span == 0 || info.span % KITE_IMAGE_PAGE != 0 || info.entry_off >= info.span) {
        fuzz_broken("kimage_fuzz", "the span is not whole pages or does not hold the entry");
    }
    if (info.mb2_offset % 8 != 0 || info.mb2_offset + 16 > KITE_IMAGE_MB2_SEARCH ||
        info.mb2_offset + 16 > len) {
        fuzz_broken("kimage_fuzz", "the multiboot2 header is outside the searched bytes");
    }
    for (uint32_t i = 0; i < info.nr_segs; i++) {
        const struct kite_image_seg *s = &info.seg[i];

        if (s->offset > len || s->filesz > len - s->offset || s->filesz > s->memsz ||
            s->phys_off > info.span || s->memsz > info.span - s->phys_off) {
            fuzz_broken("kimage_fuzz", "a segment lies outside the file or the span");
        }
    }
}

static void run(const uint8_t *data, size_t size)
{
    uint8_t *file = malloc(size ? size : 1);

    if (!file) {
        return;
    }
    memcpy(file, data, size);
    check(file, size);
    free(file);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t patched[TEMPLATE_SIZE];
    size_t off, keep;

    if (template[0] == 0) {
        build_template();
        check(template, TEMPLATE_SIZE);
        if (info.nr_segs != 2) {
            fuzz_broken("kimage_fuzz", "the template image is refused");
        }
    }
    run(data, size);
    if (size < 3) {
        return 0;
    }
    off = (data[0] | (size_t)data[1] << 8) % TEMPLATE_SIZE;
    /* Mostly the whole image; sometimes cut, to reach every length check. */
    keep = data[2] < 0xf0 ? TEMPLATE_SIZE : (size_t)(data[2] - 0xf0 + 1) * (TEMPLATE_SIZE / 16);
    memcpy(patched, template, TEMPLATE_SIZE);
    size -= 3;
    if (size > TEMPLATE_SIZE - off) {
        size = TEMPLATE_SIZE - off;
    }
    memcpy(patched + off, data + 3, size);
    run(patched, keep);
    return 0;
}
