/* SPDX-License-Identifier: MIT */
/*
 * In-kernel tests for the ACPI parser (suite "acpi"). The host unit tests
 * cover the cases in depth; these check that the parser built with the
 * kernel's flags and linked with the kernel's own string and formatting code
 * gives the same answers. The tables live in a static buffer that a read
 * callback serves as fake physical memory at QEMU's usual table address, so
 * the tests never touch the firmware's real tables.
 */
#include "../acpi.h"
#include "acpi_builder.h"

#include <kite/errno.h>
#include <kite/string.h>
#include <kite/test.h>

#define FAKE_BASE 0x7ffe0000ull

/* Static, not on the stack: struct kite_acpi_info is about 12 KiB. */
static uint8_t fake_bytes[2048];
static struct ab_mem fake = {fake_bytes, FAKE_BASE, sizeof(fake_bytes), false};
static uint8_t scratch[4096];
static struct kite_acpi_info acpi_out;
static struct ab_good layout;
static uint8_t rsdp[36];
static size_t rsdp_len;
static char last_warning[200];
static unsigned int warnings;

static bool fake_read(void *ctx, uint64_t phys, void *buf, size_t len)
{
    struct ab_mem *m = ctx;

    if (phys < m->base || phys - m->base > m->size || len > m->size - (phys - m->base)) {
        return false;
    }
    memcpy(buf, m->bytes + (phys - m->base), len);
    return true;
}

static void record_warning(void *ctx, const char *msg)
{
    (void)ctx;
    warnings++;
    strlcpy(last_warning, msg, sizeof(last_warning));
}

static void build(void)
{
    memset(fake_bytes, 0, sizeof(fake_bytes));
    fake.overflow = false;
    rsdp_len = ab_good_set(&fake, FAKE_BASE, &layout, rsdp);
}

static int parse(void)
{
    warnings = 0;
    last_warning[0] = '\0';
    return kite_acpi_parse(rsdp, rsdp_len, fake_read, &fake, record_warning, NULL, scratch,
                           sizeof(scratch), &acpi_out);
}

KITE_TEST(acpi, good_set)
{
    build();
    KITE_ASSERT(!fake.overflow);
    KITE_EXPECT_EQ(parse(), 0);
    KITE_EXPECT_EQ(warnings, 0);
    KITE_EXPECT_STREQ(last_warning, "");
    KITE_EXPECT_EQ(acpi_out.rsdp_revision, 2);
    KITE_EXPECT_STREQ(acpi_out.oem_id, "KITEFW");
    KITE_EXPECT_EQ(acpi_out.tables_seen, AB_GOOD_TABLES);
    KITE_EXPECT_EQ(acpi_out.tables_bad, 0);

    KITE_EXPECT(acpi_out.has_madt);
    KITE_EXPECT_EQ(acpi_out.lapic_addr, 0xfee00000);
    KITE_EXPECT(acpi_out.pcat_compat);
    KITE_EXPECT_EQ(acpi_out.ncpus, 4);
    KITE_EXPECT(acpi_out.cpus[1].enabled);
    KITE_EXPECT(!acpi_out.cpus[2].enabled);
    KITE_EXPECT_EQ(acpi_out.cpus[3].apic_id, 0x100);
    KITE_EXPECT(acpi_out.cpus[3].x2apic);
    KITE_EXPECT_EQ(acpi_out.nioapics, 1);
    KITE_EXPECT_EQ(acpi_out.ioapics[0].addr, 0xfec00000);
    KITE_EXPECT_EQ(acpi_out.noverrides, 2);
    KITE_EXPECT_EQ(acpi_out.overrides[0].gsi, 2);
    KITE_EXPECT_EQ(acpi_out.overrides[1].flags, 0xd);
    KITE_EXPECT_EQ(acpi_out.nnmis, 2);
    KITE_EXPECT_EQ(acpi_out.nmis[0].uid, 0xffffffff);

    KITE_EXPECT(acpi_out.has_srat);
    KITE_EXPECT_EQ(acpi_out.ncpu_affinity, 3);
    KITE_EXPECT_EQ(acpi_out.cpu_affinity[2].domain, 1);
    KITE_EXPECT_EQ(acpi_out.nmem_affinity, 4);
    KITE_EXPECT_EQ(acpi_out.mem_affinity[2].base, 0x100000000ull);
    KITE_EXPECT(acpi_out.mem_affinity[3].hotplug);

    KITE_EXPECT(acpi_out.has_slit);
    KITE_EXPECT_EQ(acpi_out.slit_localities, 2);
    KITE_EXPECT_EQ(acpi_out.slit[0][1], 20);
    KITE_EXPECT_EQ(acpi_out.slit[1][1], 10);

    KITE_EXPECT(acpi_out.has_hpet);
    KITE_EXPECT_EQ(acpi_out.hpet_addr, 0xfed00000);
    KITE_EXPECT_EQ(acpi_out.hpet_min_tick, 0x80);

    KITE_EXPECT(acpi_out.has_mcfg);
    KITE_EXPECT_EQ(acpi_out.nmcfg, 1);
    KITE_EXPECT_EQ(acpi_out.mcfg[0].base, 0xb0000000);
    KITE_EXPECT_EQ(acpi_out.mcfg[0].bus_end, 0xff);
}

KITE_TEST(acpi, bad_checksum_refused)
{
    uint8_t *madt;

    build();
    madt = ab_at(&fake, layout.madt, 64);
    KITE_ASSERT(madt != NULL);
    madt[50] ^= 0x5a;
    KITE_EXPECT_EQ(parse(), 0);
    KITE_EXPECT_EQ(warnings, 1);
    KITE_EXPECT(strstr(last_warning, "ACPI: MADT at 0x7ffe") != NULL);
    KITE_EXPECT(strstr(last_warning, "checksum is wrong (sum 0x5a); ignoring the table") != NULL);
    KITE_EXPECT(!acpi_out.has_madt);
    KITE_EXPECT_EQ(acpi_out.ncpus, 0);
    KITE_EXPECT_EQ(acpi_out.tables_bad, 1);
    /* The other tables are still taken. */
    KITE_EXPECT(acpi_out.has_srat);
    KITE_EXPECT(acpi_out.has_hpet);

    /* A bad RSDP refuses everything. */
    build();
    rsdp[8] ^= 1;
    KITE_EXPECT_EQ(parse(), -KITE_EINVAL);
    KITE_EXPECT(strstr(last_warning, "the RSDP is unusable") != NULL);
    KITE_EXPECT(!acpi_out.has_srat);
    KITE_EXPECT_EQ(acpi_out.tables_seen, 0);
}
