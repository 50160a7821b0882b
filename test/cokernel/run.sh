#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Tier 3: the co-kernel test. Builds kite_host.ko against Debian's kernel
# headers (in WORKDIR, from a copy of host/module), kitectl and kh_ioctl
# (static), and an initramfs holding them with kite.elf and the guest
# scripts; boots Debian's Linux in QEMU (4 CPUs, 2 NUMA nodes of 1 GiB,
# memmap= reservations for the SIPI page and one 256 MiB partition range per
# node), where test/cokernel/cycle.sh runs the whole reserve-to-release cycle.
# Reads the guest's "KTEST" lines from the serial log, adds the host-side
# checks (the builds, a clean guest log, the guest powered off in time) and
# ends with "N passed, N failed". A hang is a failure.
#
#   run.sh [KITE_ELF [WORKDIR]]     (defaults: build/test/kite.elf build/test/cokernel)
#
# Environment: KITE_COKERNEL_TIMEOUT (seconds for the whole guest run, 900),
# KDIR (kernel headers), KVER (the guest kernel; default: the newest
# /boot/vmlinuz-*-amd64 whose headers are installed).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
root=$(cd "$here/../.." && pwd)
elf=${1:-$root/build/test/kite.elf}
work=${2:-$root/build/test/cokernel}
# The newest Debian kernel that has its headers too (linux-image-amd64, linux-headers-amd64).
if [ -z "${KVER:-}" ]; then
    for k in $(ls /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V -r); do
        [ -d "/usr/src/linux-headers-$k" ] && KVER=$k && break
    done
fi
KVER=${KVER:-none}
KDIR=${KDIR:-/usr/src/linux-headers-$KVER}
kernel=/boot/vmlinuz-$KVER
TIMEOUT=${KITE_COKERNEL_TIMEOUT:-900}
mkdir -p "$work"
work=$(cd "$work" && pwd)
log=$work/serial.log

# The guest's machine and reservations (see ../../docs and COKERNEL.md): node 0 is
# 0-1 GiB, node 1 is 1-2 GiB; each partition range sits inside its node's memory,
# clear of where QEMU puts the kernel, the initramfs and the ACPI tables.
SIPI=0x70000
POOL0=0x30000000 POOL1=0x60000000 POOL_SIZE=256M
cmdline="console=ttyS0 panic=-1 no_ipi_broadcast=1 memmap=4K\$$SIPI"
cmdline+=" memmap=$POOL_SIZE\$$POOL0 memmap=$POOL_SIZE\$$POOL1"
cmdline+=" kite_test.sipi=$SIPI kite_test.mem=$POOL_SIZE@$POOL0,$POOL_SIZE@$POOL1"
cmdline+=" kite_test.cpus=2,3 kite_test.cpu_a=2 kite_test.cpu_b=3 kite_test.part=256M@1"

echo "co-kernel test: Debian Linux $KVER in QEMU (TCG), kite_host.ko, kitectl, $elf"

# ---------------------------------------------------------------- builds (host checks)

build_ok=1
if [ ! -f "$kernel" ] || [ ! -d "$KDIR" ]; then
    fail "guest kernel $kernel and headers $KDIR are installed" \
        "install linux-image-amd64 and linux-headers-amd64 ($KVER)"
    finish
    exit
fi

rm -rf "$work/module"
mkdir -p "$work/module"
cp "$root"/host/module/{Kbuild,Makefile,*.c,*.h,*.S} "$work/module/"
if out=$(make -C "$work/module" KDIR="$KDIR" KITE_ROOT="$root" 2>&1) &&
    ! printf '%s\n' "$out" | grep -q 'warning:'; then
    pass "kite_host.ko builds against linux-headers-$KVER without warnings"
else
    fail "kite_host.ko builds against linux-headers-$KVER without warnings" \
        "$(printf '%s\n' "$out" | grep -E -A3 'error|warning' | head -30)"
    build_ok=0
fi

kitectl=$root/host/kitectl/kitectl
if [ -f "$root/host/kitectl/Makefile" ] && out=$(make -C "$root/host/kitectl" 2>&1) &&
    file "$kitectl" | grep -q 'statically linked'; then
    pass "kitectl builds (static)"
else
    fail "kitectl builds (static)" "$(printf '%s\n' "${out:-no host/kitectl/Makefile}" | tail -10)"
    kitectl=
fi

if out=$(gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -I"$root/host/include" \
    -I"$root/include" -o "$work/kh_ioctl" "$here/kh_ioctl.c" 2>&1); then
    pass "kh_ioctl builds (static)"
else
    fail "kh_ioctl builds (static)" "$out"
    build_ok=0
fi

if [ ! -f "$elf" ]; then
    fail "the Kite image $elf exists" "build it: make O=build/test test_defconfig all"
    build_ok=0
fi

# big_image IN OUT: IN with its highest PT_LOAD grown to 1 GiB in memory, so it fits no
# partition the test makes (a "does not fit" image that is otherwise a valid Kite).
big_image() {
    local phoff phnum i off type paddr best=-1 bestpaddr=-1
    cp "$1" "$2" || return 1
    phoff=$(od -An -t u8 -j 32 -N 8 "$1" | tr -d ' ')
    phnum=$(od -An -t u2 -j 56 -N 2 "$1" | tr -d ' ')
    for ((i = 0; i < phnum; i++)); do
        off=$((phoff + i * 56))
        type=$(od -An -t u4 -j "$off" -N 4 "$1" | tr -d ' ')
        paddr=$(od -An -t u8 -j $((off + 24)) -N 8 "$1" | tr -d ' ')
        if [ "$type" = 1 ] && [ "$paddr" -gt "$bestpaddr" ]; then
            best=$off bestpaddr=$paddr
        fi
    done
    [ "$best" -ge 0 ] || return 1
    # p_memsz = 0x40000000, little-endian.
    printf '\x00\x00\x00\x40\x00\x00\x00\x00' |
        dd of="$2" bs=1 seek=$((best + 40)) conv=notrunc status=none
}

if [ $build_ok = 1 ] && big_image "$elf" "$work/kite-big.elf" &&
    out=$("$here/mkinitramfs.sh" "$work/initramfs.cpio.gz" "$work/module/kite_host.ko" \
        "$elf" "$work/kite-big.elf" "$work/kh_ioctl" $kitectl 2>&1); then
    pass "initramfs ($(du -k "$work/initramfs.cpio.gz" | cut -f1) KiB)"
else
    fail "initramfs" "${out:-a build above failed}"
    finish
    exit
fi

# ---------------------------------------------------------------- the guest

rm -f "$log"
start=$(date +%s.%N)
timeout --foreground -k 10 "$TIMEOUT" qemu-system-x86_64 -machine q35 -m 2G -no-reboot \
    -smp 4,sockets=2,cores=2,threads=1 \
    -object memory-backend-ram,id=m0,size=1G -object memory-backend-ram,id=m1,size=1G \
    -numa node,nodeid=0,cpus=0-1,memdev=m0 -numa node,nodeid=1,cpus=2-3,memdev=m1 \
    -kernel "$kernel" -initrd "$work/initramfs.cpio.gz" -append "$cmdline" \
    -display none -monitor none -serial "file:$log" </dev/null >"$work/qemu.err" 2>&1
status=$?
wall=$(echo "$start $(date +%s.%N)" | awk '{printf "%.1f", $2 - $1}')
[ -f "$log" ] || : >"$log"

# The guest's own results, in order.
while IFS= read -r line; do
    line=${line%$'\r'}
    case $line in
    "KTEST ok    "*) pass "${line#KTEST ok    }" ;;
    "KTEST FAIL  "*)
        name=${line#KTEST FAIL  }
        details=$(awk -v n="$name" 'f && /^KTEST       / {sub(/^KTEST       /, ""); print; next}
            f {exit} index($0, "KTEST FAIL  " n) == 1 {f = 1}' <(tr -d '\r' <"$log"))
        fail "$name" "$details"
        ;;
    "KTEST info  "*) echo "  info  ${line#KTEST info  }" ;;
    esac
done < <(grep -a '^KTEST \(ok\|FAIL\|info\) ' "$log")

closing=$(tr -d '\r' <"$log" | grep -a -E '^KTEST [0-9]+ passed, [0-9]+ failed$' | tail -1)
if [ $status -eq 124 ] || [ $status -eq 137 ]; then
    fail "the guest finished within $TIMEOUT s" "it hung; last lines:" "$(tail -15 "$log")"
elif [ -z "$closing" ]; then
    fail "the guest ran the cycle to its closing line" "QEMU exit $status; last lines:" \
        "$(tail -25 "$log")" "$(cat "$work/qemu.err")"
else
    pass "the guest ran the cycle to its end and powered off ($wall s in QEMU)"
fi
if grep -a -q 'Kernel panic\|BUG:\|Oops:\|general protection fault' "$log"; then
    fail "the guest Linux did not crash" "$(grep -a -A8 'Kernel panic\|BUG:\|Oops:\|general protection' "$log" | head -30)"
else
    pass "the guest Linux did not crash"
fi
echo "  info  serial log: $log"
finish
