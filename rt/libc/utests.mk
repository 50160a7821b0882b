# Host tests of rt/libc listed beside it (test/host/tests.mk includes this file; the first
# libc tests are listed there).
utest-libc_printf_float := rt/libc/tests/printf_float_utest.c rt/libc/printf.c \
	rt/libc/printf_float.c kernel/vsnprintf.c
utest-libc_strtod := rt/libc/tests/strtod_utest.c rt/libc/strtod.c
