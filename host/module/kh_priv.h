/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * kite_host.ko's private declarations: the module state (one mutex guards
 * all of it), the CPU and memory pools (resources.c), instances
 * (instance.c), the INIT/SIPI and IPI helpers and the SIPI trampoline
 * (boot.c, trampoline.S).
 */
#ifndef KH_PRIV_H
#define KH_PRIV_H

#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include <kite/abi/bootparams.h>
#include <kite_host.h>

#define KH_MAX_RANGES 8	 /* mem= ranges */
#define KH_MAX_CHUNKS 64 /* reserved chunks, all instances together */
#define KH_SHARED_ORDER_MAX 6

/* A range named in mem=: memmap-reserved at host boot, never System RAM. */
struct kh_range {
	u64 base;
	u64 size;
	int node;
	bool claimed; /* request_mem_region() succeeded */
};

/* A reserved chunk of memory. */
struct kh_chunk {
	bool used;
	u64 base;
	u64 size;
	int node;
	u32 instance; /* 0: reserved, not assigned */
	u32 source;   /* KITE_CHUNK_POOL or KITE_CHUNK_OFFLINED */
	u64 removed;  /* OFFLINED: bytes of whole memory blocks removed from Linux at base */
};

enum kh_phase {
	KH_CREATED,	/* not booted */
	KH_BOOTED,	/* INIT-SIPI-SIPI sent; Kite owns its CPUs */
	KH_STOPPED,	/* its CPUs were sent INIT (shutdown); region kept for status */
};

struct kh_instance {
	u32 id;
	enum kh_phase phase;
	unsigned int cpu[KITE_BP_MAX_CPUS]; /* Linux CPU numbers, ascending */
	u32 nr_cpus;
	int chunk[KITE_BP_MAX_MEM]; /* indexes into kh.chunks; chunk[0] holds the image */
	u32 nr_chunks;

	bool loaded;
	u64 image_span;
	u64 entry; /* physical */

	char *kargs; /* NUL-terminated, may be NULL */

	/* The shared region, from boot to destroy. */
	struct page *shared_page;
	unsigned int shared_order;
	struct kite_boot_params *bp;
	phys_addr_t shared_phys;
	u64 console_off, h2k_off, k2h_off; /* from the layout written, never read back */
	u64 h2k_head;			   /* ours as producer */
	u64 k2h_tail;			   /* ours as consumer */
	u64 boot_tsc;
	u64 boot_ns;
	u64 next_seq;
};

/* Module state: everything below is guarded by lock. */
struct kh_state {
	struct mutex lock;
	struct device *dev;

	/*
	 * Reserved CPUs (offline to Linux, ours), by Linux CPU number; APIC id and node kept
	 * from before removal. CPUs past KITE_HOST_MAX_CPUS cannot be named.
	 */
	DECLARE_BITMAP(reserved, KITE_HOST_MAX_CPUS);
	u32 apic_id[KITE_HOST_MAX_CPUS];
	int cpu_node[KITE_HOST_MAX_CPUS];

	struct kh_range range[KH_MAX_RANGES];
	u32 nr_ranges;
	struct kh_chunk chunks[KH_MAX_CHUNKS];

	u64 sipi_phys;
	void *sipi; /* mapped */
	bool sipi_claimed;

	struct kh_instance *inst[KITE_HOST_MAX_INSTANCES];
	u32 next_id;
};

extern struct kh_state kh;

/*
 * CPUs Linux must not bring up behind our back: read without kh.lock by the
 * CPU hotplug callback, so a separate atomic mask.
 */
extern struct cpumask kh_blocked_cpus;

/* resources.c */
int kh_parse_pool(const char *param);
void kh_free_pool(void);
void kh_return_offlined(void);
long kh_reserve_cpu(const struct kite_ioc_cpus *req);
long kh_release_cpu(const struct kite_ioc_cpus *req);
void kh_release_all_cpus(void);
long kh_reserve_mem(struct kite_ioc_mem *req);
long kh_release_mem(const struct kite_ioc_mem *req);
void kh_query_mem(struct kite_ioc_mem *out);
int kh_find_chunk(u64 base);
int kh_cpus_from_user(const u64 *mask, unsigned long *out, const char *what);

/* instance.c */
struct kh_instance *kh_find(u32 id, const char *what);
long kh_create(u32 *id);
long kh_destroy(u32 id);
long kh_assign_cpu(const struct kite_ioc_cpus *req);
long kh_assign_mem(const struct kite_ioc_mem *req);
long kh_load(const struct kite_ioc_buf *req);
long kh_kargs(const struct kite_ioc_buf *req);
long kh_boot(u32 id);
long kh_shutdown(u32 id);
long kh_status(struct kite_ioc_status *st);
void kh_list(struct kite_ioc_list *out);
long kh_kmsg(struct kite_ioc_kmsg *req);
long kh_exec(struct kite_ioc_exec *req);
long kh_recv(struct kite_ioc_recv *req);

/* boot.c */
int kh_sipi_setup(u64 phys);
void kh_sipi_teardown(void);
void kh_write_trampoline(u32 mbi, u32 entry);
int kh_start_cpu(u32 apic_id);
void kh_init_cpu(u32 apic_id);
void kh_send_ipi(u32 apic_id, u32 vector);

/* Every message names the module, so kitectl's users can find it in dmesg. */
#define kh_err(fmt, ...) pr_err("kite_host: " fmt "\n", ##__VA_ARGS__)
#define kh_info(fmt, ...) pr_info("kite_host: " fmt "\n", ##__VA_ARGS__)

#endif
