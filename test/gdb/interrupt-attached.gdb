# test/gdb/run.sh: gdb attached to a running Kite (kite.test=gdb.interrupt spinning).
echo @@threads\n
info threads
set var kite_gdb_test_release = 1
detach
