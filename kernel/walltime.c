/* SPDX-License-Identifier: MIT */
/*
 * The wall clock (see <kite/walltime.h>): read once at boot, from the CMOS
 * clock, or in a partition from the host's time in the boot parameters,
 * then carried forward by kite_time_ns(). The `date` shell command shows it.
 */
#define KITE_LOG_PREFIX "time: "

#include <kite/abi/bootparams.h>
#include <kite/arch.h>
#include <kite/partition.h>
#include <kite/printk.h>
#include <kite/shell.h>
#include <kite/walltime.h>

#define NS_PER_SEC 1000000000ull

static uint64_t offset_ns; /* wall clock minus kite_time_ns() */
static const char *source; /* NULL: no wall clock */

uint64_t kite_time_real_ns(void)
{
    return kite_time_ns() + offset_ns;
}

uint64_t kite_time_real_to_mono(uint64_t real_ns)
{
    if (real_ns == UINT64_MAX) {
        return UINT64_MAX;
    }
    return real_ns > offset_ns ? real_ns - offset_ns : 0;
}

const char *kite_time_real_source(void)
{
    return source;
}

static void show(void)
{
    uint64_t now = kite_time_real_ns();
    struct kite_date d;

    kite_date_from_secs((int64_t)(now / NS_PER_SEC), &d);
    kite_pr_info("%04d-%02u-%02u %02u:%02u:%02u UTC (from %s)\n", d.year, d.month, d.day, d.hour,
                 d.min, d.sec, source);
}

void kite_walltime_init(void)
{
    const struct kite_boot_params *bp = kite_bp;
    struct kite_date d;

    if (bp) {
        if (!bp->wall_ns) {
            kite_pr_info("the host gave no wall clock; CLOCK_REALTIME counts from boot\n");
            return;
        }
        /* The host read its clock at wall_tsc, before this kernel's entry. */
        if (arch_boot_tsc >= bp->wall_tsc) {
            offset_ns = bp->wall_ns + arch_tsc_to_ns(arch_boot_tsc - bp->wall_tsc);
        } else {
            offset_ns = bp->wall_ns - arch_tsc_to_ns(bp->wall_tsc - arch_boot_tsc);
        }
        source = "the host";
    } else {
        if (arch_rtc_read(&d) < 0) {
            return; /* arch_rtc_read said why */
        }
        offset_ns = (uint64_t)kite_date_to_days(d.year, d.month, d.day) * 86400 * NS_PER_SEC +
                    ((uint64_t)d.hour * 3600 + (uint64_t)d.min * 60 + d.sec) * NS_PER_SEC -
                    kite_time_ns();
        source = "the CMOS clock";
    }
    show();
}

static int cmd_date(int argc, char **argv)
{
    if (argc != 1) {
        return kite_shell_usage(argv[0]);
    }
    if (!source) {
        uint64_t ns = kite_time_ns();

        kite_pr_info("no wall clock; %llu.%03llu s since boot\n",
                     (unsigned long long)(ns / NS_PER_SEC),
                     (unsigned long long)(ns % NS_PER_SEC / 1000000));
        return 0;
    }
    show();
    return 0;
}
KITE_SHELL_CMD(date, cmd_date, ": the date and time (UTC) and where Kite got them");
