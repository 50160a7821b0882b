/* SPDX-License-Identifier: MIT */
/*
 * errno per thread (Kite threads get their own copy of __thread data) and
 * strerror's messages.
 */
#include <errno.h>
#include <string.h>

static __thread int thread_errno;

int *__kite_errno(void)
{
    return &thread_errno;
}

struct message {
    int err;
    const char *text;
};

static const struct message messages[] = {
    {0, "Success"},
    {EPERM, "Operation not permitted"},
    {ENOENT, "No such file or directory"},
    {ESRCH, "No such process"},
    {EINTR, "Interrupted system call"},
    {EIO, "Input/output error"},
    {E2BIG, "Argument list too long"},
    {EBADF, "Bad file descriptor"},
    {EAGAIN, "Resource temporarily unavailable"},
    {ENOMEM, "Cannot allocate memory"},
    {EACCES, "Permission denied"},
    {EFAULT, "Bad address"},
    {EBUSY, "Device or resource busy"},
    {EEXIST, "File exists"},
    {ENODEV, "No such device"},
    {EINVAL, "Invalid argument"},
    {ENOSPC, "No space left on device"},
    {EDOM, "Numerical argument out of domain"},
    {ERANGE, "Numerical result out of range"},
    {EDEADLK, "Resource deadlock avoided"},
    {ENOSYS, "Function not implemented"},
    {ENOTSUP, "Operation not supported"},
    {ETIMEDOUT, "Connection timed out"},
};

/* glibc's wording, so that messages read the same on Kite and Linux. */
char *strerror(int err)
{
    for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++) {
        if (messages[i].err == err) {
            return (char *)messages[i].text;
        }
    }
    return (char *)"Unknown error";
}
