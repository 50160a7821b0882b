# SPDX-License-Identifier: MIT
# The OpenMP example: make EXT=rt/examples/openmp (see primes.c). The same source builds on
# Linux with gcc -fopenmp -O2 rt/examples/openmp/primes.c.
ext-name := openmp
ext-srcs := primes.c
ext-cflags := -fopenmp -O2
