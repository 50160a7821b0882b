/* SPDX-License-Identifier: MIT */
/*
 * VGA text console: mirrors the log on the 80x25 text screen, but only when
 * the loader says the screen is in text mode (multiboot2 framebuffer tag of
 * type EGA text, as GRUB gives on BIOS machines). On UEFI, in a co-kernel
 * partition, or without that tag, it stays off: the memory at 0xb8000 is
 * then not ours to write.
 */
#include <kite/abi/multiboot2.h>
#include <kite/arch.h>
#include <kite/bootinfo.h>
#include <kite/cmdline.h>
#include <kite/console.h>

#define ATTR       0x0700 /* light grey on black */
#define CRTC_INDEX 0x3d4
#define CRTC_DATA  0x3d5

KITE_PARAM(vga, bool, true,
           "mirror the log on the VGA text screen when there is one (1) or not (0)");

static volatile uint16_t *screen;
static unsigned int cols, rows, col, row;

static void move_cursor(void)
{
    unsigned int pos = row * cols + col;

    arch_outb(CRTC_INDEX, 0x0f);
    arch_outb(CRTC_DATA, (uint8_t)pos);
    arch_outb(CRTC_INDEX, 0x0e);
    arch_outb(CRTC_DATA, (uint8_t)(pos >> 8));
}

static void scroll(void)
{
    for (unsigned int i = 0; i < (rows - 1) * cols; i++) {
        screen[i] = screen[i + cols];
    }
    for (unsigned int i = (rows - 1) * cols; i < rows * cols; i++) {
        screen[i] = ATTR | ' ';
    }
    row = rows - 1;
}

static int vga_setup(bool early)
{
    const struct kite_framebuffer *fb = &kite_boot.fb;

    if (early || !param_vga || !kite_boot.has_framebuffer || fb->type != KITE_MB2_FB_EGA_TEXT ||
        fb->width == 0 || fb->height == 0 || fb->width > 256 || fb->height > 128 ||
        fb->addr >= (1ull << 32)) {
        screen = NULL;
        return KITE_CONSOLE_OFF;
    }
    screen = (volatile uint16_t *)(uintptr_t)fb->addr;
    cols = fb->width;
    rows = fb->height;
    col = row = 0;
    for (unsigned int i = 0; i < rows * cols; i++) {
        screen[i] = ATTR | ' ';
    }
    move_cursor();
    return KITE_CONSOLE_ON;
}

static void vga_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];

        if (c == '\n') {
            col = 0;
            row++;
        } else if (c == '\r') {
            col = 0;
        } else {
            screen[row * cols + col] = ATTR | (uint8_t)c;
            if (++col == cols) {
                col = 0;
                row++;
            }
        }
        if (row == rows) {
            scroll();
        }
    }
    move_cursor();
}

KITE_CONSOLE(vga, {.name = "vga", .setup = vga_setup, .write = vga_write});
