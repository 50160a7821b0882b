#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Measurements with the OpenMP benchmark kernels (docs/benchmarks.md): builds
# each kernel into an image (make EXT=bench/omp/NAME, default_defconfig, one
# build folder: a change of EXT only relinks), boots it on 4 CPUs in 2 NUMA
# nodes with bigger sizes than the test tier's and prints its result lines.
# Then epcc on 1 CPU under -icount shift=0 (twice): there its tsc/rep column
# is guest instructions per construct, the one figure here that means
# something under TCG. Wall times, MB/s and the like are logged, never
# compared (see ../shared/BENCH.md). A kernel that fails its verification is
# reported; the script's status is 1 if any did.
#
#   bench/omp/run.sh BUILD_DIR WORKDIR [NAME...]     (default: every kernel)
set -u
if [ $# -lt 2 ]; then
    echo "usage: $0 BUILD_DIR WORKDIR [NAME...] (for example build/bench-omp build/bench-omp/runs)" >&2
    exit 2
fi
cd "$(dirname "$0")/../.." || exit 2
out=$1
work=$2
shift 2
kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(stream ep cg is epcc)
mkdir -p "$out" "$work"
TIMEOUT=${KITE_BENCH_TIMEOUT:-900}
status=0

declare -A args=(
    [stream]="2000000 10"
    [ep]="24 0"
    [cg]="4000 8"
    [is]="20 16 10"
    [epcc]="100 3 100"
)

mk() { make --no-print-directory -j"${JOBS:-2}" O="$out" "$@"; }
[ -f "$out/.config" ] || mk default_defconfig >/dev/null

# run NAME LABEL CMDLINE QEMU-ARGS...: boot NAME's image, print its lines, check its verdict.
run() {
    local k=$1 label=$2 cmdline=$3 rc
    shift 3
    scripts/mkiso.sh "$work/$k.elf" "$work/$label.iso" "$cmdline" 0 >/dev/null 2>&1 || {
        echo "  $label: mkiso failed"
        status=1
        return
    }
    timeout $((TIMEOUT + 60)) scripts/qemu.sh --iso "$work/$label.iso" --mem 1G \
        --timeout "$TIMEOUT" --serial "$work/$label.log" "$@" >/dev/null 2>&1
    rc=$?
    grep -a "^$k: " "$work/$label.log" | tr -d '\r' | sed 's/^/  /'
    if [ "$rc" != 1 ] || ! grep -aq "^$k: VERIFICATION SUCCESSFUL" "$work/$label.log"; then
        echo "  $label: FAILED (QEMU status $rc; log $work/$label.log)"
        status=1
    fi
}

for k in "${kernels[@]}"; do
    if [ -z "${args[$k]:-}" ]; then
        echo "$k: no such kernel; expected stream, ep, cg, is or epcc"
        status=1
        continue
    fi
    if ! mk EXT="bench/omp/$k" all >"$work/$k.build.log" 2>&1; then
        echo "$k: make EXT=bench/omp/$k failed; see $work/$k.build.log"
        status=1
        continue
    fi
    cp "$out/kite.elf" "$work/$k.elf"
    echo "$k ${args[$k]} (4 CPUs, 2 nodes, TCG; wall-clock figures are logged only):"
    run "$k" "$k" "kite.args=\"${args[$k]}\"" --smp 4 --numa 2
done

if [ -f "$work/epcc.elf" ] && [[ " ${kernels[*]} " == *" epcc "* ]]; then
    for r in 1 2; do
        echo "epcc 200 2 100 on 1 CPU under -icount shift=0 (tsc/rep = guest instructions), run $r:"
        run epcc "epcc-icount-$r" 'kite.args="200 2 100"' --smp 1 -- -icount shift=0,sleep=off
    done
fi
exit $status
