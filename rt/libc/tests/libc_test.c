/* SPDX-License-Identifier: MIT */
/*
 * The libc inside a booted image: errno is per thread, the malloc family
 * keeps C's promises on the Kite heap, strdup/strerror/getenv work, and the
 * C names link to the libc (printf writes through the console). The pure
 * parts are tested on the host against glibc (the *_utest.c files here).
 */
#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <kite/arch.h>
#include <kite/test.h>
#include <kite/thread.h>

static void *set_errno(void *arg)
{
    errno = (int)(uintptr_t)arg;
    /* Let the other threads set theirs before this one reads it back. */
    for (int i = 0; i < 100; i++) {
        kite_thread_yield();
    }
    return (void *)(uintptr_t)(errno == (int)(uintptr_t)arg);
}

KITE_TEST(libc, errno_per_thread)
{
    struct kite_thread *t[8];

    errno = 1234;
    for (uintptr_t i = 0; i < 8; i++) {
        KITE_ASSERT(kite_thread_create(&t[i], set_errno, (void *)(i + 1), NULL) == 0);
    }
    for (int i = 0; i < 8; i++) {
        void *ok = NULL;

        KITE_EXPECT_EQ(kite_thread_join(t[i], &ok), 0);
        KITE_EXPECT_EQ((uintptr_t)ok, 1);
    }
    KITE_EXPECT_EQ(errno, 1234);
}

KITE_TEST(libc, malloc_family)
{
    /* C lets malloc(0) return NULL; Kite's promises a unique pointer, which is tested here. */
    char *p = malloc(0); // NOLINT(clang-analyzer-optin.portability.UnixAPI)
    char *q;
    void *a = NULL;

    KITE_EXPECT(p != NULL);
    free(p);
    p = calloc(100, 3);
    KITE_ASSERT(p != NULL);
    for (int i = 0; i < 300; i++) {
        KITE_EXPECT_EQ(p[i], 0);
    }
    memset(p, 'x', 300);
    q = realloc(p, 5000);
    KITE_ASSERT(q != NULL);
    KITE_EXPECT_EQ(q[299], 'x');
    free(q);

    errno = 0;
    p = calloc(SIZE_MAX / 2, 4);
    KITE_EXPECT(p == NULL);
    KITE_EXPECT_EQ(errno, ENOMEM);
    free(p);
    errno = 0;
    p = aligned_alloc(48, 64);
    KITE_EXPECT(p == NULL);
    KITE_EXPECT_EQ(errno, EINVAL);
    free(p);

    p = aligned_alloc(4096, 100);
    KITE_EXPECT(p != NULL && ((uintptr_t)p & 4095) == 0);
    free(p);
    KITE_EXPECT_EQ(posix_memalign(&a, 4, 8), EINVAL);
    KITE_EXPECT_EQ(posix_memalign(&a, 256, 8), 0);
    KITE_EXPECT(a != NULL && ((uintptr_t)a & 255) == 0);
    free(a);
}

KITE_TEST(libc, strings_and_environment)
{
    char *d = strdup("kite");
    char *n = strndup("aerokernel", 4);
    char buf[32];

    KITE_EXPECT(d != NULL && n != NULL);
    if (d && n) {
        KITE_EXPECT_STREQ(d, "kite");
        KITE_EXPECT_STREQ(n, "aero");
    }
    free(d);
    free(n);
    KITE_EXPECT_STREQ(strerror(EINVAL), "Invalid argument");
    KITE_EXPECT_STREQ(strerror(-5), "Unknown error");
    KITE_EXPECT(getenv("KITE_LIBC_SURELY_UNSET") == NULL);
    KITE_EXPECT(getenv("") == NULL);
    KITE_EXPECT_EQ(snprintf(buf, sizeof(buf), "%s-%03d", "cpu", 7), 7);
    KITE_EXPECT_STREQ(buf, "cpu-007");
    KITE_EXPECT_EQ(printf("libc: printf %s\n", "works"), 19);
    KITE_EXPECT_EQ(fflush(stdout), 0);
}

KITE_TEST(libc, arithmetic_and_rand)
{
    div_t q = div(-7, 2);

    KITE_EXPECT_EQ(q.quot, -3);
    KITE_EXPECT_EQ(q.rem, -1);
    KITE_EXPECT_EQ(labs(-5L), 5);
    KITE_EXPECT_EQ(atoi("  -42"), -42);
    /* The C standard's example generator from seed 1 starts 16838, 5758, 10113. */
    srand(1);
    KITE_EXPECT_EQ(rand(), 16838);
    KITE_EXPECT_EQ(rand(), 5758);
    KITE_EXPECT_EQ(rand(), 10113);
}

static int evaluations;

static int count(void)
{
    return ++evaluations;
}

KITE_TEST(libc, assert_passes_on_true)
{
    static_assert(sizeof(int) == 4, "int is 32 bits");
    assert(count() == 1);
    assert(1 + 1 == 2);
    KITE_EXPECT_EQ(evaluations, 1);
}

static long long ts_ns(const struct timespec *ts)
{
    return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

KITE_TEST(libc, clocks_and_sleep)
{
    struct timespec a, b, req = {0, 2000000}, rem = {5, 5};

    KITE_ASSERT(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
    KITE_EXPECT(a.tv_nsec >= 0 && a.tv_nsec < 1000000000L);
    KITE_EXPECT_EQ(nanosleep(&req, &rem), 0);
    KITE_EXPECT(rem.tv_sec == 0 && rem.tv_nsec == 0);
    KITE_ASSERT(clock_gettime(CLOCK_REALTIME, &b) == 0);
    KITE_EXPECT(ts_ns(&b) - ts_ns(&a) >= 2000000);
    errno = 0;
    KITE_EXPECT_EQ(clock_gettime(7, &a), -1);
    KITE_EXPECT_EQ(errno, EINVAL);
    req.tv_nsec = 1000000000L;
    errno = 0;
    KITE_EXPECT_EQ(nanosleep(&req, NULL), -1);
    KITE_EXPECT_EQ(errno, EINVAL);
    KITE_EXPECT_EQ(clock_getres(CLOCK_MONOTONIC, &a), 0);
    KITE_EXPECT_EQ(a.tv_nsec, 1);
}

KITE_TEST(libc, sched_calls)
{
    int cpu = sched_getcpu();

    KITE_EXPECT(cpu >= 0 && (unsigned int)cpu < arch_cpus_online());
    KITE_EXPECT_EQ(sched_yield(), 0);
}

KITE_TEST(libc, unistd_sysconf_and_sleep)
{
    struct timespec a, b;

    KITE_EXPECT_EQ(sysconf(_SC_NPROCESSORS_ONLN), arch_cpus_online());
    KITE_EXPECT(sysconf(_SC_NPROCESSORS_CONF) >= sysconf(_SC_NPROCESSORS_ONLN));
    KITE_EXPECT_EQ(sysconf(_SC_PAGESIZE), 4096);
    KITE_EXPECT_EQ(sysconf(_SC_PAGE_SIZE), 4096);
    KITE_EXPECT_EQ(getpagesize(), 4096);
    errno = 0;
    KITE_EXPECT_EQ(sysconf(2), -1); /* glibc's _SC_CLK_TCK: not provided */
    KITE_EXPECT_EQ(errno, EINVAL);
    errno = 0;
    KITE_EXPECT_EQ(sysconf(-1), -1);
    KITE_EXPECT_EQ(errno, EINVAL);

    KITE_ASSERT(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
    KITE_EXPECT_EQ(usleep(3000), 0);
    KITE_ASSERT(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
    KITE_EXPECT(ts_ns(&b) - ts_ns(&a) >= 3000000);
    KITE_EXPECT_EQ(sleep(0), 0);
    KITE_EXPECT_EQ(sleep(1), 0);
    KITE_ASSERT(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
    KITE_EXPECT(ts_ns(&a) - ts_ns(&b) >= 1000000000LL);
}
