/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for mm/buddy.c. Regions are ordinary memory (aligned_alloc,
 * or an mmap'ed reservation for the 1 GiB blocks), with starts and ends off
 * page boundaries and reservations that overlap, sit out of order or reach
 * outside. What init should produce comes from an independent model in this
 * file: pages marked one by one, then buddies merged bottom-up, level by
 * level. Every allocation is tracked page by page, so an overlap, a reserved
 * page handed out or a write into allocated memory is caught, and bad frees
 * must leave every count and the invariant check unchanged.
 */
#include "../buddy.h"

#include <kite/errno.h>
#include <kite/mm.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#define PAGE      KITE_PAGE_SIZE
#define MAX_ORDER KITE_PAGE_MAX_ORDER
#define MiB       (1ul << 20)
#define GiB       (1ul << 30)
#define MAX_RESV  8

struct region {
    unsigned char *mem; /* what the C library gave */
    size_t size;
    bool mapped; /* mmap'ed rather than aligned_alloc'ed */
};

/* What the model expects from one kite_buddy_init. */
struct expect {
    int ret;
    uintptr_t base;
    size_t npages;
    uint8_t *order; /* per page from base: order + 1 of a free block starting there, or 0 */
    bool *reserved; /* per page from base */
    size_t nfree[MAX_ORDER + 1];
    size_t free_pages;
};

struct snapshot {
    size_t nfree[MAX_ORDER + 1];
    size_t free_pages;
    int largest;
};

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* xorshift64*: deterministic, so a failing sequence replays. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static struct region region_alloc(size_t align, size_t size)
{
    struct region r = {.size = size};

    r.mem = aligned_alloc(align, size);
    assert_non_null(r.mem);
    return r;
}

/* @size bytes at an address aligned to @align, from an untouched reservation. */
static struct region region_map(size_t align, size_t size)
{
    struct region r = {.size = size + align, .mapped = true};
    void *p = mmap(NULL, r.size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    assert_true(p != MAP_FAILED);
    r.mem = p;
    return r;
}

static unsigned char *region_aligned(const struct region *r, size_t align)
{
    return (unsigned char *)(((uintptr_t)r->mem + align - 1) & ~(uintptr_t)(align - 1));
}

static void region_release(struct region *r)
{
    if (r->mapped) {
        assert_int_equal(munmap(r->mem, r->size), 0);
    } else {
        free(r->mem);
    }
    r->mem = NULL;
}

static bool page_reserved(uintptr_t page, const struct kite_addr_range *resv, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        if (resv[i].start < resv[i].end && resv[i].start < page + PAGE && resv[i].end > page) {
            return true;
        }
    }
    return false;
}

/*
 * The model: the map sits in the first unreserved pages of the page-aligned
 * range, one byte per page of the whole range; every unreserved page after
 * it is free, and free buddies merge bottom-up while their absolute
 * alignment allows.
 */
static void model(struct expect *e, uintptr_t start, uintptr_t end,
                  const struct kite_addr_range *resv, unsigned int n)
{
    uintptr_t first = (start + PAGE - 1) & ~(PAGE - 1);
    uintptr_t last = end & ~(PAGE - 1);
    size_t total, map_pages, run = 0, i;

    memset(e, 0, sizeof(*e));
    e->ret = -KITE_EINVAL;
    if (last <= first) {
        return;
    }
    total = (last - first) / PAGE;
    map_pages = (total + PAGE - 1) / PAGE;
    for (i = 0; i < total && run < map_pages; i++) {
        run = page_reserved(first + i * PAGE, resv, n) ? 0 : run + 1;
    }
    if (run < map_pages || i >= total) {
        return;
    }
    e->ret = 0;
    e->base = first + i * PAGE;
    e->npages = total - i;
    e->order = calloc(e->npages, 1);
    e->reserved = calloc(e->npages, sizeof(bool));
    assert_non_null(e->order);
    assert_non_null(e->reserved);
    for (i = 0; i < e->npages; i++) {
        e->reserved[i] = page_reserved(e->base + i * PAGE, resv, n);
        e->order[i] = e->reserved[i] ? 0 : 1;
    }
    for (unsigned int j = 0; j < MAX_ORDER; j++) {
        size_t half = (size_t)1 << j;
        uintptr_t bpfn = e->base / PAGE;
        /* The first page index whose absolute frame is aligned to order j + 1. */
        size_t lo = (size_t)(((bpfn + 2 * half - 1) & ~(uintptr_t)(2 * half - 1)) - bpfn);

        for (i = lo; i + 2 * half <= e->npages; i += 2 * half) {
            if (e->order[i] == j + 1 && e->order[i + half] == j + 1) {
                e->order[i] = (uint8_t)(j + 2);
                e->order[i + half] = 0;
            }
        }
    }
    for (i = 0; i < e->npages; i++) {
        if (e->order[i]) {
            e->nfree[e->order[i] - 1]++;
            e->free_pages += (size_t)1 << (e->order[i] - 1);
        }
    }
}

static void expect_release(struct expect *e)
{
    free(e->order);
    free(e->reserved);
}

static void assert_ok(const struct kite_buddy *b)
{
    char err[256];

    if (!kite_buddy_check(b, err, sizeof(err))) {
        fail_msg("kite_buddy_check: %s", err);
    }
}

static struct snapshot snap(const struct kite_buddy *b)
{
    struct snapshot s;

    memcpy(s.nfree, b->nfree, sizeof(s.nfree));
    s.free_pages = b->free_pages;
    s.largest = kite_buddy_largest_order(b);
    return s;
}

static void assert_same(const struct kite_buddy *b, const struct snapshot *s)
{
    assert_memory_equal(b->nfree, s->nfree, sizeof(s->nfree));
    assert_int_equal(b->free_pages, s->free_pages);
    assert_int_equal(kite_buddy_largest_order(b), s->largest);
    assert_ok(b);
}

/* Init over [start, end) and compare the result with the model, block by block. */
static void init_and_compare(struct kite_buddy *b, uintptr_t start, uintptr_t end,
                             const struct kite_addr_range *resv, unsigned int n)
{
    struct expect e;
    void **blocks;
    unsigned int *orders;
    size_t count = 0, total = 0;

    model(&e, start, end, resv, n);
    assert_int_equal(kite_buddy_init(b, start, end, resv, n), e.ret);
    if (e.ret) {
        return;
    }
    assert_int_equal(b->base, e.base);
    assert_int_equal(b->npages, e.npages);
    assert_memory_equal(b->nfree, e.nfree, sizeof(e.nfree));
    assert_int_equal(b->free_pages, e.free_pages);
    assert_ok(b);

    /* Taken largest first, each allocation is a whole free block, never a split. */
    for (unsigned int j = 0; j <= MAX_ORDER; j++) {
        total += e.nfree[j];
    }
    blocks = calloc(total ? total : 1, sizeof(*blocks));
    orders = calloc(total ? total : 1, sizeof(*orders));
    assert_non_null(blocks);
    assert_non_null(orders);
    for (int j = MAX_ORDER; j >= 0; j--) {
        for (size_t k = 0; k < e.nfree[j]; k++) {
            void *p = kite_buddy_alloc(b, (unsigned int)j);
            size_t idx;

            assert_non_null(p);
            idx = ((uintptr_t)p - e.base) / PAGE;
            assert_true(idx < e.npages);
            assert_int_equal(e.order[idx], j + 1);
            e.order[idx] = 0; /* each model block is matched once */
            orders[count] = (unsigned int)j;
            blocks[count++] = p;
        }
        assert_int_equal(b->nfree[j], 0);
    }
    assert_int_equal(b->free_pages, 0);
    assert_null(kite_buddy_alloc(b, 0));
    assert_ok(b);
    for (size_t k = 0; k < count; k++) {
        assert_int_equal(kite_buddy_free(b, blocks[k], orders[k]), 0);
    }
    assert_memory_equal(b->nfree, e.nfree, sizeof(e.nfree));
    assert_int_equal(b->free_pages, e.free_pages);
    assert_ok(b);
    free(blocks);
    free(orders);
    expect_release(&e);
}

static void test_init_too_small(void **state)
{
    struct region r = region_alloc(PAGE, 4 * PAGE);
    uintptr_t s = (uintptr_t)r.mem;
    struct kite_buddy b;
    struct kite_addr_range all = {s, s + 4 * PAGE};
    char err[128];

    (void)state;
    assert_int_equal(kite_buddy_init(&b, s, s, NULL, 0), -KITE_EINVAL);
    assert_int_equal(kite_buddy_init(&b, s + PAGE, s, NULL, 0), -KITE_EINVAL);
    /* One page: room for the map and nothing else. */
    assert_int_equal(kite_buddy_init(&b, s, s + PAGE, NULL, 0), -KITE_EINVAL);
    /* Two pages once cut inward to page boundaries. */
    assert_int_equal(kite_buddy_init(&b, s + 1, s + 3 * PAGE - 1, NULL, 0), -KITE_EINVAL);
    assert_int_equal(kite_buddy_init(&b, UINTPTR_MAX - 10, UINTPTR_MAX, NULL, 0), -KITE_EINVAL);
    /* No unreserved page for the map. */
    assert_int_equal(kite_buddy_init(&b, s, s + 4 * PAGE, &all, 1), -KITE_EINVAL);
    /* A failed init leaves an empty allocator, not garbage. */
    assert_int_equal(b.npages, 0);
    assert_int_equal(b.free_pages, 0);
    assert_null(kite_buddy_alloc(&b, 0));
    assert_false(kite_buddy_contains(&b, (void *)s));
    assert_int_equal(kite_buddy_largest_order(&b), -1);
    assert_true(kite_buddy_check(&b, err, sizeof(err)));

    /* Two pages: the map, then one free page. */
    assert_int_equal(kite_buddy_init(&b, s, s + 2 * PAGE, NULL, 0), 0);
    assert_int_equal(b.base, s + PAGE);
    assert_int_equal(b.npages, 1);
    assert_int_equal(b.free_pages, 1);
    assert_int_equal(kite_buddy_largest_order(&b), 0);
    assert_ptr_equal(kite_buddy_alloc(&b, 0), (void *)(s + PAGE));
    assert_null(kite_buddy_alloc(&b, 0));
    assert_int_equal(kite_buddy_free(&b, (void *)(s + PAGE), 0), 0);
    assert_ok(&b);

    /* Room for the map, but everything after it is reserved. */
    all.start = s + PAGE;
    assert_int_equal(kite_buddy_init(&b, s, s + 4 * PAGE, &all, 1), 0);
    assert_int_equal(b.npages, 3);
    assert_int_equal(b.free_pages, 0);
    assert_int_equal(kite_buddy_largest_order(&b), -1);
    assert_null(kite_buddy_alloc(&b, 0));
    assert_int_equal(kite_buddy_free(&b, (void *)(s + PAGE), 0), -KITE_EINVAL);
    assert_ok(&b);
    region_release(&r);
}

/* 1 GiB blocks: exactly three after a map that ends on a 1 GiB boundary, split and rejoined. */
static void test_init_gigabytes(void **state)
{
    struct region r = region_map(GiB, 4 * GiB);
    uintptr_t g = (uintptr_t)region_aligned(&r, GiB);
    /* 3 GiB plus a 193-page map is 786625 pages, whose map is those 193 pages. */
    uintptr_t start = g + GiB - 193 * PAGE;
    struct kite_buddy b;
    void *p[4];
    struct snapshot s;

    (void)state;
    assert_int_equal(kite_buddy_init(&b, start, g + 4 * GiB, NULL, 0), 0);
    assert_int_equal(b.base, g + GiB);
    assert_int_equal(b.nfree[MAX_ORDER], 3);
    assert_int_equal(b.free_pages, 3 * (GiB / PAGE));
    for (unsigned int j = 0; j < MAX_ORDER; j++) {
        assert_int_equal(b.nfree[j], 0);
    }
    assert_ok(&b);
    s = snap(&b);

    /* One page from a state holding only 1 GiB blocks splits all the way down. */
    p[0] = kite_buddy_alloc(&b, 0);
    assert_non_null(p[0]);
    assert_int_equal((uintptr_t)p[0] & (GiB - 1), 0);
    for (unsigned int j = 0; j < MAX_ORDER; j++) {
        assert_int_equal(b.nfree[j], 1);
    }
    assert_int_equal(b.nfree[MAX_ORDER], 2);
    assert_ok(&b);
    assert_int_equal(kite_buddy_free(&b, p[0], 0), 0);
    assert_same(&b, &s);

    for (int i = 0; i < 3; i++) {
        p[i] = kite_buddy_alloc(&b, MAX_ORDER);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] & (GiB - 1), 0);
    }
    assert_null(kite_buddy_alloc(&b, MAX_ORDER));
    assert_null(kite_buddy_alloc(&b, 0));
    assert_int_equal(kite_buddy_largest_order(&b), -1);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(kite_buddy_free(&b, p[i], MAX_ORDER), 0);
    }
    assert_same(&b, &s);

    /* From the 1 GiB boundary itself: the map's 192 pages leave orders 6, 8..17 and two 18s. */
    assert_int_equal(kite_buddy_init(&b, g, g + 3 * GiB, NULL, 0), 0);
    assert_int_equal(b.base, g + 192 * PAGE);
    for (unsigned int j = 0; j <= MAX_ORDER; j++) {
        size_t want = j == MAX_ORDER ? 2 : (j == 6 || j >= 8) ? 1 : 0;

        assert_int_equal(b.nfree[j], want);
    }
    assert_int_equal(b.free_pages, 3 * (GiB / PAGE) - 192);
    assert_ok(&b);
    region_release(&r);
}

/* Unaligned edges and reservations of every shape, against the model. */
static void test_init_decomposition(void **state)
{
    struct region r = region_alloc(2 * MiB, 24 * MiB);
    uintptr_t m = (uintptr_t)r.mem;
    struct kite_buddy b;

    (void)state;
    init_and_compare(&b, m, m + 24 * MiB, NULL, 0);
    init_and_compare(&b, m + 123, m + 24 * MiB - 77, NULL, 0);
    init_and_compare(&b, m + 3 * PAGE + 5, m + 19 * MiB + 9 * PAGE, NULL, 0);
    {
        /* Unsorted, overlapping, partly or wholly outside, empty, unaligned. */
        const struct kite_addr_range resv[] = {
            {m + 5 * MiB + 100, m + 5 * MiB + 200},
            {m + 1 * MiB, m + 1 * MiB + 3 * PAGE},
            {m - 8 * MiB, m + 2 * PAGE + 1},
            {m + 1 * MiB + PAGE, m + 1 * MiB + 9 * PAGE},
            {m + 30 * MiB, m + 40 * MiB},
            {m + 23 * MiB, m + 30 * MiB},
            {m + 7 * MiB, m + 7 * MiB},
            {m + 12 * MiB - 1, m + 12 * MiB + 1},
        };

        init_and_compare(&b, m + 17, m + 24 * MiB, resv, KITE_ARRAY_SIZE(resv));
        init_and_compare(&b, m + 3 * MiB + 4 * PAGE, m + 24 * MiB - 3, resv, KITE_ARRAY_SIZE(resv));
    }
    {
        /* The start is reserved, then a gap too small for the 2-page map: it goes after both. */
        const struct kite_addr_range resv[] = {
            {m + 3 * PAGE, m + 5 * PAGE},
            {m, m + 2 * PAGE},
        };

        init_and_compare(&b, m, m + 24 * MiB, resv, KITE_ARRAY_SIZE(resv));
        assert_int_equal(b.base, m + 5 * PAGE + 2 * PAGE);
        assert_ptr_equal(b.map, (void *)(m + 5 * PAGE));
    }
    /* Random reservations over random edges, many times. */
    rng_state = 0x9e3779b97f4a7c15ull;
    for (int round = 0; round < 40; round++) {
        struct kite_addr_range resv[MAX_RESV];
        unsigned int n = (unsigned int)(rng() % (MAX_RESV + 1));
        uintptr_t start = m + rng() % (2 * MiB);
        uintptr_t end = m + 24 * MiB - rng() % (4 * MiB);

        for (unsigned int i = 0; i < n; i++) {
            uintptr_t s = m + rng() % (26 * MiB) - MiB;

            uintptr_t span = rng() % 4 ? 64 * PAGE : 4 * MiB;

            resv[i].start = s;
            resv[i].end = s + rng() % span;
        }
        init_and_compare(&b, start, end, resv, n);
    }
    region_release(&r);
}

/* Everything handed out lies in the region, outside every reservation, which stays intact. */
static void test_reserved_untouched(void **state)
{
    struct region r = region_alloc(2 * MiB, 16 * MiB);
    uintptr_t m = (uintptr_t)r.mem;
    const struct kite_addr_range resv[] = {
        {m + 6 * MiB + 10, m + 6 * MiB + 5 * PAGE},  {m + 100, m + PAGE + 7},
        {m + 2 * MiB - 1, m + 2 * MiB + 1},          {m + 9 * MiB, m + 11 * MiB},
        {m + 10 * MiB, m + 10 * MiB + 3 * PAGE - 2},
    };
    struct kite_buddy b;
    bool *owned;
    size_t handed = 0, init_free;

    (void)state;
    rng_state = 777;
    memset(r.mem, 0xa5, r.size);
    assert_int_equal(kite_buddy_init(&b, m + 1, m + 16 * MiB, resv, KITE_ARRAY_SIZE(resv)), 0);
    assert_ok(&b);
    init_free = b.free_pages;
    owned = calloc(b.npages, sizeof(bool));
    assert_non_null(owned);
    for (;;) {
        unsigned int order = (unsigned int)(rng() % 4);
        unsigned char *p = kite_buddy_alloc(&b, order);

        if (!p) {
            if (kite_buddy_largest_order(&b) < 0) {
                break;
            }
            assert_true(kite_buddy_largest_order(&b) < (int)order);
            continue;
        }
        assert_int_equal((uintptr_t)p & ((PAGE << order) - 1), 0);
        for (size_t i = 0; i < ((size_t)1 << order); i++) {
            uintptr_t page = (uintptr_t)p + i * PAGE;

            assert_true(kite_buddy_contains(&b, (void *)page));
            assert_false(page_reserved(page, resv, KITE_ARRAY_SIZE(resv)));
            assert_false(owned[(page - b.base) / PAGE]);
            owned[(page - b.base) / PAGE] = true;
        }
        memset(p, 0x5a, PAGE << order);
        handed += (size_t)1 << order;
    }
    assert_int_equal(handed, init_free);
    for (unsigned int i = 0; i < KITE_ARRAY_SIZE(resv); i++) {
        for (uintptr_t a = resv[i].start; a < resv[i].end; a++) {
            if (a >= m && a < m + r.size && *(unsigned char *)a != 0xa5) {
                fail_msg("reserved byte %#lx was written", (unsigned long)(a - m));
            }
        }
    }
    free(owned);
    region_release(&r);
}

/* At every order: as many aligned blocks as the model has room for, then NULL. */
static void test_exhaustion(void **state)
{
    struct region r = region_alloc(2 * MiB, 12 * MiB);
    uintptr_t m = (uintptr_t)r.mem;
    const struct kite_addr_range resv[] = {{m + 5 * MiB + 3 * PAGE, m + 5 * MiB + 4 * PAGE}};
    struct kite_buddy b;
    void **blocks = calloc(12 * MiB / PAGE, sizeof(void *));

    (void)state;
    assert_non_null(blocks);
    for (unsigned int order = 0; order <= MAX_ORDER + 1; order++) {
        struct expect e;
        struct snapshot s;
        size_t want = 0, n = 0;

        model(&e, m + 3 * PAGE, m + 12 * MiB, resv, 1);
        assert_int_equal(kite_buddy_init(&b, m + 3 * PAGE, m + 12 * MiB, resv, 1), 0);
        s = snap(&b);
        for (unsigned int j = order; j <= MAX_ORDER; j++) {
            want += e.nfree[j] << (j - order);
        }
        while ((blocks[n] = kite_buddy_alloc(&b, order)) != NULL) {
            assert_int_equal((uintptr_t)blocks[n] & ((PAGE << order) - 1), 0);
            n++;
        }
        assert_int_equal(n, want);
        assert_true(kite_buddy_largest_order(&b) < (int)order);
        for (unsigned int j = order; j <= MAX_ORDER + 1; j++) {
            assert_null(kite_buddy_alloc(&b, j));
        }
        if (order <= MAX_ORDER) {
            assert_int_equal(b.free_pages, e.free_pages - (n << order));
        }
        assert_ok(&b);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(kite_buddy_free(&b, blocks[i], order), 0);
        }
        assert_same(&b, &s);
        expect_release(&e);
    }
    free(blocks);
    region_release(&r);
}

struct live {
    unsigned char *p;
    unsigned int order;
    uint64_t tag;
};

static void tag_block(const struct live *l)
{
    size_t bytes = PAGE << l->order;

    memcpy(l->p, &l->tag, sizeof(l->tag));
    memcpy(l->p + bytes - sizeof(l->tag), &l->tag, sizeof(l->tag));
}

static void check_tag(const struct live *l)
{
    size_t bytes = PAGE << l->order;

    assert_memory_equal(l->p, &l->tag, sizeof(l->tag));
    assert_memory_equal(l->p + bytes - sizeof(l->tag), &l->tag, sizeof(l->tag));
}

/*
 * Thousands of mixed allocations and frees. Each block carries a tag at both
 * ends, so the allocator writing into a block it handed out is caught when
 * the block is freed; pages are owned once at most.
 */
static void test_storm(void **state)
{
    enum { OPS = 30000, LIVE_MAX = 2048 };
    struct region r = region_alloc(2 * MiB, 32 * MiB);
    uintptr_t m = (uintptr_t)r.mem;
    const struct kite_addr_range resv[] = {
        {m + 8 * MiB + 3 * PAGE, m + 8 * MiB + 6 * PAGE},
        {m + 20 * MiB, m + 20 * MiB + 1},
    };
    struct kite_buddy b;
    struct live *live = calloc(LIVE_MAX, sizeof(*live));
    size_t nlive = 0, init_free;
    struct snapshot s;
    bool *owned;

    (void)state;
    assert_non_null(live);
    assert_int_equal(
        kite_buddy_init(&b, m + 5 * PAGE + 9, m + 32 * MiB - 100, resv, KITE_ARRAY_SIZE(resv)), 0);
    s = snap(&b);
    init_free = b.free_pages;
    owned = calloc(b.npages, sizeof(bool));
    assert_non_null(owned);
    rng_state = 12345;
    for (uint64_t op = 1; op <= OPS; op++) {
        uint64_t x = rng();
        bool do_alloc = nlive == 0 || (nlive < LIVE_MAX && x % 100 < 55);

        if (do_alloc) {
            /* Mostly small, sometimes large, now and then beyond what is free. */
            unsigned int order = x % 1000 < 900 ? (unsigned int)(x >> 20) % 4
                                                : (unsigned int)(x >> 20) % (MAX_ORDER + 1);
            int largest = kite_buddy_largest_order(&b);
            struct live l = {kite_buddy_alloc(&b, order), order, op};

            if (!l.p) {
                assert_true(largest < (int)order);
                continue;
            }
            assert_true(largest >= (int)order);
            assert_int_equal((uintptr_t)l.p & ((PAGE << order) - 1), 0);
            for (size_t i = 0; i < ((size_t)1 << order); i++) {
                uintptr_t page = (uintptr_t)l.p + i * PAGE;

                assert_true(kite_buddy_contains(&b, (void *)page));
                assert_false(page_reserved(page, resv, KITE_ARRAY_SIZE(resv)));
                assert_false(owned[(page - b.base) / PAGE]);
                owned[(page - b.base) / PAGE] = true;
            }
            tag_block(&l);
            live[nlive++] = l;
        } else {
            size_t k = (size_t)(x >> 16) % nlive;
            struct live l = live[k];

            check_tag(&l);
            for (size_t i = 0; i < ((size_t)1 << l.order); i++) {
                owned[((uintptr_t)l.p - b.base) / PAGE + i] = false;
            }
            assert_int_equal(kite_buddy_free(&b, l.p, l.order), 0);
            live[k] = live[--nlive];
        }
        if (op % 499 == 0) {
            size_t used = 0;

            for (size_t i = 0; i < nlive; i++) {
                used += (size_t)1 << live[i].order;
            }
            assert_int_equal(b.free_pages + used, init_free);
            assert_ok(&b);
        }
    }
    while (nlive) {
        struct live l = live[--nlive];

        check_tag(&l);
        assert_int_equal(kite_buddy_free(&b, l.p, l.order), 0);
    }
    assert_same(&b, &s);
    free(owned);
    free(live);
    region_release(&r);
}

#define ASSERT_REFUSED(b, s, p, order)                                              \
    do {                                                                            \
        assert_int_equal(kite_buddy_free((b), (void *)(p), (order)), -KITE_EINVAL); \
        assert_same((b), (s));                                                      \
    } while (0)

static void test_bad_free(void **state)
{
    struct region r = region_alloc(2 * MiB, 8 * MiB);
    uintptr_t m = (uintptr_t)r.mem;
    const struct kite_addr_range resv[] = {{m + 6 * MiB, m + 6 * MiB + PAGE}};
    struct kite_buddy b;
    struct snapshot s;
    uintptr_t a, a2, q, big, end;

    (void)state;
    assert_int_equal(kite_buddy_init(&b, m, m + 8 * MiB, resv, 1), 0);
    end = b.base + b.npages * PAGE;
    a = (uintptr_t)kite_buddy_alloc(&b, 0);
    a2 = (uintptr_t)kite_buddy_alloc(&b, 0);
    q = (uintptr_t)kite_buddy_alloc(&b, 2);
    big = (uintptr_t)kite_buddy_alloc(&b, 6);
    assert_true(a && a2 && q && big);
    s = snap(&b);

    /* Outside the region: before it, in the map, past the end, NULL. */
    ASSERT_REFUSED(&b, &s, 0, 0);
    ASSERT_REFUSED(&b, &s, b.base - PAGE, 0);
    ASSERT_REFUSED(&b, &s, (uintptr_t)b.map, 0);
    ASSERT_REFUSED(&b, &s, end, 0);
    ASSERT_REFUSED(&b, &s, end + 64 * MiB, 0);
    ASSERT_REFUSED(&b, &s, UINTPTR_MAX & ~(PAGE - 1), 0);
    /* Misaligned, or not where a block starts. */
    ASSERT_REFUSED(&b, &s, q + 1, 0);
    ASSERT_REFUSED(&b, &s, q + PAGE, 2);
    ASSERT_REFUSED(&b, &s, q + PAGE, 0);
    ASSERT_REFUSED(&b, &s, big + 32 * PAGE, 5);
    /* Wrong order, either way, and out of range. */
    ASSERT_REFUSED(&b, &s, q, 1);
    ASSERT_REFUSED(&b, &s, q, 3);
    ASSERT_REFUSED(&b, &s, big, 7);
    ASSERT_REFUSED(&b, &s, q, MAX_ORDER + 1);
    ASSERT_REFUSED(&b, &s, q, 1000);
    /* A reserved page, and a free page no one was given. */
    ASSERT_REFUSED(&b, &s, m + 6 * MiB, 0);
    ASSERT_REFUSED(&b, &s, end - PAGE, 0);

    /* Double free: right after, and once the block has merged into a larger one. */
    assert_int_equal(kite_buddy_free(&b, (void *)a, 0), 0);
    s = snap(&b);
    ASSERT_REFUSED(&b, &s, a, 0);
    assert_int_equal(kite_buddy_free(&b, (void *)a2, 0), 0);
    s = snap(&b);
    ASSERT_REFUSED(&b, &s, a2, 0);
    ASSERT_REFUSED(&b, &s, a2 + PAGE, 0);
    ASSERT_REFUSED(&b, &s, a2, 1);

    /* Sub-blocks of a freed block, and the block itself again. */
    assert_int_equal(kite_buddy_free(&b, (void *)big, 6), 0);
    s = snap(&b);
    ASSERT_REFUSED(&b, &s, big, 6);
    ASSERT_REFUSED(&b, &s, big, 0);
    ASSERT_REFUSED(&b, &s, big + 16 * PAGE, 4);
    ASSERT_REFUSED(&b, &s, big + 63 * PAGE, 0);

    /* What is still allocated frees normally, and everything is whole again. */
    assert_int_equal(kite_buddy_free(&b, (void *)q, 2), 0);
    assert_int_equal(b.free_pages, b.npages - 1);
    assert_ok(&b);
    region_release(&r);
}

static void test_contains_largest(void **state)
{
    struct region r = region_alloc(2 * MiB, 4 * MiB);
    uintptr_t m = (uintptr_t)r.mem;
    struct kite_buddy b;
    uintptr_t end;
    void *p;

    (void)state;
    assert_int_equal(kite_buddy_init(&b, m + PAGE, m + 4 * MiB, NULL, 0), 0);
    end = b.base + b.npages * PAGE;
    assert_false(kite_buddy_contains(&b, (void *)(b.base - 1)));
    assert_false(kite_buddy_contains(&b, b.map));
    assert_true(kite_buddy_contains(&b, (void *)b.base));
    assert_true(kite_buddy_contains(&b, (void *)(end - 1)));
    assert_false(kite_buddy_contains(&b, (void *)end));
    assert_false(kite_buddy_contains(&b, NULL));
    assert_false(kite_buddy_contains(&b, (void *)UINTPTR_MAX));

    /* [m + 2 PAGE, m + 4 MiB): the last 2 MiB is the largest block. */
    assert_int_equal(kite_buddy_largest_order(&b), 9);
    p = kite_buddy_alloc(&b, 9);
    assert_ptr_equal(p, (void *)(m + 2 * MiB));
    assert_int_equal(kite_buddy_largest_order(&b), 8);
    assert_int_equal(kite_buddy_free(&b, p, 9), 0);
    assert_int_equal(kite_buddy_largest_order(&b), 9);
    region_release(&r);
}

/* The checker must notice a broken invariant, and say which. */
static void test_check_detects(void **state)
{
    struct region r = region_alloc(2 * MiB, 4 * MiB);
    uintptr_t m = (uintptr_t)r.mem;
    struct kite_buddy b;
    char err[256];
    size_t idx;
    uint8_t saved;
    unsigned char *p;
    void *a, *a2;

    (void)state;
    assert_int_equal(kite_buddy_init(&b, m, m + 4 * MiB, NULL, 0), 0);
    assert_ok(&b);

    b.free_pages++;
    assert_false(kite_buddy_check(&b, err, sizeof(err)));
    assert_non_null(strstr(err, "free_pages"));
    b.free_pages--;

    b.nfree[9]++;
    assert_false(kite_buddy_check(&b, err, sizeof(err)));
    assert_non_null(strstr(err, "nfree"));
    b.nfree[9]--;
    assert_ok(&b);

    /* A stray head inside the 2 MiB block at m + 2 MiB. */
    idx = (m + 2 * MiB - b.base) / PAGE + 5;
    saved = b.map[idx];
    b.map[idx] = 0x40;
    assert_false(kite_buddy_check(&b, err, sizeof(err)));
    assert_non_null(strstr(err, "inside"));
    b.map[idx] = 0xff;
    assert_false(kite_buddy_check(&b, err, sizeof(err)));
    assert_non_null(strstr(err, "map byte"));
    b.map[idx] = saved;
    assert_ok(&b);

    /*
     * Two free buddies left apart, consistent otherwise: a2 is put on the
     * order-0 list by hand, in front of its free buddy (the node layout and
     * map byte are those buddy.c documents).
     */
    a = kite_buddy_alloc(&b, 0);
    a2 = kite_buddy_alloc(&b, 0);
    assert_ptr_equal(a, (void *)(b.base));
    assert_ptr_equal(a2, (void *)(b.base + PAGE));
    assert_int_equal(b.nfree[0], 1);
    assert_ptr_equal(b.free[0], (void *)(b.base + 2 * PAGE));
    {
        struct node {
            struct node *next, *prev;
        } *n = (struct node *)a2, *buddy = (struct node *)(b.base + 2 * PAGE);

        n->next = buddy;
        n->prev = NULL;
        buddy->prev = n;
        b.free[0] = (struct kite_buddy_block *)n;
        b.nfree[0]++;
        b.free_pages++;
        b.map[1] = 0x80;
        assert_false(kite_buddy_check(&b, err, sizeof(err)));
        assert_non_null(strstr(err, "not merged"));
        /* Undone by hand, then freed for real: the pair merges. */
        b.free[0] = (struct kite_buddy_block *)buddy;
        buddy->prev = NULL;
        b.nfree[0]--;
        b.free_pages--;
        b.map[1] = 0x40;
    }
    assert_ok(&b);
    assert_int_equal(kite_buddy_free(&b, a2, 0), 0);
    assert_int_equal(b.nfree[0], 0);
    assert_int_equal(kite_buddy_free(&b, a, 0), 0);
    assert_ok(&b);

    /* A list node overwritten by a use after free. */
    p = kite_buddy_alloc(&b, 0);
    assert_non_null(p);
    assert_int_equal(kite_buddy_free(&b, p, 0), 0);
    memset(p, 0x11, 16);
    assert_false(kite_buddy_check(&b, err, sizeof(err)));
    /* A NULL or empty buffer is allowed. */
    assert_false(kite_buddy_check(&b, NULL, 0));
    region_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_too_small),     cmocka_unit_test(test_init_gigabytes),
        cmocka_unit_test(test_init_decomposition), cmocka_unit_test(test_reserved_untouched),
        cmocka_unit_test(test_exhaustion),         cmocka_unit_test(test_storm),
        cmocka_unit_test(test_bad_free),           cmocka_unit_test(test_contains_largest),
        cmocka_unit_test(test_check_detects),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
