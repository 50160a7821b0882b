# SPDX-License-Identifier: MIT
# The work-stealing task runtime (include/kite/task.h, docs/tasks.md).
obj-$(CONFIG_RT_TASK) += task/task.o
obj-$(CONFIG_RT_TASK) += task/parallel.o
obj-$(CONFIG_RT_TASK) += task/reduce_double.o
# Doubles travel in SSE registers.
$(O)/rt/task/reduce_double.o: KCFLAGS_DROP := -mgeneral-regs-only
ifeq ($(CONFIG_RT_TASK),y)
obj-$(CONFIG_KERNEL_TESTS) += task/tests/task_test.o
obj-$(CONFIG_KERNEL_TESTS) += task/tests/task_bench.o
$(O)/rt/task/tests/task_test.o: KCFLAGS_DROP := -mgeneral-regs-only
endif
