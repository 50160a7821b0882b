/* SPDX-License-Identifier: MIT */
/*
 * setjmp and longjmp for the libc (rt/libc/include/setjmp.h). The buffer
 * holds what the System V ABI has the callee keep: rbx, rbp, r12-r15, the
 * stack pointer as setjmp's caller sees it, and the return address. There
 * are no signals, so no mask to save. The floating-point control words are
 * not saved (as in glibc and musl). The layout is arch/jmpbuf.h's, which
 * arch_catch_enter keeps too.
 */
#include <arch/jmpbuf.h>

    .text
    .globl setjmp, _setjmp, longjmp, _longjmp
    .type setjmp, @function
    .type longjmp, @function
/* int setjmp(jmp_buf env) */
setjmp:
_setjmp:
    save_resume_point %rdi, %rdx
    xor %eax, %eax
    ret
    .size setjmp, . - setjmp

/* void longjmp(jmp_buf env, int val): setjmp returns again, with val (1 for 0). */
longjmp:
_longjmp:
    mov %esi, %eax
    test %eax, %eax
    jnz 1f
    inc %eax
1:
    mov 0(%rdi), %rbx
    mov 8(%rdi), %rbp
    mov 16(%rdi), %r12
    mov 24(%rdi), %r13
    mov 32(%rdi), %r14
    mov 40(%rdi), %r15
    mov 48(%rdi), %rsp
    jmp *56(%rdi)
    .size longjmp, . - longjmp

    .section .note.GNU-stack, "", @progbits
