# test/gdb/run.sh: Ctrl-C, as a person gives it: SIGINT to gdb while the
# kernel runs (kite.test=gdb.interrupt spins on CPU 0 and, interrupts off, CPU 1).
python
import os, signal, threading
threading.Timer(4.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
end
continue
echo @@stopped\n
info threads
bt 2
set var kite_gdb_test_release = 1
detach
