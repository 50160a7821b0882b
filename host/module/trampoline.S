/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The real-mode start-up code kite_host.ko copies into the SIPI page before
 * it sends a partition's boot CPU INIT-SIPI-SIPI. The CPU wakes in real mode
 * at CS = page >> 4, IP = 0; this code loads a flat GDT, turns on protected
 * mode with paging off (and clears CR0.CD/NW, which INIT leaves set), and
 * enters the image as a multiboot2 loader would: EAX = 0x36d76289,
 * EBX = the information block, interrupts off.
 *
 * It is only data to the module (it sits in .rodata and never runs in
 * Linux); the module fills the four words at the end, all physical
 * addresses: the GDT's base, the 32-bit far pointer, the block and the entry.
 */

#define TRAMP_OFF(sym) ((sym) - kite_tramp_start)

	.section .rodata, "a"
	.balign 16
	.globl kite_tramp_start
kite_tramp_start:
	.code16
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	/* Before the switch, while DS still reaches this page: the two parameters. */
	movl TRAMP_OFF(kite_tramp_mbi), %ebx
	movl TRAMP_OFF(kite_tramp_entry), %esi
	lgdtl TRAMP_OFF(kite_tramp_gdtr)
	movl $0x11, %eax			/* CR0: PE | ET; CD, NW, PG clear */
	movl %eax, %cr0
	ljmpl *TRAMP_OFF(kite_tramp_farptr)

	.code32
	.globl kite_tramp_pm
kite_tramp_pm:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	xorl %esp, %esp
	movl $0x36d76289, %eax			/* KITE_MB2_BOOT_MAGIC */
	jmp *%esi

	.balign 8
	.globl kite_tramp_gdt
kite_tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff		/* 0x08: flat 32-bit code */
	.quad 0x00cf92000000ffff		/* 0x10: flat data */

	.globl kite_tramp_gdtr
kite_tramp_gdtr:
	.word 3 * 8 - 1
	.long 0					/* filled: page + TRAMP_OFF(kite_tramp_gdt) */
	.balign 4
	.globl kite_tramp_farptr
kite_tramp_farptr:
	.long 0					/* filled: page + TRAMP_OFF(kite_tramp_pm) */
	.word 0x08
	.balign 4
	.globl kite_tramp_mbi
kite_tramp_mbi:
	.long 0
	.globl kite_tramp_entry
kite_tramp_entry:
	.long 0
	.globl kite_tramp_end
kite_tramp_end:
