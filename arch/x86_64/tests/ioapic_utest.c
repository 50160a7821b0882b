/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the IOAPIC's pure logic (arch/x86_64/ioapic_priv.h): ISA
 * IRQs under the MADT's interrupt source overrides, and the redirection
 * entries built from a route.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../ioapic_priv.h"

/* QEMU's: IRQ 0 on GSI 2 as the bus says; the SCI (9) level, active high; IRQs 5, 10, 11 level. */
static const struct kite_acpi_override qemu[] = {
    {0, 0, 2, 0x0}, {0, 5, 5, 0xd}, {0, 9, 9, 0xd}, {0, 10, 10, 0xd}, {0, 11, 11, 0xd},
};

static void no_override_is_identity_edge_high(void **state)
{
    (void)state;
    for (unsigned int irq = 0; irq < ISA_IRQS; irq++) {
        struct ioapic_line l = ioapic_isa_line(NULL, 0, irq);

        assert_int_equal(l.gsi, irq);
        assert_false(l.level);
        assert_false(l.active_low);
    }
}

static void qemu_overrides(void **state)
{
    struct ioapic_line l;

    (void)state;
    l = ioapic_isa_line(qemu, 5, 0);
    assert_int_equal(l.gsi, 2);
    assert_false(l.level); /* flags 0: conforms to ISA, edge and active high */
    assert_false(l.active_low);
    l = ioapic_isa_line(qemu, 5, 9);
    assert_int_equal(l.gsi, 9);
    assert_true(l.level);
    assert_false(l.active_low);
    l = ioapic_isa_line(qemu, 5, 1);
    assert_int_equal(l.gsi, 1);
    assert_false(l.level);
}

static void flag_fields_decoded(void **state)
{
    /* polarity 11 = low, 01 = high, 10 reserved (bus default); trigger 11 = level, 01 edge */
    static const struct {
        uint16_t flags;
        bool level, active_low;
    } cases[] = {
        {0x0, false, false}, {0x1, false, false}, {0x3, false, true},  {0x2, false, false},
        {0x4, false, false}, {0xc, true, false},  {0x8, false, false}, {0xf, true, true},
        {0x7, false, true},  {0xd, true, false},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct kite_acpi_override ov = {0, 3, 20, cases[i].flags};
        struct ioapic_line l = ioapic_isa_line(&ov, 1, 3);

        assert_int_equal(l.gsi, 20);
        assert_int_equal(l.level, cases[i].level);
        assert_int_equal(l.active_low, cases[i].active_low);
    }
}

static void other_buses_ignored(void **state)
{
    const struct kite_acpi_override ov[] = {{1, 4, 30, 0xf}, {0, 4, 31, 0x0}};
    struct ioapic_line l;

    (void)state;
    l = ioapic_isa_line(ov, 1, 4);
    assert_int_equal(l.gsi, 4);
    l = ioapic_isa_line(ov, 2, 4);
    assert_int_equal(l.gsi, 31);
    assert_false(l.level);
}

static void redirection_entries(void **state)
{
    (void)state;
    assert_int_equal(ioapic_rte(0x20, 0, false, false, false), 0x20);
    assert_int_equal(ioapic_rte(0x20, 3, false, false, true), 0x0300000000010020ull);
    assert_int_equal(ioapic_rte(0x45, 0xff, true, true, false), 0xff0000000000a045ull);
    assert_int_equal(ioapic_rte(0xdf, 1, true, false, false), 0x01000000000080dfull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_override_is_identity_edge_high),
        cmocka_unit_test(qemu_overrides),
        cmocka_unit_test(flag_fields_decoded),
        cmocka_unit_test(other_buses_ignored),
        cmocka_unit_test(redirection_entries),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
