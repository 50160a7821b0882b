#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The build system keeps its promises: defconfigs, savedefconfig, quiet and
# V=1 output, header dependencies, rebuilds on flag changes,
# compile_commands.json, and clear errors for bad input (an unknown
# defconfig, a corrupt image, bad QEMU options). Works in its own O= folder.
#
#   run.sh WORKDIR
set -u
if [ $# -ne 1 ]; then
    echo "usage: $0 WORKDIR (a scratch build folder it empties first; make test uses" >&2
    echo "       build/test/buildcheck)" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
cd "$here/../.."
w=$1
rm -rf "$w"
mk() { make --no-print-directory -j2 O="$w" "$@" 2>&1; }

echo "build system (in $w)"

out=$(mk debug_defconfig && mk)
if [ -f "$w/kite.elf" ] && grep -q '^#define CONFIG_DEBUG 1' "$w/include/generated/autoconf.h"; then
    pass "make debug_defconfig && make builds the debug image"
else
    fail "debug build" "$(printf '%s\n' "$out" | tail -5)"
fi
if printf '%s\n' "$out" | grep -q '^  CC      kernel/main.o$' && ! printf '%s\n' "$out" | grep -q ' -mno-red-zone '; then
    pass "quiet output names objects ('  CC      kernel/main.o'), not commands"
else
    fail "quiet output" "$(printf '%s\n' "$out" | head -5)"
fi
check "kite.elf carries debug info for gdb" sh -c "readelf -S '$w/kite.elf' | grep -q '\.debug_info'"

# The debug image (heap poisoning, red zones) passes the in-kernel tests too.
scripts/mkiso.sh "$w/kite.elf" "$w/debug.iso" "kite.test=all" 0
scripts/qemu.sh --iso "$w/debug.iso" --smp 2 --mem 512M --timeout 120 --serial "$w/debug.log" \
    >/dev/null 2>&1
status=$?
line=$(grep -ao 'test: [0-9]* passed, [0-9]* failed' "$w/debug.log" | tail -1)
if [ $status -eq 1 ] && printf '%s\n' "$line" | grep -q ' 0 failed'; then
    pass "the debug image boots and passes its tests ($line)"
else
    fail "debug image: QEMU status $status, '$line'" "$(grep -a 'FAIL\|error:\|PANIC' "$w/debug.log" | head)"
fi

out=$(mk savedefconfig)
if [ "$(grep -v '^#' "$w/defconfig" | sort)" = "$(grep -v '^#' configs/debug_defconfig | sort)" ]; then
    pass "savedefconfig gives back configs/debug_defconfig"
else
    fail "savedefconfig" "$out" "$(cat "$w/defconfig" 2>/dev/null)"
fi

# symtab.o is the link's own (the symbol table of the first link), not a compiled source.
objs=$(find "$w" -name '*.o' ! -name symtab.o | wc -l)
entries=$(grep -c '"file":' "$w/compile_commands.json" 2>/dev/null || echo 0)
if [ "$objs" -gt 0 ] && [ "$entries" -eq "$objs" ] && head -c1 "$w/compile_commands.json" | grep -q '\[' &&
    tail -c2 "$w/compile_commands.json" | grep -q '\]'; then
    pass "compile_commands.json lists all $objs objects"
else
    fail "compile_commands.json has $entries entries for $objs objects"
fi

out=$(mk -n -W include/kite/printk.h)
if printf '%s\n' "$out" | grep -q 'kernel/printk.c' && ! printf '%s\n' "$out" | grep -q 'boot/header.S'; then
    pass "a changed header rebuilds exactly its users"
else
    fail "header dependencies" "$(printf '%s\n' "$out" | grep -o '[a-z0-9_/]*\.[cS] ' | head)"
fi

out=$(mk V=1 -W kernel/init.c)
check "V=1 shows full commands" sh -c "printf '%s\n' \"\$1\" | grep -q 'gcc .*-mno-red-zone.*kernel/init.c'" _ "$out"

out=$(mk EXTRA_CFLAGS=-DKITE_FLAG_CHECK)
again=$(mk EXTRA_CFLAGS=-DKITE_FLAG_CHECK)
if printf '%s\n' "$out" | grep -q 'CC      kernel/main.o' && ! printf '%s\n' "$again" | grep -q ' CC '; then
    pass "changed compiler flags rebuild everything, once"
else
    fail "flag tracking" "first: $(printf '%s\n' "$out" | grep -c ' CC ') compiles" \
        "second: $(printf '%s\n' "$again" | grep -c ' CC ') compiles"
fi

out=$(mk nosuch_defconfig)
rc=$?
if [ $rc -ne 0 ] && printf '%s\n' "$out" | grep -q 'no configs/nosuch_defconfig' &&
    printf '%s\n' "$out" | grep -q 'default_defconfig'; then
    pass "an unknown defconfig is refused, naming the choices"
else
    fail "unknown defconfig (exit $rc)" "$out"
fi

# A corrupt image: the multiboot2 magic overwritten.
cp "$w/kite.elf" "$w/corrupt.elf"
off=$(LC_ALL=C grep -obUaP '\xd6\x50\x52\xe8' "$w/corrupt.elf" | head -1 | cut -d: -f1)
printf '\0\0\0\0' | dd of="$w/corrupt.elf" bs=1 seek="$off" conv=notrunc status=none
out=$(scripts/check-image.sh "$w/corrupt.elf" 2>&1)
rc=$?
if [ $rc -ne 0 ] && printf '%s\n' "$out" | grep -q 'no multiboot2 header'; then
    pass "a corrupt image is refused: $out"
else
    fail "corrupt image check (exit $rc)" "$out"
fi

out=$(scripts/qemu.sh --iso "$w/none.iso" --smp x 2>&1)
rc=$?
if [ $rc -eq 2 ] && printf '%s\n' "$out" | grep -q "expected a CPU count"; then
    pass "bad QEMU options are refused: $out"
else
    fail "qemu.sh --smp x (exit $rc)" "$out"
fi

out=$(make --no-print-directory help)
check "make help lists run, test, iso and menuconfig" sh -c \
    "printf '%s\n' \"\$1\" | grep -q 'make run' && printf '%s\n' \"\$1\" | grep -q 'make menuconfig' && printf '%s\n' \"\$1\" | grep -q 'make iso'" _ "$out"

finish
