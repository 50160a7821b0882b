#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# The interactive shell over the serial line: boot an ISO with no runtime
# and no tests (so Kite starts the shell) with the serial console on this
# script's pipes, type keys the way a terminal sends them, and check what
# Kite shows: Tab completion (one match completes, several are listed), a
# command's output, an up-arrow recalling a line that is then edited, Ctrl-C,
# an unknown command, junk (a 600-byte line, control bytes, odd escape
# sequences, an unclosed quote); then keys pressed on the PS/2 keyboard through
# QEMU's monitor (sendkey): letters with Shift, the up arrow, Backspace, Tab,
# Ctrl-C; and `poweroff`, which must end QEMU with status 1.
#
#   shell_keys.py QEMU_SH ISO TRANSCRIPT [TIMEOUT_S]
#
# Prints one line saying what passed, or what was missing and where; exits 0
# on a pass, 1 on a failure. TRANSCRIPT gets everything the serial line said.
import os
import subprocess
import sys
import threading
import time

UP, LEFT, CTRL_C, CTRL_U, TAB = "\x1b[A", "\x1b[D", "\x03", "\x15", "\t"
CTRL_A_C = "\x01c"  # -serial mon:stdio: between the serial line and QEMU's monitor


def keyboard(keys):
    """Monitor commands that press KEYS (QEMU key names) on the PS/2 keyboard."""
    return "".join(f"sendkey {k} 20\n" for k in keys.split())


class Serial:
    def __init__(self, cmd, transcript):
        self.out = bytearray()
        self.lock = threading.Lock()
        self.transcript = open(transcript, "wb")
        env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}  # no QEMU window
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            b = self.proc.stdout.read1(4096)
            if not b:
                return
            with self.lock:
                self.out += b
            self.transcript.write(b)
            self.transcript.flush()

    def mark(self):
        with self.lock:
            return len(self.out)

    def wait(self, text, since, deadline):
        """True once TEXT has appeared after offset SINCE, before DEADLINE."""
        want = text.encode()
        while time.monotonic() < deadline:
            with self.lock:
                if self.out.find(want, since) >= 0:
                    return True
            if self.proc.poll() is not None:
                time.sleep(0.2)  # let the reader take what is left
                with self.lock:
                    return self.out.find(want, since) >= 0
            time.sleep(0.02)
        return False

    def send(self, keys):
        self.proc.stdin.write(keys.encode("latin-1"))
        self.proc.stdin.flush()


def main():
    if len(sys.argv) < 4:
        print("usage: shell_keys.py QEMU_SH ISO TRANSCRIPT [TIMEOUT_S]", file=sys.stderr)
        return 2
    qemu, iso, transcript = sys.argv[1:4]
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 60
    deadline = time.monotonic() + timeout
    s = Serial([qemu, "--iso", iso, "--smp", "2", "--mem", "256M", "--interactive",
                "--timeout", str(int(timeout) + 5)], transcript)

    # (what to type, what must show after it, what the step checks)
    steps = [
        ("", "kite> ", "the prompt after boot"),
        ("upt" + TAB, "uptime ", "Tab completes a unique prefix"),
        ("\r", "] up ", "the completed command runs"),
        ("t" + TAB, "test  threads  timers", "Tab lists several matches"),
        (CTRL_U + "echo hello-kite\r", "] hello-kite", "a typed command's output"),
        (UP, "kite> echo hello-kite", "the up arrow recalls the last line"),
        ("\x7f" * 4 + "shell\r", "] hello-shell", "the recalled line, edited, runs"),
        ("echo ab" + LEFT + "X\r", "] aXb", "left arrow and insertion"),
        ("junk" + CTRL_C, "^C", "Ctrl-C drops the line"),
        ("bogus\r", "no command 'bogus'", "an unknown command is refused"),
        ("x" * 600 + "\r", "no command 'xxxxxxxx", "a 600-byte line is cut to fit and refused"),
        ("\x00\x02\x07\x1b[5~\x1b[9;9Z\xff" + 'echo "open\r', "a double quote is not closed",
         "control bytes, odd escapes and an unclosed quote"),
        ("help numa\r", "numa: the NUMA nodes", "help NAME"),
        # The PS/2 keyboard: QEMU's monitor (Ctrl-A C switches to it) presses the keys.
        (CTRL_A_C + keyboard("e c h o spc k b d minus shift-o k ret"), "] kbd-Ok",
         "PS/2 keys typed (shift too) and entered"),
        (keyboard("up backspace shift-k ret"), "] kbd-OK", "PS/2 up arrow and backspace"),
        (keyboard("t i tab ret"), "each CPU's next timer", "PS/2 Tab completes"),
        (keyboard("j ctrl-c") + CTRL_A_C + "\r", "^C", "PS/2 Ctrl-C"),
        ("poweroff\r", "kite: power off, status 0", "poweroff"),
    ]
    for keys, want, what in steps:
        since = s.mark()
        if keys:
            s.send(keys)
        if not s.wait(want, since, deadline):
            s.proc.kill()
            print(f"shell keys: {what}: typed {keys!r}, never saw {want!r} (see {transcript})")
            return 1
    try:
        status = s.proc.wait(max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        s.proc.kill()
        print("shell keys: poweroff did not end QEMU")
        return 1
    if status != 1:
        print(f"shell keys: QEMU ended with status {status} (1 expected, Kite's 0)")
        return 1
    print(f"shell keys: {len(steps)} steps typed and seen (completion, history, editing, "
          "Ctrl-C, junk, the PS/2 keyboard, poweroff)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
