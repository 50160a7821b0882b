# test/gdb/run.sh: Ctrl-C, as a person gives it: SIGINT to gdb while the
# kernel runs (kite.test=gdb.interrupt spins on CPU 0 and, interrupts off,
# on CPU 1). The timer waits for the spin in the serial log ($KITE_GDB_LOG).
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
threading.Thread(target=ctrl_c, daemon=True).start()
end
continue
echo @@stopped\n
info threads
bt 2
set var kite_gdb_test_release = 1
detach
