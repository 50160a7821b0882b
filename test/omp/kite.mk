# SPDX-License-Identifier: MIT
# The OpenMP test suite: make EXT=test/omp (see main.c; test/omp/run.sh runs it on Kite and
# on Linux and compares the outputs).
ext-name := omptest
ext-srcs := main.c parallel.c for.c work.c sync.c reduction.c task.c tls.c env.c
ext-cflags := -fopenmp -O2
