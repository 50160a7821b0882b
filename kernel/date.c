/* SPDX-License-Identifier: MIT */
/*
 * Calendar arithmetic for the wall clock (see <kite/walltime.h>): dates to
 * days since 1970 and back, in the proleptic Gregorian calendar. Counting
 * from March makes February the last month of a year, so a leap day is the
 * last day of its year and the month lengths follow one formula. Pure: the
 * host unit test checks it against glibc's timegm and gmtime_r.
 */
#include <kite/walltime.h>

#define DAYS_PER_400Y 146097 /* 400 * 365 + 97 leap days */

/* Days before month @m of a year that starts in March (m: 0 = March .. 11 = February). */
static unsigned int days_before_month(unsigned int m)
{
    return (153 * m + 2) / 5;
}

int64_t kite_date_to_days(int year, unsigned int month, unsigned int day)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned int yoe = (unsigned int)(y - era * 400);         /* 0..399 */
    unsigned int m = month > 2 ? month - 3 : month + 9;       /* 0 = March */
    unsigned int doy = days_before_month(m) + day - 1;        /* 0..365 */
    unsigned int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* 0..146096 */

    /* 719468: days from 0000-03-01 to 1970-01-01. */
    return era * DAYS_PER_400Y + (int64_t)doe - 719468;
}

void kite_date_from_secs(int64_t secs, struct kite_date *out)
{
    int64_t days = secs / 86400, rem = secs % 86400;
    int64_t z, era;
    unsigned int doe, yoe, doy, m;

    if (rem < 0) {
        rem += 86400;
        days--;
    }
    out->hour = (unsigned int)(rem / 3600);
    out->min = (unsigned int)(rem / 60 % 60);
    out->sec = (unsigned int)(rem % 60);
    z = days + 719468;
    era = (z >= 0 ? z : z - (DAYS_PER_400Y - 1)) / DAYS_PER_400Y;
    doe = (unsigned int)(z - era * DAYS_PER_400Y);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / (DAYS_PER_400Y - 1)) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    m = (5 * doy + 2) / 153;
    out->day = doy - days_before_month(m) + 1;
    out->month = m < 10 ? m + 3 : m - 9;
    out->year = (int)(yoe + era * 400 + (out->month <= 2));
}

bool kite_date_valid(const struct kite_date *d)
{
    static const unsigned char mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (d->year % 4 == 0 && d->year % 100 != 0) || d->year % 400 == 0;

    if (d->month < 1 || d->month > 12 || d->day < 1 || d->day > mdays[d->month - 1] ||
        d->hour > 23 || d->min > 59 || d->sec > 59) {
        return false;
    }
    return !(d->month == 2 && d->day == 29 && !leap);
}
