# test/gdb/run.sh: a page fault while gdb is attached (from kite.gdb_wait).
continue
echo @@bt\n
bt 1
echo @@detach\n
detach
