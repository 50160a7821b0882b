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

/*
 * void arch_capture_regs(struct arch_regs *regs): the caller's registers as
 * they are at the call (RDI holds @regs, RIP is the return address, RSP the
 * caller's after the return), for reports of a panic that no trap raised.
 * Offsets follow struct arch_regs (arch/regs.h).
 */
    .globl arch_capture_regs
arch_capture_regs:
    mov %r15, 0(%rdi)
    mov %r14, 8(%rdi)
    mov %r13, 16(%rdi)
    mov %r12, 24(%rdi)
    mov %r11, 32(%rdi)
    mov %r10, 40(%rdi)
    mov %r9, 48(%rdi)
    mov %r8, 56(%rdi)
    mov %rbp, 64(%rdi)
    mov %rdi, 72(%rdi)
    mov %rsi, 80(%rdi)
    mov %rdx, 88(%rdi)
    mov %rcx, 96(%rdi)
    mov %rbx, 104(%rdi)
    mov %rax, 112(%rdi)
    movq $0, 120(%rdi)
    movq $0, 128(%rdi)
    mov (%rsp), %rax
    mov %rax, 136(%rdi)
    mov %cs, %eax
    mov %rax, 144(%rdi)
    pushfq
    pop %rax
    mov %rax, 152(%rdi)
    lea 8(%rsp), %rax
    mov %rax, 160(%rdi)
    mov %ss, %eax
    mov %rax, 168(%rdi)
    mov 112(%rdi), %rax
    ret
