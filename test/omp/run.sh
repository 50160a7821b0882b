#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# OpenMP: the test suite in test/omp (and the example rt/examples/openmp) built twice from the
# same sources, for Linux with gcc -fopenmp and libgomp, and for Kite (make EXT=, rt/omp), run
# on both, and the outputs compared line by line. Checks: each build; each run's exit status;
# each test's own verdict on each run; each Kite run's output against Linux's. The Kite image
# boots on 1 CPU, on 4 and on 4 over 2 NUMA nodes; one run of each side sets OMP_NUM_THREADS,
# OMP_SCHEDULE and OMP_DYNAMIC (kite.env= on Kite) for the "env" test. Every run has a timeout.
#
#   run.sh BUILD_PARENT    (make test passes build/test/omp)
#
# Environment: KITE_BOOT_TIMEOUT=S limits each boot (default 120 s), JOBS=N make's jobs.
set -u
if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD_PARENT (make test passes build/test/omp)" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2
parent=$1
mkdir -p "$parent"
parent=$(cd "$parent" && pwd)
out=$parent/kite
BOOT_TIMEOUT=${KITE_BOOT_TIMEOUT:-120}
suite=test/omp
example=rt/examples/openmp
# The kernel's warnings, so that a source that builds here builds for Kite too.
host_cflags=(-fopenmp -O2 -std=gnu11 -Wall -Wextra -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wundef -Wpointer-arith -Werror)
env_vars='OMP_NUM_THREADS=3 OMP_SCHEDULE=dynamic,3 OMP_DYNAMIC=true OMP_PROC_BIND=spread'
mk() { make --no-print-directory -j"${JOBS:-2}" O="$out" "$@"; }

# The program's own lines in a serial log: those between Kite's "calling main" and "main
# returned" lines that lack the "[    1.234567 cpu0] " prefix of Kite's log lines.
program_output() {
    tr -d '\r' <"$1" | awk '/^\[ *[0-9]+\.[0-9]+ cpu[0-9]+\] kite: calling (kite_)?main / {on = 1; next}
        /^\[ *[0-9]+\.[0-9]+ cpu[0-9]+\] kite: (kite_)?main returned / {on = 0}
        on && !/^\[ *[0-9]+\.[0-9]+ cpu[0-9]+\] /'
}

# verdicts RUN OUTPUT REFERENCE: each test named in REFERENCE's verdict lines ("NAME: ok" or
# "NAME: FAIL ...") is one check on RUN; the passes are counted on one line.
verdicts() {
    local run=$1 output=$2 reference=$3 name ok=0 missing=()
    # shellcheck disable=SC2013 # test names are single words
    for name in $(sed -n 's/^\([a-z0-9_]*\): \(ok\|FAIL (.*\)$/\1/p' "$reference"); do
        if grep -qx "$name: ok" "$output"; then
            ok=$((ok + 1))
        elif grep -q "^$name: FAIL" "$output"; then
            fail "$run: test $name failed" "$(grep "^$name: " "$output" | head -8)"
        else
            missing+=("$name")
        fi
    done
    if [ "$ok" -gt 0 ]; then
        passed=$((passed + ok - 1))
        pass "$run: $ok tests passed"
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        failed=$((failed + ${#missing[@]} - 1))
        fail "$run: ${#missing[@]} tests gave no verdict: ${missing[*]}" \
            "last lines: $(tail -3 "$output")"
    fi
}

# host_run NAME OUTPUT COMMAND...: run on Linux with a fixed environment; its status is a check.
host_run() {
    local name=$1 output=$2 status
    shift 2
    timeout 120 "$@" >"$output" 2>"$output.err"
    status=$?
    if [ $status = 0 ]; then
        pass "Linux: $name exited with status 0"
    else
        fail "Linux: $name exited with status $status" "$(tail -5 "$output" "$output.err")"
    fi
}

# kite_run NAME ELF CMDLINE SMP NUMA REFERENCE: boot ELF, check the exit status and that the
# program's output equals Linux's (REFERENCE); leaves the program's lines in $parent/NAME.out.
kite_run() {
    local name=$1 elf=$2 cmdline=$3 smp=$4 numa=$5 reference=$6 status
    local iso=$parent/$1.iso log=$parent/$1.log
    local numa_args=()
    [ "$numa" = 0 ] || numa_args=(--numa "$numa")
    rm -f "$log"
    if scripts/mkiso.sh "$elf" "$iso" "$cmdline" 0 >"$parent/$name.mkiso" 2>&1; then
        timeout $((BOOT_TIMEOUT + 30)) scripts/qemu.sh --iso "$iso" --smp "$smp" \
            "${numa_args[@]}" --mem 512M --timeout "$BOOT_TIMEOUT" --serial "$log" \
            >/dev/null 2>"$parent/$name.err"
        status=$?
    else
        fail "$name: scripts/mkiso.sh could not build $iso" "$(tail -5 "$parent/$name.mkiso")"
        status=none
    fi
    [ -f "$log" ] || : >"$log"
    program_output "$log" >"$parent/$name.out"
    if [ "$status" = 1 ]; then
        pass "Kite $name: powered off with status 0 (QEMU status 1)"
    else
        fail "Kite $name: QEMU status $status, expected 1 (Kite's 0)" \
            "$(tr -d '\r' <"$log" | tail -8)"
    fi
    if diff -u "$reference" "$parent/$name.out" >"$parent/$name.diff"; then
        pass "Kite $name: output identical to Linux's ($(wc -l <"$parent/$name.out") lines)"
    else
        fail "Kite $name: output differs from Linux's (- Linux, + Kite)" \
            "$(tail -n +3 "$parent/$name.diff" | head -30)"
    fi
}

# Linux: the suite, the env test with the variables set, the example.
host=$parent/host
mkdir -p "$host"
srcs=$(sed -n 's/^ext-srcs := //p' $suite/kite.mk)
# shellcheck disable=SC2086 # $srcs is kite.mk's list of words
if (cd $suite && gcc "${host_cflags[@]}" -o "$host/omptest" $srcs) 2>"$host/build.log" &&
    gcc "${host_cflags[@]}" -o "$host/primes" $example/primes.c 2>>"$host/build.log"; then
    pass "Linux: gcc -fopenmp builds the suite and the example"
else
    fail "Linux: gcc -fopenmp could not build the suite or the example" "$(head -20 "$host/build.log")"
fi
# A fixed environment: no OMP_ variable but a passive wait (this machine is shared).
fixed=(env -i PATH="$PATH" OMP_WAIT_POLICY=passive)
host_run "omptest" "$parent/all.host" "${fixed[@]}" "$host/omptest"
verdicts "Linux" "$parent/all.host" "$parent/all.host"
# shellcheck disable=SC2086 # $env_vars is env's list of NAME=VALUE words
host_run "omptest env with $env_vars" "$parent/env.host" "${fixed[@]}" $env_vars "$host/omptest" env
verdicts "Linux env" "$parent/env.host" "$parent/env.host"
want="env: max_threads 3, schedule kind 2 chunk 3, dynamic 1
env: a parallel region without num_threads: team of 3"
if grep -qxF "$want" "$parent/env.host" 2>/dev/null &&
    [ "$(grep -cxF "$want" "$parent/env.host")" = 2 ]; then
    pass "Linux: env shows OMP_NUM_THREADS=3, OMP_SCHEDULE=dynamic,3 and OMP_DYNAMIC=true"
else
    fail "Linux: env did not show the variables' values" "$(cat "$parent/env.host")"
fi
host_run "the example" "$parent/example.host" "${fixed[@]}" "$host/primes"

# Kite: the suite's image, then the example's (same build folder: only the link differs).
if [ ! -f "$out/.config" ] || [ configs/default_defconfig -nt "$out/.config" ]; then
    mk default_defconfig >/dev/null
fi
if mk EXT=$suite all >"$parent/build-suite.log" 2>&1 && cp "$out/kite.elf" "$parent/omptest.elf"; then
    pass "make EXT=$suite builds the image"
    kite_run smp1 "$parent/omptest.elf" "" 1 0 "$parent/all.host"
    verdicts "Kite smp1" "$parent/smp1.out" "$parent/all.host"
    kite_run smp4 "$parent/omptest.elf" "" 4 0 "$parent/all.host"
    verdicts "Kite smp4" "$parent/smp4.out" "$parent/all.host"
    kite_run numa2 "$parent/omptest.elf" "" 4 2 "$parent/all.host"
    verdicts "Kite numa2" "$parent/numa2.out" "$parent/all.host"
    kite_run env "$parent/omptest.elf" "kite.env=\"$env_vars\" -- env" 2 0 "$parent/env.host"
    verdicts "Kite env" "$parent/env.out" "$parent/env.host"
else
    fail "make EXT=$suite did not build the image" "$(grep -v '^  [A-Z]' "$parent/build-suite.log" | tail -15)"
fi
if mk EXT=$example all >"$parent/build-example.log" 2>&1 && cp "$out/kite.elf" "$parent/example.elf"; then
    pass "make EXT=$example builds the image"
    kite_run example "$parent/example.elf" "" 4 0 "$parent/example.host"
else
    fail "make EXT=$example did not build the image" "$(grep -v '^  [A-Z]' "$parent/build-example.log" | tail -15)"
fi
finish
