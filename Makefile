# SPDX-License-Identifier: MIT
#
# Kite's build: kbuild-style and non-recursive. Each folder's Makefile lists
# its objects (obj-$(CONFIG_X) += x.o); this file includes them all, so one
# make process sees every dependency. Outputs go under $(O) (default build/).
# `make help` lists the targets.

O ?= build
V ?= 0
ifeq ($(V),1)
Q :=
quiet := @true
else
Q := @
quiet := @printf
endif

CC := gcc
LD := ld
OBJCOPY := objcopy
KCONFIG_CONF := kconfig-conf
KCONFIG_MCONF := kconfig-mconf

# QEMU settings for run/debug (make run SMP=4 MEM=2G UEFI=1 CMDLINE="...").
SMP ?= 2
MEM ?= 1G
UEFI ?= 0
NUMA ?= 0

srctree := $(CURDIR)
dirs := boot arch/x86_64 kernel mm sched drivers rt

# ---------------------------------------------------------------- configuration
config := $(O)/.config
autoconf := $(O)/include/generated/autoconf.h
kconfig_env = cd $(O) && srctree=$(srctree) KCONFIG_CONFIG=.config \
	KCONFIG_AUTOCONFIG=include/config/auto.conf \
	KCONFIG_AUTOHEADER=include/generated/autoconf.h \
	KCONFIG_TRISTATE=include/config/tristate.conf
kconfig_files := Kconfig $(wildcard $(addsuffix /Kconfig,$(dirs)))

config-targets := menuconfig defconfig olddefconfig savedefconfig %_defconfig

# Targets that need no configuration.
# run, debug and test install packages first, then call make again for the image.
no-config := help clean distclean deps utest check-format run debug debug-serial test bench fuzz \
	$(config-targets)
ifneq ($(filter-out $(no-config),$(MAKECMDGOALS)),)
need-config := 1
endif
ifeq ($(MAKECMDGOALS),)
need-config := 1
endif

ifdef need-config
-include $(O)/include/config/auto.conf
endif

$(O)/include/config $(O)/include/generated:
	$(Q)mkdir -p $@

# No .config yet: start from the default one, so `make` just works.
$(config): | $(O)/include/config
	$(quiet) '  DEFCONFIG configs/default_defconfig\n'
	$(Q)$(kconfig_env) $(KCONFIG_CONF) -s --defconfig=$(srctree)/configs/default_defconfig \
		$(srctree)/Kconfig

$(autoconf) $(O)/include/config/auto.conf: $(config) $(kconfig_files) | $(O)/include/generated
	$(quiet) '  KCONFIG %s\n' $(O)/include/generated/autoconf.h
	@# Options new since this .config was written take their defaults (said here).
	$(Q)new=$$($(kconfig_env) $(KCONFIG_CONF) --listnewconfig $(srctree)/Kconfig); \
		if [ -n "$$new" ]; then echo "  KCONFIG new options take their defaults:" $$new; fi
	$(Q)$(kconfig_env) $(KCONFIG_CONF) -s --olddefconfig $(srctree)/Kconfig
	$(Q)$(kconfig_env) $(KCONFIG_CONF) -s --silentoldconfig $(srctree)/Kconfig
	$(Q)touch $(autoconf)

%_defconfig: | $(O)/include/config
	$(Q)test -f configs/$@ || { echo "make: no configs/$@; the choices are:" \
		$$(ls configs); exit 1; }
	$(quiet) '  DEFCONFIG configs/%s\n' $@
	$(Q)$(kconfig_env) $(KCONFIG_CONF) -s --defconfig=$(srctree)/configs/$@ $(srctree)/Kconfig

defconfig: default_defconfig

olddefconfig: | $(O)/include/config
	$(Q)test -f $(config) || cp configs/default_defconfig $(config)
	$(Q)$(kconfig_env) $(KCONFIG_CONF) -s --olddefconfig $(srctree)/Kconfig

savedefconfig: | $(O)/include/config
	$(Q)test -f $(config) || { echo "make: no $(config) to save; run make defconfig first"; exit 1; }
	$(Q)$(kconfig_env) $(KCONFIG_CONF) --savedefconfig=defconfig $(srctree)/Kconfig
	@echo "  wrote $(O)/defconfig (copy it to configs/<name>_defconfig to keep it)"

menuconfig: | $(O)/include/config
	$(Q)test -f $(config) || cp configs/default_defconfig $(config)
	$(Q)$(kconfig_env) $(KCONFIG_MCONF) $(srctree)/Kconfig

# ---------------------------------------------------------------- objects
objs :=
# Archives linked after the objects, which take only the members they need (rt/libm).
libs :=
define include-dir
obj-y :=
include $(1)/Makefile
objs += $$(addprefix $(O)/$(1)/,$$(obj-y))
endef
$(foreach d,$(dirs),$(eval $(call include-dir,$(d))))

# ---------------------------------------------------------------- external runtime
# make EXT=dir links the runtime in dir into the image. Its kite.mk lists the sources
# (ext-srcs, relative to dir), optional flags for them (ext-cflags) and a name (ext-name,
# default: the folder's name). They build with the kernel's flags into $(O)/ext/NAME/.
ext-name :=
ext-objs :=
ifneq ($(strip $(EXT)),)
ext-dir := $(patsubst %/,%,$(strip $(EXT)))
ifeq ($(wildcard $(ext-dir)/.),)
$(error EXT=$(EXT): no such folder; expected a folder holding a kite.mk that lists the runtime's sources (see docs/runtime.md))
endif
ifeq ($(wildcard $(ext-dir)/kite.mk),)
$(error EXT=$(EXT): no kite.mk in $(ext-dir); expected $(ext-dir)/kite.mk with a line ext-srcs := file.c ... (see docs/runtime.md))
endif
ext-srcs :=
ext-cflags :=
include $(ext-dir)/kite.mk
ext-name := $(strip $(if $(strip $(ext-name)),$(ext-name),$(notdir $(abspath $(ext-dir)))))
ifeq ($(strip $(ext-srcs)),)
$(error $(ext-dir)/kite.mk lists no sources; expected a line ext-srcs := file.c ... (paths relative to $(ext-dir)))
endif
ifneq ($(filter-out %.c,$(ext-srcs)),)
$(error $(ext-dir)/kite.mk: ext-srcs names $(filter-out %.c,$(ext-srcs)); expected C sources (.c))
endif
ext-missing := $(filter-out $(wildcard $(addprefix $(ext-dir)/,$(ext-srcs))),$(addprefix $(ext-dir)/,$(ext-srcs)))
ifneq ($(ext-missing),)
$(error $(ext-dir)/kite.mk: ext-srcs names $(ext-missing), which does not exist; expected files relative to $(ext-dir))
endif
ext-objs := $(addprefix $(O)/ext/$(ext-name)/,$(ext-srcs:.c=.o))
objs += $(ext-objs)
# The libc being added in rt/libc/ is found by runtimes that include <stdio.h> and the like.
ext-isystem := $(if $(wildcard rt/libc/include/.),-isystem rt/libc/include)
endif

GCC_INCLUDE := $(shell $(CC) -print-file-name=include)

ifeq ($(CONFIG_DEBUG),y)
OPT := -Og -g3
else
OPT := -O2 -g
endif

WARNINGS := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wundef \
	-Wpointer-arith -Werror

# Freestanding, kernel code model, no red zone (interrupts push on the stack
# below rsp), general registers only (no SSE state to save in interrupt
# paths), frame pointers everywhere for backtraces.
KCFLAGS := -std=gnu11 -ffreestanding -nostdinc -isystem $(GCC_INCLUDE) \
	-Iinclude -Iarch/x86_64/include -I$(O)/include -include $(autoconf) \
	-m64 -mcmodel=kernel -mno-red-zone -mgeneral-regs-only -fno-pic -fno-pie \
	-fno-stack-protector -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-optimize-sibling-calls \
	-fno-asynchronous-unwind-tables -fno-common -fno-strict-aliasing -fcf-protection=none \
	$(OPT) $(WARNINGS) $(EXTRA_CFLAGS)
KAFLAGS := -Iinclude -Iarch/x86_64/include -I$(O)/include -include $(autoconf) -m64 -g
KLDFLAGS := -nostdlib -static -T link.ld -z max-page-size=0x1000 -z noexecstack

deps := $(objs:.o=.d)
-include $(deps)

# One JSON fragment per object; compile_commands.json joins them.
json = printf '{"directory":"%s","file":"%s","output":"%s","command":"%s"},\n' \
	'$(srctree)' '$<' '$@' '$(1)' > $@.json

# Objects that may use SSE (floating point: the libc's float formatting, the OpenMP runtime's
# users) drop -mgeneral-regs-only with a target-specific KCFLAGS_DROP := -mgeneral-regs-only.
# They run only in threads, whose SSE state the scheduler saves on preemption.
# -MD, not -MMD: the libc's headers come in with -isystem, and an edit to them must rebuild.
cc_cmd = $(CC) $(filter-out $(KCFLAGS_DROP),$(KCFLAGS)) -MD -MP -c $< -o $@
as_cmd = $(CC) $(KAFLAGS) -MMD -MP -c $< -o $@

# Objects rebuild when the flags change, not only when sources do: the stamp
# is rewritten while make reads this file (so make -n sees the truth too),
# and only when its content would differ.
flags-stamp := $(O)/include/generated/flags
flags-now := $(KCFLAGS) | $(KAFLAGS) | $(KLDFLAGS)
ifdef need-config
$(shell mkdir -p $(O)/include/generated && { test "$$(cat $(flags-stamp) 2>/dev/null)" = \
	'$(flags-now)' || echo '$(flags-now)' > $(flags-stamp); })
endif

# Which runtime is linked in (EXT, its sources and flags), as a header that gives kernel/main.c
# kite_main's argv[0]: a change relinks the image and rebuilds the runtime's objects and
# kernel/main.o, not the whole kernel.
ext-stamp := $(O)/include/generated/ext.h
ext-now := \#define KITE_RUNTIME_NAME "$(if $(ext-name),$(ext-name),kite)" /* EXT=$(EXT) | \
	$(ext-srcs) | $(ext-cflags) | $(ext-isystem) */
ifdef need-config
$(shell mkdir -p $(O)/include/generated && { test "$$(cat $(ext-stamp) 2>/dev/null)" = \
	'$(ext-now)' || echo '$(ext-now)' > $(ext-stamp); })
endif

$(O)/%.o: %.c $(autoconf) $(flags-stamp)
	@mkdir -p $(dir $@)
	$(quiet) '  CC      %s\n' $*.o
	$(Q)$(cc_cmd)
	@$(call json,$(cc_cmd))

$(O)/%.o: %.S $(autoconf) $(flags-stamp)
	@mkdir -p $(dir $@)
	$(quiet) '  AS      %s\n' $*.o
	$(Q)$(as_cmd)
	@$(call json,$(as_cmd))

# The runtime's sources may sit outside the tree, so they have their own rule. They may use
# floating point (SSE): they run only in threads, never in interrupt paths.
ext_cc_cmd = $(CC) $(filter-out -mgeneral-regs-only,$(KCFLAGS)) $(ext-isystem) $(ext-cflags) -MD -MP -c $< -o $@
ifneq ($(ext-objs),)
$(ext-objs): $(O)/ext/$(ext-name)/%.o: $(ext-dir)/%.c $(autoconf) $(flags-stamp) $(ext-stamp)
	@mkdir -p $(dir $@)
	$(quiet) '  CC      %s\n' ext/$(ext-name)/$*.o
	$(Q)$(ext_cc_cmd)
	@$(call json,$(ext_cc_cmd))
endif

$(O)/kernel/main.o: $(ext-stamp)

# The shell's `config` command shows the .config the image was built from (.incbin).
$(O)/kernel/config_blob.o: $(config)
$(O)/kernel/config_blob.o: KAFLAGS += -DKITE_DOT_CONFIG=\"$(abspath $(config))\"

# ---------------------------------------------------------------- image
.DEFAULT_GOAL := all
all: $(O)/kite.elf $(O)/compile_commands.json

# Two links: the first gives the functions' addresses, the second adds their table
# (.kite_symtab, after the text) for backtraces. The functions must not move between them.
$(O)/kite.elf: $(objs) $(libs) link.ld $(flags-stamp) $(ext-stamp) scripts/mksymtab.sh
	$(quiet) '  LD      %s\n' kite.elf
	$(Q)$(LD) $(KLDFLAGS) -o $(O)/kite.nosyms.elf $(objs) $(libs)
	$(Q)scripts/mksymtab.sh $(O)/kite.nosyms.elf > $(O)/symtab.S
	$(Q)$(CC) -c -o $(O)/symtab.o $(O)/symtab.S
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(objs) $(libs) $(O)/symtab.o
	$(Q)scripts/mksymtab.sh $@ | cmp -s - $(O)/symtab.S || \
		{ echo "kite.elf: functions moved when the symbol table was added" >&2; rm -f $@; exit 1; }
	$(Q)scripts/check-image.sh $@

$(O)/compile_commands.json: $(objs)
	$(Q){ echo '['; cat $(addsuffix .json,$(objs)) | sed '$$ s/,$$//'; echo ']'; } > $@

ISO_CMDLINE = $(if $(CMDLINE),$(CMDLINE),$(CONFIG_CMDLINE))
# The ISO is rebuilt when its command line changes (make iso CMDLINE="...").
iso-stamp := $(O)/include/generated/iso-cmdline
ifdef need-config
$(shell mkdir -p $(O)/include/generated && { test "$$(cat $(iso-stamp) 2>/dev/null)" = \
	'$(ISO_CMDLINE) $(CONFIG_GRUB_TIMEOUT)' || \
	echo '$(ISO_CMDLINE) $(CONFIG_GRUB_TIMEOUT)' > $(iso-stamp); })
endif

$(O)/kite.iso: $(O)/kite.elf scripts/mkiso.sh $(config) $(iso-stamp)
	$(quiet) '  ISO     %s\n' kite.iso
	$(Q)scripts/mkiso.sh $< $@ '$(ISO_CMDLINE)' '$(CONFIG_GRUB_TIMEOUT)'

iso isoimage: $(O)/kite.iso

# ---------------------------------------------------------------- run and debug
deps:
	$(Q)scripts/deps.sh

# QEMU's status 1 means Kite powered off with 0; 0 means the user quit QEMU.
qemu_status = rc=$$?; case $$rc in 0|1) ;; *) echo "kite: QEMU exited with status $$rc \
	(3: Kite reported failure, 5: panic, 253: could not boot)"; exit $$rc ;; esac

# A command-line override builds a separate ISO, leaving kite.iso as configured.
run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(if $(CMDLINE),scripts/mkiso.sh $(O)/kite.elf $(O)/kite-run.iso '$(CMDLINE)' 0,\
		$(MAKE) --no-print-directory iso)
	$(Q)scripts/qemu.sh --iso $(O)/$(if $(CMDLINE),kite-run.iso,kite.iso) \
		--smp $(SMP) --mem $(MEM) --numa $(NUMA) $(if $(filter 1,$(UEFI)),--uefi) \
		--interactive; $(qemu_status)

debug: deps
	$(Q)$(MAKE) --no-print-directory all iso
	@echo "kite: QEMU waits for gdb on localhost:1234. In another terminal:"
	@echo "    gdb $(O)/kite.elf -ex 'target remote localhost:1234'"
	@echo "kite: then 'break kite_start' and 'continue'. Quit QEMU with Ctrl-A X."
	$(Q)scripts/qemu.sh --iso $(O)/kite.iso --smp $(SMP) --mem $(MEM) --numa $(NUMA) \
		$(if $(filter 1,$(UEFI)),--uefi) --interactive --gdb; $(qemu_status)

# Kite's own GDB stub (kite.gdb=ttyS1) on COM2, which QEMU puts on a TCP port; the boot
# waits for gdb (kite.gdb_wait). CMDLINE adds options; the console stays in the terminal.
GDB_PORT ?= 1235
debug-serial: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/mkiso.sh $(O)/kite.elf $(O)/kite-gdb.iso 'kite.gdb=ttyS1 kite.gdb_wait $(CMDLINE)' 0
	@echo "kite: Kite's GDB stub is on COM2, which QEMU serves on localhost:$(GDB_PORT)."
	@echo "kite: the boot waits for gdb. In another terminal:"
	@echo "    gdb $(O)/kite.elf -ex 'target remote localhost:$(GDB_PORT)'"
	@echo "kite: Ctrl-C in gdb stops Kite; quit QEMU with Ctrl-A X."
	$(Q)scripts/qemu.sh --iso $(O)/kite-gdb.iso --smp $(SMP) --mem $(MEM) --numa $(NUMA) \
		$(if $(filter 1,$(UEFI)),--uefi) --interactive -- \
		-serial tcp:127.0.0.1:$(GDB_PORT),server=on,wait=off; $(qemu_status)

# ---------------------------------------------------------------- tests
include test/host/tests.mk
utest-names := $(patsubst utest-%,%,$(filter utest-%,$(.VARIABLES)))
HOST_CFLAGS := -std=gnu11 $(WARNINGS) -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Iinclude -Iarch/x86_64/include \
	-DKITE_HOST_TEST

$(O)/host/%: FORCE
	@mkdir -p $(dir $@)
	$(quiet) '  HOSTCC  host/%s\n' $*
	$(Q)$(CC) $(HOST_CFLAGS) -MMD -MP -MF $@.d $(utest-$*) -lcmocka -o $@

utest: $(addprefix $(O)/host/,$(utest-names))
	$(Q)test/host/run.sh $^

test: deps
	$(Q)test/run-all.sh

# libFuzzer on the ACPI and multiboot2 parsers; make test runs them briefly.
FUZZ_SECONDS ?= 300
fuzz: deps
	$(Q)test/fuzz/run.sh $(O)/fuzz $(FUZZ_SECONDS)

# Measurements (never pass/fail on speed): boot path, heap fast path, boot wall time.
# Its own build of the test image, so it never rebuilds one a running make test uses.
bench: deps
	$(Q)test -f $(O)/bench/.config || $(MAKE) --no-print-directory O=$(O)/bench test_defconfig
	$(Q)$(MAKE) --no-print-directory O=$(O)/bench all
	$(Q)bench/run.sh $(O)/bench/kite.elf $(O)/bench/runs

check: all
	$(Q)scripts/check.sh $(O)

check-format:
	$(Q)scripts/check.sh --format-only $(O)

clean:
	rm -rf $(O)/*.elf $(O)/*.iso $(O)/compile_commands.json $(addprefix $(O)/,$(dirs)) \
		$(O)/ext $(O)/host $(O)/test $(O)/iso-*

distclean:
	rm -rf $(O)

help:
	@echo 'Kite: build, run and test (outputs in $(O)/; O=dir to change)'
	@echo '  make run            build the default image and boot it in QEMU, serial console here'
	@echo '                      (SMP=2 MEM=1G UEFI=0 NUMA=0 CMDLINE="kite.loglevel=7 ...";'
	@echo '                      NUMA=2 splits CPUs and memory over 2 nodes)'
	@echo '  make test           every test: host unit tests, QEMU boot matrix'
	@echo '  make / make all     build $(O)/kite.elf (with debug info for gdb)'
	@echo '  make EXT=dir ...    link the runtime in dir (its kite.mk) into the image'
	@echo '  make iso            $(O)/kite.iso (BIOS and UEFI), alias: make isoimage'
	@echo '  make debug          QEMU paused with a gdb server on :1234'
	@echo '  make debug-serial   Kite'"'"'s own GDB stub on COM2 = localhost:1235 (GDB_PORT=)'
	@echo '  make bench          instruction counts (boot, malloc+free) and boot wall times'
	@echo '  make fuzz           fuzz the ACPI and multiboot2 parsers (FUZZ_SECONDS=300 each)'
	@echo '  make check          clang-format, cppcheck and clang-tidy'
	@echo '  make utest          host unit tests only'
	@echo '  make menuconfig     edit $(O)/.config'
	@echo '  make defconfig      configs/default_defconfig; also make <name>_defconfig:'
	@echo '                      $(patsubst configs/%,%,$(wildcard configs/*_defconfig))'
	@echo '  make olddefconfig   update $(O)/.config with defaults for new options'
	@echo '  make savedefconfig  write the minimal $(O)/defconfig'
	@echo '  make clean          remove build outputs (distclean: all of $(O)/)'
	@echo '  V=1                 show full commands'

FORCE:
.PHONY: all iso isoimage run debug debug-serial test bench fuzz utest check check-format clean distclean help deps \
	menuconfig defconfig olddefconfig savedefconfig FORCE
