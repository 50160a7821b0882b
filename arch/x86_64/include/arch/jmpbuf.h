/* SPDX-License-Identifier: MIT */
/*
 * A resume point, as setjmp (setjmp.S) and arch_catch_enter (entry.S) keep
 * one: the callee-saved registers rbx, rbp, r12-r15 at 0..40, the stack
 * pointer the caller will have once the function returns at 48, and the
 * return address at 56. For assembly only.
 */
#pragma once

#ifdef __ASSEMBLER__
/* clang-format off */
/* Save the resume point of the function being entered into the buffer at \buf; uses \tmp. */
.macro save_resume_point buf, tmp
    mov %rbx, 0(\buf)
    mov %rbp, 8(\buf)
    mov %r12, 16(\buf)
    mov %r13, 24(\buf)
    mov %r14, 32(\buf)
    mov %r15, 40(\buf)
    lea 8(%rsp), \tmp
    mov \tmp, 48(\buf)
    mov (%rsp), \tmp
    mov \tmp, 56(\buf)
.endm
/* clang-format on */
#endif
