/* SPDX-License-Identifier: MIT */
/*
 * The scheduler under a booted kernel: a thread spinning forever does not
 * keep another of its priority off the CPU (preemption), and its x87/SSE
 * state survives being preempted; a CPU running one thread takes no timer
 * interrupt (tickless); a higher priority runs first and is not
 * time-sliced with a lower one; sleep and timers keep time and place;
 * idle CPUs steal unbound threads while bound ones stay put; threads move
 * when told; __thread variables are per thread; misuse gives errors.
 *
 * Every wait is bounded: a spinning thread gives up after a few seconds,
 * so a broken scheduler fails a check instead of hanging the boot.
 */
#include <kite/arch.h>
#include <kite/errno.h>
#include <kite/numa.h>
#include <kite/partition.h>
#include <kite/string.h>
#include <kite/sync.h>
#include <kite/test.h>
#include <kite/thread.h>
#include <kite/timer.h>

#define GIVE_UP_NS (3 * KITE_NSEC_PER_SEC)

static unsigned int last_cpu(void)
{
    return arch_cpus_online() - 1;
}

static volatile bool stop;

/* Spin without yielding until told to stop; true when it had to give up. */
static void *spin_until_stopped(void *arg)
{
    uint64_t end = kite_time_ns() + GIVE_UP_NS;

    (void)arg;
    while (!KITE_READ_ONCE(stop)) {
        if (kite_time_ns() > end) {
            return (void *)1;
        }
        arch_pause();
    }
    return NULL;
}

static void *set_stop(void *arg)
{
    (void)arg;
    KITE_WRITE_ONCE(stop, true);
    return (void *)(uintptr_t)arch_cpu_id();
}

KITE_TEST(sched, spinning_thread_is_preempted)
{
    struct kite_thread_attr attr = {.cpu = (int)last_cpu(), .name = "spinner"};
    struct kite_thread *spinner, *stopper;
    void *gave_up = NULL, *ran_on = NULL;
    uint64_t switches = kite_sched_switches(last_cpu());

    stop = false;
    KITE_ASSERT(kite_thread_create(&spinner, spin_until_stopped, NULL, &attr) == 0);
    attr.name = "stopper";
    KITE_ASSERT(kite_thread_create(&stopper, set_stop, NULL, &attr) == 0);
    KITE_EXPECT_EQ(kite_thread_join(stopper, &ran_on), 0);
    KITE_EXPECT_EQ(kite_thread_join(spinner, &gave_up), 0);
    KITE_EXPECT(gave_up == NULL);
    KITE_EXPECT_EQ((uintptr_t)ran_on, last_cpu());
    KITE_EXPECT(kite_sched_switches(last_cpu()) > switches);
}

/* Keep a pattern in xmm0 across preemptions; true when it changed. */
static void *hold_xmm0(void *arg)
{
    uint64_t pattern = (uint64_t)(uintptr_t)arg * 0x0101010101010101ull, seen = pattern;
    uint64_t end = kite_time_ns() + 3 * kite_sched_quantum_ns();

    /* No clobber list: this file is built with general registers only, so nothing else uses xmm0.
     */
    __asm__ volatile("movq %0, %%xmm0" ::"r"(pattern));
    while (kite_time_ns() < end && seen == pattern) {
        __asm__ volatile("movq %%xmm0, %0" : "=r"(seen));
    }
    return (void *)(uintptr_t)(seen != pattern);
}

KITE_TEST(sched, sse_state_survives_preemption)
{
    struct kite_thread_attr attr = {.cpu = (int)last_cpu(), .name = "xmm"};
    struct kite_thread *t[3];
    uint64_t switches = kite_sched_switches(last_cpu());

    for (uintptr_t i = 0; i < 3; i++) {
        KITE_ASSERT(kite_thread_create(&t[i], hold_xmm0, (void *)(i + 1), &attr) == 0);
    }
    for (unsigned int i = 0; i < 3; i++) {
        void *changed = (void *)1;

        KITE_EXPECT_EQ(kite_thread_join(t[i], &changed), 0);
        KITE_EXPECT(changed == NULL);
    }
    /* Three threads of 3 quanta each on one CPU: they must have been switched by ticks. */
    KITE_EXPECT(kite_sched_switches(last_cpu()) >= switches + 6);
}

/* Run alone for 100 ms of time and count this CPU's timer interrupts meanwhile. */
static void *count_ticks_alone(void *arg)
{
    unsigned int cpu = arch_cpu_id();
    uint64_t before = arch_irq_count(cpu, ARCH_VECTOR_TIMER);
    uint64_t end = kite_time_ns() + 100 * KITE_NSEC_PER_MSEC;

    (void)arg;
    while (kite_time_ns() < end) {
        arch_pause();
    }
    return (void *)(uintptr_t)(arch_irq_count(cpu, ARCH_VECTOR_TIMER) - before);
}

KITE_TEST(sched, one_thread_takes_no_timer_interrupts)
{
    struct kite_thread_attr attr = {.cpu = (int)last_cpu(), .name = "alone"};
    struct kite_thread *t;
    void *ticks = (void *)-1;

    KITE_SKIP_IF(kite_partition() && last_cpu() == 0,
                 "one CPU in a partition: the heartbeat the host watches ticks it");
    KITE_ASSERT(kite_thread_create(&t, count_ticks_alone, NULL, &attr) == 0);
    KITE_ASSERT(kite_thread_join(t, &ticks) == 0);
    KITE_EXPECT_EQ((uintptr_t)ticks, 0);
}

static volatile unsigned long low_count;
static volatile bool low_started;

static void *count_low(void *arg)
{
    uint64_t end = kite_time_ns() + GIVE_UP_NS;

    (void)arg;
    low_started = true;
    while (!KITE_READ_ONCE(stop) && kite_time_ns() < end) {
        low_count++;
    }
    return NULL;
}

/* At a higher priority: spin 3 quanta; the lower thread on this CPU must not run meanwhile. */
static void *spin_high(void *arg)
{
    uint64_t end = kite_time_ns() + 3 * kite_sched_quantum_ns();
    unsigned long before;

    (void)arg;
    before = low_count;
    while (kite_time_ns() < end) {
        arch_pause();
    }
    before = low_count - before;
    KITE_WRITE_ONCE(stop, true);
    return (void *)before;
}

KITE_TEST(sched, higher_priority_runs_first_and_alone)
{
    struct kite_thread_attr lo = {.cpu = (int)last_cpu(), .name = "low", .prio = -1};
    struct kite_thread_attr hi = {.cpu = (int)last_cpu(), .name = "high", .prio = 2};
    struct kite_thread *l, *h;
    void *low_ran = (void *)1;
    uint64_t end = kite_time_ns() + GIVE_UP_NS;

    stop = false;
    low_started = false;
    low_count = 0;
    KITE_ASSERT(kite_thread_create(&l, count_low, NULL, &lo) == 0);
    while (!low_started && kite_time_ns() < end) {
        kite_sleep_ns(KITE_NSEC_PER_MSEC); /* block: on one CPU the lower thread runs only then */
    }
    KITE_EXPECT(low_started);
    /* The low thread is running; the high one must take the CPU from it and keep it. */
    KITE_ASSERT(kite_thread_create(&h, spin_high, NULL, &hi) == 0);
    KITE_EXPECT_EQ(kite_thread_prio(h), 2);
    KITE_EXPECT_EQ(kite_thread_join(h, &low_ran), 0);
    KITE_EXPECT_EQ(kite_thread_join(l, NULL), 0);
    KITE_EXPECT_EQ((uintptr_t)low_ran, 0);
}

static void *sleep_5ms(void *arg)
{
    uint64_t start = kite_time_ns();

    (void)arg;
    kite_sleep_ns(5 * KITE_NSEC_PER_MSEC);
    return (void *)(uintptr_t)(kite_time_ns() - start);
}

KITE_TEST(sched, sleep_lasts_at_least_as_asked_and_lets_others_run)
{
    struct kite_thread_attr attr = {.cpu = (int)last_cpu(), .name = "sleeper"};
    struct kite_thread *t[4];

    for (unsigned int i = 0; i < 4; i++) {
        KITE_ASSERT(kite_thread_create(&t[i], sleep_5ms, NULL, &attr) == 0);
    }
    for (unsigned int i = 0; i < 4; i++) {
        void *took = NULL;

        KITE_EXPECT_EQ(kite_thread_join(t[i], &took), 0);
        KITE_EXPECT((uintptr_t)took >= 5 * KITE_NSEC_PER_MSEC);
        /* Generous: emulation on a busy host is slow, but not seconds late. */
        KITE_EXPECT((uintptr_t)took < 5 * KITE_NSEC_PER_SEC);
    }
}

struct fired {
    volatile unsigned int count;
    volatile unsigned int cpu;
    volatile uint64_t at;
};

static void note_fire(struct kite_timer *t, void *arg)
{
    struct fired *f = arg;

    (void)t;
    f->cpu = arch_cpu_id();
    f->at = kite_time_ns();
    __atomic_fetch_add(&f->count, 1, __ATOMIC_RELAXED);
}

/* Wait (yielding) until @f has fired @n times or a second passed. */
static void wait_fired(struct fired *f, unsigned int n)
{
    uint64_t end = kite_time_ns() + KITE_NSEC_PER_SEC;

    while (KITE_READ_ONCE(f->count) < n && kite_time_ns() < end) {
        kite_sleep_ns(KITE_NSEC_PER_MSEC);
    }
}

KITE_TEST(sched, one_shot_timer_fires_once_on_its_cpu)
{
    for (unsigned int cpu = 0; cpu < arch_cpus_online(); cpu++) {
        struct fired f = {0};
        struct kite_timer t;
        uint64_t start = kite_time_ns();
        bool pending;

        kite_timer_init(&t, note_fire, &f);
        KITE_ASSERT(kite_timer_start(&t, (int)cpu, 2 * KITE_NSEC_PER_MSEC, 0) == 0);
        /* Pending until due (the host may hold this CPU back for those 2 ms). */
        pending = kite_timer_pending(&t);
        KITE_EXPECT(pending || kite_time_ns() >= start + 2 * KITE_NSEC_PER_MSEC);
        wait_fired(&f, 1);
        kite_sleep_ns(5 * KITE_NSEC_PER_MSEC);
        KITE_EXPECT_EQ(f.count, 1);
        KITE_EXPECT_EQ(f.cpu, cpu);
        KITE_EXPECT(f.at >= start + 2 * KITE_NSEC_PER_MSEC);
        KITE_EXPECT(!kite_timer_pending(&t));
        KITE_EXPECT(!kite_timer_cancel(&t));
    }
}

KITE_TEST(sched, periodic_timer_repeats_until_cancelled)
{
    struct fired f = {0};
    struct kite_timer t;
    unsigned int seen;

    kite_timer_init(&t, note_fire, &f);
    KITE_ASSERT(kite_timer_start(&t, (int)last_cpu(), KITE_NSEC_PER_MSEC, KITE_NSEC_PER_MSEC) == 0);
    wait_fired(&f, 5);
    KITE_EXPECT(f.count >= 5);
    KITE_EXPECT_EQ(f.cpu, last_cpu());
    KITE_EXPECT(kite_timer_cancel(&t));
    seen = f.count;
    kite_sleep_ns(5 * KITE_NSEC_PER_MSEC);
    KITE_EXPECT_EQ(f.count, seen);
}

KITE_TEST(sched, cancelled_timer_never_fires)
{
    struct fired f = {0};
    struct kite_timer t;

    kite_timer_init(&t, note_fire, &f);
    /* Due far enough ahead that the host holding this CPU back does not make it fire first. */
    KITE_ASSERT(kite_timer_start(&t, (int)last_cpu(), 200 * KITE_NSEC_PER_MSEC, 0) == 0);
    KITE_EXPECT(kite_timer_cancel(&t));
    kite_sleep_ns(250 * KITE_NSEC_PER_MSEC);
    KITE_EXPECT_EQ(f.count, 0);
    KITE_EXPECT_EQ(kite_timer_start(&t, (int)arch_cpus_online(), 1, 0), -KITE_ENODEV);
    KITE_EXPECT_EQ(kite_timer_start(&t, -5, 1, 0), -KITE_ENODEV);
}

/*
 * The roaming threads share one mask of the CPUs any of them ran on. Each
 * spins (being preempted, and stolen) until that mask holds every CPU, or
 * for 10 s at most: a CPU that never steals fails the test by the mask,
 * however slowly the host runs the virtual CPUs, and never hangs it.
 */
struct roaming {
    uint64_t want;
    uint64_t seen; /* atomic */
};

static void *roam(void *arg)
{
    struct roaming *r = arg;
    uint64_t end = kite_time_ns() + 10 * KITE_NSEC_PER_SEC, mine = 0;

    do {
        uint64_t bit = 1ull << (arch_cpu_id() & 63);

        if (!(mine & bit)) {
            mine |= bit;
            __atomic_fetch_or(&r->seen, bit, __ATOMIC_RELAXED);
        }
    } while (__atomic_load_n(&r->seen, __ATOMIC_RELAXED) != r->want && kite_time_ns() < end);
    return (void *)(uintptr_t)mine;
}

/* Bound: spin about 20 ms, noting whether it ever ran anywhere else. */
static void *stay(void *arg)
{
    uint64_t end = kite_time_ns() + 20 * KITE_NSEC_PER_MSEC;
    unsigned int cpu = (unsigned int)(uintptr_t)arg;
    uintptr_t strays = 0;

    while (kite_time_ns() < end) {
        strays += arch_cpu_id() != cpu;
    }
    return (void *)strays;
}

KITE_TEST(sched, idle_cpus_steal_unbound_threads_and_bound_ones_stay)
{
    unsigned int n = KITE_MIN(arch_cpus_online() * 4, 64u),
                 cpus = KITE_MIN(arch_cpus_online(), 64u);
    struct kite_thread *t[64], *b[64];
    struct roaming r = {.want = cpus == 64 ? ~0ull : (1ull << cpus) - 1};
    uint64_t all = 0;

    /* On a NUMA machine they all start in this CPU's node, and other nodes must steal. */
    for (unsigned int i = 0; i < n; i++) {
        struct kite_thread_attr attr = {.cpu = KITE_CPU_ANY, .name = "roam"};

        KITE_ASSERT(kite_thread_create(&t[i], roam, &r, &attr) == 0);
    }
    for (unsigned int c = 0; c < cpus; c++) {
        struct kite_thread_attr attr = {.cpu = (int)c, .name = "stay"};

        KITE_ASSERT(kite_thread_create(&b[c], stay, (void *)(uintptr_t)c, &attr) == 0);
    }
    for (unsigned int i = 0; i < n; i++) {
        void *seen = NULL;

        KITE_EXPECT_EQ(kite_thread_join(t[i], &seen), 0);
        all |= (uint64_t)(uintptr_t)seen;
    }
    for (unsigned int c = 0; c < cpus; c++) {
        void *strays = (void *)1;

        KITE_EXPECT_EQ(kite_thread_join(b[c], &strays), 0);
        KITE_EXPECT_EQ((uintptr_t)strays, 0);
    }
    KITE_EXPECT_EQ(all, r.want);
}

/* Move itself to every CPU in turn; returns how many moves did not land. */
static void *tour(void *arg)
{
    uintptr_t missed = 0;

    (void)arg;
    for (unsigned int c = 0; c < arch_cpus_online(); c++) {
        unsigned int cpu = (c + 1) % arch_cpus_online();

        if (kite_thread_move(kite_thread_self(), (int)cpu) || arch_cpu_id() != cpu ||
            kite_thread_cpu(kite_thread_self()) != cpu) {
            missed++;
        }
    }
    /* A CPU that does not exist: refused, and the thread stays. */
    if (kite_thread_move(kite_thread_self(), (int)arch_cpus_online()) != -KITE_ENODEV) {
        missed++;
    }
    return (void *)missed;
}

KITE_TEST(sched, threads_move_where_told)
{
    struct kite_thread_attr attr = {.cpu = 0, .name = "tour"};
    struct kite_thread *t;
    void *missed = (void *)1;

    KITE_ASSERT(kite_thread_create(&t, tour, NULL, &attr) == 0);
    KITE_EXPECT_EQ(kite_thread_join(t, &missed), 0);
    KITE_EXPECT_EQ((uintptr_t)missed, 0);
}

static __thread unsigned long tls_word = 42;
static __thread char tls_zero[100];

static void *use_tls(void *arg)
{
    uintptr_t bad = 0;

    bad += tls_word != 42;
    for (unsigned int i = 0; i < sizeof(tls_zero); i++) {
        bad += tls_zero[i] != 0;
    }
    tls_word = (uintptr_t)arg;
    tls_zero[7] = (char)(uintptr_t)arg;
    for (unsigned int i = 0; i < 20; i++) {
        kite_thread_yield();
        bad += tls_word != (uintptr_t)arg || tls_zero[7] != (char)(uintptr_t)arg;
    }
    return (void *)bad;
}

KITE_TEST(sched, thread_variables_are_per_thread)
{
    struct kite_thread *t[8];

    for (uintptr_t i = 0; i < 8; i++) {
        struct kite_thread_attr attr = {.cpu = (int)(i % 2 ? last_cpu() : 0), .name = "tls"};

        KITE_ASSERT(kite_thread_create(&t[i], use_tls, (void *)(i + 100), &attr) == 0);
    }
    for (unsigned int i = 0; i < 8; i++) {
        void *bad = (void *)1;

        KITE_EXPECT_EQ(kite_thread_join(t[i], &bad), 0);
        KITE_EXPECT_EQ((uintptr_t)bad, 0);
    }
    /* The boot thread has its own block too, left as it was. */
    KITE_EXPECT_EQ(tls_word, 42);
}

static void *nothing(void *arg)
{
    return arg;
}

KITE_TEST(sched, misuse_gives_errors)
{
    struct kite_thread_attr attr = {.cpu = 0, .prio = KITE_PRIO_MAX + 1};
    struct kite_thread *t = NULL;

    KITE_EXPECT_EQ(kite_thread_create(&t, nothing, NULL, &attr), -KITE_EINVAL);
    attr.prio = KITE_PRIO_MIN - 1;
    KITE_EXPECT_EQ(kite_thread_create(&t, nothing, NULL, &attr), -KITE_EINVAL);
    attr.prio = 0;
    KITE_EXPECT_EQ(kite_thread_create(&t, NULL, NULL, &attr), -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_thread_set_prio(KITE_PRIO_MAX + 1), -KITE_EINVAL);
    KITE_EXPECT_EQ(kite_thread_move(NULL, 0), -KITE_EINVAL);
    KITE_ASSERT(kite_thread_create(&t, nothing, NULL, &attr) == 0);
    KITE_EXPECT_EQ(kite_thread_move(t, (int)arch_cpus_online()), -KITE_ENODEV);
    KITE_EXPECT_EQ(kite_thread_move(t, -7), -KITE_ENODEV);
    KITE_EXPECT_EQ(kite_thread_join(t, NULL), 0);
}

static struct kite_sem parked = KITE_SEM_INIT(0);

static void *park(void *arg)
{
    (void)arg;
    kite_sem_down(&parked);
    return NULL;
}

/* The snapshot lists every thread: this one running, a blocked one, each CPU's idle thread. */
KITE_TEST(sched, snapshot_lists_every_thread)
{
    struct kite_thread_attr attr = {.cpu = (int)last_cpu(), .name = "parked-one"};
    static struct kite_thread_info info[64];
    bool me = false, blocked = false;
    unsigned int n, idles = 0;
    struct kite_thread *t;

    KITE_ASSERT(kite_thread_create(&t, park, NULL, &attr) == 0);
    kite_sleep_ns(5 * KITE_NSEC_PER_MSEC); /* it runs and blocks */
    n = kite_thread_snapshot(info, KITE_ARRAY_SIZE(info));
    for (unsigned int i = 0; i < KITE_MIN(n, (unsigned int)KITE_ARRAY_SIZE(info)); i++) {
        me |= info[i].running && strcmp(info[i].name, kite_thread_name(kite_thread_self())) == 0;
        blocked |= strcmp(info[i].name, "parked-one") == 0 &&
                   strcmp(info[i].state, "blocked") == 0 && info[i].cpu == last_cpu() &&
                   info[i].bound;
        idles += info[i].prio < KITE_PRIO_MIN;
        KITE_EXPECT(i == 0 || info[i - 1].cpu <= info[i].cpu);
    }
    kite_sem_up(&parked);
    KITE_EXPECT_EQ(kite_thread_join(t, NULL), 0);
    KITE_EXPECT(me);
    KITE_EXPECT(blocked);
    KITE_EXPECT_EQ(idles, arch_cpus_online());
}

/*
 * Park and unpark: two threads hand a turn back and forth, each parking
 * until the other gives it the turn (on two CPUs when there are two). A
 * lost wake-up would leave both parked: a timer unparks them after
 * GIVE_UP_NS and the test fails instead of hanging.
 */
#define PINGPONG_ROUNDS 2000

struct pingpong {
    struct kite_thread *thread[2];
    int turn;        /* atomic: whose turn it is; -1 when given up */
    int sleeping[2]; /* atomic: announced before parking */
    unsigned int done[2];
};

static void pingpong_wait(struct pingpong *p, int me)
{
    while (__atomic_load_n(&p->turn, __ATOMIC_ACQUIRE) != me &&
           __atomic_load_n(&p->turn, __ATOMIC_ACQUIRE) >= 0) {
        __atomic_store_n(&p->sleeping[me], 1, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&p->turn, __ATOMIC_SEQ_CST) != me &&
            __atomic_load_n(&p->turn, __ATOMIC_SEQ_CST) >= 0) {
            kite_thread_park();
        }
        __atomic_store_n(&p->sleeping[me], 0, __ATOMIC_RELAXED);
    }
}

static void *pingpong_run(void *arg)
{
    struct pingpong *p = arg;
    int me = kite_thread_self() == p->thread[1];

    for (unsigned int i = 0; i < PINGPONG_ROUNDS; i++) {
        pingpong_wait(p, me);
        if (__atomic_load_n(&p->turn, __ATOMIC_ACQUIRE) < 0) {
            break;
        }
        p->done[me]++;
        __atomic_store_n(&p->turn, !me, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&p->sleeping[!me], __ATOMIC_SEQ_CST)) {
            kite_thread_unpark(p->thread[!me]);
        }
    }
    return NULL;
}

static void pingpong_give_up(struct kite_timer *t, void *arg)
{
    struct pingpong *p = arg;

    (void)t;
    __atomic_store_n(&p->turn, -1, __ATOMIC_SEQ_CST);
    kite_thread_unpark(p->thread[0]);
    kite_thread_unpark(p->thread[1]);
}

static void unpark_me(struct kite_timer *t, void *arg)
{
    (void)t;
    kite_thread_unpark(arg);
}

KITE_TEST(sched, park_and_unpark_lose_no_wakeup)
{
    static struct pingpong p;
    struct kite_thread_attr attr = {.cpu = 0};
    struct kite_timer rescue;
    uint64_t start = kite_time_ns();

    /* A permit given first makes the next park return at once (a timer rescues a lost one). */
    kite_timer_init(&rescue, unpark_me, kite_thread_self());
    KITE_ASSERT(kite_timer_start(&rescue, KITE_CPU_ANY, GIVE_UP_NS, 0) == 0);
    kite_thread_unpark(kite_thread_self());
    kite_thread_park();
    kite_timer_cancel(&rescue);
    KITE_EXPECT(kite_time_ns() - start < GIVE_UP_NS);

    memset(&p, 0, sizeof(p));
    p.turn = 2; /* nobody's until both exist */
    KITE_ASSERT(kite_thread_create(&p.thread[0], pingpong_run, &p, &attr) == 0);
    attr.cpu = (int)last_cpu();
    KITE_ASSERT(kite_thread_create(&p.thread[1], pingpong_run, &p, &attr) == 0);
    kite_timer_init(&rescue, pingpong_give_up, &p);
    KITE_ASSERT(kite_timer_start(&rescue, KITE_CPU_ANY, 2 * GIVE_UP_NS, 0) == 0);
    __atomic_store_n(&p.turn, 0, __ATOMIC_SEQ_CST);
    kite_thread_unpark(p.thread[0]);
    KITE_EXPECT_EQ(kite_thread_join(p.thread[0], NULL), 0);
    KITE_EXPECT_EQ(kite_thread_join(p.thread[1], NULL), 0);
    kite_timer_cancel(&rescue);
    KITE_EXPECT(__atomic_load_n(&p.turn, __ATOMIC_RELAXED) >= 0);
    KITE_EXPECT_EQ(p.done[0], PINGPONG_ROUNDS);
    KITE_EXPECT_EQ(p.done[1], PINGPONG_ROUNDS);
}
