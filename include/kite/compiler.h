/* SPDX-License-Identifier: MIT */
/*
 * Compiler helpers used across Kite: attributes, section placement, sizes.
 * Pure macros; safe to include from host code (tests, the host loader).
 */
#pragma once

#define KITE_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define KITE_USED              __attribute__((used))
#define KITE_UNUSED            __attribute__((unused))
#define KITE_SECTION(s)        __attribute__((section(s)))
#define KITE_ALIGNED(n)        __attribute__((aligned(n)))
#define KITE_PACKED            __attribute__((packed))
#define KITE_NORETURN          __attribute__((noreturn))
#define KITE_WEAK              __attribute__((weak))
#define KITE_ALWAYS_INLINE     inline __attribute__((always_inline))
#define KITE_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
/* A result the caller must look at: error codes, allocations. */
#define KITE_MUST_CHECK __attribute__((warn_unused_result))

#define kite_likely(x)   __builtin_expect(!!(x), 1)
#define kite_unlikely(x) __builtin_expect(!!(x), 0)

#define KITE_ALIGN_UP(x, a)   (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define KITE_ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define KITE_MIN(a, b)        ((a) < (b) ? (a) : (b))
#define KITE_MAX(a, b)        ((a) > (b) ? (a) : (b))

#define KITE_STR_(x) #x
#define KITE_STR(x)  KITE_STR_(x)

#define kite_container_of(ptr, type, member) \
    ((type *)(void *)((char *)(ptr) - __builtin_offsetof(type, member)))

#define KITE_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)

/* Force a single read or write the compiler may not merge, split or drop. */
#define KITE_READ_ONCE(x)     (*(const volatile __typeof__(x) *)&(x))
#define KITE_WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

/*
 * The end of a linker-section table (KITE_PARAM, KITE_TEST, KITE_INIT,
 * KITE_CONSOLE). Its bounds are two linker symbols, which C sees as distinct
 * objects, so the end is reached from the start by a count of entries.
 */
#define KITE_SECTION_END(start, end) \
    ((start) + ((__UINTPTR_TYPE__)(end) - (__UINTPTR_TYPE__)(start)) / sizeof(*(start)))
