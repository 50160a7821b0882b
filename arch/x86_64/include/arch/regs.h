/* SPDX-License-Identifier: MIT */
/*
 * The register frame an exception or interrupt entry builds on the stack
 * (arch/x86_64/entry.S pushes it; the CPU pushed the part from rip down).
 */
#pragma once

#include <kite/types.h>

struct arch_regs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error; /* the CPU's error code, or 0 for vectors without one */
    /* pushed by the CPU */
    uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * A trap-catching point, set by arch_catch_enter (setjmp-like). While armed,
 * an exception on this CPU does not panic: the handler records it here and
 * execution resumes at arch_catch_enter, which then returns vector + 1.
 * Tests and probes that must survive a fault use it.
 */
struct arch_catch {
    uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;   /* resume state, saved by enter */
    uint64_t vector, error, cr2, fault_rip, fault_rsp; /* what was caught */
    struct arch_catch *prev;
};
