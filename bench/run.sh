#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# make bench: measurements, never pass/fail on speed (see ../shared/BENCH.md
# for why wall time under emulation only gets logged). Reports:
#   - guest instructions from kernel entry to "kite: ready" (-icount shift=0,
#     1 CPU; deterministic: run twice, must match);
#   - guest instructions of a kite_malloc(64)+kite_free pair on the fast path
#     (target: at most 60; glibc on Linux 6.1 takes about 125);
#   - guest instructions of a thread create+join and of a yield hand-off;
#   - guest instructions of an uncontended mutex lock+unlock, and from a
#     condition variable signal to the waiter running, on the same CPU and
#     on another (halted) CPU, both CPUs' instructions summed (2 CPUs);
#   - wall time from QEMU start to "kite: ready" at 512 MiB and at 8 GiB on
#     2 nodes (three runs each, logged, not compared with anything);
#   - guest instructions of a task spawn+sync (rt/task) on 1 CPU;
#   - in the co-kernel test's Linux guest: kitectl boot to Kite's ready (once,
#     then ten rounds), reserving 2 CPUs, destroy + release of 2 CPUs;
#   - OpenMP overheads with 4 threads, Kite against Linux with libgomp
#     (bench/omp-icount: parallel region entry+exit and barrier, guest
#     instructions of all vCPUs summed by a TCG plugin; target Kite <= 1/5);
#   - the OpenMP benchmark kernels (bench/omp: STREAM, EP, CG, IS, EPCC) at
#     bigger sizes, verified, and EPCC's per-construct instruction counts.
#
#   run.sh TEST_ELF WORKDIR
set -u
cd "$(dirname "$0")/.."
elf=$1
work=$2
mkdir -p "$work"

# boot_until LOG PATTERN QEMU-ARGS...: boot, wait for PATTERN, stop QEMU; prints wall seconds.
boot_until() {
    local log=$1 pattern=$2 start end
    shift 2
    rm -f "$log"
    start=$(date +%s%N)
    scripts/qemu.sh --timeout 300 --serial "$log" "$@" >/dev/null 2>&1 &
    local pid=$!
    while ! grep -aq "$pattern" "$log" 2>/dev/null; do
        kill -0 $pid 2>/dev/null || break
        sleep 0.05
    done
    end=$(date +%s%N)
    kill $pid 2>/dev/null
    wait $pid 2>/dev/null
    printf '%.2f\n' "$(echo "scale=3; ($end - $start) / 1000000000" | bc)"
}

scripts/mkiso.sh "$elf" "$work/ready.iso" "" 0
scripts/mkiso.sh "$elf" "$work/malloc.iso" "kite.test=bench.malloc_free_64" 0
scripts/mkiso.sh "$elf" "$work/threads.iso" "kite.test=bench.thread_create_join,bench.yield_handoff" 0
scripts/mkiso.sh "$elf" "$work/task.iso" "kite.test=bench.task_spawn_sync" 0
scripts/mkiso.sh "$elf" "$work/sync.iso" \
    "kite.test=bench.mutex_lock_unlock,bench.cond_signal_same_cpu,bench.cond_signal_other_cpu" 0

echo "Boot path, entry to ready (1 CPU, 1 GiB, -icount shift=0):"
for run in 1 2; do
    boot_until "$work/icount-$run.log" 'kite: ready' --iso "$work/ready.iso" --smp 1 --mem 1G \
        -- -icount shift=0,sleep=off >/dev/null
    echo "  run $run: $(grep -ao 'kite: ready in .*' "$work/icount-$run.log" | sed 's/.*(\([0-9]*\) TSC.*/\1/') instructions"
done

# probe_runs NAME CPUS: boot NAME.iso twice under icount until the test runner's closing
# line (a file's probes run in any order), printing each run's "bench:" lines.
probe_runs() {
    for run in 1 2; do
        boot_until "$work/$1-$run.log" 'test: [0-9]* passed' --iso "$work/$1.iso" --smp "$2" \
            --mem 512M -- -icount shift=0,sleep=off >/dev/null
        grep -ao 'bench: .*' "$work/$1-$run.log" | sed "s/bench: /  run $run: /"
    done
}

echo "kite_malloc(64)+kite_free fast path (-icount shift=0; target <= 60, glibc ~125):"
for run in 1 2; do
    boot_until "$work/malloc-$run.log" 'bench: kite_malloc' --iso "$work/malloc.iso" --smp 1 \
        --mem 512M -- -icount shift=0,sleep=off >/dev/null
    echo "  run $run: $(grep -ao 'bench: .*' "$work/malloc-$run.log" | sed 's/bench: //')"
done

echo "Threads (-icount shift=0, 1 CPU; targets: create+join <= 1,000, Linux ~50,000;"
echo "yield hand-off <= 150, Linux ~2,200):"
probe_runs threads 1

echo "Synchronization (-icount shift=0, 2 CPUs; targets: signal -> waiter on another CPU"
echo "<= 1,000 with both CPUs summed, Linux ~5,000, Nautilus 791; same CPU: Linux futex ~4,800,"
echo "Nautilus 919):"
probe_runs sync 2

echo "Task runtime (-icount shift=0, 1 CPU; rt/task, docs/tasks.md):"
probe_runs task 1

echo "Wall time from QEMU start to ready (TCG; logged only):"
for config in "512M 1 0 1" "8G 2 2 2"; do
    set -- $config
    for run in 1 2 3; do
        wall=$(boot_until "$work/wall.log" 'kite: ready' --iso "$work/ready.iso" --smp "$2" \
            --mem "$1" --numa "$3")
        echo "  $1, $4 node(s), run $run: $wall s wall; kernel $(grep -ao 'kite: ready in [0-9]* ms' "$work/wall.log" | sed 's/kite: //')"
    done
done

# The co-kernel: Debian's Linux in QEMU runs Kite in a partition (test/cokernel/run.sh);
# its times are wall clock inside that guest, so they are logged, not compared.
echo "Co-kernel beside Linux (wall time in the guest under TCG; target: boot to ready < 100 ms):"
if test/cokernel/run.sh "$elf" "$work/cokernel" >"$work/cokernel.log" 2>&1; then
    sed -n 's/^  info  \(boot to ready.*\|reserving CPUs.*\|destroy + release.*\)/  \1/p' \
        "$work/cokernel.log"
else
    echo "  the co-kernel test failed; see $work/cokernel.log"
fi

echo "OpenMP overhead, 4 threads (bench/omp-icount; target: Kite <= 1/5 of Linux's libgomp):"
timeout 3600 bench/omp-icount/run.sh "$work/omp-icount" 2>&1 | sed 's/^/  /'

echo "OpenMP benchmark kernels (bench/omp; wall times logged only, EPCC instructions under icount):"
bench/omp/run.sh "$(dirname "$elf")/../bench-omp" "$work/omp" 2>&1 | sed 's/^/  /' ||
    echo "  an OpenMP kernel failed"
