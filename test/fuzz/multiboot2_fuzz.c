/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for kernel/multiboot2.c: the input is a multiboot2
 * information block, parsed by kite_mb2_parse from an exactly-sized,
 * 8-byte-aligned heap copy under ASan and UBSan. Each input is parsed twice:
 * as given, and with its total_size set to the input's size, so the fuzzer
 * reaches the tag walker without first having to guess that field. Beyond
 * "no crash", it aborts (so libFuzzer saves the input) when a result breaks
 * the contract in include/kite/bootinfo.h: a refused block that leaves data
 * or no message behind, counts past their arrays, unterminated strings.
 * test/fuzz/run.sh builds and runs it.
 */
#include <kite/bootinfo.h>
#include <kite/errno.h>

#include "fuzz_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kite_bootinfo info;

static void check(int ret, const char *err, size_t errlen)
{
    if (memchr(err, '\0', errlen) == NULL) {
        fuzz_broken("multiboot2_fuzz", "the error message is not terminated");
    }
    if (ret == -KITE_EINVAL) {
        if (!fuzz_all_zero(&info, sizeof(info))) {
            fuzz_broken("multiboot2_fuzz", "a refused block left data in the result");
        }
        if (err[0] == '\0') {
            fuzz_broken("multiboot2_fuzz", "a refused block has no message");
        }
        return;
    }
    if (ret != 0) {
        fuzz_broken("multiboot2_fuzz", "kite_mb2_parse returned neither 0 nor -KITE_EINVAL");
    }
    if (err[0] != '\0' && strncmp(err, "warning: ", 9) != 0) {
        fuzz_broken("multiboot2_fuzz", "a message on success does not start with \"warning: \"");
    }
    if (info.mmap_count > KITE_BOOT_MMAP_MAX || info.module_count > KITE_BOOT_MODULES_MAX ||
        info.rsdp_len > KITE_RSDP_MAX) {
        fuzz_broken("multiboot2_fuzz", "a count is past its array");
    }
    if (strnlen(info.cmdline, sizeof(info.cmdline)) == sizeof(info.cmdline) ||
        strnlen(info.loader_name, sizeof(info.loader_name)) == sizeof(info.loader_name)) {
        fuzz_broken("multiboot2_fuzz", "a string is not terminated");
    }
    for (unsigned int i = 0; i < info.module_count; i++) {
        if (strnlen(info.modules[i].name, KITE_BOOT_NAME_MAX) == KITE_BOOT_NAME_MAX) {
            fuzz_broken("multiboot2_fuzz", "a module name is not terminated");
        }
    }
}

static void parse(const uint8_t *block, size_t size)
{
    char err[256];
    int ret;

    /* malloc's alignment covers the 8 bytes the parser requires. */
    memset(err, 'X', sizeof(err));
    ret = kite_mb2_parse(block, size, &info, err, sizeof(err));
    check(ret, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *block = malloc(size ? size : 1);
    uint32_t total = (uint32_t)size;

    if (!block) {
        return 0;
    }
    memcpy(block, data, size);
    parse(block, size);
    if (size >= 8) {
        memcpy(block, &total, sizeof(total));
        parse(block, size);
    }
    free(block);
    return 0;
}
