/* SPDX-License-Identifier: MIT */
/*
 * Interrupt and exception entry. Each of the 256 vectors has a stub that
 * makes the frame uniform (a zero error code where the CPU pushes none, then
 * the vector), saves the general registers as struct arch_regs and calls
 * arch_trap() with the stack 16-byte aligned, as the C ABI needs. arch_trap
 * may rewrite the frame (trap catching), which iretq then resumes.
 *
 * Also the setjmp-like half of trap catching: arch_catch_enter.
 */
#include <arch/jmpbuf.h>
#include <arch/layout.h>
#include <arch/percpu.h>

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || \
                      (v) == 29 || (v) == 30)

    .text
    .balign 16
    .globl arch_vector_stubs
arch_vector_stubs:
    .set vec, 0
    .rept 256
    .balign 16
    .if !HAS_ERROR(vec)
    pushq $0
    .endif
    pushq $vec
    jmp trap_common
    .set vec, vec + 1
    .endr

trap_common:
    cld
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi
    mov %rsp, %rbx
    and $-16, %rsp
    call arch_trap
    mov %rbx, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp           /* vector and error code */
    iretq

/*
 * int arch_catch_enter(struct arch_catch *c): save the resume state (callee-
 * saved registers, the caller's stack pointer and return address), push c on
 * the list of armed catches, return 0. arch_trap resumes here with vector + 1.
 */
    .globl arch_catch_enter
    .type arch_catch_enter, @function
arch_catch_enter:
    save_resume_point %rdi, %rax
    mov %gs:ARCH_PERCPU_CATCH_OFFSET, %rax
    mov %rax, 104(%rdi)     /* prev */
    mov %rdi, %gs:ARCH_PERCPU_CATCH_OFFSET
    xor %eax, %eax
    ret
    .size arch_catch_enter, . - arch_catch_enter

/*
 * void arch_call_on_stack(uintptr_t top, void (*fn)(void *), void *arg):
 * switch to the stack at top, call fn(arg), switch back. The frame-pointer
 * chain continues across, so a backtrace from the new stack reaches home.
 */
    .globl arch_call_on_stack
    .type arch_call_on_stack, @function
arch_call_on_stack:
    push %rbp
    mov %rsp, %rbp
    mov %rdi, %rsp
    mov %rdx, %rdi
    call *%rsi
    mov %rbp, %rsp
    pop %rbp
    ret
    .size arch_call_on_stack, . - arch_call_on_stack
