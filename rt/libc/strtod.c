/* SPDX-License-Identifier: MIT */
/*
 * strtod, strtof and atof, correctly rounded (to nearest, ties to even) as
 * glibc's are. The decimal digits become a big integer D, the value is
 * D * 10^e exactly; for e >= 0 that is one big product, for e < 0 a
 * quotient D * 2^s / 10^-e taken to a few more bits than the format holds,
 * its remainder saying whether anything was left. Then one rounding to the
 * format's bits, subnormals included. Past 800 significant digits the
 * rest only matters as "nonzero": a halfway point between two doubles has
 * at most 767 significant digits.
 *
 * Hex floats (0x1.8p3), inf, infinity and nan (nan(...) too, whose payload
 * is not kept) are read as C says. Overflow gives +-HUGE_VAL and ERANGE;
 * a nonzero result below the normal range that is inexact, and a nonzero
 * input rounded to zero, set ERANGE too, as glibc does.
 *
 * Built with SSE allowed (rt/Makefile): the results are floating point.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libc_priv.h"

#define MAX_DIGITS 800
#define WORDS      160 /* 10^1150 * 2^60 and friends fit in 160 32-bit words */

/* A natural number in base 2^32, least significant word first. */
struct bin {
    uint32_t w[WORDS];
    size_t len;
};

static void bin_mul_add(struct bin *b, uint32_t m, uint32_t add)
{
    uint64_t carry = add;

    for (size_t i = 0; i < b->len; i++) {
        uint64_t t = (uint64_t)b->w[i] * m + carry;

        b->w[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry != 0) {
        b->w[b->len++] = (uint32_t)carry;
    }
}

static size_t bin_bits(const struct bin *b)
{
    size_t n = b->len * 32;

    if (b->len == 0) {
        return 0;
    }
    for (uint32_t top = b->w[b->len - 1]; !(top & 0x80000000u); top <<= 1) {
        n--;
    }
    return n;
}

static void bin_shl(struct bin *b, size_t k)
{
    size_t words = k / 32, bits = k % 32;

    if (b->len == 0) {
        return;
    }
    b->w[b->len] = 0;
    for (size_t i = b->len + 1; i-- > 0;) {
        uint32_t hi = b->w[i] << bits;
        uint32_t lo = (bits != 0 && i > 0) ? b->w[i - 1] >> (32 - bits) : 0;

        b->w[i + words] = hi | lo;
    }
    for (size_t i = 0; i < words; i++) {
        b->w[i] = 0;
    }
    b->len += words + 1;
    while (b->len > 0 && b->w[b->len - 1] == 0) {
        b->len--;
    }
}

static int bin_cmp(const struct bin *a, const struct bin *b)
{
    if (a->len != b->len) {
        return a->len < b->len ? -1 : 1;
    }
    for (size_t i = a->len; i-- > 0;) {
        if (a->w[i] != b->w[i]) {
            return a->w[i] < b->w[i] ? -1 : 1;
        }
    }
    return 0;
}

/* a -= b, for a >= b. */
static void bin_sub(struct bin *a, const struct bin *b)
{
    uint64_t borrow = 0;

    for (size_t i = 0; i < a->len; i++) {
        uint64_t t = (uint64_t)a->w[i] - (i < b->len ? b->w[i] : 0) - borrow;

        a->w[i] = (uint32_t)t;
        borrow = (t >> 32) & 1;
    }
    while (a->len > 0 && a->w[a->len - 1] == 0) {
        a->len--;
    }
}

/* b >>= 1 */
static void bin_shr1(struct bin *b)
{
    for (size_t i = 0; i < b->len; i++) {
        b->w[i] = (b->w[i] >> 1) | (i + 1 < b->len ? b->w[i + 1] << 31 : 0);
    }
    while (b->len > 0 && b->w[b->len - 1] == 0) {
        b->len--;
    }
}

/* Bit @i of @b. */
static unsigned int bin_bit(const struct bin *b, size_t i)
{
    return i / 32 < b->len ? (b->w[i / 32] >> (i % 32)) & 1 : 0;
}

static bool bin_any_below(const struct bin *b, size_t i)
{
    for (size_t k = 0; k < i / 32 && k < b->len; k++) {
        if (b->w[k] != 0) {
            return true;
        }
    }
    return i / 32 < b->len && (b->w[i / 32] & ((1u << (i % 32)) - 1)) != 0;
}

/* A binary format: @p mantissa bits, values mant * 2^e with e >= @emin, below 2^@emax. */
struct format {
    int p;
    int emin;
    int emax;
};

static const struct format fmt_double = {53, -1074, 1024};
static const struct format fmt_float = {24, -149, 128};

/* The bits of +infinity: the biased exponent one past the largest normal one. */
static uint64_t inf_bits(const struct format *f)
{
    return (uint64_t)(f->emax - f->p - f->emin + 2) << (f->p - 1);
}

/*
 * The bits of the value X * 2^@e0 (plus something below X when @sticky)
 * rounded to @f; *@range set on overflow and on inexact tiny results.
 */
static uint64_t round_bits(const struct format *f, const struct bin *x, long e0, bool sticky,
                           bool *range)
{
    long len = (long)bin_bits(x);
    long e = e0 + len - f->p;
    uint64_t mant = 0;
    bool inexact;

    if (len == 0) {
        *range = sticky;
        return 0;
    }
    if (e < f->emin) {
        e = f->emin;
    }
    long drop = e - e0;

    if (drop <= 0) {
        for (long i = len - 1; i >= 0; i--) {
            mant = (mant << 1) | bin_bit(x, (size_t)i);
        }
        /* Every bit read above is below x->len words, which are set (the analyzer loses track). */
        mant <<= -drop; // NOLINT(clang-analyzer-core.uninitialized.Assign)
        inexact = sticky;
    } else {
        for (long i = len - 1; i >= drop; i--) {
            mant = (mant << 1) | bin_bit(x, (size_t)i);
        }
        unsigned int half = bin_bit(x, (size_t)drop - 1);
        bool rest = sticky || bin_any_below(x, (size_t)drop - 1);

        inexact = half || rest;
        if (half && (rest || (mant & 1))) {
            mant++;
            if (mant == 1ull << f->p) {
                mant >>= 1;
                e++;
            }
        }
    }
    if (e + f->p > f->emax) {
        *range = true;
        return inf_bits(f);
    }
    if (mant < 1ull << (f->p - 1)) {
        *range = inexact; /* subnormal or zero */
        return mant;
    }
    *range = false;
    return ((uint64_t)(e - f->emin + 1) << (f->p - 1)) | (mant & ((1ull << (f->p - 1)) - 1));
}

static bool match(const char *s, const char *word)
{
    for (; *word; s++, word++) {
        if ((*s | 0x20) != *word) {
            return false;
        }
    }
    return true;
}

static bool is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)(c | 0x20);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* An exponent after e or p: its digits, or 0 (and *@s unmoved) when there are none. */
static long parse_exponent(const char **s)
{
    const char *p = *s + 1;
    bool neg = false;
    long v = 0;

    if (*p == '+' || *p == '-') {
        neg = *p++ == '-';
    }
    if (*p < '0' || *p > '9') {
        return 0;
    }
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v < 100000000) {
            v = v * 10 + (*p - '0');
        }
    }
    *s = p;
    return neg ? -v : v;
}

/* The hex digits after "0x": X * 2^e0; false when there is no digit. */
static bool parse_hex(const char **sp, const struct format *f, uint64_t *bits, bool *range)
{
    const char *s = *sp;
    struct bin x = {.len = 0};
    uint64_t acc = 0;
    int digits = 0;
    long e0 = 0;
    bool any = false, sticky = false, point = false;

    for (;; s++) {
        int v = hex_value(*s);

        if (*s == '.' && !point) {
            point = true;
            continue;
        }
        if (v < 0) {
            break;
        }
        any = true;
        if (acc == 0 && v == 0) {
            e0 -= point ? 4 : 0;
            continue;
        }
        if (digits < 15) {
            acc = acc * 16 + (uint64_t)v;
            digits++;
            e0 -= point ? 4 : 0;
        } else {
            sticky |= v != 0;
            e0 += point ? 0 : 4;
        }
    }
    if (!any) {
        return false;
    }
    if (*s == 'p' || *s == 'P') {
        e0 += parse_exponent(&s);
    }
    x.w[0] = (uint32_t)acc;
    x.w[1] = (uint32_t)(acc >> 32);
    x.len = acc >> 32 ? 2 : (acc ? 1 : 0);
    *bits = round_bits(f, &x, e0, sticky, range);
    *sp = s;
    return true;
}

/* The decimal digits at *@sp as bits of @f; false when there is no digit. */
static bool parse_decimal(const char **sp, const struct format *f, uint64_t *bits, bool *range)
{
    const char *s = *sp;
    struct bin d = {.len = 0}, m = {.len = 0};
    int kept = 0;
    long e10 = 0;
    bool any = false, point = false, sticky = false;

    for (;; s++) {
        if (*s == '.' && !point) {
            point = true;
            continue;
        }
        if (*s < '0' || *s > '9') {
            break;
        }
        any = true;
        if (kept == 0 && *s == '0') {
            e10 -= point ? 1 : 0;
            continue;
        }
        if (kept < MAX_DIGITS) {
            bin_mul_add(&d, 10, (uint32_t)(*s - '0'));
            kept++;
            e10 -= point ? 1 : 0;
        } else {
            sticky |= *s != '0';
            e10 += point ? 0 : 1;
        }
    }
    if (!any) {
        return false;
    }
    if (*s == 'e' || *s == 'E') {
        e10 += parse_exponent(&s);
    }
    *sp = s;
    if (sticky) {
        /* A nonzero tail: one more digit 1 stands for it. */
        bin_mul_add(&d, 10, 1);
        kept++;
        e10--;
    }
    if (d.len == 0) {
        *bits = 0;
        *range = false;
        return true;
    }
    if (kept + e10 > 310) {
        *bits = round_bits(f, &(struct bin){.w = {1}, .len = 1}, 100000, false, range);
        return true;
    }
    if (kept + e10 < -343) {
        *bits = 0;
        *range = true;
        return true;
    }
    if (e10 >= 0) {
        for (long i = 0; i < e10; i++) {
            bin_mul_add(&d, 10, 0);
        }
        *bits = round_bits(f, &d, 0, false, range);
        return true;
    }
    /* D / 10^-e10: a quotient of p + 3 or p + 4 bits, and whether a remainder is left. */
    m.w[0] = 1;
    m.len = 1;
    for (long i = 0; i < -e10; i++) {
        bin_mul_add(&m, 10, 0);
    }
    long s2 = (long)bin_bits(&m) + f->p + 3 - (long)bin_bits(&d);

    if (s2 >= 0) {
        bin_shl(&d, (size_t)s2);
    } else {
        bin_shl(&m, (size_t)-s2);
    }
    int top = f->p + 4;
    struct bin q = {.len = 0};
    uint64_t qv = 0;

    bin_shl(&m, (size_t)top);
    for (int i = top; i >= 0; i--) {
        qv <<= 1;
        if (bin_cmp(&d, &m) >= 0) {
            bin_sub(&d, &m);
            qv |= 1;
        }
        bin_shr1(&m);
    }
    q.w[0] = (uint32_t)qv;
    q.w[1] = (uint32_t)(qv >> 32);
    q.len = qv >> 32 ? 2 : 1;
    *bits = round_bits(f, &q, -s2, d.len != 0, range);
    return true;
}

/* The whole of strtod and strtof: the bits of the result in format @f. */
static uint64_t convert(const char *str, char **end, const struct format *f, bool *neg)
{
    const char *s = str;
    uint64_t bits = 0;
    uint64_t inf = inf_bits(f);
    bool range = false;

    while (is_space(*s)) {
        s++;
    }
    *neg = *s == '-';
    if (*s == '+' || *s == '-') {
        s++;
    }
    if (match(s, "inf")) {
        s += match(s, "infinity") ? 8 : 3;
        bits = inf;
    } else if (match(s, "nan")) {
        s += 3;
        if (*s == '(') {
            const char *p = s + 1;

            while ((*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') ||
                   *p == '_') {
                p++;
            }
            if (*p == ')') {
                s = p + 1;
            }
        }
        bits = inf | (1ull << (f->p - 2)); /* the quiet NaN */
    } else if (s[0] == '0' && (s[1] | 0x20) == 'x' &&
               (hex_value(s[2]) >= 0 || (s[2] == '.' && hex_value(s[3]) >= 0))) {
        s += 2;
        parse_hex(&s, f, &bits, &range);
    } else if (!parse_decimal(&s, f, &bits, &range)) {
        /* No number: nothing is read, not even the sign. */
        s = str;
        *neg = false;
    }
    if (range) {
        errno = ERANGE;
    }
    if (end) {
        *end = (char *)s;
    }
    return bits;
}

double LIBC_NAME(strtod)(const char *restrict s, char **restrict end)
{
    bool neg;
    uint64_t bits = convert(s, end, &fmt_double, &neg);
    double d;

    bits |= (uint64_t)neg << 63;
    memcpy(&d, &bits, sizeof(d));
    return d;
}

float LIBC_NAME(strtof)(const char *restrict s, char **restrict end)
{
    bool neg;
    uint32_t bits = (uint32_t)convert(s, end, &fmt_float, &neg);
    float v;

    bits |= (uint32_t)neg << 31;
    memcpy(&v, &bits, sizeof(v));
    return v;
}

double LIBC_NAME(atof)(const char *s)
{
    return LIBC_NAME(strtod)(s, NULL);
}
