#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# `make test`: build the default image (build/) and the test image
# (build/test/, configs/test_defconfig), then run every tier: host unit
# tests, the build system's checks, a short fuzzing run of the parsers, the
# QEMU boots, external runtimes (make EXT=), OpenMP on Kite and on Linux, the
# OpenMP benchmark kernels, gdb over serial, and the co-kernel test (Debian's Linux in QEMU running Kite in
# a partition through kite_host.ko and kitectl). The static checks
# of `make check` run too, so CI keeps the tree clean. Each runner ends
# with "N passed, N failed"; this adds them up into the last line. A runner
# that dies without its closing line counts as one failure.
set -u
cd "$(dirname "$0")/.."
total_passed=0
total_failed=0
JOBS=${JOBS:-2}

# tier NAME COMMAND...: run it, show its output, add its closing line.
tier() {
    local name=$1 line
    shift
    echo
    echo "== $name"
    # Through a file: tee to /dev/stderr would reopen (and truncate) a redirected log.
    "$@" 2>&1 | tee "$tier_out"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$tier_out" | tail -1)
    if [ -z "$line" ]; then
        echo "== $name: ended without its closing line; counted as 1 failure"
        total_failed=$((total_failed + 1))
        return
    fi
    total_passed=$((total_passed + ${line%% passed*}))
    line=${line#*passed, }
    total_failed=$((total_failed + ${line%% failed}))
}

# build NAME COMMAND...: a build step is one check.
build() {
    local name=$1
    shift
    echo
    echo "== build: $name"
    if "$@"; then
        total_passed=$((total_passed + 1))
    else
        echo "== build: $name FAILED"
        total_failed=$((total_failed + 1))
        return 1
    fi
}

tier_out=$(mktemp)
trap 'rm -f "$tier_out"' EXIT
start=$(date +%s)
ok=1
build "default image (build/)" make --no-print-directory -j"$JOBS" all iso || ok=0
# The test config is regenerated only when configs/test_defconfig changed.
if [ ! -f build/test/.config ] || [ configs/test_defconfig -nt build/test/.config ]; then
    make --no-print-directory O=build/test test_defconfig >/dev/null
fi
build "test image (build/test/)" make --no-print-directory -j"$JOBS" O=build/test all iso || ok=0

tier "static checks (make check)" scripts/check.sh build
tier "host unit tests" make --no-print-directory -j"$JOBS" O=build/test utest
tier "build system" test/build/run.sh build/test/buildcheck
tier "fuzzing (${FUZZ_SECONDS:-15} s per parser; make fuzz runs longer)" test/fuzz/run.sh \
    build/test/fuzz "${FUZZ_SECONDS:-15}"
if [ $ok = 1 ]; then
    tier "QEMU boots" test/qemu/run.sh build/kite.iso build/test/kite.elf build/test/kite.iso \
        build/test/qemu
else
    echo "== QEMU boots: not run, an image did not build; counted as 1 failure"
    total_failed=$((total_failed + 1))
fi
tier "external runtimes (make EXT=)" test/rt/run.sh build/test/rt
tier "OpenMP (gcc -fopenmp on Kite and on Linux)" test/omp/run.sh build/test/omp
tier "OpenMP benchmark kernels (bench/omp)" test/bench-omp/run.sh build/test/bench-omp
tier "gdb over serial" test/gdb/run.sh build/test/kite.elf build/test/gdb
if [ $ok = 1 ]; then
    tier "co-kernel beside Linux" test/cokernel/run.sh build/test/kite.elf build/test/cokernel
else
    echo "== co-kernel beside Linux: not run, an image did not build; counted as 1 failure"
    total_failed=$((total_failed + 1))
fi

echo
echo "make test: all tiers in $(($(date +%s) - start)) s"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
