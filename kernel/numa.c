/* SPDX-License-Identifier: MIT */
/*
 * The machine's NUMA topology, built once at boot (kernel/topology.c) and
 * read through <kite/numa.h>. The boot log shows it in a few lines.
 */
#define KITE_LOG_PREFIX "numa: "

#include <kite/arch.h>
#include <kite/bootinfo.h>
#include <kite/numa.h>
#include <kite/printk.h>

#include "acpi.h"
#include "topology.h"

static struct kite_topology topo = {.nnodes = 1};

static void warn(void *ctx, const char *msg)
{
    (void)ctx;
    kite_pr_warn("%s\n", msg);
}

static bool node_ok(int node)
{
    return node >= 0 && (unsigned int)node < topo.nnodes;
}

unsigned int kite_numa_node_count(void)
{
    return topo.nnodes;
}

int kite_numa_node_of_cpu(unsigned int cpu)
{
    /* Before the topology stage, the boot CPU is on node 0. */
    if (topo.ncpus == 0) {
        return cpu == 0 ? 0 : -1;
    }
    return cpu < topo.ncpus ? topo.cpu_node[cpu] : -1;
}

int kite_numa_node_of_addr(kite_paddr_t addr)
{
    for (unsigned int n = 0; n < topo.nnodes; n++) {
        for (unsigned int i = 0; i < topo.node[n].nranges; i++) {
            const struct kite_mem_range *r = &topo.node[n].ranges[i];

            if (addr >= r->base && addr - r->base < r->length) {
                return (int)n;
            }
        }
    }
    return -1;
}

unsigned int kite_numa_distance(int a, int b)
{
    return node_ok(a) && node_ok(b) ? topo.distance[a][b] : 0;
}

unsigned int kite_numa_node_ranges(int node, struct kite_mem_range *out, unsigned int max)
{
    if (!node_ok(node)) {
        return 0;
    }
    for (unsigned int i = 0; i < topo.node[node].nranges && i < max; i++) {
        out[i] = topo.node[node].ranges[i];
    }
    return topo.node[node].nranges;
}

unsigned int kite_numa_node_cpus(int node, unsigned int *out, unsigned int max)
{
    unsigned int n = 0;

    for (unsigned int cpu = 0; node_ok(node) && cpu < topo.ncpus; cpu++) {
        if (topo.cpu_node[cpu] == node) {
            if (n < max) {
                out[n] = cpu;
            }
            n++;
        }
    }
    return n;
}

int kite_numa_node_fallback(int node, unsigned int i)
{
    return node_ok(node) && i < topo.nnodes ? topo.fallback[node][i] : -1;
}

int kite_numa_fallback(unsigned int cpu, unsigned int i)
{
    return kite_numa_node_fallback(kite_numa_node_of_cpu(cpu), i);
}

uint32_t kite_numa_cpu_apic_id(unsigned int cpu)
{
    return cpu < topo.ncpus ? topo.cpu_apic_id[cpu] : ~0u;
}

uint32_t kite_numa_node_domain(int node)
{
    return node_ok(node) ? topo.node[node].domain : 0;
}

void kite_numa_init(void);
void kite_numa_init(void)
{
    uint32_t a, b, c, d;
    char line[160];

    arch_cpuid(1, 0, &a, &b, &c, &d);
    kite_topology_build(kite_acpi.has_madt || kite_acpi.has_srat ? &kite_acpi : NULL,
                        kite_boot.mmap, kite_boot.mmap_count, b >> 24, warn, NULL, &topo);

    kite_pr_info("%u node%s, %u CPU%s (%s)\n", topo.nnodes, topo.nnodes == 1 ? "" : "s", topo.ncpus,
                 topo.ncpus == 1 ? "" : "s",
                 topo.from_srat ? (topo.from_slit ? "SRAT and SLIT" : "SRAT, default distances")
                                : "no SRAT: one node");
    for (unsigned int n = 0; n < topo.nnodes; n++) {
        size_t len = 0;

        for (unsigned int cpu = 0; cpu < topo.ncpus && len + 8 < sizeof(line); cpu++) {
            if (topo.cpu_node[cpu] == n) {
                len += (size_t)kite_snprintf(line + len, sizeof(line) - len, "%s%u", len ? "," : "",
                                             cpu);
            }
        }
        kite_pr_info("  node %u (domain %u): %llu MiB in %u range%s, CPUs %s\n", n,
                     topo.node[n].domain, (unsigned long long)(topo.node[n].mem >> 20),
                     topo.node[n].nranges, topo.node[n].nranges == 1 ? "" : "s",
                     len ? line : "none");
    }
    if (topo.nnodes > 1) {
        for (unsigned int n = 0; n < topo.nnodes; n++) {
            size_t len = 0;

            for (unsigned int m = 0; m < topo.nnodes && len + 5 < sizeof(line); m++) {
                len += (size_t)kite_snprintf(line + len, sizeof(line) - len, " %3u",
                                             topo.distance[n][m]);
            }
            kite_pr_info("  distances from node %u:%s\n", n, line);
        }
    }
}
