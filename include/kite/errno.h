/* SPDX-License-Identifier: MIT */
/*
 * Error codes. Commands return 0 or a negative -KITE_E* value.
 */
#pragma once

#define KITE_EPERM     1  /* operation not permitted */
#define KITE_ENOENT    2  /* no such entry */
#define KITE_ESRCH     3  /* no such thread */
#define KITE_EIO       5  /* input/output error */
#define KITE_E2BIG     7  /* argument list or value too long */
#define KITE_EAGAIN    11 /* try again (would block) */
#define KITE_ENOMEM    12 /* out of memory */
#define KITE_EFAULT    14 /* bad address */
#define KITE_EBUSY     16 /* resource busy */
#define KITE_EEXIST    17 /* already exists */
#define KITE_ENODEV    19 /* no such device */
#define KITE_EINVAL    22 /* invalid argument */
#define KITE_ENOSPC    28 /* no room left (table full) */
#define KITE_ERANGE    34 /* value out of range */
#define KITE_EDEADLK   35 /* would deadlock (already owned by the caller) */
#define KITE_ENOSYS    38 /* not implemented */
#define KITE_ETIMEDOUT 110

/* Short name of an error code ("EINVAL"), for log messages. */
const char *kite_strerror(int err);
