/* SPDX-License-Identifier: MIT */
/*
 * The heap: kite_malloc and its relatives, over 64 KiB chunks (order-4
 * blocks, aligned to their size) from the page allocator, reached through
 * heap_env.h so the same code runs in host tests.
 *
 * Every pointer p the heap returns has its chunk's 64-byte header at
 * (p - 1) rounded down to 64 KiB, so no object starts at a chunk's first
 * byte. A chunk is either a slab of one size class or (part of) a large
 * block of whole pages.
 *
 * Small sizes (up to 32704 bytes) come from 38 classes: 16..128 by 16, then
 * four per doubling, every one above 128 a multiple of 64; the last ones are
 * cut to fill a chunk (8128, 9344, 10880, 13056, 16320, 21824, 32704).
 * Objects start at offset 64, so classes that are multiples of 64 give
 * 64-aligned objects; power-of-two classes from 128 to 4096 start at their
 * own size instead (the same number of objects fit), so their objects are
 * naturally aligned and kite_aligned_alloc up to 4096 stays in slabs.
 *
 * Per CPU: a current slab per class, used with interrupts off and no lock;
 * malloc pops its free list, free by the owning CPU pushes onto it. Slabs
 * that are not current but have free objects sit on a per-CPU partial list;
 * full ones are on no list. A free from another CPU pushes the object onto
 * the slab's remote list without a lock; the free that finds that list empty
 * also queues the slab on its owner's pending stack, and the owner collects
 * pending slabs whenever it refills a class and in kite_heap_trim, so memory
 * freed elsewhere is reused even if the owner never trims. A slab that
 * becomes empty goes back to the page allocator unless it is current;
 * kite_heap_trim releases the empty current ones.
 *
 * Nodes: a CPU's slabs come from its node, or from any other node when its
 * own is full (kite_malloc must succeed while memory exists). For
 * kite_malloc_node(size, n) on the CPU's own node the per-CPU slabs are used
 * when they live on n; for another node each node keeps a shared slab set
 * under a spin lock of its own (a test-and-set lock, taken with interrupts
 * off, that also works in host builds). kite_malloc_node never falls back.
 *
 * Large sizes take a buddy block of at least 64 KiB: header at its base,
 * object at base + 64 (or the first multiple of the alignment above it).
 * When the alignment is 64 KiB or more, a copy of the header sits in the
 * chunk just below the object. kite_aligned_alloc accepts any power of two
 * (1..8 mean 16) up to 512 MiB.
 *
 * Debug checks (CONFIG_HEAP_DEBUG; host tests switch heap_debug_checks):
 * fresh objects filled with 0xa5, freed ones with 0x6b (checked at the next
 * allocation), a 16-byte red zone at the end of every slot or block (the
 * usable size stops before it) checked at free, and a per-slab allocation
 * bitmap after the header, so a double free or a pointer that is not an
 * object's start is reported (address, caller, thread) and ignored.
 * Without them only the slow paths check a chunk's magic; a double free
 * there corrupts the heap.
 *
 * Pointers in the high half (kite_malloc_interleaved's) go to mm/vmap.c:
 * heap_free_vmapped frees them, heap_vmapped_usable_size sizes them, and
 * kite_realloc moves them to a new interleaved block.
 */
#include "heap_priv.h"

#include <kite/compiler.h>
#include <kite/config.h>
#include <kite/mm.h>
#include <kite/printk.h>
#include <kite/string.h>
#include <kite/types.h>

#define CHUNK_ORDER 4
#define CHUNK_SIZE  (KITE_PAGE_SIZE << CHUNK_ORDER)
#define HDR_SIZE    64
#define NCLASSES    38
#define SMALL_MAX   32704 /* the largest class */
#define NATURAL_MAX 4096  /* power-of-two classes up to here are aligned to their size */
#define REDZONE     16
/* Added to a current slab's count, so frees into it never see zero and stay on the fast path. */
#define CUR_BIAS  0x10000u
#define LARGE_MAX (KITE_PAGE_SIZE << KITE_PAGE_MAX_ORDER)

/* Owners that are not CPUs; a CPU number never equals one, so free's fast test is one compare. */
#define OWNER_NODE  0xfffffffdu
#define OWNER_LARGE 0xfffffffeu
#define OWNER_NONE  0xffffffffu

#define HEAP_MAGIC   0x4b697465u /* "Kite" */
#define POISON_FREE  0x6b
#define POISON_FRESH 0xa5
#define POISON_RED   0xcc

#define HEAP_NOINLINE __attribute__((noinline, cold))

KITE_STATIC_ASSERT(HEAP_MAX_CPUS < OWNER_NODE, "CPU numbers must not collide with owner tags");

enum slab_state { SLAB_CUR, SLAB_PARTIAL, SLAB_FULL };

/* The first 64 bytes of every chunk. */
struct heap_chunk {
    uint32_t owner; /* a CPU, OWNER_NODE (a node's shared slab) or OWNER_LARGE */
    uint32_t magic;
    union {
        struct {
            /*
             * Per-CPU slabs: the owner touches these with interrupts off;
             * node slabs: under the node's lock.
             */
            void *freelist;
            uint32_t used; /* handed out (also those on remote_free), + CUR_BIAS if current */
            uint16_t cap;
            uint16_t first; /* offset of object 0 */
            uint8_t cls;
            uint8_t state; /* enum slab_state */
            int16_t node;
            uint32_t size;
            void *remote_free;               /* other CPUs push here, lock-free */
            struct heap_chunk *pending_next; /* link on the owner's pending stack */
            struct heap_chunk *next, *prev;  /* partial list */
        };
        struct {
            char *base; /* of the block (differs from the header for a copy) */
            char *obj;
            uint8_t order;
        } large;
    };
};

KITE_STATIC_ASSERT(sizeof(struct heap_chunk) <= HDR_SIZE, "the chunk header is 64 bytes");

/*
 * The current slab of each class is kept as its distance from
 * heap_empty_slab, so the zeroed tables in .bss mean "no slab yet" (an empty
 * free list) with no NULL test and no initialisation. A CPU's row is a
 * power of two long, so the fast path indexes it with a shift.
 */
#define CUR_STRIDE 64
KITE_STATIC_ASSERT(NCLASSES <= CUR_STRIDE, "a CPU's current slabs fit its row");
static uintptr_t heap_cur[HEAP_MAX_CPUS][CUR_STRIDE] KITE_ALIGNED(64); /* its CPU, irqs off */

struct heap_percpu {
    struct heap_chunk *partial[NCLASSES]; /* its CPU, irqs off */
    /* Slabs with remote frees; on a line of its own since other CPUs push here. */
    struct heap_chunk *pending KITE_ALIGNED(64);
} KITE_ALIGNED(64);

struct heap_pernode {
    bool lock;
    uintptr_t cur[NCLASSES];              /* under lock */
    struct heap_chunk *partial[NCLASSES]; /* under lock */
} KITE_ALIGNED(64);

static struct heap_chunk heap_empty_slab = {.owner = OWNER_NONE, .node = -1, .state = SLAB_CUR};
static struct heap_percpu heap_cpus[HEAP_MAX_CPUS];
static struct heap_pernode heap_nodes[HEAP_MAX_NODES];

/* One owner's slabs (a CPU's or a node's), for the code both kinds share. */
struct heap_set {
    uintptr_t *cur;
    struct heap_chunk **partial;
};

void *kite_heap_cpu_row(unsigned int cpu)
{
    return cpu < HEAP_MAX_CPUS ? heap_cur[cpu] : NULL;
}

static inline struct heap_set cpu_set(unsigned int cpu)
{
    return (struct heap_set){heap_cur[cpu], heap_cpus[cpu].partial};
}

static inline struct heap_set node_set(struct heap_pernode *n)
{
    return (struct heap_set){n->cur, n->partial};
}

static const uint16_t class_size[NCLASSES] = {
    16,   32,   48,   64,   80,   96,   112,  128,   160,   192,   224,   256,   320,
    384,  448,  512,  640,  768,  896,  1024, 1280,  1536,  1792,  2048,  2560,  3072,
    3584, 4096, 5120, 6144, 7168, 8128, 9344, 10880, 13056, 16320, 21824, 32704,
};

/* Class of sizes up to 1024, by (size + 15) / 16. */
static const uint8_t class_by_16[65] = {
    [1] = 0,          [2] = 1,          [3] = 2,          [4] = 3,          [5] = 4,
    [6] = 5,          [7] = 6,          [8] = 7,          [9 ... 10] = 8,   [11 ... 12] = 9,
    [13 ... 14] = 10, [15 ... 16] = 11, [17 ... 20] = 12, [21 ... 24] = 13, [25 ... 28] = 14,
    [29 ... 32] = 15, [33 ... 40] = 16, [41 ... 48] = 17, [49 ... 56] = 18, [57 ... 64] = 19,
};

/*
 * Above 1024, by (size + 255) / 256: the class of the smallest size in that
 * step. Classes there are at least 256 apart, so the size is at most one
 * class further.
 */
static const uint8_t class_by_256[129] = {
    [5] = 20,         [6] = 21,         [7] = 22,          [8] = 23,         [9 ... 10] = 24,
    [11 ... 12] = 25, [13 ... 14] = 26, [15 ... 16] = 27,  [17 ... 20] = 28, [21 ... 24] = 29,
    [25 ... 28] = 30, [29 ... 32] = 31, [33 ... 37] = 32,  [38 ... 43] = 33, [44 ... 51] = 34,
    [52 ... 64] = 35, [65 ... 86] = 36, [87 ... 128] = 37,
};

#ifndef KITE_HOST_TEST
static void heap_report(const char *msg)
{
    kite_pr_err("heap: %s\n", msg);
}
#endif

/* 1 <= size <= SMALL_MAX */
static inline unsigned int size_class(size_t size)
{
    if (kite_likely(size <= 1024)) {
        return class_by_16[(size + 15) >> 4];
    }
    unsigned int cls = class_by_256[(size + 255) >> 8];
    return cls + (size > class_size[cls]);
}

static inline struct heap_chunk *chunk_of(const void *p)
{
    return (struct heap_chunk *)(((uintptr_t)p - 1) & ~(uintptr_t)(CHUNK_SIZE - 1));
}

static inline struct heap_chunk *slab_of_ref(uintptr_t ref)
{
    return (struct heap_chunk *)((uintptr_t)&heap_empty_slab + ref);
}

static inline uintptr_t ref_of_slab(const struct heap_chunk *s)
{
    return (uintptr_t)s - (uintptr_t)&heap_empty_slab;
}

static inline void *slab_pop(struct heap_chunk *s)
{
    void **obj = s->freelist;

    /* Callers pop only from a slab with free objects (set_refill's promise); costs no code. */
    if (!obj) {
        __builtin_unreachable();
    }
    s->freelist = *obj;
    s->used++;
    return obj;
}

static int node_count(void)
{
    int n = heap_node_count();

    return n < 1 ? 1 : (n > HEAP_MAX_NODES ? HEAP_MAX_NODES : n);
}

static int cpu_node(unsigned int cpu)
{
    int node = heap_cpu_node(cpu);

    return node < 0 || node >= HEAP_MAX_NODES ? 0 : node;
}

static void lock_node(struct heap_pernode *n)
{
    while (__atomic_test_and_set(&n->lock, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&n->lock, __ATOMIC_RELAXED)) {
            __builtin_ia32_pause();
        }
    }
}

static void unlock_node(struct heap_pernode *n)
{
    __atomic_clear(&n->lock, __ATOMIC_RELEASE);
}

static void list_push(struct heap_chunk **head, struct heap_chunk *s)
{
    s->prev = NULL;
    s->next = *head;
    if (*head) {
        (*head)->prev = s;
    }
    *head = s;
}

static void list_del(struct heap_chunk **head, struct heap_chunk *s)
{
    if (s->prev) {
        s->prev->next = s->next;
    } else {
        *head = s->next;
    }
    if (s->next) {
        s->next->prev = s->prev;
    }
}

static void report(const char *what, const void *p, const void *caller)
{
    char msg[160];

    kite_snprintf(msg, sizeof(msg), "%s 0x%lx (caller 0x%lx in %s, thread %s)", what,
                  (unsigned long)(uintptr_t)p, (unsigned long)(uintptr_t)caller,
                  heap_caller_name(caller), heap_thread_name());
    heap_report(msg);
}

/* From @node; unless @strict, from any other node when @node is full. */
static void *pages_get(unsigned int order, int node, bool strict, int *got)
{
    void *p = heap_pages_alloc(order, node);

    *got = node;
    if (p || strict) {
        return p;
    }
    /* The others nearest first: index 0 of the fallback order is @node itself. */
    for (unsigned int i = 1;; i++) {
        int n = heap_node_fallback(node, i);

        if (n < 0) {
            return NULL;
        }
        if ((p = heap_pages_alloc(order, n)) != NULL) {
            *got = n;
            return p;
        }
    }
}

/* Where objects start and how many fit; debug slabs keep their bitmap in between. */
static void slab_layout(unsigned int cls, unsigned int *first, unsigned int *cap)
{
    size_t size = class_size[cls];
    size_t align = (size & (size - 1)) == 0 && size >= 128 && size <= NATURAL_MAX ? size : 64;
    size_t start = HDR_SIZE;

    if (HEAP_DEBUG) {
        start += ((CHUNK_SIZE - HDR_SIZE) / size + 63) / 64 * 8;
    }
    start = KITE_ALIGN_UP(start, align);
    *first = (unsigned int)start;
    *cap = (unsigned int)((CHUNK_SIZE - start) / size);
}

static inline uint64_t *slab_bitmap(struct heap_chunk *s)
{
    return (uint64_t *)((char *)s + HDR_SIZE);
}

static struct heap_chunk *slab_new(unsigned int cls, uint32_t owner, int node, bool strict)
{
    unsigned int first, cap;
    int got;
    struct heap_chunk *s = pages_get(CHUNK_ORDER, node, strict, &got);

    if (!s) {
        return NULL;
    }
    slab_layout(cls, &first, &cap);
    memset(s, 0, HDR_SIZE);
    s->owner = owner;
    s->magic = HEAP_MAGIC;
    s->cap = (uint16_t)cap;
    s->first = (uint16_t)first;
    s->cls = (uint8_t)cls;
    s->node = (int16_t)got;
    s->size = class_size[cls];
    s->state = SLAB_CUR;
    if (HEAP_DEBUG) {
        memset(slab_bitmap(s), 0, first - HDR_SIZE);
        memset((char *)s + first, POISON_FREE, (size_t)cap * s->size);
    }
    /* In address order, so a fresh slab hands out neighbouring objects. */
    char *obj = (char *)s + first;
    void **link = &s->freelist;
    for (unsigned int i = 0; i < cap; i++, obj += s->size) {
        *link = obj;
        link = (void **)obj;
    }
    *link = NULL;
    return s;
}

static size_t slab_release(struct heap_chunk *s)
{
    s->magic = 0; /* a stale pointer into it no longer passes for a heap object */
    heap_pages_free(s, CHUNK_ORDER);
    return CHUNK_SIZE;
}

/* After frees into a slab that is not current: list it if it was full, release it if empty. */
static size_t slab_settle(struct heap_set *set, struct heap_chunk *s)
{
    if (s->state == SLAB_CUR) {
        return 0;
    }
    if (s->used == 0) {
        if (s->state == SLAB_PARTIAL) {
            list_del(&set->partial[s->cls], s);
        }
        return slab_release(s);
    }
    if (s->state == SLAB_FULL && s->freelist) {
        s->state = SLAB_PARTIAL;
        list_push(&set->partial[s->cls], s);
    }
    return 0;
}

/*
 * Make a slab with a free object current for @cls (on @node when @strict)
 * and return it, or NULL when no memory is left. The caller owns @set.
 */
static struct heap_chunk *set_refill(struct heap_set *set, unsigned int cls, uint32_t owner,
                                     int node, bool strict)
{
    struct heap_chunk *s = slab_of_ref(set->cur[cls]);

    if (s->freelist && (!strict || s->node == node)) {
        return s;
    }
    if (s != &heap_empty_slab) {
        s->used -= CUR_BIAS;
        if (!s->freelist) {
            s->state = SLAB_FULL;
        } else if (s->used == 0) {
            slab_release(s);
        } else {
            s->state = SLAB_PARTIAL;
            list_push(&set->partial[cls], s);
        }
    }
    set->cur[cls] = 0;
    for (s = set->partial[cls]; s; s = s->next) {
        if (!strict || s->node == node) {
            list_del(&set->partial[cls], s);
            break;
        }
    }
    if (!s) {
        s = slab_new(cls, owner, node, strict);
        if (!s) {
            return NULL;
        }
    }
    s->state = SLAB_CUR;
    s->used += CUR_BIAS;
    set->cur[cls] = ref_of_slab(s);
    return s;
}

/* Take back what other CPUs freed into this CPU's slabs. Returns bytes released. */
static size_t drain_pending(unsigned int cpu)
{
    struct heap_percpu *h = &heap_cpus[cpu];
    struct heap_set set = cpu_set(cpu);
    size_t released = 0;
    struct heap_chunk *s;

    if (!__atomic_load_n(&h->pending, __ATOMIC_RELAXED)) {
        return 0;
    }
    s = __atomic_exchange_n(&h->pending, NULL, __ATOMIC_ACQUIRE);
    while (s) {
        /* Read the link first: once remote_free is empty, the next remote free queues s anew. */
        struct heap_chunk *next = s->pending_next;
        void **objs = __atomic_exchange_n(&s->remote_free, NULL, __ATOMIC_ACQ_REL);

        if (objs) {
            void **tail = objs;
            uint32_t n = 1;

            while (*tail) {
                tail = *tail;
                n++;
            }
            *tail = s->freelist;
            s->freelist = objs;
            s->used -= n;
            released += slab_settle(&set, s);
        }
        s = next;
    }
    return released;
}

static void remote_push(struct heap_chunk *s, void *p)
{
    void *old = __atomic_load_n(&s->remote_free, __ATOMIC_RELAXED);

    do {
        *(void **)p = old;
    } while (!__atomic_compare_exchange_n(&s->remote_free, &old, p, true, __ATOMIC_ACQ_REL,
                                          __ATOMIC_RELAXED));
    if (old) {
        return; /* already queued for its owner */
    }
    struct heap_percpu *h = &heap_cpus[s->owner];
    struct heap_chunk *head = __atomic_load_n(&h->pending, __ATOMIC_RELAXED);
    do {
        s->pending_next = head;
    } while (!__atomic_compare_exchange_n(&h->pending, &head, s, true, __ATOMIC_RELEASE,
                                          __ATOMIC_RELAXED));
}

/* Index of the slot @p starts, or -1. */
static long slab_slot(const struct heap_chunk *s, const void *p)
{
    size_t off = (size_t)((const char *)p - (const char *)s);

    if (off < s->first || (off - s->first) % s->size != 0 || (off - s->first) / s->size >= s->cap) {
        return -1;
    }
    return (long)((off - s->first) / s->size);
}

static bool slab_owner_ok(const struct heap_chunk *s)
{
    return s->owner < HEAP_MAX_CPUS || s->owner == OWNER_NODE;
}

static size_t large_usable(const struct heap_chunk *s, const void *p)
{
    size_t rz = HEAP_DEBUG ? REDZONE : 0;

    return (size_t)(s->large.base + (KITE_PAGE_SIZE << s->large.order) - (const char *)p) - rz;
}

static void debug_fill_fresh(void *p, size_t usable)
{
    memset(p, POISON_FRESH, usable);
    memset((char *)p + usable, POISON_RED, REDZONE);
}

static bool all_bytes(const void *p, int c, size_t n)
{
    const unsigned char *b = p;

    for (size_t i = 0; i < n; i++) {
        if (b[i] != (unsigned char)c) {
            return false;
        }
    }
    return true;
}

static void debug_on_alloc(struct heap_chunk *s, void *obj, const void *caller)
{
    long slot = slab_slot(s, obj);
    uint64_t bit;

    if (slot < 0) {
        report("free list corrupt: handed out a pointer outside the slab's objects", obj, caller);
        return;
    }
    bit = 1ull << (slot % 64);
    if (__atomic_fetch_or(&slab_bitmap(s)[slot / 64], bit, __ATOMIC_RELAXED) & bit) {
        report("free list corrupt: handed out the live object", obj, caller);
    }
    if (!all_bytes((char *)obj + sizeof(void *), POISON_FREE, s->size - sizeof(void *))) {
        report("object modified after free:", obj, caller);
    }
    debug_fill_fresh(obj, s->size - REDZONE);
}

/*
 * Check a free of @p in chunk @s and mark it free. Returns false (after
 * reporting) when the free must be ignored.
 */
static bool debug_check_free(struct heap_chunk *s, void *p, const void *caller)
{
    size_t usable;

    if (s->owner == OWNER_LARGE) {
        if ((char *)p != s->large.obj) {
            report("invalid free (not the start of a block) of", p, caller);
            return false;
        }
        usable = large_usable(s, p);
    } else {
        long slot = slab_owner_ok(s) ? slab_slot(s, p) : -1;
        uint64_t bit;

        if (slot < 0) {
            report("invalid free (not the start of an object) of", p, caller);
            return false;
        }
        bit = 1ull << (slot % 64);
        if (!(__atomic_fetch_and(&slab_bitmap(s)[slot / 64], ~bit, __ATOMIC_RELAXED) & bit)) {
            report("double free of", p, caller);
            return false;
        }
        usable = s->size - REDZONE;
    }
    if (!all_bytes((char *)p + usable, POISON_RED, REDZONE)) {
        report("red zone overwritten after", p, caller);
    }
    memset(p, POISON_FREE, usable + REDZONE);
    return true;
}

/* Is @p a live object (debug: checked against the bitmap)? Reports when not. */
static bool check_live(struct heap_chunk *s, const void *p, const void *caller)
{
    if (s->magic != HEAP_MAGIC) {
        report("not a heap pointer:", p, caller);
        return false;
    }
    if (!HEAP_DEBUG) {
        return true;
    }
    if (s->owner == OWNER_LARGE) {
        if ((const char *)p == s->large.obj) {
            return true;
        }
    } else if (slab_owner_ok(s)) {
        long slot = slab_slot(s, p);

        if (slot >= 0 && (__atomic_load_n(&slab_bitmap(s)[slot / 64], __ATOMIC_RELAXED) &
                          (1ull << (slot % 64)))) {
            return true;
        }
    }
    report("not a live heap object:", p, caller);
    return false;
}

static void *small_alloc(unsigned int cls, int node, bool strict, const void *caller)
{
    unsigned long flags = heap_irq_save();
    unsigned int cpu = heap_cpu();
    int mynode = cpu_node(cpu);
    struct heap_chunk *s;
    void *obj = NULL;

    if (node == KITE_NODE_ANY) {
        node = mynode;
    }
    if (!strict || node == mynode) {
        struct heap_set set = cpu_set(cpu);

        s = slab_of_ref(set.cur[cls]);
        if (!s->freelist || (strict && s->node != node)) {
            drain_pending(cpu);
            s = set_refill(&set, cls, cpu, node, strict);
        }
        if (s) {
            obj = slab_pop(s);
        }
    } else {
        struct heap_pernode *n = &heap_nodes[node];
        struct heap_set set = node_set(n);

        lock_node(n);
        s = slab_of_ref(set.cur[cls]);
        if (!s->freelist) {
            s = set_refill(&set, cls, OWNER_NODE, node, true);
        }
        if (s) {
            obj = slab_pop(s);
        }
        unlock_node(n);
    }
    heap_irq_restore(flags);
    if (HEAP_DEBUG && obj) {
        debug_on_alloc(s, obj, caller);
    }
    return obj;
}

/* Pages for @need bytes, at least a chunk. */
static unsigned int large_order(size_t need)
{
    size_t pages = (need + KITE_PAGE_SIZE - 1) >> KITE_PAGE_SHIFT;
    unsigned int order = pages <= 1 ? 0 : (unsigned int)(64 - __builtin_clzl(pages - 1));

    return order < CHUNK_ORDER ? CHUNK_ORDER : order;
}

static size_t large_offset(size_t align)
{
    return align > HDR_SIZE ? align : HDR_SIZE;
}

static void *large_alloc(size_t size, size_t align, int node, bool strict)
{
    size_t off = large_offset(align);
    unsigned int order = large_order(off + KITE_ALIGN_UP(size, 16) + (HEAP_DEBUG ? REDZONE : 0));
    int got;

    if (order > KITE_PAGE_MAX_ORDER) {
        return NULL;
    }
    if (node == KITE_NODE_ANY) {
        node = cpu_node(heap_cpu());
    }
    char *base = pages_get(order, node, strict, &got);
    if (!base) {
        return NULL;
    }
    struct heap_chunk *h = (struct heap_chunk *)base;
    char *p = base + off;

    memset(h, 0, HDR_SIZE);
    h->owner = OWNER_LARGE;
    h->magic = HEAP_MAGIC;
    h->large.base = base;
    h->large.obj = p;
    h->large.order = (uint8_t)order;
    /* With a 64 KiB or larger alignment, free finds its header just below the object. */
    if (chunk_of(p) != h) {
        *chunk_of(p) = *h;
    }
    if (HEAP_DEBUG) {
        debug_fill_fresh(p, large_usable(h, p));
    }
    return p;
}

static void large_free(struct heap_chunk *s)
{
    struct heap_chunk *real = (struct heap_chunk *)s->large.base;

    s->magic = 0;
    real->magic = 0;
    heap_pages_free(real, real->large.order);
}

/*
 * Every allocation that is not kite_malloc's fast path. @node is a node or
 * KITE_NODE_ANY; @strict forbids other nodes.
 */
static __attribute__((noinline)) void *heap_alloc(size_t size, size_t align, int node, bool strict,
                                                  const void *caller)
{
    size_t rz = HEAP_DEBUG ? REDZONE : 0;
    size_t x;

    if (size == 0 || size > LARGE_MAX || align == 0 || (align & (align - 1)) != 0 ||
        align > LARGE_MAX / 2) {
        return NULL;
    }
    if (node != KITE_NODE_ANY && (node < 0 || node >= node_count())) {
        return NULL;
    }
    if (align < 16) {
        align = 16;
    }
    x = KITE_ALIGN_UP(size + rz, align);
    /* Classes are multiples of the alignment up to 64, and the slab data starts 64-aligned. */
    if (align <= 64 && x <= SMALL_MAX) {
        return small_alloc(size_class(x), node, strict, caller);
    }
    if (align > 64 && x <= NATURAL_MAX) {
        return small_alloc(size_class(1ul << (64 - __builtin_clzl(x - 1))), node, strict, caller);
    }
    return large_alloc(size, align, node, strict);
}

/* kite_malloc's fast path found the current slab empty; interrupts are off. */
static HEAP_NOINLINE void *malloc_refill(unsigned int cls, unsigned long flags)
{
    unsigned int cpu = heap_cpu();
    struct heap_set set = cpu_set(cpu);
    struct heap_chunk *s;
    void *obj = NULL;

    drain_pending(cpu);
    s = set_refill(&set, cls, cpu, cpu_node(cpu), false);
    if (s) {
        obj = slab_pop(s);
    }
    heap_irq_restore(flags);
    return obj;
}

void *kite_malloc(size_t size)
{
    unsigned int cls;

    /* size - 1 wraps for 0, so one compare per range also rejects it. */
    if (!HEAP_DEBUG && kite_likely(size - 1 < 1024)) {
        cls = class_by_16[(size + 15) >> 4];
    } else if (!HEAP_DEBUG && size - 1 < SMALL_MAX) {
        cls = size_class(size);
    } else {
        return heap_alloc(size, 16, KITE_NODE_ANY, false, __builtin_return_address(0));
    }
    unsigned long flags = heap_irq_save();
    struct heap_chunk *s = slab_of_ref(((const uintptr_t *)heap_cpu_row())[cls]);
    void **obj = s->freelist;

    if (kite_unlikely(!obj)) {
        return malloc_refill(cls, flags);
    }
    s->freelist = *obj;
    s->used++;
    heap_irq_restore(flags);
    return obj;
}

/* A local free emptied a slab that is not current, or refilled a full one. Interrupts are off. */
static HEAP_NOINLINE void free_settle(struct heap_chunk *s)
{
    struct heap_set set = cpu_set(s->owner);

    slab_settle(&set, s);
}

/* Every free that is not kite_free's fast path. */
static HEAP_NOINLINE void free_slow(void *p, const void *caller)
{
    struct heap_chunk *s;
    unsigned long flags;
    unsigned int cpu;

    if (!p) {
        return;
    }
    if ((intptr_t)p < 0) {
        heap_free_vmapped(p);
        return;
    }
    s = chunk_of(p);
    if (s->magic != HEAP_MAGIC) {
        report("invalid free (not a heap pointer, or freed twice) of", p, caller);
        return;
    }
    if (HEAP_DEBUG && !debug_check_free(s, p, caller)) {
        return;
    }
    if (s->owner == OWNER_LARGE) {
        large_free(s);
        return;
    }
    flags = heap_irq_save();
    cpu = heap_cpu();
    if (s->owner == cpu) {
        struct heap_set set = cpu_set(cpu);

        *(void **)p = s->freelist;
        s->freelist = p;
        s->used--;
        slab_settle(&set, s);
    } else if (s->owner < HEAP_MAX_CPUS) {
        remote_push(s, p);
    } else if (s->owner == OWNER_NODE) {
        struct heap_pernode *n = &heap_nodes[s->node];
        struct heap_set set = node_set(n);

        lock_node(n);
        *(void **)p = s->freelist;
        s->freelist = p;
        s->used--;
        slab_settle(&set, s);
        unlock_node(n);
    } else {
        report("invalid free (corrupt chunk header) of", p, caller);
    }
    heap_irq_restore(flags);
}

void kite_free(void *ptr)
{
    /* Also sends NULL and the high window to the slow path, with one test. */
    if (!HEAP_DEBUG && kite_likely((intptr_t)ptr > 0)) {
        unsigned long flags = heap_irq_save();
        unsigned int cpu = heap_cpu();
        struct heap_chunk *s = chunk_of(ptr);

        if (kite_likely(s->owner == cpu)) {
            void *next = s->freelist;

            *(void **)ptr = next;
            s->freelist = ptr;
            if (kite_unlikely(--s->used == 0) || kite_unlikely(!next)) {
                free_settle(s);
            }
            heap_irq_restore(flags);
            return;
        }
        heap_irq_restore(flags);
    }
    free_slow(ptr, __builtin_return_address(0));
}

void *kite_calloc(size_t count, size_t size)
{
    size_t total;
    void *p;

    if (__builtin_mul_overflow(count, size, &total)) {
        return NULL;
    }
    p = heap_alloc(total, 16, KITE_NODE_ANY, false, __builtin_return_address(0));
    if (p) {
        memset(p, 0, total);
    }
    return p;
}

void *kite_aligned_alloc(size_t align, size_t size)
{
    return heap_alloc(size, align, KITE_NODE_ANY, false, __builtin_return_address(0));
}

void *kite_malloc_node(size_t size, int node)
{
    return heap_alloc(size, 16, node, true, __builtin_return_address(0));
}

static size_t usable_of(const struct heap_chunk *s, const void *p)
{
    if (s->owner == OWNER_LARGE) {
        return large_usable(s, p);
    }
    return s->size - (HEAP_DEBUG ? REDZONE : 0);
}

size_t kite_malloc_usable_size(void *ptr)
{
    if (!ptr) {
        return 0;
    }
    if ((intptr_t)ptr < 0) {
        return heap_vmapped_usable_size(ptr);
    }
    struct heap_chunk *s = chunk_of(ptr);
    if (!check_live(s, ptr, __builtin_return_address(0))) {
        return 0;
    }
    return usable_of(s, ptr);
}

/* Would a fresh allocation of @size get what @p has now? */
static bool same_place(const struct heap_chunk *s, const void *p, size_t size)
{
    size_t need = size + (HEAP_DEBUG ? REDZONE : 0);

    if (s->owner != OWNER_LARGE) {
        return need <= SMALL_MAX && size_class(need) == s->cls;
    }
    return need > SMALL_MAX && large_order((size_t)((const char *)p - s->large.base) +
                                           KITE_ALIGN_UP(need, 16)) == s->large.order;
}

void *kite_realloc(void *ptr, size_t size)
{
    const void *caller = __builtin_return_address(0);
    struct heap_chunk *s;
    size_t old;
    void *p;

    if (!ptr) {
        return heap_alloc(size, 16, KITE_NODE_ANY, false, caller);
    }
    if (size == 0) {
        free_slow(ptr, caller);
        return NULL;
    }
    /* An interleaved block stays interleaved. */
    if ((intptr_t)ptr < 0) {
        old = heap_vmapped_usable_size(ptr);
        if (old == 0) {
            report("realloc of a pointer no allocator knows:", ptr, caller);
            return NULL;
        }
        if (size <= old) {
            return ptr;
        }
        p = kite_malloc_interleaved(size);
        if (p) {
            memcpy(p, ptr, old);
            heap_free_vmapped(ptr);
        }
        return p;
    }
    s = chunk_of(ptr);
    if (!check_live(s, ptr, caller)) {
        return NULL;
    }
    if (size <= LARGE_MAX && same_place(s, ptr, size)) {
        return ptr;
    }
    old = usable_of(s, ptr);
    p = heap_alloc(size, 16, KITE_NODE_ANY, false, caller);
    if (p) {
        memcpy(p, ptr, KITE_MIN(old, size));
        free_slow(ptr, caller);
    }
    return p;
}

/* Release the empty current slabs of @set; the caller owns it. */
static size_t set_trim(struct heap_set *set)
{
    size_t released = 0;

    for (unsigned int cls = 0; cls < NCLASSES; cls++) {
        struct heap_chunk *s = slab_of_ref(set->cur[cls]);

        if (s != &heap_empty_slab && s->used == CUR_BIAS) {
            set->cur[cls] = 0;
            released += slab_release(s);
        }
    }
    return released;
}

size_t kite_heap_trim(void)
{
    unsigned long flags = heap_irq_save();
    unsigned int cpu = heap_cpu();
    struct heap_set set = cpu_set(cpu);
    size_t released = drain_pending(cpu);

    released += set_trim(&set);
    heap_irq_restore(flags);
    for (int node = 0; node < node_count(); node++) {
        struct heap_pernode *n = &heap_nodes[node];
        struct heap_set nset = node_set(n);

        flags = heap_irq_save();
        lock_node(n);
        released += set_trim(&nset);
        unlock_node(n);
        heap_irq_restore(flags);
    }
    return released;
}
