/* SPDX-License-Identifier: MIT */
/*
 * errno, one per thread (a __thread variable). The values are Linux's, which
 * are also Kite's: -KITE_EINVAL == -EINVAL.
 */
#pragma once

int *__kite_errno(void);
#define errno (*__kite_errno())

#define EPERM     1
#define ENOENT    2
#define ESRCH     3
#define EINTR     4
#define EIO       5
#define E2BIG     7
#define EBADF     9
#define EAGAIN    11
#define ENOMEM    12
#define EACCES    13
#define EFAULT    14
#define EBUSY     16
#define EEXIST    17
#define ENODEV    19
#define EINVAL    22
#define ENOSPC    28
#define EDOM      33
#define ERANGE    34
#define EDEADLK   35
#define ENOSYS    38
#define ENOTSUP   95
#define ETIMEDOUT 110

#define EWOULDBLOCK EAGAIN
#define EOPNOTSUPP  ENOTSUP
