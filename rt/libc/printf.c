/* SPDX-License-Identifier: MIT */
/*
 * The string formatters of stdio.h. They are the kernel's formatter
 * (kernel/vsnprintf.c, kite_vsnprintf) under the C names: one formatter for
 * the log and for runtime code, checked against glibc by the host tests
 * (rt/libc/tests/printf_utest.c). See stdio.h for what it formats.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>

#include <kite/printk.h>

#include "libc_priv.h"

int LIBC_NAME(vsnprintf)(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
    return kite_vsnprintf(buf, size, fmt, ap);
}

int LIBC_NAME(snprintf)(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = LIBC_NAME(vsnprintf)(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* C gives sprintf no size: the buffer is trusted to be large enough. */
int LIBC_NAME(vsprintf)(char *restrict buf, const char *restrict fmt, va_list ap)
{
    return LIBC_NAME(vsnprintf)(buf, INT_MAX, fmt, ap);
}

int LIBC_NAME(sprintf)(char *restrict buf, const char *restrict fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = LIBC_NAME(vsprintf)(buf, fmt, ap);
    va_end(ap);
    return n;
}
