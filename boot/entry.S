/* SPDX-License-Identifier: MIT */
/*
 * The first code Kite runs. A multiboot2 loader (GRUB, or the co-kernel host
 * loader) enters here in 32-bit protected mode, paging off, with EAX holding
 * the multiboot2 magic and EBX the physical address of the information block.
 *
 * The image may sit at any 2 MiB-aligned physical base, so this code is
 * position independent: it learns its base with a call/pop, builds the early
 * page tables (0..4 GiB identity-mapped with 2 MiB pages, plus the image at
 * its fixed high virtual address), enters long mode, moves to the high
 * mapping, clears .bss and calls kite_start(). Every failure here prints a
 * clear message on COM1 and halts; none ends in a silent triple fault.
 */
#include <arch/layout.h>
#include <kite/abi/multiboot2.h>

/* Offset of a symbol from the image's first byte, resolved at link time. */
#define PHYS(sym) ((sym) - ARCH_KERNEL_VMA)

#define COM1 0x3f8
#define PTE_PRESENT_RW 0x3
#define PTE_LARGE 0x83 /* present, writable, 2 MiB page */
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define CR0_PE (1 << 0)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define EFLAGS_ID (1 << 21)
/* Only for the wrong-loader path, where nothing is known: the classic boot-sector area. */
#define SCRATCH_STACK 0x7c00

    .section .boot.text, "ax"
    .code32
    .globl kite_entry32
    .type kite_entry32, @function
kite_entry32:
    cli
    cld
    mov %eax, %edi          /* multiboot2 magic */
    mov %ebx, %esi          /* information block */
    rdtsc                   /* time zero of the boot log */
    mov %eax, %ecx
    mov %edx, %ebx          /* ebx:ecx = TSC at entry */

    cmp $KITE_MB2_BOOT_MAGIC, %edi
    jne .Lbad_magic

    /* Where are we? The block's reserved word (offset 4) is ours: a 4-byte stack. */
    lea 8(%esi), %esp
    call 1f
1:  pop %ebp
    sub $PHYS(1b), %ebp     /* ebp = physical base of the image */
    /* The image is mapped with 2 MiB pages: any other alignment maps garbage. */
    lea PHYS(boot_stack_top)(%ebp), %esp
    test $(ARCH_IMAGE_ALIGN - 1), %ebp
    jnz .Lbad_base

    mov %ecx, PHYS(arch_boot_tsc)(%ebp)
    mov %ebx, PHYS(arch_boot_tsc) + 4(%ebp)
    mov %ebp, PHYS(arch_phys_base)(%ebp)

    /* CPUID present (EFLAGS.ID toggles), extended leaves, then long mode. */
    pushfl
    pop %eax
    mov %eax, %edx
    xor $EFLAGS_ID, %eax
    push %eax
    popfl
    pushfl
    pop %eax
    push %edx
    popfl
    xor %edx, %eax
    test $EFLAGS_ID, %eax
    jz .Lno_long_mode
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb .Lno_long_mode
    mov $0x80000001, %eax
    cpuid
    test $(1 << 29), %edx
    jz .Lno_long_mode

    /* Early page tables: a loader need not have cleared them. */
    lea PHYS(boot_tables)(%ebp), %edi
    mov $(PHYS(boot_tables_end) - PHYS(boot_tables)) / 4, %ecx
    xor %eax, %eax
    rep stosl

    lea PHYS(boot_pdpt_low)(%ebp), %eax
    or $PTE_PRESENT_RW, %eax
    mov %eax, PHYS(boot_pml4)(%ebp)
    lea PHYS(boot_pdpt_high)(%ebp), %eax
    or $PTE_PRESENT_RW, %eax
    mov %eax, PHYS(boot_pml4) + 511 * 8(%ebp)

    /* Identity map of 0..4 GiB: four page directories of 2 MiB pages. */
    lea PHYS(boot_pd_low)(%ebp), %eax
    or $PTE_PRESENT_RW, %eax
    lea PHYS(boot_pdpt_low)(%ebp), %edi
    mov $4, %ecx
1:  mov %eax, (%edi)
    add $0x1000, %eax
    add $8, %edi
    loop 1b
    lea PHYS(boot_pd_low)(%ebp), %edi
    mov $PTE_LARGE, %eax
    mov $2048, %ecx
1:  mov %eax, (%edi)
    add $0x200000, %eax
    add $8, %edi
    loop 1b

    /* The image at ARCH_KERNEL_VMA (PML4 slot 511, PDPT slot 510). */
    lea PHYS(boot_pd_high)(%ebp), %eax
    or $PTE_PRESENT_RW, %eax
    mov %eax, PHYS(boot_pdpt_high) + 510 * 8(%ebp)
    lea PHYS(boot_pd_high)(%ebp), %edi
    mov %ebp, %eax
    or $PTE_LARGE, %eax
    mov $_kernel_2m_pages, %ecx
1:  mov %eax, (%edi)
    add $0x200000, %eax
    add $8, %edi
    loop 1b

    /* Long mode: PAE, page tables, EFER.LME, then paging. */
    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    lea PHYS(boot_pml4)(%ebp), %eax
    mov %eax, %cr3
    mov $MSR_EFER, %ecx
    rdmsr
    or $EFER_LME, %eax
    wrmsr
    mov %cr0, %eax
    or $(CR0_PG | CR0_WP | CR0_PE), %eax
    mov %eax, %cr0

    lea PHYS(boot_gdt)(%ebp), %eax
    mov %eax, PHYS(boot_gdt_ptr) + 2(%ebp)
    lgdt PHYS(boot_gdt_ptr)(%ebp)
    lea PHYS(.Llong_mode)(%ebp), %eax
    push $ARCH_KERNEL_CS
    push %eax
    lret

    .code64
.Llong_mode:
    mov $ARCH_KERNEL_DS, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    /* Upper halves of the registers are undefined after the switch: zero-extend. */
    mov %esi, %r12d
    movabs $.Lhigh, %rax
    jmp *%rax
.Lhigh:
    movabs $boot_stack_top, %rsp
    movabs $_bss_start, %rdi
    movabs $_bss_end, %rcx
    sub %rdi, %rcx
    shr $3, %rcx
    xor %eax, %eax
    rep stosq
    mov %r12, %rdi
    xor %ebp, %ebp          /* ends the frame-pointer chain for backtraces */
    call kite_start
1:  cli
    hlt
    jmp 1b

    .code32
.Lbad_magic:
    /* No loader we know: nothing to trust, not even EBX. */
    mov $SCRATCH_STACK, %esp
    call 1f
1:  pop %ebp
    sub $PHYS(1b), %ebp
    mov %edi, %eax
    lea PHYS(msg_magic)(%ebp), %esi
    lea PHYS(msg_magic_tail)(%ebp), %edi
    jmp .Lfail_hex

.Lbad_base:
    mov %ebp, %eax
    lea PHYS(msg_bad_base)(%ebp), %esi
    lea PHYS(msg_bad_base_tail)(%ebp), %edi
    jmp .Lfail_hex

/* Print the message at esi, eax in hex, then the message at edi. */
.Lfail_hex:
    push %eax
    call serial_init
    call serial_puts
    pop %eax
    call serial_puthex
    mov %edi, %esi
    call serial_puts
    jmp .Lfail

.Lno_long_mode:
    call serial_init
    lea PHYS(msg_no_long_mode)(%ebp), %esi
    call serial_puts

.Lfail:
#ifdef CONFIG_QEMU_EXIT
    /* Under a hypervisor, end QEMU through isa-debug-exit so a test does not wait. */
    mov $1, %eax
    cpuid
    test $(1 << 31), %ecx
    jz .Lhalt
    mov $ARCH_BOOT_FAIL_EXIT, %eax
    mov $CONFIG_QEMU_EXIT_PORT, %dx
    outb %al, %dx
#endif
.Lhalt:
    cli
    hlt
    jmp .Lhalt

/* COM1, 115200 8N1, FIFOs on. Clobbers eax, edx. */
serial_init:
    mov $COM1 + 1, %dx
    xor %al, %al
    outb %al, %dx           /* no interrupts */
    mov $COM1 + 3, %dx
    mov $0x80, %al
    outb %al, %dx           /* divisor latch */
    mov $COM1, %dx
    mov $1, %al
    outb %al, %dx           /* 115200 */
    mov $COM1 + 1, %dx
    xor %al, %al
    outb %al, %dx
    mov $COM1 + 3, %dx
    mov $0x03, %al
    outb %al, %dx           /* 8N1 */
    mov $COM1 + 2, %dx
    mov $0xc7, %al
    outb %al, %dx
    mov $COM1 + 4, %dx
    mov $0x03, %al
    outb %al, %dx
    ret

/* Write the character in al. Clobbers edx; gives up after a bounded wait. */
serial_putc:
    push %ecx
    push %eax
    mov $0x100000, %ecx
    mov $COM1 + 5, %dx
1:  inb %dx, %al
    test $0x20, %al
    jnz 2f
    loop 1b
2:  pop %eax
    mov $COM1, %dx
    outb %al, %dx
    pop %ecx
    ret

/* Write the NUL-terminated string at esi. */
serial_puts:
    lodsb
    test %al, %al
    jz 1f
    call serial_putc
    jmp serial_puts
1:  ret

/* Write eax as 8 hex digits. */
serial_puthex:
    mov %eax, %ebx
    mov $8, %ecx
1:  rol $4, %ebx
    mov %ebx, %eax
    and $0xf, %eax
    add $'0', %al
    cmp $'9', %al
    jbe 2f
    add $('a' - '9' - 1), %al
2:  push %ecx
    call serial_putc
    pop %ecx
    loop 1b
    ret

    .section .boot.data, "aw"
    .balign 8
    .globl arch_phys_base, arch_boot_tsc
arch_phys_base:
    .quad 0
arch_boot_tsc:
    .quad 0
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff    /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff    /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
    .short boot_gdt_end - boot_gdt - 1
    .long 0                     /* patched with the physical address */

msg_magic:
    .asciz "\r\nkite: boot error: not started by a multiboot2 loader (EAX=0x"
msg_magic_tail:
    .asciz ", expected 0x36d76289).\r\nkite: boot kite.elf with GRUB 2's multiboot2 command, or boot kite.iso.\r\n"
msg_bad_base:
    .asciz "\r\nkite: boot error: loaded at 0x"
msg_bad_base_tail:
    .asciz ", which is not 2 MiB aligned; the loader must honour the alignment in the multiboot2 relocatable tag.\r\n"
msg_no_long_mode:
    .asciz "\r\nkite: boot error: this CPU has no long mode; Kite needs a 64-bit (x86-64) CPU.\r\n"

    /* Not cleared with .bss: in use while .bss is cleared. */
    .section .boot.bss, "aw", @nobits
    .balign 4096
boot_tables:
boot_pml4:
    .skip 4096
boot_pdpt_low:
    .skip 4096
boot_pd_low:
    .skip 4 * 4096
boot_pdpt_high:
    .skip 4096
boot_pd_high:
    .skip 4096
boot_tables_end:
    .balign 16
    .globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
    .skip ARCH_BOOT_STACK_SIZE
boot_stack_top:

    /*
     * A PVH entry note: QEMU's -kernel (and other PVH loaders) then enter at
     * kite_entry32 without the multiboot2 magic, and Kite says so clearly
     * instead of the loader failing with a generic message.
     */
    .section .note.kite_pvh, "a", @note
    .balign 4
    .long 4                     /* name size */
    .long 4                     /* descriptor size */
    .long 18                    /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .long PHYS(kite_entry32) + ARCH_LINK_PHYS
