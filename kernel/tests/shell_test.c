/* SPDX-License-Identifier: MIT */
/*
 * In-kernel tests of the shell (suite shell): the line editor driven as a
 * state machine with strings of keys (editing, cursor moves, history,
 * completion, escape sequences, junk), kite_shell_run on bad lines and on
 * every command that does not end the run, and the PS/2 keyboard's decoder
 * fed scan codes.
 */
#include <kite/partition.h>
#include <kite/printk.h>
#include <kite/shell.h>
#include <kite/string.h>
#include <kite/test.h>

#include "../../drivers/ps2kbd.h"
#include "../shell_priv.h"

#define UP    "\x1b[A"
#define DOWN  "\x1b[B"
#define RIGHT "\x1b[C"
#define LEFT  "\x1b[D"
#define HOME  "\x1b[H"
#define END   "\x1b[F"

/* Big (the history): static, and each test starts it afresh with start(). */
static struct kite_shell_editor ed;
static char screen[4096];
static size_t screen_len;

static void capture(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    len = KITE_MIN(len, sizeof(screen) - 1 - screen_len);
    memcpy(screen + screen_len, s, len);
    screen_len += len;
    screen[screen_len] = '\0';
}

static void start(void)
{
    screen_len = 0;
    screen[0] = '\0';
    kite_shell_ed_init(&ed, capture, NULL);
    kite_shell_ed_prompt(&ed);
}

static void clear_screen(void)
{
    screen_len = 0;
    screen[0] = '\0';
}

/* What the screen shows ends with @tail. */
static bool screen_ends_with(const char *tail)
{
    size_t n = strlen(tail);

    return screen_len >= n && strcmp(screen + screen_len - n, tail) == 0;
}

KITE_TEST(shell, editor_types_and_enters)
{
    start();
    KITE_EXPECT_STREQ(screen, KITE_SHELL_PROMPT);
    KITE_EXPECT_EQ(kite_shell_ed_keys(&ed, "uptime"), KITE_SHELL_ED_MORE);
    KITE_EXPECT_STREQ(ed.line, "uptime");
    KITE_EXPECT_EQ(ed.cur, 6);
    KITE_EXPECT_STREQ(screen, KITE_SHELL_PROMPT "uptime"); /* typing at the end only echoes */
    KITE_EXPECT_EQ(kite_shell_ed_key(&ed, '\r'), KITE_SHELL_ED_LINE);
    KITE_EXPECT_STREQ(ed.result, "uptime");
    KITE_EXPECT_EQ(ed.len, 0);
    KITE_EXPECT(screen_ends_with("uptime\n"));
    /* CR LF is one Enter; a lone LF is one too. */
    KITE_EXPECT_EQ(kite_shell_ed_key(&ed, '\n'), KITE_SHELL_ED_MORE);
    KITE_EXPECT_EQ(kite_shell_ed_keys(&ed, "mem\n"), KITE_SHELL_ED_LINE);
    KITE_EXPECT_STREQ(ed.result, "mem");
    KITE_EXPECT_EQ(kite_shell_ed_keys(&ed, "\n"), KITE_SHELL_ED_LINE);
    KITE_EXPECT_STREQ(ed.result, "");
}

KITE_TEST(shell, editor_backspace_and_cursor)
{
    start();
    kite_shell_ed_keys(&ed, "hxlp\x7f\x7f");
    KITE_EXPECT_STREQ(ed.line, "hx");
    kite_shell_ed_keys(&ed, "\b"); /* Ctrl-H is Backspace too */
    KITE_EXPECT_STREQ(ed.line, "h");
    kite_shell_ed_keys(&ed, "lp" LEFT LEFT);
    KITE_EXPECT_EQ(ed.cur, 1);
    clear_screen();
    kite_shell_ed_keys(&ed, "e");
    KITE_EXPECT_STREQ(ed.line, "help");
    KITE_EXPECT_EQ(ed.cur, 2);
    /* Inserting redraws the line, then puts the cursor back after the 'e'. */
    KITE_EXPECT_STREQ(screen, "\r" KITE_SHELL_PROMPT "help\r" KITE_SHELL_PROMPT "he");
    kite_shell_ed_keys(&ed, HOME);
    KITE_EXPECT_EQ(ed.cur, 0);
    kite_shell_ed_keys(&ed, LEFT "\x7f"); /* nothing left of the start */
    KITE_EXPECT_EQ(ed.cur, 0);
    KITE_EXPECT_STREQ(ed.line, "help");
    kite_shell_ed_keys(&ed, END RIGHT RIGHT);
    KITE_EXPECT_EQ(ed.cur, 4);
    kite_shell_ed_keys(&ed, "\x1b[1~"
                            "\x1b[3~"); /* Home, Delete: the 'h' goes */
    KITE_EXPECT_STREQ(ed.line, "elp");
    kite_shell_ed_keys(&ed, "\x1bOF"); /* End as ESC O F */
    KITE_EXPECT_EQ(ed.cur, 3);
    clear_screen();
    kite_shell_ed_keys(&ed, "\x7f");
    /* A shorter line is blanked past its end: "el" then a space, then the cursor. */
    KITE_EXPECT_STREQ(screen, "\r" KITE_SHELL_PROMPT "el \r" KITE_SHELL_PROMPT "el");
}

KITE_TEST(shell, editor_kill_and_cancel)
{
    start();
    kite_shell_ed_keys(&ed, "abc def" LEFT LEFT LEFT "\x15"); /* Ctrl-U */
    KITE_EXPECT_STREQ(ed.line, "def");
    KITE_EXPECT_EQ(ed.cur, 0);
    kite_shell_ed_keys(&ed, "\x05\x17"); /* Ctrl-E, Ctrl-W */
    KITE_EXPECT_STREQ(ed.line, "");
    kite_shell_ed_keys(&ed, "one two"
                            "\x01\x06\x0b"); /* Ctrl-A, Ctrl-F, Ctrl-K */
    KITE_EXPECT_STREQ(ed.line, "o");
    KITE_EXPECT_EQ(kite_shell_ed_keys(&ed, "junk\x03"), KITE_SHELL_ED_CANCEL);
    KITE_EXPECT(screen_ends_with("^C\n"));
    KITE_EXPECT_EQ(ed.len, 0);
    KITE_EXPECT_EQ(ed.hist_count, 0); /* a cancelled line is not kept */
    kite_shell_ed_prompt(&ed);
    KITE_EXPECT_EQ(kite_shell_ed_keys(&ed, "ok\r"), KITE_SHELL_ED_LINE);
    KITE_EXPECT_STREQ(ed.result, "ok");
}

KITE_TEST(shell, editor_history)
{
    char line[16];

    start();
    kite_shell_ed_keys(&ed, UP); /* no history yet */
    KITE_EXPECT_STREQ(ed.line, "");
    kite_shell_ed_keys(&ed, "one\rtwo\r   \rtwo\rthree\r");
    KITE_EXPECT_EQ(ed.hist_count, 3); /* blank lines and repeats are not kept */
    kite_shell_ed_keys(&ed, "new" UP);
    KITE_EXPECT_STREQ(ed.line, "three");
    KITE_EXPECT_EQ(ed.cur, 5);
    kite_shell_ed_keys(&ed, UP UP);
    KITE_EXPECT_STREQ(ed.line, "one");
    kite_shell_ed_keys(&ed, UP); /* past the oldest: stays */
    KITE_EXPECT_STREQ(ed.line, "one");
    kite_shell_ed_keys(&ed, DOWN);
    KITE_EXPECT_STREQ(ed.line, "two");
    kite_shell_ed_keys(&ed, "\x1bOB"); /* Down as ESC O B: back to "three" */
    KITE_EXPECT_STREQ(ed.line, "three");
    kite_shell_ed_keys(&ed, DOWN); /* the line being typed before */
    KITE_EXPECT_STREQ(ed.line, "new");
    kite_shell_ed_keys(&ed, DOWN);
    KITE_EXPECT_STREQ(ed.line, "new");
    /* A recalled line can be edited and entered. */
    kite_shell_ed_keys(&ed, "\x10\x10"
                            "s"); /* Ctrl-P twice */
    KITE_EXPECT_EQ(kite_shell_ed_keys(&ed, "\r"), KITE_SHELL_ED_LINE);
    KITE_EXPECT_STREQ(ed.result, "twos");

    /* More lines than it keeps: the oldest go. */
    for (int i = 0; i < KITE_SHELL_HISTORY + 8; i++) {
        kite_snprintf(line, sizeof(line), "cmd%d\r", i);
        kite_shell_ed_keys(&ed, line);
    }
    KITE_EXPECT_EQ(ed.hist_count, KITE_SHELL_HISTORY);
    for (int i = 0; i < KITE_SHELL_HISTORY + 4; i++) {
        kite_shell_ed_keys(&ed, UP);
    }
    KITE_EXPECT_STREQ(ed.line, "cmd8");
}

KITE_TEST(shell, editor_tab_completion)
{
    start();
    kite_shell_ed_keys(&ed, "upt\t");
    KITE_EXPECT_STREQ(ed.line, "uptime "); /* one match: the whole name and a blank */
    kite_shell_ed_keys(&ed, "\x15"
                            "th\t");
    KITE_EXPECT_STREQ(ed.line, "threads ");
    kite_shell_ed_keys(&ed, "\x15"
                            "t");
    clear_screen();
    kite_shell_ed_keys(&ed, "\t"); /* several: listed, the line kept */
    KITE_EXPECT_STREQ(ed.line, "t");
    KITE_EXPECT(strstr(screen, "test  ") != NULL);
    KITE_EXPECT(strstr(screen, "threads  ") != NULL);
    KITE_EXPECT(strstr(screen, "timers  ") != NULL);
    KITE_EXPECT(strstr(screen, "uptime") == NULL);
    KITE_EXPECT(screen_ends_with("\n\r" KITE_SHELL_PROMPT "t"));
    kite_shell_ed_keys(&ed, "\x15"
                            "zzz\t");
    KITE_EXPECT_STREQ(ed.line, "zzz");
    kite_shell_ed_keys(&ed, "\x15"
                            "echo up\t"); /* only the command word completes */
    KITE_EXPECT_STREQ(ed.line, "echo up");
    /* In the middle of a line: the rest stays after the completed name. */
    kite_shell_ed_keys(&ed, "\x15"
                            "nu all" HOME RIGHT RIGHT "\t");
    KITE_EXPECT_STREQ(ed.line, "numa all");
    KITE_EXPECT_EQ(ed.cur, 4);
}

KITE_TEST(shell, editor_junk)
{
    char big[KITE_SHELL_LINE_MAX + 100];

    start();
    /* Every byte value, twice: control bytes, escapes, non-ASCII; nothing breaks. */
    for (int round = 0; round < 2; round++) {
        for (int c = 0; c < 256; c++) {
            if (c != '\r' && c != '\n' && c != 3) {
                (void)kite_shell_ed_key(&ed, c);
            }
        }
    }
    KITE_EXPECT(ed.len < KITE_SHELL_LINE_MAX);
    KITE_EXPECT(ed.cur <= ed.len);
    KITE_EXPECT_EQ(kite_shell_ed_key(&ed, -1), KITE_SHELL_ED_MORE);
    KITE_EXPECT_EQ(kite_shell_ed_key(&ed, 0x1234), KITE_SHELL_ED_MORE);
    kite_shell_ed_keys(&ed, "\x03");
    kite_shell_ed_prompt(&ed);

    /* A line longer than the editor holds is cut, and still entered. */
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    kite_shell_ed_keys(&ed, big);
    KITE_EXPECT_EQ(ed.len, KITE_SHELL_LINE_MAX - 1);
    kite_shell_ed_keys(&ed, LEFT "b");
    KITE_EXPECT_EQ(ed.len, KITE_SHELL_LINE_MAX - 1);
    KITE_EXPECT_EQ(kite_shell_ed_keys(&ed, "\r"), KITE_SHELL_ED_LINE);
    KITE_EXPECT_EQ(strlen(ed.result), KITE_SHELL_LINE_MAX - 1);

    /* Long and broken escape sequences; Alt-x (ESC x) is an x. */
    kite_shell_ed_keys(&ed, "\x1b[99999999999;5;7Z"
                            "\x1b[12\x01"
                            "\x1bx"
                            "\x1b[1;5C");
    KITE_EXPECT_STREQ(ed.line, "x");
    kite_shell_ed_keys(&ed, "\x1b["
                            "\x03");
    KITE_EXPECT_EQ(ed.esc, 0);
}

KITE_TEST(shell, run_bad_lines)
{
    char big[KITE_SHELL_LINE_MAX + 16];
    char words[KITE_SHELL_ARGS_MAX * 2 + 8];

    KITE_EXPECT_EQ(kite_shell_run(""), 0);
    KITE_EXPECT_EQ(kite_shell_run("   \t "), 0);
    KITE_EXPECT_EQ(kite_shell_run("bogus"), KITE_SHELL_UNKNOWN);
    KITE_EXPECT_EQ(kite_shell_run("\x01\x02\x7f"), KITE_SHELL_UNKNOWN);
    KITE_EXPECT_EQ(kite_shell_run("echo \"unclosed"), KITE_SHELL_UNKNOWN);
    KITE_EXPECT_EQ(kite_shell_run("\""), KITE_SHELL_UNKNOWN);
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    KITE_EXPECT_EQ(kite_shell_run(big), KITE_SHELL_UNKNOWN);
    for (size_t i = 0; i < sizeof(words) - 1; i++) {
        words[i] = i % 2 ? ' ' : 'w';
    }
    words[sizeof(words) - 1] = '\0';
    KITE_EXPECT_EQ(kite_shell_run(words), KITE_SHELL_UNKNOWN);
    /* Wrong arguments: the usage, status 2. */
    KITE_EXPECT_EQ(kite_shell_run("cpus now"), KITE_SHELL_USAGE);
    KITE_EXPECT_EQ(kite_shell_run("help bogus"), KITE_SHELL_USAGE);
    KITE_EXPECT_EQ(kite_shell_run("test"), KITE_SHELL_USAGE);
    KITE_EXPECT_EQ(kite_shell_run("dmesg -x"), KITE_SHELL_USAGE);
    KITE_EXPECT_EQ(kite_shell_run("dmesg -l"), KITE_SHELL_USAGE);
    KITE_EXPECT_EQ(kite_shell_run("dmesg -l 8"), KITE_SHELL_USAGE);
    KITE_EXPECT_EQ(kite_shell_run("config a b"), KITE_SHELL_USAGE);
    KITE_EXPECT_EQ(kite_shell_run("poweroff soon"), KITE_SHELL_USAGE);
    KITE_EXPECT_EQ(kite_shell_run("poweroff 999"), KITE_SHELL_USAGE);
    KITE_EXPECT_EQ(kite_shell_run("reboot now"), KITE_SHELL_USAGE);
    KITE_EXPECT_EQ(kite_shell_usage("uptime"), KITE_SHELL_USAGE);
}

KITE_TEST(shell, commands_succeed)
{
    static const char *const lines[] = {
        "help",
        "help cpus",
        "cpus",
        "numa",
        "mem",
        "threads",
        "irqs",
        "timers",
        "dmesg -l 2",
        "config",
        "config NR_CPUS",
        "config nosuch",
        "uptime",
        "echo \"two words\" x",
    };

    for (size_t i = 0; i < KITE_ARRAY_SIZE(lines); i++) {
        int status = kite_shell_run(lines[i]);

        if (status != 0) {
            KITE_FAIL("'%s' returned %d", lines[i], status);
        }
    }
}

KITE_TEST(shell, reboot_refused_in_partition)
{
    KITE_SKIP_IF(!kite_partition(), "reboot would reset this machine; only a partition refuses");
    KITE_EXPECT_EQ(kite_shell_run("reboot"), 1);
}

/* Feed @codes (ending with 0) to a fresh decoder; the bytes the keys sent. */
static const char *decode(const uint8_t *codes)
{
    static char out[64];
    struct kite_ps2kbd_state st = {0};
    size_t len = 0;

    for (; *codes; codes++) {
        char bytes[KITE_PS2KBD_OUT_MAX];
        unsigned int n = kite_ps2kbd_decode(&st, *codes, bytes);

        for (unsigned int i = 0; i < n && len + 1 < sizeof(out); i++) {
            out[len++] = bytes[i];
        }
    }
    out[len] = '\0';
    return out;
}

KITE_TEST(shell, ps2_scan_codes)
{
    /* h, i released, Shift+h, 1, Shift+1, space, Enter, Backspace, Tab, Esc. */
    static const uint8_t keys[] = {0x23, 0xa3, 0x17, 0x97, 0x2a, 0x23, 0xaa, 0x02, 0x36,
                                   0x02, 0xb6, 0x39, 0x1c, 0x0e, 0x0f, 0x01, 0};
    /* The arrows and Home, End, Delete (0xe0 prefixed), their releases send nothing. */
    static const uint8_t arrows[] = {0xe0, 0x48, 0xe0, 0xc8, 0xe0, 0x50, 0xe0, 0x4d, 0xe0,
                                     0x4b, 0xe0, 0x47, 0xe0, 0x4f, 0xe0, 0x53, 0};
    /* Ctrl+C, Ctrl+U (right Ctrl: 0xe0 0x1d), then c alone. */
    static const uint8_t ctrl[] = {0x1d, 0x2e, 0x9d, 0xe0, 0x1d, 0x16, 0xe0, 0x9d, 0x2e, 0};
    /* Caps Lock: a, A with Shift; again: a. Keyboard ACKs (0xfa) and unknown keys: nothing. */
    static const uint8_t caps[] = {0x3a, 0xba, 0x1e, 0x2a, 0x1e, 0xaa, 0x3a, 0x1e, 0xfa, 0x58, 0};
    static const uint8_t punct[] = {0x0c, 0x0d, 0x1a, 0x1b, 0x27, 0x28, 0x29, 0x2b,
                                    0x33, 0x34, 0x35, 0x2a, 0x28, 0x35, 0x0c, 0};

    KITE_EXPECT_STREQ(decode(keys), "hiH1! \r\x7f\t\x1b");
    KITE_EXPECT_STREQ(decode(arrows), "\x1b[A\x1b[B\x1b[C\x1b[D\x1b[H\x1b[F\x1b[3~");
    KITE_EXPECT_STREQ(decode(ctrl), "\x03\x15"
                                    "c");
    KITE_EXPECT_STREQ(decode(caps), "Aaa");
    KITE_EXPECT_STREQ(decode(punct), "-=[];'`\\,./\"?_");
}
