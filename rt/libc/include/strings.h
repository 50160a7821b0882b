/* SPDX-License-Identifier: MIT */
/* Case-insensitive comparison, ASCII only (the C locale) (rt/libc/string.c). */
#pragma once

#include <stddef.h>

int strcasecmp(const char *a, const char *b);
int strncasecmp(const char *a, const char *b, size_t n);
