/* SPDX-License-Identifier: MIT */
/*
 * Reading little-endian fields at any alignment: firmware tables and boot
 * blocks are byte-packed and come from outside, so fields are copied out
 * rather than read through casts. Pure; used by kernel and host code.
 */
#pragma once

#include <stdint.h>

static inline uint16_t kite_get_le16(const uint8_t *p)
{
    uint16_t v;

    __builtin_memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint32_t kite_get_le32(const uint8_t *p)
{
    uint32_t v;

    __builtin_memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint64_t kite_get_le64(const uint8_t *p)
{
    uint64_t v;

    __builtin_memcpy(&v, p, sizeof(v));
    return v;
}
