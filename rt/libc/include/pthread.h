/* SPDX-License-Identifier: MIT */
/*
 * POSIX threads over Kite threads (rt/pthread/, CONFIG_RT_PTHREAD). Every
 * call returns 0 or a POSIX error number (EINVAL, EBUSY, EDEADLK, EPERM,
 * ETIMEDOUT, EAGAIN, ESRCH, ERANGE, ENOMEM); none fails silently. The
 * objects wrap Kite's own (<kite/sync.h>), so the static initializers are
 * plain data and the first use costs nothing more than any other. What
 * differs from Linux, and the affinity rule, are in docs/pthreads.md.
 */
#pragma once

#include <sched.h>
#include <stddef.h>
#include <time.h>

#include <kite/sync.h>

struct __kite_pthread;
typedef struct __kite_pthread *pthread_t;

/* POSIX's minimum for keys; also the limits glibc gives. */
#define PTHREAD_KEYS_MAX              128
#define PTHREAD_DESTRUCTOR_ITERATIONS 4
/* The smallest stack pthread_attr_setstacksize takes (Kite's largest: just under 2 MiB). */
#define PTHREAD_STACK_MIN 16384

#define PTHREAD_CREATE_JOINABLE 0
#define PTHREAD_CREATE_DETACHED 1

#define PTHREAD_PROCESS_PRIVATE 0
#define PTHREAD_PROCESS_SHARED  1

/* Thread attributes: a stack size, detached or not, and a CPU (see pthread_setaffinity_np). */
typedef struct {
    size_t __stacksize;
    int __detachstate;
    int __cpu;        /* -1: any CPU (unbound) */
    unsigned __magic; /* set by pthread_attr_init, cleared by destroy */
} pthread_attr_t;

/*
 * Mutexes. NORMAL is DEFAULT: like ERRORCHECK it reports relocking by the
 * owner (EDEADLK) instead of hanging, and unlocking by another (EPERM).
 */
#define PTHREAD_MUTEX_NORMAL     0
#define PTHREAD_MUTEX_RECURSIVE  1
#define PTHREAD_MUTEX_ERRORCHECK 2
#define PTHREAD_MUTEX_DEFAULT    PTHREAD_MUTEX_NORMAL

typedef struct {
    struct kite_mutex __m;
    int __type;           /* PTHREAD_MUTEX_*; -1 once destroyed */
    unsigned int __depth; /* recursive: how many times the owner holds it */
} pthread_mutex_t;

#define PTHREAD_MUTEX_INITIALIZER                               \
    {                                                           \
        KITE_MUTEX_INIT(pthread_mutex), PTHREAD_MUTEX_NORMAL, 0 \
    }

typedef struct {
    int __type;
    int __pshared;
    unsigned __magic;
} pthread_mutexattr_t;

/* Condition variables: the clock their timed waits use (REALTIME or MONOTONIC). */
typedef struct {
    struct kite_cond __c;
    int __clock; /* CLOCK_*; -1 once destroyed */
} pthread_cond_t;

#define PTHREAD_COND_INITIALIZER       \
    {                                  \
        KITE_COND_INIT, CLOCK_REALTIME \
    }

typedef struct {
    int __clock;
    int __pshared;
    unsigned __magic;
} pthread_condattr_t;

/* Barriers: pthread_barrier_wait returns PTHREAD_BARRIER_SERIAL_THREAD to exactly one. */
#define PTHREAD_BARRIER_SERIAL_THREAD (-1)

typedef struct {
    struct kite_barrier __b; /* a count of 0: not initialized, or destroyed */
} pthread_barrier_t;

typedef struct {
    int __pshared;
    unsigned __magic;
} pthread_barrierattr_t;

/* Readers-writer locks: writers and readers are served in the order they come. */
typedef struct {
    struct kite_rwlock __rw;
    int __dead; /* 1 once destroyed */
} pthread_rwlock_t;

#define PTHREAD_RWLOCK_INITIALIZER \
    {                              \
        KITE_RWLOCK_INIT, 0        \
    }

typedef struct {
    int __pshared;
    unsigned __magic;
} pthread_rwlockattr_t;

/* Spinlocks: busy-waiting, yielding the CPU now and then; the owner is known. */
typedef struct {
    unsigned long __owner; /* the holding Kite thread, 0 when free; 1 once destroyed */
} pthread_spinlock_t;

typedef unsigned int pthread_key_t;

typedef int pthread_once_t;
#define PTHREAD_ONCE_INIT 0

/* Threads. */
int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);
int pthread_join(pthread_t thread, void **ret);
int pthread_detach(pthread_t thread);
pthread_t pthread_self(void);
int pthread_equal(pthread_t a, pthread_t b);
__attribute__((noreturn)) void pthread_exit(void *ret);
/* A name of at most 15 characters (ERANGE for longer, or a buffer too small for it). */
int pthread_setname_np(pthread_t thread, const char *name);
int pthread_getname_np(pthread_t thread, char *buf, size_t len);

int pthread_attr_init(pthread_attr_t *attr);
int pthread_attr_destroy(pthread_attr_t *attr);
int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size);
int pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size);
int pthread_attr_setdetachstate(pthread_attr_t *attr, int state);
int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state);

/*
 * Affinity. A Kite thread runs on one CPU, or on any (unbound: placed and
 * stolen by the scheduler). A set holding every online CPU means any; any
 * other set binds the thread to the lowest online CPU in it. A set with no
 * online CPU (empty, or only CPUs that do not exist) is EINVAL. Reading an
 * affinity gives the one CPU, or every online CPU for an unbound thread
 * (EINVAL when @size is too small to hold them).
 */
int pthread_attr_setaffinity_np(pthread_attr_t *attr, size_t size, const cpu_set_t *set);
int pthread_attr_getaffinity_np(const pthread_attr_t *attr, size_t size, cpu_set_t *set);
int pthread_setaffinity_np(pthread_t thread, size_t size, const cpu_set_t *set);
int pthread_getaffinity_np(pthread_t thread, size_t size, cpu_set_t *set);

/* Mutexes. */
int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr);
int pthread_mutex_destroy(pthread_mutex_t *m);
int pthread_mutex_lock(pthread_mutex_t *m);
int pthread_mutex_trylock(pthread_mutex_t *m);
int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime);
int pthread_mutex_unlock(pthread_mutex_t *m);
int pthread_mutexattr_init(pthread_mutexattr_t *attr);
int pthread_mutexattr_destroy(pthread_mutexattr_t *attr);
int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type);
int pthread_mutexattr_gettype(const pthread_mutexattr_t *attr, int *type);
int pthread_mutexattr_setpshared(pthread_mutexattr_t *attr, int pshared);
int pthread_mutexattr_getpshared(const pthread_mutexattr_t *attr, int *pshared);

/* Condition variables. */
int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr);
int pthread_cond_destroy(pthread_cond_t *c);
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m);
int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime);
int pthread_cond_signal(pthread_cond_t *c);
int pthread_cond_broadcast(pthread_cond_t *c);
int pthread_condattr_init(pthread_condattr_t *attr);
int pthread_condattr_destroy(pthread_condattr_t *attr);
int pthread_condattr_setclock(pthread_condattr_t *attr, clockid_t clock);
int pthread_condattr_getclock(const pthread_condattr_t *attr, clockid_t *clock);
int pthread_condattr_setpshared(pthread_condattr_t *attr, int pshared);
int pthread_condattr_getpshared(const pthread_condattr_t *attr, int *pshared);

/* Barriers. */
int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr,
                         unsigned int count);
int pthread_barrier_destroy(pthread_barrier_t *b);
int pthread_barrier_wait(pthread_barrier_t *b);
int pthread_barrierattr_init(pthread_barrierattr_t *attr);
int pthread_barrierattr_destroy(pthread_barrierattr_t *attr);
int pthread_barrierattr_setpshared(pthread_barrierattr_t *attr, int pshared);
int pthread_barrierattr_getpshared(const pthread_barrierattr_t *attr, int *pshared);

/* Readers-writer locks. */
int pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *attr);
int pthread_rwlock_destroy(pthread_rwlock_t *rw);
int pthread_rwlock_rdlock(pthread_rwlock_t *rw);
int pthread_rwlock_wrlock(pthread_rwlock_t *rw);
int pthread_rwlock_tryrdlock(pthread_rwlock_t *rw);
int pthread_rwlock_trywrlock(pthread_rwlock_t *rw);
int pthread_rwlock_unlock(pthread_rwlock_t *rw);
int pthread_rwlockattr_init(pthread_rwlockattr_t *attr);
int pthread_rwlockattr_destroy(pthread_rwlockattr_t *attr);

/* Spinlocks. */
int pthread_spin_init(pthread_spinlock_t *s, int pshared);
int pthread_spin_destroy(pthread_spinlock_t *s);
int pthread_spin_lock(pthread_spinlock_t *s);
int pthread_spin_trylock(pthread_spinlock_t *s);
int pthread_spin_unlock(pthread_spinlock_t *s);

/* Thread-specific data. */
int pthread_key_create(pthread_key_t *key, void (*destructor)(void *));
int pthread_key_delete(pthread_key_t key);
void *pthread_getspecific(pthread_key_t key);
int pthread_setspecific(pthread_key_t key, const void *value);

int pthread_once(pthread_once_t *once, void (*fn)(void));
