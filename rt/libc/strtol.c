/* SPDX-License-Identifier: MIT */
/*
 * strtol and its siblings, and the ato* shorthands over them. One parser
 * reads the magnitude as an unsigned long long and notes the sign and any
 * overflow; each function then clamps to its type as C says: out of range is
 * the type's limit with errno ERANGE, and *end points past the last digit
 * used, or at the start of the string when there was no number at all.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

#include "libc_priv.h"

struct parsed {
    unsigned long long value;
    bool negative;
    bool overflow;
};

static int digit_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'Z') {
        return c - 'A' + 10;
    }
    return 36;
}

/*
 * Spaces, a sign, the 0x prefix for base 16 or 0, a leading 0 meaning base 8
 * for base 0, then digits. A prefix not followed by a hex digit is not one:
 * "0x" reads as 0 with *end at the 'x'.
 */
static struct parsed parse(const char *s, char **end, int base)
{
    struct parsed r = {0, false, false};
    const char *p = s;
    const char *digits;

    if (base < 0 || base == 1 || base > 36) {
        errno = EINVAL;
        if (end) {
            *end = (char *)s;
        }
        return r;
    }
    while (LIBC_NAME(isspace)((unsigned char)*p)) {
        p++;
    }
    if (*p == '+' || *p == '-') {
        r.negative = *p == '-';
        p++;
    }
    if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
        digit_value(p[2]) < 16) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = p[0] == '0' ? 8 : 10;
    }
    digits = p;
    for (int d; (d = digit_value(*p)) < base; p++) {
        if (r.value > (ULLONG_MAX - (unsigned)d) / (unsigned)base) {
            r.overflow = true;
        } else {
            r.value = r.value * (unsigned)base + (unsigned)d;
        }
    }
    if (end) {
        *end = (char *)(p == digits ? s : p);
    }
    if (p == digits) {
        r.negative = false;
    }
    return r;
}

/* The signed value of @r in [-(max + 1), max], or a limit and ERANGE. */
static long long clamp_signed(struct parsed r, unsigned long long max)
{
    if (r.negative) {
        if (r.overflow || r.value > max + 1) {
            errno = ERANGE;
            return -(long long)max - 1;
        }
        return r.value == max + 1 ? -(long long)max - 1 : -(long long)r.value;
    }
    if (r.overflow || r.value > max) {
        errno = ERANGE;
        return (long long)max;
    }
    return (long long)r.value;
}

/* Unsigned: a '-' negates in the unsigned type, as C says ("-1" is the maximum). */
static unsigned long long clamp_unsigned(struct parsed r, unsigned long long max)
{
    if (r.overflow || r.value > max) {
        errno = ERANGE;
        return max;
    }
    return r.negative ? (0 - r.value) & max : r.value;
}

long LIBC_NAME(strtol)(const char *restrict s, char **restrict end, int base)
{
    return (long)clamp_signed(parse(s, end, base), LONG_MAX);
}

long long LIBC_NAME(strtoll)(const char *restrict s, char **restrict end, int base)
{
    return clamp_signed(parse(s, end, base), LLONG_MAX);
}

unsigned long LIBC_NAME(strtoul)(const char *restrict s, char **restrict end, int base)
{
    return (unsigned long)clamp_unsigned(parse(s, end, base), ULONG_MAX);
}

unsigned long long LIBC_NAME(strtoull)(const char *restrict s, char **restrict end, int base)
{
    return clamp_unsigned(parse(s, end, base), ULLONG_MAX);
}

intmax_t LIBC_NAME(strtoimax)(const char *restrict s, char **restrict end, int base)
{
    return LIBC_NAME(strtoll)(s, end, base);
}

uintmax_t LIBC_NAME(strtoumax)(const char *restrict s, char **restrict end, int base)
{
    return LIBC_NAME(strtoull)(s, end, base);
}

int LIBC_NAME(atoi)(const char *s)
{
    return (int)LIBC_NAME(strtol)(s, NULL, 10);
}

long LIBC_NAME(atol)(const char *s)
{
    return LIBC_NAME(strtol)(s, NULL, 10);
}

long long LIBC_NAME(atoll)(const char *s)
{
    return LIBC_NAME(strtoll)(s, NULL, 10);
}
