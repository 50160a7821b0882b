/* SPDX-License-Identifier: MIT */
/*
 * NUMA topology: nodes, the memory and CPUs of each, and the distances
 * between them, from ACPI SRAT/SLIT (or one node holding everything when
 * the firmware has no SRAT). Nodes are numbered 0..count-1 in the order of
 * their ACPI proximity domains. CPU numbers are Kite's (0 = the boot CPU).
 */
#pragma once

#include <kite/bootinfo.h>
#include <kite/compiler.h>
#include <kite/types.h>

#define KITE_MAX_NODES 64

/* How many nodes (at least 1 once the topology stage has run). */
unsigned int kite_numa_node_count(void);

/* The node of CPU @cpu, or -1 when there is no such CPU. */
int kite_numa_node_of_cpu(unsigned int cpu);

/* The node whose memory holds @addr, or -1 when it is not RAM Kite manages. */
int kite_numa_node_of_addr(kite_paddr_t addr);

/* SLIT distance from node @a to node @b (10 = local), or 0 when either does not exist. */
unsigned int kite_numa_distance(int a, int b);

/* Copy up to @max of @node's memory ranges into @out; returns how many it has. */
unsigned int kite_numa_node_ranges(int node, struct kite_mem_range *out, unsigned int max);

/* Copy up to @max of @node's CPU numbers into @out; returns how many it has. */
unsigned int kite_numa_node_cpus(int node, unsigned int *out, unsigned int max);

/*
 * The @i-th node in CPU @cpu's fallback order: its own node first, then the
 * others nearest first (ties by number). -1 past the end.
 */
int kite_numa_fallback(unsigned int cpu, unsigned int i);

/* The @i-th node in @node's fallback order (itself first); -1 past the end. */
int kite_numa_node_fallback(int node, unsigned int i);

/* The APIC ID of CPU @cpu (how the hardware addresses it), or ~0 when there is no such CPU. */
uint32_t kite_numa_cpu_apic_id(unsigned int cpu);

/* The ACPI proximity domain node @node came from (for logs and tests). */
uint32_t kite_numa_node_domain(int node);
