# test/gdb/run.sh: the main session, against kite.gdb_wait kite.test=gdb.
# Connected by run.sh (target remote); each @@ line starts a section it checks.
echo @@boot\n
info threads
break kite_gdb_test_target
continue
echo @@hit\n
print kite_gdb_test_counter
print x
info registers rip
echo @@threads\n
info threads
echo @@thread2\n
thread 2
info registers rip
bt 2
echo @@thread1\n
thread 1
info registers rip
echo @@stepi\n
stepi
info registers rip
echo @@next\n
next
echo @@finish\n
finish
echo @@watch\n
set var kite_gdb_test_answer = 42
watch kite_gdb_test_watched
continue
echo @@thread2-stepi\n
thread 2
info registers rip
stepi
info registers rip
thread 1
echo @@hbreak\n
hbreak kite_printk
continue
echo @@end\n
delete
continue
