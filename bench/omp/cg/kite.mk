# SPDX-License-Identifier: MIT
# CG-style sparse solver kernel: make EXT=bench/omp/cg (see docs/benchmarks.md).
ext-name := cg
ext-srcs := cg.c ../common/bench.c
ext-cflags := -fopenmp -O2
