/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shared/capability.h"
#include "shared/fileio.h"
#include "shared/macro.h"

bool capability_effective(int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { 0 };

	if (cap < 0 || CAP_TO_INDEX(cap) >= _LINUX_CAPABILITY_U32S_3 ||
	    syscall(SYS_capget, &h, d) < 0)
		return true;
	return d[CAP_TO_INDEX(cap)].effective & CAP_TO_MASK(cap);
}

/* What follows "key" at the start of a line of text, or NULL. */
static const char *status_line(const char *text, const char *key)
{
	size_t len = strlen(key);

	for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, len) == 0)
			return p + len;
	return NULL;
}

/* The number at *p after blanks, in base, ending at a blank or the line's end; *p moves past
 * it. */
static int status_number(const char **p, int base, uint64_t *ret)
{
	const char *s = *p;
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	if (base == 16 ? !isxdigit((unsigned char)*s) : !isdigit((unsigned char)*s))
		return -EBADMSG;
	errno = 0;
	*ret = strtoull(s, &end, base);
	if (errno != 0 || (*end != ' ' && *end != '\t' && *end != '\n' && *end != '\0'))
		return -EBADMSG;
	*p = end;
	return 0;
}

int proc_status_creds(const char *text, struct proc_creds *ret)
{
	uint64_t real, eff, prm, bnd;
	const char *p;

	/* "Uid:" gives the real, effective, saved and file system ids. */
	p = status_line(text, "Uid:");
	if (!p || status_number(&p, 10, &real) < 0 || status_number(&p, 10, &eff) < 0 ||
	    eff > UINT32_MAX)
		return -EBADMSG;
	p = status_line(text, "CapPrm:");
	if (!p || status_number(&p, 16, &prm) < 0)
		return -EBADMSG;
	p = status_line(text, "CapBnd:");
	if (!p || status_number(&p, 16, &bnd) < 0)
		return -EBADMSG;
	*ret = (struct proc_creds){ .euid = (uid_t)eff, .cap_prm = prm, .cap_bnd = bnd };
	return 0;
}

/* 1 when pid's namespace of that kind is this process's, 0 when not. */
static int same_namespace(pid_t pid, const char *kind)
{
	char path[64];
	struct stat theirs, ours;

	snprintf(path, sizeof(path), "/proc/%ld/ns/%s", (long)pid, kind);
	if (stat(path, &theirs) < 0)
		return -errno;
	snprintf(path, sizeof(path), "/proc/self/ns/%s", kind);
	if (stat(path, &ours) < 0)
		return -errno;
	return theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino;
}

int process_can_enter_our_netns(pid_t pid)
{
	_cleanup_(freep) char *text = NULL;
	struct proc_creds c;
	uint64_t admin = UINT64_C(1) << CAP_SYS_ADMIN;
	char name[64];
	int r;

	r = same_namespace(pid, "user");
	if (r <= 0)
		return r;
	r = same_namespace(pid, "pid");
	if (r == 0)
		r = same_namespace(pid, "mnt");
	if (r <= 0)
		return r;
	snprintf(name, sizeof(name), "/proc/%ld/status", (long)pid);
	r = read_file_bounded(AT_FDCWD, name, 16384, &text, NULL);
	if (r < 0)
		return r;
	r = proc_status_creds(text, &c);
	if (r < 0)
		return r;
	return (c.cap_prm & admin) || (c.euid == 0 && (c.cap_bnd & admin));
}
