/* SPDX-License-Identifier: MIT */
/*
 * The console list: every driver that declared KITE_CONSOLE. Started twice:
 * early with defaults (so the first boot lines are seen), then after the
 * command line, when a console that only now comes up (VGA, once the boot
 * information says the screen is in text mode) or that moved (the serial
 * console to another port) replays the log so far.
 */
#include <kite/console.h>
#include <kite/kmsg.h>
#include <kite/printk.h>

#define MAX_CONSOLES 8

extern const struct kite_console __kite_consoles_start[], __kite_consoles_end[];
static bool active[MAX_CONSOLES];

static size_t console_count(void)
{
    size_t n = (size_t)(KITE_SECTION_END(__kite_consoles_start, __kite_consoles_end) -
                        __kite_consoles_start);

    return KITE_MIN(n, (size_t)MAX_CONSOLES);
}

static void replay(const struct kite_console *c);

void kite_console_early_init(void)
{
    for (size_t i = 0; i < console_count(); i++) {
        active[i] = __kite_consoles_start[i].setup(true) != KITE_CONSOLE_OFF;
        /* Stages before the console (traps) have logged into the ring only. */
        if (active[i]) {
            replay(&__kite_consoles_start[i]);
        }
    }
}

static void replay(const struct kite_console *c)
{
    struct kite_kmsg_record rec;
    char text[512];
    char line[576];
    uint64_t seq = 0;

    if (!c->write) {
        return;
    }
    while (kite_kmsg_read(&kite_kmsg, &seq, &rec, text, sizeof(text))) {
        if (kite_log_visible(rec.level)) {
            c->write(line, kite_log_format_line(line, sizeof(line), rec.time_ns, rec.cpu, rec.level,
                                                text));
        }
    }
}

void kite_console_init(void)
{
    for (size_t i = 0; i < console_count(); i++) {
        const struct kite_console *c = &__kite_consoles_start[i];
        bool was = active[i];
        int state = c->setup(false);

        active[i] = state != KITE_CONSOLE_OFF;
        if (state == KITE_CONSOLE_MOVED || (active[i] && !was)) {
            replay(c);
        }
        kite_pr_info("console: %s %s\n", c->name, active[i] ? "on" : "off");
    }
}

void kite_console_write(const char *s, size_t len)
{
    for (size_t i = 0; i < console_count(); i++) {
        if (active[i] && __kite_consoles_start[i].write) {
            __kite_consoles_start[i].write(s, len);
        }
    }
}

int kite_console_getc(void)
{
    for (size_t i = 0; i < console_count(); i++) {
        int c = active[i] && __kite_consoles_start[i].getc ? __kite_consoles_start[i].getc() : -1;

        if (c >= 0) {
            return c;
        }
    }
    return -1;
}
