#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The OpenMP benchmark kernels (bench/omp/: stream, ep, cg, is, epcc) verify
# their own results. Each is built for Linux with gcc -fopenmp (libgomp) and
# run on the host with OMP_NUM_THREADS=4, then built for Kite (make
# EXT=bench/omp/NAME, configs/default_defconfig) and booted on 4 CPUs in 2
# NUMA nodes; both runs must print "NAME: VERIFICATION SUCCESSFUL" and exit 0
# (QEMU status 1 under Kite). The Kite images share one build folder,
# BUILD_PARENT/kite: a change of EXT only relinks the image (a few seconds),
# where a folder per kernel would build the kernel five times. Problem sizes
# are small (TCG); bench/omp's defaults and docs/benchmarks.md give bigger
# ones. Every run is under a timeout.
#
#   run.sh BUILD_PARENT
set -u
if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD_PARENT (for example build/test/bench-omp)" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2
parent=$1
mkdir -p "$parent/host"
parent=$(cd "$parent" && pwd)
out=$parent/kite
BOOT_TIMEOUT=${KITE_BOOT_TIMEOUT:-120}
HOST_TIMEOUT=${KITE_HOST_TIMEOUT:-60}
CFLAGS_HOST="-O2 -fopenmp -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror"

# The kernels and the arguments the tier gives them (small: seconds under TCG).
kernels=(stream ep cg is epcc)
declare -A args=(
    [stream]="200000 4"
    [ep]="16"
    [cg]="2000 3"
    [is]="16 11 3"
    [epcc]="50 1 20"
)

# verified LOG NAME: the kernel's closing line says it verified its results.
verified() { grep -aq "^$2: VERIFICATION SUCCESSFUL" "$1"; }
tail_of() { grep -a "^$2: " "$1" 2>/dev/null | tr -d '\r' | tail -"${3:-8}"; }

echo "Linux (gcc -fopenmp, libgomp, OMP_NUM_THREADS=4):"
for k in "${kernels[@]}"; do
    bin=$parent/host/$k
    log=$parent/host/$k.log
    # shellcheck disable=SC2086 # the flags are words
    if ! gcc $CFLAGS_HOST "bench/omp/$k/$k.c" bench/omp/common/bench.c -o "$bin" -lm \
        >"$log.build" 2>&1; then
        fail "$k: gcc -fopenmp build for Linux failed" "$(tail -10 "$log.build")"
        continue
    fi
    # shellcheck disable=SC2086 # the arguments are words
    OMP_NUM_THREADS=4 timeout "$HOST_TIMEOUT" "$bin" ${args[$k]} >"$log" 2>&1
    status=$?
    if [ "$status" = 0 ] && verified "$log" "$k"; then
        pass "$k ${args[$k]}: verified on Linux"
    else
        fail "$k ${args[$k]} on Linux: exit status $status" "$(tail -8 "$log")"
    fi
done
# A bad argument is reported, with exit status 2, not taken as a size.
if [ -x "$parent/host/stream" ]; then
    msg=$("$parent/host/stream" 12x 2>&1)
    status=$?
    if [ "$status" = 2 ] && printf '%s\n' "$msg" | grep -q "bad argument 1 '12x'"; then
        pass "a bad argument stops a kernel with a message and status 2"
    else
        fail "stream 12x: expected status 2 and a message, got $status" "$msg"
    fi
fi

echo "Kite (make EXT=bench/omp/NAME, 4 CPUs, 2 NUMA nodes, 1 GiB):"
mk() { make --no-print-directory -j"${JOBS:-2}" O="$out" "$@"; }
if [ ! -f "$out/.config" ] || [ configs/default_defconfig -nt "$out/.config" ]; then
    mk default_defconfig >/dev/null
fi

# boot NAME ISO LOG: boots on 4 CPUs in 2 nodes; prints QEMU's status.
boot() {
    local status
    rm -f "$3"
    timeout $((BOOT_TIMEOUT + 30)) scripts/qemu.sh --iso "$2" --smp 4 --numa 2 --mem 1G \
        --timeout "$BOOT_TIMEOUT" --serial "$3" >/dev/null 2>"$3.err"
    status=$?
    [ -f "$3" ] || : >"$3"
    echo "$status"
}

# kite_run NAME LABEL CMDLINE: boot NAME's image with CMDLINE and check its verdict; the log
# is left in BUILD_PARENT/LABEL.log for further checks.
kite_run() {
    local k=$1 label=$2 cmdline=$3 iso=$parent/$2.iso log=$parent/$2.log status
    if ! scripts/mkiso.sh "$parent/$k.elf" "$iso" "$cmdline" 0 >"$log.iso" 2>&1; then
        fail "$label: scripts/mkiso.sh could not build $iso" "$(tail -5 "$log.iso")"
        return 1
    fi
    status=$(boot "$k" "$iso" "$log")
    if [ "$status" = 1 ] && verified "$log" "$k"; then
        pass "$label: verified on Kite, exit status 0 ($cmdline)"
    else
        fail "$label on Kite: QEMU status $status (1 is Kite's 0), expected a verified run" \
            "$(grep -a '\] \|^'"$k"': ' "$log" | tr -d '\r' | tail -10)"
        return 1
    fi
}

for k in "${kernels[@]}"; do
    rm -f "$parent/$k.elf"
    if mk EXT="bench/omp/$k" all >"$parent/$k.build.log" 2>&1; then
        cp "$out/kite.elf" "$parent/$k.elf"
    else
        fail "$k: make EXT=bench/omp/$k failed" \
            "$(grep -a 'error\|undefined' "$parent/$k.build.log" | sort -u | head -10)"
        continue
    fi
    kite_run "$k" "$k" "kite.args=\"${args[$k]}\"" || continue
    # The team is one thread per CPU unless OMP_NUM_THREADS says otherwise.
    if grep -aq "^$k: OpenMP, up to 4 threads, 4 processors" "$parent/$k.log"; then
        pass "$k: the team defaults to the 4 CPUs"
    else
        fail "$k: expected a default team of 4 on 4 processors" "$(tail_of "$parent/$k.log" "$k" 3)"
    fi
done

# OMP_NUM_THREADS from kite.env: a team of 3 on 4 CPUs (is splits its keys unevenly).
if [ -f "$parent/is.elf" ] &&
    kite_run is is-3threads "kite.args=\"${args[is]}\" kite.env=\"OMP_NUM_THREADS=3\""; then
    if grep -aq '^is: OpenMP, up to 3 threads, 4 processors' "$parent/is-3threads.log"; then
        pass "is: kite.env=\"OMP_NUM_THREADS=3\" gives a team of 3"
    else
        fail "is: OMP_NUM_THREADS=3 was not obeyed" "$(tail_of "$parent/is-3threads.log" is 3)"
    fi
fi
finish
