/* SPDX-License-Identifier: MIT */
/* unistd.h: sysconf over Kite's CPU count and page size, and sleeping (kite_sleep_ns). */
#include <errno.h>
#include <unistd.h>

#include <kite/arch.h>
#include <kite/mm.h>
#include <kite/timer.h>

long sysconf(int name)
{
    switch (name) {
    case _SC_NPROCESSORS_ONLN:
        return (long)arch_cpus_online();
    case _SC_NPROCESSORS_CONF:
        return (long)arch_cpus_wanted();
    case _SC_PAGESIZE:
        return (long)KITE_PAGE_SIZE;
    default:
        errno = EINVAL;
        return -1;
    }
}

int getpagesize(void)
{
    return (int)KITE_PAGE_SIZE;
}

/* Kite's sleep is not interrupted (there are no signals): nothing is left unslept. */
unsigned int sleep(unsigned int seconds)
{
    kite_sleep_ns((uint64_t)seconds * 1000000000u);
    return 0;
}

int usleep(useconds_t usec)
{
    kite_sleep_ns((uint64_t)usec * 1000u);
    return 0;
}
