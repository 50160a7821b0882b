#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# make check: clang-format (check mode), cppcheck and clang-tidy over the
# build's own file list (build/compile_commands.json, the headers, the host
# tests). Prints each tool's findings and one line per tool; fails on any.
#
#   check.sh [--format-only] BUILD_DIR
set -u
format_only=0
if [ "${1:-}" = --format-only ]; then format_only=1; shift; fi
O=${1:-build}
cd "$(dirname "$0")/.."
. test/lib.sh

db=$O/compile_commands.json
sources=()
if [ -f "$db" ]; then
    mapfile -t sources < <(sed -n 's/.*"file":"\([^"]*\.c\)".*/\1/p' "$db" | sort -u)
fi
mapfile -t headers < <(git ls-files '*.h' 2>/dev/null || find include arch kernel drivers -name '*.h')
mapfile -t utests < <(git ls-files '*_utest.c' 2>/dev/null)
echo "make check: ${#sources[@]} sources, ${#headers[@]} headers, ${#utests[@]} host tests"

out=$(clang-format --dry-run --Werror "${sources[@]}" "${headers[@]}" "${utests[@]}" 2>&1)
if [ -z "$out" ]; then pass "clang-format"; else
    fail "clang-format: run clang-format -i on these" "$(printf '%s\n' "$out" | grep -o '^[^:]*' | sort -u)"
fi
[ $format_only = 1 ] && { finish; exit; }

[ ${#sources[@]} -gt 0 ] || { fail "no $db: run make first"; finish; exit; }

out=$(cppcheck --quiet --std=c11 --enable=warning,portability,performance --inline-suppr \
    --error-exitcode=1 --suppress=missingIncludeSystem -D__x86_64__ -D__GNUC__ \
    -Iinclude -Iarch/x86_64/include -I"$O/include" --include="$O/include/generated/autoconf.h" \
    "${sources[@]}" 2>&1)
if [ $? -eq 0 ]; then pass "cppcheck"; else fail "cppcheck" "$out"; fi

# clang does not know every gcc flag the kernel uses: give it a filtered database. gcc's
# omp.h (included by rt/omp and -fopenmp sources) has gcc 11's __malloc__(deallocator)
# attribute, which clang refuses; a function-like macro drops that form and leaves the
# plain __malloc__.
tidy=$O/tidy
mkdir -p "$tidy"
sed -e 's/ -mgeneral-regs-only//g' -e 's/ -fno-optimize-sibling-calls//g' \
    -e 's/ -ffreestanding/ -ffreestanding -D__malloc__(...)=/g' "$db" > "$tidy/compile_commands.json"
out=$(clang-tidy -p "$tidy" --quiet "${sources[@]}" 2>&1 | grep -v '^[0-9]* warnings\? generated\.$')
if [ -z "$(printf '%s\n' "$out" | grep -E 'warning:|error:')" ]; then pass "clang-tidy"; else
    fail "clang-tidy" "$(printf '%s\n' "$out" | grep -E -A3 'warning:|error:' | head -60)"
fi
finish
