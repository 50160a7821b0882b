# Host unit tests (tier 1): each is a cmocka program built for Linux with
# AddressSanitizer and UndefinedBehaviorSanitizer from the pure kernel sources
# it tests. One line per test: utest-<name> := <test file> <sources under test>
utest-vsnprintf := kernel/tests/vsnprintf_utest.c kernel/vsnprintf.c
utest-kmsg := kernel/tests/kmsg_utest.c kernel/kmsg.c kernel/vsnprintf.c
utest-multiboot2 := kernel/tests/multiboot2_utest.c kernel/multiboot2.c kernel/vsnprintf.c
utest-cmdline := kernel/tests/cmdline_utest.c kernel/cmdline.c kernel/vsnprintf.c
utest-buddy := mm/tests/buddy_utest.c mm/buddy.c kernel/vsnprintf.c
utest-date := kernel/tests/date_utest.c kernel/date.c
utest-topology := kernel/tests/topology_utest.c kernel/topology.c kernel/vsnprintf.c
utest-acpi := kernel/tests/acpi_utest.c kernel/acpi.c kernel/vsnprintf.c
utest-heap := mm/tests/heap_utest.c mm/heap.c kernel/vsnprintf.c
utest-ioapic := arch/x86_64/tests/ioapic_utest.c
utest-kimage := host/common/tests/kimage_utest.c host/common/kimage.c
utest-bootblock := host/common/tests/bootblock_utest.c host/common/bootblock.c kernel/multiboot2.c \
	kernel/bootparams.c kernel/topology.c kernel/vsnprintf.c
utest-bootparams := kernel/tests/bootparams_utest.c kernel/bootparams.c kernel/topology.c kernel/vsnprintf.c
utest-kitectl := host/kitectl/tests/kitectl_utest.c host/kitectl/kitectl.c host/kitectl/parse.c host/common/kimage.c
utest-libc_printf := rt/libc/tests/printf_utest.c rt/libc/printf.c rt/libc/printf_float.c kernel/vsnprintf.c
utest-libc_strtol := rt/libc/tests/strtol_utest.c rt/libc/strtol.c rt/libc/ctype.c
utest-libc_qsort := rt/libc/tests/qsort_utest.c rt/libc/qsort.c
utest-libc_string := rt/libc/tests/string_utest.c rt/libc/string.c rt/libc/ctype.c

# The runtime layer's parts list their own host tests (utest-NAME := sources) beside them.
-include $(wildcard rt/*/utests.mk)
