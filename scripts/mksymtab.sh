#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The image's symbol table, for backtraces that name functions: reads the
# function symbols of a first link of kite.elf (one without the table) and
# writes an assembler file for the .kite_symtab section, which link.ld puts
# after the text. Functions therefore sit at the same addresses in the final
# link; the Makefile checks that they do.
#
#   mksymtab.sh KITE_ELF > symtab.S
#
# Layout (kernel/symbols.c reads it): a u64 count, then count entries of
# { u64 address, u32 size, u32 offset of the name in the string block },
# sorted by address, then the NUL-terminated names.
set -eu
nm -n -S --defined-only "$1" | awk '
    BEGIN { n = 0 }
    # "ADDR SIZE TYPE NAME" or, without a size, "ADDR TYPE NAME"
    NF == 4 && $3 ~ /^[tTwW]$/ { addr[n] = $1; size[n] = $2; name[n] = $4; n++; next }
    NF == 3 && $2 ~ /^[tTwW]$/ { addr[n] = $1; size[n] = "0"; name[n] = $3; n++; next }
    END {
        print "\t.section .kite_symtab, \"a\""
        print "\t.balign 8"
        print "\t.quad " n
        for (i = 0; i < n; i++)
            printf "\t.quad 0x%s\n\t.long 0x%s, .Lname%d - .Lnames\n", addr[i], size[i], i
        print ".Lnames:"
        for (i = 0; i < n; i++)
            printf ".Lname%d:\t.asciz \"%s\"\n", i, name[i]
    }'
