// SPDX-License-Identifier: MIT
/*
 * Wrappers for the few libgcc helpers that keep values in the red zone
 * (mklibgcc.sh renames the originals __kite_libgcc_NAME). Like musl's math
 * (rt/libm/wrap.h), they run with interrupts off: Debian builds libgcc for
 * user space, and in Kite's ring 0 an interrupt would push its frame over
 * the values they keep below the stack pointer.
 *
 * mklibgcc.sh compiles this file once per helper, with -DKITE_WRAP_NAME,
 * so an image links only the helpers it calls.
 */
#include "../irqs_off.h"

#define KITE_WRAP(ret, name, params, args) \
    KITE_IRQS_OFF_WRAP(__kite_libgcc_##name, ret, name, params, args)

typedef unsigned __int128 kite_u128;

#if defined(KITE_WRAP___umodti3)
/* unsigned __int128 a % b */
KITE_WRAP(kite_u128, __umodti3, (kite_u128 a, kite_u128 b), (a, b))
#elif defined(KITE_WRAP___udivmodti4)
/* a / b, and a % b into *rem when rem is not NULL */
KITE_WRAP(kite_u128, __udivmodti4, (kite_u128 a, kite_u128 b, kite_u128 *rem), (a, b, rem))
#elif defined(KITE_WRAP___mulsc3)
/* float _Complex multiplication, with C's rules for infinities and NaNs */
KITE_WRAP(float _Complex, __mulsc3, (float a, float b, float c, float d), (a, b, c, d))
#elif defined(KITE_WRAP___divsc3)
/* float _Complex division */
KITE_WRAP(float _Complex, __divsc3, (float a, float b, float c, float d), (a, b, c, d))
#else
#error "mklibgcc.sh compiles this with -DKITE_WRAP_NAME for one helper"
#endif
