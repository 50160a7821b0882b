// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Starting and stopping partition CPUs. The SIPI page (reserved at host boot
 * with memmap=, named with sipi=) receives the trampoline of trampoline.S;
 * INIT, INIT de-assert and two STARTUPs go through Linux's own APIC driver
 * (apic->icr_write), which covers xAPIC and x2APIC. INIT alone stops a CPU
 * whatever it is doing, interrupts off or not.
 */
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include <asm/apic.h>
#include <asm/processor.h>

#include "kh_priv.h"

extern const u8 kite_tramp_start[], kite_tramp_end[], kite_tramp_pm[], kite_tramp_gdt[];
extern const u8 kite_tramp_gdtr[], kite_tramp_farptr[], kite_tramp_mbi[], kite_tramp_entry[];

#define TRAMP_OFF(sym) ((size_t)((sym) - kite_tramp_start))

int kh_sipi_setup(u64 phys)
{
	if (!phys) {
		pr_err("kite_host: no sipi= page given: reserve one below 1 MiB at boot (memmap=4K$0x70000) and pass sipi=0x70000\n");
		return -EINVAL;
	}
	if (phys & (PAGE_SIZE - 1) || phys < PAGE_SIZE || phys >= 0x100000) {
		pr_err("kite_host: sipi=0x%llx is not a page-aligned address between 4 KiB and 1 MiB\n",
		       phys);
		return -EINVAL;
	}
	if (region_intersects(phys, PAGE_SIZE, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	    REGION_DISJOINT) {
		pr_err("kite_host: sipi=0x%llx is System RAM to Linux: reserve it at boot with memmap=4K$0x%llx\n",
		       phys, phys);
		return -EINVAL;
	}
	/* Linux marks every reservation below 1 MiB busy, so a claim usually fails there. */
	kh.sipi_claimed = !!request_mem_region(phys, PAGE_SIZE, "kite SIPI page");
	kh.sipi = memremap(phys, PAGE_SIZE, MEMREMAP_WB);
	if (!kh.sipi) {
		pr_err("kite_host: cannot map the SIPI page 0x%llx\n", phys);
		if (kh.sipi_claimed)
			release_mem_region(phys, PAGE_SIZE);
		kh.sipi_claimed = false;
		return -ENOMEM;
	}
	kh.sipi_phys = phys;
	return 0;
}

void kh_sipi_teardown(void)
{
	if (kh.sipi)
		memunmap(kh.sipi);
	if (kh.sipi_claimed)
		release_mem_region(kh.sipi_phys, PAGE_SIZE);
	kh.sipi = NULL;
	kh.sipi_claimed = false;
}

/* Copy the trampoline into the SIPI page and fill in its physical addresses. */
void kh_write_trampoline(u32 mbi, u32 entry)
{
	u8 *p = kh.sipi;
	u32 page = (u32)kh.sipi_phys;
	u32 v;

	memset(p, 0, PAGE_SIZE);
	memcpy(p, kite_tramp_start, kite_tramp_end - kite_tramp_start);
	v = page + TRAMP_OFF(kite_tramp_gdt);
	memcpy(p + TRAMP_OFF(kite_tramp_gdtr) + 2, &v, 4);
	v = page + TRAMP_OFF(kite_tramp_pm);
	memcpy(p + TRAMP_OFF(kite_tramp_farptr), &v, 4);
	memcpy(p + TRAMP_OFF(kite_tramp_mbi), &mbi, 4);
	memcpy(p + TRAMP_OFF(kite_tramp_entry), &entry, 4);
	/* The target CPU reads it through its own caches after INIT; make it visible. */
	wmb();
}

/* One ICR write with the destination, done atomically with respect to this CPU's interrupts. */
static u32 icr_send(u32 low, u32 apic_id)
{
	unsigned long flags;
	u32 busy;

	local_irq_save(flags);
	apic_wait_icr_idle();
	apic_icr_write(low, apic_id);
	busy = safe_apic_wait_icr_idle();
	local_irq_restore(flags);
	return busy;
}

/*
 * How long to hold INIT before STARTUP. The MP specification's 10 ms is for
 * old CPUs; Linux itself waits nothing on Intel family 6 and AMD family 0xf
 * and later (smp_quirk_init_udelay), and so does this, unless told otherwise.
 */
static int init_delay_us = -1;
module_param(init_delay_us, int, 0644);
MODULE_PARM_DESC(init_delay_us, "microseconds between INIT and STARTUP (-1: as Linux does, 0 or 10000)");

static unsigned int init_delay(void)
{
	const struct cpuinfo_x86 *c = &boot_cpu_data;

	if (init_delay_us >= 0)
		return min(init_delay_us, 100000);
	if ((c->x86_vendor == X86_VENDOR_INTEL && c->x86 == 6) ||
	    (c->x86_vendor == X86_VENDOR_HYGON) ||
	    (c->x86_vendor == X86_VENDOR_AMD && c->x86 >= 0xf))
		return 0;
	return 10000;
}

/* INIT, its delay, INIT de-assert, STARTUP twice at the SIPI page. */
int kh_start_cpu(u32 apic_id)
{
	u32 vector = (u32)(kh.sipi_phys >> PAGE_SHIFT);
	unsigned int delay = init_delay();
	u32 busy;
	int i;

	busy = icr_send(APIC_INT_LEVELTRIG | APIC_INT_ASSERT | APIC_DM_INIT, apic_id);
	if (delay >= 1000)
		usleep_range(delay, delay + 1000);
	else if (delay)
		udelay(delay);
	busy |= icr_send(APIC_INT_LEVELTRIG | APIC_DM_INIT, apic_id);
	for (i = 0; i < 2; i++) {
		udelay(200);
		busy |= icr_send(APIC_DM_STARTUP | vector, apic_id);
	}
	if (busy) {
		kh_err("the APIC did not deliver INIT-SIPI-SIPI to APIC id %u", apic_id);
		return -EIO;
	}
	return 0;
}

/* Stop a CPU: INIT puts it into wait-for-SIPI, from which only Linux's add_cpu() wakes it. */
void kh_init_cpu(u32 apic_id)
{
	u32 busy;

	busy = icr_send(APIC_INT_LEVELTRIG | APIC_INT_ASSERT | APIC_DM_INIT, apic_id);
	busy |= icr_send(APIC_INT_LEVELTRIG | APIC_DM_INIT, apic_id);
	if (busy)
		kh_err("the APIC did not deliver INIT to APIC id %u", apic_id);
}

void kh_send_ipi(u32 apic_id, u32 vector)
{
	if (icr_send(APIC_DM_FIXED | vector, apic_id))
		kh_err("the APIC did not deliver vector %u to APIC id %u", vector, apic_id);
}
