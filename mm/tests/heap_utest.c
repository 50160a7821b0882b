/* SPDX-License-Identifier: MIT */
/*
 * Host unit test of the heap (mm/heap.c), under AddressSanitizer and
 * UndefinedBehaviorSanitizer. The test is the heap's environment
 * (heap_env.h): each thread plays the CPU it sets in a thread-local, CPUs
 * 2k and 2k+1 form node k of two, and pages come from aligned_alloc, tagged
 * with their node in a table and counted against a byte budget per node, so
 * a test can see which node memory came from, exhaust a node, and check that
 * every page went back. Objects are filled with patterns and checked before
 * they are freed, so overlapping or misplaced objects show.
 */
#include "../heap_priv.h"

#include <kite/mm.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define NODES          2
#define CHUNK          (64 * 1024ul)
#define DEFAULT_BUDGET (512ul << 20)
#define MAX_BLOCKS     16384
#define MAX_DEFERRED   64

/* ------------------------------------------------------------------ the environment */

static __thread unsigned int this_cpu;
static __thread char this_name[16] = "main";

struct block {
    char *p;
    size_t size;
    int node;
};

static pthread_mutex_t env_lock = PTHREAD_MUTEX_INITIALIZER;
static struct block blocks[MAX_BLOCKS];
static size_t nblocks;
static size_t node_used[NODES];
static size_t node_budget[NODES] = {DEFAULT_BUDGET, DEFAULT_BUDGET};
static size_t peak_used;
static unsigned int env_errors;
/* While set, freed pages stay readable (a test reads a freed block's header). */
static bool defer_frees;
static void *deferred[MAX_DEFERRED];
static size_t ndeferred;

static unsigned int reports;
static char last_report[256];

static void *vmapped_freed;

bool heap_debug_checks;

unsigned int heap_cpu(void)
{
    return this_cpu;
}

/* The test's nodes are equally far apart: the node itself, then the rest by number. */
int heap_node_fallback(int node, unsigned int i)
{
    int n;

    if (node < 0 || node >= NODES || i >= NODES) {
        return -1;
    }
    if (i == 0) {
        return node;
    }
    n = (int)i - 1;
    return n >= node ? n + 1 : n;
}

void *heap_cpu_row(void)
{
    return kite_heap_cpu_row(this_cpu);
}

int heap_cpu_node(unsigned int cpu)
{
    return cpu < HEAP_MAX_CPUS ? (int)(cpu / 2 % NODES) : -1;
}

int heap_node_count(void)
{
    return NODES;
}

const char *heap_thread_name(void)
{
    return this_name;
}

static void env_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    __atomic_fetch_add(&env_errors, 1, __ATOMIC_RELAXED);
}

void *heap_pages_alloc(unsigned int order, int node)
{
    size_t size = 4096ul << order;
    void *p = NULL;

    if (order > KITE_PAGE_MAX_ORDER) {
        env_error("heap_pages_alloc: order %u\n", order);
        return NULL;
    }
    if (node < 0 || node >= NODES) {
        return NULL;
    }
    pthread_mutex_lock(&env_lock);
    if (node_used[node] + size <= node_budget[node] && nblocks < MAX_BLOCKS) {
        p = aligned_alloc(size, size);
        if (p) {
            blocks[nblocks++] = (struct block){p, size, node};
            node_used[node] += size;
            if (node_used[0] + node_used[1] > peak_used) {
                peak_used = node_used[0] + node_used[1];
            }
        }
    }
    pthread_mutex_unlock(&env_lock);
    return p;
}

void heap_pages_free(void *p, unsigned int order)
{
    size_t i;

    pthread_mutex_lock(&env_lock);
    for (i = 0; i < nblocks && blocks[i].p != p; i++) {
    }
    if (i == nblocks || blocks[i].size != 4096ul << order) {
        env_error("heap_pages_free(%p, %u): not a block of that order\n", p, order);
    } else {
        node_used[blocks[i].node] -= blocks[i].size;
        blocks[i] = blocks[--nblocks];
        if (defer_frees && ndeferred < MAX_DEFERRED) {
            deferred[ndeferred++] = p;
        } else {
            free(p);
        }
    }
    pthread_mutex_unlock(&env_lock);
}

void heap_report(const char *msg)
{
    pthread_mutex_lock(&env_lock);
    reports++;
    snprintf(last_report, sizeof(last_report), "%s", msg);
    pthread_mutex_unlock(&env_lock);
}

void heap_free_vmapped(void *p)
{
    vmapped_freed = p;
}

/* No interleaved blocks on the host: the heap must ask, and get "unknown". */
size_t heap_vmapped_usable_size(const void *p)
{
    (void)p;
    return 0;
}

/* kite_realloc of a high pointer moves it to a new interleaved block; none here. */
void *kite_malloc_interleaved(size_t size)
{
    (void)size;
    return NULL;
}

/* ------------------------------------------------------------------ helpers */

static size_t bytes_in_use(void)
{
    size_t n;

    pthread_mutex_lock(&env_lock);
    n = node_used[0] + node_used[1];
    pthread_mutex_unlock(&env_lock);
    return n;
}

/* The node the page block holding @p came from, or -1. */
static int node_of(const void *p)
{
    int node = -1;

    pthread_mutex_lock(&env_lock);
    for (size_t i = 0; i < nblocks; i++) {
        if ((const char *)p >= blocks[i].p && (const char *)p < blocks[i].p + blocks[i].size) {
            node = blocks[i].node;
        }
    }
    pthread_mutex_unlock(&env_lock);
    return node;
}

static void free_deferred(void)
{
    pthread_mutex_lock(&env_lock);
    defer_frees = false;
    while (ndeferred) {
        free(deferred[--ndeferred]);
    }
    pthread_mutex_unlock(&env_lock);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void fill(void *p, size_t n, uint8_t tag)
{
    memset(p, tag, n);
}

static bool filled(const void *p, size_t n, uint8_t tag)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < n; i++) {
        if (b[i] != tag) {
            return false;
        }
    }
    return true;
}

static void addr_text(char *buf, size_t size, const void *p)
{
    snprintf(buf, size, "0x%lx", (unsigned long)(uintptr_t)p);
}

/* The last report says @what about @p. */
static void assert_reported(const char *what, const void *p)
{
    char addr[32];

    addr_text(addr, sizeof(addr), p);
    assert_int_equal(reports, 1);
    assert_non_null(strstr(last_report, what));
    assert_non_null(strstr(last_report, addr));
    assert_non_null(strstr(last_report, "caller 0x"));
    assert_non_null(strstr(last_report, this_name));
    reports = 0;
}

static int setup(void **state)
{
    (void)state;
    this_cpu = 0;
    reports = 0;
    env_errors = 0;
    peak_used = 0;
    vmapped_freed = NULL;
    node_budget[0] = node_budget[1] = DEFAULT_BUDGET;
    return 0;
}

/* Every test ends with the heap empty: all pages back, nothing reported. */
static void finish(void)
{
    (void)kite_heap_trim();
    assert_int_equal(bytes_in_use(), 0);
    assert_int_equal(nblocks, 0);
    assert_int_equal(env_errors, 0);
    assert_int_equal(reports, 0);
    assert_null(vmapped_freed);
}

static void debug_on(void)
{
    assert_int_equal(bytes_in_use(), 0);
    heap_debug_checks = true;
}

static void debug_off(void)
{
    finish();
    heap_debug_checks = false;
}

/* Run @fn on @n threads playing CPUs 0..n-1 (the main thread waits meanwhile). */
struct worker {
    unsigned int cpu;
    unsigned int errors;
    size_t trimmed;
    void *data;
};

static void *worker_start(void *arg);
static void *(*worker_fn)(struct worker *w);

static void *worker_start(void *arg)
{
    struct worker *w = arg;

    this_cpu = w->cpu;
    snprintf(this_name, sizeof(this_name), "cpu%u", w->cpu);
    return worker_fn(w);
}

static void run_cpus(unsigned int n, void *(*fn)(struct worker *w), struct worker *ws)
{
    pthread_t t[8];

    worker_fn = fn;
    for (unsigned int i = 0; i < n; i++) {
        ws[i].cpu = i;
        assert_int_equal(pthread_create(&t[i], NULL, worker_start, &ws[i]), 0);
    }
    for (unsigned int i = 0; i < n; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
    }
}

static void *trim_worker(struct worker *w)
{
    w->trimmed = kite_heap_trim();
    return NULL;
}

/* Trim CPUs 0..3 on their own threads; returns the bytes released. */
static size_t trim_all_cpus(void)
{
    struct worker ws[4] = {{0}};
    size_t total = 0;

    run_cpus(4, trim_worker, ws);
    for (int i = 0; i < 4; i++) {
        total += ws[i].trimmed;
    }
    return total;
}

/* ------------------------------------------------------------------ tests */

/*
 * Every size from 1 to 20000: 16-aligned, usable size at least the size and
 * exactly the next class (a class boundary is a class's size), the whole
 * usable size writable without touching the other 63 live objects.
 */
static void test_every_size(void **state)
{
    enum { WINDOW = 64 };
    void *live[WINDOW] = {0};
    size_t usable[WINDOW] = {0};
    uint8_t tags[WINDOW] = {0};
    size_t prev = 0;

    (void)state;
    for (size_t n = 1; n <= 300000; n += n < 20000 ? 1 : 997) {
        unsigned int k = (unsigned int)(n % WINDOW);
        void *p;
        size_t u;

        if (live[k]) {
            assert_true(filled(live[k], usable[k], tags[k]));
            kite_free(live[k]);
        }
        p = kite_malloc(n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        u = kite_malloc_usable_size(p);
        assert_true(u >= n);
        if (n <= 20000 && n > 1 && u != prev) {
            assert_int_equal(prev, n - 1);
        }
        prev = u;
        tags[k] = (uint8_t)(n * 7 + 1);
        fill(p, u, tags[k]);
        live[k] = p;
        usable[k] = u;
    }
    for (unsigned int k = 0; k < WINDOW; k++) {
        assert_true(filled(live[k], usable[k], tags[k]));
        kite_free(live[k]);
    }
    finish();
}

static void test_zero_and_huge(void **state)
{
    (void)state;
    assert_null(kite_malloc(0));
    assert_null(kite_aligned_alloc(16, 0));
    assert_null(kite_malloc_node(0, 0));
    assert_null(kite_calloc(0, 16));
    assert_null(kite_calloc(16, 0));
    assert_null(kite_malloc(SIZE_MAX));
    assert_null(kite_malloc(SIZE_MAX - 15));
    assert_null(kite_malloc((1ul << 30) + 1));
    assert_null(kite_aligned_alloc(64, SIZE_MAX - 8));
    assert_null(kite_aligned_alloc(4096, SIZE_MAX));
    assert_null(kite_malloc_node(SIZE_MAX, 0));
    kite_free(NULL);
    assert_int_equal(kite_malloc_usable_size(NULL), 0);
    finish();
}

static void test_calloc_checks(void **state)
{
    uint8_t *p, *q;

    (void)state;
    assert_null(kite_calloc(SIZE_MAX / 2 + 1, 2));
    assert_null(kite_calloc(1ul << 32, 1ul << 32));
    /* Dirty a slot first, so a zero result is calloc's doing. */
    p = kite_malloc(700);
    assert_non_null(p);
    memset(p, 0xff, 700);
    kite_free(p);
    q = kite_calloc(100, 7);
    assert_non_null(q);
    assert_ptr_equal(q, p);
    assert_true(filled(q, 700, 0));
    kite_free(q);
    q = kite_calloc(1000, 100);
    assert_non_null(q);
    assert_true(filled(q, 100000, 0));
    kite_free(q);
    finish();
}

static void test_realloc_moves(void **state)
{
    static const size_t sizes[] = {10, 1000, 50000, 200000, 3000, 100, 5};
    uint8_t *p = NULL;
    size_t have = 0;

    (void)state;
    for (size_t i = 0; i < KITE_ARRAY_SIZE(sizes); i++) {
        size_t n = sizes[i];
        uint8_t *q = kite_realloc(p, n);

        assert_non_null(q);
        assert_true(kite_malloc_usable_size(q) >= n);
        for (size_t j = 0; j < KITE_MIN(have, n); j++) {
            assert_int_equal(q[j], (uint8_t)(j * 13));
        }
        for (size_t j = 0; j < n; j++) {
            q[j] = (uint8_t)(j * 13);
        }
        p = q;
        have = n;
    }
    /* Within a class (and within a large block's order) the block stays put. */
    assert_ptr_equal(kite_realloc(p, 1), p);
    p = kite_realloc(p, 40);
    assert_non_null(p);
    assert_ptr_equal(kite_realloc(p, 48), p);
    assert_ptr_equal(kite_realloc(p, 33), p);
    p = kite_realloc(p, 40000);
    assert_non_null(p);
    assert_ptr_equal(kite_realloc(p, 50000), p);
    assert_null(kite_realloc(p, 0));
    /* A failed realloc leaves the block alone. */
    p = kite_malloc(100);
    assert_non_null(p);
    memset(p, 0x3c, 100);
    assert_null(kite_realloc(p, SIZE_MAX));
    assert_true(filled(p, 100, 0x3c));
    kite_free(p);
    finish();
}

static void test_aligned(void **state)
{
    enum { NSIZES = 14 };
    void *live[NSIZES];

    (void)state;
    for (size_t a = 1; a <= (1ul << 20); a <<= 1) {
        const size_t sizes[NSIZES] = {1,     7,     16,    63,   64,    65,     100,
                                      a - 1, a + 1, a * 3, 5000, 40000, 100000, a};

        for (int i = 0; i < NSIZES; i++) {
            size_t n = sizes[i] ? sizes[i] : 1;
            void *p = kite_aligned_alloc(a, n);

            assert_non_null(p);
            assert_int_equal((uintptr_t)p % KITE_MAX(a, 16), 0);
            assert_true(kite_malloc_usable_size(p) >= n);
            fill(p, kite_malloc_usable_size(p), (uint8_t)(i + 1));
            live[i] = p;
        }
        for (int i = 0; i < NSIZES; i++) {
            assert_true(filled(live[i], kite_malloc_usable_size(live[i]), (uint8_t)(i + 1)));
            kite_free(live[i]);
        }
    }
    assert_null(kite_aligned_alloc(0, 16));
    assert_null(kite_aligned_alloc(3, 16));
    assert_null(kite_aligned_alloc(24, 16));
    assert_null(kite_aligned_alloc(48, 100));
    assert_null(kite_aligned_alloc(65537, 16));
    assert_null(kite_aligned_alloc(1ul << 30, 16));
    finish();
}

/* Alignments up to 4096 stay in slabs: 200 objects of 100 bytes at 256 take one chunk. */
static void test_aligned_footprint(void **state)
{
    void *p[200];

    (void)state;
    for (int i = 0; i < 200; i++) {
        p[i] = kite_aligned_alloc(256, 100);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % 256, 0);
    }
    assert_int_equal(bytes_in_use(), CHUNK);
    for (int i = 0; i < 200; i++) {
        kite_free(p[i]);
    }
    finish();
}

static void test_nodes(void **state)
{
    void *a, *b, *c, *big, *d, *e, *f;

    (void)state;
    a = kite_malloc_node(100, 1);
    b = kite_malloc_node(100, 0);
    c = kite_malloc_node(100, KITE_NODE_ANY);
    big = kite_malloc_node(200000, 1);
    assert_int_equal(node_of(a), 1);
    assert_int_equal(node_of(b), 0);
    assert_int_equal(node_of(c), 0);
    assert_int_equal(node_of(big), 1);
    assert_null(kite_malloc_node(100, 7));
    assert_null(kite_malloc_node(100, 2));
    assert_null(kite_malloc_node(100, -2));
    assert_null(kite_malloc_node(100000, 7));

    /* CPU 2 is on node 1. */
    this_cpu = 2;
    d = kite_malloc_node(100, KITE_NODE_ANY);
    e = kite_malloc(100);
    f = kite_malloc_node(5000, 0);
    assert_int_equal(node_of(d), 1);
    assert_int_equal(node_of(e), 1);
    assert_int_equal(node_of(f), 0);
    /* Frees of CPU 0's objects from CPU 2 go back to CPU 0 (collected by its trim). */
    kite_free(a);
    kite_free(b);
    kite_free(c);
    kite_free(big);
    kite_free(d);
    kite_free(e);
    kite_free(f);
    (void)kite_heap_trim();
    this_cpu = 0;
    finish();
}

static void test_exhaustion(void **state)
{
    void *p, *big, *q, *r;

    (void)state;
    node_budget[1] = 0;
    assert_null(kite_malloc_node(100, 1));
    assert_null(kite_malloc_node(100000, 1));

    this_cpu = 2;
    /* Plain malloc falls back to node 0... */
    p = kite_malloc(100);
    big = kite_malloc(100000);
    assert_int_equal(node_of(p), 0);
    assert_int_equal(node_of(big), 0);
    /* ...but malloc_node does not, not even from the CPU's slab that did. */
    assert_null(kite_malloc_node(100, 1));
    assert_null(kite_malloc_node(100, KITE_NODE_ANY));
    node_budget[1] = DEFAULT_BUDGET;
    q = kite_malloc_node(100, KITE_NODE_ANY);
    r = kite_malloc(100);
    assert_int_equal(node_of(q), 1);
    assert_non_null(r);
    kite_free(p);
    kite_free(big);
    kite_free(q);
    kite_free(r);
    (void)kite_heap_trim();
    this_cpu = 0;
    assert_int_equal(bytes_in_use(), 0);

    /* Every node full: nothing. */
    node_budget[0] = node_budget[1] = 0;
    assert_null(kite_malloc(1));
    assert_null(kite_malloc(100000));
    assert_null(kite_aligned_alloc(1ul << 16, 10));
    assert_null(kite_calloc(10, 10));
    node_budget[0] = node_budget[1] = DEFAULT_BUDGET;
    finish();
}

static void test_vmapped(void **state)
{
    void *p = (void *)(uintptr_t)0xffff800000123000ull;

    (void)state;
    kite_free(p);
    assert_ptr_equal(vmapped_freed, p);
    vmapped_freed = NULL;
    /* The vmap allocator does not know this one: size 0, realloc reported, nothing moves. */
    assert_int_equal(kite_malloc_usable_size(p), 0);
    assert_null(kite_realloc(p, 100));
    assert_reported("no allocator knows", p);
    assert_null(vmapped_freed);
    finish();
}

/* Random allocations of every kind, checked and freed at random; then everything goes back. */
static void storm(unsigned int ops)
{
    enum { SLOTS = 2048 };
    static struct {
        uint8_t *p;
        size_t n;
        uint8_t tag;
        int node;
    } slot[SLOTS];

    for (unsigned int i = 0; i < ops; i++) {
        unsigned int k = (unsigned int)(rnd() % SLOTS);
        uint8_t tag = (uint8_t)(i | 1);
        size_t n;

        if (slot[k].p) {
            assert_true(filled(slot[k].p, slot[k].n, slot[k].tag));
            if (slot[k].node >= 0) {
                assert_int_equal(node_of(slot[k].p), slot[k].node);
            }
            if (rnd() % 8 == 0) {
                n = 1 + rnd() % 3000;
                uint8_t *q = kite_realloc(slot[k].p, n);

                assert_non_null(q);
                assert_true(filled(q, KITE_MIN(n, slot[k].n), slot[k].tag));
                slot[k].p = q;
                slot[k].n = n;
                slot[k].node = -1;
                fill(q, n, slot[k].tag);
            } else {
                kite_free(slot[k].p);
                slot[k].p = NULL;
            }
            continue;
        }
        slot[k].node = -1;
        switch (rnd() % 16) {
        case 10:
        case 11:
            n = 1025 + rnd() % 32000;
            slot[k].p = kite_malloc(n);
            break;
        case 12:
            n = 33000 + rnd() % 120000;
            slot[k].p = kite_malloc(n);
            break;
        case 13:
            n = 1 + rnd() % 5000;
            slot[k].p = kite_aligned_alloc(1ul << (rnd() % 14), n);
            break;
        case 14:
            n = 1 + rnd() % 2000;
            slot[k].node = (int)(rnd() % NODES);
            slot[k].p = kite_malloc_node(n, slot[k].node);
            break;
        case 15:
            n = 1 + rnd() % 1500;
            slot[k].p = kite_calloc(1, n);
            assert_non_null(slot[k].p);
            assert_true(filled(slot[k].p, n, 0));
            break;
        default:
            n = 1 + rnd() % 1024;
            slot[k].p = kite_malloc(n);
            break;
        }
        assert_non_null(slot[k].p);
        assert_true(kite_malloc_usable_size(slot[k].p) >= n);
        slot[k].n = n;
        slot[k].tag = tag;
        fill(slot[k].p, n, tag);
    }
    for (unsigned int k = 0; k < SLOTS; k++) {
        if (slot[k].p) {
            assert_true(filled(slot[k].p, slot[k].n, slot[k].tag));
            kite_free(slot[k].p);
            slot[k].p = NULL;
        }
    }
    assert_true(kite_heap_trim() > 0);
}

static void test_storm(void **state)
{
    (void)state;
    storm(100000);
    finish();
}

/* Each CPU allocates, then frees its neighbour's objects (remote frees), then trims. */
#define CROSS_OBJS 3000
static void *cross_objs[4][CROSS_OBJS];
static pthread_barrier_t barrier;

static uint8_t cross_tag(unsigned int cpu, unsigned int i)
{
    return (uint8_t)(cpu * 64 + i % 61 + 1);
}

static size_t cross_size(unsigned int i)
{
    return i % 100 == 0 ? 40000 + i * 10 : 1 + (i * 37) % 3000;
}

static void *cross_worker(struct worker *w)
{
    unsigned int victim = (w->cpu + 1) % 4;

    for (unsigned int i = 0; i < CROSS_OBJS; i++) {
        void *p = kite_malloc(cross_size(i));

        if (!p) {
            w->errors++;
            break;
        }
        fill(p, cross_size(i), cross_tag(w->cpu, i));
        cross_objs[w->cpu][i] = p;
    }
    pthread_barrier_wait(&barrier);
    for (unsigned int i = 0; i < CROSS_OBJS; i++) {
        void *p = cross_objs[victim][i];

        if (!p || !filled(p, cross_size(i), cross_tag(victim, i))) {
            w->errors++;
        }
        kite_free(p);
    }
    pthread_barrier_wait(&barrier);
    w->trimmed = kite_heap_trim();
    return NULL;
}

static void test_cross_cpu(void **state)
{
    struct worker ws[4] = {{0}};

    (void)state;
    assert_int_equal(pthread_barrier_init(&barrier, NULL, 4), 0);
    run_cpus(4, cross_worker, ws);
    pthread_barrier_destroy(&barrier);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(ws[i].errors, 0);
        assert_true(ws[i].trimmed > 0);
    }
    finish();
}

/*
 * CPU 0 allocates, CPU 1 frees, concurrently, for many rounds. Memory stays
 * bounded only if CPU 0 takes back what CPU 1 freed without being asked.
 */
#define PC_RING  256
#define PC_ITEMS 100000
static void *pc_ring[PC_RING];
static unsigned int pc_head, pc_tail; /* head: next to fill (CPU 0); tail: next to take (CPU 1) */

static void *pc_worker(struct worker *w)
{
    for (unsigned int i = 0; i < PC_ITEMS; i++) {
        if (w->cpu == 0) {
            size_t n = 64 + (i * 31) % 900;
            uint8_t *p = kite_malloc(n);

            if (!p) {
                w->errors++;
                return NULL;
            }
            p[0] = (uint8_t)i;
            p[n - 1] = (uint8_t)i;
            while (__atomic_load_n(&pc_head, __ATOMIC_RELAXED) -
                       __atomic_load_n(&pc_tail, __ATOMIC_ACQUIRE) ==
                   PC_RING) {
            }
            pc_ring[pc_head % PC_RING] = p;
            __atomic_store_n(&pc_head, pc_head + 1, __ATOMIC_RELEASE);
        } else {
            size_t n = 64 + (i * 31) % 900;
            uint8_t *p;

            while (__atomic_load_n(&pc_head, __ATOMIC_ACQUIRE) ==
                   __atomic_load_n(&pc_tail, __ATOMIC_RELAXED)) {
            }
            p = pc_ring[pc_tail % PC_RING];
            __atomic_store_n(&pc_tail, pc_tail + 1, __ATOMIC_RELEASE);
            if (p[0] != (uint8_t)i || p[n - 1] != (uint8_t)i) {
                w->errors++;
            }
            kite_free(p);
        }
    }
    return NULL;
}

static void test_remote_reuse(void **state)
{
    struct worker ws[2] = {{0}};

    (void)state;
    pc_head = pc_tail = 0;
    run_cpus(2, pc_worker, ws);
    assert_int_equal(ws[0].errors, 0);
    assert_int_equal(ws[1].errors, 0);
    /* 100000 objects of ~500 bytes would be ~50 MB; a few MB means reuse worked. */
    assert_true(peak_used <= (4ul << 20));
    (void)trim_all_cpus();
    finish();
}

/* Four CPUs swap objects through shared slots, so any CPU frees any other's. */
#define SHARED_SLOTS 512
static void *shared_slot[SHARED_SLOTS];

static void *shared_worker(struct worker *w)
{
    uint64_t r = 0x1234567ull * (w->cpu + 1);

    for (unsigned int i = 0; i < 20000; i++) {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        unsigned int k = (unsigned int)(r % SHARED_SLOTS);
        size_t n = r % 23 == 0 ? 20000 + r % 40000 : 16 + r % 2000;
        uint32_t *p = kite_malloc(n);
        uint32_t *old;

        if (!p) {
            w->errors++;
            return NULL;
        }
        p[0] = (uint32_t)n;
        memset(p + 1, (int)(n & 0xff), n - sizeof(uint32_t));
        old = __atomic_exchange_n(&shared_slot[k], p, __ATOMIC_ACQ_REL);
        if (old) {
            size_t m = old[0];

            if (!filled(old + 1, m - sizeof(uint32_t), (uint8_t)(m & 0xff))) {
                w->errors++;
            }
            kite_free(old);
        }
    }
    return NULL;
}

static void test_shared_storm(void **state)
{
    struct worker ws[4] = {{0}};

    (void)state;
    run_cpus(4, shared_worker, ws);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(ws[i].errors, 0);
    }
    for (int k = 0; k < SHARED_SLOTS; k++) {
        kite_free(shared_slot[k]);
        shared_slot[k] = NULL;
    }
    (void)trim_all_cpus();
    finish();
}

/* ------------------------------------------------------------------ debug checks */

static void test_debug_poison(void **state)
{
    uint8_t *p, *big;
    size_t u;

    (void)state;
    debug_on();
    p = kite_malloc(100);
    assert_non_null(p);
    u = kite_malloc_usable_size(p);
    assert_true(u >= 100);
    assert_true(filled(p, u, 0xa5));
    kite_free(p);
    assert_true(filled(p + 8, u - 8, 0x6b));
    big = kite_malloc(100000);
    assert_non_null(big);
    assert_true(filled(big, kite_malloc_usable_size(big), 0xa5));
    kite_free(big);
    storm(20000);
    assert_int_equal(reports, 0);
    debug_off();
}

static void test_debug_double_free(void **state)
{
    void *p, *q1, *q2;

    (void)state;
    debug_on();
    p = kite_malloc(40);
    assert_non_null(p);
    kite_free(p);
    kite_free(p);
    assert_reported("double free", p);
    /* Not pushed twice: two allocations get two objects. */
    q1 = kite_malloc(40);
    q2 = kite_malloc(40);
    assert_ptr_not_equal(q1, q2);
    assert_int_equal(reports, 0);
    kite_free(q1);
    kite_free(q2);
    debug_off();
}

static void test_debug_invalid_free(void **state)
{
    uint8_t *p, *big, *foreign;

    (void)state;
    debug_on();
    p = kite_malloc(100);
    assert_non_null(p);
    kite_free(p + 16);
    assert_reported("invalid free", p + 16);
    big = kite_malloc(100000);
    assert_non_null(big);
    kite_free(big + 64);
    assert_reported("invalid free", big + 64);
    /* Memory the heap never gave out: a chunk-aligned block with no header. */
    foreign = aligned_alloc(CHUNK, CHUNK);
    assert_non_null(foreign);
    memset(foreign, 0, CHUNK);
    kite_free(foreign + 256);
    assert_reported("invalid free", foreign + 256);
    free(foreign);
    /* The real objects are intact and free normally. */
    assert_true(kite_malloc_usable_size(p) >= 100);
    assert_true(kite_malloc_usable_size(big) >= 100000);
    kite_free(p);
    kite_free(big);
    debug_off();
}

static void test_debug_red_zone(void **state)
{
    uint8_t *p, *big;
    size_t u;

    (void)state;
    debug_on();
    p = kite_malloc(50);
    assert_non_null(p);
    u = kite_malloc_usable_size(p);
    memset(p, 1, u); /* all of the usable size is fine */
    kite_free(p);
    assert_int_equal(reports, 0);
    p = kite_malloc(50);
    assert_non_null(p);
    p[u] = 0;
    kite_free(p);
    assert_reported("red zone", p);
    big = kite_malloc(70000);
    assert_non_null(big);
    u = kite_malloc_usable_size(big);
    big[u + 15] = 0;
    kite_free(big);
    assert_reported("red zone", big);
    debug_off();
}

static void test_debug_write_after_free(void **state)
{
    uint8_t *p, *q;

    (void)state;
    debug_on();
    p = kite_malloc(100);
    assert_non_null(p);
    kite_free(p);
    p[50] = 1;
    q = kite_malloc(100);
    assert_ptr_equal(q, p);
    assert_reported("modified after free", q);
    kite_free(q);
    debug_off();
}

static void test_debug_large_double_free(void **state)
{
    void *p;

    (void)state;
    debug_on();
    defer_frees = true;
    p = kite_malloc(100000);
    assert_non_null(p);
    kite_free(p);
    kite_free(p);
    assert_reported("freed twice", p);
    free_deferred();
    debug_off();
}

static void *remote_double_worker(struct worker *w)
{
    void *p = w->data;

    if (w->cpu == 1) {
        kite_free(p);
        kite_free(p);
    }
    return NULL;
}

static void test_debug_remote_double_free(void **state)
{
    struct worker ws[2] = {{0}};
    void *p, *q1, *q2, *keep;

    (void)state;
    debug_on();
    keep = kite_malloc(200);
    p = kite_malloc(200);
    assert_non_null(keep);
    assert_non_null(p);
    ws[0].data = ws[1].data = p;
    run_cpus(2, remote_double_worker, ws);
    assert_int_equal(reports, 1);
    assert_non_null(strstr(last_report, "double free"));
    assert_non_null(strstr(last_report, "thread cpu1"));
    reports = 0;
    /* Collect the remote free (keep keeps the slab); the object comes back exactly once. */
    (void)kite_heap_trim();
    q1 = kite_malloc(200);
    q2 = kite_malloc(200);
    assert_ptr_equal(q1, p);
    assert_ptr_not_equal(q2, p);
    assert_int_equal(reports, 0);
    kite_free(q1);
    kite_free(q2);
    kite_free(keep);
    debug_off();
}

static void test_debug_aligned(void **state)
{
    (void)state;
    debug_on();
    for (size_t a = 16; a <= (1ul << 17); a <<= 1) {
        for (size_t n = 1; n < 3 * a; n += a / 2 + 3) {
            uint8_t *p = kite_aligned_alloc(a, n);
            size_t u;

            assert_non_null(p);
            assert_int_equal((uintptr_t)p % a, 0);
            u = kite_malloc_usable_size(p);
            assert_true(u >= n);
            memset(p, 0x11, u);
            kite_free(p);
        }
    }
    assert_int_equal(reports, 0);
    debug_off();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_every_size, setup),
        cmocka_unit_test_setup(test_zero_and_huge, setup),
        cmocka_unit_test_setup(test_calloc_checks, setup),
        cmocka_unit_test_setup(test_realloc_moves, setup),
        cmocka_unit_test_setup(test_aligned, setup),
        cmocka_unit_test_setup(test_aligned_footprint, setup),
        cmocka_unit_test_setup(test_nodes, setup),
        cmocka_unit_test_setup(test_exhaustion, setup),
        cmocka_unit_test_setup(test_vmapped, setup),
        cmocka_unit_test_setup(test_storm, setup),
        cmocka_unit_test_setup(test_cross_cpu, setup),
        cmocka_unit_test_setup(test_remote_reuse, setup),
        cmocka_unit_test_setup(test_shared_storm, setup),
        cmocka_unit_test_setup(test_debug_poison, setup),
        cmocka_unit_test_setup(test_debug_double_free, setup),
        cmocka_unit_test_setup(test_debug_invalid_free, setup),
        cmocka_unit_test_setup(test_debug_red_zone, setup),
        cmocka_unit_test_setup(test_debug_write_after_free, setup),
        cmocka_unit_test_setup(test_debug_large_double_free, setup),
        cmocka_unit_test_setup(test_debug_remote_double_free, setup),
        cmocka_unit_test_setup(test_debug_aligned, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
