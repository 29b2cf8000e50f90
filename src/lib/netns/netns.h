/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network namespaces: opened by path or by pid, and checked to really be network namespaces. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "brnet.h"

/* Returns an O_CLOEXEC fd of the network namespace at path; -EINVAL if it is not one. */
int netns_open_path(const char *path, struct brnet_error *err);
/* Returns an fd of the network namespace of pid; -ESRCH (as -EINVAL) if there is no such pid. */
int netns_open_pid(pid_t pid, struct brnet_error *err);
/* 1 if fd is the calling thread's own network namespace (the bridge's), 0 if not. sock: a
 * socket of ours, whose namespace the kernel hands out cheaper than /proc does (< 0: none). */
int netns_is_own(int fd, int sock);
/* The start time of pid in clock ticks since boot (field 22 of /proc/PID/stat): with the pid,
 * it names a process uniquely, so PID reuse is never mistaken for the same process. */
int proc_start_time(pid_t pid, uint64_t *ret);
/* True when pid is the process that started at start and has not exited (zombies have). */
bool proc_alive(pid_t pid, uint64_t start);
