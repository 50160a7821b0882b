/* SPDX-License-Identifier: MIT */
/*
 * The general utilities of C: memory on the Kite heap, conversions, sorting
 * and searching, pseudo-random numbers, the end of the program and the
 * environment (rt/libc/).
 */
#pragma once

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX     0x7fff

typedef struct {
    int quot;
    int rem;
} div_t;
typedef struct {
    long quot;
    long rem;
} ldiv_t;
typedef struct {
    long long quot;
    long long rem;
} lldiv_t;

/*
 * The kite_malloc heap: blocks are 16-byte aligned and allocated on the
 * calling CPU's NUMA node; any CPU may free them. malloc(0) returns a unique
 * pointer. On failure: NULL and errno ENOMEM.
 */
void *malloc(size_t size);
void *calloc(size_t count, size_t size);
void *realloc(void *ptr, size_t size);
void free(void *ptr);
/* @align: a power of two (else NULL, EINVAL). */
void *aligned_alloc(size_t align, size_t size);
/* 0, or EINVAL (@align not a power of two multiple of sizeof(void *)) or ENOMEM. */
int posix_memalign(void **out, size_t align, size_t size);

long strtol(const char *restrict s, char **restrict end, int base);
unsigned long strtoul(const char *restrict s, char **restrict end, int base);
long long strtoll(const char *restrict s, char **restrict end, int base);
unsigned long long strtoull(const char *restrict s, char **restrict end, int base);
/*
 * Correctly rounded (to nearest, ties to even), as glibc: decimal and hex
 * (0x1.8p3) forms, inf, infinity, nan and nan(...) (payload not kept).
 * ERANGE on overflow (+-HUGE_VAL) and on an inexact result below the
 * normal range.
 */
double strtod(const char *restrict s, char **restrict end);
float strtof(const char *restrict s, char **restrict end);
double atof(const char *s);
int atoi(const char *s);
long atol(const char *s);
long long atoll(const char *s);

int abs(int v);
long labs(long v);
long long llabs(long long v);
div_t div(int num, int den);
ldiv_t ldiv(long num, long den);
lldiv_t lldiv(long long num, long long den);

/* Introsort: O(n log n) on any input; not stable. */
void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
void *bsearch(const void *key, const void *base, size_t n, size_t size,
              int (*cmp)(const void *, const void *));

/*
 * The C standard's example generator (next = next * 1103515245 + 12345,
 * result bits 16-30): values 0..RAND_MAX (32767), seed 1 at start. One state
 * for the whole image, updated atomically: for tests and examples, not for
 * statistics.
 */
int rand(void);
void srand(unsigned int seed);

/* Log "abort() called" with a backtrace and stop the machine (kite_panic). */
_Noreturn void abort(void);
/* Run the atexit handlers, last registered first, then kite_poweroff(@status). */
_Noreturn void exit(int status);
/* Power off at once, without the handlers. */
_Noreturn void _Exit(int status);
/* 0, or -1 when the table (32 handlers) is full. */
int atexit(void (*fn)(void));

/*
 * The environment is kite.env="NAME=VALUE NAME2=VALUE2" on the command line
 * (double quotes group the words); NULL when @name is not set there.
 */
char *getenv(const char *name);
