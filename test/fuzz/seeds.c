/* SPDX-License-Identifier: MIT */
/*
 * Seed corpus generator for the fuzzers: test/fuzz/run.sh builds it and runs
 * `seeds OUTDIR`, which writes OUTDIR/acpi/ and OUTDIR/multiboot2/. The ACPI
 * seeds come from the same builder as the unit tests (acpi_builder.h) in the
 * fuzzer's input format (acpi_input.h); the multiboot2 seeds are blocks laid
 * out as GRUB lays them out. Each seed is parsed here by the real parsers
 * before it is written, and the generator fails if one is not taken as
 * built, so a fuzzing run never starts from seeds that stop at the first
 * checksum or length check.
 */
#include "../../kernel/acpi.h"
#include "../../kernel/tests/acpi_builder.h"
#include "acpi_input.h"

#include <kite/abi/multiboot2.h>
#include <kite/bootinfo.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ACPI_IMAGE 0x2000 /* at most FUZZ_MEM_MIN, the fuzzer's zero-padded memory */

static const char *outdir;
static unsigned int written;

static void die(const char *what, const char *name)
{
    fprintf(stderr, "seeds: %s: %s\n", name, what);
    exit(1);
}

static void write_file(const char *sub, const char *name, const uint8_t *data, size_t len)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", outdir, sub);
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        die(strerror(errno), path);
    }
    snprintf(path, sizeof(path), "%s/%s/%s", outdir, sub, name);
    f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        die("cannot write", path);
    }
    written++;
}

/* ---------------------------------------------------------------- ACPI */

static uint8_t image[1 + ACPI_IMAGE];
static struct ab_mem mem = {image + 1, 0, ACPI_IMAGE, false};

/* Parse the image as the fuzzer would, fix-ups included, and fail unless all is taken. */
static void acpi_parse_seed(const char *name, size_t len, struct kite_acpi_info *out)
{
    static uint8_t scratch[4096], work[FUZZ_MEM_MIN];
    struct fuzz_mem m = {work, sizeof(work)};
    uint8_t rsdp[36], found[36];

    memset(work, 0, sizeof(work));
    memcpy(work, image + 1, len - 1);
    if (image[0] & FUZZ_CTRL_FIX_SUMS) {
        fuzz_fix_sums(work, sizeof(work));
    }
    memcpy(rsdp, work, 36);
    if (kite_acpi_parse(rsdp, (image[0] & FUZZ_CTRL_RSDP_V1) ? 20 : 36, fuzz_mem_read, &m, NULL,
                        NULL, scratch, sizeof(scratch), out) != 0) {
        die("the parser refuses it", name);
    }
    if (out->tables_bad != 0) {
        die("the parser refuses one of its tables", name);
    }
    if (kite_acpi_scan_rsdp(fuzz_mem_read, &m, found) == 0) {
        die("the scan does not find its RSDP", name);
    }
}

static void acpi_seeds(void)
{
    struct kite_acpi_info *info = calloc(1, sizeof(*info));
    struct ab_good g;
    struct ab_table t;
    uint8_t rsdp[36];
    uint64_t list[2];
    size_t len;

    if (!info) {
        die("out of memory", "acpi");
    }

    /* The good set, with the RSDP at the start. */
    memset(image, 0, sizeof(image));
    ab_good_set(&mem, 64, &g, rsdp);
    ab_write(&mem, 0, rsdp, 36);
    len = 1 + g.end;
    acpi_parse_seed("good-xsdt", len, info);
    if (!info->has_madt || !info->has_srat || !info->has_slit || !info->has_hpet ||
        !info->has_mcfg || info->ncpus != 4) {
        die("not every table was taken", "good-xsdt");
    }
    write_file("acpi", "good-xsdt", image, len);

    /* The same set with every checksum zeroed and the fix-up flag: the harness fixes them. */
    image[0] = FUZZ_CTRL_FIX_SUMS;
    image[1 + 8] = image[1 + 32] = 0;
    {
        const uint64_t tables[] = {g.facp, g.madt, g.srat, g.slit, g.hpet, g.mcfg, g.xsdt, g.rsdt};

        for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
            image[1 + tables[i] + 9] = 0;
        }
    }
    acpi_parse_seed("good-fixsums", len, info);
    if (!info->has_madt || !info->has_mcfg) {
        die("the fix-ups did not restore the set", "good-fixsums");
    }
    write_file("acpi", "good-fixsums", image, len);

    /* ACPI 1.0: a 20-byte RSDP and the RSDT. */
    memset(image, 0, sizeof(image));
    ab_good_set(&mem, 64, &g, rsdp);
    ab_rsdp(rsdp, 0, (uint32_t)g.rsdt, 0);
    ab_write(&mem, 0, rsdp, 20);
    image[0] = FUZZ_CTRL_RSDP_V1;
    len = 1 + g.end;
    acpi_parse_seed("rsdt-v1", len, info);
    if (!info->has_madt || info->rsdp_revision != 0) {
        die("the RSDT was not used", "rsdt-v1");
    }
    write_file("acpi", "rsdt-v1", image, len);

    /* A busy MADT and SRAT (many CPUs, x2APICs, several I/O APICs), scanned from the EBDA. */
    memset(image, 0, sizeof(image));
    t = ab_madt(&mem, 0x600, 0xfee00000, 1);
    for (unsigned int i = 0; i < 40; i++) {
        ab_madt_lapic(&t, (uint8_t)i, (uint8_t)i, i % 5 ? 1 : 2);
    }
    for (unsigned int i = 0; i < 8; i++) {
        ab_madt_x2apic(&t, 0x200 + i, 1, 100 + i);
    }
    for (unsigned int i = 0; i < 3; i++) {
        ab_madt_ioapic(&t, (uint8_t)i, 0xfec00000 + 0x1000 * i, 24 * i);
        ab_madt_override(&t, 0, (uint8_t)i, i + 1, 0xd);
    }
    ab_madt_lapic_addr(&t, 0xfee00000);
    ab_madt_nmi(&t, 0xff, 5, 1);
    ab_madt_x2apic_nmi(&t, 0, 0xffffffff, 1);
    list[0] = 0x600;
    list[1] = 0x600 + ((ab_end(&t) + 15u) & ~15u);
    t = ab_srat(&mem, list[1], 3);
    for (unsigned int i = 0; i < 8; i++) {
        ab_srat_cpu(&t, (uint8_t)i, i / 2, 1);
        ab_srat_mem(&t, 0x40000000ull * i, 0x40000000, i / 2, i == 7 ? 3 : 1);
    }
    ab_srat_x2apic(&t, 0x200, 3, 1);
    ab_end(&t);
    ab_root(&mem, 0x100, "XSDT", list, 2);
    ab_rsdp(rsdp, 2, 0, 0x100);
    ab_write(&mem, 0, rsdp, 36);
    /* The EBDA segment points at a second copy of the RSDP at 0x500. */
    ab_w16(&mem, 0x40e, 0x50);
    ab_write(&mem, 0x500, rsdp, 36);
    len = 1 + 0x1400;
    if (mem.overflow) {
        die("the layout does not fit", "busy-madt");
    }
    acpi_parse_seed("busy-madt", len, info);
    if (info->ncpus != 48 || info->nioapics != 3 || info->nmem_affinity != 8) {
        die("the MADT or SRAT was not taken whole", "busy-madt");
    }
    write_file("acpi", "busy-madt", image, len);
    free(info);
}

/* ---------------------------------------------------------------- multiboot2 */

static uint8_t block[1024] __attribute__((aligned(8)));
static size_t block_len;

static size_t tag(uint32_t type, uint32_t size)
{
    size_t off = block_len;

    memcpy(block + off, &type, 4);
    memcpy(block + off + 4, &size, 4);
    block_len = (off + size + 7) & ~(size_t)7;
    return off;
}

static void tag_string(uint32_t type, const char *s)
{
    size_t n = strlen(s) + 1;

    memcpy(block + tag(type, (uint32_t)(8 + n)) + 8, s, n);
}

static void end_block(void)
{
    uint32_t total;

    tag(KITE_MB2_TAG_END, 8);
    total = (uint32_t)block_len;
    memcpy(block, &total, 4);
}

static void mb2_check_and_write(const char *name)
{
    static struct kite_bootinfo bi;
    char err[256];

    if (kite_mb2_parse(block, block_len, &bi, err, sizeof(err)) != 0) {
        die(err, name);
    }
    write_file("multiboot2", name, block, block_len);
}

static void mb2_seeds(void)
{
    static const uint64_t ranges[][3] = {
        {0, 0x9fc00, KITE_MB2_MEM_AVAILABLE},
        {0x9fc00, 0x400, KITE_MB2_MEM_RESERVED},
        {0x100000, 0x7fee0000, KITE_MB2_MEM_AVAILABLE},
        {0x7ffe0000, 0x20000, KITE_MB2_MEM_ACPI_RECLAIMABLE},
    };
    uint8_t rsdp[36];
    uint32_t v;
    uint64_t q;
    size_t off;

    /* A block as GRUB passes it on a BIOS boot. */
    memset(block, 0, sizeof(block));
    block_len = 8;
    tag_string(KITE_MB2_TAG_CMDLINE, "kite.loglevel=7 kite.test=all");
    tag_string(KITE_MB2_TAG_LOADER_NAME, "GRUB 2.06");
    off = tag(KITE_MB2_TAG_BASIC_MEMINFO, 16);
    v = 639;
    memcpy(block + off + 8, &v, 4);
    v = 0x1ff80;
    memcpy(block + off + 12, &v, 4);
    off = tag(KITE_MB2_TAG_MODULE, 16 + 7);
    v = 0x200000;
    memcpy(block + off + 8, &v, 4);
    v = 0x280000;
    memcpy(block + off + 12, &v, 4);
    memcpy(block + off + 16, "initrd", 7);
    off = tag(KITE_MB2_TAG_MMAP, 16 + 24 * 4);
    v = 24;
    memcpy(block + off + 8, &v, 4);
    for (size_t i = 0; i < 4; i++) {
        memcpy(block + off + 16 + 24 * i, &ranges[i][0], 8);
        memcpy(block + off + 24 + 24 * i, &ranges[i][1], 8);
        v = (uint32_t)ranges[i][2];
        memcpy(block + off + 32 + 24 * i, &v, 4);
    }
    off = tag(KITE_MB2_TAG_FRAMEBUFFER, 32);
    q = 0xb8000;
    memcpy(block + off + 8, &q, 8);
    block[off + 29] = KITE_MB2_FB_EGA_TEXT;
    off = tag(KITE_MB2_TAG_ACPI_OLD, 8 + 20);
    ab_rsdp(rsdp, 0, 0x7ffe1000, 0);
    memcpy(block + off + 8, rsdp, 20);
    off = tag(KITE_MB2_TAG_ACPI_NEW, 8 + 36);
    ab_rsdp(rsdp, 2, 0x7ffe1000, 0x7ffe2000);
    memcpy(block + off + 8, rsdp, 36);
    off = tag(KITE_MB2_TAG_LOAD_BASE, 12);
    v = 0x200000;
    memcpy(block + off + 8, &v, 4);
    tag(0x777, 12);
    end_block();
    mb2_check_and_write("grub-bios");

    /* A UEFI boot: EFI tags, no basic meminfo. */
    memset(block, 0, sizeof(block));
    block_len = 8;
    tag_string(KITE_MB2_TAG_CMDLINE, "");
    off = tag(KITE_MB2_TAG_EFI64, 16);
    q = 0x7f9ee018;
    memcpy(block + off + 8, &q, 8);
    tag(KITE_MB2_TAG_EFI_BS, 8);
    off = tag(KITE_MB2_TAG_MMAP, 16 + 24);
    v = 24;
    memcpy(block + off + 8, &v, 4);
    memcpy(block + off + 24, &ranges[2][1], 8);
    block[off + 32] = 1;
    end_block();
    mb2_check_and_write("grub-uefi");

    /* The smallest valid block. */
    memset(block, 0, sizeof(block));
    block_len = 8;
    end_block();
    mb2_check_and_write("minimal");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    outdir = argv[1];
    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
        die(strerror(errno), outdir);
    }
    acpi_seeds();
    mb2_seeds();
    printf("%u\n", written);
    return 0;
}
