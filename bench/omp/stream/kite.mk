# SPDX-License-Identifier: MIT
# STREAM-style bandwidth kernel: make EXT=bench/omp/stream (see docs/benchmarks.md).
ext-name := stream
ext-srcs := stream.c ../common/bench.c
ext-cflags := -fopenmp -O2
