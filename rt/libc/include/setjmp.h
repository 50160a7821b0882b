/* SPDX-License-Identifier: MIT */
/*
 * Non-local jumps (arch/x86_64/setjmp.S). longjmp must go to a setjmp of
 * the same thread whose function has not returned yet. Kite has no
 * signals, so sigsetjmp and siglongjmp are setjmp and longjmp.
 */
#pragma once

typedef unsigned long jmp_buf[8];
typedef jmp_buf sigjmp_buf;

int setjmp(jmp_buf env) __attribute__((returns_twice));
int _setjmp(jmp_buf env) __attribute__((returns_twice));
__attribute__((noreturn)) void longjmp(jmp_buf env, int val);
__attribute__((noreturn)) void _longjmp(jmp_buf env, int val);

#define sigsetjmp(env, savemask) setjmp(env)
#define siglongjmp(env, val)     longjmp(env, val)
