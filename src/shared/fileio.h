/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small file helpers for the state directory: atomic replace, bounded reads, OFD locks. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Creates dir and its parents (mode 0700 for new ones); an existing directory is fine. */
int mkdir_parents(const char *path);
/* Opens dirfd/name as a directory, not through a symlink. The fd, or -errno. */
int open_dir(int dirfd, const char *name);
/* Opens dirfd/name as open_dir() does, making it (0700) when it is missing:
 * the usual case, a directory that exists, costs one system call. The fd, or -errno. */
int open_dir_made(int dirfd, const char *name);

/* All of data to fd, through short writes and EINTR. 0 or -errno. */
int write_all(int fd, const void *data, size_t len);

/* Writes a file's content to fd: >= 0, or -errno to give up (the file is then removed). */
typedef int (*file_writer_t)(int fd, const void *userdata);

/* Writes data to dirfd/name through a temporary file and rename(): readers see the old or the
 * new content, never a mix; on any error (ENOSPC included) the old file is untouched. */
int write_file_atomic(int dirfd, const char *name, const void *data, size_t len);
/* The same with content writer() makes a piece at a time: a long file needs no buffer of its
 * length. */
int write_file_atomic_with(int dirfd, const char *name, file_writer_t writer, const void *userdata);

/* Creates dirfd/name, which must not exist (-EEXIST), atomically for readers: the content is
 * written to a private file first and link()ed into place. */
int write_file_exclusive(int dirfd, const char *name, const void *data, size_t len);
/* Creates dirfd/name, which must not exist (-EEXIST), with data as its content; a file it could
 * not fill is removed. Not atomic for readers: for files written under a lock readers take. */
int write_file_new(int dirfd, const char *name, const void *data, size_t len);

/* Reads at most max bytes of dirfd/name into a NUL-terminated buffer. -ENOENT if missing,
 * -EFBIG if larger than max. */
int read_file_bounded(int dirfd, const char *name, size_t max, char **ret, size_t *ret_len);
/* The same from an open descriptor (a pipe, stdin), to its end. */
int read_fd_bounded(int fd, size_t max, char **ret, size_t *ret_len);

/* Reads fd to its end a chunk at a time into buf (size bytes) and calls line() with each line,
 * NUL-terminated in place without its '\n', and its number from 1; the last line needs no
 * '\n'. Memory stays at buf, however long the file: a list of 10,000 read whole was 40 more
 * pages for a setup to fault in. Stops at line()'s first negative return and returns it;
 * -ENOBUFS for a line longer than size - 1 bytes, -EILSEQ for one with a NUL byte in it (text
 * has none); *ret_lineno is the number of the last line read (the failing one). */
int read_lines(int fd, char *buf, size_t size,
	       int (*line)(char *text, size_t len, unsigned lineno, void *userdata), void *userdata,
	       unsigned *ret_lineno);

/* Opens (creating) dirfd/name and takes an OFD write lock on it, waiting. Returns the fd; the
 * lock goes with the last close. */
int lock_file_open(int dirfd, const char *name);
/* The same; with wait false, -EBUSY at once when someone holds the lock. */
int lock_file(int dirfd, const char *name, bool wait);
/* Many locks in one file that is never removed: an OFD write lock on one byte of dirfd/name
 * (created when missing), at an offset taken from key. Two keys that land on the same byte
 * share a lock, which only makes their holders wait for each other. Returns the fd; -EBUSY
 * with wait false when the byte is held. */
int lock_file_byte(int dirfd, const char *name, uint64_t key, bool wait);
/* The same byte's lock on fd, a descriptor of that file: one descriptor holds many such locks
 * (they are the open file description's), all released by its last close. 0 or -EBUSY. */
int lock_fd_byte(int fd, uint64_t key, bool wait);
