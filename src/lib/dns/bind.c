/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * brnet_resolv_bind(): the DNS settings bound read-only over /etc/resolv.conf inside a running
 * container's mount namespace, without a moment in which the container sees anything else.
 * A child process (setns into a mount namespace needs a single-threaded caller, and must not
 * change ours) makes the file on a private tmpfs in a mount namespace of its own, clones a
 * detached read-only bind of it (open_tree), enters the container's mount namespace and
 * attaches the clone there (move_mount). The host's namespaces are never changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/config/config.h"
#include "lib/dns/resolv.h"
#include "shared/error.h"
#include "shared/macro.h"

#define STAGING "/tmp"

/* In the child: 0 or -errno; *stage names the step that failed. */
static int bind_in_child(const char *text, size_t len, int mntns_fd, const char **stage)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
					       MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC };
	int fd, tree;

	*stage = "cannot make a private mount namespace";
	if (unshare(CLONE_NEWNS | CLONE_FS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	*stage = "cannot stage resolv.conf on a private tmpfs";
	if (mount("brnet-resolv", STAGING, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=16k,mode=0755") < 0)
		return -errno;
	fd = open(STAGING "/resolv.conf", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	close(fd);
	*stage = "cannot clone the staged resolv.conf";
	tree = open_tree(AT_FDCWD, STAGING "/resolv.conf", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0 || mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return -errno;
	*stage = "cannot enter the container's mount namespace";
	if (setns(mntns_fd, CLONE_NEWNS) < 0)
		return -errno;
	*stage = "cannot bind resolv.conf over the container's /etc/resolv.conf";
	/* A container without the file gets an empty one to bind over, in its own /etc. */
	fd = open("/etc/resolv.conf", O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	close(fd);
	if (move_mount(tree, "", AT_FDCWD, "/etc/resolv.conf", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

int brnet_resolv_bind(const brnet_config *cfg, pid_t pid, struct brnet_error *err)
{
	_cleanup_(freep) char *text = NULL;
	_cleanup_(closep) int mntns = -EBADF;
	struct {
		int error;
		char stage[96];
	} rep = { 0 };
	char path[64];
	int n, pipefd[2], status;
	pid_t child;

	if (!cfg || pid <= 0)
		return -EINVAL;
	n = brnet_resolv_conf(cfg, &text, err);
	if (n <= 0)
		return n;
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	mntns = open(path, O_RDONLY | O_CLOEXEC);
	if (mntns < 0)
		return brnet_err(err, errno, "cannot open the mount namespace of pid %d: %s",
				 (int)pid, strerror(errno));
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	child = fork();
	if (child < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (child == 0) {
		const char *stage = "";
		int r = bind_in_child(text, (size_t)n, mntns, &stage);

		rep.error = -r;
		snprintf(rep.stage, sizeof(rep.stage), "%s", stage);
		(void)!write(pipefd[1], &rep, sizeof(rep));
		_exit(r < 0 ? 1 : 0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &rep, sizeof(rep)) != sizeof(rep))
		rep.error = EIO;
	close(pipefd[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (rep.error)
		return brnet_err(err, rep.error, "%s of pid %d: %s",
				 rep.stage[0] ? rep.stage : "cannot bind resolv.conf", (int)pid,
				 strerror(rep.error));
	return 0;
}
