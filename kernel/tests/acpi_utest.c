/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests for kernel/acpi.c. Fake physical memory is three byte
 * arrays: the first MiB (BDA, EBDA, BIOS area), a window at 0x7ffe0000 where
 * QEMU puts its tables, and a page above 4 GiB; every other address is
 * unreadable. acpi_builder.h lays out a QEMU-like good set there, and each
 * test breaks one thing in it and checks what the parser keeps, what it
 * refuses and what it says. The scratch buffer and RSDP are exactly-sized
 * heap copies, so AddressSanitizer catches any access past what the parser
 * was given; sweeps over every byte and length of the good tables check that
 * no single change makes it misbehave.
 */
#include "../acpi.h"
#include "acpi_builder.h"

#include <kite/errno.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define HIGH_BASE 0x7ffe0000ull
#define HIGH_SIZE 0x50000u
#define TOP_BASE  0x123450000ull
#define TOP_SIZE  0x1000u
#define FREE      (HIGH_BASE + 0x1000) /* room for a test's own tables */
#define BIG       (HIGH_BASE + 0x10000)

/* XSDT/RSDT entry numbers of the good set. */
enum { E_FACP, E_MADT, E_SRAT, E_SLIT, E_HPET, E_MCFG };

static uint8_t low_bytes[0x100000], high_bytes[HIGH_SIZE], top_bytes[TOP_SIZE];
static struct ab_mem low = {low_bytes, 0, sizeof(low_bytes), false};
static struct ab_mem high = {high_bytes, HIGH_BASE, sizeof(high_bytes), false};
static struct ab_mem top = {top_bytes, TOP_BASE, sizeof(top_bytes), false};

static struct ab_good good;
static uint8_t good_rsdp[36];
static size_t good_rsdp_len;

static struct kite_acpi_info info;
static const struct kite_acpi_info zero_info;
static char warnings[16384];
static size_t warn_len;
static unsigned int nwarn;

static bool mem_read(void *ctx, uint64_t phys, void *buf, size_t len)
{
    struct ab_mem *regions[] = {&low, &high, &top};

    assert_ptr_equal(ctx, &good);
    for (size_t i = 0; i < KITE_ARRAY_SIZE(regions); i++) {
        struct ab_mem *m = regions[i];

        if (phys >= m->base && phys - m->base <= m->size && len <= m->size - (phys - m->base)) {
            memcpy(buf, m->bytes + (phys - m->base), len);
            return true;
        }
    }
    return false;
}

static void collect(void *ctx, const char *msg)
{
    size_t n = strlen(msg);

    assert_ptr_equal(ctx, &info);
    /* Every message is one line that says it is about ACPI. */
    assert_int_equal(strncmp(msg, "ACPI: ", 6), 0);
    assert_null(strchr(msg, '\n'));
    if (getenv("ACPI_UTEST_VERBOSE")) {
        printf("    warn: %s\n", msg);
    }
    nwarn++;
    if (warn_len + n + 2 < sizeof(warnings)) {
        memcpy(warnings + warn_len, msg, n);
        warn_len += n;
        warnings[warn_len++] = '\n';
        warnings[warn_len] = '\0';
    }
}

static bool warned(const char *what)
{
    return strstr(warnings, what) != NULL;
}

static void reset_mem(void)
{
    memset(low_bytes, 0, sizeof(low_bytes));
    memset(high_bytes, 0, sizeof(high_bytes));
    memset(top_bytes, 0, sizeof(top_bytes));
    low.overflow = high.overflow = top.overflow = false;
}

static void build_good(void)
{
    reset_mem();
    good_rsdp_len = ab_good_set(&high, HIGH_BASE, &good, good_rsdp);
    assert_false(high.overflow);
    assert_true(good.end <= FREE);
}

/* Parse with exactly-sized heap copies of the RSDP and the scratch buffer. */
static int parse_rsdp(const uint8_t *rsdp, size_t len, size_t scratch_len)
{
    uint8_t *r = malloc(len ? len : 1);
    void *scratch = malloc(scratch_len);
    int ret;

    assert_non_null(r);
    assert_non_null(scratch);
    memcpy(r, rsdp, len);
    memset(&info, 0xa5, sizeof(info));
    warnings[0] = '\0';
    warn_len = 0;
    nwarn = 0;
    ret = kite_acpi_parse(r, len, mem_read, &good, collect, &info, scratch, scratch_len, &info);
    free(scratch);
    free(r);
    return ret;
}

static int parse_good(void)
{
    return parse_rsdp(good_rsdp, good_rsdp_len, 4096);
}

/* Point entry @i of the good XSDT (and RSDT) at @phys. */
static void set_entry(unsigned int i, uint64_t phys)
{
    ab_w64(&high, good.xsdt + 36 + 8ull * i, phys);
    ab_reseal(&high, good.xsdt);
    ab_w32(&high, good.rsdt + 36 + 4ull * i, (uint32_t)phys);
    ab_reseal(&high, good.rsdt);
}

static uint8_t *at(uint64_t phys)
{
    uint8_t *p = ab_at(&high, phys, 1);

    assert_non_null(p);
    return p;
}

/* The good set's MADT, SRAT, SLIT, HPET and MCFG, as ab_good_set() documents them. */
static void expect_good_madt(void)
{
    assert_true(info.has_madt);
    assert_int_equal(info.lapic_addr, 0xfee00000);
    assert_true(info.pcat_compat);
    assert_int_equal(info.ncpus, 4);
    assert_int_equal(info.cpus[0].apic_id, 0);
    assert_int_equal(info.cpus[0].uid, 0);
    assert_true(info.cpus[0].enabled);
    assert_false(info.cpus[0].x2apic);
    assert_int_equal(info.cpus[1].apic_id, 1);
    assert_int_equal(info.cpus[1].uid, 1);
    assert_true(info.cpus[1].enabled);
    assert_int_equal(info.cpus[2].apic_id, 2);
    assert_false(info.cpus[2].enabled);
    assert_int_equal(info.cpus[3].apic_id, 0x100);
    assert_int_equal(info.cpus[3].uid, 4);
    assert_true(info.cpus[3].enabled);
    assert_true(info.cpus[3].x2apic);

    assert_int_equal(info.nioapics, 1);
    assert_int_equal(info.ioapics[0].id, 0);
    assert_int_equal(info.ioapics[0].addr, 0xfec00000);
    assert_int_equal(info.ioapics[0].gsi_base, 0);

    assert_int_equal(info.noverrides, 2);
    assert_int_equal(info.overrides[0].source, 0);
    assert_int_equal(info.overrides[0].gsi, 2);
    assert_int_equal(info.overrides[0].flags, 0);
    assert_int_equal(info.overrides[1].bus, 0);
    assert_int_equal(info.overrides[1].source, 9);
    assert_int_equal(info.overrides[1].gsi, 9);
    assert_int_equal(info.overrides[1].flags, 0xd);

    assert_int_equal(info.nnmis, 2);
    assert_int_equal(info.nmis[0].uid, 0xffffffff);
    assert_int_equal(info.nmis[0].lint, 1);
    assert_int_equal(info.nmis[0].flags, 5);
    assert_int_equal(info.nmis[1].uid, 4);
    assert_int_equal(info.nmis[1].lint, 1);
    assert_int_equal(info.nmis[1].flags, 0);
}

static void expect_good_others(void)
{
    assert_true(info.has_srat);
    assert_int_equal(info.ncpu_affinity, 3);
    assert_int_equal(info.cpu_affinity[0].apic_id, 0);
    assert_int_equal(info.cpu_affinity[0].domain, 0);
    assert_int_equal(info.cpu_affinity[1].apic_id, 1);
    assert_int_equal(info.cpu_affinity[1].domain, 1);
    assert_int_equal(info.cpu_affinity[2].apic_id, 0x100);
    assert_int_equal(info.cpu_affinity[2].domain, 1);
    assert_int_equal(info.nmem_affinity, 4);
    assert_int_equal(info.mem_affinity[0].base, 0);
    assert_int_equal(info.mem_affinity[0].length, 0xa0000);
    assert_int_equal(info.mem_affinity[1].base, 0x100000);
    assert_int_equal(info.mem_affinity[1].length, 0x7ff00000);
    assert_int_equal(info.mem_affinity[1].domain, 0);
    assert_false(info.mem_affinity[1].hotplug);
    assert_int_equal(info.mem_affinity[2].base, 0x100000000ull);
    assert_int_equal(info.mem_affinity[2].length, 0x40000000);
    assert_int_equal(info.mem_affinity[2].domain, 1);
    assert_true(info.mem_affinity[2].nonvolatile);
    assert_false(info.mem_affinity[2].hotplug);
    assert_int_equal(info.mem_affinity[3].base, 0x200000000ull);
    assert_int_equal(info.mem_affinity[3].length, 0x100000000ull);
    assert_true(info.mem_affinity[3].hotplug);
    assert_false(info.mem_affinity[3].nonvolatile);

    assert_true(info.has_slit);
    assert_int_equal(info.slit_localities, 2);
    assert_int_equal(info.slit[0][0], 10);
    assert_int_equal(info.slit[0][1], 20);
    assert_int_equal(info.slit[1][0], 20);
    assert_int_equal(info.slit[1][1], 10);
    assert_int_equal(info.slit[0][2], 0);

    assert_true(info.has_hpet);
    assert_int_equal(info.hpet_addr, 0xfed00000);
    assert_int_equal(info.hpet_number, 0);
    assert_int_equal(info.hpet_min_tick, 0x80);

    assert_true(info.has_mcfg);
    assert_int_equal(info.nmcfg, 1);
    assert_int_equal(info.mcfg[0].base, 0xb0000000);
    assert_int_equal(info.mcfg[0].segment, 0);
    assert_int_equal(info.mcfg[0].bus_start, 0);
    assert_int_equal(info.mcfg[0].bus_end, 0xff);
}

static void expect_cleared(void)
{
    assert_memory_equal(&info, &zero_info, sizeof(info));
}

/* ---------------------------------------------------------------- good sets */

static void test_good_set(void **state)
{
    (void)state;
    build_good();
    assert_int_equal(parse_good(), 0);
    assert_int_equal(nwarn, 0);
    assert_int_equal(info.rsdp_revision, 2);
    assert_string_equal(info.oem_id, "KITEFW");
    assert_int_equal(info.tables_seen, AB_GOOD_TABLES);
    assert_int_equal(info.tables_bad, 0);
    expect_good_madt();
    expect_good_others();

    /* The largest scratch changes nothing. */
    assert_int_equal(parse_rsdp(good_rsdp, good_rsdp_len, KITE_ACPI_TABLE_MAX), 0);
    assert_int_equal(nwarn, 0);
    expect_good_madt();
}

static void test_rsdt_revision0(void **state)
{
    uint8_t rsdp[36];
    size_t len;

    (void)state;
    build_good();
    /* Spoil the XSDT: a revision 0 RSDP must not look at it. */
    *at(good.xsdt + 40) ^= 0xff;
    len = ab_rsdp(rsdp, 0, (uint32_t)good.rsdt, 0);
    assert_int_equal(len, 20);
    assert_int_equal(parse_rsdp(rsdp, len, 4096), 0);
    assert_int_equal(nwarn, 0);
    assert_int_equal(info.rsdp_revision, 0);
    assert_int_equal(info.tables_seen, AB_GOOD_TABLES);
    expect_good_madt();
    expect_good_others();

    /* Revision 2 with no XSDT uses the RSDT too. */
    len = ab_rsdp(rsdp, 2, (uint32_t)good.rsdt, 0);
    assert_int_equal(parse_rsdp(rsdp, len, 4096), 0);
    assert_int_equal(nwarn, 0);
    assert_int_equal(info.rsdp_revision, 2);
    expect_good_madt();

    /* An XSDT alone (no RSDT) is enough. */
    build_good();
    len = ab_rsdp(rsdp, 2, 0, good.xsdt);
    assert_int_equal(parse_rsdp(rsdp, len, 4096), 0);
    assert_int_equal(nwarn, 0);
    expect_good_others();
}

static void test_table_above_4g(void **state)
{
    struct ab_table t;

    (void)state;
    build_good();
    t = ab_mcfg(&top, TOP_BASE + 0x100);
    ab_mcfg_entry(&t, 0xe0000000, 1, 0, 0x3f);
    ab_mcfg_entry(&t, 0x3000000000ull, 2, 0x40, 0x7f);
    ab_end(&t);
    assert_false(top.overflow);
    ab_w64(&high, good.xsdt + 36 + 8ull * E_MCFG, TOP_BASE + 0x100);
    ab_reseal(&high, good.xsdt);
    assert_int_equal(parse_good(), 0);
    assert_int_equal(nwarn, 0);
    assert_int_equal(info.nmcfg, 2);
    assert_int_equal(info.mcfg[0].segment, 1);
    assert_int_equal(info.mcfg[0].bus_end, 0x3f);
    assert_int_equal(info.mcfg[1].base, 0x3000000000ull);
    assert_int_equal(info.mcfg[1].bus_start, 0x40);
}

static void test_oem_id(void **state)
{
    uint8_t rsdp[36];

    (void)state;
    build_good();
    ab_rsdp(rsdp, 2, (uint32_t)good.rsdt, good.xsdt);
    /* A control byte, then NUL padding. */
    ab_chars(rsdp + 9, "AB\001C\0\0", 6);
    ab_fix_sum(rsdp, 20, 8);
    ab_fix_sum(rsdp, 36, 32);
    assert_int_equal(parse_rsdp(rsdp, 36, 4096), 0);
    assert_string_equal(info.oem_id, "AB?C");
}

/* ---------------------------------------------------------------- RSDP */

static void expect_rsdp_error(const uint8_t *rsdp, size_t len, const char *want)
{
    char err[128];

    memset(err, 'X', sizeof(err));
    assert_int_equal(kite_acpi_check_rsdp(rsdp, len, err, sizeof(err)), -KITE_EINVAL);
    if (!strstr(err, want)) {
        fail_msg("error \"%s\" does not say \"%s\"", err, want);
    }
    /* parse refuses the same RSDP, says why, and leaves nothing behind. */
    if (rsdp) {
        assert_int_equal(parse_rsdp(rsdp, len, 4096), -KITE_EINVAL);
        assert_int_equal(nwarn, 1);
        assert_true(warned("ACPI: the RSDP is unusable: "));
        assert_true(warned(want));
        expect_cleared();
    }
}

static void test_check_rsdp(void **state)
{
    static uint8_t scratch[4096];
    uint8_t r[40];
    char err[64];
    uint32_t len;

    (void)state;
    build_good();
    memset(r, 0, sizeof(r));
    ab_rsdp(r, 2, (uint32_t)good.rsdt, good.xsdt);
    memset(err, 'X', sizeof(err));
    assert_int_equal(kite_acpi_check_rsdp(r, 36, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    assert_int_equal(kite_acpi_check_rsdp(r, 40, NULL, 0), 0);
    ab_rsdp(r, 0, 0x1000, 0);
    assert_int_equal(kite_acpi_check_rsdp(r, 20, NULL, 0), 0);

    expect_rsdp_error(NULL, 36, "NULL");
    assert_int_equal(
        kite_acpi_parse(NULL, 36, mem_read, &good, collect, &info, scratch, sizeof(scratch), &info),
        -KITE_EINVAL);
    expect_rsdp_error(r, 19, "only 19 bytes, less than the 20-byte");
    r[0] = 'r';
    expect_rsdp_error(r, 20, "signature");

    ab_rsdp(r, 0, 0x1000, 0);
    r[12] ^= 1;
    expect_rsdp_error(r, 20, "the checksum over the first 20 bytes is wrong (sum 0x");

    ab_rsdp(r, 2, (uint32_t)good.rsdt, good.xsdt);
    expect_rsdp_error(r, 35, "revision 2 needs 36 bytes, only 35 given");

    /* The v1 checksum is right but the extended one is not. */
    ab_rsdp(r, 2, (uint32_t)good.rsdt, good.xsdt);
    r[30] ^= 0x40;
    expect_rsdp_error(r, 36, "the extended checksum over 36 bytes is wrong (sum 0x40)");

    for (len = 0; len < 36; len += 35) {
        ab_rsdp(r, 2, (uint32_t)good.rsdt, good.xsdt);
        memcpy(r + 20, &len, 4);
        ab_fix_sum(r, 36, 32);
        expect_rsdp_error(r, 36, "less than the 36 bytes of an ACPI 2.0 RSDP");
    }
    ab_rsdp(r, 2, (uint32_t)good.rsdt, good.xsdt);
    len = 40;
    memcpy(r + 20, &len, 4);
    ab_fix_sum(r, 40, 32);
    expect_rsdp_error(r, 36, "the length field says 40, more than the 36 bytes given");
    /* A longer RSDP is fine when all of it is given. */
    assert_int_equal(kite_acpi_check_rsdp(r, 40, NULL, 0), 0);
    assert_int_equal(parse_rsdp(r, 40, 4096), 0);
    expect_good_madt();
}

/* ---------------------------------------------------------------- root tables */

static void test_xsdt_falls_back_to_rsdt(void **state)
{
    char want[128];

    (void)state;
    build_good();
    *at(good.xsdt + 40) ^= 1;
    assert_int_equal(parse_good(), 0);
    snprintf(want, sizeof(want),
             "ACPI: XSDT at 0x%llx: checksum is wrong (sum 0x01); using the RSDT instead",
             (unsigned long long)good.xsdt);
    assert_true(warned(want));
    assert_int_equal(nwarn, 1);
    assert_int_equal(info.tables_seen, AB_GOOD_TABLES);
    assert_int_equal(info.tables_bad, 0);
    expect_good_madt();
    expect_good_others();

    /* A wrong signature too. */
    build_good();
    memcpy(at(good.xsdt), "XS\x01T", 4);
    ab_reseal(&high, good.xsdt);
    assert_int_equal(parse_good(), 0);
    assert_true(warned("the signature is \"XS?T\"; using the RSDT instead"));
    expect_good_madt();
}

static void test_root_unusable(void **state)
{
    uint8_t rsdp[36];
    size_t len;

    (void)state;
    /* Both roots broken. */
    build_good();
    *at(good.xsdt + 40) ^= 1;
    *at(good.rsdt + 40) ^= 1;
    assert_int_equal(parse_good(), -KITE_EINVAL);
    assert_int_equal(nwarn, 2);
    assert_true(warned("RSDT at 0x"));
    assert_true(warned("checksum is wrong (sum 0x01); ignoring ACPI"));
    expect_cleared();

    /* An XSDT that cannot be read and no RSDT. */
    len = ab_rsdp(rsdp, 2, 0, 0xdead0000);
    assert_int_equal(parse_rsdp(rsdp, len, 4096), -KITE_EINVAL);
    assert_string_equal(warnings,
                        "ACPI: XSDT at 0xdead0000: its header cannot be read; ignoring ACPI\n");
    expect_cleared();

    /* An RSDT address of 0 on a revision 0 RSDP. */
    len = ab_rsdp(rsdp, 0, 0, 0);
    assert_int_equal(parse_rsdp(rsdp, len, 4096), -KITE_EINVAL);
    assert_int_equal(nwarn, 1);
    assert_true(warned("names no root table"));
    expect_cleared();

    /* The RSDT's header is a MADT's. */
    build_good();
    len = ab_rsdp(rsdp, 0, (uint32_t)good.madt, 0);
    assert_int_equal(parse_rsdp(rsdp, len, 4096), -KITE_EINVAL);
    assert_true(warned("RSDT at 0x"));
    assert_true(warned("the signature is \"APIC\"; ignoring ACPI"));
    expect_cleared();

    /* A root longer than the scratch buffer. */
    build_good();
    ab_w32(&high, good.rsdt + 4, 5000);
    ab_reseal(&high, good.rsdt);
    len = ab_rsdp(rsdp, 0, (uint32_t)good.rsdt, 0);
    assert_int_equal(parse_rsdp(rsdp, len, 4096), -KITE_EINVAL);
    assert_true(warned("length 5000 is more than the 4096-byte buffer"));
}

static void test_root_entries(void **state)
{
    uint64_t list[4];
    uint8_t rsdp[36];
    size_t len;

    (void)state;
    build_good();
    /* An empty XSDT is a valid answer: no tables. */
    ab_root(&high, FREE, "XSDT", list, 0);
    len = ab_rsdp(rsdp, 2, 0, FREE);
    assert_int_equal(parse_rsdp(rsdp, len, 4096), 0);
    assert_int_equal(nwarn, 0);
    assert_int_equal(info.tables_seen, 0);
    assert_false(info.has_madt);
    assert_int_equal(info.rsdp_revision, 2);

    /* A trailing partial entry is not an entry. */
    list[0] = good.madt;
    list[1] = good.hpet;
    ab_root(&high, FREE, "XSDT", list, 2);
    ab_w32(&high, FREE + 4, 36 + 16 + 5);
    ab_reseal(&high, FREE);
    assert_int_equal(parse_rsdp(rsdp, len, 4096), 0);
    assert_int_equal(nwarn, 0);
    assert_int_equal(info.tables_seen, 2);
    assert_true(info.has_madt);
    assert_true(info.has_hpet);

    /* A root at the very top of the address space: reading it would wrap. */
    len = ab_rsdp(rsdp, 2, 0, UINT64_MAX - 16);
    assert_int_equal(parse_rsdp(rsdp, len, 4096), -KITE_EINVAL);
    assert_true(warned("its header cannot be read"));
    expect_cleared();
}

/* ---------------------------------------------------------------- table checks */

static void test_table_bad_checksum(void **state)
{
    char want[128];

    (void)state;
    build_good();
    *at(good.madt + 50) ^= 0x5a;
    assert_int_equal(parse_good(), 0);
    snprintf(want, sizeof(want),
             "ACPI: MADT at 0x%llx: checksum is wrong (sum 0x5a); ignoring the table\n",
             (unsigned long long)good.madt);
    assert_string_equal(warnings, want);
    assert_int_equal(nwarn, 1);
    assert_int_equal(info.tables_seen, AB_GOOD_TABLES);
    assert_int_equal(info.tables_bad, 1);
    assert_false(info.has_madt);
    assert_int_equal(info.ncpus, 0);
    assert_int_equal(info.lapic_addr, 0);
    /* The rest of the set is unharmed. */
    expect_good_others();

    /* A table Kite does not use is not judged. */
    build_good();
    *at(good.facp + 20) ^= 0x5a;
    assert_int_equal(parse_good(), 0);
    assert_int_equal(nwarn, 0);
    assert_int_equal(info.tables_bad, 0);
}

static void test_table_lengths(void **state)
{
    char want[128];
    struct ab_table t;
    uint32_t rest;

    (void)state;
    build_good();
    ab_w32(&high, good.hpet + 4, 20);
    ab_reseal(&high, good.hpet);
    assert_int_equal(parse_good(), 0);
    snprintf(want, sizeof(want),
             "ACPI: HPET at 0x%llx: length 20 is less than the 36-byte table header; ignoring "
             "the table",
             (unsigned long long)good.hpet);
    assert_true(warned(want));
    assert_false(info.has_hpet);
    assert_int_equal(info.tables_bad, 1);

    /* Past KITE_ACPI_TABLE_MAX: refused before anything past the header is read. */
    build_good();
    ab_w32(&high, good.srat + 4, KITE_ACPI_TABLE_MAX + 1);
    assert_int_equal(parse_rsdp(good_rsdp, good_rsdp_len, KITE_ACPI_TABLE_MAX + 4096), 0);
    assert_true(warned("SRAT at 0x"));
    assert_true(warned("length 262145 is more than the 262144 bytes Kite accepts; ignoring "
                       "the table"));
    assert_false(info.has_srat);
    assert_int_equal(info.tables_bad, 1);
    assert_true(info.has_madt);

    /* A 5000-byte MADT is refused with 4 KiB of scratch and taken with 8 KiB. */
    build_good();
    t = ab_madt(&high, BIG, 0xfee00000, 0);
    ab_madt_lapic(&t, 0, 0, 1);
    while (t.len < 5000 - 250) {
        ab_add8(&t, 0x7f);
        ab_add8(&t, 250);
        ab_add(&t, (uint8_t[248]){0}, 248);
    }
    rest = 5000 - t.len;
    ab_add8(&t, 0x7f);
    ab_add8(&t, (uint8_t)rest);
    ab_add(&t, (uint8_t[256]){0}, rest - 2);
    assert_int_equal(ab_end(&t), 5000);
    set_entry(E_MADT, BIG);
    assert_int_equal(parse_good(), 0);
    assert_true(warned("length 5000 is more than the 4096-byte buffer Kite reads tables into; "
                       "ignoring the table"));
    assert_false(info.has_madt);
    assert_int_equal(parse_rsdp(good_rsdp, good_rsdp_len, 8192), 0);
    assert_int_equal(nwarn, 0);
    assert_true(info.has_madt);
    assert_int_equal(info.ncpus, 1);
    assert_false(info.pcat_compat);
}

static void test_unreadable_tables(void **state)
{
    char want[128];

    (void)state;
    build_good();
    set_entry(E_SRAT, 0xdead0000);
    set_entry(E_FACP, 0);
    assert_int_equal(parse_good(), 0);
    snprintf(want, sizeof(want),
             "ACPI: the table at 0xdead0000 (XSDT entry %d) cannot be read; ignoring it", E_SRAT);
    assert_true(warned(want));
    assert_true(warned("ACPI: XSDT entry 0 is a null address; skipping it"));
    assert_int_equal(nwarn, 2);
    assert_int_equal(info.tables_seen, AB_GOOD_TABLES);
    assert_int_equal(info.tables_bad, 2);
    assert_false(info.has_srat);
    expect_good_madt();

    /* The header can be read but the rest of the table cannot. */
    build_good();
    (void)ab_begin(&top, TOP_BASE + TOP_SIZE - 36, "HPET", 1);
    ab_w32(&top, TOP_BASE + TOP_SIZE - 32, 56);
    assert_false(top.overflow);
    set_entry(E_HPET, TOP_BASE + TOP_SIZE - 36);
    assert_int_equal(parse_good(), 0);
    assert_true(warned("its 56 bytes cannot be read; ignoring the table"));
    assert_false(info.has_hpet);
    assert_int_equal(info.tables_bad, 1);
}

static void test_duplicate_tables(void **state)
{
    struct ab_table t;
    char want[128];

    (void)state;
    build_good();
    t = ab_madt(&high, FREE, 0xfee00000, 0);
    ab_madt_lapic(&t, 7, 7, 1);
    ab_end(&t);
    /* The second MADT replaces the FACP entry, so it comes first... */
    set_entry(E_FACP, FREE);
    assert_int_equal(parse_good(), 0);
    snprintf(want, sizeof(want),
             "ACPI: MADT at 0x%llx: XSDT lists a second MADT; keeping the first one",
             (unsigned long long)good.madt);
    assert_true(warned(want));
    assert_int_equal(nwarn, 1);
    assert_int_equal(info.ncpus, 1);
    assert_int_equal(info.cpus[0].apic_id, 7);

    /* ...unless it is refused: then the next good one is used. */
    *at(FREE + 20) ^= 1;
    assert_int_equal(parse_good(), 0);
    assert_int_equal(nwarn, 1);
    assert_true(warned("checksum is wrong"));
    assert_int_equal(info.tables_bad, 1);
    expect_good_madt();
}

/* ---------------------------------------------------------------- MADT */

static void test_madt_entry_length_zero(void **state)
{
    struct ab_table t;
    char want[160];

    (void)state;
    build_good();
    t = ab_madt(&high, FREE, 0xfee00000, 1);
    ab_madt_lapic(&t, 0, 0, 1);
    ab_add8(&t, 0);
    ab_add8(&t, 0);
    ab_add(&t, (uint8_t[6]){0}, 6);
    ab_madt_lapic(&t, 1, 1, 1);
    ab_end(&t);
    set_entry(E_MADT, FREE);
    assert_int_equal(parse_good(), 0);
    snprintf(want, sizeof(want),
             "ACPI: MADT at 0x%llx: entry at offset 0x34 (type 0) has length 0, less than the 8 "
             "bytes of its type; ignoring the table",
             (unsigned long long)FREE);
    assert_true(warned(want));
    assert_int_equal(nwarn, 1);
    /* Nothing of the table is kept, not even the entry before the bad one. */
    assert_false(info.has_madt);
    assert_int_equal(info.ncpus, 0);
    assert_int_equal(info.lapic_addr, 0);
    assert_false(info.pcat_compat);
    assert_int_equal(info.tables_bad, 1);

    /* An unknown type still needs room for its own header. */
    build_good();
    t = ab_madt(&high, FREE, 0xfee00000, 1);
    ab_add8(&t, 0x80);
    ab_add8(&t, 1);
    ab_add16(&t, 0);
    ab_end(&t);
    set_entry(E_MADT, FREE);
    assert_int_equal(parse_good(), 0);
    assert_true(warned("entry at offset 0x2c (type 128) has length 1, less than the 2 bytes"));
    assert_false(info.has_madt);

    /* Each known type's minimum is checked. */
    static const uint8_t types[][2] = {{0, 8},  {1, 12}, {2, 10},  {4, 6},
                                       {5, 12}, {9, 16}, {0xa, 12}};
    for (size_t i = 0; i < KITE_ARRAY_SIZE(types); i++) {
        build_good();
        t = ab_madt(&high, FREE, 0xfee00000, 1);
        ab_add8(&t, types[i][0]);
        ab_add8(&t, (uint8_t)(types[i][1] - 1));
        ab_add(&t, (uint8_t[16]){0}, types[i][1] - 3u);
        ab_end(&t);
        set_entry(E_MADT, FREE);
        assert_int_equal(parse_good(), 0);
        snprintf(want, sizeof(want), "(type %u) has length %u, less than the %u bytes", types[i][0],
                 types[i][1] - 1u, types[i][1]);
        assert_true(warned(want));
        assert_false(info.has_madt);
    }
}

static void test_madt_entry_past_end(void **state)
{
    struct ab_table t;

    (void)state;
    build_good();
    t = ab_madt(&high, FREE, 0xfee00000, 1);
    ab_madt_lapic(&t, 0, 0, 1);
    ab_madt_ioapic(&t, 0, 0xfec00000, 0);
    ab_end(&t);
    /* Cut the table inside the I/O APIC entry. */
    ab_w32(&high, FREE + 4, t.len - 4);
    ab_reseal(&high, FREE);
    set_entry(E_MADT, FREE);
    assert_int_equal(parse_good(), 0);
    assert_true(warned("entry at offset 0x34 (type 1, length 12) runs past the end of the table "
                       "(length 60); ignoring the table"));
    assert_false(info.has_madt);
    assert_int_equal(info.ncpus, 0);

    /* Too short for the local APIC address and flags. */
    build_good();
    t = ab_begin(&high, FREE, "APIC", 5);
    ab_add32(&t, 0xfee00000);
    ab_end(&t);
    set_entry(E_MADT, FREE);
    assert_int_equal(parse_good(), 0);
    assert_true(warned("length 40 is less than the 44 bytes before its entries"));
    assert_false(info.has_madt);

    /* One stray byte after the last entry is padding, not an error. */
    build_good();
    t = ab_madt(&high, FREE, 0xfee00000, 1);
    ab_madt_lapic(&t, 0, 0, 1);
    ab_add8(&t, 0);
    ab_end(&t);
    set_entry(E_MADT, FREE);
    assert_int_equal(parse_good(), 0);
    assert_int_equal(nwarn, 0);
    assert_int_equal(info.ncpus, 1);
}

static void test_madt_lapic_override(void **state)
{
    struct ab_table t;

    (void)state;
    build_good();
    t = ab_madt(&high, FREE, 0xfee00000, 0);
    ab_madt_lapic_addr(&t, 0x4fee00000ull);
    ab_madt_lapic(&t, 0, 0, 1);
    ab_madt_nmi(&t, 0, 0xf, 0);
    ab_end(&t);
    set_entry(E_MADT, FREE);
    assert_int_equal(parse_good(), 0);
    assert_int_equal(nwarn, 0);
    assert_int_equal(info.lapic_addr, 0x4fee00000ull);
    assert_false(info.pcat_compat);
    assert_int_equal(info.nnmis, 1);
    assert_int_equal(info.nmis[0].uid, 0);
    assert_int_equal(info.nmis[0].lint, 0);
    assert_int_equal(info.nmis[0].flags, 0xf);
}

static void test_madt_duplicate_apic_id(void **state)
{
    struct ab_table t;

    (void)state;
    build_good();
    t = ab_madt(&high, FREE, 0xfee00000, 0);
    for (uint8_t i = 0; i < 4; i++) {
        ab_madt_lapic(&t, i, i, 1);
    }
    /* Some firmware lists every CPU again as an x2APIC. */
    for (uint8_t i = 0; i < 4; i++) {
        ab_madt_x2apic(&t, i, 1, i);
    }
    ab_madt_x2apic(&t, 300, 1, 4);
    ab_end(&t);
    set_entry(E_MADT, FREE);
    assert_int_equal(parse_good(), 0);
    assert_int_equal(nwarn, 1);
    assert_true(warned("APIC ID 0 is listed again at offset 0x4c; keeping the first entry"));
    assert_int_equal(info.ncpus, 5);
    assert_false(info.cpus[3].x2apic);
    assert_int_equal(info.cpus[4].apic_id, 300);
    assert_true(info.cpus[4].x2apic);
}

static void test_too_many(void **state)
{
    struct ab_table t;

    (void)state;
    build_good();
    t = ab_madt(&high, BIG, 0xfee00000, 1);
    for (unsigned int i = 0; i < 200; i++) {
        ab_madt_lapic(&t, (uint8_t)i, (uint8_t)i, 1);
    }
    for (unsigned int i = 200; i < 300; i++) {
        ab_madt_x2apic(&t, i, 1, i);
    }
    for (unsigned int i = 0; i < KITE_ACPI_MAX_IOAPICS + 3; i++) {
        ab_madt_ioapic(&t, (uint8_t)i, 0xfec00000 + 0x1000 * i, 24 * i);
    }
    for (unsigned int i = 0; i < KITE_ACPI_MAX_OVERRIDES + 1; i++) {
        ab_madt_override(&t, 0, (uint8_t)i, i, 0);
    }
    for (unsigned int i = 0; i < KITE_ACPI_MAX_NMIS + 5; i++) {
        ab_madt_nmi(&t, (uint8_t)i, 0, 1);
    }
    ab_end(&t);
    set_entry(E_MADT, BIG);
    assert_int_equal(parse_rsdp(good_rsdp, good_rsdp_len, 8192), 0);
    /* One warning per full array, however many entries spill over. */
    assert_int_equal(nwarn, 4);
    assert_true(warned("more than 256 CPUs; using the first 256"));
    assert_true(warned("more than 16 I/O APICs; using the first 16"));
    assert_true(warned("more than 32 interrupt source overrides; using the first 32"));
    assert_true(warned("more than 32 local APIC NMI entries; using the first 32"));
    assert_true(info.has_madt);
    assert_int_equal(info.ncpus, KITE_ACPI_MAX_CPUS);
    assert_int_equal(info.cpus[199].apic_id, 199);
    assert_int_equal(info.cpus[255].apic_id, 255);
    assert_true(info.cpus[255].x2apic);
    assert_int_equal(info.nioapics, KITE_ACPI_MAX_IOAPICS);
    assert_int_equal(info.ioapics[15].gsi_base, 24 * 15);
    assert_int_equal(info.noverrides, KITE_ACPI_MAX_OVERRIDES);
    assert_int_equal(info.nnmis, KITE_ACPI_MAX_NMIS);

    /* Memory affinity and MCFG fill up the same way. */
    build_good();
    t = ab_srat(&high, BIG, 3);
    for (unsigned int i = 0; i < KITE_ACPI_MAX_MEM_AFFINITY + 10; i++) {
        ab_srat_mem(&t, 0x10000000ull * i, 0x10000000, i % 4, 1);
    }
    for (unsigned int i = 0; i < KITE_ACPI_MAX_CPUS + 1; i++) {
        ab_srat_x2apic(&t, i, 0, 1);
    }
    ab_end(&t);
    set_entry(E_SRAT, BIG);
    t = ab_mcfg(&high, FREE);
    for (unsigned int i = 0; i < KITE_ACPI_MAX_MCFG + 1; i++) {
        ab_mcfg_entry(&t, 0x80000000ull + 0x10000000ull * i, (uint16_t)i, 0, 0xff);
    }
    ab_end(&t);
    set_entry(E_MCFG, FREE);
    assert_int_equal(parse_rsdp(good_rsdp, good_rsdp_len, 16384), 0);
    assert_int_equal(nwarn, 3);
    assert_true(warned("more than 64 memory affinity entries; using the first 64"));
    assert_true(warned("more than 256 processor affinity entries; using the first 256"));
    assert_true(warned("more than 8 configuration ranges; using the first 8"));
    assert_int_equal(info.nmem_affinity, KITE_ACPI_MAX_MEM_AFFINITY);
    assert_int_equal(info.mem_affinity[63].base, 0x10000000ull * 63);
    assert_int_equal(info.ncpu_affinity, KITE_ACPI_MAX_CPUS);
    assert_int_equal(info.nmcfg, KITE_ACPI_MAX_MCFG);
    assert_int_equal(info.mcfg[7].segment, 7);
}

/* ---------------------------------------------------------------- SRAT */

static void test_srat_domains(void **state)
{
    struct ab_table t;
    uint8_t rev;

    (void)state;
    for (rev = 1; rev <= 3; rev += 2) {
        build_good();
        t = ab_srat(&high, FREE, rev);
        ab_srat_cpu(&t, 5, 0x01020304, 1);
        ab_srat_mem(&t, 0x1000, 0x2000, 0x0a0b0c0d, 1);
        ab_srat_x2apic(&t, 0x1234, 0x77777777, 1);
        /* An unknown entry type (GICC affinity) is stepped over. */
        ab_add8(&t, 3);
        ab_add8(&t, 18);
        ab_add(&t, (uint8_t[16]){0}, 16);
        ab_end(&t);
        set_entry(E_SRAT, FREE);
        assert_int_equal(parse_good(), 0);
        assert_int_equal(nwarn, 0);
        assert_int_equal(info.ncpu_affinity, 2);
        assert_int_equal(info.cpu_affinity[0].apic_id, 5);
        /* Revision 1 domains are 8 bits; later ones 32. */
        assert_int_equal(info.cpu_affinity[0].domain, rev == 1 ? 0x04 : 0x01020304);
        assert_int_equal(info.mem_affinity[0].domain, rev == 1 ? 0x0d : 0x0a0b0c0d);
        assert_int_equal(info.cpu_affinity[1].apic_id, 0x1234);
        assert_int_equal(info.cpu_affinity[1].domain, 0x77777777);
    }
}

static void test_srat_errors(void **state)
{
    struct ab_table t;

    (void)state;
    build_good();
    t = ab_srat(&high, FREE, 3);
    ab_srat_cpu(&t, 0, 0, 1);
    ab_add8(&t, 1);
    ab_add8(&t, 24);
    ab_add(&t, (uint8_t[22]){0}, 22);
    ab_end(&t);
    set_entry(E_SRAT, FREE);
    assert_int_equal(parse_good(), 0);
    assert_true(warned("SRAT at 0x"));
    assert_true(warned("entry at offset 0x40 (type 1) has length 24, less than the 40 bytes of its "
                       "type; ignoring the table"));
    assert_false(info.has_srat);
    assert_int_equal(info.ncpu_affinity, 0);
    assert_int_equal(info.tables_bad, 1);

    build_good();
    t = ab_begin(&high, FREE, "SRAT", 3);
    ab_add32(&t, 1);
    ab_end(&t);
    set_entry(E_SRAT, FREE);
    assert_int_equal(parse_good(), 0);
    assert_true(warned("length 40 is less than the 48 bytes before its entries"));
    assert_false(info.has_srat);
}

/* ---------------------------------------------------------------- SLIT */

static void test_slit_errors(void **state)
{
    static const uint8_t d3[9] = {10, 21, 31, 21, 10, 21, 31, 21, 10};
    static uint8_t big[100 * 100];
    struct ab_table t;

    (void)state;
    /* N * N runs past the end. */
    build_good();
    ab_slit(&high, FREE, 3, d3, 8);
    set_entry(E_SLIT, FREE);
    assert_int_equal(parse_good(), 0);
    assert_true(warned("SLIT at 0x"));
    assert_true(warned("3 localities need 9 bytes of distances, but only 8 follow; ignoring the "
                       "table"));
    assert_false(info.has_slit);
    assert_int_equal(info.slit_localities, 0);
    assert_int_equal(info.tables_bad, 1);

    /* Counts far past the table, up to ones whose square overflows 64 bits. */
    for (int i = 0; i < 4; i++) {
        static const uint64_t counts[] = {65536, 1ull << 32, 0x8000000000000001ull, UINT64_MAX};

        build_good();
        ab_slit(&high, FREE, counts[i], d3, 9);
        set_entry(E_SLIT, FREE);
        assert_int_equal(parse_good(), 0);
        assert_true(warned(i == 0 ? "65536 localities need 4294967296 bytes of distances, but "
                                    "only 9 follow"
                                  : "is far more than 9 bytes can hold; ignoring the table"));
        assert_false(info.has_slit);
    }

    /* Too short for the count. */
    build_good();
    t = ab_begin(&high, FREE, "SLIT", 1);
    ab_add32(&t, 2);
    ab_end(&t);
    set_entry(E_SLIT, FREE);
    assert_int_equal(parse_good(), 0);
    assert_true(warned("length 40 is less than the 44 bytes before its distances"));

    /* Not a distance matrix. */
    build_good();
    ab_slit(&high, FREE, 3, (const uint8_t[9]){10, 21, 31, 21, 11, 21, 31, 21, 10}, 9);
    set_entry(E_SLIT, FREE);
    assert_int_equal(parse_good(), 0);
    assert_true(warned("the distance from locality 1 to itself is 11, not 10; ignoring the table"));
    assert_false(info.has_slit);
    build_good();
    ab_slit(&high, FREE, 3, (const uint8_t[9]){10, 21, 31, 21, 10, 10, 31, 21, 10}, 9);
    set_entry(E_SLIT, FREE);
    assert_int_equal(parse_good(), 0);
    assert_true(warned("the distance from locality 1 to 2 is 10, not more than 10"));

    /* Good, with trailing bytes; 0xff (unreachable) is allowed. */
    build_good();
    ab_slit(&high, FREE, 3, (const uint8_t[12]){10, 21, 0xff, 21, 10, 21, 31, 21, 10, 1, 2, 3}, 12);
    set_entry(E_SLIT, FREE);
    assert_int_equal(parse_good(), 0);
    assert_int_equal(nwarn, 0);
    assert_int_equal(info.slit_localities, 3);
    assert_int_equal(info.slit[0][2], 0xff);
    assert_int_equal(info.slit[2][0], 31);
    assert_int_equal(info.slit[2][2], 10);

    /* More localities than Kite keeps: the count is as given, the corner is kept. */
    for (int i = 0; i < 100; i++) {
        for (int j = 0; j < 100; j++) {
            big[i * 100 + j] = i == j ? 10 : (uint8_t)(11 + (i + j) % 200);
        }
    }
    build_good();
    ab_slit(&high, BIG, 100, big, sizeof(big));
    set_entry(E_SLIT, BIG);
    assert_int_equal(parse_rsdp(good_rsdp, good_rsdp_len, 16384), 0);
    assert_int_equal(nwarn, 0);
    assert_int_equal(info.slit_localities, 100);
    assert_int_equal(info.slit[63][63], 10);
    assert_int_equal(info.slit[63][62], 11 + 125 % 200);
    assert_int_equal(info.slit[1][0], 12);
}

/* ---------------------------------------------------------------- HPET, MCFG */

static void test_hpet_errors(void **state)
{
    (void)state;
    build_good();
    *at(good.hpet + 40) = 1;
    ab_reseal(&high, good.hpet);
    assert_int_equal(parse_good(), 0);
    assert_true(warned("the timer block is in address space 1, not in memory; ignoring the table"));
    assert_false(info.has_hpet);
    assert_int_equal(info.hpet_addr, 0);

    build_good();
    ab_hpet(&high, good.hpet, 0, 0, 0);
    assert_int_equal(parse_good(), 0);
    assert_true(warned("the timer block's address is 0"));
    assert_false(info.has_hpet);

    build_good();
    ab_w32(&high, good.hpet + 4, 55);
    ab_reseal(&high, good.hpet);
    assert_int_equal(parse_good(), 0);
    assert_true(warned("length 55 is less than the 56 bytes of an HPET table"));
    assert_false(info.has_hpet);
}

static void test_mcfg_errors(void **state)
{
    struct ab_table t;

    (void)state;
    build_good();
    t = ab_mcfg(&high, FREE);
    ab_mcfg_entry(&t, 0xb0000000, 0, 0, 0x7f);
    ab_mcfg_entry(&t, 0xc0000000, 1, 0x80, 0x7f);
    ab_end(&t);
    set_entry(E_MCFG, FREE);
    assert_int_equal(parse_good(), 0);
    assert_true(warned("entry at offset 0x3c: first bus 128 is after last bus 127; ignoring the "
                       "table"));
    assert_false(info.has_mcfg);
    assert_int_equal(info.nmcfg, 0);

    /* A trailing partial entry is padding. */
    build_good();
    t = ab_mcfg(&high, FREE);
    ab_mcfg_entry(&t, 0xb0000000, 0, 0, 0x7f);
    ab_add32(&t, 0xffffffff);
    ab_end(&t);
    set_entry(E_MCFG, FREE);
    assert_int_equal(parse_good(), 0);
    assert_int_equal(nwarn, 0);
    assert_int_equal(info.nmcfg, 1);

    build_good();
    t = ab_begin(&high, FREE, "MCFG", 1);
    ab_end(&t);
    set_entry(E_MCFG, FREE);
    assert_int_equal(parse_good(), 0);
    assert_true(warned("length 36 is less than the 44 bytes before its entries"));
    assert_false(info.has_mcfg);
}

/* ---------------------------------------------------------------- arguments */

static void test_arguments(void **state)
{
    uint8_t scratch[4096];

    (void)state;
    build_good();
    assert_int_equal(kite_acpi_parse(good_rsdp, good_rsdp_len, mem_read, &good, collect, &info,
                                     scratch, sizeof(scratch), NULL),
                     -KITE_EINVAL);
    assert_int_equal(parse_rsdp(good_rsdp, good_rsdp_len, 4095), -KITE_EINVAL);
    assert_true(warned("scratch buffer under 4096 bytes"));
    expect_cleared();
    memset(&info, 0xa5, sizeof(info));
    assert_int_equal(kite_acpi_parse(good_rsdp, good_rsdp_len, NULL, NULL, NULL, NULL, scratch,
                                     sizeof(scratch), &info),
                     -KITE_EINVAL);
    expect_cleared();

    /* No warn callback: the same results, silently. */
    *at(good.madt + 50) ^= 1;
    assert_int_equal(kite_acpi_parse(good_rsdp, good_rsdp_len, mem_read, &good, NULL, NULL, scratch,
                                     sizeof(scratch), &info),
                     0);
    assert_false(info.has_madt);
    assert_int_equal(info.tables_bad, 1);
    expect_good_others();
}

/* ---------------------------------------------------------------- sweeps */

static void expect_sane(void)
{
    assert_true(info.ncpus <= KITE_ACPI_MAX_CPUS);
    assert_true(info.nioapics <= KITE_ACPI_MAX_IOAPICS);
    assert_true(info.noverrides <= KITE_ACPI_MAX_OVERRIDES);
    assert_true(info.nnmis <= KITE_ACPI_MAX_NMIS);
    assert_true(info.ncpu_affinity <= KITE_ACPI_MAX_CPUS);
    assert_true(info.nmem_affinity <= KITE_ACPI_MAX_MEM_AFFINITY);
    assert_true(info.nmcfg <= KITE_ACPI_MAX_MCFG);
    assert_true(info.tables_bad <= info.tables_seen);
    assert_true(info.has_madt || info.ncpus == 0);
    assert_true(info.has_slit || info.slit_localities == 0);
}

/*
 * Every byte of every table, changed several ways with the checksum fixed
 * up again: the parse must succeed (the RSDT stays good), stay within its
 * arrays, and either take the table or count it as bad.
 */
static void test_byte_sweep(void **state)
{
    static const uint64_t *const tables[] = {&good.madt, &good.srat, &good.slit,
                                             &good.hpet, &good.mcfg, &good.xsdt};
    unsigned long parses = 0;

    (void)state;
    build_good();
    for (size_t k = 0; k < KITE_ARRAY_SIZE(tables); k++) {
        uint64_t phys = *tables[k];
        uint32_t len;

        memcpy(&len, at(phys + 4), 4);
        for (uint32_t i = 0; i < len; i++) {
            uint8_t *p = at(phys + i), orig = *p;
            const uint8_t values[] = {0, 0xff, (uint8_t)(orig ^ 1), (uint8_t)(orig ^ 0x80),
                                      (uint8_t)(orig + 1)};

            for (size_t v = 0; v < sizeof(values); v++) {
                *p = values[v];
                ab_reseal(&high, phys);
                assert_int_equal(parse_good(), 0);
                expect_sane();
                parses++;
            }
            *p = orig;
            high.overflow = false;
            ab_reseal(&high, phys);
        }
    }
    assert_int_equal(parse_good(), 0);
    assert_int_equal(nwarn, 0);
    assert_true(parses > 3000);
}

/*
 * Every length from 0 to past the end, for each table, sealed at that
 * length: each refusal is one warning and one bad table, and the parse only
 * fails when the root it depends on (the RSDT of a revision 0 RSDP) does.
 */
static void test_length_sweep(void **state)
{
    static const uint64_t *const tables[] = {&good.madt, &good.srat, &good.slit, &good.hpet,
                                             &good.mcfg, &good.xsdt, &good.rsdt};

    (void)state;
    for (size_t k = 0; k < KITE_ARRAY_SIZE(tables); k++) {
        uint64_t phys = *tables[k];
        uint8_t rsdp[36];
        size_t rsdp_len;
        uint32_t len;

        build_good();
        rsdp_len = phys == good.rsdt ? ab_rsdp(rsdp, 0, (uint32_t)good.rsdt, 0)
                                     : ab_rsdp(rsdp, 2, (uint32_t)good.rsdt, good.xsdt);
        memcpy(&len, at(phys + 4), 4);
        for (uint32_t n = 0; n < len + 64; n++) {
            int ret;

            ab_w32(&high, phys + 4, n);
            ab_reseal(&high, phys);
            ret = parse_rsdp(rsdp, rsdp_len, 4096);
            expect_sane();
            if (phys == good.rsdt) {
                if (ret < 0) {
                    expect_cleared();
                }
            } else {
                assert_int_equal(ret, 0);
            }
            if (phys != good.rsdt && phys != good.xsdt) {
                assert_true(info.tables_bad <= 1);
                assert_int_equal(nwarn, info.tables_bad);
            }
        }
        /* The table's own length is good again. */
        ab_w32(&high, phys + 4, len);
        ab_reseal(&high, phys);
        assert_int_equal(parse_rsdp(rsdp, rsdp_len, 4096), 0);
        assert_int_equal(nwarn, 0);
    }
}

/* ---------------------------------------------------------------- scan */

static size_t scan(uint8_t out[36])
{
    memset(out, 0xcc, 36);
    return kite_acpi_scan_rsdp(mem_read, &good, out);
}

static void test_scan_ebda(void **state)
{
    uint8_t rsdp[36], out[36];
    size_t len;

    (void)state;
    reset_mem();
    len = ab_rsdp(rsdp, 2, 0x7ffe1000, 0x7ffe2000);
    ab_w16(&low, 0x40e, 0x9fc0);
    ab_write(&low, 0x9fc00 + 0x3f0, rsdp, len);
    /* A copy in the BIOS area too: the EBDA's comes first. */
    ab_rsdp(rsdp, 0, 0x1234, 0);
    ab_write(&low, 0xf5a00, rsdp, 20);
    assert_int_equal(scan(out), 36);
    assert_int_equal(out[15], 2);
    assert_int_equal(kite_acpi_check_rsdp(out, 36, NULL, 0), 0);
    ab_rsdp(rsdp, 2, 0x7ffe1000, 0x7ffe2000);
    assert_memory_equal(out, rsdp, 36);

    /* Past the first KiB of the EBDA it is not looked for there. */
    memset(low_bytes + 0x9fc00, 0, 0x400);
    ab_write(&low, 0x9fc00 + 0x400, rsdp, 36);
    assert_int_equal(scan(out), 20);
    assert_int_equal(out[15], 0);
    assert_int_equal(out[20], 0); /* the rest is cleared */

    /* A segment of 0, or one outside conventional memory, is not scanned. */
    ab_write(&low, 0x9fc00, rsdp, 36);
    ab_w16(&low, 0x40e, 0);
    assert_int_equal(scan(out), 20);
    ab_w16(&low, 0x40e, 0xa000);
    ab_write(&low, 0xa0000, rsdp, 36);
    assert_int_equal(scan(out), 20);
}

static void test_scan_bios_area(void **state)
{
    uint8_t rsdp[36], out[36];

    (void)state;
    reset_mem();
    assert_int_equal(scan(out), 0);

    /* Off a 16-byte boundary it is not found. */
    ab_rsdp(rsdp, 0, 0x7ffe1000, 0);
    ab_write(&low, 0xf0008, rsdp, 20);
    assert_int_equal(scan(out), 0);

    /* A bad checksum is stepped over, to a good one further on. */
    rsdp[8] ^= 1;
    ab_write(&low, 0xe0000, rsdp, 20);
    assert_int_equal(scan(out), 0);
    ab_rsdp(rsdp, 2, 0x7ffe1000, 0x7ffe2000);
    rsdp[33] ^= 1; /* only the extended checksum is wrong */
    ab_write(&low, 0xe4000, rsdp, 36);
    assert_int_equal(scan(out), 0);
    ab_rsdp(rsdp, 2, 0x7ffe1000, 0x7ffe2000);
    ab_write(&low, 0xfffc0, rsdp, 36);
    assert_int_equal(scan(out), 36);
    assert_memory_equal(out, rsdp, 36);

    /* Near the top of the area. */
    memset(low_bytes + 0xfffc0, 0, 36);
    ab_rsdp(rsdp, 0, 0x7ffe1000, 0);
    ab_write(&low, 0xfffe0, rsdp, 20);
    assert_int_equal(scan(out), 20);
    assert_memory_equal(out, rsdp, 20);

    /* No read callback, no RSDP. */
    assert_int_equal(kite_acpi_scan_rsdp(NULL, NULL, out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_set),
        cmocka_unit_test(test_rsdt_revision0),
        cmocka_unit_test(test_table_above_4g),
        cmocka_unit_test(test_oem_id),
        cmocka_unit_test(test_check_rsdp),
        cmocka_unit_test(test_xsdt_falls_back_to_rsdt),
        cmocka_unit_test(test_root_unusable),
        cmocka_unit_test(test_root_entries),
        cmocka_unit_test(test_table_bad_checksum),
        cmocka_unit_test(test_table_lengths),
        cmocka_unit_test(test_unreadable_tables),
        cmocka_unit_test(test_duplicate_tables),
        cmocka_unit_test(test_madt_entry_length_zero),
        cmocka_unit_test(test_madt_entry_past_end),
        cmocka_unit_test(test_madt_lapic_override),
        cmocka_unit_test(test_madt_duplicate_apic_id),
        cmocka_unit_test(test_too_many),
        cmocka_unit_test(test_srat_domains),
        cmocka_unit_test(test_srat_errors),
        cmocka_unit_test(test_slit_errors),
        cmocka_unit_test(test_hpet_errors),
        cmocka_unit_test(test_mcfg_errors),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_byte_sweep),
        cmocka_unit_test(test_length_sweep),
        cmocka_unit_test(test_scan_ebda),
        cmocka_unit_test(test_scan_bios_area),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
