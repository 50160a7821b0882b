# test/gdb/run.sh: kite.panic=gdb after a deliberate panic with CPU 1 spinning.
echo @@bt\n
bt
echo @@threads\n
info threads
echo @@thread2\n
thread 2
bt 2
thread 1
echo @@kill\n
kill
