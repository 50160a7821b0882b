/* SPDX-License-Identifier: MIT */
/*
 * The final page tables (see <arch/paging.h>). RAM is identity-mapped with
 * the largest pages that fit each range exactly: 1 GiB where the CPU has
 * them and a whole aligned gigabyte is RAM, else 2 MiB, else 4 KiB at the
 * ragged edges, so nothing but owned memory (and the legacy first MiB) is
 * mapped. The identity map is never executable: code runs from the image's
 * high mapping, whose text is read-only. Removing a mapping, or replacing
 * one, flushes it from every CPU's TLB (arch/x86_64/tlb.c) before returning,
 * so the memory behind it can be reused at once.
 */
#define KITE_LOG_PREFIX "paging: "

#include <kite/arch.h>
#include <kite/bootinfo.h>
#include <kite/errno.h>
#include <kite/mm.h>
#include <kite/panic.h>
#include <kite/partition.h>
#include <kite/printk.h>
#include <kite/spinlock.h>
#include <kite/string.h>

#include <arch/layout.h>
#include <arch/paging.h>
#include <arch/tlb.h>

#include "../../mm/reserve.h"

#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_PWT  (1ull << 3)
#define PTE_PCD  (1ull << 4)
#define PTE_PS   (1ull << 7)
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define SIZE_4K    0x1000ull
#define SIZE_2M    0x200000ull
#define SIZE_1G    0x40000000ull
#define LEGACY_END 0x100000ull
#define NULL_GUARD 0x1000ull /* page 0 stays unmapped, so a NULL dereference faults */

#define MSR_EFER 0xc0000080
#define EFER_NXE (1ull << 11)

extern char _rodata_start[], _data_start[];

/*
 * Guards changes to the live tables (arch_map_pages, arch_unmap_pages): two
 * CPUs adding the same missing table would lose one's mappings. TLB flushes
 * wait for every CPU, so they run after it is released: a CPU spinning for
 * it with interrupts off could not answer.
 */
static struct kite_spinlock lock = KITE_SPINLOCK_INIT;
static uint64_t *pml4;
static bool gb_pages;
static uint64_t nx; /* PTE_NX when the CPU has it, else 0 */
static uint64_t pool, pool_end;
static bool use_page_allocator;
static unsigned int tables_used;
static uint64_t leaves[3]; /* leaf entries made, by level: 4 KiB, 2 MiB, 1 GiB */

static uint64_t *table_alloc(void)
{
    uint64_t *t;

    /* The early pool is reserved for good, so it is used up first. */
    if (pool < pool_end) {
        t = (uint64_t *)(uintptr_t)pool;
        pool += SIZE_4K;
        memset(t, 0, SIZE_4K);
    } else if (use_page_allocator) {
        t = kite_page_alloc(0, KITE_NODE_ANY, KITE_PAGE_FALLBACK | KITE_PAGE_ZERO);
    } else {
        t = NULL;
    }
    if (t) {
        tables_used++;
    }
    return t;
}

/* The table below @table's entry @idx, made when missing; NULL when out of memory. */
static uint64_t *next_level(uint64_t *table, unsigned int idx)
{
    if (!(table[idx] & PTE_P)) {
        uint64_t *t = table_alloc();

        if (!t) {
            return NULL;
        }
        /* Intermediate levels allow everything; the leaf decides. */
        table[idx] = (uint64_t)(uintptr_t)t | PTE_P | PTE_W;
    }
    /* Every mapping is made once at its final size; a large page here is a bug. */
    KITE_BUG_ON(table[idx] & PTE_PS);
    return (uint64_t *)(uintptr_t)(table[idx] & PTE_ADDR);
}

static unsigned int idx(uint64_t virt, unsigned int level)
{
    return (unsigned int)(virt >> (12 + 9 * level)) & 511;
}

static uint64_t leaf_flags(unsigned int flags)
{
    uint64_t f = PTE_P;

    if (flags & ARCH_MAP_WRITE) {
        f |= PTE_W;
    }
    if (!(flags & ARCH_MAP_EXEC)) {
        f |= nx;
    }
    if (flags & ARCH_MAP_UNCACHED) {
        f |= PTE_PCD | PTE_PWT;
    }
    return f;
}

/*
 * Map [virt, virt+len) to phys; @large allows 2 MiB and 1 GiB pages where they
 * fit. Sets *@replaced when an entry that was present got overwritten.
 */
static int map(uint64_t virt, uint64_t phys, uint64_t len, unsigned int flags, bool large,
               bool *replaced)
{
    uint64_t f = leaf_flags(flags);

    while (len) {
        bool fits_1g = large && gb_pages && !(virt & (SIZE_1G - 1)) && !(phys & (SIZE_1G - 1)) &&
                       len >= SIZE_1G;
        bool fits_2m =
            large && !(virt & (SIZE_2M - 1)) && !(phys & (SIZE_2M - 1)) && len >= SIZE_2M;
        /* Walk down to the level whose entry maps this step: 2 (1 GiB), 1 (2 MiB) or 0. */
        unsigned int leaf = fits_1g ? 2 : fits_2m ? 1 : 0;
        uint64_t *t = pml4, step = 1ull << (12 + 9 * leaf);

        for (unsigned int level = 3; level > leaf; level--) {
            t = next_level(t, idx(virt, level));
            if (!t) {
                return -KITE_ENOMEM;
            }
        }
        if (t[idx(virt, leaf)] & PTE_P) {
            *replaced = true;
        }
        t[idx(virt, leaf)] = phys | f | (leaf ? PTE_PS : 0);
        leaves[leaf]++;
        virt += step;
        phys += step;
        len -= step;
    }
    return 0;
}

int arch_map_pages(uint64_t virt, uint64_t phys, uint64_t len, unsigned int flags)
{
    uint64_t start = virt & ~(SIZE_4K - 1), size = KITE_ALIGN_UP(len + (virt - start), SIZE_4K);
    bool replaced = false;
    unsigned long irq = kite_spin_lock_irqsave(&lock);
    int rc = map(start, phys & ~(SIZE_4K - 1), size, flags, false, &replaced);

    kite_spin_unlock_irqrestore(&lock, irq);

    /*
     * A changed mapping (another frame, fewer rights, or more: a stale entry
     * with fewer rights faults spuriously) must leave every TLB.
     */
    if (replaced) {
        arch_tlb_flush_range(start, size);
    }
    return rc;
}

/* The 4 KiB entry for @virt, or NULL when no table reaches it. */
static uint64_t *pte_of(uint64_t virt)
{
    uint64_t *t = pml4;

    for (unsigned int level = 3; level > 0; level--) {
        uint64_t e = t[idx(virt, level)];

        if (!(e & PTE_P) || (e & PTE_PS)) {
            return NULL;
        }
        t = (uint64_t *)(uintptr_t)(e & PTE_ADDR);
    }
    return &t[idx(virt, 0)];
}

void arch_unmap_pages(uint64_t virt, uint64_t len)
{
    uint64_t start = virt & ~(SIZE_4K - 1);
    bool removed = false;
    unsigned long irq = kite_spin_lock_irqsave(&lock);

    for (uint64_t v = start; v < virt + len; v += SIZE_4K) {
        uint64_t *e = pte_of(v);

        if (e && (*e & PTE_P)) {
            *e = 0;
            removed = true;
        }
    }
    kite_spin_unlock_irqrestore(&lock, irq);
    /* One shootdown for the whole range; the caller may free the frames once it returns. */
    if (removed) {
        arch_tlb_flush_range(start, virt + len - start);
    }
}

uint64_t arch_virt_to_phys(uint64_t virt)
{
    uint64_t *t = pml4;

    for (unsigned int level = 3;; level--) {
        uint64_t e = t[idx(virt, level)];
        uint64_t size = 1ull << (12 + 9 * level);

        if (!(e & PTE_P)) {
            return ~0ull;
        }
        if (level == 0 || (e & PTE_PS)) {
            return (e & PTE_ADDR & ~(size - 1)) | (virt & (size - 1));
        }
        t = (uint64_t *)(uintptr_t)(e & PTE_ADDR);
    }
}

bool arch_addr_mapped(uint64_t virt)
{
    if (!pml4) {
        return virt >= (uint64_t)_kernel_start && virt < (uint64_t)_kernel_end;
    }
    /* Non-canonical addresses fault whatever the tables say. */
    if ((uint64_t)((int64_t)(virt << 16) >> 16) != virt) {
        return false;
    }
    return arch_virt_to_phys(virt) != ~0ull;
}

bool arch_paging_gb_pages(void)
{
    return gb_pages;
}

/* Tables the identity map can need: one per GiB and ragged edges per range, plus slack. */
static uint64_t pool_pages(void)
{
    uint64_t n = 64;

    for (unsigned int i = 0; i < kite_boot.mmap_count; i++) {
        n += kite_boot.mmap[i].length / SIZE_1G + 6;
    }
    return n;
}

static void map_image(void)
{
    uint64_t vma = ARCH_KERNEL_VMA;
    /* Section starts are page aligned (link.ld); _text_end is not. */
    uint64_t text = (uint64_t)_rodata_start, ro = (uint64_t)_data_start;
    uint64_t end = (uint64_t)_kernel_end;
    bool replaced = false; /* fresh tables: nothing to replace */
    int rc = 0;

    /* The boot code and text: executable, read-only. */
    rc |= map(vma, arch_phys_base, text - vma, ARCH_MAP_EXEC, false, &replaced);
    rc |= map(text, arch_phys_base + (text - vma), ro - text, 0, false, &replaced);
    rc |= map(ro, arch_phys_base + (ro - vma), end - ro, ARCH_MAP_WRITE, false, &replaced);
    if (rc) {
        kite_panic("paging: no memory for the image's page tables");
    }
}

void arch_paging_init(void)
{
    uint32_t a, b, c, d;
    uint64_t ram = 0, size;
    bool replaced = false; /* these tables are not in use yet: no TLB to flush */

    arch_cpuid(0x80000001, 0, &a, &b, &c, &d);
    gb_pages = (d >> 26) & 1;
    if ((d >> 20) & 1) {
        nx = PTE_NX;
        arch_wrmsr(MSR_EFER, arch_rdmsr(MSR_EFER) | EFER_NXE);
    }

    /* Below 4 GiB: the early map, in use until the switch, covers it. */
    size = pool_pages() * SIZE_4K;
    pool = kite_reserve_find(size, SIZE_4K, LEGACY_END, 4ull << 30, "early page tables");
    if (!pool) {
        kite_panic("paging: no %llu KiB of RAM below 4 GiB for the page tables",
                   (unsigned long long)size >> 10);
    }
    pool_end = pool + size;
    pml4 = table_alloc();

    if (kite_partition()) {
        /* Low memory is the host's; the shared region (params, rings) is the one page range of
         * its that Kite writes. The SIPI page is mapped when the other CPUs start. */
        if (map(kite_bp->shared_phys, kite_bp->shared_phys, kite_bp->shared_size, ARCH_MAP_WRITE,
                false, &replaced)) {
            kite_panic("paging: out of early page tables");
        }
    } else if (map(NULL_GUARD, NULL_GUARD, LEGACY_END - NULL_GUARD, ARCH_MAP_WRITE, true,
                   &replaced)) {
        /* Legacy low memory (BIOS data, VGA text) stays reachable, but not page 0. */
        kite_panic("paging: out of early page tables");
    }
    for (unsigned int i = 0; i < kite_boot.mmap_count; i++) {
        const struct kite_mem_range *r = &kite_boot.mmap[i];
        uint64_t start = KITE_ALIGN_UP(KITE_MAX(r->base, LEGACY_END), SIZE_4K);
        uint64_t end = KITE_ALIGN_DOWN(r->base + r->length, SIZE_4K);

        if ((r->type != KITE_MEM_AVAILABLE && r->type != KITE_MEM_ACPI_RECLAIMABLE) ||
            end <= start) {
            continue;
        }
        if (map(start, start, end - start, ARCH_MAP_WRITE, true, &replaced)) {
            kite_panic("paging: out of early page tables");
        }
        ram += end - start;
    }
    kite_pr_info(
        "%llu MiB of RAM identity-mapped: %llu x 1 GiB, %llu x 2 MiB and %llu x 4 KiB pages "
        "(1 GiB pages %s); no-execute %s\n",
        (unsigned long long)(ram >> 20), (unsigned long long)leaves[2],
        (unsigned long long)leaves[1], (unsigned long long)leaves[0],
        gb_pages ? "offered" : "not offered by this CPU", nx ? "on" : "unavailable");
    map_image();
    __asm__ volatile("mov %0, %%cr3" : : "r"((uint64_t)(uintptr_t)pml4) : "memory");
    kite_pr_debug("%u page tables\n", tables_used);
}

void arch_paging_use_page_allocator(void)
{
    use_page_allocator = true;
}
