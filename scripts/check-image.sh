#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Check a freshly linked kite.elf the way a multiboot2 loader will see it, so
# a layout mistake fails the build instead of a boot: the multiboot2 header
# sits 8-byte aligned in the first 32 KiB with a valid checksum, every loaded
# segment lies below 4 GiB physically, and the entry point is inside one.
set -eu
elf=$1
fail() { echo "check-image: $elf: $*" >&2; exit 1; }

[ -f "$elf" ] || fail "no such file"
# 32 KiB as little-endian 32-bit words; the header magic is 0xe85250d6.
mapfile -t words < <(od -An -v -t x4 -N 32768 "$elf" | tr -s ' ' '\n' | sed '/^$/d')
found=-1
for ((i = 0; i + 3 < ${#words[@]}; i += 2)); do
    if [ "${words[$i]}" = e85250d6 ]; then
        found=$i
        break
    fi
done
[ $found -ge 0 ] || fail "no multiboot2 header in the first 32 KiB"
sum=$(( (0x${words[$found]} + 0x${words[$((found + 1))]} + 0x${words[$((found + 2))]} + 0x${words[$((found + 3))]}) & 0xffffffff ))
[ $sum -eq 0 ] || fail "multiboot2 header checksum is wrong (sum 0x$(printf %x $sum))"

entry=$(readelf -h "$elf" | awk '/Entry point/ {print $4}')
in_segment=0
while read -r type off vaddr paddr filesz memsz; do
    [ "$type" = LOAD ] || continue
    (( paddr + memsz <= 0x100000000 )) || fail "segment at physical $paddr crosses 4 GiB"
    if (( entry >= vaddr && entry < vaddr + memsz )); then in_segment=1; fi
done < <(readelf -lW "$elf" | awk '$1 == "LOAD" {print $1, $2, $3, $4, $5, $6}')
[ $in_segment -eq 1 ] || fail "entry point $entry is not inside a loaded segment"
