/* SPDX-License-Identifier: MIT */
/*
 * stdout and stderr on Kite's consoles. Text goes out through
 * kite_printk_raw: in order with the log, on every console, without the
 * log's prefix and not into the message ring. stdout gathers a line (or
 * BUFSIZ bytes) before writing it, so concurrent printf lines do not mix;
 * stderr writes at once. A line without '\n' waits for fflush or exit().
 *
 * Built with SSE allowed (rt/Makefile): printf and fprintf take doubles,
 * which arrive in XMM registers that only such code saves for va_arg.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kite/printk.h>
#include <kite/spinlock.h>

/* What one vfprintf formats on the stack; longer output takes a heap buffer. */
#define FORMAT_STACK 256

struct kite_libc_file {
    struct kite_spinlock lock; /* guards buf and len */
    bool unbuffered;
    size_t len;
    char buf[BUFSIZ];
};

static struct kite_libc_file files[2] = {
    {.lock = KITE_SPINLOCK_INIT, .unbuffered = false},
    {.lock = KITE_SPINLOCK_INIT, .unbuffered = true},
};

FILE *const stdout = &files[0];
FILE *const stderr = &files[1];

static void flush_locked(FILE *f)
{
    if (f->len > 0) {
        kite_printk_raw(f->buf, f->len);
        f->len = 0;
    }
}

/* Takes f->lock: one call's text is never split by another thread's. */
static void write_text(FILE *f, const char *s, size_t n)
{
    unsigned long flags = kite_spin_lock_irqsave(&f->lock);

    if (f->unbuffered) {
        kite_printk_raw(s, n);
    } else {
        for (size_t i = 0; i < n; i++) {
            f->buf[f->len++] = s[i];
            if (s[i] == '\n' || f->len == sizeof(f->buf)) {
                flush_locked(f);
            }
        }
    }
    kite_spin_unlock_irqrestore(&f->lock, flags);
}

int fflush(FILE *f)
{
    if (!f) {
        fflush(stdout);
        return fflush(stderr);
    }
    unsigned long flags = kite_spin_lock_irqsave(&f->lock);

    flush_locked(f);
    kite_spin_unlock_irqrestore(&f->lock, flags);
    return 0;
}

int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
    char small[FORMAT_STACK];
    char *big = NULL;
    va_list again;
    int n;

    va_copy(again, ap);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    if (n >= (int)sizeof(small)) {
        big = malloc((size_t)n + 1);
        /* Without memory the output is cut at the stack buffer rather than lost. */
        if (big) {
            vsnprintf(big, (size_t)n + 1, fmt, again);
        } else {
            n = (int)sizeof(small) - 1;
        }
    }
    va_end(again);
    /* n < 0: no memory for a long double's digits (errno ENOMEM); nothing is written. */
    if (n >= 0) {
        write_text(f, big ? big : small, (size_t)n);
    }
    free(big);
    return n;
}

int fprintf(FILE *restrict f, const char *restrict fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vfprintf(f, fmt, ap);
    va_end(ap);
    return n;
}

int vprintf(const char *restrict fmt, va_list ap)
{
    return vfprintf(stdout, fmt, ap);
}

int printf(const char *restrict fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vfprintf(stdout, fmt, ap);
    va_end(ap);
    return n;
}

int fputc(int c, FILE *f)
{
    char ch = (char)c;

    write_text(f, &ch, 1);
    return (unsigned char)c;
}

int putc(int c, FILE *f)
{
    return fputc(c, f);
}

int putchar(int c)
{
    return fputc(c, stdout);
}

int fputs(const char *restrict s, FILE *restrict f)
{
    write_text(f, s, strlen(s));
    return 0;
}

size_t fwrite(const void *restrict p, size_t size, size_t n, FILE *restrict f)
{
    if (!size || !n || n > SIZE_MAX / size) {
        return 0; /* nothing to write, or more bytes than an address space holds */
    }
    write_text(f, p, size * n);
    return n;
}

void perror(const char *s)
{
    const char *msg = strerror(errno);

    if (s && *s) {
        fprintf(stderr, "%s: %s\n", s, msg);
    } else {
        fprintf(stderr, "%s\n", msg);
    }
}

/* The text and its newline in one write, so the line is never split. */
int puts(const char *s)
{
    unsigned long flags = kite_spin_lock_irqsave(&stdout->lock);
    size_t n = strlen(s);

    for (size_t i = 0; i < n; i++) {
        stdout->buf[stdout->len++] = s[i];
        if (stdout->len == sizeof(stdout->buf)) {
            flush_locked(stdout);
        }
    }
    stdout->buf[stdout->len++] = '\n';
    flush_locked(stdout);
    kite_spin_unlock_irqrestore(&stdout->lock, flags);
    return 0;
}
