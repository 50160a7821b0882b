/* SPDX-License-Identifier: MIT */
/*
 * The in-kernel test runner. kite.test= selects tests from the .kite_tests
 * section: "all", a suite, or suite.name, comma-separated. Each selected test
 * runs once and gets one result line; the run ends with
 * "N passed, N failed". A selector that matches nothing is an error that
 * counts as a failure, never a silent pass.
 */
#define KITE_LOG_PREFIX "test: "

#include <kite/arch.h>
#include <kite/printk.h>
#include <kite/string.h>
#include <kite/test.h>

#define MAX_SELECTORS 32
#define SELECTOR_MAX  64

extern const struct kite_test __kite_tests_start[], __kite_tests_end[];
extern bool kite_test_running;
#define tests_end KITE_SECTION_END(__kite_tests_start, __kite_tests_end)

int kite_test_strcmp(const char *a, const char *b)
{
    return strcmp(a, b);
}

uint64_t kite_test_median(uint64_t *v, unsigned int n)
{
    /* Insertion sort: a thousand samples, once per probe. */
    for (unsigned int i = 1; i < n; i++) {
        uint64_t x = v[i];
        unsigned int j = i;

        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
    return n ? v[n / 2] : 0;
}

uint64_t kite_test_tsc_cost(uint64_t *scratch, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        uint64_t t0 = arch_tsc();

        scratch[i] = arch_tsc() - t0;
    }
    return kite_test_median(scratch, n);
}

void kite_test_fail(struct kite_test_ctx *kt, const char *file, int line, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    kite_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    kt->failures++;
    kite_pr_err("  %s:%d: %s\n", file, line, msg);
}

/* Does @sel ("all", "suite" or "suite.name") pick @t? */
static bool selects(const char *sel, const struct kite_test *t)
{
    size_t n = strlen(t->suite);

    if (strncmp(sel, t->suite, n) == 0 && sel[n] == '.' && strcmp(sel + n + 1, t->name) == 0) {
        return true;
    }
    if (t->manual) {
        return false;
    }
    return strcmp(sel, "all") == 0 || strcmp(sel, t->suite) == 0;
}

/* Append @item to the comma list in @line (of @size bytes) unless it is already there or full. */
static void list_add(char *line, size_t size, const char *item)
{
    size_t len = strlen(line), n = strlen(item);

    for (const char *p = line; (p = strstr(p, item)) != NULL; p += n) {
        if ((p == line || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0')) {
            return;
        }
    }
    if (len + n + 3 < size) {
        kite_snprintf(line + len, size - len, "%s%s", len ? ", " : "", item);
    }
}

/* Say what kite.test= could have named: the suites, and the manual tests one by one. */
static void list_choices(void)
{
    char suites[256] = "", manual[256] = "", name[SELECTOR_MAX];

    for (const struct kite_test *t = __kite_tests_start; t < tests_end; t++) {
        if (t->manual) {
            kite_snprintf(name, sizeof(name), "%s.%s", t->suite, t->name);
            list_add(manual, sizeof(manual), name);
        } else {
            list_add(suites, sizeof(suites), t->suite);
        }
    }
    kite_pr_err("  the suites are: %s\n", suites[0] ? suites : "(none: built without tests)");
    if (manual[0]) {
        kite_pr_err("  manual tests, which only their full name runs: %s\n", manual);
    }
}

int kite_test_run(const char *spec)
{
    char sels[MAX_SELECTORS][SELECTOR_MAX];
    unsigned int nsel = 0, passed = 0, failed = 0, skipped = 0;
    const char *p = spec;

    /* Split the comma list; empty items are skipped. */
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);

        if (n >= SELECTOR_MAX || nsel == MAX_SELECTORS) {
            kite_pr_err("kite.test=%s: selector '%.*s' is too long or there are more than %d; "
                        "expected all, a suite or suite.name, comma-separated\n",
                        spec, (int)n, p, MAX_SELECTORS);
            failed++;
        } else if (n > 0) {
            memcpy(sels[nsel], p, n);
            sels[nsel++][n] = '\0';
        }
        p += n + (end ? 1 : 0);
    }

    kite_test_running = true;
    kite_pr_info("running kite.test=%s\n", spec);
    for (const struct kite_test *t = __kite_tests_start; t < tests_end; t++) {
        struct kite_test_ctx ctx = {0};
        bool picked = false;

        for (unsigned int i = 0; i < nsel && !picked; i++) {
            picked = selects(sels[i], t);
        }
        if (!picked) {
            continue;
        }
        t->fn(&ctx);
        if (ctx.skipped && !ctx.failures) {
            skipped++;
            kite_pr_info("skip %s.%s: %s\n", t->suite, t->name, ctx.skipped);
        } else if (ctx.failures) {
            failed++;
            kite_pr_info("FAIL %s.%s (%s:%d)\n", t->suite, t->name, t->file, t->line);
        } else {
            passed++;
            kite_pr_info("ok   %s.%s\n", t->suite, t->name);
        }
    }

    for (unsigned int i = 0; i < nsel; i++) {
        bool any = false;

        for (const struct kite_test *t = __kite_tests_start; t < tests_end && !any; t++) {
            any = selects(sels[i], t);
        }
        if (!any) {
            kite_pr_err("no test matches '%s' (kite.test= takes all, a suite or suite.name)\n",
                        sels[i]);
            list_choices();
            failed++;
        }
    }
    if (nsel == 0 && failed == 0) {
        kite_pr_err("kite.test= is empty; expected all, a suite or suite.name\n");
        failed++;
    }
    kite_test_running = false;
    if (skipped) {
        kite_pr_info("%u skipped (each says why above)\n", skipped);
    }
    kite_pr_info("%u passed, %u failed\n", passed, failed);
    return (int)failed;
}
