/* SPDX-License-Identifier: MIT */
/*
 * ctype.h for the C locale: plain range tests on ASCII. EOF and values past
 * 127 belong to no class and map to themselves.
 */
#include <ctype.h>

#include "libc_priv.h"

int LIBC_NAME(isupper)(int c)
{
    return c >= 'A' && c <= 'Z';
}

int LIBC_NAME(islower)(int c)
{
    return c >= 'a' && c <= 'z';
}

int LIBC_NAME(isalpha)(int c)
{
    return LIBC_NAME(isupper)(c) || LIBC_NAME(islower)(c);
}

int LIBC_NAME(isdigit)(int c)
{
    return c >= '0' && c <= '9';
}

int LIBC_NAME(isalnum)(int c)
{
    return LIBC_NAME(isalpha)(c) || LIBC_NAME(isdigit)(c);
}

int LIBC_NAME(isxdigit)(int c)
{
    return LIBC_NAME(isdigit)(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int LIBC_NAME(isblank)(int c)
{
    return c == ' ' || c == '\t';
}

int LIBC_NAME(isspace)(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

int LIBC_NAME(iscntrl)(int c)
{
    return (c >= 0 && c < 0x20) || c == 0x7f;
}

int LIBC_NAME(isprint)(int c)
{
    return c >= 0x20 && c < 0x7f;
}

int LIBC_NAME(isgraph)(int c)
{
    return c > 0x20 && c < 0x7f;
}

int LIBC_NAME(ispunct)(int c)
{
    return LIBC_NAME(isgraph)(c) && !LIBC_NAME(isalnum)(c);
}

int LIBC_NAME(isascii)(int c)
{
    return c >= 0 && c < 0x80;
}

int LIBC_NAME(tolower)(int c)
{
    return LIBC_NAME(isupper)(c) ? c - 'A' + 'a' : c;
}

int LIBC_NAME(toupper)(int c)
{
    return LIBC_NAME(islower)(c) ? c - 'a' + 'A' : c;
}
