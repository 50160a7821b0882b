/* SPDX-License-Identifier: MIT */
/*
 * Init levels: run the KITE_INIT hooks of one level, by name, in link order.
 */
#define KITE_LOG_PREFIX "init: "

#include <kite/errno.h>
#include <kite/init.h>
#include <kite/printk.h>

extern const struct kite_init_hook __kite_init_start[], __kite_init_end[];

int kite_init_level(int level)
{
    int failed = 0;

    for (const struct kite_init_hook *h = __kite_init_start;
         h < KITE_SECTION_END(__kite_init_start, __kite_init_end); h++) {
        int rc;

        if (h->level != level) {
            continue;
        }
        kite_pr_debug("level %d: %s\n", level, h->name);
        rc = h->fn();
        if (rc) {
            kite_pr_err("%s failed: %s (%d); boot goes on without it\n", h->name, kite_strerror(rc),
                        rc);
            failed++;
        }
    }
    return failed;
}
