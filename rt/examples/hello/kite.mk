# SPDX-License-Identifier: MIT
# The plain C example runtime: make EXT=rt/examples/hello (see hello.c and docs/runtime.md).
ext-name := hello
ext-srcs := hello.c
ext-cflags := -DHELLO_N=1000000
