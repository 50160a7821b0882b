/* SPDX-License-Identifier: MIT */
/*
 * PS/2 keyboard input for the shell, polled through the i8042 controller
 * (ports 0x60/0x64): an input-only console beside the VGA screen. On only
 * on BIOS boots outside a co-kernel partition, and only when the
 * controller answers a command (machines without one read 0xff); UEFI
 * machines often emulate it badly or not at all, so it stays off there.
 * Its interrupts are turned off: the shell polls. Keys are turned into the
 * bytes a serial terminal sends (ps2kbd.h), so the line editor sees one
 * kind of input.
 */
#define KITE_LOG_PREFIX "ps2kbd: "

#include <kite/arch.h>
#include <kite/bootinfo.h>
#include <kite/cmdline.h>
#include <kite/console.h>
#include <kite/partition.h>
#include <kite/printk.h>

#include "ps2kbd.h"

#define PORT_DATA       0x60
#define PORT_STATUS     0x64 /* read: status; write: a controller command */
#define ST_OUTPUT_FULL  0x01
#define ST_INPUT_FULL   0x02
#define ST_AUX          0x20 /* the byte waiting is the mouse's */
#define CMD_READ_CONFIG 0x20
#define CMD_WRITE_CFG   0x60
#define CFG_IRQ_KBD     0x01
#define CFG_IRQ_AUX     0x02
#define CFG_TRANSLATE   0x40 /* set 2 translated to set 1 */
#define WAIT_SPINS      100000
#define FLUSH_MAX       32

#define SC_EXTENDED 0xe0
#define SC_RELEASE  0x80
#define SC_CTRL     0x1d
#define SC_SHIFT_L  0x2a
#define SC_SHIFT_R  0x36
#define SC_CAPS     0x3a

KITE_PARAM(keyboard, bool, true,
           "read shell input from a PS/2 keyboard on BIOS machines that have one (1) or not (0)");

/* Set 1 make codes 0x00-0x39 of the US layout: unshifted, then shifted. */
static const char keymap[2][0x3a] = {
    {0,    0x1b, '1', '2', '3', '4', '5', '6', '7', '8', '9',  '0', '-', '=',  0x7f,
     '\t', 'q',  'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p',  '[', ']', '\r', 0,
     'a',  's',  'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`', 0,   '\\', 'z',
     'x',  'c',  'v', 'b', 'n', 'm', ',', '.', '/', 0,   '*',  0,   ' '},
    {0,    0x1b, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+',  0x7f,
     '\t', 'Q',  'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\r', 0,
     'A',  'S',  'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~', 0,   '|',  'Z',
     'X',  'C',  'V', 'B', 'N', 'M', '<', '>', '?', 0,   '*', 0,   ' '},
};

/* Extended keys (after 0xe0): the final byte of their ANSI sequence. */
static unsigned int extended(uint8_t code, char *out)
{
    static const struct {
        uint8_t code;
        const char *seq;
    } keys[] = {
        {0x48, "\x1b[A"}, {0x50, "\x1b[B"}, {0x4d, "\x1b[C"},  {0x4b, "\x1b[D"},
        {0x47, "\x1b[H"}, {0x4f, "\x1b[F"}, {0x53, "\x1b[3~"}, {0x1c, "\r"}, /* keypad Enter */
        {0x35, "/"},                                                         /* keypad / */
    };

    for (unsigned int i = 0; i < KITE_ARRAY_SIZE(keys); i++) {
        if (keys[i].code == code) {
            unsigned int n = 0;

            while (keys[i].seq[n]) {
                out[n] = keys[i].seq[n];
                n++;
            }
            return n;
        }
    }
    return 0;
}

unsigned int kite_ps2kbd_decode(struct kite_ps2kbd_state *st, uint8_t code, char *out)
{
    bool release = code & SC_RELEASE;
    uint8_t make = code & (uint8_t)~SC_RELEASE;
    bool ext = st->extended;
    char c;

    if (code == SC_EXTENDED) {
        st->extended = true;
        return 0;
    }
    st->extended = false;
    if (make == SC_CTRL) { /* left, or right after 0xe0 */
        st->ctrl = !release;
        return 0;
    }
    if (ext) {
        return release ? 0 : extended(make, out);
    }
    if (make == SC_SHIFT_L || make == SC_SHIFT_R) {
        *(make == SC_SHIFT_L ? &st->shift_l : &st->shift_r) = !release;
        return 0;
    }
    if (make == SC_CAPS) {
        st->caps ^= !release; /* a lock: each press turns it over */
        return 0;
    }
    if (release || make >= sizeof(keymap[0])) {
        return 0;
    }
    c = keymap[st->shift_l || st->shift_r][make];
    if (c >= 'a' && c <= 'z' && st->caps) {
        c = (char)(c - 'a' + 'A');
    } else if (c >= 'A' && c <= 'Z' && st->caps) {
        c = (char)(c - 'A' + 'a');
    }
    if (st->ctrl && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
        c = (char)(c & 0x1f);
    }
    if (c == 0) {
        return 0;
    }
    out[0] = c;
    return 1;
}

/* ---------------------------------------------------------------- the controller */

static bool present;
static struct kite_ps2kbd_state state;
static char pending[KITE_PS2KBD_OUT_MAX];
static unsigned int npending, next_pending;

static bool wait_status(uint8_t bit, bool set)
{
    for (int i = 0; i < WAIT_SPINS; i++) {
        if (((arch_inb(PORT_STATUS) & bit) != 0) == set) {
            return true;
        }
        arch_pause();
    }
    return false;
}

static void flush(void)
{
    for (int i = 0; i < FLUSH_MAX && (arch_inb(PORT_STATUS) & ST_OUTPUT_FULL); i++) {
        (void)arch_inb(PORT_DATA);
    }
}

/* The controller's configuration byte, or -1 when it does not answer. */
static int read_config(void)
{
    if (!wait_status(ST_INPUT_FULL, false)) {
        return -1;
    }
    arch_outb(PORT_STATUS, CMD_READ_CONFIG);
    if (!wait_status(ST_OUTPUT_FULL, true)) {
        return -1;
    }
    return arch_inb(PORT_DATA);
}

static int kbd_setup(bool early)
{
    int cfg;

    /* The partition's I/O ports are the host's; on UEFI firmware the 8042 may be an illusion. */
    present = false;
    if (early || !param_keyboard || kite_partition() || kite_boot.efi ||
        arch_inb(PORT_STATUS) == 0xff) {
        return KITE_CONSOLE_OFF;
    }
    flush();
    cfg = read_config();
    if (cfg < 0) {
        return KITE_CONSOLE_OFF;
    }
    /* Polled, and in scan code set 1 whatever the keyboard speaks. */
    cfg = (cfg & ~(CFG_IRQ_KBD | CFG_IRQ_AUX)) | CFG_TRANSLATE;
    if (wait_status(ST_INPUT_FULL, false)) {
        arch_outb(PORT_STATUS, CMD_WRITE_CFG);
        if (wait_status(ST_INPUT_FULL, false)) {
            arch_outb(PORT_DATA, (uint8_t)cfg);
        }
    }
    flush();
    state = (struct kite_ps2kbd_state){0};
    npending = next_pending = 0;
    present = true;
    return KITE_CONSOLE_ON;
}

static int kbd_getc(void)
{
    for (int i = 0; present && npending == next_pending && i < FLUSH_MAX; i++) {
        uint8_t st = arch_inb(PORT_STATUS);
        uint8_t code;

        if (!(st & ST_OUTPUT_FULL)) {
            return -1;
        }
        code = arch_inb(PORT_DATA);
        if (st & ST_AUX) {
            continue; /* a mouse's byte */
        }
        npending = kite_ps2kbd_decode(&state, code, pending);
        next_pending = 0;
    }
    if (next_pending < npending) {
        return (unsigned char)pending[next_pending++];
    }
    return -1;
}

KITE_CONSOLE(ps2kbd, {.name = "keyboard", .setup = kbd_setup, .write = NULL, .getc = kbd_getc});
