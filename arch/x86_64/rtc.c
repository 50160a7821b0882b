/* SPDX-License-Identifier: MIT */
/*
 * The CMOS real-time clock, read once at boot for the wall clock
 * (kernel/walltime.c). Its registers are read while no update is in
 * progress, twice until two readings agree; BCD and 12-hour forms are
 * converted. The CMOS clock keeps no century that every firmware fills in,
 * so two-digit years are taken as 2000-2099.
 */
#define KITE_LOG_PREFIX "rtc: "

#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/printk.h>
#include <kite/walltime.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71
#define REG_SEC    0x00
#define REG_MIN    0x02
#define REG_HOUR   0x04
#define REG_DAY    0x07
#define REG_MONTH  0x08
#define REG_YEAR   0x09
#define REG_A      0x0a /* bit 7: an update is in progress */
#define REG_B      0x0b /* bit 1: 24-hour; bit 2: binary, not BCD */
#define HOUR_PM    0x80 /* in the 12-hour form */
#define TRIES      5

static uint8_t cmos_read(uint8_t reg)
{
    arch_outb(CMOS_INDEX, reg);
    return arch_inb(CMOS_DATA);
}

struct raw {
    uint8_t sec, min, hour, day, month, year;
};

/* One reading, taken after the update-in-progress flag clears (or a bounded wait). */
static void read_raw(struct raw *r)
{
    for (unsigned int i = 0; i < 100000 && (cmos_read(REG_A) & 0x80); i++) {
        arch_pause();
    }
    r->sec = cmos_read(REG_SEC);
    r->min = cmos_read(REG_MIN);
    r->hour = cmos_read(REG_HOUR);
    r->day = cmos_read(REG_DAY);
    r->month = cmos_read(REG_MONTH);
    r->year = cmos_read(REG_YEAR);
}

static unsigned int from_bcd(uint8_t v)
{
    return (v >> 4) * 10u + (v & 0x0f);
}

int arch_rtc_read(struct kite_date *out)
{
    struct raw a, b;
    unsigned long flags = arch_irq_save();
    unsigned int tries = 0, hour;
    uint8_t regb;
    bool pm, agreed;

    read_raw(&a);
    do {
        b = a;
        read_raw(&a);
        agreed = a.sec == b.sec && a.min == b.min && a.hour == b.hour && a.day == b.day &&
                 a.month == b.month && a.year == b.year;
    } while (!agreed && ++tries < TRIES);
    regb = cmos_read(REG_B);
    arch_irq_restore(flags);
    if (!agreed) {
        kite_pr_warn("the clock's registers changed in each of %u readings; no wall clock\n",
                     TRIES);
        return -KITE_EIO;
    }
    pm = !(regb & 0x02) && (a.hour & HOUR_PM);
    a.hour &= (uint8_t)~HOUR_PM;
    if (!(regb & 0x04)) {
        out->sec = from_bcd(a.sec);
        out->min = from_bcd(a.min);
        hour = from_bcd(a.hour);
        out->day = from_bcd(a.day);
        out->month = from_bcd(a.month);
        out->year = 2000 + (int)from_bcd(a.year);
    } else {
        out->sec = a.sec;
        out->min = a.min;
        hour = a.hour;
        out->day = a.day;
        out->month = a.month;
        out->year = 2000 + a.year;
    }
    if (!(regb & 0x02)) {
        hour = hour % 12 + (pm ? 12 : 0); /* 12 AM is 0, 12 PM is 12 */
    }
    out->hour = hour;
    if (!kite_date_valid(out) || out->year > 2099) {
        kite_pr_warn("the clock reads %04d-%02u-%02u %02u:%02u:%02u (status B %#x), which is no "
                     "date; expected a valid date and time; no wall clock\n",
                     out->year, out->month, out->day, out->hour, out->min, out->sec, regb);
        return -KITE_EINVAL;
    }
    return 0;
}
