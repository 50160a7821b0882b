/* SPDX-License-Identifier: MIT */
/*
 * TLB shootdown (see <arch/tlb.h>). Each CPU has one request slot: a range
 * and a number it bumps per request. A flush writes its range, bumps the
 * number, sends ARCH_VECTOR_TLB to every other online CPU and waits until
 * each has recorded that number as done. A CPU taking the IPI scans all
 * slots for numbers it has not done yet, so IPIs that arrive together (or
 * collapse into one) lose nothing. There are no locks: a requester waiting
 * with interrupts off serves the others' slots meanwhile, so two CPUs
 * shooting down at once never wait on each other.
 *
 * A requester also raises each target's pending flag (after bumping its
 * number, before the IPI), and a serve starts by lowering its own: spin
 * loops (kite_spin_wait) call arch_tlb_serve on every turn, and with the
 * flag that costs two loads when nothing is asked, not a scan of every slot.
 */
#define KITE_LOG_PREFIX "tlb: "

#include <kite/arch.h>
#include <kite/mm.h>
#include <kite/panic.h>
#include <kite/printk.h>

#include <arch/apic.h>
#include <arch/tlb.h>

#define FULL_FLUSH_PAGES 32   /* above this many pages, one CR3 reload beats invlpg each */
#define ACK_TIMEOUT_MS   1000 /* far beyond hardware; an emulator's host may stall a CPU 100 ms */
#define ALL              UINTPTR_MAX /* a range's end that means everything */
#define MASK_WORDS       ((CONFIG_NR_CPUS + 63) / 64)

/* CPU r's current request: written by r alone, with its interrupts off. */
struct request {
    uint32_t seq;         /* bumped per request, after the range is written */
    uintptr_t start, end; /* page aligned; end == ALL flushes everything */
} KITE_ALIGNED(64);

/*
 * done[t].seq[r]: the last of CPU r's requests that CPU t has flushed;
 * written by t alone. 4 bytes per pair of CPUs: 16 KiB for 64.
 */
struct done_row {
    uint32_t seq[CONFIG_NR_CPUS];
} KITE_ALIGNED(64);

/* pending[t]: some request may be waiting for CPU t; raised by requesters, lowered by t. */
struct pending {
    uint32_t flag;
} KITE_ALIGNED(64);

static struct request requests[CONFIG_NR_CPUS];
static struct pending pending[CONFIG_NR_CPUS];
static struct done_row done[CONFIG_NR_CPUS];
static unsigned int nr_slots; /* slots below this may hold requests */
static unsigned long timeouts;
static bool ready;

static void flush_local(uintptr_t start, uintptr_t end)
{
    if (end - start > FULL_FLUSH_PAGES * KITE_PAGE_SIZE) {
        /* Kite maps nothing global: reloading CR3 drops every translation. */
        uint64_t cr3;

        __asm__ volatile("mov %%cr3, %0\n\tmov %0, %%cr3" : "=r"(cr3) : : "memory");
        return;
    }
    for (uintptr_t v = start; v < end; v += KITE_PAGE_SIZE) {
        __asm__ volatile("invlpg (%0)" : : "r"(v) : "memory");
    }
}

/* Flush what the other CPUs asked of this one and it has not done yet. Interrupts off. */
static void serve(void)
{
    unsigned int me = arch_cpu_id(), n = __atomic_load_n(&nr_slots, __ATOMIC_ACQUIRE);
    uint32_t *mine = done[me].seq;

    /* Lowered first: a request raised after this is seen by the next serve. */
    __atomic_exchange_n(&pending[me].flag, 0, __ATOMIC_ACQ_REL);
    for (unsigned int r = 0; r < n; r++) {
        struct request *rq = &requests[r];
        uint32_t seq = __atomic_load_n(&rq->seq, __ATOMIC_ACQUIRE), again;
        uintptr_t start, end;

        if (r == me || seq == mine[r]) {
            continue;
        }
        start = __atomic_load_n(&rq->start, __ATOMIC_RELAXED);
        end = __atomic_load_n(&rq->end, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        again = __atomic_load_n(&rq->seq, __ATOMIC_ACQUIRE);
        /*
         * Behind by more than one (its sender gave up waiting for us), or the
         * range changed under us: flushing everything covers whatever we
         * missed, up to the newest number we saw.
         */
        if (again != seq || seq != mine[r] + 1) {
            start = 0;
            end = ALL;
            seq = again;
        }
        flush_local(start, end);
        __atomic_store_n(&mine[r], seq, __ATOMIC_RELEASE);
    }
}

void arch_tlb_serve(void)
{
    unsigned long flags;

    if (!__atomic_load_n(&pending[arch_cpu_id()].flag, __ATOMIC_ACQUIRE)) {
        return; /* nothing asked of this CPU since its last serve */
    }
    flags = arch_irq_save();
    serve();
    arch_irq_restore(flags);
}

static void tlb_ipi(struct arch_regs *regs, void *ctx)
{
    (void)regs;
    (void)ctx;
    serve();
    arch_irq_eoi();
}

void arch_tlb_init(void)
{
    int rc = arch_irq_set_handler(ARCH_VECTOR_TLB, tlb_ipi, NULL);

    if (rc) {
        kite_pr_err("vector %#x is taken (%d): no TLB shootdown, unmapping is unsafe on SMP\n",
                    ARCH_VECTOR_TLB, rc);
        return;
    }
    ready = true;
}

unsigned long arch_tlb_timeouts(void)
{
    return __atomic_load_n(&timeouts, __ATOMIC_RELAXED);
}

/* Is every CPU in @targets done with request @seq of CPU @me? Warns about the rest on @late. */
static bool all_done(const uint64_t *targets, unsigned int me, uint32_t seq, bool late)
{
    bool all = true;

    for (unsigned int t = 0; t < CONFIG_NR_CPUS; t++) {
        if ((targets[t / 64] >> (t % 64)) & 1 &&
            __atomic_load_n(&done[t].seq[me], __ATOMIC_ACQUIRE) != seq) {
            all = false;
            if (late) {
                kite_pr_warn("CPU %u did not confirm a TLB flush from CPU %u within %u ms; "
                             "it may still use stale translations\n",
                             t, me, ACK_TIMEOUT_MS);
            }
        }
    }
    return all;
}

void arch_tlb_flush_range(uintptr_t va, size_t len)
{
    uintptr_t start = va & ~(uintptr_t)(KITE_PAGE_SIZE - 1), end = va + len;
    uint64_t targets[MASK_WORDS] = {0};
    unsigned int me, slots, sent = 0;
    unsigned long flags;
    uint64_t t0, limit;
    uint32_t seq;

    if (!len) {
        return;
    }
    end = end < va ? ALL : KITE_ALIGN_UP(end, (uintptr_t)KITE_PAGE_SIZE);
    if (end < start) {
        end = ALL; /* rounding up wrapped past the top */
    }
    /* Off: this CPU's slot holds one request at a time, and we stay on this CPU. */
    flags = arch_irq_save();
    flush_local(start, end);
    /* After a panic the others are stopped and cannot answer. */
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE) || kite_panicking || arch_cpus_online() < 2) {
        goto out;
    }
    me = arch_cpu_id();
    slots = __atomic_load_n(&nr_slots, __ATOMIC_RELAXED);
    while (slots <= me && !__atomic_compare_exchange_n(&nr_slots, &slots, me + 1, false,
                                                       __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
    }
    __atomic_store_n(&requests[me].start, start, __ATOMIC_RELAXED);
    __atomic_store_n(&requests[me].end, end, __ATOMIC_RELAXED);
    seq = requests[me].seq + 1;
    __atomic_store_n(&requests[me].seq, seq, __ATOMIC_RELEASE);
    for (unsigned int t = 0; t < CONFIG_NR_CPUS; t++) {
        struct arch_percpu *pc = arch_percpu_of(t);

        /* The boot CPU never sets its online flag: it was never started. */
        if (pc && t != me && (t == 0 || __atomic_load_n(&pc->online, __ATOMIC_ACQUIRE))) {
            targets[t / 64] |= 1ull << (t % 64);
            __atomic_store_n(&pending[t].flag, 1, __ATOMIC_RELEASE);
            arch_lapic_send_ipi(pc->apic_id, ARCH_VECTOR_TLB);
            sent++;
        }
    }
    t0 = arch_tsc();
    limit = ACK_TIMEOUT_MS * arch_tsc_khz;
    while (sent && !all_done(targets, me, seq, false)) {
        /* A CPU we wait for may itself be waiting for us, with its interrupts off. */
        serve();
        if (arch_tsc() - t0 > limit) {
            if (!all_done(targets, me, seq, true)) {
                __atomic_fetch_add(&timeouts, 1, __ATOMIC_RELAXED);
            }
            break;
        }
        arch_pause();
    }
out:
    arch_irq_restore(flags);
}
