/* SPDX-License-Identifier: MIT */
/*
 * What kitectl reads from its command line and prints back: CPU lists
 * ("2,3", "2-5", "1,4-6"), sizes ("256M", "1G", "4194304") and memory lists
 * ("256M@1,512M@0"). Pure functions, host-tested in tests/kitectl_utest.c.
 * Each parser takes the whole string or refuses it with a one-line message
 * naming the bad item and the expected form; a refused parse leaves its
 * outputs cleared.
 */
#pragma once

#include "../include/kite_host.h"

#include <stddef.h>
#include <stdint.h>

#define KITECTL_ERR_MAX 256 /* an error buffer this long holds any message whole */

/* One item of a memory list: a chunk of @size bytes on NUMA node @node. */
struct kitectl_memreq {
    uint64_t size;
    uint32_t node;
};

/**
 * kitectl_parse_cpulist - parse a list of Linux CPU numbers into a bitmap
 * @s: items separated by commas, each N or N-M (M >= N), CPUs 0-255, each
 *     CPU at most once
 * @mask: bit n set for CPU n
 *
 * Returns 0, or -1 with @err saying what was wrong.
 */
int kitectl_parse_cpulist(const char *s, uint64_t mask[KITE_HOST_CPU_WORDS], char *err,
                          size_t errlen);

/**
 * kitectl_parse_size - parse a size in bytes: digits with an optional K, M,
 * G or T suffix (binary: 1K = 1024, either case); the value must fit 64 bits
 *
 * Returns 0, or -1 with @err saying what was wrong.
 */
int kitectl_parse_size(const char *s, uint64_t *bytes, char *err, size_t errlen);

/**
 * kitectl_parse_memlist - parse SIZE@NODE items separated by commas
 * @max: room in @req (at most KITE_HOST_MAX_CHUNKS items are meaningful)
 *
 * Each item names one physically contiguous chunk, so an item may repeat
 * (256M@1,256M@1 is two chunks). Sizes must be non-zero multiples of 2 MiB,
 * nodes below KITE_HOST_MAX_NODES.
 *
 * Returns 0 with *@nr items, or -1 with @err saying what was wrong.
 */
int kitectl_parse_memlist(const char *s, struct kitectl_memreq *req, unsigned int max,
                          unsigned int *nr, char *err, size_t errlen);

/* Parse a decimal number up to @max (an instance, a CPU, seconds); 0 or -1. */
int kitectl_parse_uint(const char *s, uint32_t max, uint32_t *out);

/* Whether CPU @cpu is set in @mask, and how many are. */
int kitectl_cpu_isset(const uint64_t mask[KITE_HOST_CPU_WORDS], unsigned int cpu);
unsigned int kitectl_cpu_count(const uint64_t mask[KITE_HOST_CPU_WORDS]);

/* "2-3,5", as Linux writes CPU lists; "" for none. */
void kitectl_format_cpulist(const uint64_t mask[KITE_HOST_CPU_WORDS], char *buf, size_t len);

/* The largest suffix that divides exactly: "256M", "1G", "3K", "1000". */
void kitectl_format_size(uint64_t bytes, char *buf, size_t len);
