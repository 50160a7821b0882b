// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The pure C shared with kitectl and the host unit tests, built into the
 * module from their one copy in host/common: the image checker and the
 * shared-region writer. bootblock.c formats its messages with kite_snprintf,
 * which here is the kernel's vsnprintf.
 */
#include <linux/kernel.h>
#include <linux/stdarg.h>

#include "bootblock.c"
#include "kimage.c"

int kite_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
