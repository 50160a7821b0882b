// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * kite_host.ko: hands partitions of a running Linux (CPUs taken with CPU
 * hot-unplug, memory reserved at boot with memmap=) to co-kernel Kites.
 * This file holds the module parameters, /dev/kite and the ioctl dispatch:
 * each ioctl's argument is copied in, checked for its size and reserved
 * fields, and handed to resources.c or instance.c under the one mutex.
 *
 * Parameters:
 *   sipi=0x70000            the page below 1 MiB reserved with memmap=4K$0x70000
 *   mem=256M@0x30000000,... ranges reserved with memmap=SIZE$BASE: the memory pool
 * When the pool has no room on a node, reserve mem takes whole memory blocks
 * of that node offline instead (resources.c).
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <asm/tsc.h>

#include "kh_priv.h"

struct kh_state kh = {
	.lock = __MUTEX_INITIALIZER(kh.lock),
};
struct cpumask kh_blocked_cpus;

static char *mem;
module_param(mem, charp, 0444);
MODULE_PARM_DESC(mem, "memory pool: SIZE@BASE[,SIZE@BASE...] of ranges reserved with memmap=");
static unsigned long sipi;
module_param(sipi, ulong, 0444);
MODULE_PARM_DESC(sipi, "physical address of the SIPI page below 1 MiB reserved with memmap=4K$ADDR");

static int hp_state = -1;

/* Refuse Linux's own attempts to bring up a CPU a Kite may be running on. */
static int kh_cpu_prepare(unsigned int cpu)
{
	if (cpumask_test_cpu(cpu, &kh_blocked_cpus)) {
		pr_warn("kite_host: CPU %u is reserved for Kite; release it with kitectl release cpu %u\n",
			cpu, cpu);
		return -EBUSY;
	}
	return 0;
}

/* Copy in @size bytes of the argument; they go back out when @out is set. */
static long call(unsigned int cmd, void __user *arg)
{
	size_t size = _IOC_SIZE(cmd);
	void *buf;
	long ret;
	u32 id;

	buf = kzalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if ((_IOC_DIR(cmd) & _IOC_WRITE) && copy_from_user(buf, arg, size)) {
		ret = -EFAULT;
		goto out_free;
	}

	mutex_lock(&kh.lock);
	switch (cmd) {
	case KITE_IOC_RESERVE_CPU:
		ret = kh_reserve_cpu(buf);
		break;
	case KITE_IOC_RELEASE_CPU:
		ret = kh_release_cpu(buf);
		break;
	case KITE_IOC_QUERY_CPU: {
		struct kite_ioc_cpus *c = buf;
		unsigned int cpu;

		for_each_set_bit(cpu, kh.reserved, KITE_HOST_MAX_CPUS)
			c->mask[cpu / 64] |= 1ULL << (cpu % 64);
		ret = 0;
		break;
	}
	case KITE_IOC_RESERVE_MEM:
		ret = kh_reserve_mem(buf);
		break;
	case KITE_IOC_RELEASE_MEM:
		ret = kh_release_mem(buf);
		break;
	case KITE_IOC_QUERY_MEM:
		kh_query_mem(buf);
		ret = 0;
		break;
	case KITE_IOC_CREATE:
		ret = kh_create(&id);
		*(u32 *)buf = id;
		break;
	case KITE_IOC_DESTROY:
		ret = kh_destroy(*(u32 *)buf);
		break;
	case KITE_IOC_ASSIGN_CPU:
		ret = kh_assign_cpu(buf);
		break;
	case KITE_IOC_ASSIGN_MEM:
		ret = kh_assign_mem(buf);
		break;
	case KITE_IOC_LOAD:
		ret = kh_load(buf);
		break;
	case KITE_IOC_KARGS:
		ret = kh_kargs(buf);
		break;
	case KITE_IOC_BOOT:
		ret = kh_boot(*(u32 *)buf);
		break;
	case KITE_IOC_SHUTDOWN:
		ret = kh_shutdown(*(u32 *)buf);
		break;
	case KITE_IOC_STATUS:
		ret = kh_status(buf);
		break;
	case KITE_IOC_LIST:
		kh_list(buf);
		ret = 0;
		break;
	case KITE_IOC_KMSG:
		ret = kh_kmsg(buf);
		break;
	case KITE_IOC_EXEC:
		ret = kh_exec(buf);
		break;
	case KITE_IOC_RECV:
		/* It sleeps between polls, so it takes the lock itself. */
		mutex_unlock(&kh.lock);
		ret = kh_recv(buf);
		mutex_lock(&kh.lock);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	mutex_unlock(&kh.lock);

	if (!ret && (_IOC_DIR(cmd) & _IOC_READ) && copy_to_user(arg, buf, size))
		ret = -EFAULT;

out_free:
	kfree(buf);
	return ret;
}

static long kh_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case KITE_IOC_RESERVE_CPU:
	case KITE_IOC_RELEASE_CPU:
	case KITE_IOC_QUERY_CPU:
	case KITE_IOC_RESERVE_MEM:
	case KITE_IOC_RELEASE_MEM:
	case KITE_IOC_QUERY_MEM:
	case KITE_IOC_CREATE:
	case KITE_IOC_DESTROY:
	case KITE_IOC_ASSIGN_CPU:
	case KITE_IOC_ASSIGN_MEM:
	case KITE_IOC_LOAD:
	case KITE_IOC_KARGS:
	case KITE_IOC_BOOT:
	case KITE_IOC_SHUTDOWN:
	case KITE_IOC_STATUS:
	case KITE_IOC_LIST:
	case KITE_IOC_KMSG:
	case KITE_IOC_EXEC:
	case KITE_IOC_RECV:
		return call(cmd, (void __user *)arg);
	default:
		kh_err("unknown ioctl 0x%x (kitectl and kite_host.ko from different builds?)", cmd);
		return -ENOTTY;
	}
}

static const struct file_operations kh_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = kh_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice kh_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "kite",
	.fops = &kh_fops,
	.mode = 0600,
};

static int __init kh_init(void)
{
	int ret;

	ret = kh_sipi_setup(sipi);
	if (ret)
		return ret;
	ret = kh_parse_pool(mem);
	if (ret)
		goto out_sipi;
	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "kite_host:prepare",
					kh_cpu_prepare, NULL);
	if (ret < 0) {
		pr_err("kite_host: cannot watch CPU hotplug (error %d)\n", ret);
		goto out_pool;
	}
	hp_state = ret;
	ret = misc_register(&kh_misc);
	if (ret) {
		pr_err("kite_host: cannot register /dev/kite (error %d)\n", ret);
		goto out_hp;
	}
	kh.dev = kh_misc.this_device;
	kh_info("ready: /dev/kite, SIPI page 0x%llx, %u pool ranges, TSC %u kHz", kh.sipi_phys,
		kh.nr_ranges, tsc_khz);
	return 0;

out_hp:
	cpuhp_remove_state_nocalls(hp_state);
out_pool:
	kh_free_pool();
out_sipi:
	kh_sipi_teardown();
	return ret;
}

/* No instance is alive here: each holds a reference on the module. */
static void __exit kh_exit(void)
{
	mutex_lock(&kh.lock);
	kh_release_all_cpus();
	kh_return_offlined();
	mutex_unlock(&kh.lock);
	misc_deregister(&kh_misc);
	cpuhp_remove_state_nocalls(hp_state);
	kh_free_pool();
	kh_sipi_teardown();
	pr_info("kite_host: unloaded; every reserved CPU is back online\n");
}

module_init(kh_init);
module_exit(kh_exit);
MODULE_LICENSE("Dual MIT/GPL");
MODULE_AUTHOR("Kite");
MODULE_DESCRIPTION("Kite co-kernel host loader: partitions, boot, console and message rings");
