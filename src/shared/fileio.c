/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * State files live on tmpfs (/run/brnet), so rename() is the commit point; fsync would buy
 * nothing across a reboot that also loses the kernel objects the files describe.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/fileio.h"
#include "shared/macro.h"

int mkdir_parents(const char *path)
{
	_cleanup_(freep) char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return -errno;
		*s = c;
		if (c == '\0')
			break;
	}
	return 0;
}

int open_dir(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	return fd >= 0 ? fd : -errno;
}

int open_dir_made(int dirfd, const char *name)
{
	int fd = open_dir(dirfd, name);

	if (fd != -ENOENT)
		return fd;
	if (mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST)
		return -errno;
	return open_dir(dirfd, name);
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

struct data {
	const void *data;
	size_t len;
};

static int write_data(int fd, const void *userdata)
{
	const struct data *d = userdata;

	return write_all(fd, d->data, d->len);
}

/* Creates dirfd/name (flags: O_TRUNC or O_EXCL) and fills it with writer(); removes what it
 * could not fill. */
static int write_file_fresh(int dirfd, const char *name, int flags, file_writer_t writer,
			    const void *userdata)
{
	_cleanup_(closep) int fd = -EBADF;
	int r;

	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | flags, 0600);
	if (fd < 0)
		return -errno;
	r = writer(fd, userdata);
	if (r >= 0 && close(TAKE_FD(fd)) < 0)
		r = -errno;
	if (r < 0)
		(void)unlinkat(dirfd, name, 0);
	return r < 0 ? r : 0;
}

/* writer()'s content in a private file beside name (".<name>.<pid>.<kind>"), then put in its
 * place by rename() (replace) or link() (create, -EEXIST when name exists); the private file
 * goes. */
static int write_file_placed(int dirfd, const char *name, bool replace, file_writer_t writer,
			     const void *userdata)
{
	char tmp[256];
	int r;

	r = snprintf(tmp, sizeof(tmp), ".%s.%ld.%s", name, (long)getpid(), replace ? "tmp" : "new");
	if (r < 0 || (size_t)r >= sizeof(tmp))
		return -ENAMETOOLONG;
	r = write_file_fresh(dirfd, tmp, O_TRUNC, writer, userdata);
	if (r < 0)
		return r;
	if (replace ? renameat(dirfd, tmp, dirfd, name) < 0
		    : linkat(dirfd, tmp, dirfd, name, 0) < 0)
		r = -errno;
	if (r < 0 || !replace)
		(void)unlinkat(dirfd, tmp, 0);
	return r;
}

int write_file_atomic(int dirfd, const char *name, const void *data, size_t len)
{
	return write_file_placed(dirfd, name, true, write_data, &(struct data){ data, len });
}

int write_file_atomic_with(int dirfd, const char *name, file_writer_t writer, const void *userdata)
{
	return write_file_placed(dirfd, name, true, writer, userdata);
}

int write_file_exclusive(int dirfd, const char *name, const void *data, size_t len)
{
	return write_file_placed(dirfd, name, false, write_data, &(struct data){ data, len });
}

int write_file_new(int dirfd, const char *name, const void *data, size_t len)
{
	return write_file_fresh(dirfd, name, O_EXCL, write_data, &(struct data){ data, len });
}

int read_file_bounded(int dirfd, const char *name, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_(closep) int fd = -EBADF;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	return read_fd_bounded(fd, max, ret, ret_len);
}

int read_fd_bounded(int fd, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_(freep) char *buf = NULL;
	size_t len = 0, size = 0;

	/* The buffer grows as the data comes, up to max + 1 (one byte more tells that there is
	 * more than max): a bound of 64 MiB must not cost 64 MiB for a file of 400 bytes. */
	for (;;) {
		ssize_t n;

		if (len == size) {
			size_t want = size == 0 ? 4096 : size * 2;
			char *grown;

			if (size > max)
				return -EFBIG;
			if (want > max + 1)
				want = max + 1;
			grown = realloc(buf, want + 1); /* and the terminating NUL */
			if (!grown)
				return -ENOMEM;
			buf = grown;
			size = want;
		}
		n = read(fd, buf + len, size - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return -EFBIG;
	}
	buf[len] = '\0';
	*ret = steal_pointer(&buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

/* The line from start to end (its '\n', or where its NUL can go) to line(), terminated; one
 * with a NUL byte in it is no line of text. */
static int text_line(char *start, char *end, unsigned lineno,
		     int (*line)(char *text, size_t len, unsigned lineno, void *userdata),
		     void *userdata)
{
	if (memchr(start, '\0', (size_t)(end - start)))
		return -EILSEQ;
	*end = '\0';
	return line(start, (size_t)(end - start), lineno, userdata);
}

int read_lines(int fd, char *buf, size_t size,
	       int (*line)(char *text, size_t len, unsigned lineno, void *userdata), void *userdata,
	       unsigned *ret_lineno)
{
	size_t len = 0; /* bytes held in buf: the start of a line, read so far */
	unsigned lineno = 0;
	int r = 0;

	if (size < 2)
		return -EINVAL;
	for (;;) {
		char *start = buf, *nl;
		ssize_t n = read(fd, buf + len, size - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		len += (size_t)n;
		/* A line's '\n' is where its NUL goes: a line of size - 1 bytes fits. */
		while ((nl = memchr(start, '\n', len - (size_t)(start - buf)))) {
			r = text_line(start, nl, ++lineno, line, userdata);
			if (r < 0)
				goto out;
			start = nl + 1;
		}
		len -= (size_t)(start - buf);
		memmove(buf, start, len);
		if (len == size) {
			lineno++; /* the line that does not fit */
			r = -ENOBUFS;
			break;
		}
		if (n == 0) {
			if (len > 0) /* the last line, without its '\n' */
				r = text_line(buf, buf + len, ++lineno, line, userdata);
			break;
		}
	}
out:
	if (ret_lineno)
		*ret_lineno = lineno;
	return r < 0 ? r : 0;
}

int lock_file_open(int dirfd, const char *name)
{
	return lock_file(dirfd, name, true);
}

/* An OFD write lock on len bytes at start of fd (len 0: to the end and beyond). */
static int lock_fd(int fd, off_t start, off_t len, bool wait)
{
	struct flock fl = {
		.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len
	};

	while (fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl) < 0) {
		if (errno == EAGAIN || errno == EACCES)
			return -EBUSY;
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

int lock_file(int dirfd, const char *name, bool wait)
{
	for (;;) {
		_cleanup_(closep) int fd = -EBADF;
		struct stat st, now;
		int r;

		fd = openat(dirfd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return -errno;
		r = lock_fd(fd, 0, 0, wait);
		if (r < 0)
			return r;
		/* The holder before us may have removed the file (a network that was never
		 * created); a lock on an unlinked inode protects nothing, so start over. */
		if (fstat(fd, &st) < 0)
			return -errno;
		if (fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		if (st.st_ino == now.st_ino && st.st_dev == now.st_dev)
			return TAKE_FD(fd);
	}
}

int lock_file_byte(int dirfd, const char *name, uint64_t key, bool wait)
{
	_cleanup_(closep) int fd = -EBADF;
	int r;

	fd = openat(dirfd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	r = lock_fd_byte(fd, key, wait);
	if (r < 0)
		return r;
	return TAKE_FD(fd);
}

int lock_fd_byte(int fd, uint64_t key, bool wait)
{
	/* Any 62 bits of the key: a byte offset well inside what a lock can reach. */
	return lock_fd(fd, (off_t)(key >> 2), 1, wait);
}
