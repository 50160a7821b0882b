/* SPDX-License-Identifier: MIT */
/*
 * Work-sharing: loops (every schedule, signed and unsigned long long
 * iteration variables, ordered), sections and single (with copyprivate).
 *
 * A loop is normalised to n iterations numbered 0 .. n - 1 (iteration i is
 * start + i * incr) and handed out in chunks that together cover 0 .. n - 1
 * in order. An ordered loop passes a token along the chunks: the chunk
 * starting at ordered_turn may run its ordered regions, and its thread, when
 * done with the chunk, waits for the token and passes it to the next chunk.
 * Static schedules give the same chunks to the same threads as libgomp does.
 */
#include <stdlib.h>

#include <kite/panic.h>
#include <kite/thread.h>

#include <arch/cpu.h>

#include "omp_priv.h"

/* ---------------------------------------------------------------- the slots */

static void relax(unsigned long *spins)
{
    if (++*spins % 1024 == 0) {
        kite_thread_yield(); /* the awaited thread may share this CPU */
    } else {
        arch_pause();
    }
}

/*
 * Enter the next work-sharing construct: returns its slot; *first is true for
 * the thread that must set it up (then omp_ws_publish).
 */
struct omp_ws *omp_ws_enter(struct omp_thread *thr, bool *first)
{
    struct omp_team *team = thr->team;
    long gen = thr->ws_gen++;
    struct omp_ws *ws = &team->ws[gen % OMP_WS_SLOTS];
    unsigned long spins = 0;

    thr->cur_ws = ws;
    for (;;) {
        if (__atomic_load_n(&ws->gen, __ATOMIC_ACQUIRE) == gen) {
            *first = false;
            return ws;
        }
        /* It holds an older construct: it is taken once every thread has left that. */
        if (__atomic_load_n(&ws->left, __ATOMIC_ACQUIRE) == team->nthreads &&
            !__atomic_exchange_n(&ws->init, 1, __ATOMIC_ACQUIRE)) {
            if (__atomic_load_n(&ws->gen, __ATOMIC_ACQUIRE) == gen) {
                __atomic_store_n(&ws->init, 0, __ATOMIC_RELEASE);
                *first = false;
                return ws;
            }
            *first = true;
            return ws;
        }
        relax(&spins);
    }
}

void omp_ws_publish(struct omp_ws *ws, long gen)
{
    __atomic_store_n(&ws->left, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&ws->gen, gen, __ATOMIC_RELEASE);
    __atomic_store_n(&ws->init, 0, __ATOMIC_RELEASE);
}

void omp_ws_leave(struct omp_thread *thr, struct omp_ws *ws)
{
    thr->cur_ws = NULL;
    __atomic_add_fetch(&ws->left, 1, __ATOMIC_RELEASE);
}

void omp_ws_loop_init(struct omp_ws *ws, struct omp_thread *thr, enum omp_sched sched,
                      uint64_t start, uint64_t incr, uint64_t n, uint64_t chunk, bool ordered)
{
    (void)thr;
    if (sched == OMP_SCHED_AUTO) {
        sched = OMP_SCHED_STATIC;
    }
    if (!chunk && sched != OMP_SCHED_STATIC) {
        chunk = 1;
    }
    ws->sched = sched;
    ws->start = start;
    ws->incr = incr;
    ws->n = n;
    ws->chunk = chunk;
    ws->ordered = ordered;
    ws->next = 0;
    ws->ordered_turn = 0;
    ws->copyprivate = NULL;
}

/* ---------------------------------------------------------------- chunks */

/* The thread's next chunk of the loop in its slot, as iteration numbers [*lo, *hi). */
static bool next_chunk(struct omp_thread *thr, struct omp_ws *ws, uint64_t *lo, uint64_t *hi)
{
    uint64_t n = ws->n, nthr = thr->team->nthreads, i, q;

    switch (ws->sched) {
    case OMP_SCHED_STATIC:
        if (!ws->chunk) {
            uint64_t t = n % nthr;

            if (thr->static_trip++) {
                return false;
            }
            q = n / nthr;
            if (thr->tid < t) {
                t = 0;
                q++;
            }
            *lo = q * thr->tid + t;
            *hi = *lo + q;
            return *lo < *hi;
        }
        i = (thr->static_trip * nthr + thr->tid) * ws->chunk;
        if (i >= n || (thr->static_trip && i / ws->chunk / nthr != thr->static_trip)) {
            return false; /* the second test: the multiplication wrapped */
        }
        thr->static_trip++;
        *lo = i;
        *hi = n - i < ws->chunk ? n : i + ws->chunk;
        return true;
    case OMP_SCHED_DYNAMIC:
        if (__atomic_load_n(&ws->next, __ATOMIC_RELAXED) >= n) {
            return false;
        }
        i = __atomic_fetch_add(&ws->next, ws->chunk, __ATOMIC_RELAXED);
        if (i >= n) {
            return false;
        }
        *lo = i;
        *hi = n - i < ws->chunk ? n : i + ws->chunk;
        return true;
    default: /* guided: a share of what is left, at least chunk */
        i = __atomic_load_n(&ws->next, __ATOMIC_RELAXED);
        for (;;) {
            uint64_t rem;

            if (i >= n) {
                return false;
            }
            rem = n - i;
            q = (rem + nthr - 1) / nthr;
            if (q < ws->chunk) {
                q = ws->chunk;
            }
            if (q > rem) {
                q = rem;
            }
            if (__atomic_compare_exchange_n(&ws->next, &i, i + q, false, __ATOMIC_RELAXED,
                                            __ATOMIC_RELAXED)) {
                *lo = i;
                *hi = i + q;
                return true;
            }
        }
    }
}

/* Ordered loops: wait for the token to reach the chunk starting at @at. */
static void wait_turn(struct omp_ws *ws, uint64_t at)
{
    unsigned long spins = 0;

    while (__atomic_load_n(&ws->ordered_turn, __ATOMIC_ACQUIRE) != at) {
        relax(&spins);
    }
}

/* The thread is done with its chunk: pass the token on (ordered loops). */
static void chunk_done(struct omp_thread *thr, struct omp_ws *ws)
{
    if (ws->ordered && thr->has_chunk) {
        wait_turn(ws, thr->cur_start);
        __atomic_store_n(&ws->ordered_turn, thr->cur_end, __ATOMIC_RELEASE);
    }
    thr->has_chunk = false;
}

/* The common next: true and the chunk as iteration numbers, or false when the loop is done. */
static bool loop_next(struct omp_thread *thr, uint64_t *lo, uint64_t *hi)
{
    struct omp_ws *ws = thr->cur_ws;

    if (!ws) {
        return false;
    }
    chunk_done(thr, ws);
    if (!next_chunk(thr, ws, lo, hi)) {
        omp_ws_leave(thr, ws);
        return false;
    }
    thr->cur_start = *lo;
    thr->cur_end = *hi;
    thr->has_chunk = true;
    return true;
}

static bool loop_start(enum omp_sched sched, uint64_t start, uint64_t incr, uint64_t n,
                       uint64_t chunk, bool ordered, uint64_t *lo, uint64_t *hi)
{
    struct omp_thread *thr = omp_self();
    struct omp_ws *ws;
    bool first;

    omp_team_of(thr); /* an orphaned loop: the thread is a team of one */
    ws = omp_ws_enter(thr, &first);
    if (first) {
        omp_ws_loop_init(ws, thr, sched, start, incr, n, chunk, ordered);
        omp_ws_publish(ws, thr->ws_gen - 1);
    }
    thr->static_trip = 0;
    thr->has_chunk = false;
    return loop_next(thr, lo, hi);
}

/* ---------------------------------------------------------------- signed loops */

static uint64_t count_long(long start, long end, long incr)
{
    if (incr > 0) {
        return start < end ? ((uint64_t)end - (uint64_t)start - 1) / (uint64_t)incr + 1 : 0;
    }
    if (incr < 0) {
        return start > end ? ((uint64_t)start - (uint64_t)end - 1) / (0 - (uint64_t)incr) + 1 : 0;
    }
    return 0;
}

/* The chunk [lo, hi) of @ws's iteration numbers as loop variable values. */
static bool bounds_long(const struct omp_ws *ws, uint64_t lo, uint64_t hi, long *istart, long *iend)
{
    *istart = (long)(ws->start + lo * ws->incr);
    *iend = (long)(ws->start + hi * ws->incr);
    return true;
}

static bool start_long(enum omp_sched sched, long start, long end, long incr, long chunk,
                       bool ordered, long *istart, long *iend)
{
    uint64_t lo, hi;

    /* A thread with nothing has left the slot: its bounds are not read. */
    if (!loop_start(sched, (uint64_t)start, (uint64_t)incr, count_long(start, end, incr),
                    chunk > 0 ? (uint64_t)chunk : 0, ordered, &lo, &hi)) {
        return false;
    }
    return bounds_long(omp_self()->cur_ws, lo, hi, istart, iend);
}

static bool next_long(long *istart, long *iend)
{
    struct omp_thread *thr = omp_self();
    struct omp_ws *ws = thr->cur_ws;
    uint64_t lo, hi;

    return ws && loop_next(thr, &lo, &hi) && bounds_long(ws, lo, hi, istart, iend);
}

static enum omp_sched runtime_sched(long *chunk)
{
    struct omp_thread *thr = omp_self();

    *chunk = thr->icv.run_chunk;
    return thr->icv.run_sched;
}

/* A schedule's start and next entry points; LOOP_START adds the ordered forms. */
#define LOOP_PAIR(name, sched, ordered)                                                      \
    bool GOMP_loop_##name##_start(long start, long end, long incr, long chunk, long *istart, \
                                  long *iend);                                               \
    bool GOMP_loop_##name##_start(long start, long end, long incr, long chunk, long *istart, \
                                  long *iend)                                                \
    {                                                                                        \
        return start_long(sched, start, end, incr, chunk, ordered, istart, iend);            \
    }                                                                                        \
    bool GOMP_loop_##name##_next(long *istart, long *iend);                                  \
    bool GOMP_loop_##name##_next(long *istart, long *iend)                                   \
    {                                                                                        \
        return next_long(istart, iend);                                                      \
    }

#define LOOP_START(name, sched)   \
    LOOP_PAIR(name, sched, false) \
    LOOP_PAIR(ordered_##name, sched, true)

LOOP_START(static, OMP_SCHED_STATIC)
LOOP_START(dynamic, OMP_SCHED_DYNAMIC)
LOOP_START(guided, OMP_SCHED_GUIDED)

LOOP_PAIR(nonmonotonic_dynamic, OMP_SCHED_DYNAMIC, false)
LOOP_PAIR(nonmonotonic_guided, OMP_SCHED_GUIDED, false)

#define LOOP_RUNTIME(name, ordered)                                                           \
    bool GOMP_loop_##name##_start(long start, long end, long incr, long *istart, long *iend); \
    bool GOMP_loop_##name##_start(long start, long end, long incr, long *istart, long *iend)  \
    {                                                                                         \
        long chunk;                                                                           \
        enum omp_sched sched = runtime_sched(&chunk);                                         \
                                                                                              \
        return start_long(sched, start, end, incr, chunk, ordered, istart, iend);             \
    }                                                                                         \
    bool GOMP_loop_##name##_next(long *istart, long *iend);                                   \
    bool GOMP_loop_##name##_next(long *istart, long *iend)                                    \
    {                                                                                         \
        return next_long(istart, iend);                                                       \
    }

LOOP_RUNTIME(runtime, false)
LOOP_RUNTIME(nonmonotonic_runtime, false)
LOOP_RUNTIME(maybe_nonmonotonic_runtime, false)
LOOP_RUNTIME(ordered_runtime, true)

/* gcc's generic entry (sched: 1 static, 2 dynamic, 3 guided, 4 auto, 0 runtime; high bits:
 * monotonic). */
static enum omp_sched decode_sched(long sched, long *chunk)
{
    switch (sched & 0x7fffffff) {
    case 1:
        return OMP_SCHED_STATIC;
    case 2:
        return OMP_SCHED_DYNAMIC;
    case 3:
        return OMP_SCHED_GUIDED;
    case 4:
        return OMP_SCHED_AUTO;
    default:
        return runtime_sched(chunk);
    }
}

static void no_task_reductions(const void *reductions, void **mem, const char *what)
{
    if (reductions || (mem && *mem)) {
        kite_panic("openmp: %s with task reductions or lastprivate(conditional:) is not "
                   "supported by Kite's OpenMP runtime (docs/openmp.md)",
                   what);
    }
}

bool GOMP_loop_start(long start, long end, long incr, long sched, long chunk, long *istart,
                     long *iend, uintptr_t *reductions, void **mem);
bool GOMP_loop_start(long start, long end, long incr, long sched, long chunk, long *istart,
                     long *iend, uintptr_t *reductions, void **mem)
{
    no_task_reductions(reductions, mem, "GOMP_loop_start");
    sched = decode_sched(sched, &chunk);
    if (!istart) {
        /* Only the work-share is wanted (gcc passes no bounds for some reductions). */
        return start_long((enum omp_sched)sched, start, end, incr, chunk, false, &start, &end);
    }
    return start_long((enum omp_sched)sched, start, end, incr, chunk, false, istart, iend);
}

bool GOMP_loop_ordered_start(long start, long end, long incr, long sched, long chunk, long *istart,
                             long *iend, uintptr_t *reductions, void **mem);
bool GOMP_loop_ordered_start(long start, long end, long incr, long sched, long chunk, long *istart,
                             long *iend, uintptr_t *reductions, void **mem)
{
    no_task_reductions(reductions, mem, "GOMP_loop_ordered_start");
    sched = decode_sched(sched, &chunk);
    return start_long((enum omp_sched)sched, start, end, incr, chunk, true, istart, iend);
}

/* ---------------------------------------------------------------- unsigned long long loops */

typedef unsigned long long ull;

static uint64_t count_ull(bool up, ull start, ull end, ull incr)
{
    if (up) {
        return start < end && incr ? (end - start - 1) / incr + 1 : 0;
    }
    return start > end && incr ? (start - end - 1) / (0 - incr) + 1 : 0;
}

static bool start_ull(bool up, enum omp_sched sched, ull start, ull end, ull incr, ull chunk,
                      bool ordered, ull *istart, ull *iend)
{
    uint64_t lo, hi;
    struct omp_ws *ws;

    if (!loop_start(sched, start, incr, count_ull(up, start, end, incr), chunk, ordered, &lo,
                    &hi)) {
        return false;
    }
    ws = omp_self()->cur_ws;
    *istart = ws->start + lo * ws->incr;
    *iend = ws->start + hi * ws->incr;
    return true;
}

static bool next_ull(ull *istart, ull *iend)
{
    struct omp_thread *thr = omp_self();
    struct omp_ws *ws = thr->cur_ws;
    uint64_t lo, hi;

    if (!ws || !loop_next(thr, &lo, &hi)) {
        return false;
    }
    *istart = ws->start + lo * ws->incr;
    *iend = ws->start + hi * ws->incr;
    return true;
}

#define LOOP_ULL(name, sched, ordered)                                                  \
    bool GOMP_loop_ull_##name##_start(bool up, ull start, ull end, ull incr, ull chunk, \
                                      ull *istart, ull *iend);                          \
    bool GOMP_loop_ull_##name##_start(bool up, ull start, ull end, ull incr, ull chunk, \
                                      ull *istart, ull *iend)                           \
    {                                                                                   \
        return start_ull(up, sched, start, end, incr, chunk, ordered, istart, iend);    \
    }                                                                                   \
    bool GOMP_loop_ull_##name##_next(ull *istart, ull *iend);                           \
    bool GOMP_loop_ull_##name##_next(ull *istart, ull *iend)                            \
    {                                                                                   \
        return next_ull(istart, iend);                                                  \
    }

LOOP_ULL(static, OMP_SCHED_STATIC, false)
LOOP_ULL(dynamic, OMP_SCHED_DYNAMIC, false)
LOOP_ULL(guided, OMP_SCHED_GUIDED, false)
LOOP_ULL(nonmonotonic_dynamic, OMP_SCHED_DYNAMIC, false)
LOOP_ULL(nonmonotonic_guided, OMP_SCHED_GUIDED, false)
LOOP_ULL(ordered_static, OMP_SCHED_STATIC, true)
LOOP_ULL(ordered_dynamic, OMP_SCHED_DYNAMIC, true)
LOOP_ULL(ordered_guided, OMP_SCHED_GUIDED, true)

#define LOOP_ULL_RUNTIME(name, ordered)                                                   \
    bool GOMP_loop_ull_##name##_start(bool up, ull start, ull end, ull incr, ull *istart, \
                                      ull *iend);                                         \
    bool GOMP_loop_ull_##name##_start(bool up, ull start, ull end, ull incr, ull *istart, \
                                      ull *iend)                                          \
    {                                                                                     \
        long chunk;                                                                       \
        enum omp_sched sched = runtime_sched(&chunk);                                     \
                                                                                          \
        return start_ull(up, sched, start, end, incr, (ull)chunk, ordered, istart, iend); \
    }                                                                                     \
    bool GOMP_loop_ull_##name##_next(ull *istart, ull *iend);                             \
    bool GOMP_loop_ull_##name##_next(ull *istart, ull *iend)                              \
    {                                                                                     \
        return next_ull(istart, iend);                                                    \
    }

LOOP_ULL_RUNTIME(runtime, false)
LOOP_ULL_RUNTIME(nonmonotonic_runtime, false)
LOOP_ULL_RUNTIME(maybe_nonmonotonic_runtime, false)
LOOP_ULL_RUNTIME(ordered_runtime, true)

bool GOMP_loop_ull_start(bool up, ull start, ull end, ull incr, long sched, ull chunk, ull *istart,
                         ull *iend, uintptr_t *reductions, void **mem);
bool GOMP_loop_ull_start(bool up, ull start, ull end, ull incr, long sched, ull chunk, ull *istart,
                         ull *iend, uintptr_t *reductions, void **mem)
{
    long c = (long)chunk;
    enum omp_sched s;

    no_task_reductions(reductions, mem, "GOMP_loop_ull_start");
    s = decode_sched(sched, &c);
    return start_ull(up, s, start, end, incr, (ull)c, false, istart, iend);
}

/* ---------------------------------------------------------------- the ends, ordered */

void GOMP_loop_end(void);
void GOMP_loop_end_nowait(void);
bool GOMP_loop_end_cancel(void);
void GOMP_ordered_start(void);
void GOMP_ordered_end(void);

void GOMP_loop_end(void)
{
    struct omp_thread *thr = omp_self();

    if (thr->team) {
        omp_team_barrier(thr);
    }
}

void GOMP_loop_end_nowait(void)
{
}

bool GOMP_loop_end_cancel(void)
{
    GOMP_loop_end();
    return false;
}

void GOMP_ordered_start(void)
{
    struct omp_thread *thr = omp_self();

    if (thr->cur_ws && thr->has_chunk) {
        wait_turn(thr->cur_ws, thr->cur_start);
    }
}

void GOMP_ordered_end(void)
{
}

/* ---------------------------------------------------------------- combined parallel loops */

struct loop_setup {
    enum omp_sched sched;
    uint64_t start, incr, n, chunk;
};

static void setup_loop(struct omp_team *team, void *ctx)
{
    const struct loop_setup *l = ctx;
    struct omp_ws *ws = &team->ws[0];

    omp_ws_loop_init(ws, NULL, l->sched, l->start, l->incr, l->n, l->chunk, false);
    ws->left = 0;
    ws->gen = 0;
    team->ws_first = 1;
}

static void parallel_loop(void (*fn)(void *), void *data, unsigned int nthreads, long start,
                          long end, long incr, long chunk, unsigned int flags, enum omp_sched sched)
{
    struct loop_setup l = {sched, (uint64_t)start, (uint64_t)incr, count_long(start, end, incr),
                           chunk > 0 ? (uint64_t)chunk : 0};

    omp_parallel_run(fn, data, nthreads, flags, setup_loop, &l);
}

/* In a combined construct each member starts in slot 0; the first next takes its first chunk. */
#define PARALLEL_LOOP(name, sched)                                                        \
    void GOMP_parallel_loop_##name(void (*fn)(void *), void *data, unsigned int nthreads, \
                                   long start, long end, long incr, long chunk,           \
                                   unsigned int flags);                                   \
    void GOMP_parallel_loop_##name(void (*fn)(void *), void *data, unsigned int nthreads, \
                                   long start, long end, long incr, long chunk,           \
                                   unsigned int flags)                                    \
    {                                                                                     \
        parallel_loop(fn, data, nthreads, start, end, incr, chunk, flags, sched);         \
    }

PARALLEL_LOOP(static, OMP_SCHED_STATIC)
PARALLEL_LOOP(dynamic, OMP_SCHED_DYNAMIC)
PARALLEL_LOOP(guided, OMP_SCHED_GUIDED)
PARALLEL_LOOP(nonmonotonic_dynamic, OMP_SCHED_DYNAMIC)
PARALLEL_LOOP(nonmonotonic_guided, OMP_SCHED_GUIDED)

#define PARALLEL_LOOP_RUNTIME(name)                                                       \
    void GOMP_parallel_loop_##name(void (*fn)(void *), void *data, unsigned int nthreads, \
                                   long start, long end, long incr, unsigned int flags);  \
    void GOMP_parallel_loop_##name(void (*fn)(void *), void *data, unsigned int nthreads, \
                                   long start, long end, long incr, unsigned int flags)   \
    {                                                                                     \
        long chunk;                                                                       \
        enum omp_sched sched = runtime_sched(&chunk);                                     \
                                                                                          \
        parallel_loop(fn, data, nthreads, start, end, incr, chunk, flags, sched);         \
    }

PARALLEL_LOOP_RUNTIME(runtime)
PARALLEL_LOOP_RUNTIME(nonmonotonic_runtime)
PARALLEL_LOOP_RUNTIME(maybe_nonmonotonic_runtime)

/* ---------------------------------------------------------------- sections */

static unsigned int sections_next(struct omp_thread *thr)
{
    struct omp_ws *ws = thr->cur_ws;
    uint64_t i;

    if (!ws) {
        return 0;
    }
    i = __atomic_fetch_add(&ws->next, 1, __ATOMIC_RELAXED);
    if (i >= ws->n) {
        omp_ws_leave(thr, ws);
        return 0;
    }
    return (unsigned int)i + 1;
}

unsigned int GOMP_sections_start(unsigned int count);
unsigned int GOMP_sections_next(void);
void GOMP_sections_end(void);
void GOMP_sections_end_nowait(void);
bool GOMP_sections_end_cancel(void);
unsigned int GOMP_sections2_start(unsigned int count, uintptr_t *reductions, void **mem);
void GOMP_parallel_sections(void (*fn)(void *), void *data, unsigned int nthreads,
                            unsigned int count, unsigned int flags);

unsigned int GOMP_sections_start(unsigned int count)
{
    struct omp_thread *thr = omp_self();
    struct omp_ws *ws;
    bool first;

    omp_team_of(thr); /* orphaned sections: the thread is a team of one */
    ws = omp_ws_enter(thr, &first);
    if (first) {
        omp_ws_loop_init(ws, thr, OMP_SCHED_DYNAMIC, 0, 1, count, 1, false);
        omp_ws_publish(ws, thr->ws_gen - 1);
    }
    return sections_next(thr);
}

unsigned int GOMP_sections2_start(unsigned int count, uintptr_t *reductions, void **mem)
{
    no_task_reductions(reductions, mem, "GOMP_sections2_start");
    return GOMP_sections_start(count);
}

unsigned int GOMP_sections_next(void)
{
    return sections_next(omp_self());
}

void GOMP_sections_end(void)
{
    GOMP_loop_end();
}

void GOMP_sections_end_nowait(void)
{
}

bool GOMP_sections_end_cancel(void)
{
    GOMP_loop_end();
    return false;
}

static void setup_sections(struct omp_team *team, void *ctx)
{
    struct omp_ws *ws = &team->ws[0];

    omp_ws_loop_init(ws, NULL, OMP_SCHED_DYNAMIC, 0, 1, *(unsigned int *)ctx, 1, false);
    ws->left = 0;
    ws->gen = 0;
    team->ws_first = 1;
}

void GOMP_parallel_sections(void (*fn)(void *), void *data, unsigned int nthreads,
                            unsigned int count, unsigned int flags)
{
    omp_parallel_run(fn, data, nthreads, flags, setup_sections, &count);
}

/* ---------------------------------------------------------------- single */

bool GOMP_single_start(void);
void *GOMP_single_copy_start(void);
void GOMP_single_copy_end(void *data);

bool GOMP_single_start(void)
{
    struct omp_thread *thr = omp_self();
    struct omp_team *team = thr->team;
    unsigned long mine;

    if (!team || team->nthreads == 1) {
        return true;
    }
    mine = thr->single++;
    return __atomic_compare_exchange_n(&team->single_count, &mine, mine + 1, false,
                                       __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

/* The thread that runs the block gets NULL; the others get the data it passes to copy_end. */
void *GOMP_single_copy_start(void)
{
    struct omp_thread *thr = omp_self();
    struct omp_ws *ws;
    bool first;
    void *data;

    if (!thr->team || thr->team->nthreads == 1) {
        return NULL;
    }
    ws = omp_ws_enter(thr, &first);
    if (first) {
        ws->copyprivate = NULL;
        omp_ws_publish(ws, thr->ws_gen - 1);
        return NULL;
    }
    omp_team_barrier(thr);
    data = ws->copyprivate;
    omp_ws_leave(thr, ws);
    return data;
}

void GOMP_single_copy_end(void *data)
{
    struct omp_thread *thr = omp_self();
    struct omp_ws *ws = thr->cur_ws;

    if (!thr->team || thr->team->nthreads == 1 || !ws) {
        return;
    }
    ws->copyprivate = data;
    omp_team_barrier(thr);
    omp_ws_leave(thr, ws);
}
