# SPDX-License-Identifier: MIT
# IS-style (NAS) integer sort kernel: make EXT=bench/omp/is (see docs/benchmarks.md).
ext-name := is
ext-srcs := is.c ../common/bench.c
ext-cflags := -fopenmp -O2
