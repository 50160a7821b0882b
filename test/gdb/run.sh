#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Tier: gdb over serial. Boots the test image in QEMU (2 CPUs) with COM2 on a
# TCP port and debugs it through Kite's GDB stub (kite.gdb=ttyS1):
#   - main: kite.gdb_wait stops the boot; gdb (batch) breaks in
#     kite_gdb_test_target, reads variables and registers, lists both CPUs as
#     threads and reads the other's registers, steps (stepi, next, finish),
#     writes a variable, stops on a hardware watchpoint, steps the other
#     CPU, hits a hardware breakpoint, and continues to the end of
#     kite.test=gdb, which must pass and see gdb's write;
#   - interrupt: a breakpoint CPU 1 hits stops both CPUs; Ctrl-C in gdb
#     stops a kernel spinning on both CPUs (one with interrupts off);
#     attach: so does gdb attaching to it;
#   - protocol: test/gdb/rsp.py speaks the protocol itself: checksums,
#     retransmission, 0x03, threads, registers, m/M/X;
#   - panic: kite.panic=gdb after a deliberate panic: gdb's bt names the
#     panic and the test, the other CPU is a thread, and kill powers off;
#   - fault: kite.panic=gdb and a page fault: gdb sees SIGSEGV where it
#     happened, and kill powers off; fault-attached: the same fault while
#     gdb is attached, and once gdb detaches the panic report follows.
# Every QEMU and gdb runs under a timeout; a hang is a failure.
#
#   run.sh TEST_ELF WORKDIR   (make test: build/test/kite.elf build/test/gdb)
set -u
if [ $# -ne 2 ]; then
    echo "usage: $0 TEST_ELF WORKDIR" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
root=$(cd "$here/../.." && pwd)
elf=$1
work=$2
mkdir -p "$work"
T=${KITE_BOOT_TIMEOUT:-120}
echo "gdb over serial (logs in $work)"

for tool in gdb python3 qemu-system-x86_64; do
    if ! command -v "$tool" >/dev/null; then
        fail "$tool is missing (scripts/deps.sh installs it)"
        finish
        exit
    fi
done
if ! [ -f "$elf" ] || ! nm "$elf" | grep -q ' kite_gdb_test_target$'; then
    fail "$elf has no gdb stub tests (CONFIG_GDB and CONFIG_KERNEL_TESTS)"
    finish
    exit
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start NAME CMDLINE: boot the test image with that command line, COM2 on
# localhost:$port, in the background ($qpid); the serial log is $log.
start() {
    name=$1
    log=$work/$name.log
    rm -f "$log" "$work/$name.gdb.out"
    if ! "$root/scripts/mkiso.sh" "$elf" "$work/$name.iso" "$2" 0; then
        qpid=
        return 1
    fi
    port=$(free_port)
    "$root/scripts/qemu.sh" --iso "$work/$name.iso" --smp 2 --mem 512M --timeout "$T" \
        --serial "$log" -- -serial "tcp:127.0.0.1:$port,server=on,wait=off" \
        >"$work/$name.qemu" 2>&1 &
    qpid=$!
}

# wait_log TEXT: until the serial log shows TEXT; false if QEMU ends or T passes first.
wait_log() {
    local i
    for ((i = 0; i < T * 5; i++)); do
        grep -aqF -- "$1" "$log" 2>/dev/null && return 0
        kill -0 "$qpid" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}

# gdb_run SCRIPT: gdb in batch mode, connected to the stub; output in $out.
gdb_run() {
    out=$work/$name.gdb.out
    KITE_GDB_LOG=$log timeout -k 5 "$T" gdb -nx -batch -ex 'set pagination off' -ex 'set confirm off' \
        -ex "target remote localhost:$port" -x "$here/$1" "$elf" >"$out" 2>&1
}

# stop_qemu: wait up to 60 s for QEMU to end by itself (else stop it); $status is its exit status.
stop_qemu() {
    local i
    [ -n "$qpid" ] || { status=255; return; }
    for ((i = 0; i < 300; i++)); do
        kill -0 "$qpid" 2>/dev/null || break
        sleep 0.2
    done
    kill "$qpid" 2>/dev/null
    wait "$qpid"
    status=$?
}

# section NAME: gdb's output from "@@NAME" to the next "@@".
section() {
    awk -v s="@@$1" '$0 == s {on = 1; next} /^@@/ {on = 0} on' "$out"
}

# expect NAME TEXT...: pass when gdb's output has every TEXT (fixed strings).
expect_out() {
    local what=$1 missing=()
    shift
    for t in "$@"; do grep -qF -- "$t" "$out" || missing+=("$t"); done
    if [ ${#missing[@]} -eq 0 ]; then pass "$what"; else
        fail "$what: gdb did not print: ${missing[*]}" "$(tail -15 "$out")"
    fi
}

# rip_sym TEXT: the <symbol+off> of the first "rip" line in TEXT.
rip_sym() { grep -m1 '^rip' <<<"$1" | sed -n 's/.*<\(.*\)>.*/\1/p'; }

kernel_counts() { sed -n 's/.*test: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' "$log" | tail -1; }

# kernel_ok NAME MIN: QEMU ended with 1 (Kite said 0) after at least MIN tests, none failed.
kernel_ok() {
    local kp kf
    read -r kp kf <<<"$(kernel_counts)"
    if [ "$status" -eq 1 ] && [ "${kp:-0}" -ge "$2" ] && [ "${kf:-1}" -eq 0 ]; then
        pass "$1: the kernel's tests ended normally ($kp passed, QEMU status 1)"
    else
        fail "$1: QEMU status $status (1 expected), kernel said '${kp:-?} passed, ${kf:-?} failed'" \
            "$(grep -a 'FAIL\|error:\|PANIC\|gdb' "$log" | tail -8)"
    fi
}

# ---- main: breakpoint, variables, registers, threads, steps, watchpoint
if start main "kite.gdb=ttyS1 kite.gdb_wait kite.test=gdb" && wait_log "waiting for gdb"; then
    pass "main: kite.gdb_wait stops the boot and waits for gdb"
    gdb_run main.gdb
    stop_qemu
    expect_out "main: gdb attaches to the stopped boot (in kite.gdb_wait's stop)" \
        "arch_gdb_break" "Thread 1 (cpu0: thread boot)"
    expect_out "main: a breakpoint in kite_gdb_test_target hits" \
        "hit Breakpoint 1, kite_gdb_test_target (x=x@entry=13)"
    hit=$(section hit)
    if grep -qx '\$1 = 12345' <<<"$hit" && grep -qx '\$2 = 13' <<<"$hit"; then
        pass "main: variables read there (kite_gdb_test_counter = 12345, x = 13)"
    else
        fail "main: reading variables" "$hit"
    fi
    [ "$(rip_sym "$hit")" = kite_gdb_test_target ] &&
        pass "main: info registers: rip is in kite_gdb_test_target" ||
        fail "main: rip is not kite_gdb_test_target" "$hit"
    threads=$(section threads)
    if grep -q 'Thread 1 (cpu0: thread boot)' <<<"$threads" &&
        grep -q 'Thread 2 (cpu1: thread ' <<<"$threads"; then
        pass "main: info threads lists both CPUs, with their threads"
    else
        fail "main: info threads" "$threads"
    fi
    t2=$(rip_sym "$(section thread2)")
    t1=$(rip_sym "$(section thread1)")
    if [ -n "$t2" ] && [ "$t2" != "$t1" ] && grep -q '^#1 ' <<<"$(section thread2)"; then
        pass "main: thread 2 (CPU 1, held by NMI) has its own registers and backtrace (rip $t2)"
    else
        fail "main: thread 2's registers (rip '$t2', thread 1's '$t1')" "$(section thread2)"
    fi
    s=$(rip_sym "$(section stepi)")
    [[ $s == kite_gdb_test_target+* ]] &&
        pass "main: stepi moves one instruction ($s)" ||
        fail "main: stepi" "$(section stepi)"
    grep -qE '^3[2-4][[:space:]]' <<<"$(section next)" &&
        pass "main: next goes to a later line of kite_gdb_test_target" ||
        fail "main: next" "$(section next)"
    grep -qE 'Value returned is \$[0-9]+ = 40' <<<"$(section finish)" &&
        pass "main: finish returns to the test with the value 40" ||
        fail "main: finish" "$(section finish)"
    w=$(section watch)
    if grep -q 'Hardware watchpoint 2: kite_gdb_test_watched' <<<"$w" &&
        grep -q 'Old value = 0' <<<"$w" && grep -q 'New value = 12346' <<<"$w"; then
        pass "main: a hardware watchpoint stops the write in the test (0 -> 12346)"
    else
        fail "main: hardware watchpoint" "$w"
    fi
    t2step=$(section thread2-stepi)
    before=$(grep '^rip' <<<"$t2step" | sed -n 1p | awk '{print $2}')
    after=$(grep '^rip' <<<"$t2step" | sed -n 2p | awk '{print $2}')
    if [ -n "$before" ] && [ -n "$after" ] && [ "$before" != "$after" ]; then
        pass "main: stepi on thread 2 steps CPU 1 ($before -> $after) while CPU 0 stays put"
    else
        fail "main: stepi on thread 2" "$t2step"
    fi
    grep -q 'hit Breakpoint 3, kite_printk' <<<"$(section hbreak)" &&
        pass "main: a hardware breakpoint (hbreak, DR0-DR3) hits in kite_printk" ||
        fail "main: hbreak" "$(section hbreak)"
    grep -aq 'gdb test: answer 42, watched 12346' "$log" &&
        pass "main: the kernel saw gdb's write (kite_gdb_test_answer = 42)" ||
        fail "main: the kernel did not see gdb's write" "$(grep -a 'gdb test' "$log")"
    kernel_ok main 3
else
    fail "main: the boot never said it waits for gdb" "$(tail -5 "$log" 2>/dev/null)"
    [ -n "${qpid:-}" ] && kill "$qpid" 2>/dev/null
fi

# Where CPU 1 is when an NMI stops it in spin_irqs_off: that loop, or the inlined
# arch_pause or arch_tsc in it, which gdb shows as frames of their own.
in_spin='\(spin_irqs_off\|arch_pause\|arch_tsc\)'

# ---- interrupt: gdb's own Ctrl-C (SIGINT to gdb while the kernel runs)
if start interrupt "kite.gdb=ttyS1 kite.gdb_wait kite.test=gdb.interrupt" &&
    wait_log "waiting for gdb"; then
    gdb_run interrupt.gdb
    stop_qemu
    grep -q '^\* 2 .*spin_irqs_off' <<<"$(section cpu1)" &&
        grep -q '^  1 .*cpu0' <<<"$(section cpu1)" &&
        pass "interrupt: a breakpoint hit on CPU 1 stops both, with thread 2 current" ||
        fail "interrupt: breakpoint on CPU 1" "$(section cpu1)"
    st=$(section stopped)
    if grep -q 'received signal SIGINT' "$out" &&
        grep -q '^\* 1 .*kite_gdb_test_spin' <<<"$st" && grep -q '^  2 .*cpu1' <<<"$st" &&
        grep -q '^#[0-2] .*spin_irqs_off' <<<"$st"; then
        pass "interrupt: Ctrl-C in gdb stops the running kernel: CPU 0 in kite_gdb_test_spin, CPU 1 (interrupts off) in spin_irqs_off"
    else
        fail "interrupt: Ctrl-C" "$(tail -12 "$out")"
    fi
    kernel_ok interrupt 1
else
    fail "interrupt: the boot never said it waits for gdb" "$(tail -5 "$log" 2>/dev/null)"
    [ -n "${qpid:-}" ] && kill "$qpid" 2>/dev/null
fi

# ---- attach: gdb attaches to a running Kite (no kite.gdb_wait), which stops for it
if start attach "kite.gdb=ttyS1 kite.test=gdb.interrupt" && wait_log "gdb test: spinning"; then
    gdb_run interrupt-attached.gdb
    stop_qemu
    if grep -q '^\* 1 .*cpu0' <<<"$(section threads)" &&
        grep -q "^  2 .*$in_spin" <<<"$(section threads)" &&
        grep -aq 'stopped (gdb attached)' "$log"; then
        pass "attach: gdb attaching to the running kernel stops it (both CPUs)"
    else
        fail "attach: gdb attaching to a running Kite" "$(tail -8 "$out")"
    fi
    kernel_ok attach 1
else
    fail "attach: the kernel never reached the spin" "$(tail -5 "$log" 2>/dev/null)"
    [ -n "${qpid:-}" ] && kill "$qpid" 2>/dev/null
fi

# ---- protocol: the packets themselves, and 0x03
if start protocol "kite.gdb=ttyS1 kite.gdb_wait kite.test=gdb.interrupt" &&
    wait_log "waiting for gdb"; then
    out=$work/protocol.rsp.out
    timeout -k 5 "$T" python3 "$here/rsp.py" "$port" "$elf" "$log" >"$out" 2>&1
    rc=$?
    stop_qemu
    # rsp.py prints one line per check in lib.sh's format: count them here.
    while IFS= read -r line; do
        case $line in
        "  ok    "*) pass "protocol: ${line#  ok    rsp: }" ;;
        "  FAIL  "*) fail "protocol: ${line#  FAIL  rsp: }" ;;
        esac
    done <"$out"
    [ "$rc" -eq 0 ] || fail "protocol: rsp.py exited with $rc" "$(tail -5 "$out")"
    kernel_ok protocol 1
else
    fail "protocol: the boot never said it waits for gdb" "$(tail -5 "$log" 2>/dev/null)"
    [ -n "${qpid:-}" ] && kill "$qpid" 2>/dev/null
fi

# ---- panic: kite.panic=gdb
if start panic "kite.gdb=ttyS1 kite.panic=gdb kite.test=crash.panic_stops_other_cpus" &&
    wait_log "waiting for gdb"; then
    gdb_run panic.gdb
    stop_qemu
    bt=$(section bt)
    if grep -q 'in kite_panic ' <<<"$bt" && grep -q 'kite_test_crash_panic_stops_other_cpus' <<<"$bt"; then
        pass "panic: gdb's bt from the panic names kite_panic and the test that panicked"
    else
        fail "panic: bt" "$bt"
    fi
    # The NMI may land in arch_pause or arch_tsc, which gdb shows as inlined frames of spin_irqs_off.
    grep -q "Thread 2 (cpu1: thread .*stopped by the panic) $in_spin" \
        <<<"$(section threads)" &&
        grep -q 'spin_irqs_off' <<<"$(section thread2)" &&
        pass "panic: CPU 1, stopped by the panic, is thread 2 with its backtrace" ||
        fail "panic: thread 2" "$(section threads)" "$(section thread2)"
    [ "$status" -eq 1 ] && grep -q 'killed\|Remote connection closed' "$out" &&
        pass "panic: gdb's kill powers Kite off (QEMU status 1)" ||
        fail "panic: QEMU status $status after kill (1 expected)" "$(tail -3 "$out")"
else
    fail "panic: Kite never said it waits for gdb after the panic" "$(tail -5 "$log" 2>/dev/null)"
    [ -n "${qpid:-}" ] && kill "$qpid" 2>/dev/null
fi

# ---- fault: kite.panic=gdb and an exception nothing catches
if start fault "kite.gdb=ttyS1 kite.panic=gdb kite.test=crash.page_fault" &&
    wait_log "waiting for gdb"; then
    grep -aq 'stopped (exception #PF, error code 0x2)' "$log" &&
        pass "fault: the console says which exception stopped for gdb" ||
        fail "fault: the console line" "$(grep -a 'gdb:' "$log" | tail -3)"
    gdb_run fault.gdb
    stop_qemu
    grep -q '^#0 .* in kite_test_crash_page_fault ' <<<"$(section bt)" &&
        pass "fault: gdb is at the faulting instruction in kite_test_crash_page_fault" ||
        fail "fault: bt" "$(section bt)"
    grep -q 'received signal SIGSEGV' <<<"$(section again)" &&
        pass "fault: continuing faults again: SIGSEGV" ||
        fail "fault: continue" "$(section again)"
    [ "$status" -eq 1 ] && grep -q 'killed\|Remote connection closed' "$out" &&
        pass "fault: gdb's kill powers Kite off (QEMU status 1)" ||
        fail "fault: QEMU status $status after kill (1 expected)" "$(tail -3 "$out")"
else
    fail "fault: Kite never said it waits for gdb after the fault" "$(tail -5 "$log" 2>/dev/null)"
    [ -n "${qpid:-}" ] && kill "$qpid" 2>/dev/null
fi

# ---- fault-attached: an exception while gdb is attached (no kite.panic=gdb)
if start fault-attached "kite.gdb=ttyS1 kite.gdb_wait kite.test=crash.page_fault" &&
    wait_log "waiting for gdb"; then
    gdb_run fault-attached.gdb
    stop_qemu
    grep -q 'received signal SIGSEGV' "$out" &&
        grep -q '^#0 .* in kite_test_crash_page_fault ' <<<"$(section bt)" &&
        pass "fault-attached: gdb, attached, gets the page fault as SIGSEGV in kite_test_crash_page_fault" ||
        fail "fault-attached: the fault did not reach gdb" "$(tail -6 "$out")"
    [ "$status" -eq 5 ] && grep -q 'detached' "$out" &&
        grep -aq 'PANIC: exception #PF page fault' "$log" &&
        pass "fault-attached: after gdb detaches, the fault gets its panic report (QEMU status 5)" ||
        fail "fault-attached: QEMU status $status after detach (5 expected, with the report)" \
            "$(tail -3 "$out")" "$(grep -a PANIC "$log")"
else
    fail "fault: Kite never said it waits for gdb after the fault" "$(tail -5 "$log" 2>/dev/null)"
    [ -n "${qpid:-}" ] && kill "$qpid" 2>/dev/null
fi

finish
