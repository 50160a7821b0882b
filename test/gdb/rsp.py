#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Talk the GDB remote serial protocol to Kite's stub directly, for what gdb
itself does not show: checksums and retransmission, Ctrl-C (0x03) stopping a
running kernel, and the raw thread, register and memory packets.

    rsp.py PORT ELF SERIAL_LOG

Kite must be booted with kite.gdb=ttyS1 kite.gdb_wait kite.test=gdb.interrupt
and its COM2 on localhost:PORT. Prints one "ok"/"FAIL" line per check and
exits 0 when all passed. Every wait has a timeout.
"""
import socket
import subprocess
import sys
import time

failures = 0


def check(name, cond, detail=""):
    global failures
    if cond:
        print(f"  ok    rsp: {name}")
    else:
        failures += 1
        print(f"  FAIL  rsp: {name}" + (f": {detail}" if detail else ""))


def symbols(elf):
    """name -> (address, size) from nm."""
    out = subprocess.run(["nm", "-S", elf], capture_output=True, text=True, check=True).stdout
    syms = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4:
            syms[f[3]] = (int(f[0], 16), int(f[1], 16))
    return syms


class Stub:
    def __init__(self, port):
        deadline = time.time() + 20
        while True:
            try:
                self.s = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        self.buf = b""

    def byte(self, timeout=10):
        if not self.buf:
            self.s.settimeout(timeout)
            data = self.s.recv(4096)
            if not data:
                raise EOFError("connection closed")
            self.buf = data
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def raw(self, data):
        self.s.sendall(data)

    @staticmethod
    def frame(payload):
        return b"$" + payload + b"#%02x" % (sum(payload) & 0xFF)

    def read_packet(self, timeout=10, ack=True):
        """The next packet's payload (acks and noise before '$' skipped)."""
        while self.byte(timeout) != b"$":
            pass
        data = b""
        while True:
            b = self.byte(timeout)
            if b == b"#":
                break
            data += b
        csum = self.byte(timeout) + self.byte(timeout)
        if int(csum, 16) != sum(data) & 0xFF:
            raise ValueError(f"bad checksum on {data!r}")
        if ack:
            self.raw(b"+")
        return data

    def expect_ack(self, timeout=10):
        return self.byte(timeout)

    def cmd(self, payload, timeout=10):
        self.raw(self.frame(payload))
        a = self.expect_ack(timeout)
        if a != b"+":
            raise ValueError(f"no ack for {payload!r}: {a!r}")
        return self.read_packet(timeout)


def le(value, size):
    return value.to_bytes(size, "little").hex().encode()


def main():
    port, elf, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    syms = symbols(elf)
    st = Stub(port)

    # Checksums: a bad one draws '-', a good one '+'.
    st.raw(b"$?#00")
    check("a packet with a bad checksum is refused with '-'", st.expect_ack() == b"-")
    reply = st.cmd(b"qSupported:swbreak+;hwbreak+")
    check("qSupported gives PacketSize", reply.startswith(b"PacketSize="), reply)
    reply = st.cmd(b"?")
    check("stopped at boot (kite.gdb_wait): T05 for thread 1", reply.startswith(b"T05thread:1;"),
          reply)
    # Retransmission: '-' after a reply brings the same packet again.
    st.raw(b"-")
    again = st.read_packet()
    check("'-' makes the stub send its last packet again", again == reply, f"{again!r}")
    check("qAttached", st.cmd(b"qAttached") == b"1")
    reply = st.cmd(b"qfThreadInfo")
    check("one CPU at boot (the others start later)", reply == b"m1", reply)
    addr, _ = syms["kite_gdb_test_counter"]
    reply = st.cmd(b"m%x,8" % addr)
    check("m reads kite_gdb_test_counter (12345)", reply == le(12345, 8), reply)
    check("m of an unmapped address is an error, not a fault", st.cmd(b"m0,8").startswith(b"E"))
    check("unknown packets get an empty reply", st.cmd(b"qKiteNoSuchThing") == b"")

    # Run until the test spins, then Ctrl-C.
    st.raw(st.frame(b"c"))
    check("c is acknowledged", st.expect_ack() == b"+")
    deadline = time.time() + 60
    while time.time() < deadline:
        with open(log, "rb") as f:
            if b"gdb test: spinning" in f.read():
                break
        time.sleep(0.2)
    time.sleep(0.5)
    st.raw(b"\x03")
    try:
        reply = st.read_packet(timeout=10)
    except (OSError, ValueError, EOFError) as e:
        reply = repr(e).encode()
    check("Ctrl-C (0x03) stops the running kernel: T02 (SIGINT)", reply.startswith(b"T02thread:"),
          reply)
    reply = st.cmd(b"qfThreadInfo")
    check("both CPUs are threads", reply == b"m1,2", reply)
    check("qsThreadInfo ends the list", st.cmd(b"qsThreadInfo") == b"l")
    check("thread 2 is alive", st.cmd(b"T2") == b"OK")
    check("thread 9 is not", st.cmd(b"T9").startswith(b"E"))

    def rip_of(thread):
        if st.cmd(b"Hg%x" % thread) != b"OK":
            return None
        regs = st.cmd(b"g")
        return int.from_bytes(bytes.fromhex(regs[16 * 16:17 * 16].decode()), "little")

    def inside(name, pc):
        a, size = syms[name]
        return pc is not None and a <= pc < a + size

    pc0, pc1 = rip_of(1), rip_of(2)
    check("CPU 0 was stopped in kite_gdb_test_spin", inside("kite_gdb_test_spin", pc0),
          hex(pc0 or 0))
    check("CPU 1, spinning with interrupts off, was held by NMI in spin_irqs_off",
          inside("spin_irqs_off", pc1), hex(pc1 or 0))
    reply = st.cmd(b"p10")  # rip of the Hg thread, alone
    check("p reads one register (rip of thread 2)", reply == le(pc1 or 0, 8), reply)
    info = bytes.fromhex(st.cmd(b"qThreadExtraInfo,2").decode())
    check("qThreadExtraInfo names the CPU and its thread", info.startswith(b"cpu1: thread "), info)
    check("Hg back to thread 1", st.cmd(b"Hg1") == b"OK")

    # X: binary data with '}' escapes ('}' itself and '#' must be escaped).
    answer, _ = syms["kite_gdb_test_answer"]
    value = bytes([0x7D, 0x23, 0x24, 0x2A, 0, 0, 0, 0])
    escaped = b"".join(b"}" + bytes([c ^ 0x20]) if c in b"}#$*" else bytes([c]) for c in value)
    check("X writes escaped binary", st.cmd(b"X%x,8:" % answer + escaped) == b"OK")
    reply = st.cmd(b"m%x,8" % answer)
    check("and m reads it back", reply == value.hex().encode(), reply)

    release, _ = syms["kite_gdb_test_release"]
    check("M sets kite_gdb_test_release", st.cmd(b"M%x,8:" % release + le(1, 8)) == b"OK")
    st.raw(st.frame(b"D"))
    check("D (detach) is acknowledged", st.expect_ack() == b"+")
    check("D answers OK", st.read_packet() == b"OK")
    print(f"rsp: {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
