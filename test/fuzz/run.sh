#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Fuzz the parsers that read data Kite does not control: the ACPI tables
# (kernel/acpi.c), the multiboot2 block (kernel/multiboot2.c), the kite.elf
# checker of the co-kernel loader (host/common/kimage.c) and a co-kernel's boot
# params check (kernel/bootparams.c). Builds the
# seed generator and each libFuzzer target with clang under AddressSanitizer
# and UndefinedBehaviorSanitizer into BUILD_DIR, writes the seed corpora, runs
# each target for SECONDS (default 20), and prints one result line per check
# and a closing "N passed, N failed". A crash, a sanitizer report, a broken
# contract check, a timeout or running out of memory is a failure, reported
# with the path of the input that reproduces it.
#
#   test/fuzz/run.sh BUILD_DIR [SECONDS]       e.g. test/fuzz/run.sh build/fuzz 20
#
# The corpus a run grows stays in BUILD_DIR/corpus/NAME for the next run;
# reproducers go to BUILD_DIR/crashes/. FUZZ_CC picks the compiler (clang).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/test/lib.sh"

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 BUILD_DIR [SECONDS]" >&2
    exit 2
fi
secs=${2:-20}
case $secs in
'' | *[!0-9]* | 0)
    echo "$0: SECONDS must be a positive whole number, not '$secs'" >&2
    exit 2
    ;;
esac
mkdir -p "$1" || exit 2
build=$(cd "$1" && pwd)
cc=${FUZZ_CC:-clang}
cd "$top" || exit 2

cflags=(-std=gnu11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wundef
    -Wpointer-arith -Werror -g -O1 -fno-omit-frame-pointer -DKITE_HOST_TEST -Iinclude
    -Iarch/x86_64/include)
sanitizers=("-fsanitize=address,undefined" -fno-sanitize-recover=all)

declare -A sources=(
    [acpi]="test/fuzz/acpi_fuzz.c kernel/acpi.c kernel/vsnprintf.c"
    [multiboot2]="test/fuzz/multiboot2_fuzz.c kernel/multiboot2.c kernel/vsnprintf.c"
    [kimage]="test/fuzz/kimage_fuzz.c host/common/kimage.c"
    [bootparams]="test/fuzz/bootparams_fuzz.c kernel/bootparams.c kernel/topology.c kernel/vsnprintf.c"
)
names=(acpi multiboot2 kimage bootparams)
# What a failing run's log says went wrong, for its result line.
reasons='ERROR: [A-Za-z]+: [a-z-]+|runtime error: .*|contract broken: .*|deadly signal|timeout|out-of-memory'

echo "fuzzing ($cc: libFuzzer, AddressSanitizer + UndefinedBehaviorSanitizer; $secs s each)"

# compile NAME OUTPUT FLAGS... -- SOURCES...: one check; its output is shown on failure.
compile() {
    local name=$1 out=$2 log
    shift 2
    if log=$("$cc" "$@" -o "$out" 2>&1); then
        pass "build $name"
        return 0
    fi
    fail "build $name" "$(printf '%s\n' "$log" | tail -20)"
    return 1
}

# The seeds: the generator parses each one itself and fails unless it is taken whole.
seeds_ok=false
if compile seeds "$build/seeds" "${cflags[@]}" "${sanitizers[@]}" test/fuzz/seeds.c \
    kernel/acpi.c kernel/multiboot2.c kernel/vsnprintf.c; then
    rm -rf "$build/seeds-out"
    if count=$("$build/seeds" "$build/seeds-out" 2>&1); then
        pass "seeds: $count files, each taken whole by its parser"
        seeds_ok=true
    else
        fail "seeds" "$count"
    fi
fi

for name in "${names[@]}"; do
    bin=$build/${name}_fuzz
    # shellcheck disable=SC2086
    compile "${name}_fuzz" "$bin" "${cflags[@]}" -fsanitize=fuzzer "${sanitizers[@]}" \
        ${sources[$name]} || continue

    corpus=$build/corpus/$name
    log=$build/$name.log
    mkdir -p "$corpus" "$build/crashes"
    dirs=("$corpus")
    # kimage and bootparams have no seeds: they patch a good input they build themselves.
    $seeds_ok && [ -d "$build/seeds-out/$name" ] && dirs+=("$build/seeds-out/$name")
    # libFuzzer stops itself after -max_total_time; timeout only catches a hang around it.
    timeout $((secs + 120)) "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -max_len=8192 -print_final_stats=1 -artifact_prefix="$build/crashes/$name-" \
        "${dirs[@]}" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    if [ $rc -eq 0 ] && [ -z "$artifact" ] && [ "${runs:-0}" -gt 0 ]; then
        pass "$name: $runs runs, no crash ($(find "$corpus" -type f | wc -l) inputs in the corpus)"
    elif [ -n "$artifact" ]; then
        why=$(grep -oE "$reasons" "$log" | head -1)
        fail "$name: ${why:-exit $rc}" \
            "reproducer: $artifact" \
            "rerun it:   $bin $artifact" \
            "$(grep -E '==ERROR|runtime error|contract broken|SUMMARY|^    #[0-9]+ ' "$log" | head -12)" \
            "full log:   $log"
    elif [ $rc -eq 124 ]; then
        fail "$name: hung past $((secs + 120)) s" "full log: $log"
    else
        fail "$name: exit $rc, ${runs:-no} runs, no reproducer written" \
            "$(tail -15 "$log")" "full log: $log"
    fi
done

finish
