# The OpenMP overhead probe as a Kite runtime: make EXT=bench/omp-icount
# (bench/omp-icount/run.sh builds it and the Linux binary from the same source).
ext-name := omp_overhead
ext-srcs := omp_overhead.c
ext-cflags := -fopenmp -O2
