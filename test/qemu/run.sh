#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Tier 2: boot Kite under QEMU and read its serial console.
#   - the test ISO (kite.test=all) in a matrix of machines: 1 CPU BIOS,
#     4 CPUs BIOS on -cpu max with 6 GiB (1 GiB pages), 2 CPUs UEFI (OVMF). Each must end through isa-debug-exit
#     with status 1 (Kite's 0), print "N passed, 0 failed" with N > 0, and
#     run relocated at the test image's CONFIG_LOAD_MIN_MB;
#   - the same on NUMA machines (2 and 4 nodes, with -numa dist), where the
#     topology in the boot log must be QEMU's;
#   - the default image must reach "kite: ready";
#   - the shell: kite.shell.run's commands and their output, and keys typed
#     on the serial line and the PS/2 keyboard (test/qemu/shell_keys.py);
#   - boots that must fail in a stated way: an unknown test name, bad
#     options, deliberate crashes (one on 4 CPUs, which must stop the
#     others), a CPU without long mode, a loader that is not multiboot2.
# Every boot runs under a timeout; a hang is a failure.
#
#   run.sh DEFAULT_ISO TEST_ELF TEST_ISO WORKDIR
set -u
if [ $# -ne 4 ]; then
    echo "usage: $0 DEFAULT_ISO TEST_ELF TEST_ISO WORKDIR (make test passes build/kite.iso" >&2
    echo "       build/test/kite.elf build/test/kite.iso build/test/qemu)" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
root=$(cd "$here/../.." && pwd)
default_iso=$1
test_elf=$2
test_iso=$3
work=$4
mkdir -p "$work"
qemu=$root/scripts/qemu.sh
BOOT_TIMEOUT=${KITE_BOOT_TIMEOUT:-120}
# Where the test image must land: its configured lowest load address, which
# is not the link address, so every matrix boot runs relocated.
load_min_mb=$(sed -n 's/^#define CONFIG_LOAD_MIN_MB //p' \
    "$(dirname "$test_elf")/include/generated/autoconf.h")
want_base=$(printf '0x%x' $((${load_min_mb:-2} * 1024 * 1024)))

# boot NAME ISO-OR-"" QEMU-ARGS...: boot under the timeout; sets $log and $status.
boot() {
    local name=$1
    shift
    log=$work/$name.log
    rm -f "$log"
    "$qemu" --timeout "$BOOT_TIMEOUT" --serial "$log" "$@" >/dev/null 2>"$work/$name.err"
    status=$?
    [ -f "$log" ] || : >"$log"
}

# iso_for NAME CMDLINE: a test ISO with its own command line.
iso_for() {
    local iso=$work/$1.iso
    "$root/scripts/mkiso.sh" "$test_elf" "$iso" "$2" 0 || return 1
    echo "$iso"
}

has() { grep -aqF -- "$1" "$log"; }
tail_of_log() { grep -a '\] ' "$log" | tail -"${1:-8}"; }
# What a failed in-kernel run says about why: the FAIL lines, the failed checks
# ("error:   file:line: ...") and any panic, ahead of the expected error lines
# the shell and parser tests provoke on purpose.
failure_lines() {
    grep -a 'test: FAIL\|error: test:   \|PANIC\|panic' "$log" | head -12
}

# The closing line of the in-kernel runner: "test: N passed, M failed".
kernel_counts() {
    sed -n 's/.*test: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' "$log" | tail -1
}

matrix_run() {
    local name=$1
    shift
    boot "$name" --iso "$test_iso" "$@"
    read -r kp kf <<<"$(kernel_counts)"
    base=$(grep -ao 'entered at 0x[0-9a-f]*' "$log" | head -1 | sed 's/.* //')
    if [ "$status" -eq 1 ] && [ -n "${kp:-}" ] && [ "$kp" -gt 0 ] && [ "$kf" -eq 0 ] &&
        [ "$base" = "$want_base" ]; then
        pass "$name: $kp in-kernel tests passed (image at ${base:-?})"
    else
        fail "$name: QEMU status $status (1 expected), kernel said '${kp:-?} passed, ${kf:-?} failed', image at ${base:-?} ($want_base expected)" \
            "$(failure_lines)" "$(tail_of_log 5)"
    fi
}

echo "QEMU boots (serial logs in $work)"
matrix_run bios-1cpu --smp 1 --mem 512M
grep -aq 'identity-mapped: 0 x 1 GiB, [1-9][0-9]* x 2 MiB.*not offered' "$log" &&
    pass "bios-1cpu: RAM mapped with 2 MiB pages (qemu64 offers no 1 GiB pages)" ||
    fail "bios-1cpu: the paging line does not say 2 MiB pages" "$(grep -a 'paging:' "$log")"
# What the libc suite wrote to stdout and stderr reached the serial console.
libc_lines=("libc: printf works" "libc: fwrite works" "libc: perror: Invalid argument")
missing_libc=()
for l in "${libc_lines[@]}"; do
    tr -d '\r' <"$log" | grep -aqx -- "$l" || missing_libc+=("$l")
done
if [ ${#missing_libc[@]} -eq 0 ]; then
    pass "bios-1cpu: the libc's printf, fwrite and perror lines are on the serial console"
else
    fail "bios-1cpu: missing libc output lines" "${missing_libc[@]/#/missing: }"
fi
# 6 GiB: q35 puts RAM at 4-6 GiB, two whole gigabytes, which -cpu max maps with 1 GiB pages.
matrix_run bios-4cpu --smp 4 --mem 6G --cpu max
grep -aq 'identity-mapped: [1-9][0-9]* x 1 GiB' "$log" &&
    pass "bios-4cpu: RAM mapped with 1 GiB pages where whole gigabytes are RAM (-cpu max)" ||
    fail "bios-4cpu: no 1 GiB page was used" "$(grep -a 'paging:' "$log")"
matrix_run uefi-2cpu --smp 2 --mem 512M --uefi

# The default image boots to ready, then idles: wait for the line, then stop it.
log=$work/default.log
rm -f "$log"
timeout -k 5 "$BOOT_TIMEOUT" "$qemu" --iso "$default_iso" --smp 2 --mem 1G --serial "$log" \
    >/dev/null 2>&1 &
qpid=$!
for _ in $(seq 1 $((BOOT_TIMEOUT * 5))); do
    grep -aq 'kite: ready in' "$log" 2>/dev/null && break
    kill -0 $qpid 2>/dev/null || break
    sleep 0.2
done
kill $qpid 2>/dev/null
wait $qpid 2>/dev/null
if has 'kite: ready in'; then
    pass "default image: $(grep -ao 'kite: ready in [0-9]* ms' "$log") (image at $(grep -ao 'entered at 0x[0-9a-f]*' "$log" | sed 's/.* //'))"
else
    fail "default image never printed 'kite: ready'" "$(tail_of_log 5)"
fi

# expect NAME STATUS PATTERN...: the boot ended with STATUS and printed every PATTERN.
expect() {
    local name=$1 want=$2 missing=()
    shift 2
    for p in "$@"; do has "$p" || missing+=("$p"); done
    if [ "$status" -eq "$want" ] && [ ${#missing[@]} -eq 0 ]; then
        pass "$name"
    else
        fail "$name: QEMU status $status ($want expected)" \
            "${missing[@]/#/missing: }" "$(tail_of_log 6)"
    fi
}

# NUMA machines: the tests pass there too, and the topology in the boot log is QEMU's.
numa_run() {
    local name=$1 nodes=$2 smp=$3 mem=$4
    shift 4
    matrix_run "$name" --smp "$smp" --mem "$mem" --numa "$nodes"
    expect "$name: topology in the boot log matches QEMU's -numa" 1 \
        "numa: $nodes nodes, $smp CPUs (SRAT and SLIT)" "$@"
}
numa_run numa-2 2 4 1G "node 0 (domain 0): " "CPUs 0,1" "node 1 (domain 1): " "CPUs 2,3" \
    "distances from node 0:  10  20" "distances from node 1:  20  10"
numa_run numa-4 4 4 2G "node 3 (domain 3): 511 MiB in 1 range, CPUs 3" \
    "distances from node 0:  10  20  30  40" "distances from node 2:  30  20  10  20"

if iso=$(iso_for maxcpus "kite.maxcpus=1 kite.test=all"); then
    boot maxcpus --iso "$iso" --smp 4 --mem 1G
    read -r kp kf <<<"$(kernel_counts)"
    expect "kite.maxcpus=1 on 4 CPUs: one CPU used, tests pass" 1 \
        "kite.maxcpus=1: using 1 of 4 CPUs" "test: ${kp:-?} passed, 0 failed"
    has "smp: CPU 1 online" && fail "kite.maxcpus=1 still started CPU 1"
else fail "maxcpus: could not build its ISO"; fi

if iso=$(iso_for unknown-test "kite.test=nosuch,printk"); then
    boot unknown-test --iso "$iso" --smp 1 --mem 256M
    expect "an unknown test name fails the run" 3 "no test matches 'nosuch'" "the suites are:" \
        "manual tests, which only their full name runs: crash."
else fail "unknown-test: could not build its ISO"; fi

if iso=$(iso_for bad-options "kite.bogus=1 kite.loglevel=abc kite.serial_port kite.baud=1234 kite.panic=explode kite.quantum=5 kite.test=printk -- x y"); then
    boot bad-options --iso "$iso" --smp 1 --mem 256M
    expect "bad options warn and boot goes on" 1 "unknown option 'kite.bogus=1'" \
        "kite.loglevel=abc" "kite.serial_port has no value" "kite.baud=1234: expected a divisor" \
        "kite.panic=explode: expected halt, reboot, gdb or poweroff" "kite.quantum=5 is out of range" \
        "test: 4 passed, 0 failed"
else fail "bad-options: could not build its ISO"; fi

# The serial console moved to COM2 gets the whole log, from the first line.
if iso=$(iso_for com2 "kite.serial_port=0x2f8 kite.test=string"); then
    boot com2 --iso "$iso" --smp 1 --mem 256M -- -serial "file:$work/com2-port2.log"
    main_log=$log
    log=$work/com2-port2.log
    expect "kite.serial_port=0x2f8 moves the console, log replayed" 1 \
        "kite: Kite aerokernel, entered at" "console: serial on" "test: 2 passed, 0 failed"
    log=$main_log
else fail "com2: could not build its ISO"; fi

if iso=$(iso_for help "kite.help kite.test=init"); then
    boot help --iso "$iso" --smp 1 --mem 256M
    expect "kite.help lists the options" 1 "kite.loglevel" "kite.test" "kite.panic" "kite.serial"
else fail "help: could not build its ISO"; fi

# The shell: commands from kite.shell.run (on 2 NUMA nodes), then keys typed on the serial line
# and pressed on the PS/2 keyboard.
if iso=$(iso_for shell-run 'kite.shell.run="help; cpus; numa; mem; threads; irqs; timers; dmesg; config; uptime; bogus; poweroff"'); then
    boot shell-run --iso "$iso" --smp 2 --mem 256M --numa 2
    expect "kite.shell.run runs each command after the prompt, a trailing poweroff ends the run" 1 \
        "kite> help" "  uptime     : time since boot" \
        "kite> cpus" "2 CPUs online" "cpu  apic id  node  state" \
        "kite> numa" "2 NUMA nodes" "distances from node 1:  20  10" \
        "kite> mem" "  node 1: " "MiB free of" \
        "kite> threads" " running " " boot" " idle1" \
        "kite> irqs" "interrupts and exceptions taken" "cpu1" \
        "kite> timers" "each CPU's next timer" \
        "kite> dmesg" "<6>[" "<7>[" "] kite: ready in" \
        "kite> config" "CONFIG_NR_CPUS=" "CONFIG_KERNEL_TESTS=y" \
        "kite> uptime" "] up " \
        "kite> bogus" "no command 'bogus'" "'bogus' ended with status 127" \
        "kite> poweroff" "kite: power off, status 0"
else fail "shell-run: could not build its ISO"; fi
# The wall clock: QEMU's CMOS clock set to a known date, read at boot and by the date command.
if iso=$(iso_for date 'kite.shell.run="date; poweroff"'); then
    boot date --iso "$iso" --smp 1 --mem 256M -- -rtc base=2001-09-09T01:46:40
    expect "the wall clock comes from the CMOS clock (QEMU -rtc base=2001-09-09T01:46:40)" 1 \
        "time: 2001-09-09 01:4" "kite> date" "UTC (from the CMOS clock)"
else fail "date: could not build its ISO"; fi
if iso=$(iso_for shell-keys ""); then
    if out=$(python3 "$here/shell_keys.py" "$qemu" "$iso" "$work/shell-keys.log" "$BOOT_TIMEOUT"); then
        pass "$out"
    else fail "$out" "$(tail -c 600 "$work/shell-keys.log")"; fi
else fail "shell-keys: could not build its ISO"; fi

if iso=$(iso_for crash-ud "kite.test=crash.invalid_opcode"); then
    boot crash-ud --iso "$iso" --smp 1 --mem 256M
    expect "an uncaught #UD is reported and ends the run" 5 \
        "PANIC: exception #UD invalid opcode (vector 6" "RIP 0x" "R15 0x" "CR3 0x" "backtrace" \
        "  #0  0x" "kite_test_crash_invalid_opcode+0x"
else fail "crash-ud: could not build its ISO"; fi

if iso=$(iso_for crash-pf "kite.test=crash.page_fault"); then
    boot crash-pf --iso "$iso" --smp 1 --mem 256M
    expect "an uncaught page fault reports CR2 and the access" 5 \
        "PANIC: exception #PF page fault (vector 14, error code 0x2)" \
        "CR2 0x0000400000000000: no page for a write in kernel mode"
else fail "crash-pf: could not build its ISO"; fi

if iso=$(iso_for crash-stack "kite.test=crash.stack_overflow"); then
    boot crash-stack --iso "$iso" --smp 1 --mem 256M
    expect "running off a guarded stack is reported as a stack overflow" 5 \
        "PANIC: stack overflow in overflow-test on CPU 0" "is in the guard below its stack"
else fail "crash-stack: could not build its ISO"; fi

# kite.panic=reboot resets the machine (qemu.sh runs QEMU with -no-reboot: it exits, status 0).
if iso=$(iso_for panic-reboot "kite.panic=reboot kite.test=crash.panic_stops_other_cpus"); then
    boot panic-reboot --iso "$iso" --smp 2 --mem 256M
    expect "kite.panic=reboot resets the machine after the report" 0 \
        "PANIC on CPU 0 in thread boot" "kite: rebooting"
else fail "panic-reboot: could not build its ISO"; fi

if iso=$(iso_for crash-panic-smp "kite.test=crash.panic_stops_other_cpus"); then
    boot crash-panic-smp --iso "$iso" --smp 4 --mem 256M
    expect "a panic stops the other CPUs, even one spinning with interrupts off" 5 \
        "PANIC on CPU 0 in thread boot: deliberate panic while CPU 1 spins" \
        "kite_panic+0x" "kite_test_crash_panic_stops_other_cpus+0x" "kite_test_run+0x" \
        "smp: CPU 1 stopped at 0x" "spin_irqs_off+0x" "smp: CPU 3 stopped at 0x" \
        "smp: 3 other CPUs stopped"
else fail "crash-panic-smp: could not build its ISO"; fi

boot no-long-mode --iso "$test_iso" --smp 1 --mem 256M --cpu qemu32
expect "a 32-bit-only CPU gets a clear message" 253 "this CPU has no long mode"

boot not-multiboot2 --kernel "$test_elf" --smp 1 --mem 256M
expect "a non-multiboot2 loader gets a clear message" 253 \
    "not started by a multiboot2 loader" "expected 0x36d76289"

finish
