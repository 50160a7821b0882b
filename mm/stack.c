/* SPDX-License-Identifier: MIT */
/*
 * Guarded stacks (see <kite/stack.h>). Slot i of the stack window covers
 * [window + i * 2 MiB, window + (i + 1) * 2 MiB); a stack is mapped at the
 * top of its slot from contiguous pages of its node, and the rest of the
 * slot, at least one page, is its guard.
 */
#define KITE_LOG_PREFIX "stack: "

#include <kite/errno.h>
#include <kite/mm.h>
#include <kite/spinlock.h>
#include <kite/stack.h>

#include <arch/paging.h>

#define SLOT_SIZE  (2ul << 20)
#define MAX_STACKS KITE_STACK_LIST_MAX

struct slot {
    struct kite_stack stack;
    unsigned int order; /* of the pages behind it */
    bool used;
};

static struct slot slots[MAX_STACKS]; /* guarded by lock */
static struct kite_spinlock lock = KITE_SPINLOCK_INIT;

static uintptr_t slot_base(unsigned int i)
{
    return (uintptr_t)ARCH_STACK_WINDOW + (uintptr_t)i * SLOT_SIZE;
}

struct kite_stack *kite_stack_alloc(size_t size, int node, const char *name)
{
    unsigned int order = 0, i;
    unsigned long flags;
    void *pages;
    size_t bytes;

    if (size == 0 || size > KITE_STACK_MAX_SIZE) {
        return NULL;
    }
    bytes = KITE_ALIGN_UP(size, KITE_PAGE_SIZE);
    while ((KITE_PAGE_SIZE << order) < bytes) {
        order++;
    }
    pages = kite_page_alloc(order, node, KITE_PAGE_FALLBACK);
    if (!pages) {
        return NULL;
    }

    flags = kite_spin_lock_irqsave(&lock);
    for (i = 0; i < MAX_STACKS && slots[i].used; i++) {
    }
    if (i < MAX_STACKS) {
        slots[i].used = true;
    }
    kite_spin_unlock_irqrestore(&lock, flags);
    if (i == MAX_STACKS) {
        kite_page_free(pages, order);
        return NULL;
    }

    slots[i].order = order;
    slots[i].stack = (struct kite_stack){
        .top = slot_base(i) + SLOT_SIZE,
        .bottom = slot_base(i) + SLOT_SIZE - bytes,
        .size = bytes,
        .name = name ? name : "(unnamed)",
    };
    if (arch_map_pages(slots[i].stack.bottom, (uint64_t)(uintptr_t)pages, bytes, ARCH_MAP_WRITE)) {
        kite_page_free(pages, order);
        slots[i].used = false;
        return NULL;
    }
    return &slots[i].stack;
}

void kite_stack_free(struct kite_stack *stack)
{
    struct slot *s = kite_container_of(stack, struct slot, stack);
    uint64_t phys;

    if (!stack) {
        return;
    }
    phys = arch_virt_to_phys(stack->bottom);
    arch_unmap_pages(stack->bottom, stack->size);
    kite_page_free((void *)(uintptr_t)phys, s->order);
    __atomic_store_n(&s->used, false, __ATOMIC_RELEASE);
}

unsigned int kite_stack_list(struct kite_stack *out, unsigned int max)
{
    unsigned long flags = kite_spin_lock_irqsave(&lock);
    unsigned int n = 0;

    for (unsigned int i = 0; i < MAX_STACKS; i++) {
        if (slots[i].used && slots[i].stack.top) {
            if (n < max) {
                out[n] = slots[i].stack;
            }
            n++;
        }
    }
    kite_spin_unlock_irqrestore(&lock, flags);
    return n;
}

const struct kite_stack *kite_stack_guard_hit(uintptr_t addr)
{
    uintptr_t off = addr - (uintptr_t)ARCH_STACK_WINDOW;
    const struct slot *s;

    if (addr < (uintptr_t)ARCH_STACK_WINDOW || off >= (uintptr_t)MAX_STACKS * SLOT_SIZE) {
        return NULL;
    }
    s = &slots[off / SLOT_SIZE];
    return s->used && addr < s->stack.bottom ? &s->stack : NULL;
}
