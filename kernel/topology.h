/* SPDX-License-Identifier: MIT */
/*
 * Building the NUMA topology from what the firmware said (the ACPI facts)
 * and what the loader said (the memory map). Pure logic, host-tested; the
 * kernel keeps the result in kernel/numa.c behind <kite/numa.h>.
 *
 * Nodes are the ACPI proximity domains in ascending order. A node's memory
 * is the available RAM of the memory map that its SRAT ranges cover; RAM no
 * SRAT range covers goes to node 0, and an SRAT range with no RAM under it,
 * or reaching past the end of the memory map, is clipped with a warning. CPUs are the
 * enabled MADT entries, the boot CPU first. Distances come from the SLIT
 * when it is complete and sane, else 10 local / 20 remote.
 */
#pragma once

#include <kite/bootinfo.h>
#include <kite/numa.h>

#include "acpi.h"

#define KITE_TOPO_MAX_CPUS   KITE_ACPI_MAX_CPUS
#define KITE_TOPO_MAX_RANGES 16 /* memory ranges per node */

struct kite_topo_node {
    uint32_t domain;
    struct kite_mem_range ranges[KITE_TOPO_MAX_RANGES];
    unsigned int nranges;
    uint64_t mem; /* bytes of RAM */
    unsigned int ncpus;
};

struct kite_topology {
    unsigned int nnodes;
    struct kite_topo_node node[KITE_MAX_NODES];
    unsigned int ncpus;
    uint32_t cpu_apic_id[KITE_TOPO_MAX_CPUS];
    uint8_t cpu_node[KITE_TOPO_MAX_CPUS];
    uint8_t distance[KITE_MAX_NODES][KITE_MAX_NODES];
    uint8_t fallback[KITE_MAX_NODES][KITE_MAX_NODES]; /* per node: nodes nearest first */
    bool from_srat, from_slit;
};

typedef void (*kite_topo_warn_fn)(void *ctx, const char *msg);

/*
 * Fill @out from @acpi (may be NULL: no ACPI) and the memory map @mmap of
 * @nmmap ranges; @boot_apic_id is the boot CPU's APIC ID (CPU 0).
 */
void kite_topology_build(const struct kite_acpi_info *acpi, const struct kite_mem_range *mmap,
                         unsigned int nmmap, uint32_t boot_apic_id, kite_topo_warn_fn warn,
                         void *ctx, struct kite_topology *out);
