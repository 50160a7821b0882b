# test/gdb/run.sh: kite.panic=gdb and a page fault nothing catches.
echo @@bt\n
bt 2
echo @@again\n
continue
echo @@kill\n
kill
