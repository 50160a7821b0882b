/* SPDX-License-Identifier: MIT */
/*
 * Multiboot2 information block parser. GRUB (and any other loader that builds
 * the same block) hands Kite a list of tags; this file checks every size and
 * offset before it reads a field, and copies what Kite needs into struct
 * kite_bootinfo, so the rest of the kernel never looks at loader memory. It
 * keeps no state and calls nothing but kite_snprintf, so the host unit tests
 * run it under sanitizers against truncated and corrupted blocks.
 */
#include <kite/abi/bootparams.h>
#include <kite/abi/multiboot2.h>
#include <kite/bootinfo.h>
#include <kite/errno.h>
#include <kite/printk.h>
#include <kite/unaligned.h>

#define TAG_HEADER_SIZE   8u
#define BLOCK_HEADER      8u
#define MMAP_ENTRY_MIN    24u
#define RSDP_V1_SIZE      20u
#define RSDP_V2_SIZE      36u
#define RSDP_LENGTH_OFF   20u
#define RSDP_REVISION_OFF 15u

struct mb2_parser {
    const uint8_t *base;
    uint32_t total;
    struct kite_bootinfo *out;
    char *err;
    size_t errlen;
    bool have_acpi_new; /* an ACPI 2.0+ RSDP wins over a 1.0 one, in any order */
};

static const char *tag_name(uint32_t type)
{
    switch (type) {
    case KITE_MB2_TAG_END:
        return "end";
    case KITE_MB2_TAG_CMDLINE:
        return "command line";
    case KITE_MB2_TAG_LOADER_NAME:
        return "loader name";
    case KITE_MB2_TAG_MODULE:
        return "module";
    case KITE_MB2_TAG_BASIC_MEMINFO:
        return "basic memory info";
    case KITE_MB2_TAG_BOOTDEV:
        return "boot device";
    case KITE_MB2_TAG_MMAP:
        return "memory map";
    case KITE_MB2_TAG_VBE:
        return "VBE info";
    case KITE_MB2_TAG_FRAMEBUFFER:
        return "framebuffer";
    case KITE_MB2_TAG_ELF_SECTIONS:
        return "ELF sections";
    case KITE_MB2_TAG_APM:
        return "APM table";
    case KITE_MB2_TAG_EFI32:
        return "EFI 32-bit system table";
    case KITE_MB2_TAG_EFI64:
        return "EFI 64-bit system table";
    case KITE_MB2_TAG_SMBIOS:
        return "SMBIOS tables";
    case KITE_MB2_TAG_ACPI_OLD:
        return "ACPI 1.0 RSDP";
    case KITE_MB2_TAG_ACPI_NEW:
        return "ACPI 2.0 RSDP";
    case KITE_MB2_TAG_NETWORK:
        return "network info";
    case KITE_MB2_TAG_EFI_MMAP:
        return "EFI memory map";
    case KITE_MB2_TAG_EFI_BS:
        return "EFI boot services not exited";
    case KITE_MB2_TAG_EFI32_IH:
        return "EFI 32-bit image handle";
    case KITE_MB2_TAG_EFI64_IH:
        return "EFI 64-bit image handle";
    case KITE_MB2_TAG_LOAD_BASE:
        return "image load base";
    case KITE_MB2_TAG_BOOT_PARAMS:
        return "Kite co-kernel boot params";
    default:
        return "unknown";
    }
}

const char *kite_mem_type_name(uint32_t type)
{
    switch (type) {
    case KITE_MEM_AVAILABLE:
        return "available";
    case KITE_MEM_RESERVED:
        return "reserved";
    case KITE_MEM_ACPI_RECLAIMABLE:
        return "ACPI reclaimable";
    case KITE_MEM_NVS:
        return "ACPI NVS";
    case KITE_MEM_BAD:
        return "bad memory";
    default:
        return "unknown";
    }
}

/*
 * The smallest size a tag of @type may have for its fixed fields to be inside
 * it, and what those bytes are (for the message). 0: no rule beyond the header.
 */
static uint32_t min_tag_size(uint32_t type, const char **what)
{
    *what = "header";
    switch (type) {
    case KITE_MB2_TAG_MODULE:
    case KITE_MB2_TAG_BASIC_MEMINFO:
    case KITE_MB2_TAG_MMAP:
    case KITE_MB2_TAG_EFI64:
        return 16;
    case KITE_MB2_TAG_BOOT_PARAMS:
        *what = "header and 8-byte address";
        return 16;
    case KITE_MB2_TAG_EFI32:
    case KITE_MB2_TAG_LOAD_BASE:
        return 12;
    case KITE_MB2_TAG_FRAMEBUFFER:
        *what = "header and common fields";
        return 31;
    case KITE_MB2_TAG_ACPI_OLD:
        *what = "header and 20-byte RSDP";
        return TAG_HEADER_SIZE + RSDP_V1_SIZE;
    case KITE_MB2_TAG_ACPI_NEW:
        *what = "header and 36-byte RSDP";
        return TAG_HEADER_SIZE + RSDP_V2_SIZE;
    default:
        return 0;
    }
}

static void fail_va(struct mb2_parser *ps, size_t at, const char *fmt, va_list ap)
{
    if (ps->err && at < ps->errlen) {
        kite_vsnprintf(ps->err + at, ps->errlen - at, fmt, ap);
    }
}

static int block_fail(struct mb2_parser *ps, const char *fmt, ...) KITE_PRINTF(2, 3);
static int block_fail(struct mb2_parser *ps, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fail_va(ps, 0, fmt, ap);
    va_end(ap);
    return -KITE_EINVAL;
}

/* Every message about a tag names its type and offset, so a bad block can be found in a dump. */
static int tag_fail(struct mb2_parser *ps, uint32_t type, uint32_t off, const char *fmt, ...)
    KITE_PRINTF(4, 5);
static int tag_fail(struct mb2_parser *ps, uint32_t type, uint32_t off, const char *fmt, ...)
{
    va_list ap;
    int n = 0;

    if (ps->err && ps->errlen > 0) {
        n = kite_snprintf(ps->err, ps->errlen, "tag %u (%s) at offset 0x%x: ", type, tag_name(type),
                          off);
    }
    va_start(ap, fmt);
    if (n > 0) {
        fail_va(ps, (size_t)n, fmt, ap);
    }
    va_end(ap);
    return -KITE_EINVAL;
}

/* Length of the NUL-terminated string in [p, p + room), or -1 when there is no NUL there. */
static long bounded_strlen(const uint8_t *p, uint32_t room)
{
    for (uint32_t i = 0; i < room; i++) {
        if (p[i] == '\0') {
            return (long)i;
        }
    }
    return -1;
}

/* Copy a string of @len bytes, cutting it to fit @cap bytes with its NUL. */
static void copy_cut(char *dst, size_t cap, const uint8_t *src, size_t len)
{
    size_t n = KITE_MIN(len, cap - 1);

    __builtin_memcpy(dst, src, n);
    dst[n] = '\0';
}

static int parse_cmdline(struct mb2_parser *ps, uint32_t off, uint32_t size)
{
    const uint8_t *s = ps->base + off + TAG_HEADER_SIZE;
    long len = bounded_strlen(s, size - TAG_HEADER_SIZE);

    if (len < 0) {
        return tag_fail(ps, KITE_MB2_TAG_CMDLINE, off,
                        "the command line is not NUL-terminated inside the tag (size %u)", size);
    }
    if ((size_t)len > KITE_CMDLINE_MAX - 1) {
        /*
         * Cutting the line could turn "kite.x=1234" into "kite.x=12", a valid
         * but wrong option, so an overlong line is dropped whole.
         */
        ps->out->cmdline[0] = '\0';
        if (ps->err && ps->errlen > 0 && ps->err[0] == '\0') {
            kite_snprintf(ps->err, ps->errlen,
                          "warning: the command line is %ld bytes, more than the %u Kite "
                          "accepts; ignoring all of it",
                          len, (unsigned int)(KITE_CMDLINE_MAX - 1));
        }
        return 0;
    }
    copy_cut(ps->out->cmdline, sizeof(ps->out->cmdline), s, (size_t)len);
    return 0;
}

static int parse_loader_name(struct mb2_parser *ps, uint32_t off, uint32_t size)
{
    const uint8_t *s = ps->base + off + TAG_HEADER_SIZE;
    long len = bounded_strlen(s, size - TAG_HEADER_SIZE);

    if (len < 0) {
        return tag_fail(ps, KITE_MB2_TAG_LOADER_NAME, off,
                        "the loader name is not NUL-terminated inside the tag (size %u)", size);
    }
    copy_cut(ps->out->loader_name, sizeof(ps->out->loader_name), s, (size_t)len);
    return 0;
}

static int parse_module(struct mb2_parser *ps, uint32_t off, uint32_t size)
{
    const uint8_t *t = ps->base + off;
    uint32_t start = kite_get_le32(t + 8), end = kite_get_le32(t + 12);
    long len = bounded_strlen(t + 16, size - 16);
    struct kite_boot_module *m;

    if (len < 0) {
        return tag_fail(ps, KITE_MB2_TAG_MODULE, off,
                        "the module's name is not NUL-terminated inside the tag (size %u)", size);
    }
    if (start > end) {
        return tag_fail(ps, KITE_MB2_TAG_MODULE, off, "module start 0x%x is after its end 0x%x",
                        start, end);
    }
    /* Modules past the table are still checked above, but only the first ones are kept. */
    if (ps->out->module_count >= KITE_BOOT_MODULES_MAX) {
        return 0;
    }
    m = &ps->out->modules[ps->out->module_count++];
    m->start = start;
    m->end = end;
    copy_cut(m->name, sizeof(m->name), t + 16, (size_t)len);
    return 0;
}

static int parse_mmap(struct mb2_parser *ps, uint32_t off, uint32_t size)
{
    const uint8_t *t = ps->base + off;
    uint32_t entry_size = kite_get_le32(t + 8);
    uint32_t count;

    if (entry_size < MMAP_ENTRY_MIN) {
        return tag_fail(ps, KITE_MB2_TAG_MMAP, off,
                        "entry_size %u is smaller than the %u-byte memory map entry", entry_size,
                        MMAP_ENTRY_MIN);
    }
    if (entry_size % 8 != 0) {
        return tag_fail(ps, KITE_MB2_TAG_MMAP, off, "entry_size %u is not a multiple of 8",
                        entry_size);
    }
    /* Some loaders leave a partial entry's worth of padding at the end; it is not an entry. */
    count = (size - 16) / entry_size;

    /* A repeated memory map tag replaces the earlier one rather than mixing two views. */
    ps->out->mmap_count = 0;
    ps->out->mmap_truncated = false;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = t + 16 + (size_t)i * entry_size;
        struct kite_mem_range *r;

        if (ps->out->mmap_count >= KITE_BOOT_MMAP_MAX) {
            ps->out->mmap_truncated = true;
            break;
        }
        r = &ps->out->mmap[ps->out->mmap_count++];
        r->base = kite_get_le64(e);
        r->length = kite_get_le64(e + 8);
        r->type = kite_get_le32(e + 16);
    }
    return 0;
}

static void parse_framebuffer(struct mb2_parser *ps, uint32_t off)
{
    const uint8_t *t = ps->base + off;
    struct kite_framebuffer *fb = &ps->out->fb;

    ps->out->has_framebuffer = true;
    fb->addr = kite_get_le64(t + 8);
    fb->pitch = kite_get_le32(t + 16);
    fb->width = kite_get_le32(t + 20);
    fb->height = kite_get_le32(t + 24);
    fb->bpp = t[28];
    fb->type = t[29];
}

static void take_rsdp(struct mb2_parser *ps, const uint8_t *rsdp, uint32_t len)
{
    uint32_t n = KITE_MIN(len, (uint32_t)KITE_RSDP_MAX);

    __builtin_memset(ps->out->rsdp, 0, sizeof(ps->out->rsdp));
    __builtin_memcpy(ps->out->rsdp, rsdp, n);
    ps->out->rsdp_len = (uint8_t)n;
    ps->out->rsdp_revision = rsdp[RSDP_REVISION_OFF];
}

static int parse_acpi_new(struct mb2_parser *ps, uint32_t off, uint32_t size)
{
    const uint8_t *rsdp = ps->base + off + TAG_HEADER_SIZE;
    uint32_t len = kite_get_le32(rsdp + RSDP_LENGTH_OFF);

    if (len < RSDP_V2_SIZE) {
        return tag_fail(ps, KITE_MB2_TAG_ACPI_NEW, off,
                        "the RSDP's length field says %u, less than the %u bytes of an ACPI "
                        "2.0 RSDP",
                        len, RSDP_V2_SIZE);
    }
    if (len > size - TAG_HEADER_SIZE) {
        return tag_fail(ps, KITE_MB2_TAG_ACPI_NEW, off,
                        "the RSDP's length field says %u, but the tag holds only %u bytes of it",
                        len, size - TAG_HEADER_SIZE);
    }
    take_rsdp(ps, rsdp, len);
    ps->have_acpi_new = true;
    return 0;
}

static int parse_tag(struct mb2_parser *ps, uint32_t type, uint32_t off, uint32_t size)
{
    const char *what;
    uint32_t min = min_tag_size(type, &what);
    const uint8_t *t = ps->base + off;

    if (size < min) {
        return tag_fail(ps, type, off, "size %u is smaller than its %u-byte %s", size, min, what);
    }
    switch (type) {
    case KITE_MB2_TAG_CMDLINE:
        return parse_cmdline(ps, off, size);
    case KITE_MB2_TAG_LOADER_NAME:
        return parse_loader_name(ps, off, size);
    case KITE_MB2_TAG_MODULE:
        return parse_module(ps, off, size);
    case KITE_MB2_TAG_BASIC_MEMINFO:
        ps->out->mem_lower_kib = kite_get_le32(t + 8);
        ps->out->mem_upper_kib = kite_get_le32(t + 12);
        return 0;
    case KITE_MB2_TAG_MMAP:
        return parse_mmap(ps, off, size);
    case KITE_MB2_TAG_FRAMEBUFFER:
        parse_framebuffer(ps, off);
        return 0;
    case KITE_MB2_TAG_EFI32:
    case KITE_MB2_TAG_EFI64:
        ps->out->efi = true;
        return 0;
    case KITE_MB2_TAG_ACPI_OLD:
        if (!ps->have_acpi_new) {
            take_rsdp(ps, t + TAG_HEADER_SIZE, RSDP_V1_SIZE);
        }
        return 0;
    case KITE_MB2_TAG_ACPI_NEW:
        return parse_acpi_new(ps, off, size);
    case KITE_MB2_TAG_LOAD_BASE:
        ps->out->has_load_base = true;
        ps->out->load_base = kite_get_le32(t + 8);
        return 0;
    case KITE_MB2_TAG_BOOT_PARAMS:
        ps->out->has_boot_params = true;
        ps->out->boot_params = kite_get_le64(t + 8);
        return 0;
    case KITE_MB2_TAG_BOOTDEV:
    case KITE_MB2_TAG_VBE:
    case KITE_MB2_TAG_ELF_SECTIONS:
    case KITE_MB2_TAG_APM:
    case KITE_MB2_TAG_SMBIOS:
    case KITE_MB2_TAG_NETWORK:
    case KITE_MB2_TAG_EFI_MMAP:
    case KITE_MB2_TAG_EFI_BS:
    case KITE_MB2_TAG_EFI32_IH:
    case KITE_MB2_TAG_EFI64_IH:
        /* Defined by the specification and sent by GRUB on every boot, but not needed. */
        return 0;
    default:
        ps->out->unknown_tags++;
        return 0;
    }
}

static int walk_tags(struct mb2_parser *ps)
{
    /* 64-bit so that rounding a tag up to 8 bytes cannot wrap near the top of 32 bits. */
    uint64_t off = BLOCK_HEADER;

    for (;;) {
        uint32_t type, size;
        int ret;

        if (off > ps->total || ps->total - off < TAG_HEADER_SIZE) {
            return block_fail(ps, "no end tag before the block's total_size (0x%x) runs out",
                              ps->total);
        }
        type = kite_get_le32(ps->base + off);
        size = kite_get_le32(ps->base + off + 4);
        if (size < TAG_HEADER_SIZE) {
            return tag_fail(ps, type, (uint32_t)off,
                            "size %u is smaller than the %u-byte tag header", size,
                            TAG_HEADER_SIZE);
        }
        if (size > ps->total - off) {
            return tag_fail(ps, type, (uint32_t)off,
                            "size %u runs past the end of the block (total_size 0x%x)", size,
                            ps->total);
        }
        if (type == KITE_MB2_TAG_END) {
            if (size != TAG_HEADER_SIZE) {
                return tag_fail(ps, type, (uint32_t)off, "size %u, expected %u", size,
                                TAG_HEADER_SIZE);
            }
            return 0;
        }
        ret = parse_tag(ps, type, (uint32_t)off, size);
        if (ret < 0) {
            return ret;
        }
        off += KITE_ALIGN_UP((uint64_t)size, KITE_MB2_TAG_ALIGN);
    }
}

/*
 * Two kinds of trouble are not errors, and the call returns 0 for them:
 * - more memory ranges than KITE_BOOT_MMAP_MAX (the first ones are kept and
 *   out->mmap_truncated is set), more modules than KITE_BOOT_MODULES_MAX (the
 *   first ones are kept), names longer than KITE_BOOT_NAME_MAX (cut);
 * - a command line longer than KITE_CMDLINE_MAX - 1: out->cmdline stays empty
 *   (a cut line could change an option's value) and @err gets a message that
 *   starts with "warning: ". The struct has no flag for this, so a caller
 *   should log @err whenever it is not empty. On a clean parse @err is "".
 */
int kite_mb2_parse(const void *info, size_t avail, struct kite_bootinfo *out, char *err,
                   size_t errlen)
{
    struct mb2_parser ps = {
        .base = info,
        .out = out,
        .err = err,
        .errlen = errlen,
    };
    int ret;

    if (err && errlen > 0) {
        err[0] = '\0';
    }
    if (!out) {
        return block_fail(&ps, "no kite_bootinfo to fill in (NULL)");
    }
    __builtin_memset(out, 0, sizeof(*out));

    if (!info) {
        ret = block_fail(&ps, "no information block (NULL pointer)");
        goto out_clear;
    }
    if ((uintptr_t)info % KITE_MB2_TAG_ALIGN != 0) {
        ret = block_fail(&ps, "the information block at %p is not 8-byte aligned", info);
        goto out_clear;
    }
    if (avail < BLOCK_HEADER) {
        ret = block_fail(&ps, "only %zu bytes available, less than the %u-byte block header", avail,
                         BLOCK_HEADER);
        goto out_clear;
    }
    ps.total = kite_get_le32(ps.base);
    if (ps.total < BLOCK_HEADER + TAG_HEADER_SIZE) {
        ret = block_fail(&ps,
                         "total_size 0x%x is smaller than the 16 bytes of block header and end "
                         "tag",
                         ps.total);
        goto out_clear;
    }
    if (ps.total > avail) {
        ret = block_fail(&ps, "total_size 0x%x is larger than the 0x%zx bytes available", ps.total,
                         avail);
        goto out_clear;
    }
    ret = walk_tags(&ps);
    if (ret < 0) {
        goto out_clear;
    }
    return 0;

out_clear:
    __builtin_memset(out, 0, sizeof(*out));
    return ret;
}
