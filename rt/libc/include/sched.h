/* SPDX-License-Identifier: MIT */
/* The scheduler calls of POSIX that runtimes use (rt/libc/time.c). */
#pragma once

/* Let other threads of this CPU run; always 0. */
int sched_yield(void);
/* The CPU the caller runs on now (it may move afterwards unless bound). */
int sched_getcpu(void);
