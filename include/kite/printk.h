/* SPDX-License-Identifier: MIT */
/*
 * Kernel log: formatted messages with a level, stamped with time and CPU, kept
 * in the in-memory message ring (for dmesg) and printed on the consoles when
 * the level passes the console threshold (kite.loglevel).
 */
#pragma once

#include <kite/compiler.h>
#include <kite/types.h>

#include <stdarg.h>

#define KITE_LOG_EMERG   0
#define KITE_LOG_ALERT   1
#define KITE_LOG_CRIT    2
#define KITE_LOG_ERR     3
#define KITE_LOG_WARNING 4
#define KITE_LOG_NOTICE  5
#define KITE_LOG_INFO    6
#define KITE_LOG_DEBUG   7

/* A file may define KITE_LOG_PREFIX ("mb2: ") before including this header. */
#ifndef KITE_LOG_PREFIX
#define KITE_LOG_PREFIX ""
#endif

/*
 * Log a message at @level. One call is one record; a trailing newline is
 * optional. Safe from exception handlers. Returns the number of characters of
 * the message (before truncation to the record limit).
 */
int kite_printk(int level, const char *fmt, ...) KITE_PRINTF(2, 3);

/*
 * Write @len bytes of @s to the consoles as they are, in order with printk's
 * lines (under its lock) but not into the message ring: for what is shown
 * rather than logged (the shell's line editing, dmesg's replay of the ring).
 */
void kite_printk_raw(const char *s, size_t len);
int kite_vprintk(int level, const char *fmt, va_list ap);

#define kite_pr_emerg(fmt, ...)  kite_printk(KITE_LOG_EMERG, KITE_LOG_PREFIX fmt, ##__VA_ARGS__)
#define kite_pr_err(fmt, ...)    kite_printk(KITE_LOG_ERR, KITE_LOG_PREFIX fmt, ##__VA_ARGS__)
#define kite_pr_warn(fmt, ...)   kite_printk(KITE_LOG_WARNING, KITE_LOG_PREFIX fmt, ##__VA_ARGS__)
#define kite_pr_notice(fmt, ...) kite_printk(KITE_LOG_NOTICE, KITE_LOG_PREFIX fmt, ##__VA_ARGS__)
#define kite_pr_info(fmt, ...)   kite_printk(KITE_LOG_INFO, KITE_LOG_PREFIX fmt, ##__VA_ARGS__)
#define kite_pr_debug(fmt, ...)  kite_printk(KITE_LOG_DEBUG, KITE_LOG_PREFIX fmt, ##__VA_ARGS__)

/*
 * Format a ring record as a console line ("[    0.012345 cpu0] text\n", with
 * "error: "/"warning: " before the text at those levels) into @buf.
 * Returns the line's length (cut to @size - 1).
 */
size_t kite_log_format_line(char *buf, size_t size, uint64_t time_ns, unsigned int cpu, int level,
                            const char *text);

/* True when messages at @level reach the consoles (kite.loglevel). */
bool kite_log_visible(int level);

/*
 * Formatting, C99 printf style: flags "-+ #0", width and precision (also "*"),
 * lengths hh h l ll z t j, conversions d i u x X o c s p %. Always NUL-terminates
 * when @size > 0; returns the length the full output would have had.
 */
int kite_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int kite_snprintf(char *buf, size_t size, const char *fmt, ...) KITE_PRINTF(3, 4);
