/* SPDX-License-Identifier: MIT */
/*
 * The PS/2 keyboard's decoder (drivers/ps2kbd.c), apart from the port I/O so
 * the tests can feed it scan codes: scan code set 1 (what the i8042 gives
 * with translation on, as firmware leaves it) to the bytes a serial
 * terminal would send for the same keys, US layout.
 */
#pragma once

#include <kite/types.h>

struct kite_ps2kbd_state {
    bool extended; /* an 0xe0 prefix came: the next code is an extended key */
    bool shift_l, shift_r, ctrl, caps;
};

/* Longest output for one scan code: ESC [ n ~. */
#define KITE_PS2KBD_OUT_MAX 4

/*
 * Decode one scan code byte: the bytes the key sends go to @out (at most
 * KITE_PS2KBD_OUT_MAX), their count is returned (0 for releases, modifiers,
 * prefixes and keys that send nothing).
 */
unsigned int kite_ps2kbd_decode(struct kite_ps2kbd_state *st, uint8_t code, char *out);
