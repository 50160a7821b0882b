/* SPDX-License-Identifier: MIT */
/*
 * printk: format a message, stamp it with time since entry and the CPU, keep
 * it in the message ring and send it to the consoles when its level passes
 * kite.loglevel. One lock orders records; once a panic has begun, printk
 * stops taking it, so a report from a CPU that held it still comes out.
 */
#include <kite/arch.h>
#include <kite/cmdline.h>
#include <kite/console.h>
#include <kite/kmsg.h>
#include <kite/panic.h>
#include <kite/printk.h>
#include <kite/spinlock.h>
#include <kite/string.h>

#define LINE_MAX 512

KITE_PARAM(loglevel, int, CONFIG_LOGLEVEL,
           "console log level: 0 panics only .. 3 errors, 4 warnings, 6 information, 7 debug");

struct kite_kmsg_ring kite_kmsg;
static char kmsg_storage[CONFIG_KMSG_SIZE_KB * 1024] KITE_ALIGNED(8);
static struct kite_spinlock log_lock = KITE_SPINLOCK_INIT;

bool kite_log_visible(int level)
{
    return level <= param_loglevel;
}

size_t kite_log_format_line(char *buf, size_t size, uint64_t time_ns, unsigned int cpu, int level,
                            const char *text)
{
    const char *tag = level == KITE_LOG_ERR       ? "error: "
                      : level == KITE_LOG_WARNING ? "warning: "
                                                  : "";
    int n = kite_snprintf(buf, size, "[%5llu.%06llu cpu%u] %s%s\n",
                          (unsigned long long)(time_ns / 1000000000ull),
                          (unsigned long long)(time_ns % 1000000000ull / 1000ull), cpu, tag, text);

    if (n < 0) {
        return 0;
    }
    if ((size_t)n >= size) {
        /* Cut, but keep the line a line. */
        buf[size - 2] = '\n';
        return size - 1;
    }
    return (size_t)n;
}

int kite_vprintk(int level, const char *fmt, va_list ap)
{
    char text[LINE_MAX];
    char line[LINE_MAX + 64];
    uint64_t now = kite_time_ns();
    unsigned int cpu = arch_cpu_id();
    unsigned long flags;
    bool locked = false;
    int n = kite_vsnprintf(text, sizeof(text), fmt, ap);
    size_t len = n < 0 ? 0 : KITE_MIN((size_t)n, sizeof(text) - 1);

    while (len > 0 && text[len - 1] == '\n') {
        text[--len] = '\0';
    }

    flags = arch_irq_save();
    if (!kite_panicking) {
        kite_spin_lock(&log_lock);
        locked = true;
    }
    if (!kite_kmsg.buf) {
        kite_kmsg_init(&kite_kmsg, kmsg_storage, sizeof(kmsg_storage));
    }
    kite_kmsg_append(&kite_kmsg, level, cpu, now, text, len);
    if (kite_log_visible(level)) {
        size_t l = kite_log_format_line(line, sizeof(line), now, cpu, level, text);
        kite_console_write(line, l);
    }
    if (locked) {
        kite_spin_unlock(&log_lock);
    }
    arch_irq_restore(flags);
    return n;
}

void kite_printk_raw(const char *s, size_t len)
{
    unsigned long flags = arch_irq_save();
    bool locked = !kite_panicking;

    if (locked) {
        kite_spin_lock(&log_lock);
    }
    kite_console_write(s, len);
    if (locked) {
        kite_spin_unlock(&log_lock);
    }
    arch_irq_restore(flags);
}

int kite_printk(int level, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = kite_vprintk(level, fmt, ap);
    va_end(ap);
    return n;
}
