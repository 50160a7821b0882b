/* SPDX-License-Identifier: MIT */
/*
 * Switching threads: save the callee-saved registers on the old stack,
 * store its stack pointer, load the new one, restore, return into the new
 * thread, handing it @from (the thread switched away from) as the result.
 * A thread that never ran returns into arch_thread_trampoline, which calls
 * its start function (r12) with its argument (r13) and @from.
 */
    .text
    .globl arch_switch, arch_thread_trampoline
    .type arch_switch, @function
/* void *arch_switch(uint64_t *save_rsp, uint64_t load_rsp, void *from) */
arch_switch:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    mov %rdx, %rax
    ret
    .size arch_switch, . - arch_switch

    .type arch_thread_trampoline, @function
arch_thread_trampoline:
    mov %r13, %rdi
    mov %rax, %rsi
    xor %ebp, %ebp          /* the end of this thread's frame chain */
    call *%r12
    ud2                     /* the start function never returns */
    .size arch_thread_trampoline, . - arch_thread_trampoline
