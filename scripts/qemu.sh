#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Boot a Kite ISO in QEMU, the same way for `make run`, `make debug` and the
# test runners. Always adds the isa-debug-exit device at Kite's port, so
# kite_poweroff() ends QEMU: exit status 1 means Kite said 0 (success),
# 3 failure, 5 panic, 253 the 32-bit entry could not boot.
#
#   qemu.sh --iso F [--smp N] [--mem M] [--numa NODES] [--uefi] [--cpu MODEL]
#           [--interactive] [--gdb] [--serial FILE] [--timeout S] [-- extra qemu args]
#
# --numa NODES splits the CPUs and memory evenly over NODES nodes, one socket
# each, with SLIT distances 10 + 10 * |i - j| (so node 0 to 1 is 20, to 2 is 30).
set -eu

iso= smp=2 mem=1G uefi=0 cpu= interactive=0 gdb=0 serial= timeout=0 kernel= numa=0
extra=()
while [ $# -gt 0 ]; do
    case $1 in
    --iso) iso=$2; shift 2 ;;
    --kernel) kernel=$2; shift 2 ;;
    --smp) smp=$2; shift 2 ;;
    --numa) numa=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --uefi) uefi=1; shift ;;
    --cpu) cpu=$2; shift 2 ;;
    --interactive) interactive=1; shift ;;
    --gdb) gdb=1; shift ;;
    --serial) serial=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "qemu.sh: unknown option '$1'; see the usage at the top of $0" >&2; exit 2 ;;
    esac
done
[ -n "$iso$kernel" ] || { echo "qemu.sh: --iso FILE is required" >&2; exit 2; }
[[ $smp =~ ^[1-9][0-9]*$ ]] || { echo "qemu.sh: --smp '$smp': expected a CPU count like 2" >&2; exit 2; }
[[ $mem =~ ^[1-9][0-9]*[MG]?$ ]] || { echo "qemu.sh: --mem '$mem': expected a size like 512M or 2G" >&2; exit 2; }

args=(-machine q35 -m "$mem" -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04)
if [ "$numa" = 0 ]; then
    args+=(-smp "$smp")
else
    [[ $numa =~ ^[1-9][0-9]*$ ]] || { echo "qemu.sh: --numa '$numa': expected a node count like 2" >&2; exit 2; }
    mib=${mem%[MG]}
    [ "${mem: -1}" = G ] && mib=$((mib * 1024))
    if [ $((smp % numa)) -ne 0 ] || [ $((mib % numa)) -ne 0 ]; then
        echo "qemu.sh: --numa $numa: --smp $smp and --mem $mem must divide evenly over the nodes" >&2
        exit 2
    fi
    per_cpu=$((smp / numa))
    args+=(-smp "$smp,sockets=$numa,cores=$per_cpu,threads=1")
    for ((n = 0; n < numa; n++)); do
        args+=(-object "memory-backend-ram,id=m$n,size=$((mib / numa))M"
               -numa "node,nodeid=$n,cpus=$((n * per_cpu))-$(((n + 1) * per_cpu - 1)),memdev=m$n")
    done
    for ((i = 0; i < numa; i++)); do
        for ((j = 0; j < numa; j++)); do
            [ $i -eq $j ] && continue
            args+=(-numa "dist,src=$i,dst=$j,val=$((10 + 10 * (i > j ? i - j : j - i)))")
        done
    done
fi
if [ -n "$iso" ]; then
    [ -f "$iso" ] || { echo "qemu.sh: no ISO at '$iso'; run make iso" >&2; exit 2; }
    args+=(-cdrom "$iso" -boot d)
else
    args+=(-kernel "$kernel")
fi
if [ "$uefi" = 1 ]; then
    fw=/usr/share/ovmf/OVMF.fd
    [ -f "$fw" ] || { echo "qemu.sh: UEFI firmware $fw missing (Debian package ovmf)" >&2; exit 2; }
    args+=(-bios "$fw")
fi
[ -n "$cpu" ] && args+=(-cpu "$cpu")
[ "$gdb" = 1 ] && args+=(-s -S)
if [ "$interactive" = 1 ]; then
    args+=(-serial mon:stdio)
    [ -n "${DISPLAY:-}" ] || args+=(-display none)
else
    args+=(-display none -monitor none -serial "file:${serial:-/dev/stdout}")
fi
args+=("${extra[@]}")

if [ "$timeout" != 0 ]; then
    exec timeout --foreground -k 5 "$timeout" qemu-system-x86_64 "${args[@]}"
fi
exec qemu-system-x86_64 "${args[@]}"
