// SPDX-License-Identifier: MIT
/*
 * kitectl's list and size parsers (see parse.h). Numbers are read digit by
 * digit with an overflow check, never with strtoul, so "-1", " 2", "0x10" and
 * "99999999999999999999" are refused instead of wrapping or being trimmed.
 */
#include "parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CPU_EXAMPLE "expected CPU numbers and ranges such as 2,3 or 2-5 or 1,4-6"
#define MEM_EXAMPLE "expected SIZE@NODE items such as 256M@1 or 256M@1,512M@0"

static void msg(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void msg(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (errlen == 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/*
 * Read decimal digits at *@p into *@v, stopping at the first non-digit.
 * Returns the number of digits, or -1 when the value passes UINT64_MAX.
 */
static int digits(const char **p, uint64_t *v)
{
    int n = 0;

    *v = 0;
    while (**p >= '0' && **p <= '9') {
        unsigned int d = (unsigned int)(**p - '0');

        if (*v > (UINT64_MAX - d) / 10) {
            return -1;
        }
        *v = *v * 10 + d;
        (*p)++;
        n++;
    }
    return n;
}

/* Copy the item [start, end) for a message, cut to fit. */
static const char *item(const char *start, const char *end, char *buf, size_t len)
{
    size_t n = (size_t)(end - start);

    if (n >= len) {
        n = len - 1;
    }
    memcpy(buf, start, n);
    buf[n] = '\0';
    return buf;
}

int kitectl_parse_uint(const char *s, uint32_t max, uint32_t *out)
{
    uint64_t v;
    int n = digits(&s, &v);

    if (n <= 0 || *s != '\0' || v > max) {
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

int kitectl_cpu_isset(const uint64_t mask[KITE_HOST_CPU_WORDS], unsigned int cpu)
{
    return cpu < KITE_HOST_MAX_CPUS && (mask[cpu / 64] >> (cpu % 64) & 1);
}

unsigned int kitectl_cpu_count(const uint64_t mask[KITE_HOST_CPU_WORDS])
{
    unsigned int n = 0;

    for (unsigned int i = 0; i < KITE_HOST_CPU_WORDS; i++) {
        n += (unsigned int)__builtin_popcountll(mask[i]);
    }
    return n;
}

/* One CPU number of an item: -1 (message written) when it is missing or too big. */
static int cpu_number(const char **p, const char *list, const char *it, uint32_t *cpu, char *err,
                      size_t errlen)
{
    const char *start = *p;
    char num[32];
    uint64_t v;
    int n = digits(p, &v);

    if (n == 0) {
        msg(err, errlen, "bad CPU list \"%s\": \"%s\" is not a CPU number or range (%s)", list, it,
            CPU_EXAMPLE);
        return -1;
    }
    if (n < 0 || v >= KITE_HOST_MAX_CPUS) {
        while (**p >= '0' && **p <= '9') {
            (*p)++;
        }
        msg(err, errlen, "bad CPU list \"%s\": CPU \"%s\" is out of range (Linux CPU numbers 0-%d)",
            list, item(start, *p, num, sizeof(num)), KITE_HOST_MAX_CPUS - 1);
        return -1;
    }
    *cpu = (uint32_t)v;
    return 0;
}

int kitectl_parse_cpulist(const char *s, uint64_t mask[KITE_HOST_CPU_WORDS], char *err,
                          size_t errlen)
{
    const char *p = s;
    unsigned int index = 1;

    memset(mask, 0, KITE_HOST_CPU_WORDS * sizeof(mask[0]));
    if (*s == '\0') {
        msg(err, errlen, "empty CPU list (%s)", CPU_EXAMPLE);
        return -1;
    }
    for (;; index++) {
        const char *start = p, *end = strchr(p, ',');
        char it[64];
        uint32_t lo, hi;

        if (!end) {
            end = p + strlen(p);
        }
        item(start, end, it, sizeof(it));
        if (start == end) {
            msg(err, errlen, "bad CPU list \"%s\": item %u is empty (%s)", s, index, CPU_EXAMPLE);
            goto fail;
        }
        if (cpu_number(&p, s, it, &lo, err, errlen) != 0) {
            goto fail;
        }
        hi = lo;
        if (*p == '-') {
            p++;
            if (cpu_number(&p, s, it, &hi, err, errlen) != 0) {
                goto fail;
            }
            if (hi < lo) {
                msg(err, errlen, "bad CPU list \"%s\": range %s is reversed (write %u-%u)", s, it,
                    hi, lo);
                goto fail;
            }
        }
        if (p != end) {
            msg(err, errlen, "bad CPU list \"%s\": \"%s\" is not a CPU number or range (%s)", s, it,
                CPU_EXAMPLE);
            goto fail;
        }
        for (uint32_t c = lo; c <= hi; c++) {
            if (kitectl_cpu_isset(mask, c)) {
                msg(err, errlen, "bad CPU list \"%s\": CPU %u is named twice", s, c);
                goto fail;
            }
            mask[c / 64] |= 1ull << (c % 64);
        }
        if (*end == '\0') {
            return 0;
        }
        p = end + 1;
    }
fail:
    memset(mask, 0, KITE_HOST_CPU_WORDS * sizeof(mask[0]));
    return -1;
}

/* The size in [s, end): digits and an optional suffix. */
static int parse_size(const char *s, const char *end, uint64_t *bytes, const char *what, char *err,
                      size_t errlen)
{
    const char *p = s;
    unsigned int shift = 0;
    char it[64];
    uint64_t v;
    int n = digits(&p, &v);

    item(s, end, it, sizeof(it));
    *bytes = 0;
    if (n < 0) {
        msg(err, errlen, "%s\"%s\" is too large (at most 16 EiB)", what, it);
        return -1;
    }
    if (n == 0) {
        msg(err, errlen,
            "%s\"%s\" is not a size (expected a number of bytes with an optional "
            "K, M, G or T suffix, such as 256M)",
            what, it);
        return -1;
    }
    if (p < end) {
        switch (*p) {
        case 'k':
        case 'K':
            shift = 10;
            break;
        case 'm':
        case 'M':
            shift = 20;
            break;
        case 'g':
        case 'G':
            shift = 30;
            break;
        case 't':
        case 'T':
            shift = 40;
            break;
        default:
            shift = 64;
            break;
        }
        p++;
    }
    if (shift == 64 || p != end) {
        msg(err, errlen, "%s\"%s\" is not a size (the suffix may be K, M, G or T, such as 256M)",
            what, it);
        return -1;
    }
    if (v > UINT64_MAX >> shift) {
        msg(err, errlen, "%s\"%s\" is too large (at most 16 EiB)", what, it);
        return -1;
    }
    *bytes = v << shift;
    return 0;
}

int kitectl_parse_size(const char *s, uint64_t *bytes, char *err, size_t errlen)
{
    return parse_size(s, s + strlen(s), bytes, "", err, errlen);
}

int kitectl_parse_memlist(const char *s, struct kitectl_memreq *req, unsigned int max,
                          unsigned int *nr, char *err, size_t errlen)
{
    const char *p = s;
    unsigned int n = 0;
    char what[300];

    *nr = 0;
    if (*s == '\0') {
        msg(err, errlen, "empty memory list (%s)", MEM_EXAMPLE);
        return -1;
    }
    for (;;) {
        const char *start = p, *end = strchr(p, ','), *at;
        char it[64];
        uint64_t size, node;
        int nd;

        if (!end) {
            end = p + strlen(p);
        }
        item(start, end, it, sizeof(it));
        if (start == end) {
            msg(err, errlen, "bad memory list \"%s\": item %u is empty (%s)", s, n + 1,
                MEM_EXAMPLE);
            goto fail;
        }
        at = memchr(start, '@', (size_t)(end - start));
        if (!at) {
            msg(err, errlen, "bad memory list \"%s\": \"%s\" has no @NODE (%s)", s, it,
                MEM_EXAMPLE);
            goto fail;
        }
        snprintf(what, sizeof(what), "bad memory list \"%s\": ", s);
        if (parse_size(start, at, &size, what, err, errlen) != 0) {
            goto fail;
        }
        if (size == 0 || size % KITE_HOST_CHUNK_ALIGN != 0) {
            msg(err, errlen,
                "bad memory list \"%s\": the size in \"%s\" is not a non-zero multiple of 2 MiB "
                "(such as 2M, 256M or 1G)",
                s, it);
            goto fail;
        }
        p = at + 1;
        nd = digits(&p, &node);
        if (nd < 0) {
            while (*p >= '0' && *p <= '9') {
                p++;
            }
        }
        if (nd == 0 || p != end) {
            msg(err, errlen, "bad memory list \"%s\": the node in \"%s\" is not a number (%s)", s,
                it, MEM_EXAMPLE);
            goto fail;
        }
        if (nd < 0 || node >= KITE_HOST_MAX_NODES) {
            msg(err, errlen, "bad memory list \"%s\": node in \"%s\" is out of range (0-%d)", s, it,
                KITE_HOST_MAX_NODES - 1);
            goto fail;
        }
        if (n == max) {
            msg(err, errlen, "bad memory list \"%s\": more than %u items", s, max);
            goto fail;
        }
        req[n].size = size;
        req[n].node = (uint32_t)node;
        n++;
        if (*end == '\0') {
            *nr = n;
            return 0;
        }
        p = end + 1;
    }
fail:
    memset(req, 0, max * sizeof(*req));
    return -1;
}

void kitectl_format_cpulist(const uint64_t mask[KITE_HOST_CPU_WORDS], char *buf, size_t len)
{
    size_t pos = 0;

    if (len == 0) {
        return;
    }
    buf[0] = '\0';
    for (unsigned int c = 0; c < KITE_HOST_MAX_CPUS; c++) {
        unsigned int last = c;
        int w;

        if (!kitectl_cpu_isset(mask, c)) {
            continue;
        }
        while (kitectl_cpu_isset(mask, last + 1)) {
            last++;
        }
        if (last == c) {
            w = snprintf(buf + pos, len - pos, "%s%u", pos ? "," : "", c);
        } else {
            w = snprintf(buf + pos, len - pos, "%s%u-%u", pos ? "," : "", c, last);
        }
        if (w < 0 || (size_t)w >= len - pos) {
            return; /* cut: snprintf terminated it */
        }
        pos += (size_t)w;
        c = last;
    }
}

void kitectl_format_size(uint64_t bytes, char *buf, size_t len)
{
    static const char suffix[] = "TGMK";
    static const unsigned int shift[] = {40, 30, 20, 10};

    for (unsigned int i = 0; i < 4; i++) {
        if (bytes != 0 && bytes % (1ull << shift[i]) == 0) {
            snprintf(buf, len, "%llu%c", (unsigned long long)(bytes >> shift[i]), suffix[i]);
            return;
        }
    }
    snprintf(buf, len, "%llu", (unsigned long long)bytes);
}
