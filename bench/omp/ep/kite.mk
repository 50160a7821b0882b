# SPDX-License-Identifier: MIT
# EP-style (NAS) Gaussian pairs kernel: make EXT=bench/omp/ep (see docs/benchmarks.md).
ext-name := ep
ext-srcs := ep.c ../common/bench.c
ext-cflags := -fopenmp -O2
