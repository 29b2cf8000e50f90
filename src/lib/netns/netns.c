/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening network namespaces safely: nsfs is checked with NS_GET_NSTYPE, so a regular file or
 * a mount namespace path passed by mistake is refused before anything is changed. */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <linux/sockios.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/netns/netns.h"
#include "shared/error.h"
#include "shared/fileio.h"
#include "shared/macro.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static int check_netns(int fd)
{
	struct statfs sfs;
	int type;

	if (fstatfs(fd, &sfs) < 0)
		return -errno;
	if (sfs.f_type != NSFS_MAGIC)
		return -EINVAL;
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0)
		return -errno;
	return type == CLONE_NEWNET ? 0 : -EINVAL;
}

int netns_open_path(const char *path, struct brnet_error *err)
{
	_cleanup_(closep) int fd = -EBADF;
	int r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return brnet_err(err, EINVAL, "invalid netns path \"%s\": %s", path,
				 strerror(errno));
	r = check_netns(fd);
	if (r < 0)
		return brnet_err(err, EINVAL, "invalid netns path \"%s\": not a network namespace",
				 path);
	return TAKE_FD(fd);
}

int netns_open_pid(pid_t pid, struct brnet_error *err)
{
	char path[64];
	_cleanup_(closep) int fd = -EBADF;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return brnet_err(err, EINVAL, "invalid pid %d: no such process", (int)pid);
		return brnet_err(err, errno, "cannot open network namespace of pid %d: %s",
				 (int)pid, strerror(errno));
	}
	if (check_netns(fd) < 0)
		return brnet_err(err, EINVAL, "invalid pid %d: no network namespace", (int)pid);
	return TAKE_FD(fd);
}

int netns_is_own(int fd, int sock)
{
	_cleanup_(closep) int own = -EBADF;
	struct stat a, b;

	if (fstat(fd, &a) < 0)
		return -errno;
	/* SIOCGSKNS (CAP_NET_ADMIN, which setup needs anyway): 3 us in a fresh process, where
	 * the walk through /proc takes 10. */
	own = sock >= 0 ? ioctl(sock, SIOCGSKNS) : -1;
	if (own >= 0 ? fstat(own, &b) < 0 : stat("/proc/thread-self/ns/net", &b) < 0)
		return -errno;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int proc_stat(pid_t pid, char *ret_state, uint64_t *ret_start);

int proc_start_time(pid_t pid, uint64_t *ret)
{
	return proc_stat(pid, NULL, ret);
}

bool proc_alive(pid_t pid, uint64_t start)
{
	uint64_t now;
	char state;

	/* A zombie has already left its namespaces: as good as gone. */
	return proc_stat(pid, &state, &now) >= 0 && now == start && state != 'Z' && state != 'X';
}

static int proc_stat(pid_t pid, char *ret_state, uint64_t *ret_start)
{
	char path[64];
	_cleanup_(freep) char *buf = NULL;
	unsigned long long start;
	char *end;
	char *p;
	int r;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	r = read_file_bounded(AT_FDCWD, path, 4096, &buf, NULL);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	/* comm may hold spaces and parentheses: fields resume after the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EBADMSG;
	/* After ") " come state (field 3) .. starttime (field 22): skip 19 fields. */
	p++;
	if (ret_state)
		*ret_state = p[0] == ' ' ? p[1] : '?';
	for (int i = 0; i < 19; i++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EBADMSG;
	}
	errno = 0;
	start = strtoull(p + 1, &end, 10);
	if (errno != 0 || end == p + 1 || (*end != ' ' && *end != '\n' && *end != '\0'))
		return -EBADMSG;
	*ret_start = start;
	return 0;
}
