/* SPDX-License-Identifier: MIT */
/*
 * NUMA topology from ACPI facts and the memory map: see topology.h.
 */
#include <kite/printk.h>

#include "topology.h"

#define LOCAL  10
#define REMOTE 20

#define WARN(fmt, ...)                                             \
    do {                                                           \
        if (warn) {                                                \
            char msg_[192];                                        \
            kite_snprintf(msg_, sizeof(msg_), fmt, ##__VA_ARGS__); \
            warn(ctx, msg_);                                       \
        }                                                          \
    } while (0)

/* Node index of @domain, adding it when new (domains kept sorted); -1 when full. */
static int node_of_domain(struct kite_topology *t, uint32_t domain, bool add)
{
    unsigned int i = 0;

    while (i < t->nnodes && t->node[i].domain < domain) {
        i++;
    }
    if (i < t->nnodes && t->node[i].domain == domain) {
        return (int)i;
    }
    if (!add || t->nnodes == KITE_MAX_NODES) {
        return -1;
    }
    for (unsigned int j = t->nnodes; j > i; j--) {
        t->node[j] = t->node[j - 1];
    }
    t->node[i] = (struct kite_topo_node){.domain = domain};
    t->nnodes++;
    return (int)i;
}

static void add_range(struct kite_topology *t, unsigned int n, uint64_t base, uint64_t end,
                      kite_topo_warn_fn warn, void *ctx)
{
    struct kite_topo_node *node = &t->node[n];

    if (end <= base) {
        return;
    }
    if (node->nranges == KITE_TOPO_MAX_RANGES) {
        WARN("node %u: more than %d memory ranges; leaving out %#llx-%#llx", n,
             KITE_TOPO_MAX_RANGES, (unsigned long long)base, (unsigned long long)end - 1);
        return;
    }
    node->ranges[node->nranges++] =
        (struct kite_mem_range){.base = base, .length = end - base, .type = KITE_MEM_AVAILABLE};
    node->mem += end - base;
}

/* RAM of [base, end) not covered by any SRAT range goes to node 0. */
static void assign_ram(struct kite_topology *t, const struct kite_acpi_info *acpi, uint64_t base,
                       uint64_t end, kite_topo_warn_fn warn, void *ctx)
{
    while (base < end) {
        uint64_t next_start = end; /* the nearest SRAT range starting after base */
        bool covered = false;

        for (unsigned int i = 0; t->from_srat && i < acpi->nmem_affinity && !covered; i++) {
            const struct kite_acpi_mem_affinity *m = &acpi->mem_affinity[i];
            uint64_t m_end = m->base + m->length;

            if (m->base <= base && base < m_end) {
                uint64_t stop = KITE_MIN(end, m_end);

                int n = node_of_domain(t, m->domain, false);

                add_range(t, n < 0 ? 0 : (unsigned int)n, base, stop, warn, ctx);
                base = stop;
                covered = true;
            } else if (m->base > base && m->base < next_start) {
                next_start = m->base;
            }
        }
        if (!covered) {
            if (t->from_srat) {
                WARN("RAM %#llx-%#llx is in no SRAT range; giving it to node 0",
                     (unsigned long long)base, (unsigned long long)next_start - 1);
            }
            add_range(t, 0, base, next_start, warn, ctx);
            base = next_start;
        }
    }
}

static void check_srat_ranges(const struct kite_acpi_info *acpi, const struct kite_mem_range *mmap,
                              unsigned int nmmap, kite_topo_warn_fn warn, void *ctx)
{
    uint64_t map_end = 0;

    /* Firmware often keeps the top of a node's RAM reserved: that is no disagreement. */
    for (unsigned int i = 0; i < nmmap; i++) {
        map_end = KITE_MAX(map_end, mmap[i].base + mmap[i].length);
    }
    for (unsigned int i = 0; i < acpi->nmem_affinity; i++) {
        const struct kite_acpi_mem_affinity *m = &acpi->mem_affinity[i];
        bool any = false;

        for (unsigned int j = 0; j < nmmap && !any; j++) {
            any = mmap[j].type == KITE_MEM_AVAILABLE && mmap[j].base < m->base + m->length &&
                  m->base < mmap[j].base + mmap[j].length;
        }
        if (!any && !m->hotplug) {
            WARN("SRAT range %#llx-%#llx (domain %u) holds no RAM of the memory map; ignoring it",
                 (unsigned long long)m->base, (unsigned long long)(m->base + m->length - 1),
                 m->domain);
        } else if (m->base + m->length > map_end && !m->hotplug) {
            WARN("SRAT range %#llx-%#llx (domain %u) reaches past the end of the memory map "
                 "(%#llx); clipping it",
                 (unsigned long long)m->base, (unsigned long long)(m->base + m->length - 1),
                 m->domain, (unsigned long long)map_end);
        }
    }
}

static void add_cpus(struct kite_topology *t, const struct kite_acpi_info *acpi,
                     uint32_t boot_apic_id, kite_topo_warn_fn warn, void *ctx)
{
    t->cpu_apic_id[0] = boot_apic_id;
    t->ncpus = 1;
    for (unsigned int i = 0; acpi && i < acpi->ncpus; i++) {
        const struct kite_acpi_cpu *c = &acpi->cpus[i];

        if (!c->enabled || c->apic_id == boot_apic_id) {
            continue;
        }
        if (t->ncpus == KITE_TOPO_MAX_CPUS) {
            WARN("more than %d CPUs; using the first ones", KITE_TOPO_MAX_CPUS);
            break;
        }
        t->cpu_apic_id[t->ncpus++] = c->apic_id;
    }
    for (unsigned int i = 0; i < t->ncpus; i++) {
        int node = 0;

        if (t->from_srat) {
            int found = -1;

            for (unsigned int j = 0; j < acpi->ncpu_affinity && found < 0; j++) {
                if (acpi->cpu_affinity[j].apic_id == t->cpu_apic_id[i]) {
                    found = node_of_domain(t, acpi->cpu_affinity[j].domain, false);
                }
            }
            if (found < 0) {
                WARN("CPU %u (APIC ID %u) is in no SRAT entry; placing it on node 0", i,
                     t->cpu_apic_id[i]);
                found = 0;
            }
            node = found;
        }
        t->cpu_node[i] = (uint8_t)node;
        t->node[node].ncpus++;
    }
}

static void set_distances(struct kite_topology *t, const struct kite_acpi_info *acpi,
                          kite_topo_warn_fn warn, void *ctx)
{
    bool ok = acpi && acpi->has_slit && t->from_srat;

    /* First: a row for every domain; then: every distance sane. */
    for (unsigned int i = 0; ok && i < t->nnodes; i++) {
        uint32_t di = t->node[i].domain;

        if (di >= acpi->slit_localities || di >= KITE_ACPI_MAX_DOMAINS) {
            WARN("SLIT has no row for proximity domain %u; using 10 local, 20 remote", di);
            ok = false;
        }
    }
    for (unsigned int i = 0; ok && i < t->nnodes; i++) {
        for (unsigned int j = 0; ok && j < t->nnodes; j++) {
            uint8_t d = acpi->slit[t->node[i].domain][t->node[j].domain];

            if ((i == j && d != LOCAL) || (i != j && d <= LOCAL)) {
                WARN("SLIT distance %u from domain %u to %u is not valid; using 10 local, 20 "
                     "remote",
                     d, t->node[i].domain, t->node[j].domain);
                ok = false;
            }
            t->distance[i][j] = d;
        }
    }
    t->from_slit = ok;
    for (unsigned int i = 0; !ok && i < t->nnodes; i++) {
        for (unsigned int j = 0; j < t->nnodes; j++) {
            t->distance[i][j] = i == j ? LOCAL : REMOTE;
        }
    }
}

static void set_fallback(struct kite_topology *t)
{
    for (unsigned int i = 0; i < t->nnodes; i++) {
        uint8_t *order = t->fallback[i];

        /* Insertion sort by (distance, node number): the own node (10) comes first. */
        for (unsigned int j = 0; j < t->nnodes; j++) {
            unsigned int k = j;

            while (k > 0 && t->distance[i][order[k - 1]] > t->distance[i][j]) {
                order[k] = order[k - 1];
                k--;
            }
            order[k] = (uint8_t)j;
        }
    }
}

void kite_topology_build(const struct kite_acpi_info *acpi, const struct kite_mem_range *mmap,
                         unsigned int nmmap, uint32_t boot_apic_id, kite_topo_warn_fn warn,
                         void *ctx, struct kite_topology *out)
{
    struct kite_topology *t = out;

    __builtin_memset(t, 0, sizeof(*t));
    t->from_srat = acpi && acpi->has_srat && acpi->nmem_affinity > 0;
    if (t->from_srat) {
        for (unsigned int i = 0; i < acpi->nmem_affinity; i++) {
            if (node_of_domain(t, acpi->mem_affinity[i].domain, true) < 0) {
                WARN("more than %d proximity domains; domain %u is folded into node 0",
                     KITE_MAX_NODES, acpi->mem_affinity[i].domain);
            }
        }
        for (unsigned int i = 0; i < acpi->ncpu_affinity; i++) {
            (void)node_of_domain(t, acpi->cpu_affinity[i].domain, true);
        }
        check_srat_ranges(acpi, mmap, nmmap, warn, ctx);
    } else {
        t->nnodes = 1;
    }
    for (unsigned int i = 0; i < nmmap; i++) {
        if (mmap[i].type == KITE_MEM_AVAILABLE) {
            assign_ram(t, acpi, mmap[i].base, mmap[i].base + mmap[i].length, warn, ctx);
        }
    }
    add_cpus(t, acpi, boot_apic_id, warn, ctx);
    set_distances(t, acpi, warn, ctx);
    set_fallback(t);
}
