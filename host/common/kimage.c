// SPDX-License-Identifier: MIT
/*
 * The kite.elf checker (see kimage.h): kitectl runs it before LOAD so an
 * operator gets a clear message, and kite_host.ko runs it again on the bytes
 * it copied, because the module trusts nothing user space hands it. Every
 * field is read byte by byte (the buffer may have any alignment) and every
 * offset and size is checked against the file's length without overflowing.
 */
#include "kimage.h"

#define ELF_HDR_SIZE   64
#define ELF_PHDR_SIZE  56
#define ELFCLASS64     2
#define ELFDATA2LSB    1
#define EV_CURRENT     1
#define ET_EXEC        2
#define EM_X86_64      62
#define PN_XNUM        0xffff
#define PT_LOAD        1
#define PF_X           0x1
#define MB2_MAGIC      0xe85250d6u
#define MB2_ARCH_I386  0
#define MB2_HDR_SIZE   16
#define MB2_TAG_END    0
#define MB2_TAG_RELOC  10
#define MB2_RELOC_SIZE 24
#define PHYS_LIMIT     (1ull << 52) /* x86_64 physical addresses are below 4 PiB */

/* ---------------------------------------------------------------- the message */

struct msg {
    char *buf;
    size_t len; /* of buf */
    size_t pos;
};

static void put_char(struct msg *m, char c)
{
    if (m->pos + 1 < m->len) {
        m->buf[m->pos++] = c;
        m->buf[m->pos] = '\0';
    }
}

static void put_num(struct msg *m, uint64_t v, unsigned int base)
{
    char digits[20];
    unsigned int n = 0;

    do {
        unsigned int d = (unsigned int)(v % base);

        digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v != 0);
    while (n > 0) {
        put_char(m, digits[--n]);
    }
}

/*
 * Write @fmt to the message: "%u" takes the next argument in decimal, "%x"
 * in hexadecimal with a 0x prefix; everything else is copied.
 */
static void say(struct msg *m, const char *fmt, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    const uint64_t args[4] = {a0, a1, a2, a3};
    unsigned int next = 0;

    if (m->len == 0) {
        return;
    }
    m->pos = 0;
    m->buf[0] = '\0';
    for (; *fmt != '\0'; fmt++) {
        if (fmt[0] == '%' && (fmt[1] == 'u' || fmt[1] == 'x') && next < 4) {
            if (fmt[1] == 'x') {
                put_char(m, '0');
                put_char(m, 'x');
            }
            put_num(m, args[next++], fmt[1] == 'x' ? 16 : 10);
            fmt++;
        } else {
            put_char(m, *fmt);
        }
    }
}

/* ---------------------------------------------------------------- reading */

static uint32_t rd16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t rd32(const uint8_t *p)
{
    return rd16(p) | rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void clear(void *p, size_t len)
{
    uint8_t *b = p;

    while (len-- > 0) {
        *b++ = 0;
    }
}

/* Whether [off, off + size) lies inside a buffer of @len bytes, without overflow. */
static int inside(uint64_t off, uint64_t size, uint64_t len)
{
    return off <= len && size <= len - off;
}

struct phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz;
};

static void read_phdr(const uint8_t *p, struct phdr *ph)
{
    ph->type = rd32(p);
    ph->flags = rd32(p + 4);
    ph->offset = rd64(p + 8);
    ph->vaddr = rd64(p + 16);
    ph->paddr = rd64(p + 24);
    ph->filesz = rd64(p + 32);
    ph->memsz = rd64(p + 40);
}

/* ---------------------------------------------------------------- the checks */

static int check_ehdr(const uint8_t *b, size_t len, struct msg *m)
{
    uint64_t phoff, phsize;
    uint32_t phnum, phentsize;

    if (len < 4 || b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F') {
        say(m, "not an ELF file (no \\177ELF magic)", 0, 0, 0, 0);
        return -1;
    }
    if (len < ELF_HDR_SIZE) {
        say(m, "truncated ELF file (%u bytes, the ELF header alone takes 64)", len, 0, 0, 0);
        return -1;
    }
    if (b[4] != ELFCLASS64) {
        say(m, "not a 64-bit ELF file (class %u, expected 2: ELFCLASS64)", b[4], 0, 0, 0);
        return -1;
    }
    if (b[5] != ELFDATA2LSB) {
        say(m, "not a little-endian ELF file (data encoding %u, expected 1: ELFDATA2LSB)", b[5], 0,
            0, 0);
        return -1;
    }
    if (b[6] != EV_CURRENT) {
        say(m, "unknown ELF version %u (expected 1)", b[6], 0, 0, 0);
        return -1;
    }
    if (rd16(b + 16) != ET_EXEC) {
        say(m, "ELF type %u is not an executable (expected 2: ET_EXEC, as kite.elf is linked)",
            rd16(b + 16), 0, 0, 0);
        return -1;
    }
    if (rd16(b + 18) != EM_X86_64) {
        say(m, "ELF machine %u is not x86_64 (expected 62: EM_X86_64)", rd16(b + 18), 0, 0, 0);
        return -1;
    }
    phoff = rd64(b + 32);
    phentsize = rd16(b + 54);
    phnum = rd16(b + 56);
    if (phnum == 0 || phnum == PN_XNUM) {
        say(m, "the ELF file has %u program headers (expected 1 to 65534)", phnum, 0, 0, 0);
        return -1;
    }
    if (phentsize < ELF_PHDR_SIZE) {
        say(m, "program header size %u is too small (expected at least 56)", phentsize, 0, 0, 0);
        return -1;
    }
    phsize = (uint64_t)phnum * phentsize; /* both below 2^16: no overflow */
    if (!inside(phoff, phsize, len)) {
        say(m, "program headers extend past the end of the file (offset %u, %u bytes, file %u)",
            phoff, phsize, len, 0);
        return -1;
    }
    return 0;
}

/* Walk the PT_LOAD segments into @out; the caller cleared it. */
static int check_segments(const uint8_t *b, size_t len, struct kite_image_info *out, struct msg *m)
{
    uint64_t phoff = rd64(b + 32), entry = rd64(b + 24);
    uint32_t phentsize = rd16(b + 54), phnum = rd16(b + 56);
    uint64_t lo = ~(uint64_t)0, hi = 0, entry_phys = 0;
    uint32_t idx[KITE_IMAGE_MAX_SEGS];
    uint32_t n = 0;
    int have_entry = 0;
    struct phdr ph, other;

    for (uint32_t i = 0; i < phnum; i++) {
        read_phdr(b + phoff + (uint64_t)i * phentsize, &ph);
        if (ph.type != PT_LOAD) {
            continue;
        }
        if (n == KITE_IMAGE_MAX_SEGS) {
            say(m, "more than %u PT_LOAD segments (segment %u is one too many)",
                KITE_IMAGE_MAX_SEGS, i, 0, 0);
            return -1;
        }
        if (!inside(ph.offset, ph.filesz, len)) {
            say(m, "segment %u extends past the end of the file (offset %u, size %u, file %u)", i,
                ph.offset, ph.filesz, len);
            return -1;
        }
        if (ph.filesz > ph.memsz) {
            say(m, "segment %u has more file bytes than memory bytes (filesz %u > memsz %u)", i,
                ph.filesz, ph.memsz, 0);
            return -1;
        }
        if (ph.paddr >= PHYS_LIMIT || ph.memsz > PHYS_LIMIT - ph.paddr) {
            say(m, "segment %u ends past the largest physical address (paddr %x, memsz %x)", i,
                ph.paddr, ph.memsz, 0);
            return -1;
        }
        if (ph.vaddr + ph.memsz < ph.vaddr) {
            say(m, "segment %u wraps around the address space (vaddr %x, memsz %x)", i, ph.vaddr,
                ph.memsz, 0);
            return -1;
        }
        for (uint32_t j = 0; j < n; j++) {
            read_phdr(b + phoff + (uint64_t)idx[j] * phentsize, &other);
            if (ph.memsz != 0 && other.memsz != 0 && ph.paddr < other.paddr + other.memsz &&
                other.paddr < ph.paddr + ph.memsz) {
                say(m, "segments %u and %u overlap in physical memory (at %x and %x)", idx[j], i,
                    other.paddr, ph.paddr);
                return -1;
            }
        }
        if (!have_entry && (ph.flags & PF_X) && entry >= ph.vaddr && entry - ph.vaddr < ph.filesz) {
            entry_phys = ph.paddr + (entry - ph.vaddr);
            have_entry = 1;
        }
        if (ph.paddr < lo) {
            lo = ph.paddr;
        }
        if (ph.paddr + ph.memsz > hi) {
            hi = ph.paddr + ph.memsz;
        }
        out->seg[n].offset = ph.offset;
        out->seg[n].filesz = ph.filesz;
        out->seg[n].memsz = ph.memsz;
        out->seg[n].phys_off = ph.paddr; /* made relative below */
        idx[n++] = i;
    }
    if (n == 0) {
        say(m, "no PT_LOAD segment: nothing to load (%u program headers, none of type 1)", phnum, 0,
            0, 0);
        return -1;
    }
    if (!have_entry) {
        say(m, "entry point %x is not inside the file bytes of an executable PT_LOAD segment",
            entry, 0, 0, 0);
        return -1;
    }
    for (uint32_t j = 0; j < n; j++) {
        out->seg[j].phys_off -= lo;
    }
    out->nr_segs = n;
    out->phys_base = lo;
    /* hi is below 2^52, so rounding up cannot overflow. */
    out->span = (hi - lo + KITE_IMAGE_PAGE - 1) & ~(uint64_t)(KITE_IMAGE_PAGE - 1);
    out->entry_off = entry_phys - lo;
    return 0;
}

/* Check the header at @h (@hlen bytes, inside the file) and read its tags. */
static int check_mb2_tags(const uint8_t *h, uint32_t hlen, uint32_t at, struct kite_image_info *out,
                          struct msg *m)
{
    uint32_t off = MB2_HDR_SIZE;

    for (;;) {
        uint32_t type, size;

        if (hlen - off < 8) {
            say(m, "the multiboot2 header at offset %x has no end tag (header length %u)", at, hlen,
                0, 0);
            return -1;
        }
        type = rd16(h + off);
        size = rd32(h + off + 4);
        if (size < 8 || size > hlen - off) {
            say(m, "multiboot2 header tag %u at offset %x has size %u (expected 8 to %u)", type,
                at + off, size, hlen - off);
            return -1;
        }
        if (type == MB2_TAG_END) {
            return 0;
        }
        if (type == MB2_TAG_RELOC) {
            if (size < MB2_RELOC_SIZE) {
                say(m, "the multiboot2 relocatable tag at offset %x has size %u (expected 24)",
                    at + off, size, 0, 0);
                return -1;
            }
            out->flags |= KITE_IMAGE_RELOCATABLE;
            out->reloc_min = rd32(h + off + 8);
            out->reloc_max = rd32(h + off + 12);
            out->reloc_align = rd32(h + off + 16);
            out->reloc_pref = rd32(h + off + 20);
        }
        /* Tags are 8-byte aligned; off stays <= hlen as size <= hlen - off. */
        off += (size + 7) & ~7u;
        if (off > hlen) {
            off = hlen;
        }
    }
}

/*
 * Find the header as GRUB does: at an 8-byte aligned offset in the first
 * 32 KiB, the magic with a checksum that matches. A magic with a bad checksum
 * or a wrong architecture is reported when no good header follows it.
 */
static int check_mb2(const uint8_t *b, size_t len, struct kite_image_info *out, struct msg *m)
{
    uint64_t limit = len < KITE_IMAGE_MB2_SEARCH ? len : KITE_IMAGE_MB2_SEARCH;
    int reported = 0;

    for (uint32_t at = 0; at + MB2_HDR_SIZE <= limit; at += 8) {
        const uint8_t *h = b + at;
        uint32_t arch, hlen, sum;

        if (rd32(h) != MB2_MAGIC) {
            continue;
        }
        arch = rd32(h + 4);
        hlen = rd32(h + 8);
        sum = rd32(h + 12);
        if ((uint32_t)(MB2_MAGIC + arch + hlen + sum) != 0) {
            if (!reported) {
                say(m, "the multiboot2 header at offset %x has a bad checksum (%x, expected %x)",
                    at, sum, (uint32_t) - (MB2_MAGIC + arch + hlen), 0);
                reported = 1;
            }
            continue;
        }
        if (arch != MB2_ARCH_I386) {
            if (!reported) {
                say(m,
                    "the multiboot2 header at offset %x is for architecture %u (expected 0: i386)",
                    at, arch, 0, 0);
                reported = 1;
            }
            continue;
        }
        if (hlen < MB2_HDR_SIZE + 8 || !inside(at, hlen, len)) {
            say(m,
                "the multiboot2 header at offset %x has length %u (expected 24 up to the end of "
                "the file, %u bytes)",
                at, hlen, len, 0);
            return -1;
        }
        out->mb2_offset = at;
        return check_mb2_tags(h, hlen, at, out, m);
    }
    if (!reported) {
        say(m, "no multiboot2 header in the first 32 KiB: not a Kite image", 0, 0, 0, 0);
    }
    return -1;
}

int kite_image_check(const void *buf, size_t len, struct kite_image_info *out, char *err,
                     size_t errlen)
{
    struct msg m = {err, errlen, 0};
    const uint8_t *b = buf;

    if (errlen > 0) {
        err[0] = '\0';
    }
    clear(out, sizeof(*out));
    if (check_ehdr(b, len, &m) != 0 || check_segments(b, len, out, &m) != 0 ||
        check_mb2(b, len, out, &m) != 0) {
        clear(out, sizeof(*out));
        return -KITE_IMAGE_EINVAL;
    }
    if (errlen > 0) {
        err[0] = '\0'; /* a bad header before the good one may have left a message */
    }
    return 0;
}
