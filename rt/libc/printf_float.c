/* SPDX-License-Identifier: MIT */
/*
 * printf's floating-point conversions (%f %F %e %E %g %G %a %A), digit for
 * digit as glibc prints them in the C locale with the default rounding mode.
 *
 * Decimal output is exact: a finite value is mant * 2^exp, which is also
 * B * 10^-s with B = mant * 2^exp (s = 0) when exp >= 0, or B = mant * 5^-exp
 * (s = -exp) when exp < 0. B is a big integer kept in base 10^9, so its
 * decimal digits can be read off directly; rounding to the digits printed is
 * done on B itself, to nearest with ties to the even digit, as glibc does. A
 * double needs at most 86 limbs (on the stack); a long double with a large
 * exponent needs up to about 1,300 (5 KiB), taken from the heap so that a
 * thread's small stack is not at risk.
 *
 * The code needs no floating point: printf.c takes the value apart.
 */
#include <errno.h>
#include <stdlib.h>

#include "libc_priv.h"

#define BASE       1000000000u /* one limb: 9 decimal digits */
#define LIMB_DIGS  9
#define STACK_LIMB 96
#define POW5_13    1220703125u /* the largest power of 5 below 2^32 */

static const uint32_t pow_10[LIMB_DIGS + 1] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
};

/* A natural number in base 10^9, least significant limb first; len 0 is zero. */
struct big {
    uint32_t *d;
    size_t len;
};

static void big_mul(struct big *b, uint32_t m)
{
    uint64_t carry = 0;

    for (size_t i = 0; i < b->len; i++) {
        uint64_t t = (uint64_t)b->d[i] * m + carry;

        b->d[i] = (uint32_t)(t % BASE);
        carry = t / BASE;
    }
    while (carry != 0) {
        b->d[b->len++] = (uint32_t)(carry % BASE);
        carry /= BASE;
    }
}

static size_t big_digits(const struct big *b)
{
    size_t n;

    if (b->len == 0) {
        return 0;
    }
    n = (b->len - 1) * LIMB_DIGS;
    for (uint32_t top = b->d[b->len - 1]; top != 0; top /= 10) {
        n++;
    }
    return n;
}

/* The decimal digit of weight 10^@q (0 past the top). */
static unsigned int big_digit(const struct big *b, size_t q)
{
    if (q / LIMB_DIGS >= b->len) {
        return 0;
    }
    return b->d[q / LIMB_DIGS] / pow_10[q % LIMB_DIGS] % 10;
}

/* Whether any digit of weight below 10^@q is nonzero. */
static bool big_below(const struct big *b, size_t q)
{
    size_t li = q / LIMB_DIGS;

    for (size_t i = 0; i < li && i < b->len; i++) {
        if (b->d[i] != 0) {
            return true;
        }
    }
    return li < b->len && b->d[li] % pow_10[q % LIMB_DIGS] != 0;
}

/* Weight of the lowest nonzero digit (b is not zero). */
static size_t big_lowest(const struct big *b)
{
    size_t q = 0;

    while (big_digit(b, q) == 0) {
        q++;
    }
    return q;
}

/*
 * Round to a multiple of 10^@r (r >= 1), to nearest, ties to an even
 * multiple. There is room for one limb more than the digits need.
 */
static void big_round(struct big *b, size_t r)
{
    size_t n = big_digits(b);
    size_t li = r / LIMB_DIGS;
    unsigned int next;
    bool up;

    if (r > n) {
        b->len = 0; /* below half of 10^r */
        return;
    }
    next = big_digit(b, r - 1);
    up = next > 5 || (next == 5 && (big_below(b, r - 1) || big_digit(b, r) % 2 != 0));
    for (size_t i = 0; i < li && i < b->len; i++) {
        b->d[i] = 0;
    }
    if (li < b->len) {
        b->d[li] -= b->d[li] % pow_10[r % LIMB_DIGS];
    }
    if (up) {
        while (b->len <= li) {
            b->d[b->len++] = 0;
        }
        b->d[li] += pow_10[r % LIMB_DIGS];
        for (size_t i = li; b->d[i] >= BASE; i++) {
            b->d[i] -= BASE;
            if (i + 1 == b->len) {
                b->d[b->len++] = 0;
            }
            b->d[i + 1]++;
        }
    }
    while (b->len > 0 && b->d[b->len - 1] == 0) {
        b->len--;
    }
}

/* The sign character printed before the number, or 0. */
static char sign_char(const struct libc_float_spec *sp, bool neg)
{
    if (neg) {
        return '-';
    }
    if (sp->flags & LIBC_FL_PLUS) {
        return '+';
    }
    return (sp->flags & LIBC_FL_SPACE) ? ' ' : 0;
}

/*
 * The field around a body of @len characters: spaces before (or after,
 * with '-'), then the sign and @prefix ("0x"), then zeros with the '0'
 * flag, then the body, which the caller writes after this returns.
 */
static void pad_front(struct libc_out *o, const struct libc_float_spec *sp, char sign,
                      const char *prefix, size_t len, bool zero_ok)
{
    size_t plen = prefix ? 2 : 0;
    size_t total = len + plen + (sign ? 1 : 0);
    size_t pad = (size_t)sp->width > total ? (size_t)sp->width - total : 0;
    bool zero = zero_ok && (sp->flags & LIBC_FL_ZERO) && !(sp->flags & LIBC_FL_LEFT);

    if (!zero && !(sp->flags & LIBC_FL_LEFT)) {
        libc_out_fill(o, ' ', pad);
    }
    if (sign) {
        libc_out_char(o, sign);
    }
    libc_out_chars(o, prefix ? prefix : "", plen);
    if (zero) {
        libc_out_fill(o, '0', pad);
    }
}

static void pad_back(struct libc_out *o, const struct libc_float_spec *sp, size_t start)
{
    size_t len = o->pos - start;

    if ((sp->flags & LIBC_FL_LEFT) && (size_t)sp->width > len) {
        libc_out_fill(o, ' ', (size_t)sp->width - len);
    }
}

/* 'e', the exponent's sign and at least @min digits. */
static void put_exponent(struct libc_out *o, char e, long x, int min)
{
    char tmp[24];
    int n = 0;
    unsigned long u = x < 0 ? (unsigned long)-x : (unsigned long)x;

    libc_out_char(o, e);
    libc_out_char(o, x < 0 ? '-' : '+');
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0 || n < min);
    while (n > 0) {
        libc_out_char(o, tmp[--n]);
    }
}

/* The exact value as digits: B * 10^-s. */
struct dec {
    struct big b;
    size_t s;
};

/*
 * %f's digits: @prec digits after the point (none and no point for 0
 * unless @point).
 */
static void body_fixed(struct libc_out *o, const struct dec *v, size_t prec, bool point)
{
    size_t n = big_digits(&v->b);

    if (n > v->s) {
        for (size_t q = n; q-- > v->s;) {
            libc_out_char(o, (char)('0' + big_digit(&v->b, q)));
        }
    } else {
        libc_out_char(o, '0');
    }
    if (prec > 0 || point) {
        libc_out_char(o, '.');
    }
    size_t exact = prec < v->s ? prec : v->s;

    for (size_t j = 1; j <= exact; j++) {
        libc_out_char(o, (char)('0' + big_digit(&v->b, v->s - j)));
    }
    libc_out_fill(o, '0', prec - exact);
}

/* %e's digits: one digit, the point, @prec digits and the exponent. */
static void body_exp(struct libc_out *o, const struct dec *v, size_t prec, bool point, char e)
{
    size_t n = big_digits(&v->b);
    long x = n == 0 ? 0 : (long)n - 1 - (long)v->s;

    libc_out_char(o, (char)('0' + (n == 0 ? 0 : big_digit(&v->b, n - 1))));
    if (prec > 0 || point) {
        libc_out_char(o, '.');
    }
    size_t exact = n == 0 ? 0 : (prec < n - 1 ? prec : n - 1);

    for (size_t j = 1; j <= exact; j++) {
        libc_out_char(o, (char)('0' + big_digit(&v->b, n - 1 - j)));
    }
    libc_out_fill(o, '0', prec - exact);
    put_exponent(o, e, x, 2);
}

/* Round the value to the digits of weight 10^-@frac and above. */
static void round_fixed(struct dec *v, long long frac)
{
    long long r = (long long)v->s - frac;

    if (r >= 1) {
        big_round(&v->b, (size_t)r);
    }
}

/* Round the value to @sig significant digits (sig >= 1). */
static void round_sig(struct dec *v, long long sig)
{
    long long r = (long long)big_digits(&v->b) - sig;

    if (r >= 1) {
        big_round(&v->b, (size_t)r);
    }
}

static void format_decimal(struct libc_out *o, const struct libc_float_spec *sp, struct dec *v,
                           char sign)
{
    char conv = sp->conv;
    bool upper = conv == 'E' || conv == 'G';
    bool alt = (sp->flags & LIBC_FL_ALT) != 0;
    long long prec = sp->precision < 0 ? 6 : sp->precision;
    enum { FIXED, EXP } style = (conv == 'f' || conv == 'F') ? FIXED : EXP;

    if (style == FIXED) {
        round_fixed(v, prec);
    } else if (conv == 'e' || conv == 'E') {
        round_sig(v, prec + 1);
    } else {
        /* %g: C's rule on the exponent X that %e with precision P - 1 would print. */
        long long p = prec == 0 ? 1 : prec;
        long long x;

        round_sig(v, p);
        x = v->b.len == 0 ? 0 : (long long)big_digits(&v->b) - 1 - (long long)v->s;
        if (p > x && x >= -4) {
            style = FIXED;
            prec = p - 1 - x;
        } else {
            prec = p - 1;
        }
        if (!alt) {
            /* Trailing zeros go, and the point with them. */
            long long keep = 0;

            if (v->b.len != 0) {
                long long low = (long long)big_lowest(&v->b);

                keep =
                    style == FIXED ? (long long)v->s - low : (long long)big_digits(&v->b) - 1 - low;
            }
            if (keep < prec) {
                prec = keep < 0 ? 0 : keep;
            }
        }
    }

    /* Measure the body, then write the field around it. */
    struct libc_out count = {.buf = NULL, .size = 0, .pos = 0};

    if (style == FIXED) {
        body_fixed(&count, v, (size_t)prec, alt);
    } else {
        body_exp(&count, v, (size_t)prec, alt, upper ? 'E' : 'e');
    }
    size_t start = o->pos;

    pad_front(o, sp, sign, NULL, count.pos, true);
    if (style == FIXED) {
        body_fixed(o, v, (size_t)prec, alt);
    } else {
        body_exp(o, v, (size_t)prec, alt, upper ? 'E' : 'e');
    }
    pad_back(o, sp, start);
}

/* Limbs enough for B, with one to spare for rounding. */
static size_t limbs_needed(const struct libc_float *v)
{
    /* B has at most 64 + exp bits, or 64 + 2.33 * -exp (5 < 2^2.33). */
    size_t bits = v->exp >= 0 ? 64 + (size_t)v->exp : 64 + (size_t)(-(long)v->exp) * 233 / 100 + 1;

    /* 10^9 > 2^29.89: a limb holds at least 29 bits. */
    return bits / 29 + 3;
}

static bool format_finite_decimal(struct libc_out *o, const struct libc_float_spec *sp,
                                  const struct libc_float *v, char sign)
{
    uint32_t stack[STACK_LIMB];
    size_t need = limbs_needed(v);
    struct dec d = {.b = {.d = stack, .len = 0}, .s = 0};

    if (need > STACK_LIMB) {
        d.b.d = malloc(need * sizeof(uint32_t));
        if (!d.b.d) {
            errno = ENOMEM;
            return false;
        }
    }
    for (uint64_t m = v->mant; m != 0; m /= BASE) {
        d.b.d[d.b.len++] = (uint32_t)(m % BASE);
    }
    if (d.b.len != 0 && v->exp > 0) {
        int e = v->exp;

        for (; e >= 31; e -= 31) {
            big_mul(&d.b, 1u << 31);
        }
        big_mul(&d.b, 1u << e);
    } else if (d.b.len != 0 && v->exp < 0) {
        int k = -v->exp;

        d.s = (size_t)k;
        for (; k >= 13; k -= 13) {
            big_mul(&d.b, POW5_13);
        }
        uint32_t m = 1;

        while (k-- > 0) {
            m *= 5;
        }
        big_mul(&d.b, m);
    }
    format_decimal(o, sp, &d, sign);
    if (d.b.d != stack) {
        free(d.b.d);
    }
    return true;
}

/*
 * %a: the hex digits of the value as glibc lays them out: a double as
 * 1.xxxxxxxxxxxxx (13 digits; 0.xxx below the normal range) times 2^x, a
 * long double as its 64-bit mantissa, h.xxxxxxxxxxxxxxx (15 digits), times
 * 2^x. With a precision the digits are rounded to nearest, ties to even.
 */
static void format_hex(struct libc_out *o, const struct libc_float_spec *sp,
                       const struct libc_float *v, char sign)
{
    const char *digits = sp->conv == 'A' ? "0123456789ABCDEF" : "0123456789abcdef";
    int nfrac = v->ldbl ? 15 : 13;
    int lead_bits = v->ldbl ? 60 : 52;
    uint64_t lead = v->mant >> lead_bits;
    uint64_t frac = v->mant & ((1ull << lead_bits) - 1);
    long x = v->mant == 0 ? 0 : (long)v->exp + lead_bits;
    int prec = sp->precision;

    if (prec < 0) {
        prec = nfrac;
        while (prec > 0 && (frac & 0xf) == 0) {
            frac >>= 4;
            prec--;
        }
    } else if (prec < nfrac) {
        int drop = 4 * (nfrac - prec);
        uint64_t rest = frac & ((1ull << drop) - 1);
        uint64_t half = 1ull << (drop - 1);

        frac >>= drop;
        if (rest > half || (rest == half && ((prec > 0 ? frac : lead) & 1))) {
            if (prec > 0 && ++frac == 1ull << (4 * prec)) {
                frac = 0;
                lead++;
            } else if (prec == 0) {
                lead++;
            }
        }
        if (lead == 16) {
            /* Only a long double's digit overflows: glibc moves to the next power of 16. */
            lead = 1;
            x += 4;
        }
    }

    /* The body: h[.digits]p±x; its length first. */
    int shown = prec < nfrac ? prec : nfrac;
    bool point = prec > 0 || (sp->flags & LIBC_FL_ALT);
    struct libc_out count = {.buf = NULL, .size = 0, .pos = 0};

    put_exponent(&count, 'p', x, 1);
    size_t len = 1 + (point ? 1 : 0) + (size_t)prec + count.pos;
    size_t start = o->pos;

    pad_front(o, sp, sign, sp->conv == 'A' ? "0X" : "0x", len, true);
    libc_out_char(o, digits[lead]);
    if (point) {
        libc_out_char(o, '.');
    }
    for (int i = shown - 1; i >= 0; i--) {
        libc_out_char(o, digits[(frac >> (4 * i)) & 0xf]);
    }
    libc_out_fill(o, '0', (size_t)(prec - shown));
    put_exponent(o, sp->conv == 'A' ? 'P' : 'p', x, 1);
    pad_back(o, sp, start);
}

bool kite_libc_format_float(struct libc_out *o, const struct libc_float_spec *sp,
                            const struct libc_float *v)
{
    char sign = sign_char(sp, v->neg);
    bool upper = sp->conv >= 'A' && sp->conv <= 'Z';

    if (v->kind != LIBC_FLOAT_FINITE) {
        const char *text =
            v->kind == LIBC_FLOAT_INF ? (upper ? "INF" : "inf") : (upper ? "NAN" : "nan");
        size_t start = o->pos;

        /* No zeros around inf and nan: '0' pads with spaces here. */
        pad_front(o, sp, sign, NULL, 3, false);
        libc_out_chars(o, text, 3);
        pad_back(o, sp, start);
        return true;
    }
    if (sp->conv == 'a' || sp->conv == 'A') {
        format_hex(o, sp, v, sign);
        return true;
    }
    return format_finite_decimal(o, sp, v, sign);
}
