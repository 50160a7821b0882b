# SPDX-License-Identifier: MIT
# Host tests of the task runtime (test/host/tests.mk includes this).
utest-task_deque := rt/task/tests/deque_utest.c
