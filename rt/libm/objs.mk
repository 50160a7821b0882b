# SPDX-License-Identifier: MIT
# math.h: musl's math objects (Debian's musl-dev) and a wrapper per function, built by
# mklibm.sh into $(O)/rt/libm/libm.a, which the image links after its objects (libs), so
# only the functions called come in. Included from rt/Makefile; paths relative to rt/.
MUSL_LIBC_A ?= /usr/lib/x86_64-linux-musl/libc.a

ifeq ($(CONFIG_RT_LIBC),y)
libs += $(O)/rt/libm/libm.a
obj-$(CONFIG_KERNEL_TESTS) += libm/tests/libm_test.o
endif

libm-deps := rt/libm/mklibm.sh rt/libm/functions.list rt/libm/wrap.h rt/irqs_off.h rt/libm/stack_chk.c \
	rt/libc/include/math.h $(autoconf) $(flags-stamp)
$(O)/rt/libm/libm.a: $(libm-deps)
	@mkdir -p $(dir $@)
	$(quiet) '  MKLIBM  %s\n' rt/libm/libm.a
	$(Q)rt/libm/mklibm.sh $(MUSL_LIBC_A) rt/libc/include/math.h rt/libm/functions.list $@ \
		$(CC) $(filter-out -mgeneral-regs-only,$(KCFLAGS)) -isystem $(CURDIR)/rt/libc/include

$(O)/rt/libm/tests/libm_test.o: KCFLAGS += -isystem rt/libc/include
$(O)/rt/libm/tests/libm_test.o: KCFLAGS_DROP := -mgeneral-regs-only
