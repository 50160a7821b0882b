// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Instances: a partition (CPUs and chunks assigned from what is reserved),
 * an image copied into its first chunk, a command line, and from boot on a
 * shared region (boot params, multiboot2 block, rings) laid out by
 * host/common/bootblock.c. Each live instance holds a reference on the
 * module, so rmmod fails while one exists. Destroy stops the CPUs with INIT
 * whatever Kite is doing and returns CPUs and chunks to the reserved pools.
 *
 * Everything Kite writes in the shared region is read as untrusted: only
 * the head/tail words and the state words are taken from it; ring sizes and
 * offsets come from the layout the module wrote, and every IPI goes only to
 * an APIC id of the instance's own CPUs.
 */
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/uaccess.h>

#include <asm/msr.h>
#include <asm/tsc.h>

#include "bootblock.h"
#include "kimage.h"
#include "kh_priv.h"

#define MIB (1024ULL * 1024)
#define SHUTDOWN_WAIT_MS 2000
#define RECV_TIMEOUT_MAX_MS (10 * 60 * 1000)
#define MSG_HDR sizeof(struct kite_msg)

struct kh_instance *kh_find(u32 id, const char *what)
{
	int i;

	for (i = 0; i < KITE_HOST_MAX_INSTANCES; i++)
		if (kh.inst[i] && kh.inst[i]->id == id)
			return kh.inst[i];
	kh_err("%s: there is no instance %u", what, id);
	return NULL;
}

static u64 tsc_to_ns(u64 cycles)
{
	if (!tsc_khz)
		return 0;
	return mul_u64_u32_div(cycles, 1000000, tsc_khz);
}

long kh_create(u32 *id)
{
	struct kh_instance *in;
	int slot;

	for (slot = 0; slot < KITE_HOST_MAX_INSTANCES; slot++)
		if (!kh.inst[slot])
			break;
	if (slot == KITE_HOST_MAX_INSTANCES) {
		kh_err("create: %d instances exist already; destroy one", KITE_HOST_MAX_INSTANCES);
		return -ENOSPC;
	}
	in = kzalloc(sizeof(*in), GFP_KERNEL);
	if (!in)
		return -ENOMEM;
	if (!try_module_get(THIS_MODULE)) {
		kfree(in);
		return -ENODEV;
	}
	if (!kh.next_id)
		kh.next_id = 1;
	in->id = kh.next_id++;
	in->phase = KH_CREATED;
	kh.inst[slot] = in;
	*id = in->id;
	kh_info("created instance %u", in->id);
	return 0;
}

/* INIT every CPU of a booted instance: they stop whatever they were doing. */
static void stop_cpus(struct kh_instance *in)
{
	u32 i;

	for (i = 0; i < in->nr_cpus; i++)
		kh_init_cpu(kh.apic_id[in->cpu[i]]);
	in->phase = KH_STOPPED;
}

static void free_shared(struct kh_instance *in)
{
	if (in->shared_page)
		__free_pages(in->shared_page, in->shared_order);
	in->shared_page = NULL;
	in->bp = NULL;
}

long kh_destroy(u32 id)
{
	struct kh_instance *in = kh_find(id, "destroy");
	ktime_t t0 = ktime_get();
	u32 i;
	int slot;

	if (!in)
		return -ENOENT;
	if (in->phase == KH_BOOTED)
		stop_cpus(in);
	/* INIT is taken at once; a short wait covers a write already in a CPU's buffers. */
	if (in->shared_page)
		udelay(100);
	free_shared(in);
	for (i = 0; i < in->nr_chunks; i++)
		kh.chunks[in->chunk[i]].instance = 0;
	for (slot = 0; slot < KITE_HOST_MAX_INSTANCES; slot++)
		if (kh.inst[slot] == in)
			kh.inst[slot] = NULL;
	kh_info("destroyed instance %u in %lld us; its CPUs and memory stay reserved", id,
		ktime_us_delta(ktime_get(), t0));
	kfree(in->kargs);
	kfree(in);
	module_put(THIS_MODULE);
	return 0;
}

static int need_created(struct kh_instance *in, const char *what)
{
	if (in->phase != KH_CREATED) {
		kh_err("%s: instance %u has been booted; destroy it and create a new one", what,
		       in->id);
		return -EBUSY;
	}
	return 0;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

	return x < y ? -1 : x > y;
}

static u32 owner_of_cpu(unsigned int cpu)
{
	int i;
	u32 j;

	for (i = 0; i < KITE_HOST_MAX_INSTANCES; i++)
		for (j = 0; kh.inst[i] && j < kh.inst[i]->nr_cpus; j++)
			if (kh.inst[i]->cpu[j] == cpu)
				return kh.inst[i]->id;
	return 0;
}

long kh_assign_cpu(const struct kite_ioc_cpus *req)
{
	struct kh_instance *in = kh_find(req->instance, "assign cpu");
	DECLARE_BITMAP(want, KITE_HOST_MAX_CPUS);
	unsigned int cpu;
	int ret;

	if (!in)
		return -ENOENT;
	if (req->pad) {
		kh_err("assign cpu: the pad field must be 0");
		return -EINVAL;
	}
	ret = need_created(in, "assign cpu");
	if (ret)
		return ret;
	ret = kh_cpus_from_user(req->mask, want, "assign cpu");
	if (ret)
		return ret;
	for_each_set_bit(cpu, want, KITE_HOST_MAX_CPUS) {
		u32 owner;

		if (!test_bit(cpu, kh.reserved)) {
			kh_err("assign cpu: CPU %u is not reserved; reserve it first", cpu);
			return -EINVAL;
		}
		owner = owner_of_cpu(cpu);
		if (owner) {
			kh_err("assign cpu: CPU %u is assigned to instance %u already", cpu, owner);
			return -EBUSY;
		}
	}
	if (in->nr_cpus + bitmap_weight(want, KITE_HOST_MAX_CPUS) > KITE_BP_MAX_CPUS) {
		kh_err("assign cpu: an instance has at most %d CPUs", KITE_BP_MAX_CPUS);
		return -EINVAL;
	}
	for_each_set_bit(cpu, want, KITE_HOST_MAX_CPUS)
		in->cpu[in->nr_cpus++] = cpu;
	/* cpus[0], the one the host starts, is the lowest. */
	sort(in->cpu, in->nr_cpus, sizeof(in->cpu[0]), cmp_uint, NULL);
	kh_info("instance %u: assigned CPUs %*pbl", in->id, KITE_HOST_MAX_CPUS, want);
	return 0;
}

long kh_assign_mem(const struct kite_ioc_mem *req)
{
	struct kh_instance *in = kh_find(req->instance, "assign mem");
	int slot[KITE_HOST_MAX_CHUNKS];
	u32 i, j;
	int ret;

	if (!in)
		return -ENOENT;
	ret = need_created(in, "assign mem");
	if (ret)
		return ret;
	if (req->nr == 0 || req->nr > KITE_HOST_MAX_CHUNKS) {
		kh_err("assign mem: %u chunks named; 1 to %d at once", req->nr,
		       KITE_HOST_MAX_CHUNKS);
		return -EINVAL;
	}
	if (in->nr_chunks + req->nr > KITE_BP_MAX_MEM) {
		kh_err("assign mem: an instance has at most %d chunks", KITE_BP_MAX_MEM);
		return -EINVAL;
	}
	for (i = 0; i < req->nr; i++) {
		const struct kite_ioc_chunk *c = &req->chunk[i];

		slot[i] = kh_find_chunk(c->base);
		if (slot[i] < 0) {
			kh_err("assign mem: no reserved chunk starts at 0x%llx; reserve memory first",
			       c->base);
			return -EINVAL;
		}
		if (kh.chunks[slot[i]].instance) {
			kh_err("assign mem: the chunk at 0x%llx is assigned to instance %u already",
			       c->base, kh.chunks[slot[i]].instance);
			return -EBUSY;
		}
		for (j = 0; j < i; j++) {
			if (slot[j] == slot[i]) {
				kh_err("assign mem: the chunk at 0x%llx is named twice", c->base);
				return -EINVAL;
			}
		}
	}
	for (i = 0; i < req->nr; i++) {
		kh.chunks[slot[i]].instance = in->id;
		in->chunk[in->nr_chunks++] = slot[i];
		kh_info("instance %u: assigned %llu MiB at 0x%llx (node %d)", in->id,
			kh.chunks[slot[i]].size / MIB, kh.chunks[slot[i]].base,
			kh.chunks[slot[i]].node);
	}
	return 0;
}

/* Copy the checked image's segments to @base, zeroing what the file does not fill. */
static int place_image(const u8 *buf, const struct kite_image_info *info, u64 base)
{
	u8 *dst;
	u32 i;

	dst = memremap(base, info->span, MEMREMAP_WB);
	if (!dst) {
		kh_err("load: cannot map 0x%llx bytes at 0x%llx", info->span, base);
		return -ENOMEM;
	}
	memset(dst, 0, info->span);
	for (i = 0; i < info->nr_segs; i++) {
		const struct kite_image_seg *s = &info->seg[i];

		memcpy(dst + s->phys_off, buf + s->offset, s->filesz);
	}
	memunmap(dst);
	return 0;
}

long kh_load(const struct kite_ioc_buf *req)
{
	struct kh_instance *in = kh_find(req->instance, "load");
	struct kite_image_info *info = NULL;
	const struct kh_chunk *c;
	char err[KITE_IMAGE_ERR_MIN];
	u8 *buf = NULL;
	u64 base;
	long ret;

	if (!in)
		return -ENOENT;
	if (req->pad) {
		kh_err("load: the pad field must be 0");
		return -EINVAL;
	}
	ret = need_created(in, "load");
	if (ret)
		return ret;
	if (!req->len || req->len > KITE_HOST_IMAGE_MAX) {
		kh_err("load: the image is %llu bytes; 1 to %u are accepted", req->len,
		       KITE_HOST_IMAGE_MAX);
		return -EINVAL;
	}
	if (!in->nr_chunks) {
		kh_err("load: instance %u has no memory; assign memory first (the image goes at the start of its first chunk)",
		       in->id);
		return -EINVAL;
	}
	c = &kh.chunks[in->chunk[0]];
	base = c->base;

	buf = kvmalloc(req->len, GFP_KERNEL);
	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!buf || !info) {
		ret = -ENOMEM;
		goto out_free;
	}
	if (copy_from_user(buf, u64_to_user_ptr(req->addr), req->len)) {
		kh_err("load: cannot read the image from user memory at 0x%llx", req->addr);
		ret = -EFAULT;
		goto out_free;
	}
	if (kite_image_check(buf, req->len, info, err, sizeof(err))) {
		kh_err("load: %s", err);
		ret = -EINVAL;
		goto out_free;
	}
	if (info->span > c->size) {
		kh_err("load: the image spans %llu KiB in memory, more than the %llu MiB chunk at 0x%llx",
		       info->span >> 10, c->size / MIB, base);
		ret = -EFBIG;
		goto out_free;
	}
	if (info->flags & KITE_IMAGE_RELOCATABLE) {
		if (base < info->reloc_min || base + info->span > info->reloc_max ||
		    (info->reloc_align && base % info->reloc_align)) {
			kh_err("load: the image may load at 0x%x-0x%x aligned to 0x%x; the chunk at 0x%llx does not fit that",
			       info->reloc_min, info->reloc_max, info->reloc_align, base);
			ret = -EINVAL;
			goto out_free;
		}
	} else if (info->phys_base != base) {
		kh_err("load: the image is not relocatable and must load at 0x%llx, but the first chunk starts at 0x%llx",
		       info->phys_base, base);
		ret = -EINVAL;
		goto out_free;
	}
	if (base + info->entry_off >= (1ULL << 32)) {
		kh_err("load: the entry point 0x%llx is above 4 GiB; a 32-bit entry cannot reach it",
		       base + info->entry_off);
		ret = -EINVAL;
		goto out_free;
	}
	ret = place_image(buf, info, base);
	if (ret)
		goto out_free;
	in->loaded = true;
	in->image_span = info->span;
	in->entry = base + info->entry_off;
	kh_info("instance %u: loaded a %llu-byte image (%llu KiB in memory) at 0x%llx, entry 0x%llx",
		in->id, req->len, info->span >> 10, base, in->entry);
	ret = 0;

out_free:
	kfree(info);
	kvfree(buf);
	return ret;
}

long kh_kargs(const struct kite_ioc_buf *req)
{
	struct kh_instance *in = kh_find(req->instance, "kargs");
	char *s;
	u64 i, n;
	long ret;

	if (!in)
		return -ENOENT;
	if (req->pad) {
		kh_err("kargs: the pad field must be 0");
		return -EINVAL;
	}
	ret = need_created(in, "kargs");
	if (ret)
		return ret;
	if (req->len > KITE_HOST_KARGS_MAX) {
		kh_err("kargs: %llu bytes; the command line holds at most %d", req->len,
		       KITE_HOST_KARGS_MAX - 1);
		return -EINVAL;
	}
	s = kzalloc(req->len + 1, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	if (req->len && copy_from_user(s, u64_to_user_ptr(req->addr), req->len)) {
		kfree(s);
		return -EFAULT;
	}
	/* A terminating NUL is allowed as the last byte, nowhere else. */
	n = req->len;
	if (n && s[n - 1] == '\0')
		n--;
	for (i = 0; i < n; i++) {
		if (s[i] == '\0' || s[i] < 0x20 || s[i] == 0x7f) {
			kh_err("kargs: byte %llu is a control character (0x%02x); the command line is one line of text",
			       i, (u8)s[i]);
			kfree(s);
			return -EINVAL;
		}
	}
	if (n > KITE_BB_CMDLINE_MAX) {
		kh_err("kargs: %llu bytes; the command line holds at most %d", n,
		       KITE_BB_CMDLINE_MAX);
		kfree(s);
		return -EINVAL;
	}
	kfree(in->kargs);
	in->kargs = s;
	kh_info("instance %u: command line \"%.200s\"", in->id, s);
	return 0;
}

static bool apic_of_instance(const struct kh_instance *in, u32 apic_id)
{
	u32 i;

	for (i = 0; i < in->nr_cpus; i++)
		if (kh.apic_id[in->cpu[i]] == apic_id)
			return true;
	return false;
}

static void fill_desc(const struct kh_instance *in, struct kite_bb_desc *d)
{
	unsigned long flags;
	u32 i, j;

	d->instance = in->id;
	d->tsc_khz = tsc_khz;
	d->nr_cpus = in->nr_cpus;
	for (i = 0; i < in->nr_cpus; i++) {
		d->cpus[i].apic_id = kh.apic_id[in->cpu[i]];
		d->cpus[i].node = kh.cpu_node[in->cpu[i]];
	}
	d->nr_mem = in->nr_chunks;
	for (i = 0; i < in->nr_chunks; i++) {
		const struct kh_chunk *c = &kh.chunks[in->chunk[i]];

		d->mem[i].base = c->base;
		d->mem[i].size = c->size;
		d->mem[i].node = c->node;
	}
	d->nr_nodes = min_t(u32, nr_node_ids, KITE_BP_MAX_NODES);
	for (i = 0; i < d->nr_nodes; i++)
		for (j = 0; j < d->nr_nodes; j++)
			d->distance[i][j] = node_distance(i, j);
	d->sipi_page = kh.sipi_phys;
	d->cmdline = in->kargs;
	d->load_base = kh.chunks[in->chunk[0]].base;
	/* The wall clock for Kite: the host's time and the TSC, read together. */
	local_irq_save(flags);
	d->wall_tsc = rdtsc_ordered();
	d->wall_ns = ktime_get_real_ns();
	local_irq_restore(flags);
}

long kh_boot(u32 id)
{
	struct kh_instance *in = kh_find(id, "boot");
	struct kite_bb_layout lay;
	struct kite_bb_desc *d;
	char err[KITE_BB_ERR_MIN];
	struct page *page;
	unsigned int order;
	int i, node;
	long ret;

	if (!in)
		return -ENOENT;
	ret = need_created(in, "boot");
	if (ret)
		return ret;
	if (!in->nr_cpus) {
		kh_err("boot: instance %u has no CPUs; assign some first", id);
		return -EINVAL;
	}
	if (!in->nr_chunks) {
		kh_err("boot: instance %u has no memory; assign some first", id);
		return -EINVAL;
	}
	if (!in->loaded) {
		kh_err("boot: instance %u has no image; load one first", id);
		return -EINVAL;
	}
	/* One SIPI page: Kite uses it to start its other CPUs until it is ready. */
	for (i = 0; i < KITE_HOST_MAX_INSTANCES; i++) {
		struct kh_instance *o = kh.inst[i];

		if (o && o != in && o->phase == KH_BOOTED &&
		    READ_ONCE(o->bp->state) == KITE_BP_BOOTING) {
			kh_err("boot: instance %u is still booting and uses the SIPI page; wait for it or destroy it",
			       o->id);
			return -EBUSY;
		}
	}

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	fill_desc(in, d);
	if (kite_bootblock_layout(d, &lay, err, sizeof(err))) {
		kh_err("boot: %s", err);
		ret = -EINVAL;
		goto out_free_desc;
	}
	order = get_order(lay.total);
	node = kh.cpu_node[in->cpu[0]];
	page = alloc_pages_node(node, GFP_KERNEL | __GFP_DMA32 | __GFP_ZERO, order);
	if (!page) {
		kh_err("boot: cannot allocate the %lu KiB shared region below 4 GiB",
		       (PAGE_SIZE << order) >> 10);
		ret = -ENOMEM;
		goto out_free_desc;
	}
	d->shared_phys = page_to_phys(page);
	d->shared_size = PAGE_SIZE << order;
	if (kite_bootblock_build(page_address(page), d, &lay, err, sizeof(err))) {
		kh_err("boot: %s", err);
		ret = -EINVAL;
		goto out_free_pages;
	}
	in->shared_page = page;
	in->shared_order = order;
	in->shared_phys = d->shared_phys;
	in->bp = page_address(page);
	in->console_off = lay.console_off;
	in->h2k_off = lay.h2k_off;
	in->k2h_off = lay.k2h_off;
	in->h2k_head = 0;
	in->k2h_tail = 0;
	in->next_seq = 0;

	kh_write_trampoline((u32)(d->shared_phys + lay.mbi_off), (u32)in->entry);
	WRITE_ONCE(in->bp->state, KITE_BP_BOOTING);
	wmb();
	in->boot_ns = ktime_get_ns();
	in->boot_tsc = rdtsc_ordered();
	in->phase = KH_BOOTED;
	ret = kh_start_cpu(d->cpus[0].apic_id);
	if (ret) {
		stop_cpus(in);
		in->phase = KH_CREATED;
		in->shared_page = NULL;
		in->bp = NULL;
		goto out_free_pages;
	}
	kh_info("instance %u: booting on CPU %u (APIC id %u), entry 0x%llx, shared region 0x%llx",
		id, in->cpu[0], d->cpus[0].apic_id, in->entry, (u64)d->shared_phys);
	kfree(d);
	return 0;

out_free_pages:
	__free_pages(page, order);
out_free_desc:
	kfree(d);
	return ret;
}

/* Kite's doorbell: its vector at its APIC id, checked to be one of the instance's CPUs. */
static int ring_kite(struct kh_instance *in, const char *what)
{
	u32 vector = READ_ONCE(in->bp->kite_vector);
	u32 apic_id = READ_ONCE(in->bp->kite_apic_id);

	if (vector < 32 || vector > 255) {
		kh_err("%s: instance %u published no usable vector (%u)", what, in->id, vector);
		return -EIO;
	}
	if (!apic_of_instance(in, apic_id)) {
		kh_err("%s: instance %u asked for an IPI to APIC id %u, which is not one of its CPUs",
		       what, in->id, apic_id);
		return -EIO;
	}
	kh_send_ipi(apic_id, vector);
	return 0;
}

long kh_shutdown(u32 id)
{
	struct kh_instance *in = kh_find(id, "shutdown");
	ktime_t t0 = ktime_get();
	u32 state;

	if (!in)
		return -ENOENT;
	if (in->phase != KH_BOOTED) {
		kh_err("shutdown: instance %u is not running (%s)", id,
		       in->phase == KH_CREATED ? "never booted" : "already stopped");
		return -EINVAL;
	}
	state = READ_ONCE(in->bp->state);
	if (state == KITE_BP_RUNNING) {
		WRITE_ONCE(in->bp->request, READ_ONCE(in->bp->request) | KITE_BP_REQ_SHUTDOWN);
		mb();
		if (!ring_kite(in, "shutdown")) {
			while (ktime_ms_delta(ktime_get(), t0) < SHUTDOWN_WAIT_MS) {
				state = READ_ONCE(in->bp->state);
				if (state == KITE_BP_HALTED || state == KITE_BP_PANICKED)
					break;
				usleep_range(1000, 2000);
			}
		}
	}
	state = READ_ONCE(in->bp->state);
	if (state != KITE_BP_HALTED && state != KITE_BP_PANICKED)
		kh_info("instance %u did not power off by itself (state %u); stopping its CPUs with INIT",
			id, state);
	stop_cpus(in);
	kh_info("instance %u shut down in %lld ms", id, ktime_ms_delta(ktime_get(), t0));
	return 0;
}

static u32 host_state(const struct kh_instance *in)
{
	u32 s;

	if (in->phase == KH_CREATED)
		return KITE_HOST_CREATED;
	s = READ_ONCE(in->bp->state);
	if (s == KITE_BP_PANICKED)
		return KITE_HOST_PANICKED;
	if (s == KITE_BP_HALTED || in->phase == KH_STOPPED)
		return KITE_HOST_HALTED;
	if (s == KITE_BP_RUNNING)
		return KITE_HOST_RUNNING;
	return KITE_HOST_BOOTING;
}

long kh_status(struct kite_ioc_status *st)
{
	struct kh_instance *in = kh_find(st->instance, "status");
	u32 id = st->instance, i;

	if (!in)
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	st->instance = id;
	st->state = host_state(in);
	st->loaded = in->loaded;
	st->image_size = in->image_span;
	st->heartbeat_age_ns = U64_MAX;
	for (i = 0; i < in->nr_cpus; i++) {
		unsigned int cpu = in->cpu[i];

		st->cpus[cpu / 64] |= 1ULL << (cpu % 64);
		if (in->bp)
			st->cpu_state[cpu] = READ_ONCE(in->bp->cpu_state[i]);
	}
	for (i = 0; i < in->nr_chunks; i++) {
		const struct kh_chunk *c = &kh.chunks[in->chunk[i]];

		if (c->node >= 0 && c->node < KITE_HOST_MAX_NODES)
			st->mem_per_node[c->node] += c->size;
	}
	if (in->kargs)
		strscpy(st->kargs, in->kargs, sizeof(st->kargs));
	if (in->bp) {
		struct kite_boot_params *bp = in->bp;
		u64 now = rdtsc_ordered(), hb = READ_ONCE(bp->heartbeat_tsc);
		u64 ready = READ_ONCE(bp->ready_tsc);

		st->exit_code = READ_ONCE(bp->exit_code);
		st->uptime_ns = ktime_get_ns() - in->boot_ns;
		if (ready > in->boot_tsc)
			st->boot_to_ready_ns = tsc_to_ns(ready - in->boot_tsc);
		st->heartbeats = READ_ONCE(bp->heartbeats);
		if (hb)
			st->heartbeat_age_ns = hb < now ? tsc_to_ns(now - hb) : 0;
		memcpy(st->panic, bp->panic, min(sizeof(st->panic), sizeof(bp->panic)));
		st->panic[sizeof(st->panic) - 1] = '\0';
	}
	return 0;
}

void kh_list(struct kite_ioc_list *out)
{
	int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < KITE_HOST_MAX_INSTANCES; i++)
		if (kh.inst[i])
			out->ids[out->nr++] = kh.inst[i]->id;
}

/* Copy @len ring bytes from position @pos (wrapping) out of a ring of @size data bytes. */
static void ring_read(const u8 *data, u64 size, u64 pos, void *dst, u64 len)
{
	u64 off = pos & (size - 1), first = min(len, size - off);

	memcpy(dst, data + off, first);
	memcpy((u8 *)dst + first, data, len - first);
}

static void ring_write(u8 *data, u64 size, u64 pos, const void *src, u64 len)
{
	u64 off = pos & (size - 1), first = min(len, size - off);

	memcpy(data + off, src, first);
	memcpy(data, (const u8 *)src + first, len - first);
}

static struct kite_ring *ring_at(struct kh_instance *in, u64 off)
{
	return (struct kite_ring *)((u8 *)in->bp + off);
}

static u8 *ring_data(struct kh_instance *in, u64 off)
{
	return (u8 *)in->bp + off + KITE_BB_RING_DATA;
}

long kh_kmsg(struct kite_ioc_kmsg *req)
{
	struct kh_instance *in = kh_find(req->instance, "kmsg");
	const u64 size = KITE_BB_CONSOLE_SIZE;
	u64 head, oldest, pos, n, lost = 0;
	u8 *tmp;
	long ret = 0;

	if (!in)
		return -ENOENT;
	if (req->pad) {
		kh_err("kmsg: the pad field must be 0");
		return -EINVAL;
	}
	if (!in->bp) {
		req->len = 0;
		req->lost = 0;
		return 0;
	}
	head = READ_ONCE(ring_at(in, in->console_off)->head);
	smp_rmb();
	oldest = head > size ? head - size : 0;
	pos = req->pos ? req->pos : oldest;
	if (pos > head) {
		kh_err("kmsg: position %llu is past the end of instance %u's log (%llu)", pos,
		       in->id, head);
		return -EINVAL;
	}
	if (pos < oldest) {
		lost = oldest - pos;
		pos = oldest;
	}
	n = min3(req->len, head - pos, size);
	if (!n) {
		req->len = 0;
		req->pos = pos;
		req->lost = lost;
		return 0;
	}
	tmp = kvmalloc(n, GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	ring_read(ring_data(in, in->console_off), size, pos, tmp, n);
	/* Kite never waits: what it overwrote while we copied is lost, not shown. */
	smp_rmb();
	head = READ_ONCE(ring_at(in, in->console_off)->head);
	oldest = head > size ? head - size : 0;
	if (oldest > pos) {
		u64 gone = min(oldest - pos, n);

		lost += gone;
		pos += gone;
		n -= gone;
		memmove(tmp, tmp + gone, n);
	}
	if (n && copy_to_user(u64_to_user_ptr(req->addr), tmp, n))
		ret = -EFAULT;
	kvfree(tmp);
	req->len = n;
	req->pos = pos + n;
	req->lost = lost;
	return ret;
}

static int need_running(struct kh_instance *in, const char *what)
{
	if (in->phase != KH_BOOTED || READ_ONCE(in->bp->state) != KITE_BP_RUNNING) {
		static const char *const names[] = { "created", "booting", "running", "panicked",
						     "halted" };

		kh_err("%s: instance %u is %s, not running", what, in->id,
		       names[host_state(in)]);
		return -EINVAL;
	}
	return 0;
}

long kh_exec(struct kite_ioc_exec *req)
{
	struct kh_instance *in = kh_find(req->instance, "exec");
	struct kite_ring *ring;
	struct kite_msg hdr;
	u64 tail, rec, pad = 0;
	char *cmd;
	long ret;
	u32 i;

	if (!in)
		return -ENOENT;
	if (!req->len || req->len > KITE_MSG_MAX) {
		kh_err("exec: the command is %u bytes; 1 to %d are accepted", req->len,
		       KITE_MSG_MAX);
		return -EINVAL;
	}
	ret = need_running(in, "exec");
	if (ret)
		return ret;
	cmd = kmalloc(req->len, GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;
	if (copy_from_user(cmd, u64_to_user_ptr(req->addr), req->len)) {
		ret = -EFAULT;
		goto out_free;
	}
	for (i = 0; i < req->len; i++) {
		if (cmd[i] == '\0' || cmd[i] == '\n') {
			kh_err("exec: the command holds a %s at byte %u; it is one line of text",
			       cmd[i] ? "newline" : "NUL", i);
			ret = -EINVAL;
			goto out_free;
		}
	}
	ring = ring_at(in, in->h2k_off);
	tail = READ_ONCE(ring->tail);
	if (tail > in->h2k_head || in->h2k_head - tail > KITE_BB_MSG_SIZE) {
		kh_err("exec: instance %u's message ring is corrupt (tail %llu, head %llu)", in->id,
		       tail, in->h2k_head);
		ret = -EIO;
		goto out_free;
	}
	rec = ALIGN(MSG_HDR + req->len, 8);
	if (KITE_BB_MSG_SIZE - (in->h2k_head - tail) < rec) {
		kh_err("exec: instance %u's message ring is full; Kite is not taking commands",
		       in->id);
		ret = -EAGAIN;
		goto out_free;
	}
	hdr.type = KITE_MSG_EXEC;
	hdr.len = req->len;
	hdr.seq = ++in->next_seq;
	ring_write(ring_data(in, in->h2k_off), KITE_BB_MSG_SIZE, in->h2k_head, &hdr, MSG_HDR);
	ring_write(ring_data(in, in->h2k_off), KITE_BB_MSG_SIZE, in->h2k_head + MSG_HDR, cmd,
		   req->len);
	ring_write(ring_data(in, in->h2k_off), KITE_BB_MSG_SIZE, in->h2k_head + MSG_HDR + req->len,
		   &pad, rec - MSG_HDR - req->len);
	smp_wmb();
	in->h2k_head += rec;
	WRITE_ONCE(ring->head, in->h2k_head);
	mb();
	ret = ring_kite(in, "exec");
	req->seq = hdr.seq;

out_free:
	kfree(cmd);
	return ret;
}

/*
 * Take one message from the k2h ring into @buf (KITE_MSG_MAX bytes).
 * Returns 1 when one was taken, 0 when the ring is empty, or an error.
 */
static int take_msg(struct kh_instance *in, void *buf, struct kite_msg *hdr)
{
	struct kite_ring *ring = ring_at(in, in->k2h_off);
	const u8 *data = ring_data(in, in->k2h_off);
	u64 head = READ_ONCE(ring->head), rec;

	smp_rmb();
	if (head < in->k2h_tail || head - in->k2h_tail > KITE_BB_MSG_SIZE) {
		kh_err("recv: instance %u's message ring is corrupt (head %llu, tail %llu)", in->id,
		       head, in->k2h_tail);
		return -EIO;
	}
	if (head - in->k2h_tail < MSG_HDR)
		return 0;
	ring_read(data, KITE_BB_MSG_SIZE, in->k2h_tail, hdr, MSG_HDR);
	rec = ALIGN(MSG_HDR + (u64)hdr->len, 8);
	if (hdr->len > KITE_MSG_MAX || rec > head - in->k2h_tail) {
		kh_err("recv: instance %u sent a malformed message (type %u, %u bytes, %llu in the ring)",
		       in->id, hdr->type, hdr->len, head - in->k2h_tail);
		return -EIO;
	}
	ring_read(data, KITE_BB_MSG_SIZE, in->k2h_tail + MSG_HDR, buf, hdr->len);
	smp_mb();
	in->k2h_tail += rec;
	WRITE_ONCE(ring->tail, in->k2h_tail);
	return 1;
}

/* Polls the ring every millisecond without holding kh.lock while it sleeps. */
long kh_recv(struct kite_ioc_recv *req)
{
	struct kite_msg hdr;
	ktime_t t0 = ktime_get();
	void *buf;
	long ret;

	if (req->len < KITE_MSG_MAX) {
		kh_err("recv: the buffer holds %u bytes; it must hold %d", req->len, KITE_MSG_MAX);
		return -EINVAL;
	}
	if (req->timeout_ms > RECV_TIMEOUT_MAX_MS) {
		kh_err("recv: a timeout of %u ms is more than the %d allowed", req->timeout_ms,
		       RECV_TIMEOUT_MAX_MS);
		return -EINVAL;
	}
	buf = kmalloc(KITE_MSG_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		struct kh_instance *in;
		u32 state;

		mutex_lock(&kh.lock);
		in = kh_find(req->instance, "recv");
		if (!in) {
			ret = -ENOENT;
		} else if (!in->bp) {
			kh_err("recv: instance %u has not been booted", in->id);
			ret = -EINVAL;
		} else {
			ret = take_msg(in, buf, &hdr);
			state = host_state(in);
			if (ret == 0 && state != KITE_HOST_RUNNING && state != KITE_HOST_BOOTING) {
				kh_err("recv: instance %u is %s and will send nothing more", in->id,
				       state == KITE_HOST_PANICKED ? "panicked" : "halted");
				ret = -EPIPE;
			}
		}
		mutex_unlock(&kh.lock);
		if (ret)
			break;
		if (ktime_ms_delta(ktime_get(), t0) >= req->timeout_ms) {
			ret = -ETIMEDOUT;
			goto out_free;
		}
		if (signal_pending(current)) {
			ret = -EINTR;
			goto out_free;
		}
		usleep_range(1000, 2000);
	}
	if (ret < 0)
		goto out_free;
	if (hdr.len && copy_to_user(u64_to_user_ptr(req->addr), buf, hdr.len)) {
		ret = -EFAULT;
		goto out_free;
	}
	req->len = hdr.len;
	req->type = hdr.type;
	req->seq = hdr.seq;
	ret = 0;

out_free:
	kfree(buf);
	return ret;
}
