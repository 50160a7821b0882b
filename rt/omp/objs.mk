# SPDX-License-Identifier: MIT
# The OpenMP runtime (docs/openmp.md). Its objects may use SSE (omp_get_wtime returns a
# double); they run only in threads.
omp-objs := omp/team.o omp/loop.o omp/task.o omp/sync.o omp/api.o
obj-$(CONFIG_RT_OMP) += $(omp-objs)
$(addprefix $(O)/rt/,$(omp-objs)): KCFLAGS_DROP := -mgeneral-regs-only
$(addprefix $(O)/rt/,$(omp-objs)): KCFLAGS += -isystem rt/libc/include
