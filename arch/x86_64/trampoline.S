/* SPDX-License-Identifier: MIT */
/*
 * Where a started CPU begins: STARTUP sends it to a page below 1 MiB in
 * 16-bit real mode. This code is not run where it is linked; smp.c copies it
 * to such a page and fills in the fields at the end (GDT address, the
 * protected-mode entry, CR3, EFER bits, stack, per-CPU area, C entry). It
 * finds its own base from CS, goes to protected mode, then long mode with
 * the kernel's page tables, and calls the C entry on the CPU's own stack.
 */
#define OFF(x) ((x) - arch_trampoline_start)

    .section .rodata.trampoline, "a"
    .balign 16
    .globl arch_trampoline_start, arch_trampoline_end
    .globl arch_tr_gdt, arch_tr_gdt_ptr, arch_tr_pm_ptr, arch_tr_pm32, arch_tr_cr3
    .globl arch_tr_efer, arch_tr_stack, arch_tr_percpu, arch_tr_entry

    .code16
arch_trampoline_start:
    cli
    cld
    mov %cs, %ax
    mov %ax, %ds
    movzwl %ax, %ebx
    shl $4, %ebx                /* ebx = the page's physical address */
    lgdtl OFF(arch_tr_gdt_ptr)
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl *OFF(arch_tr_pm_ptr)

    .code32
arch_tr_pm32:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    lea 4096(%ebx), %esp        /* the top of this page: enough for the far return below */
    mov %cr4, %eax
    or $(1 << 5), %eax          /* PAE */
    mov %eax, %cr4
    mov OFF(arch_tr_cr3)(%ebx), %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx       /* EFER: long mode, and no-execute when the CPU has it */
    rdmsr
    or OFF(arch_tr_efer)(%ebx), %eax
    wrmsr
    mov %cr0, %eax
    or $0x80010001, %eax        /* paging, write protect, protected mode */
    mov %eax, %cr0
    lea OFF(tr_lm64)(%ebx), %eax
    push $0x18
    push %eax
    lret

    .code64
tr_lm64:
    mov %ebx, %ebx
    mov OFF(arch_tr_stack)(%rbx), %rsp
    mov OFF(arch_tr_percpu)(%rbx), %rdi
    mov OFF(arch_tr_entry)(%rbx), %rax
    xor %ebp, %ebp
    call *%rax
1:  cli
    hlt
    jmp 1b

    .balign 8
arch_tr_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff    /* 0x08: 32-bit code */
    .quad 0x00cf92000000ffff    /* 0x10: data */
    .quad 0x00af9a000000ffff    /* 0x18: 64-bit code */
arch_tr_gdt_ptr:
    .short 31
    .long 0                     /* the page + OFF(arch_tr_gdt) */
arch_tr_pm_ptr:
    .long 0                     /* the page + OFF(arch_tr_pm32) */
    .short 0x08
arch_tr_cr3:
    .long 0
arch_tr_efer:
    .long 0
    .balign 8
arch_tr_stack:
    .quad 0
arch_tr_percpu:
    .quad 0
arch_tr_entry:
    .quad 0
arch_trampoline_end:
