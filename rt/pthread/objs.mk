# SPDX-License-Identifier: MIT
# POSIX threads over Kite threads (CONFIG_RT_PTHREAD): paths relative to rt/.
obj-$(CONFIG_RT_PTHREAD) += pthread/thread.o
obj-$(CONFIG_RT_PTHREAD) += pthread/sync.o

$(O)/rt/pthread/%.o: KCFLAGS += -isystem rt/libc/include
ifeq ($(CONFIG_RT_PTHREAD),y)
obj-$(CONFIG_KERNEL_TESTS) += pthread/tests/pthread_test.o
endif
