/* SPDX-License-Identifier: MIT */
/*
 * POSIX threads over Kite threads: create, join, detach, exit, names,
 * attributes, affinity, thread-specific data and pthread_once.
 *
 * A pthread is a Kite thread plus a struct __kite_pthread, found through a
 * __thread pointer. Kite frees a thread at its join, or at its exit when it
 * was created detached; a thread detached after it started still needs a
 * Kite join, so it puts itself on a list of zombies at its exit, and the
 * next pthread_create or pthread_detach joins those (at once: they have
 * ended). Threads that pthread_create did not start (the main thread, plain
 * Kite threads) get a struct from the heap the first time they ask for it:
 * it cannot be joined, and stays (a Kite thread has no exit hook). Only a
 * pointer is __thread: every Kite thread's start clears its __thread block,
 * so each byte there costs every thread creation.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/panic.h>
#include <kite/stack.h>
#include <kite/sync.h>
#include <kite/thread.h>

#include "pthread_priv.h"

/* The stack of a thread created without a size: bigger than Kite's 16 KiB, for C programs. */
#define DEFAULT_STACK (64u << 10)
/* pthread names hold 15 characters, as on Linux. */
#define NAME_LEN 16

/* The life of a joinable thread; detached ones start DETACHED. */
enum { JOINABLE, DETACHED, EXITED, JOINING };

struct key_value {
    unsigned long seq; /* the key's seq when it was set; another: a deleted key's value */
    void *value;
};

struct __kite_pthread {
    struct kite_thread *kt;
    void *(*fn)(void *);
    void *arg;
    int state;                /* JOINABLE..JOINING, changed atomically */
    bool foreign;             /* not started by pthread_create: never joined or freed */
    bool kite_detached;       /* created detached: Kite frees its thread, it frees this struct */
    int cpu;                  /* the CPU it is bound to, or KITE_CPU_ANY */
    struct key_value *values; /* PTHREAD_KEYS_MAX of them, from the first setspecific */
    struct __kite_pthread *next_zombie;
    struct pt_reads reads; /* the read locks it holds (sync.c) */
    char name[NAME_LEN];
};

static __thread struct __kite_pthread *self_pt;

/* Threads detached while running that have ended, waiting for their Kite join. */
static struct kite_mutex zombie_lock = KITE_MUTEX_INIT(zombie_lock);
static struct __kite_pthread *zombies;

/* pthread_create's threads still running: the main thread's pthread_exit waits for them. */
static struct kite_mutex live_lock = KITE_MUTEX_INIT(live_lock);
static struct kite_cond live_cond = KITE_COND_INIT;
static unsigned int live;

/* Keys: an odd seq is a key in use; create and delete each add one. */
struct key {
    unsigned long seq;
    void (*destructor)(void *);
};

static struct kite_mutex key_lock = KITE_MUTEX_INIT(key_lock);
static struct key keys[PTHREAD_KEYS_MAX];

static void reap(void)
{
    struct __kite_pthread *list;

    kite_mutex_lock(&zombie_lock);
    list = zombies;
    zombies = NULL;
    kite_mutex_unlock(&zombie_lock);
    while (list) {
        struct __kite_pthread *next = list->next_zombie;

        /* It has ended already, or is about to: the join only waits for its last switch. */
        if (kite_thread_join(list->kt, NULL) != 0) {
            kite_panic("pthread: cannot join ended thread %p", (void *)list);
        }
        free(list);
        list = next;
    }
}

static void live_add(int n)
{
    kite_mutex_lock(&live_lock);
    live += (unsigned int)n;
    if (live == 0) {
        kite_cond_broadcast(&live_cond);
    }
    kite_mutex_unlock(&live_lock);
}

/* Call the destructors of the keys with a value, up to PTHREAD_DESTRUCTOR_ITERATIONS rounds. */
static void run_destructors(struct __kite_pthread *pt)
{
    if (!pt->values) {
        return;
    }
    for (int round = 0; round < PTHREAD_DESTRUCTOR_ITERATIONS; round++) {
        bool called = false;

        for (unsigned int k = 0; k < PTHREAD_KEYS_MAX; k++) {
            struct key_value *v = &pt->values[k];
            unsigned long seq = __atomic_load_n(&keys[k].seq, __ATOMIC_ACQUIRE);
            void (*destructor)(void *) = __atomic_load_n(&keys[k].destructor, __ATOMIC_ACQUIRE);
            void *value = v->value;

            if (!value || v->seq != seq || !(seq & 1) || !destructor) {
                continue;
            }
            v->value = NULL;
            destructor(value);
            called = true;
        }
        if (!called) {
            break;
        }
    }
    free(pt->values);
    pt->values = NULL;
}

/* The end of a thread pthread_create started: after its function returned or pthread_exit. */
static KITE_NORETURN void thread_end(struct __kite_pthread *pt, void *ret)
{
    int old = JOINABLE;

    run_destructors(pt);
    live_add(-1);
    if (pt->kite_detached) {
        self_pt = NULL;
        /* Only pthread_create's threads come here, never a foreign one. */
        free(pt); // NOLINT(clang-analyzer-unix.Malloc)
        kite_thread_exit(ret);
    }
    if (!__atomic_compare_exchange_n(&pt->state, &old, EXITED, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE) &&
        old == DETACHED) {
        /* Detached while it ran: the next reap joins it and frees the struct. (JOINING: a
         * joiner waits in kite_thread_join already.) */
        kite_mutex_lock(&zombie_lock);
        pt->next_zombie = zombies;
        zombies = pt;
        kite_mutex_unlock(&zombie_lock);
    }
    kite_thread_exit(ret);
}

static void *start(void *arg)
{
    struct __kite_pthread *pt = arg;

    __atomic_store_n(&pt->kt, kite_thread_self(), __ATOMIC_RELEASE);
    self_pt = pt;
    thread_end(pt, pt->fn(pt->arg));
}

pthread_t pthread_self(void)
{
    struct __kite_pthread *pt = self_pt;

    if (!pt) {
        pt = calloc(1, sizeof(*pt));
        if (!pt) {
            kite_panic("pthread: no memory for the pthread record of thread %s",
                       kite_thread_current_name());
        }
        pt->kt = kite_thread_self();
        pt->foreign = true;
        pt->state = DETACHED;
        pt->cpu = KITE_CPU_ANY;
        strlcpy(pt->name, kite_thread_name(pt->kt), sizeof(pt->name));
        self_pt = pt;
    }
    return pt;
}

struct pt_reads *pt_self_reads(void)
{
    return &pthread_self()->reads;
}

int pthread_equal(pthread_t a, pthread_t b)
{
    return a == b;
}

static bool attr_ok(const pthread_attr_t *attr)
{
    return attr && attr->__magic == PT_ATTR_MAGIC;
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    struct kite_thread_attr ka = {
        .cpu = pthread_self()->cpu, .stack_size = DEFAULT_STACK, .name = "pthread"};
    struct __kite_pthread *pt;
    struct kite_thread *kt;
    int rc;

    if (!thread || !fn || (attr && !attr_ok(attr))) {
        return EINVAL;
    }
    reap();
    if (attr) {
        ka.stack_size = attr->__stacksize;
        ka.detached = attr->__detachstate == PTHREAD_CREATE_DETACHED;
        if (attr->__cpu != KITE_CPU_ANY) {
            ka.cpu = attr->__cpu;
        }
    }
    pt = calloc(1, sizeof(*pt));
    if (!pt) {
        return EAGAIN;
    }
    pt->fn = fn;
    pt->arg = arg;
    pt->cpu = ka.cpu;
    pt->kite_detached = ka.detached;
    pt->state = ka.detached ? DETACHED : JOINABLE;
    strlcpy(pt->name, "pthread", sizeof(pt->name));
    *thread = pt;
    live_add(1);
    rc = kite_thread_create(&kt, start, pt, &ka);
    if (rc != 0) {
        live_add(-1);
        free(pt);
        /* A CPU that went away since the affinity was set is a bad attribute; memory, EAGAIN. */
        return rc == -KITE_ENOMEM ? EAGAIN : EINVAL;
    }
    if (!ka.detached) {
        /* A detached thread may have ended and freed pt already: it stores kt itself. */
        __atomic_store_n(&pt->kt, kt, __ATOMIC_RELEASE);
    }
    return 0;
}

/* Join @thread, which the caller moved to JOINING, and free it. */
static int finish_join(struct __kite_pthread *thread, void **ret)
{
    if (kite_thread_join(thread->kt, ret) != 0) {
        kite_panic("pthread: Kite refused to join pthread %p", (void *)thread);
    }
    free(thread);
    return 0;
}

int pthread_join(pthread_t thread, void **ret)
{
    int state;

    if (!thread) {
        return ESRCH;
    }
    if (thread == pthread_self()) {
        return EDEADLK;
    }
    state = __atomic_load_n(&thread->state, __ATOMIC_ACQUIRE);
    do {
        if (thread->foreign || state == DETACHED || state == JOINING) {
            return EINVAL;
        }
    } while (!__atomic_compare_exchange_n(&thread->state, &state, JOINING, false, __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE));
    return finish_join(thread, ret);
}

int pthread_detach(pthread_t thread)
{
    int state;

    if (!thread) {
        return ESRCH;
    }
    state = __atomic_load_n(&thread->state, __ATOMIC_ACQUIRE);
    for (;;) {
        if (thread->foreign || state == DETACHED || state == JOINING) {
            return EINVAL;
        }
        if (state == JOINABLE &&
            __atomic_compare_exchange_n(&thread->state, &state, DETACHED, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            reap();
            return 0;
        }
        if (state == EXITED && __atomic_compare_exchange_n(&thread->state, &state, JOINING, false,
                                                           __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            /* It has ended: nobody will join it, so do it now. */
            return finish_join(thread, NULL);
        }
    }
}

/*
 * The program's main thread: Kite's thread "main", which runs main or
 * kite_main (kernel/main.c), or the boot thread (the in-kernel tests). Kite
 * powers off when main returns, and does not expect that thread to end.
 */
static bool is_main_thread(const struct __kite_pthread *pt)
{
    const char *name = kite_thread_name(pt->kt);

    return pt->foreign && (strcmp(name, "main") == 0 || strcmp(name, "boot") == 0);
}

void pthread_exit(void *ret)
{
    struct __kite_pthread *pt = pthread_self();

    if (!pt->foreign) {
        thread_end(pt, ret);
    }
    run_destructors(pt);
    if (is_main_thread(pt)) {
        /* As POSIX says for main: the program ends, with status 0, once every thread has. */
        kite_mutex_lock(&live_lock);
        while (live) {
            kite_cond_wait(&live_cond, &live_lock);
        }
        kite_mutex_unlock(&live_lock);
        exit(0);
    }
    kite_thread_exit(ret);
}

int pthread_setname_np(pthread_t thread, const char *name)
{
    if (!thread || !name) {
        return EINVAL;
    }
    if (strlen(name) >= NAME_LEN) {
        return ERANGE;
    }
    strlcpy(thread->name, name, sizeof(thread->name));
    return 0;
}

int pthread_getname_np(pthread_t thread, char *buf, size_t len)
{
    if (!thread || !buf) {
        return EINVAL;
    }
    if (strlen(thread->name) >= len) {
        return ERANGE;
    }
    strlcpy(buf, thread->name, len);
    return 0;
}

/* ---------------------------------------------------------------- attributes */

int pthread_attr_init(pthread_attr_t *attr)
{
    if (!attr) {
        return EINVAL;
    }
    attr->__stacksize = DEFAULT_STACK;
    attr->__detachstate = PTHREAD_CREATE_JOINABLE;
    attr->__cpu = KITE_CPU_ANY;
    attr->__magic = PT_ATTR_MAGIC;
    return 0;
}

int pthread_attr_destroy(pthread_attr_t *attr)
{
    if (!attr_ok(attr)) {
        return EINVAL;
    }
    attr->__magic = 0;
    return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size)
{
    if (!attr_ok(attr) || size < PTHREAD_STACK_MIN || size > KITE_STACK_MAX_SIZE) {
        return EINVAL;
    }
    attr->__stacksize = size;
    return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *attr, size_t *size)
{
    if (!attr_ok(attr) || !size) {
        return EINVAL;
    }
    *size = attr->__stacksize;
    return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *attr, int state)
{
    if (!attr_ok(attr) || (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED)) {
        return EINVAL;
    }
    attr->__detachstate = state;
    return 0;
}

int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state)
{
    if (!attr_ok(attr) || !state) {
        return EINVAL;
    }
    *state = attr->__detachstate;
    return 0;
}

/* ---------------------------------------------------------------- affinity */

static bool in_set(unsigned int cpu, size_t size, const cpu_set_t *set)
{
    return cpu / 8 < size && ((const unsigned char *)set)[cpu / 8] >> (cpu % 8) & 1;
}

/*
 * The affinity rule: every online CPU in @set means any CPU (KITE_CPU_ANY);
 * otherwise the lowest online CPU in it. EINVAL when it holds none.
 */
static int set_to_cpu(size_t size, const cpu_set_t *set, int *cpu)
{
    unsigned int online = arch_cpus_online(), count = 0;
    int first = -1;

    if (!set) {
        return EINVAL;
    }
    for (unsigned int c = 0; c < online; c++) {
        if (in_set(c, size, set)) {
            if (first < 0) {
                first = (int)c;
            }
            count++;
        }
    }
    if (first < 0) {
        return EINVAL;
    }
    *cpu = count == online ? KITE_CPU_ANY : first;
    return 0;
}

/* The set for @cpu: that CPU, or every online one for KITE_CPU_ANY. EINVAL if @size is short. */
static int cpu_to_set(int cpu, size_t size, cpu_set_t *set)
{
    unsigned int first = cpu == KITE_CPU_ANY ? 0 : (unsigned int)cpu;
    unsigned int end = cpu == KITE_CPU_ANY ? arch_cpus_online() : first + 1;

    if (!set || (end - 1) / 8 >= size) {
        return EINVAL;
    }
    memset(set, 0, size);
    for (unsigned int c = first; c < end; c++) {
        ((unsigned char *)set)[c / 8] |= (unsigned char)(1u << (c % 8));
    }
    return 0;
}

int pthread_attr_setaffinity_np(pthread_attr_t *attr, size_t size, const cpu_set_t *set)
{
    int cpu, rc;

    if (!attr_ok(attr)) {
        return EINVAL;
    }
    rc = set_to_cpu(size, set, &cpu);
    if (rc == 0) {
        attr->__cpu = cpu;
    }
    return rc;
}

int pthread_attr_getaffinity_np(const pthread_attr_t *attr, size_t size, cpu_set_t *set)
{
    if (!attr_ok(attr)) {
        return EINVAL;
    }
    return cpu_to_set(attr->__cpu, size, set);
}

int pthread_setaffinity_np(pthread_t thread, size_t size, const cpu_set_t *set)
{
    int cpu, rc, state;

    if (!thread) {
        return ESRCH;
    }
    rc = set_to_cpu(size, set, &cpu);
    if (rc != 0) {
        return rc;
    }
    state = __atomic_load_n(&thread->state, __ATOMIC_ACQUIRE);
    if (state == EXITED) {
        return ESRCH;
    }
    rc = kite_thread_move(thread->kt, cpu);
    if (rc == -KITE_EINVAL &&
        (cpu == KITE_CPU_ANY || (unsigned int)cpu == kite_thread_cpu(thread->kt))) {
        /* The boot thread cannot move, but it is where it was asked to be. */
        rc = 0;
    }
    if (rc == 0) {
        thread->cpu = cpu;
    }
    return pt_err(rc) == KITE_ENODEV ? EINVAL : pt_err(rc);
}

int pthread_getaffinity_np(pthread_t thread, size_t size, cpu_set_t *set)
{
    if (!thread) {
        return ESRCH;
    }
    return cpu_to_set(thread->cpu, size, set);
}

int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set)
{
    int rc = pid == 0 ? pthread_getaffinity_np(pthread_self(), size, set) : ESRCH;

    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return 0;
}

int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set)
{
    int rc = pid == 0 ? pthread_setaffinity_np(pthread_self(), size, set) : ESRCH;

    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- keys */

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
    if (!key) {
        return EINVAL;
    }
    kite_mutex_lock(&key_lock);
    for (unsigned int k = 0; k < PTHREAD_KEYS_MAX; k++) {
        if (!(keys[k].seq & 1)) {
            __atomic_store_n(&keys[k].destructor, destructor, __ATOMIC_RELEASE);
            __atomic_store_n(&keys[k].seq, keys[k].seq + 1, __ATOMIC_RELEASE);
            kite_mutex_unlock(&key_lock);
            *key = k;
            return 0;
        }
    }
    kite_mutex_unlock(&key_lock);
    return EAGAIN;
}

int pthread_key_delete(pthread_key_t key)
{
    int rc = EINVAL;

    if (key >= PTHREAD_KEYS_MAX) {
        return EINVAL;
    }
    kite_mutex_lock(&key_lock);
    if (keys[key].seq & 1) {
        /* Values set under this key no longer match its seq: they read as NULL. */
        __atomic_store_n(&keys[key].seq, keys[key].seq + 1, __ATOMIC_RELEASE);
        __atomic_store_n(&keys[key].destructor, NULL, __ATOMIC_RELEASE);
        rc = 0;
    }
    kite_mutex_unlock(&key_lock);
    return rc;
}

void *pthread_getspecific(pthread_key_t key)
{
    struct __kite_pthread *pt = pthread_self();
    unsigned long seq;

    if (key >= PTHREAD_KEYS_MAX || !pt->values) {
        return NULL;
    }
    seq = __atomic_load_n(&keys[key].seq, __ATOMIC_ACQUIRE);
    return pt->values[key].seq == seq && (seq & 1) ? pt->values[key].value : NULL;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
    struct __kite_pthread *pt = pthread_self();
    unsigned long seq;

    if (key >= PTHREAD_KEYS_MAX) {
        return EINVAL;
    }
    seq = __atomic_load_n(&keys[key].seq, __ATOMIC_ACQUIRE);
    if (!(seq & 1)) {
        return EINVAL;
    }
    if (!pt->values) {
        pt->values = calloc(PTHREAD_KEYS_MAX, sizeof(*pt->values));
        if (!pt->values) {
            return ENOMEM;
        }
    }
    pt->values[key].seq = seq;
    pt->values[key].value = (void *)value;
    return 0;
}

/* ---------------------------------------------------------------- once */

enum { ONCE_NEW = PTHREAD_ONCE_INIT, ONCE_RUNNING, ONCE_DONE };

static struct kite_mutex once_lock = KITE_MUTEX_INIT(once_lock);
static struct kite_cond once_cond = KITE_COND_INIT;

int pthread_once(pthread_once_t *once, void (*fn)(void))
{
    int state;

    if (!once || !fn) {
        return EINVAL;
    }
    if (__atomic_load_n(once, __ATOMIC_ACQUIRE) == ONCE_DONE) {
        return 0;
    }
    kite_mutex_lock(&once_lock);
    while ((state = *once) == ONCE_RUNNING) {
        kite_cond_wait(&once_cond, &once_lock);
    }
    if (state != ONCE_NEW) {
        kite_mutex_unlock(&once_lock);
        return state == ONCE_DONE ? 0 : EINVAL;
    }
    *once = ONCE_RUNNING;
    kite_mutex_unlock(&once_lock);
    fn();
    kite_mutex_lock(&once_lock);
    __atomic_store_n(once, ONCE_DONE, __ATOMIC_RELEASE);
    kite_cond_broadcast(&once_cond);
    kite_mutex_unlock(&once_lock);
    return 0;
}
