/* SPDX-License-Identifier: MIT */
/*
 * Heap debugging in a booted kernel (built only with CONFIG_HEAP_DEBUG): a
 * double free, an invalid free and a red-zone overrun are reported in the
 * log with the address, and the heap goes on working.
 */
#include <kite/kmsg.h>
#include <kite/mm.h>
#include <kite/printk.h>
#include <kite/string.h>
#include <kite/test.h>

/* Was a message containing @what and @p logged since sequence @since? */
static bool logged(uint64_t since, const char *what, const void *p)
{
    struct kite_kmsg_record rec;
    char text[256], addr[32];

    kite_snprintf(addr, sizeof(addr), "0x%lx", (unsigned long)(uintptr_t)p);
    while (kite_kmsg_read(&kite_kmsg, &since, &rec, text, sizeof(text))) {
        if (strstr(text, what) && strstr(text, addr)) {
            return true;
        }
    }
    return false;
}

KITE_TEST(heap_debug, double_free_reported)
{
    uint64_t since = kite_kmsg.next_seq;
    void *p = kite_malloc(64), *q;

    KITE_ASSERT(p != NULL);
    kite_free(p);
    kite_free(p);
    KITE_EXPECT(logged(since, "double free of", p));
    q = kite_malloc(64);
    KITE_EXPECT(q != NULL);
    kite_free(q);
}

KITE_TEST(heap_debug, invalid_free_reported)
{
    uint64_t since = kite_kmsg.next_seq;
    char *p = kite_malloc(64);

    KITE_ASSERT(p != NULL);
    kite_free(p + 8);
    KITE_EXPECT(logged(since, "invalid free", p + 8));
    kite_free(p);
}

KITE_TEST(heap_debug, red_zone_overrun_reported)
{
    uint64_t since = kite_kmsg.next_seq;
    char *p = kite_malloc(40);
    size_t usable;

    KITE_ASSERT(p != NULL);
    usable = kite_malloc_usable_size(p);
    p[usable] = 'x'; /* one past the end: into the red zone */
    kite_free(p);
    KITE_EXPECT(logged(since, "red zone overwritten after", p));
}
