/* SPDX-License-Identifier: MIT */
/*
 * The libc inside a booted image: errno is per thread, the malloc family
 * keeps C's promises on the Kite heap, strdup/strerror/getenv work, and the
 * C names link to the libc (printf writes through the console). The pure
 * parts are tested on the host against glibc (the *_utest.c files here).
 */
#include <alloca.h>
#include <assert.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <kite/arch.h>
#include <kite/test.h>
#include <kite/thread.h>
#include <kite/walltime.h>

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

/* longjmp from a few frames down, back into a setjmp whose function is still running. */
static jmp_buf jump_env;

static __attribute__((noinline)) int jump_from_depth(int depth, int val)
{
    volatile char pad[64];

    pad[0] = (char)depth;
    if (depth < 0) {
        return -1; /* never: only so that the recursion visibly ends */
    }
    if (depth == 0) {
        longjmp(jump_env, val);
    }
    return jump_from_depth(depth - 1, val) + pad[0];
}

KITE_TEST(libc, setjmp_and_longjmp)
{
    volatile int rounds = 0, last = -1;
    int rc = setjmp(jump_env);

    if (rc != 0) {
        last = rc;
    }
    if (rounds++ < 2) {
        (void)jump_from_depth(5, rounds == 1 ? 0 : 42); /* 0 arrives as 1 */
    }
    KITE_EXPECT_EQ(rounds, 3);
    KITE_EXPECT_EQ(last, 42);
    /* The first jump's value: done again, on its own. */
    if ((rc = setjmp(jump_env)) == 0) {
        (void)jump_from_depth(2, 0);
    }
    KITE_EXPECT_EQ(rc, 1);
}

KITE_TEST(libc, time_clock_and_gettimeofday)
{
    struct timespec ts, pause = {0, 20000000};
    struct timeval tv;
    time_t t = -1, t0 = time(NULL);
    clock_t c0 = clock();

    KITE_EXPECT_EQ(gettimeofday(&tv, NULL), 0);
    KITE_EXPECT_EQ(clock_gettime(CLOCK_REALTIME, &ts), 0);
    KITE_EXPECT(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    KITE_EXPECT(ts.tv_sec - tv.tv_sec <= 1 && ts.tv_sec >= tv.tv_sec);
    KITE_EXPECT(time(&t) == t && t >= t0);
    /* The wall clock's seconds (<kite/walltime.h>), read just after. */
    KITE_EXPECT((uint64_t)t <= kite_time_real_ns() / 1000000000u &&
                kite_time_real_ns() / 1000000000u - (uint64_t)t <= 1);
    KITE_EXPECT_EQ(nanosleep(&pause, NULL), 0);
    KITE_EXPECT(clock() - c0 >= 20 * CLOCKS_PER_SEC / 1000);
    KITE_EXPECT_EQ(gettimeofday(NULL, NULL), 0);
}

KITE_TEST(libc, more_strings_and_output)
{
    char buf[32], *p;
    char *words = strdup("a,b;;c");
    const char hay[] = "abcabcd";
    static const char *const hello[] = {"Hello", "hELLO", "abc", "ABD", "KITEx", "kitey"};
    char *space = alloca(64); // cppcheck-suppress allocaCalled ; alloca is what is tested

    KITE_ASSERT(words != NULL);
    KITE_EXPECT(strcmp(strtok(words, ",;"), "a") == 0);
    KITE_EXPECT(strcmp(strtok(NULL, ",;"), "b") == 0);
    KITE_EXPECT(strcmp(strtok(NULL, ",;"), "c") == 0);
    KITE_EXPECT(strtok(NULL, ",;") == NULL);
    free(words);
    p = stpcpy(stpcpy(buf, "ab"), "cd");
    KITE_EXPECT(p == buf + 4 && strcmp(buf, "abcd") == 0);
    KITE_EXPECT(memmem(hay, 7, "abcd", 4) == hay + 3);
    KITE_EXPECT(memmem(hay, 7, "abce", 4) == NULL);
    KITE_EXPECT(memmem(hay, 7, "", 0) == hay);
    KITE_EXPECT(memmem(hay, 2, "abc", 3) == NULL);
    KITE_EXPECT(strcasecmp(hello[0], hello[1]) == 0);
    KITE_EXPECT(strcasecmp(hello[2], hello[3]) < 0);
    KITE_EXPECT(strncasecmp(hello[4], hello[5], 4) == 0);
    memset(space, 7, 64);
    KITE_EXPECT(space[63] == 7);
    /* The QEMU boots tier looks for these two lines in the serial log. */
    KITE_EXPECT_EQ(fwrite("libc: fwrite works\n", 19, 1, stdout), 1);
    KITE_EXPECT_EQ(fwrite("x", 0, 5, stdout), 0);
    KITE_EXPECT_EQ(fflush(stdout), 0);
    errno = EINVAL;
    perror("libc: perror");
}
