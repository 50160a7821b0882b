#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# External runtimes (make EXT=dir): build the image with rt/examples/hello
# linked in (configs/default_defconfig, in BUILD_PARENT/ext-hello), check that
# EXT is what relinks the image, boot it on 2 CPUs with
# kite.args="one two" -- three and check kite_main's arguments, the workers'
# results and the exit status. Build rt/examples/pthreads the same way (in
# BUILD_PARENT/ext-pthreads), boot it on 2 CPUs and compare its output with
# the same program built for the host with gcc -pthread. Then check that a
# bad EXT stops make with a message saying what is wrong. Every boot runs
# under a timeout.
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

# The pthreads example (rt/examples/pthreads): a plain C program on <pthread.h>, built into its
# own image (BUILD_PARENT/ext-pthreads), booted on 2 CPUs, and built for the host with
# gcc -pthread: both must print the same "pthreads: " lines and exit 0.
pt_ext=rt/examples/pthreads
pt_out=$parent/ext-pthreads
mkpt() { make --no-print-directory -j"${JOBS:-2}" O="$pt_out" "$@"; }
if [ ! -f "$pt_out/.config" ] || [ configs/default_defconfig -nt "$pt_out/.config" ]; then
    mkpt default_defconfig >/dev/null
fi
pt_log=$parent/pthreads.log
rm -f "$pt_log"
if mkpt EXT="$pt_ext" all >"$parent/pthreads-build.log" 2>&1 &&
    nm "$pt_out/kite.elf" 2>/dev/null | grep -q ' T main$'; then
    pass "make EXT=$pt_ext builds kite.elf with the program's main"
    if scripts/mkiso.sh "$pt_out/kite.elf" "$parent/pthreads.iso" '' 0 >/dev/null 2>&1; then
        timeout $((BOOT_TIMEOUT + 30)) scripts/qemu.sh --iso "$parent/pthreads.iso" --smp 2 \
            --mem 256M --timeout "$BOOT_TIMEOUT" --serial "$pt_log" >/dev/null \
            2>"$parent/pthreads.err"
        status=$?
    else
        status="none (scripts/mkiso.sh failed)"
    fi
else
    fail "make EXT=$pt_ext did not build an image with main" \
        "$(tail -15 "$parent/pthreads-build.log")"
    status="none (no image)"
fi
[ -f "$pt_log" ] || : >"$pt_log"
if [ "$status" = 1 ]; then
    pass "pthreads: exited with status 0 on 2 CPUs (QEMU status 1)"
else
    fail "pthreads: QEMU status $status, expected 1 (Kite's 0)" "$(grep -a '\] ' "$pt_log" | tail -8)"
fi
grep -a '^pthreads: ' "$pt_log" | tr -d '\r' >"$parent/pthreads-kite.out"
host_bin=$parent/pthreads-host
if gcc -O2 -pthread -o "$host_bin" "$pt_ext/pthreads.c" 2>"$parent/pthreads-host.err" &&
    timeout 60 "$host_bin" >"$parent/pthreads-host.out" 2>>"$parent/pthreads-host.err"; then
    pass "pthreads: gcc -pthread builds the same source for the host, and it exits 0"
else
    fail "pthreads: the host build (gcc -pthread) failed or exited non-zero" \
        "$(tail -8 "$parent/pthreads-host.err" "$parent/pthreads-host.out" 2>/dev/null)"
fi
if [ -s "$parent/pthreads-kite.out" ] &&
    grep -q '^pthreads: all checks passed$' "$parent/pthreads-kite.out" &&
    diff -u "$parent/pthreads-host.out" "$parent/pthreads-kite.out" >"$parent/pthreads.diff"; then
    pass "pthreads: Kite printed the host's $(wc -l <"$parent/pthreads-kite.out") lines, all checks passed"
else
    fail "pthreads: Kite's output differs from the host's (- host, + Kite)" \
        "$(head -30 "$parent/pthreads.diff" 2>/dev/null)" "$(tail -5 "$parent/pthreads-kite.out")"
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
