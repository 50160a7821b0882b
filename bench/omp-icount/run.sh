#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Guest instructions per OpenMP parallel region (entry+exit) and per barrier
# with 4 threads on 4 vCPUs, all vCPUs summed: Kite with rt/omp against Debian's
# Linux with gcc's libgomp, from the same C source (omp_overhead.c), counted
# by a TCG plugin (plugin.c) at marker instructions. Method and figures:
# docs/bench-openmp.md. Target (issue 7): Kite at most one fifth of Linux.
#
#   run.sh WORKDIR
#
# Builds into WORKDIR: the plugin, the static Linux binary and its busybox
# initramfs, and a Kite image (make O=WORKDIR/kite EXT=bench/omp-icount).
# Boots each twice: Kite, and Linux running the probe with libgomp's default
# wait policy (spinning, so its counts depend on host timing) and with
# OMP_WAIT_POLICY=passive, alternately. Prints the medians of each run and the
# ratio Linux/Kite. Speed never fails the run; the exit status is 1 only when
# something could not be measured (a build, a boot, a missing marker).
#
# Environment: OMP_ICOUNT_ONLY=kite or linux (measure one side only; the other's
# columns show "-"), OMP_ICOUNT_PROFILE=1 (also write WORKDIR/kite-N.profile: Kite's
# busiest code from the probe's first marker on, symbolized), OMP_ICOUNT_REPS (repetitions per operation, 200),
# OMP_ICOUNT_TIMEOUT (seconds per guest boot, 600), KVER (the Linux guest's
# kernel; default: the newest /boot/vmlinuz-*-amd64).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ $# -ne 1 ]; then
    echo "usage: $0 WORKDIR" >&2
    exit 2
fi
mkdir -p "$1" || exit 2
work=$(cd "$1" && pwd)
reps=${OMP_ICOUNT_REPS:-200}
limit=${OMP_ICOUNT_TIMEOUT:-600}
threads=4
smp=4
mem=512M
# The Linux guest's runs, in the order its /init makes them (see write_init).
linux_runs=(default passive default passive)
problems=0
only=${OMP_ICOUNT_ONLY:-}
case $only in
'' | kite | linux) ;;
*) echo "$0: OMP_ICOUNT_ONLY='$only': expected kite or linux" >&2; exit 2 ;;
esac
# Markers of an earlier run must not be read as this run's.
rm -f "$work"/*.markers

problem() {
    problems=$((problems + 1))
    echo "  PROBLEM: $*"
}

if [ -z "${KVER:-}" ]; then
    KVER=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V -r | head -1)
fi
kernel=/boot/vmlinuz-${KVER:-none}

echo "OpenMP overhead (issue 7): guest instructions per operation, $threads threads on $smp vCPUs,"
echo "all vCPUs summed, median of $reps; QEMU TCG with bench/omp-icount/plugin.c (logs in $work)"

# ---------------------------------------------------------------- builds

plugin=$work/plugin.so
if ! out=$(timeout 120 gcc -shared -fPIC -O2 -Wall -Wextra -Werror -fvisibility=hidden \
    -o "$plugin" "$here/plugin.c" -lpthread 2>&1); then
    problem "the plugin does not build: $out"
fi

linux_bin=$work/linux/omp_overhead
mkdir -p "$work/linux"
rm -f "$linux_bin" "$work/linux/initramfs.cpio.gz"
# libgomp.a warns that its offloading code uses dlopen; the probe never offloads.
if [ "$only" = kite ]; then
    :
elif ! out=$(timeout 120 gcc -static -fopenmp -O2 -Wall -Wextra -Werror \
    -o "$linux_bin" "$here/omp_overhead.c" 2>&1); then
    problem "the Linux probe does not build (gcc -static -fopenmp): $out"
fi

# The initramfs: busybox-static and /init, which runs the probe once per entry of
# linux_runs and powers off. The runs are told apart by their MARK_START markers.
write_init() {
    cat <<EOF
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
for policy in ${linux_runs[*]}; do
    echo "omp-icount: run with OMP_WAIT_POLICY \$policy"
    if [ \$policy = default ]; then
        /omp_overhead $reps $threads
    else
        OMP_WAIT_POLICY=\$policy /omp_overhead $reps $threads
    fi
    echo "omp-icount: exit status \$?"
done
poweroff -f
EOF
}

initramfs=$work/linux/initramfs.cpio.gz
make_initramfs() {
    local busybox stage
    busybox=$(command -v busybox) || { echo "busybox not found (Debian package busybox-static)"; return 1; }
    file -L "$busybox" | grep -q 'statically linked' || { echo "$busybox is not static (busybox-static)"; return 1; }
    stage=$work/linux/root
    rm -rf "$stage"
    mkdir -p "$stage/bin" "$stage/proc" "$stage/dev"
    cp "$busybox" "$stage/bin/busybox"
    for applet in sh mount poweroff echo; do
        ln -s busybox "$stage/bin/$applet"
    done
    install -m 0755 "$linux_bin" "$stage/omp_overhead"
    write_init >"$stage/init"
    chmod 0755 "$stage/init"
    (cd "$stage" && find . | cpio -o -H newc --quiet) | gzip -1 >"$initramfs"
}
if [ -f "$linux_bin" ] && ! out=$(make_initramfs 2>&1); then
    problem "the initramfs: $out"
fi
[ -f "$kernel" ] || [ "$only" = kite ] || problem "no Linux guest kernel $kernel (install linux-image-amd64)"

kite_dir=$work/kite
rm -f "$work/kite.iso"
if [ "$only" = linux ]; then
    :
elif ! out=$( (timeout 600 make -C "$root" O="$kite_dir" default_defconfig &&
    timeout 900 make -C "$root" -j2 O="$kite_dir" EXT=bench/omp-icount) 2>&1); then
    problem "the Kite image does not build (make EXT=bench/omp-icount; needs rt/omp):" \
        "$(printf '%s\n' "$out" | grep -E -m3 'error|undefined')"
elif ! out=$(timeout 120 "$root/scripts/mkiso.sh" "$kite_dir/kite.elf" "$work/kite.iso" \
    "kite.args=\"$reps $threads\"" 0 2>&1); then
    problem "the Kite ISO: $out"
fi

# ---------------------------------------------------------------- boots

# boot NAME QEMU.SH-ARGS...: one boot with the plugin, markers to NAME.markers, serial
# console to NAME.log, wall time logged (never compared: BENCH.md).
boot() {
    local name=$1 start status
    shift
    rm -f "$work/$name.markers" "$work/$name.log"
    start=$(date +%s)
    local popt=
    [ "${OMP_ICOUNT_PROFILE:-0}" = 1 ] && [ "${name#kite}" != "$name" ] &&
        popt=",profile=$work/$name.blocks"
    timeout -k 10 $((limit + 15)) "$root/scripts/qemu.sh" --smp $smp --mem $mem --timeout "$limit" \
        --serial "$work/$name.log" "$@" -accel tcg,thread=multi \
        -plugin "$plugin,out=$work/$name.markers$popt" </dev/null >"$work/$name.qemu" 2>&1
    status=$?
    if [ -n "$popt" ] && [ -f "$work/$name.blocks" ]; then
        # address, instructions, executions, function (addr2line names the block's start)
        while read -r addr insns execs; do
            printf '%s %12s %10s  %s\n' "$addr" "$insns" "$execs" \
                "$(addr2line -f -e "$kite_dir/kite.elf" "$addr" | head -1)"
        done <"$work/$name.blocks" >"$work/$name.profile"
    fi
    echo "  $name: QEMU exit $status after $(($(date +%s) - start)) s wall" >>"$work/wall.log"
    return $status
}

: >"$work/wall.log"
if [ -f "$plugin" ] && [ -f "$work/kite.iso" ]; then
    for run in 1 2; do
        boot kite-$run --iso "$work/kite.iso" --
        status=$?
        # isa-debug-exit: 1 means Kite's main returned 0.
        [ $status -eq 1 ] || problem "Kite run $run: QEMU exit $status (1 = success); see $work/kite-$run.log"
    done
fi
if [ -f "$plugin" ] && [ -f "$initramfs" ] && [ -f "$kernel" ]; then
    for run in 1 2; do
        boot linux-$run --kernel "$kernel" -- -initrd "$initramfs" \
            -append "console=ttyS0 quiet panic=-1"
        status=$?
        [ $status -eq 0 ] || problem "Linux run $run: QEMU exit $status; see $work/linux-$run.log"
        n=$(grep -ac 'omp-icount: exit status 0' "$work/linux-$run.log" 2>/dev/null)
        [ "${n:-0}" -eq ${#linux_runs[@]} ] ||
            problem "Linux run $run: ${n:-0} of ${#linux_runs[@]} probe runs ended with status 0; see $work/linux-$run.log"
    done
fi

# ---------------------------------------------------------------- analysis

# deltas FILE RUN MARKER: for the RUN-th probe run in FILE (counted by MARK_START = 1),
# the instructions of all vCPUs summed between each two consecutive MARKER markers.
deltas() {
    awk -v want="$2" -v id="$3" '
        $1 == "vcpu" && $3 == "marker" {
            if ($4 == 1) { run++; have = 0; next }
            if (run != want) next
            sum = 0
            for (i = 8; i <= NF; i++) sum += $i
            if ($4 == id) {
                if (have) print sum - prev
                prev = sum; have = 1
            } else {
                have = 0
            }
        }' "$1" 2>/dev/null
}

# median FILE RUN MARKER: the median of deltas, or "-" when there are none.
median() {
    local n
    n=$(deltas "$@" | wc -l)
    if [ "$n" -eq 0 ]; then
        echo -
        return
    fi
    deltas "$@" | sort -n | sed -n "$(((n + 1) / 2))p"
}

# nth_run POLICY K: the index among linux_runs of the K-th run with POLICY.
nth_run() {
    local i seen=0
    for i in "${!linux_runs[@]}"; do
        if [ "${linux_runs[$i]}" = "$1" ]; then
            seen=$((seen + 1))
            [ $seen -eq "$2" ] && echo $((i + 1)) && return
        fi
    done
}

commas() {
    if [ "$1" = - ]; then echo -; else echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; fi
}

# ratio LINUX KITE: LINUX / KITE with one decimal, or "-".
ratio() {
    if [ "$1" = - ] || [ "$2" = - ] || [ "$2" -eq 0 ]; then
        echo -
    else
        awk -v l="$1" -v k="$2" 'BEGIN { printf "%.1fx", l / k }'
    fi
}

declare -A med
for op in parallel:2 barrier:3; do
    name=${op%%:*} id=${op#*:}
    for run in 1 2; do
        med[kite,$name,$run]=$(median "$work/kite-$run.markers" 1 "$id")
        for policy in default passive; do
            for k in 1 2; do
                # Each boot runs each policy twice; its first run of a policy is "run 1".
                med[linux-$policy,$name,$run,$k]=$(median "$work/linux-$run.markers" \
                    "$(nth_run "$policy" "$k")" "$id")
            done
        done
    done
done

echo
printf '%-22s %-24s %-26s %-26s %s\n' operation "Kite (run 1 / 2)" "Linux default (1 / 2)" \
    "Linux passive (1 / 2)" "Linux/Kite (default, passive)"
summary=()
for name in parallel barrier; do
    label="parallel entry+exit"
    [ $name = barrier ] && label=barrier
    k1=${med[kite,$name,1]} k2=${med[kite,$name,2]}
    # A boot runs each policy twice; show the first of each boot, keep the others in the log.
    d1=${med[linux-default,$name,1,1]} d2=${med[linux-default,$name,2,1]}
    p1=${med[linux-passive,$name,1,1]} p2=${med[linux-passive,$name,2,1]}
    rd=$(ratio "$d1" "$k1") rp=$(ratio "$p1" "$k1")
    printf '%-22s %-24s %-26s %-26s %s\n' "$label" "$(commas "$k1") / $(commas "$k2")" \
        "$(commas "$d1") / $(commas "$d2")" "$(commas "$p1") / $(commas "$p2")" "$rd, $rp"
    wanted=("$k1" "$k2" "$d1" "$d2" "$p1" "$p2")
    [ "$only" = kite ] && wanted=("$k1" "$k2")
    [ "$only" = linux ] && wanted=("$d1" "$d2" "$p1" "$p2")
    for v in "${wanted[@]}"; do
        [ "$v" = - ] && problem "$label: a median is missing (no markers; see the logs in $work)" && break
    done
    # The target holds against the smaller of Linux's two figures (the stricter test).
    if [ "$k1" != - ] && [ "$d1" != - ] && [ "$p1" != - ]; then
        lin=$((d1 < p1 ? d1 : p1))
        if [ $((k1 * 5)) -le "$lin" ]; then
            summary+=("$label: met, Kite $(commas "$k1") <= 1/5 of Linux $(commas "$lin")")
        else
            summary+=("$label: NOT met, Kite $(commas "$k1") > 1/5 of Linux $(commas "$lin")")
        fi
    else
        summary+=("$label: not measured")
    fi
done
{
    echo "Second run of each policy in the same Linux boot (boot 1 / boot 2):"
    for name in parallel barrier; do
        echo "  $name: default $(commas "${med[linux-default,$name,1,2]}") / $(commas "${med[linux-default,$name,2,2]}")," \
            "passive $(commas "${med[linux-passive,$name,1,2]}") / $(commas "${med[linux-passive,$name,2,2]}")"
    done
} >>"$work/wall.log"
echo "Wall times and further Linux runs (logged, not compared): $work/wall.log"
echo "Summary: target Kite <= 1/5 of Linux (the smaller of libgomp's default and passive):"
for s in "${summary[@]}"; do
    echo "  $s"
done
if [ $problems -gt 0 ]; then
    echo "  $problems problem(s) above: some figures could not be measured"
    exit 1
fi
exit 0
