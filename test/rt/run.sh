#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# External runtimes (make EXT=dir): build the image with rt/examples/hello
# linked in (configs/default_defconfig, in BUILD_PARENT/ext-hello), check that
# EXT is what relinks the image, boot it on 2 CPUs with
# kite.args="one two" -- three and check kite_main's arguments, the workers'
# results and the exit status; then check that a bad EXT stops make with a
# message saying what is wrong. Every boot runs under a timeout.
#
#   run.sh BUILD_PARENT    (make test passes build/test/rt)
set -u
if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD_PARENT (make test passes build/test/rt)" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
root=$(cd "$here/../.." && pwd)
cd "$root"
parent=$1
mkdir -p "$parent"
parent=$(cd "$parent" && pwd)
out=$parent/ext-hello
ext=rt/examples/hello
BOOT_TIMEOUT=${KITE_BOOT_TIMEOUT:-120}
mk() { make --no-print-directory -j"${JOBS:-2}" O="$out" "$@"; }
has_main() { nm "$out/kite.elf" 2>/dev/null | grep -q ' T kite_main$'; }

if [ ! -f "$out/.config" ] || [ configs/default_defconfig -nt "$out/.config" ]; then
    mk default_defconfig >/dev/null
fi
if mk EXT="$ext" all >"$parent/build.log" 2>&1 && has_main; then
    pass "make EXT=$ext builds kite.elf with the runtime's kite_main"
else
    fail "make EXT=$ext did not build an image with kite_main" "$(tail -15 "$parent/build.log")"
fi
if grep -q "\"file\":\"$ext/hello.c\"" "$out/compile_commands.json" 2>/dev/null; then
    pass "compile_commands.json lists $ext/hello.c"
else
    fail "compile_commands.json has no entry for $ext/hello.c"
fi

# EXT is part of what the image is built from: dropping it relinks without the runtime.
if mk all >"$parent/noext.log" 2>&1 && ! has_main && mk EXT="$ext" all >"$parent/reext.log" 2>&1 &&
    has_main; then
    pass "without EXT the image is relinked without kite_main, and with it again with it"
else
    fail "changing EXT did not relink the image as expected" \
        "$(tail -5 "$parent/noext.log" "$parent/reext.log" 2>/dev/null)"
fi

# Boot: kite.args's words come first, then those after --.
iso=$parent/hello.iso
log=$parent/hello.log
rm -f "$log"
if scripts/mkiso.sh "$out/kite.elf" "$iso" 'kite.args="one two" -- three' 0 >/dev/null 2>&1; then
    timeout $((BOOT_TIMEOUT + 30)) scripts/qemu.sh --iso "$iso" --smp 2 --mem 256M \
        --timeout "$BOOT_TIMEOUT" --serial "$log" >/dev/null 2>"$parent/hello.err"
    status=$?
else
    fail "scripts/mkiso.sh could not build $iso"
    status=none
fi
[ -f "$log" ] || : >"$log"
if [ "$status" = 1 ]; then
    pass "hello powered off with status 0 (QEMU status 1)"
else
    fail "hello: QEMU status $status, expected 1 (Kite's 0)" "$(grep -a '\] ' "$log" | tail -8)"
fi
args=$(sed -n 's/.*hello: \(argv\[[0-9]*\] = .*\)$/\1/p;s/.*hello: \([0-9]* arguments\{0,1\} after argv\[0\] = .*\)$/\1/p' "$log" |
    tr -d '\r' | paste -sd'|')
want='3 arguments after argv[0] = hello|argv[1] = one|argv[2] = two|argv[3] = three'
if [ "$args" = "$want" ]; then
    pass "kite_main got argv hello, one, two (kite.args), three (after --)"
else
    fail "kite_main's arguments: got '$args', expected '$want'"
fi
# HELLO_N=1000000 comes from kite.mk's ext-cflags (the source's default is 1000).
if grep -aq 'hello: CPU 0: squares of ' "$log" && grep -aq 'hello: CPU 1: squares of ' "$log" &&
    grep -aq 'hello: 2 workers: total 333333833333500000, as expected' "$log"; then
    pass "one worker per CPU (2), joined, with the total of ext-cflags' HELLO_N=1000000"
else
    fail "hello's workers: no result from both CPUs with the expected total" \
        "$(grep -a 'hello:' "$log" | tail -6)"
fi

# bad_ext NAME EXPECTED-MESSAGE EXT: make must stop, saying what is wrong.
bad_ext() {
    local name=$1 want=$2 dir=$3 msg
    msg=$(mk EXT="$dir" all 2>&1)
    if [ $? -ne 0 ] && printf '%s\n' "$msg" | grep -qF -- "$want"; then
        pass "bad EXT ($name) stops make: ${want}"
    else
        fail "bad EXT ($name): expected make to fail with '$want'" "$msg"
    fi
}
bad=$parent/bad
rm -rf "$bad"
mkdir -p "$bad/nomk" "$bad/nosrcs" "$bad/missing"
echo 'ext-name := nosrcs' >"$bad/nosrcs/kite.mk"
echo 'ext-srcs := present.c absent.c' >"$bad/missing/kite.mk"
echo 'int kite_present(void);' >"$bad/missing/present.c"
bad_ext "missing folder" "EXT=$bad/none: no such folder" "$bad/none"
bad_ext "no kite.mk" "no kite.mk in $bad/nomk" "$bad/nomk"
bad_ext "no ext-srcs" "$bad/nosrcs/kite.mk lists no sources" "$bad/nosrcs"
bad_ext "missing source" "ext-srcs names $bad/missing/absent.c, which does not exist" "$bad/missing"
finish
