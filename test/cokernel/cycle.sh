#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The co-kernel test, run inside the Linux guest by /init (busybox ash).
# Prints one line per check, "KTEST ok    NAME" or "KTEST FAIL  NAME" with
# "KTEST       detail" lines under it, and ends with exactly one line
# "KTEST N passed, M failed"; test/cokernel/run.sh reads them from the
# serial console. A check that did not run is never printed as passed.
#
# What it checks (issue 5): the module's bad-input refusals (each with a
# non-zero exit, a message, and no change of state), the whole cycle
# (reserve, create, assign, load, kargs, boot, "kite: ready" in kmsg, Kite's
# in-kernel test suite run through exec, destroy, release, CPUs online and
# MemFree back), ten boot/destroy rounds with nothing leaked, kitectl up and
# down, shutdown, a Kite that panics, one that faults on a write outside its
# memory, memory blocks taken offline when the pool is short and given back,
# rmmod refused while an instance lives and giving everything back after.
#
# Settings (from /init): KITE_ELF, the partition's CPUs and memory, and the
# module's parameters (KITE_SIPI, KITE_MEM) for the insmod checks at the end.
KITE_ELF=${KITE_ELF:-/kite.elf}
CPUS=${CPUS:-2,3}
CPU_A=${CPU_A:-2}
CPU_B=${CPU_B:-3}
MEM=${MEM:-256M@1}
READY_WAIT=${READY_WAIT:-60}   # seconds Kite may take to reach ready
EXEC_WAIT=${EXEC_WAIT:-600}    # seconds "test all" may take
MEMFREE_SLACK_KB=${MEMFREE_SLACK_KB:-16384}
ROUNDS=${ROUNDS:-10}

passed=0
failed=0
out=/tmp/ktest.out

ok() {
    passed=$((passed + 1))
    echo "KTEST ok    $1"
}

bad() {
    failed=$((failed + 1))
    echo "KTEST FAIL  $1"
    shift
    for d in "$@"; do
        [ -n "$d" ] && printf '%s\n' "$d" | head -40 | sed 's/^/KTEST       /'
    done
}

info() {
    echo "KTEST info  $*"
}

# The module's and the pools' state: what a refused command must leave as it was.
snapshot() {
    kitectl query cpu 2>&1
    kitectl query mem 2>&1
    kitectl list 2>&1
    cat /sys/devices/system/cpu/online
}

kernel_lines() { dmesg | grep -c 'kite_host: '; }

# refused NAME PATTERN CMD...: CMD must fail, say PATTERN (stdout, stderr or the
# module's dmesg line), and change nothing.
refused() {
    name=$1 pattern=$2
    shift 2
    before=$(snapshot)
    klines=$(kernel_lines)
    "$@" >"$out" 2>&1
    rc=$?
    after=$(snapshot)
    said=$(cat "$out"; dmesg | grep 'kite_host: ' | tail -n +$((klines + 1)))
    if [ $rc -eq 0 ]; then
        bad "$name" "'$*' succeeded" "$said"
    elif ! printf '%s\n' "$said" | grep -qi -- "$pattern"; then
        bad "$name" "'$*' failed (exit $rc) but did not say '$pattern':" "$said"
    elif [ "$before" != "$after" ]; then
        bad "$name" "'$*' failed but changed the state:" "before: $before" "after: $after"
    else
        ok "$name: $(grep -m1 . "$out")"
    fi
}

# must NAME CMD...: CMD must succeed; its output is left in $out.
must() {
    name=$1
    shift
    if "$@" >"$out" 2>&1; then
        ok "$name"
        return 0
    fi
    bad "$name" "'$*' failed (exit $?):" "$(cat "$out")" "$(dmesg | grep 'kite_host: ' | tail -3)"
    return 1
}

memfree_kb() { sed -n 's/^MemFree: *\([0-9]*\) kB/\1/p' /proc/meminfo; }
online() { cat "/sys/devices/system/cpu/cpu$1/online"; }

# wait_ready ID: until "kite: ready" is in the instance's log; 0 when it came.
wait_ready() {
    i=0
    while [ $i -lt $((READY_WAIT * 10)) ]; do
        if kitectl kmsg "$1" 2>/dev/null | grep -q 'kite: ready'; then
            return 0
        fi
        case $(kitectl status "$1" 2>/dev/null | sed -n 's/^state: *//p') in
        panicked | halted) return 1 ;;
        esac
        usleep 100000
        i=$((i + 1))
    done
    return 1
}

field() { sed -n "s/^$1: *//p" "$out"; }

# Back to a clean module: every instance destroyed, everything released.
cleanup() {
    for id in $(kitectl list 2>/dev/null | awk '$1 ~ /^[0-9]+$/ {print $1}'); do
        kitectl destroy "$id" >/dev/null 2>&1
    done
    kitectl release cpu all >/dev/null 2>&1
    kitectl release mem all >/dev/null 2>&1
}

# setup_instance KARGS: reserve, create, assign, load, kargs; sets $id. 0 when all worked.
setup_instance() {
    kitectl reserve cpu "$CPUS" >"$out" 2>&1 || return 1
    kitectl reserve mem "$MEM" >>"$out" 2>&1 || return 1
    id=$(kitectl create 2>>"$out") || return 1
    kitectl assign "$id" cpu "$CPUS" >>"$out" 2>&1 || return 1
    kitectl assign "$id" mem all >>"$out" 2>&1 || return 1
    kitectl load "$id" "$KITE_ELF" >>"$out" 2>&1 || return 1
    kitectl kargs "$id" "$1" >>"$out" 2>&1 || return 1
}

# ------------------------------------------------------------------ the module

info "guest Linux $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, nodes $(cat /sys/devices/system/node/online)"
cpus_online0=$(cat /sys/devices/system/cpu/online)
memfree0=$(memfree_kb)

if [ -c /dev/kite ] && [ "$(stat -c %a /dev/kite)" = 600 ]; then
    ok "/dev/kite exists, mode 0600"
else
    bad "/dev/kite exists, mode 0600" "$(ls -l /dev/kite 2>&1)" "$(dmesg | grep kite_host)"
    echo "KTEST $passed passed, $failed failed"
    exit 1
fi
if command -v kitectl >/dev/null; then
    ok "kitectl is in the initramfs"
else
    bad "kitectl is in the initramfs" "host/kitectl/kitectl was not built; the cycle cannot run"
fi

# ------------------------------------------------------------------ bad input

refused "reserving CPU 0 is refused" "CPU 0" kitectl reserve cpu 0
refused "the module itself refuses CPU 0" "CPU 0" kh_ioctl reserve-cpu 0
refused "reserving a CPU that does not exist is refused" "CPU 7" kitectl reserve cpu 7
refused "the module itself refuses a CPU past nr_cpu_ids" "CPU 200" kh_ioctl raw-cpus reserve 0 0 0 0x100
refused "reserving memory on a node that does not exist is refused" "node 5" \
    kitectl reserve mem 256M@5
refused "reserving more memory than is free is refused" "free" kitectl reserve mem 1G@1
refused "reserving a size that is not a multiple of 2 MiB is refused" "2 MiB" kh_ioctl reserve-mem 3@1
refused "destroying an instance that does not exist is refused" "instance 42" kitectl destroy 42
refused "an unknown ioctl is refused" "unknown ioctl" kh_ioctl bad-ioctl
must "reserve cpu $CPU_A" kitectl reserve cpu "$CPU_A"
refused "reserving a CPU twice is refused" "already reserved" kitectl reserve cpu "$CPU_A"
refused "releasing a CPU that is not reserved is refused" "not reserved" kitectl release cpu 1
must "create an instance" kitectl create && bid=$(cat "$out")
refused "booting with no CPUs or memory is refused" "no CPUs" kitectl boot "$bid"
must "assign it CPU $CPU_A" kitectl assign "$bid" cpu "$CPU_A"
refused "booting with no memory is refused" "no memory" kitectl boot "$bid"
refused "loading with no memory assigned is refused" "memory" kh_ioctl load "$bid" "$KITE_ELF"
must "reserve mem 64M@0" kitectl reserve mem 64M@0
must "assign it the 64 MiB" kitectl assign "$bid" mem all
refused "loading a file that is not a Kite image is refused" "ELF\|Kite image\|multiboot" \
    kitectl load "$bid" /bin/busybox
refused "the module itself refuses a file that is not a Kite image" "ELF\|multiboot" \
    kh_ioctl load "$bid" /bin/busybox
refused "booting with no image loaded is refused" "image" kitectl boot "$bid"
refused "kargs longer than 4095 bytes are refused by the module" "at most 4095" \
    kh_ioctl raw-kargs "$bid" 0x1000 5000
refused "kargs at a bad user address are refused" "Bad address" kh_ioctl raw-kargs "$bid" 0x10 16
refused "releasing a CPU assigned to an instance is refused" "instance $bid" \
    kitectl release cpu "$CPU_A"
refused "rmmod with an instance alive is refused" "in use\|unavailable\|busy" rmmod kite_host
if lsmod | grep -q '^kite_host'; then ok "the module is still loaded"; else bad "the module is still loaded"; fi
must "destroy it" kitectl destroy "$bid"
refused "destroying twice is refused" "instance $bid" kitectl destroy "$bid"
must "release the 64 MiB" kitectl release mem all
must "release CPU $CPU_A" kitectl release cpu "$CPU_A"

# A Kite that does not fit: /kite-big.elf is kite.elf grown to 1 GiB in memory.
if must "reserve 64 MiB for an image that does not fit" kitectl reserve mem 64M@0; then
    fid=$(kitectl create 2>/dev/null)
    kitectl assign "$fid" mem all >/dev/null 2>&1
    refused "loading an image larger than its memory is refused" "MiB\|fit" \
        kitectl load "$fid" /kite-big.elf
    refused "the module itself refuses an image larger than its memory" "MiB\|fit" \
        kh_ioctl load "$fid" /kite-big.elf
    kitectl destroy "$fid" >/dev/null 2>&1
    kitectl release mem all >/dev/null 2>&1
fi
if [ "$(snapshot)" = "$(kitectl query cpu 2>&1; kitectl query mem 2>&1; kitectl list 2>&1; echo "$cpus_online0")" ] &&
    [ "$(cat /sys/devices/system/cpu/online)" = "$cpus_online0" ]; then
    ok "after the refusals the module holds nothing (CPUs online: $cpus_online0)"
else
    bad "after the refusals the module holds nothing" "$(snapshot)"
fi

# ------------------------------------------------------------------ the whole cycle

memfree0=$(memfree_kb)
t0=$(cut -d' ' -f1 /proc/uptime)
if must "reserve cpu $CPUS" kitectl reserve cpu "$CPUS"; then
    t1=$(cut -d' ' -f1 /proc/uptime)
    info "reserving CPUs $CPUS took $(echo "$t0 $t1" | awk '{printf "%d", ($2 - $1) * 1000}') ms"
fi
if [ "$(online "$CPU_A")$(online "$CPU_B")" = 00 ]; then
    ok "CPUs $CPUS are offline to Linux"
else
    bad "CPUs $CPUS are offline to Linux" "online: $(cat /sys/devices/system/cpu/online)"
fi
must "reserve mem $MEM" kitectl reserve mem "$MEM"
must "create" kitectl create && id=$(cat "$out")
must "assign $id cpu $CPUS" kitectl assign "$id" cpu "$CPUS"
must "assign $id mem all" kitectl assign "$id" mem all
must "load $id $KITE_ELF" kitectl load "$id" "$KITE_ELF"
must "kargs $id" kitectl kargs "$id" "kite.loglevel=6"
kitectl status "$id" >"$out" 2>&1
if [ "$(field state)" = created ] && field loaded | grep -q yes; then
    ok "status says created, image loaded"
else
    bad "status says created, image loaded" "$(cat "$out")"
fi
must "boot $id" kitectl boot "$id"
if wait_ready "$id"; then
    ok "\"kite: ready\" is in kmsg"
else
    bad "\"kite: ready\" is in kmsg" "$(kitectl status "$id" 2>&1)" "$(kitectl kmsg "$id" 2>&1 | tail -20)"
fi
kitectl status "$id" >"$out" 2>&1
if [ "$(field state)" = running ]; then
    ok "status says running (ready in $(field 'ready in'), heartbeat $(field heartbeat))"
    info "boot to ready: $(field 'ready in')"
else
    bad "status says running" "$(cat "$out")"
fi
usleep 300000
kitectl status "$id" >"$out" 2>&1
beats=$(field heartbeat | sed -n 's/.*(\([0-9]*\) beats).*/\1/p')
if [ "${beats:-0}" -ge 2 ]; then
    ok "the heartbeat goes on ($beats beats)"
else
    bad "the heartbeat goes on" "$(cat "$out")"
fi
# Kite's boot log, for whoever reads the run (where the time to ready goes).
kitectl kmsg "$id" 2>&1 | grep -v '^ *$' | head -60 | while IFS= read -r l; do info "kmsg: $l"; done
if kitectl kmsg "$id" 2>&1 | grep -q "co-kernel instance $id: 2 CPUs"; then
    ok "Kite took the boot params (2 CPUs)"
else
    bad "Kite took the boot params (2 CPUs)" "$(kitectl kmsg "$id" 2>&1 | head -20)"
fi
if kitectl kmsg "$id" 2>&1 | grep -q "smp: 2 of 2 CPUs online"; then
    ok "Kite started its second CPU through the SIPI page"
else
    bad "Kite started its second CPU through the SIPI page" "$(kitectl kmsg "$id" 2>&1 | grep -i 'smp\|cpu' | head)"
fi
# The wall clock: Kite's date is the host's (the boot params carry its time and TSC).
today=$(date -u +%Y-%m-%d)
kitectl exec "$id" date >"$out" 2>&1
if grep -q "time: $today [0-9:]* UTC (from the host)" "$out"; then
    ok "exec $id date: the host's date, $today ($(grep -o '[0-9][0-9]:[0-9][0-9]:[0-9][0-9]' "$out" | head -1) UTC; the guest says $(date -u +%H:%M:%S))"
else
    bad "exec $id date: the host's date, $today" "$(cat "$out")"
fi
kitectl exec "$id" -t "$EXEC_WAIT" test all >"$out" 2>&1
rc=$?
line=$(grep -o 'test: [0-9]* passed, [0-9]* failed' "$out" | tail -1)
if [ $rc -eq 0 ] && echo "$line" | grep -q 'test: [1-9][0-9]* passed, 0 failed'; then
    ok "exec $id test all: $line"
else
    bad "exec $id test all: '${line:-no closing line}', exit $rc" "$(grep 'FAIL\|PANIC\|expected' "$out" | head -20)" \
        "$(kitectl kmsg "$id" 2>&1 | grep 'FAIL\|PANIC\|expected' | head -20)" "$(tail -5 "$out")"
fi
refused "rmmod while instance $id runs is refused" "in use\|unavailable\|busy" rmmod kite_host
refused "releasing a CPU that Kite runs on is refused" "instance $id" kitectl release cpu "$CPU_A"
refused "bringing a Kite CPU online through sysfs is refused" "" \
    sh -c "echo 1 > /sys/devices/system/cpu/cpu$CPU_A/online"
t0=$(cut -d' ' -f1 /proc/uptime)
must "destroy $id" kitectl destroy "$id"
must "release cpu $CPUS" kitectl release cpu "$CPUS"
must "release mem all" kitectl release mem all
t1=$(cut -d' ' -f1 /proc/uptime)
info "destroy + release of 2 CPUs took $(echo "$t0 $t1" | awk '{printf "%d", ($2 - $1) * 1000}') ms"
if [ "$(online "$CPU_A")$(online "$CPU_B")" = 11 ] &&
    [ "$(cat /sys/devices/system/cpu/online)" = "$cpus_online0" ]; then
    ok "CPUs $CPUS are back online ($cpus_online0)"
else
    bad "CPUs $CPUS are back online" "online: $(cat /sys/devices/system/cpu/online)"
fi
memfree1=$(memfree_kb)
if [ $((memfree0 - memfree1)) -le "$MEMFREE_SLACK_KB" ]; then
    ok "MemFree is back ($memfree0 kB before, $memfree1 kB after)"
else
    bad "MemFree is back" "$memfree0 kB before, $memfree1 kB after"
fi
# Linux uses its CPUs again: a process pinned to each runs there.
for c in $CPU_A $CPU_B; do
    if taskset -c "$c" sh -c 'grep -q . /proc/self/stat' 2>/dev/null; then
        ok "Linux runs a task on CPU $c again"
    else
        bad "Linux runs a task on CPU $c again" "$(taskset -c "$c" true 2>&1)"
    fi
done

# ------------------------------------------------------------------ ten rounds

cleanup
memfree0=$(memfree_kb)
kitectl reserve cpu "$CPUS" >/dev/null 2>&1
kitectl reserve mem "$MEM" >/dev/null 2>&1
round=1
why=
times=
while [ $round -le "$ROUNDS" ]; do
    rid=$(kitectl create 2>&1) || { why="round $round: create: $rid"; break; }
    kitectl assign "$rid" cpu "$CPUS" >"$out" 2>&1 &&
        kitectl assign "$rid" mem all >>"$out" 2>&1 &&
        kitectl load "$rid" "$KITE_ELF" >>"$out" 2>&1 &&
        kitectl boot "$rid" >>"$out" 2>&1 || { why="round $round: $(cat "$out")"; break; }
    if ! wait_ready "$rid"; then
        why="round $round: no ready: $(kitectl kmsg "$rid" 2>&1 | tail -5)"
        break
    fi
    times="$times $(kitectl status "$rid" 2>/dev/null | sed -n 's/^ready in: *\([0-9.]*\).*/\1/p')"
    kitectl destroy "$rid" >"$out" 2>&1 || { why="round $round: destroy: $(cat "$out")"; break; }
    round=$((round + 1))
done
if [ -z "$why" ]; then
    ok "$ROUNDS rounds of create, assign, load, boot, ready, destroy"
    info "boot to ready over the rounds (ms):$times"
else
    bad "$ROUNDS rounds of create, assign, load, boot, ready, destroy" "$why"
fi
kitectl list >"$out" 2>&1
kh_ioctl query-mem >>"$out" 2>&1
if ! grep -q '^ *[0-9]' "$out" && grep -q 'instance 0 ' "$out" && ! grep -q 'instance [1-9]' "$out"; then
    ok "no instance is left after the rounds, the memory is unassigned"
else
    bad "no instance is left after the rounds, the memory is unassigned" "$(cat "$out")"
fi
cleanup
memfree1=$(memfree_kb)
if [ "$(cat /sys/devices/system/cpu/online)" = "$cpus_online0" ] &&
    [ $((memfree0 - memfree1)) -le "$MEMFREE_SLACK_KB" ]; then
    ok "nothing leaked over the rounds (CPUs $cpus_online0 online, MemFree $memfree0 -> $memfree1 kB)"
else
    bad "nothing leaked over the rounds" "online $(cat /sys/devices/system/cpu/online)" \
        "MemFree $memfree0 -> $memfree1 kB" "$(dmesg | grep kite_host | tail -5)"
fi

# ------------------------------------------------------------------ up and down

memfree0=$(memfree_kb)
if kitectl up -c "$CPUS" -m "$MEM" -w "$READY_WAIT" "$KITE_ELF" >"$out" 2>&1; then
    uid=$(grep -m1 '^[0-9][0-9]*$' "$out")
    ok "kitectl up -c $CPUS -m $MEM (instance $uid)"
    if kitectl status "$uid" 2>&1 | grep -q '^state: *running'; then
        ok "the instance up made is running"
    else
        bad "the instance up made is running" "$(kitectl status "$uid" 2>&1)"
    fi
    must "kitectl down $uid" kitectl down "$uid"
else
    bad "kitectl up -c $CPUS -m $MEM" "$(cat "$out")"
    cleanup
fi
if [ "$(cat /sys/devices/system/cpu/online)" = "$cpus_online0" ] &&
    ! kitectl query cpu 2>/dev/null | grep -q '[0-9]' && ! kitectl list 2>/dev/null | grep -q '^ *[0-9]'; then
    ok "after down the CPUs are Linux's and no instance is left"
else
    bad "after down the CPUs are Linux's and no instance is left" "$(snapshot)"
fi
# up undoes what it did when a step fails: a bad image.
before=$(snapshot)
if kitectl up -c "$CPUS" -m "$MEM" /bin/busybox >"$out" 2>&1; then
    bad "up with a bad image fails and undoes its steps" "it succeeded: $(cat "$out")"
    cleanup
elif [ "$(snapshot)" = "$before" ]; then
    ok "up with a bad image fails and undoes its steps: $(grep -m1 . "$out")"
else
    bad "up with a bad image fails and undoes its steps" "$(cat "$out")" "before: $before" "after: $(snapshot)"
    cleanup
fi

# ------------------------------------------------------------------ shutdown

if setup_instance "kite.loglevel=6" && kitectl boot "$id" >>"$out" 2>&1 && wait_ready "$id"; then
    must "shutdown $id" kitectl shutdown "$id"
    kitectl status "$id" >"$out" 2>&1
    if [ "$(field state)" = halted ]; then
        ok "status says halted after shutdown (exit code $(field 'exit code'))"
    else
        bad "status says halted after shutdown" "$(cat "$out")"
    fi
else
    bad "a Kite to shut down boots" "$(cat "$out")"
fi
cleanup

# ------------------------------------------------------------------ faults

# fault NAME KARGS PATTERN: Kite panics on purpose; Linux goes on, status and kmsg say so.
fault() {
    name=$1
    if ! setup_instance "$2" || ! kitectl boot "$id" >>"$out" 2>&1; then
        bad "$name: the instance boots" "$(cat "$out")"
        cleanup
        return
    fi
    i=0
    while [ $i -lt $((READY_WAIT * 10)) ]; do
        kitectl status "$id" >"$out" 2>&1
        [ "$(field state)" = panicked ] && break
        usleep 100000
        i=$((i + 1))
    done
    if [ "$(field state)" = panicked ]; then
        ok "$name: status says panicked: $(field panic)"
    else
        bad "$name: status says panicked" "$(cat "$out")" "$(kitectl kmsg "$id" 2>&1 | tail -10)"
    fi
    if kitectl kmsg "$id" 2>&1 | grep -q "$3"; then
        ok "$name: kmsg shows the panic"
    else
        bad "$name: kmsg shows the panic ('$3')" "$(kitectl kmsg "$id" 2>&1 | tail -10)"
    fi
    if echo healthy >/tmp/h && [ "$(cat /tmp/h)" = healthy ] && ! dmesg | grep -q 'BUG:\|Oops\|general protection'; then
        ok "$name: Linux is untouched"
    else
        bad "$name: Linux is untouched" "$(dmesg | tail -20)"
    fi
    t0=$(cut -d' ' -f1 /proc/uptime)
    kitectl destroy "$id" >"$out" 2>&1 && kitectl release cpu "$CPUS" >>"$out" 2>&1 &&
        kitectl release mem all >>"$out" 2>&1
    rc=$?
    t1=$(cut -d' ' -f1 /proc/uptime)
    if [ $rc -eq 0 ] && [ "$(cat /sys/devices/system/cpu/online)" = "$cpus_online0" ]; then
        ok "$name: destroy + release return everything ($(echo "$t0 $t1" | awk '{printf "%d", ($2 - $1) * 1000}') ms)"
    else
        bad "$name: destroy + release return everything" "$(cat "$out")" "online $(cat /sys/devices/system/cpu/online)"
    fi
    cleanup
}

fault "a Kite that panics" "kite.test=crash.panic_stops_other_cpus" "PANIC"
fault "a Kite that writes outside its memory" "kite.test=crash.write_outside" "page fault"

# ------------------------------------------------------------------ run-time offlining

node1_total() { sed -n 's/.*MemTotal: *\([0-9]*\) kB/\1/p' /sys/devices/system/node/node1/meminfo; }
blocks_offline() { grep -l offline /sys/devices/system/memory/memory*/state 2>/dev/null | wc -l; }
total0=$(node1_total)
if must "reserve mem 256M@1,128M@1 (the pool holds 256 MiB on node 1)" kitectl reserve mem 256M@1,128M@1; then
    total1=$(node1_total)
    if kitectl query mem 2>&1 | grep -q offlined && [ $((total0 - total1)) -ge 122880 ]; then
        ok "the 128 MiB the pool lacks were taken offline from Linux (node 1 MemTotal $total0 -> $total1 kB)"
    else
        bad "the 128 MiB the pool lacks were taken offline from Linux" "$(kitectl query mem 2>&1)" \
            "node 1 MemTotal $total0 -> $total1 kB" "$(dmesg | grep kite_host | tail -3)"
    fi
    kitectl reserve cpu "$CPUS" >/dev/null 2>&1
    oid=$(kitectl create 2>/dev/null)
    if kitectl assign "$oid" cpu "$CPUS" >"$out" 2>&1 && kitectl assign "$oid" mem all >>"$out" 2>&1 &&
        kitectl load "$oid" "$KITE_ELF" >>"$out" 2>&1 && kitectl boot "$oid" >>"$out" 2>&1 &&
        wait_ready "$oid" && kitectl kmsg "$oid" 2>&1 | grep -q '2 CPUs, 2 memory ranges'; then
        ok "Kite boots on pool and offlined memory together"
    else
        bad "Kite boots on pool and offlined memory together" "$(cat "$out")" "$(kitectl kmsg "$oid" 2>&1 | tail -5)"
    fi
    cleanup
    total2=$(node1_total)
    if [ $((total0 - total2)) -le 8192 ] && [ "$(blocks_offline)" -eq 0 ]; then
        ok "release gives the blocks back to Linux, online (node 1 MemTotal $total2 kB)"
    else
        bad "release gives the blocks back to Linux, online" "node 1 MemTotal $total0 -> $total2 kB" \
            "$(blocks_offline) blocks offline" "$(dmesg | grep kite_host | tail -3)"
    fi
fi

# ------------------------------------------------------------------ unload

# rmmod with CPUs and memory still reserved (no instance) gives them all back.
kitectl reserve cpu "$CPUS" >/dev/null 2>&1
kitectl reserve mem 256M@1,128M@1 >/dev/null 2>&1
if rmmod kite_host 2>"$out" && ! lsmod | grep -q '^kite_host'; then
    ok "rmmod kite_host with CPUs and memory reserved, no instance"
else
    bad "rmmod kite_host with CPUs and memory reserved, no instance" "$(cat "$out")"
fi
total2=$(node1_total)
if [ $((total0 - total2)) -le 8192 ] && [ "$(blocks_offline)" -eq 0 ]; then
    ok "rmmod gave the offlined blocks back (node 1 MemTotal $total2 kB)"
else
    bad "rmmod gave the offlined blocks back" "node 1 MemTotal $total0 -> $total2 kB" "$(blocks_offline) blocks offline"
fi
# insmod refuses parameters that name memory Linux uses, or no SIPI page.
insmod_refused() {
    name=$1 pattern=$2
    shift 2
    klines=$(kernel_lines)
    if insmod /kite_host.ko "$@" >"$out" 2>&1; then
        bad "$name" "insmod $* succeeded"
        rmmod kite_host
    elif dmesg | grep 'kite_host: ' | tail -n +$((klines + 1)) | grep -q -- "$pattern"; then
        ok "$name: $(dmesg | grep 'kite_host: ' | tail -n +$((klines + 1)) | grep -m1 -- "$pattern" | sed 's/^\[[^]]*\] //')"
    else
        bad "$name" "insmod failed but the log does not say '$pattern':" \
            "$(dmesg | grep 'kite_host: ' | tail -n +$((klines + 1)))"
    fi
}
insmod_refused "insmod without sipi= is refused" "no sipi=" mem="$KITE_MEM"
insmod_refused "insmod with a SIPI page in System RAM is refused" "System RAM" sipi=0x1000 mem="$KITE_MEM"
insmod_refused "insmod with a SIPI page above 1 MiB is refused" "1 MiB" sipi=0x200000 mem="$KITE_MEM"
insmod_refused "insmod with a mem= range in System RAM is refused" "System RAM" sipi="$KITE_SIPI" mem=64M@0x10000000
insmod_refused "insmod with a malformed mem= is refused" "expected" sipi="$KITE_SIPI" mem=256M
if insmod /kite_host.ko sipi="$KITE_SIPI" mem="$KITE_MEM" >"$out" 2>&1 && rmmod kite_host >>"$out" 2>&1; then
    ok "after the refusals the module loads and unloads again (nothing was left claimed)"
else
    bad "after the refusals the module loads and unloads again" "$(cat "$out")" "$(dmesg | grep kite_host | tail -3)"
fi
if [ "$(cat /sys/devices/system/cpu/online)" = "$cpus_online0" ]; then
    ok "every CPU is online at the end ($cpus_online0)"
else
    bad "every CPU is online at the end" "$(cat /sys/devices/system/cpu/online)"
fi
if dmesg | grep -q 'BUG:\|Oops\|WARNING:\|Kernel panic\|general protection'; then
    bad "Linux logged no BUG, Oops or WARNING" "$(dmesg | grep -A5 'BUG:\|Oops\|WARNING:\|general protection' | head -30)"
else
    ok "Linux logged no BUG, Oops or WARNING"
fi

echo "KTEST $passed passed, $failed failed"
