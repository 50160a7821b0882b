/* SPDX-License-Identifier: MIT */
/*
 * assert: a false expression stops the machine with a panic that names the
 * expression, the file, the line and the function (and a backtrace). With
 * NDEBUG defined before the include, assert(e) is ((void)0) and e is not
 * evaluated. Like every C library's, this header may be included again with
 * NDEBUG changed, so it has no include guard.
 */
#undef assert

#ifdef NDEBUG
#define assert(e) ((void)0)
#else
_Noreturn void __kite_assert_fail(const char *expr, const char *file, int line, const char *func);
#define assert(e) ((e) ? (void)0 : __kite_assert_fail(#e, __FILE__, __LINE__, __func__))
#endif

#ifndef __cplusplus
#define static_assert _Static_assert
#endif
