/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The capabilities of this process, and what another one could do with its own. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* cap is a CAP_* number; true also when the kernel cannot be asked (the request's own error
 * then says what is wrong). */
bool capability_effective(int cap);

/* A process's credentials as /proc/PID/status gives them. */
struct proc_creds {
	uid_t euid;
	uint64_t cap_prm; /* permitted: what it can raise now */
	uint64_t cap_bnd; /* bounding: what an exec can give it back */
};

/* Parses the Uid:, CapPrm: and CapBnd: lines of /proc/PID/status text; -EBADMSG when one is
 * missing or malformed. Pure. */
int proc_status_creds(const char *text, struct proc_creds *ret);

/* Whether process pid could enter the network namespace of this process (the host's, for a
 * runtime's container) and so leave a policy on its own: it lives in this process's user
 * namespace, sees this process's processes (their PID or mount namespace), and holds
 * CAP_SYS_ADMIN in its permitted set, or in its bounding set as root (an exec gives root
 * back its bounding set). 1, 0, or -errno when /proc does not say. */
int process_can_enter_our_netns(pid_t pid);
