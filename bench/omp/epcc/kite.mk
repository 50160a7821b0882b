# SPDX-License-Identifier: MIT
# EPCC-style OpenMP overhead microbenchmark: make EXT=bench/omp/epcc (see docs/benchmarks.md).
ext-name := epcc
ext-srcs := epcc.c ../common/bench.c
ext-cflags := -fopenmp -O2
