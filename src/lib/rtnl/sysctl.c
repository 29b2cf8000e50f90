/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Global sysctls (net.ipv4.ip_forward) have no rtnetlink setter; /proc/sys/net resolves to the
 * network namespace of the opener, so this touches only the namespace the process is in.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "lib/rtnl/rtnl.h"
#include "shared/macro.h"

int sysctl_read(const char *path, char *buf, size_t size)
{
	_cleanup_(closep) int fd = -EBADF;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return 0;
}

int sysctl_write(const char *path, const char *value)
{
	_cleanup_(closep) int fd = -EBADF;
	char cur[64];
	size_t len = strlen(value);

	if (sysctl_read(path, cur, sizeof(cur)) >= 0 && strcmp(cur, value) == 0)
		return 0;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len)
		return errno ? -errno : -EIO;
	return 0;
}
