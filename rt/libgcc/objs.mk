# SPDX-License-Identifier: MIT
# gcc's helper functions (__popcountdi2, 128-bit division, complex arithmetic ...):
# the members of gcc's own libgcc.a that are safe in the kernel, built by
# mklibgcc.sh into $(O)/rt/libgcc/libgcc.a, linked last (libs) so that only the
# helpers called come in. Included from rt/Makefile; paths relative to rt/.
LIBGCC_A ?= $(shell $(CC) -print-libgcc-file-name)

libs += $(O)/rt/libgcc/libgcc.a
ifeq ($(CONFIG_RT_LIBC),y)
obj-$(CONFIG_KERNEL_TESTS) += libgcc/tests/libgcc_test.o
endif

$(O)/rt/libgcc/libgcc.a: rt/libgcc/mklibgcc.sh rt/libgcc/wrap.c rt/irqs_off.h $(autoconf) $(flags-stamp)
	@mkdir -p $(dir $@)
	$(quiet) '  MKLIBGCC %s\n' rt/libgcc/libgcc.a
	$(Q)rt/libgcc/mklibgcc.sh $(LIBGCC_A) $@ rt/libgcc/wrap.c \
		$(CC) $(filter-out -mgeneral-regs-only,$(KCFLAGS))

$(O)/rt/libgcc/tests/libgcc_test.o: KCFLAGS += -isystem rt/libc/include
$(O)/rt/libgcc/tests/libgcc_test.o: KCFLAGS_DROP := -mgeneral-regs-only
