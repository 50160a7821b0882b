// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The module's pools: CPUs taken from Linux with CPU hot-unplug, and memory
 * chunks carved from the ranges named in mem= (reserved at host boot with
 * memmap=, so Linux never used them) or, when the pool has no room on the
 * wanted node, from whole memory blocks Linux takes offline and removes
 * (offline_and_remove_memory), added back and onlined on release. A reserved CPU or chunk belongs to the
 * module until released, whatever file descriptor asked; instances are then
 * assigned from what is reserved. Every call checks its whole request before
 * changing anything, and undoes its completed steps when a later one fails.
 * All of it runs under kh.lock.
 */
#include <linux/cpu.h>
#include <linux/fs.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mmzone.h>
#include <linux/mm.h>
#include <linux/numa.h>
#include <linux/nodemask.h>
#include <linux/topology.h>

#include <asm/smp.h>

#include "kh_priv.h"

#define MIB (1024ULL * 1024)
#define OFFLINE_TRIES 16 /* candidate block runs tried per chunk */

/* ------------------------------------------------------------------ CPUs */

int kh_cpus_from_user(const u64 *mask, unsigned long *out, const char *what)
{
	unsigned int cpu;

	bitmap_zero(out, KITE_HOST_MAX_CPUS);
	for (cpu = 0; cpu < KITE_HOST_MAX_CPUS; cpu++) {
		if (!(mask[cpu / 64] & (1ULL << (cpu % 64))))
			continue;
		if (cpu >= nr_cpu_ids || !cpu_present(cpu)) {
			kh_err("%s: CPU %u does not exist (this machine has CPUs %*pbl)", what, cpu,
			       cpumask_pr_args(cpu_present_mask));
			return -EINVAL;
		}
		__set_bit(cpu, out);
	}
	if (bitmap_empty(out, KITE_HOST_MAX_CPUS)) {
		kh_err("%s: no CPU named", what);
		return -EINVAL;
	}
	return 0;
}

/* The instance a CPU is assigned to, 0 when none. */
static u32 cpu_owner(unsigned int cpu)
{
	int i;
	u32 j;

	for (i = 0; i < KITE_HOST_MAX_INSTANCES; i++) {
		struct kh_instance *in = kh.inst[i];

		if (!in)
			continue;
		for (j = 0; j < in->nr_cpus; j++)
			if (in->cpu[j] == cpu)
				return in->id;
	}
	return 0;
}

/* Give CPUs back to Linux; @cpus are reserved and unassigned. Returns the first error. */
static int online_cpus(const unsigned long *cpus)
{
	unsigned int cpu;
	int ret = 0;

	for_each_set_bit(cpu, cpus, KITE_HOST_MAX_CPUS) {
		int r;

		cpumask_clear_cpu(cpu, &kh_blocked_cpus);
		r = add_cpu(cpu);
		if (r) {
			cpumask_set_cpu(cpu, &kh_blocked_cpus);
			kh_err("Linux could not bring CPU %u back online (error %d); it stays reserved",
			       cpu, r);
			if (!ret)
				ret = r;
			continue;
		}
		__clear_bit(cpu, kh.reserved);
	}
	return ret;
}

long kh_reserve_cpu(const struct kite_ioc_cpus *req)
{
	DECLARE_BITMAP(want, KITE_HOST_MAX_CPUS);
	DECLARE_BITMAP(done, KITE_HOST_MAX_CPUS);
	unsigned int cpu;
	ktime_t t0 = ktime_get();
	int ret;

	if (req->instance || req->pad) {
		kh_err("reserve cpu: the instance and pad fields must be 0");
		return -EINVAL;
	}
	ret = kh_cpus_from_user(req->mask, want, "reserve cpu");
	if (ret)
		return ret;
	for_each_set_bit(cpu, want, KITE_HOST_MAX_CPUS) {
		if (cpu == 0) {
			kh_err("reserve cpu: CPU 0 stays with Linux (it is the boot CPU)");
			return -EINVAL;
		}
		if (test_bit(cpu, kh.reserved)) {
			kh_err("reserve cpu: CPU %u is already reserved", cpu);
			return -EBUSY;
		}
		if (!cpu_online(cpu)) {
			kh_err("reserve cpu: CPU %u is offline; bring it online first", cpu);
			return -EINVAL;
		}
	}

	bitmap_zero(done, KITE_HOST_MAX_CPUS);
	for_each_set_bit(cpu, want, KITE_HOST_MAX_CPUS) {
		kh.apic_id[cpu] = cpu_physical_id(cpu);
		kh.cpu_node[cpu] = cpu_to_node(cpu);
		ret = remove_cpu(cpu);
		if (ret) {
			kh_err("reserve cpu: Linux refused to take CPU %u offline (error %d)", cpu,
			       ret);
			goto out_undo;
		}
		cpumask_set_cpu(cpu, &kh_blocked_cpus);
		__set_bit(cpu, kh.reserved);
		__set_bit(cpu, done);
	}
	kh_info("reserved CPUs %*pbl in %lld ms", KITE_HOST_MAX_CPUS, want,
		ktime_ms_delta(ktime_get(), t0));
	return 0;

out_undo:
	online_cpus(done);
	return ret;
}

long kh_release_cpu(const struct kite_ioc_cpus *req)
{
	DECLARE_BITMAP(want, KITE_HOST_MAX_CPUS);
	unsigned int cpu;
	ktime_t t0 = ktime_get();
	int ret;

	if (req->instance || req->pad) {
		kh_err("release cpu: the instance and pad fields must be 0");
		return -EINVAL;
	}
	ret = kh_cpus_from_user(req->mask, want, "release cpu");
	if (ret)
		return ret;
	for_each_set_bit(cpu, want, KITE_HOST_MAX_CPUS) {
		u32 owner;

		if (!test_bit(cpu, kh.reserved)) {
			kh_err("release cpu: CPU %u is not reserved", cpu);
			return -EINVAL;
		}
		owner = cpu_owner(cpu);
		if (owner) {
			kh_err("release cpu: CPU %u is assigned to instance %u; destroy it first",
			       cpu, owner);
			return -EBUSY;
		}
	}
	ret = online_cpus(want);
	if (!ret)
		kh_info("released CPUs %*pbl in %lld ms", KITE_HOST_MAX_CPUS, want,
			ktime_ms_delta(ktime_get(), t0));
	return ret;
}

/* Module exit: every reserved CPU back to Linux (no instance is alive by then). */
void kh_release_all_cpus(void)
{
	DECLARE_BITMAP(all, KITE_HOST_MAX_CPUS);

	bitmap_copy(all, kh.reserved, KITE_HOST_MAX_CPUS);
	online_cpus(all);
}

/* ---------------------------------------------------------------- memory */

static int range_node(u64 addr)
{
	int nid = phys_to_target_node(addr);

	if (nid == NUMA_NO_NODE)
		nid = memory_add_physaddr_to_nid(addr);
	return nid;
}

static int add_pool_range(u64 base, u64 size)
{
	u64 end = base + size, abase, aend;
	struct kh_range *r;
	int node, node_end;
	u32 i;

	if (!size || end < base) {
		pr_err("kite_host: mem= range 0x%llx+0x%llx is empty or wraps\n", base, size);
		return -EINVAL;
	}
	abase = ALIGN(base, KITE_HOST_CHUNK_ALIGN);
	aend = ALIGN_DOWN(end, KITE_HOST_CHUNK_ALIGN);
	if (aend <= abase) {
		pr_err("kite_host: mem= range 0x%llx-0x%llx holds no whole 2 MiB chunk\n", base,
		       end - 1);
		return -EINVAL;
	}
	if (abase != base || aend != end)
		pr_warn("kite_host: mem= range 0x%llx-0x%llx trimmed to 2 MiB boundaries: 0x%llx-0x%llx\n",
			base, end - 1, abase, aend - 1);
	if (kh.nr_ranges >= KH_MAX_RANGES) {
		pr_err("kite_host: mem= names more than %d ranges\n", KH_MAX_RANGES);
		return -EINVAL;
	}
	for (i = 0; i < kh.nr_ranges; i++) {
		if (abase < kh.range[i].base + kh.range[i].size && kh.range[i].base < aend) {
			pr_err("kite_host: mem= ranges 0x%llx and 0x%llx overlap\n", base,
			       kh.range[i].base);
			return -EINVAL;
		}
	}
	if (region_intersects(abase, aend - abase, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	    REGION_DISJOINT) {
		pr_err("kite_host: mem= range 0x%llx-0x%llx is System RAM to Linux: reserve it at boot with memmap=0x%llx$0x%llx\n",
		       abase, aend - 1, aend - abase, abase);
		return -EINVAL;
	}
	node = range_node(abase);
	node_end = range_node(aend - 1);
	if (node != node_end) {
		pr_err("kite_host: mem= range 0x%llx-0x%llx spans NUMA nodes %d and %d; name one range per node\n",
		       abase, aend - 1, node, node_end);
		return -EINVAL;
	}
	if (node < 0 || node >= KITE_HOST_MAX_NODES) {
		pr_err("kite_host: mem= range 0x%llx-0x%llx is on node %d; nodes 0-%d are supported\n",
		       abase, aend - 1, node, KITE_HOST_MAX_NODES - 1);
		return -EINVAL;
	}

	r = &kh.range[kh.nr_ranges];
	if (!request_mem_region(abase, aend - abase, "kite partition pool")) {
		pr_err("kite_host: mem= range 0x%llx-0x%llx is in use by another driver\n", abase,
		       aend - 1);
		return -EBUSY;
	}
	r->claimed = true;
	r->base = abase;
	r->size = aend - abase;
	r->node = node;
	kh.nr_ranges++;
	pr_info("kite_host: pool range 0x%llx-0x%llx (%llu MiB) on node %d\n", abase, aend - 1,
		r->size / MIB, node);
	return 0;
}

/* mem=SIZE@BASE[,SIZE@BASE...]; sizes and bases take K, M, G suffixes. */
int kh_parse_pool(const char *param)
{
	const char *p = param;
	int ret;

	if (!p || !*p) {
		pr_info("kite_host: no mem= ranges: the memory pool is empty\n");
		return 0;
	}
	while (*p) {
		char *end;
		u64 size, base;

		size = memparse(p, &end);
		if (end == p || *end != '@') {
			pr_err("kite_host: mem=%s: expected SIZE@BASE at '%s'\n", param, p);
			ret = -EINVAL;
			goto out_free;
		}
		p = end + 1;
		base = memparse(p, &end);
		if (end == p || (*end && *end != ',')) {
			pr_err("kite_host: mem=%s: expected a base address at '%s'\n", param, p);
			ret = -EINVAL;
			goto out_free;
		}
		ret = add_pool_range(base, size);
		if (ret)
			goto out_free;
		p = *end ? end + 1 : end;
	}
	return 0;

out_free:
	kh_free_pool();
	return ret;
}

void kh_free_pool(void)
{
	u32 i;

	for (i = 0; i < kh.nr_ranges; i++)
		if (kh.range[i].claimed)
			release_mem_region(kh.range[i].base, kh.range[i].size);
	kh.nr_ranges = 0;
	memset(kh.chunks, 0, sizeof(kh.chunks));
}

int kh_find_chunk(u64 base)
{
	int i;

	for (i = 0; i < KH_MAX_CHUNKS; i++)
		if (kh.chunks[i].used && kh.chunks[i].base == base)
			return i;
	return -1;
}

/* A used chunk overlapping [base, base + size), or NULL. */
static struct kh_chunk *chunk_in(u64 base, u64 size)
{
	int i;

	for (i = 0; i < KH_MAX_CHUNKS; i++) {
		struct kh_chunk *c = &kh.chunks[i];

		if (c->used && c->base < base + size && base < c->base + c->size)
			return c;
	}
	return NULL;
}

/* First fit in the node's pool ranges. */
static bool find_gap(int node, u64 size, u64 *base)
{
	u32 i;

	for (i = 0; i < kh.nr_ranges; i++) {
		const struct kh_range *r = &kh.range[i];
		u64 pos = r->base;

		if (r->node != node)
			continue;
		while (pos + size <= r->base + r->size) {
			struct kh_chunk *c = chunk_in(pos, size);

			if (!c) {
				*base = pos;
				return true;
			}
			pos = c->base + c->size;
		}
	}
	return false;
}

/* Free bytes and the largest free stretch of the pool on @node. */
static void pool_free(int node, u64 *free, u64 *largest)
{
	u32 i;

	*free = 0;
	*largest = 0;
	for (i = 0; i < kh.nr_ranges; i++) {
		const struct kh_range *r = &kh.range[i];
		u64 pos = r->base, end = r->base + r->size;

		if (r->node != node)
			continue;
		while (pos < end) {
			const struct kh_chunk *blk = NULL;
			u64 next = end, gap;
			int j;

			/* The nearest used chunk in [pos, end): chunks never overlap each other. */
			for (j = 0; j < KH_MAX_CHUNKS; j++) {
				const struct kh_chunk *c = &kh.chunks[j];

				if (c->used && c->base + c->size > pos && c->base < end &&
				    max(c->base, pos) < next) {
					next = max(c->base, pos);
					blk = c;
				}
			}
			gap = next - pos;
			*free += gap;
			*largest = max(*largest, gap);
			if (!blk)
				break;
			pos = blk->base + blk->size;
		}
	}
}

/*
 * Take @size bytes of node @node away from Linux: the highest run of whole
 * memory blocks on the node that is all System RAM and that Linux can empty
 * (its pages migrate). Returns 0 with *@base and *@removed (the run's bytes).
 */
static int offline_blocks(int node, u64 size, u64 *base, u64 *removed)
{
	u64 block = memory_block_size_bytes();
	u64 len = ALIGN(size, block), lo, hi, start;
	int tries = 0, ret = -ENOMEM;

	if (!node_online(node) || !NODE_DATA(node))
		return -EINVAL;
	lo = ALIGN(PFN_PHYS(node_start_pfn(node)), block);
	hi = ALIGN_DOWN(PFN_PHYS(node_end_pfn(node)), block);
	if (hi < lo || hi - lo < len)
		return -ENOMEM;
	for (start = hi - len;; start -= block) {
		if (region_intersects(start, len, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) ==
			    REGION_INTERSECTS &&
		    range_node(start) == node && range_node(start + len - 1) == node) {
			ret = offline_and_remove_memory(start, len);
			if (!ret) {
				*base = start;
				*removed = len;
				return 0;
			}
			if (++tries >= OFFLINE_TRIES)
				break;
		}
		if (start < lo + block)
			break;
	}
	return ret;
}

/* Online memory blocks Linux left offline after add_memory(), through their sysfs state. */
static int online_blocks(u64 base, u64 size)
{
	u64 block = memory_block_size_bytes(), addr;
	int ret = 0;

	for (addr = base; addr < base + size; addr += block) {
		char path[64], state[16] = "";
		struct file *f;
		loff_t pos = 0;
		ssize_t n;

		snprintf(path, sizeof(path), "/sys/devices/system/memory/memory%llu/state",
			 addr / block);
		f = filp_open(path, O_RDWR, 0);
		if (IS_ERR(f)) {
			ret = PTR_ERR(f);
			continue;
		}
		n = kernel_read(f, state, sizeof(state) - 1, &pos);
		if (n > 0 && !strncmp(state, "offline", 7)) {
			pos = 0;
			n = kernel_write(f, "online", 6, &pos);
			if (n < 0)
				ret = n;
		}
		filp_close(f, NULL);
	}
	return ret;
}

/* Give an offlined chunk's blocks back to Linux; 0 or an error (then it stays ours). */
static int return_blocks(struct kh_chunk *c)
{
	int ret = add_memory(c->node, c->base, c->removed, MHP_NONE);

	if (ret) {
		kh_err("Linux could not add back %llu MiB at 0x%llx on node %d (error %d); it stays reserved",
		       c->removed / MIB, c->base, c->node, ret);
		return ret;
	}
	ret = online_blocks(c->base, c->removed);
	if (ret)
		kh_err("%llu MiB at 0x%llx are back in Linux but not all online (error %d): echo online > /sys/devices/system/memory/memoryN/state",
		       c->removed / MIB, c->base, ret);
	else
		kh_info("gave %llu MiB at 0x%llx back to Linux (node %d, online)",
			c->removed / MIB, c->base, c->node);
	return 0;
}

/* Module exit: every offlined chunk back to Linux (no instance is alive by then). */
void kh_return_offlined(void)
{
	int i;

	for (i = 0; i < KH_MAX_CHUNKS; i++) {
		struct kh_chunk *c = &kh.chunks[i];

		if (c->used && c->source == KITE_CHUNK_OFFLINED && !return_blocks(c))
			c->used = false;
	}
}

static int free_slot(void)
{
	int i;

	for (i = 0; i < KH_MAX_CHUNKS; i++)
		if (!kh.chunks[i].used)
			return i;
	return -1;
}

long kh_reserve_mem(struct kite_ioc_mem *req)
{
	int taken[KITE_HOST_MAX_CHUNKS];
	u32 i, n = 0;
	long ret;

	if (req->instance) {
		kh_err("reserve mem: the instance field must be 0");
		return -EINVAL;
	}
	if (req->nr == 0 || req->nr > KITE_HOST_MAX_CHUNKS) {
		kh_err("reserve mem: %u chunks asked; 1 to %d can be reserved at once", req->nr,
		       KITE_HOST_MAX_CHUNKS);
		return -EINVAL;
	}
	for (i = 0; i < req->nr; i++) {
		const struct kite_ioc_chunk *c = &req->chunk[i];

		if (c->pad) {
			kh_err("reserve mem: chunk %u: the pad field must be 0", i);
			return -EINVAL;
		}
		if (!c->size || c->size % KITE_HOST_CHUNK_ALIGN) {
			kh_err("reserve mem: chunk %u: size 0x%llx is not a non-zero multiple of 2 MiB",
			       i, c->size);
			return -EINVAL;
		}
		if (c->node < 0 || c->node >= nr_node_ids || !node_online(c->node)) {
			kh_err("reserve mem: NUMA node %d does not exist (this machine has nodes %*pbl)",
			       c->node, nodemask_pr_args(&node_online_map));
			return -EINVAL;
		}
	}

	for (i = 0; i < req->nr; i++) {
		struct kite_ioc_chunk *c = &req->chunk[i];
		int slot = free_slot();
		u64 base;

		if (slot < 0) {
			kh_err("reserve mem: the module holds %d chunks already; release some",
			       KH_MAX_CHUNKS);
			ret = -ENOSPC;
			goto out_undo;
		}
		kh.chunks[slot] = (struct kh_chunk){
			.used = true,
			.size = c->size,
			.node = c->node,
			.source = KITE_CHUNK_POOL,
		};
		if (!find_gap(c->node, c->size, &base)) {
			u64 free, largest, removed;
			ktime_t t0 = ktime_get();
			int r;

			/* No room in the pool: whole memory blocks Linux gives up. */
			r = offline_blocks(c->node, c->size, &base, &removed);
			if (r) {
				pool_free(c->node, &free, &largest);
				kh_err("reserve mem: not enough free memory on node %d: %llu MiB asked, %llu MiB free in the pool (largest free range %llu MiB), and Linux could not take %llu MiB of the node offline (error %d)",
				       c->node, c->size / MIB, free / MIB, largest / MIB,
				       ALIGN(c->size, (u64)memory_block_size_bytes()) / MIB, r);
				kh.chunks[slot].used = false;
				ret = -ENOMEM;
				goto out_undo;
			}
			kh.chunks[slot].source = KITE_CHUNK_OFFLINED;
			kh.chunks[slot].removed = removed;
			kh_info("took %llu MiB at 0x%llx on node %d offline from Linux in %lld ms",
				removed / MIB, base, c->node, ktime_ms_delta(ktime_get(), t0));
		}
		kh.chunks[slot].base = base;
		taken[n++] = slot;
		c->base = base;
		c->instance = 0;
		c->source = kh.chunks[slot].source;
	}
	for (i = 0; i < n; i++)
		kh_info("reserved %llu MiB at 0x%llx on node %d",
			kh.chunks[taken[i]].size / MIB, kh.chunks[taken[i]].base,
			kh.chunks[taken[i]].node);
	return 0;

out_undo:
	for (i = 0; i < n; i++) {
		struct kh_chunk *k = &kh.chunks[taken[i]];

		if (k->source == KITE_CHUNK_OFFLINED && return_blocks(k))
			continue; /* Linux would not take it back: it stays reserved */
		k->used = false;
	}
	return ret;
}

long kh_release_mem(const struct kite_ioc_mem *req)
{
	int slot[KITE_HOST_MAX_CHUNKS];
	u32 i;

	if (req->instance) {
		kh_err("release mem: the instance field must be 0");
		return -EINVAL;
	}
	if (req->nr > KITE_HOST_MAX_CHUNKS) {
		kh_err("release mem: %u chunks named; at most %d at once", req->nr,
		       KITE_HOST_MAX_CHUNKS);
		return -EINVAL;
	}
	if (req->nr == 0) {
		int j, count = 0;

		int ret = 0;

		for (j = 0; j < KH_MAX_CHUNKS; j++) {
			struct kh_chunk *k = &kh.chunks[j];

			if (!k->used || k->instance)
				continue;
			if (k->source == KITE_CHUNK_OFFLINED) {
				int r = return_blocks(k);

				if (r) {
					ret = ret ? ret : r;
					continue;
				}
			}
			k->used = false;
			count++;
		}
		kh_info("released %d unassigned chunks", count);
		return ret;
	}
	for (i = 0; i < req->nr; i++) {
		const struct kite_ioc_chunk *c = &req->chunk[i];
		const struct kh_chunk *k;

		slot[i] = kh_find_chunk(c->base);
		if (slot[i] < 0) {
			kh_err("release mem: no reserved chunk starts at 0x%llx", c->base);
			return -EINVAL;
		}
		k = &kh.chunks[slot[i]];
		if (c->size && c->size != k->size) {
			kh_err("release mem: the chunk at 0x%llx is %llu MiB, not %llu MiB", c->base,
			       k->size / MIB, c->size / MIB);
			return -EINVAL;
		}
		if (k->instance) {
			kh_err("release mem: the chunk at 0x%llx is assigned to instance %u; destroy it first",
			       c->base, k->instance);
			return -EBUSY;
		}
	}
	for (i = 0; i < req->nr; i++) {
		struct kh_chunk *k = &kh.chunks[slot[i]];

		if (!k->used)
			continue; /* named twice */
		if (k->source == KITE_CHUNK_OFFLINED) {
			int r = return_blocks(k);

			if (r)
				return r;
		}
		kh_info("released %llu MiB at 0x%llx", k->size / MIB, k->base);
		k->used = false;
	}
	return 0;
}

void kh_query_mem(struct kite_ioc_mem *out)
{
	int i, node;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < KH_MAX_CHUNKS && out->nr < KITE_HOST_MAX_CHUNKS; i++) {
		const struct kh_chunk *c = &kh.chunks[i];
		struct kite_ioc_chunk *o;

		if (!c->used)
			continue;
		o = &out->chunk[out->nr++];
		o->base = c->base;
		o->size = c->size;
		o->node = c->node;
		o->instance = c->instance;
		o->source = c->source;
	}
	for (i = 0; i < (int)kh.nr_ranges; i++)
		out->pool_total[kh.range[i].node] += kh.range[i].size;
	for (node = 0; node < KITE_HOST_MAX_NODES; node++) {
		u64 largest;

		pool_free(node, &out->pool_free[node], &largest);
	}
}
