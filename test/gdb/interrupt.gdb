# test/gdb/run.sh, against kite.test=gdb.interrupt, which spins on CPU 0 and,
# interrupts off, on CPU 1. First a breakpoint that CPU 1 hits (thread 2
# stops the machine), then Ctrl-C as a person gives it: SIGINT to gdb while
# the kernel runs, once the serial log ($KITE_GDB_LOG) shows the spin.
python
import os, signal, threading, time
def ctrl_c():
    deadline = time.time() + 60
    while time.time() < deadline:
        with open(os.environ["KITE_GDB_LOG"], "rb") as f:
            if b"gdb test: spinning" in f.read():
                break
        time.sleep(0.2)
    time.sleep(1)
    os.kill(os.getpid(), signal.SIGINT)
end
break spin_irqs_off
continue
echo @@cpu1\n
info threads
delete
python threading.Thread(target=ctrl_c, daemon=True).start()
continue
echo @@stopped\n
info threads
bt 2
thread apply 2 bt 3
set var kite_gdb_test_release = 1
detach
