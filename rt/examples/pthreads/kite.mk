# SPDX-License-Identifier: MIT
# POSIX threads example: make EXT=rt/examples/pthreads (see pthreads.c and docs/pthreads.md).
# The same source builds on Linux: gcc -O2 -pthread -o pthreads pthreads.c
ext-name := pthreads
ext-srcs := pthreads.c
