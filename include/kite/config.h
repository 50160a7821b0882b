/* SPDX-License-Identifier: MIT */
/*
 * Build configuration. The kernel build force-includes the generated
 * autoconf.h (CONFIG_* from Kconfig); IS_ENABLED(CONFIG_X) is 1 when a bool
 * option is set and 0 otherwise, so `if (IS_ENABLED(...))` keeps both
 * branches compiled.
 */
#pragma once

#define KITE_ARG_PLACEHOLDER_1              0,
#define KITE_TAKE_SECOND(ignored, val, ...) val
#define KITE_IS_DEFINED3(arg1_or_junk)      KITE_TAKE_SECOND(arg1_or_junk 1, 0, 0)
#define KITE_IS_DEFINED2(val)               KITE_IS_DEFINED3(KITE_ARG_PLACEHOLDER_##val)
#define IS_ENABLED(option)                  KITE_IS_DEFINED2(option)
