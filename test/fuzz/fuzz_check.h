/* SPDX-License-Identifier: MIT */
/*
 * What the fuzz targets share: checking a refused result was cleared, and
 * aborting on a broken contract so that libFuzzer saves the input.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The parsers clear a refused result with memset, padding included: every byte must be 0. */
static inline bool fuzz_all_zero(const void *p, size_t len)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < len; i++) {
        if (b[i] != 0) {
            return false;
        }
    }
    return true;
}

/* @target names the fuzzer in the message, @what the broken promise. */
static inline void fuzz_broken(const char *target, const char *what)
{
    fprintf(stderr, "%s: contract broken: %s\n", target, what);
    abort();
}
