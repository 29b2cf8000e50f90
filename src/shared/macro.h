/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Ownership helpers in the style of systemd: _cleanup_ locals, and explicit hand-over of
 * ownership on the success path. Inline functions, because statement expressions are not C17.
 */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _noinline_ __attribute__((noinline))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _warn_unused_result_ __attribute__((warn_unused_result))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define SWAP_TWO(a, b)                                                                             \
	do {                                                                                       \
		__typeof__(a) _swap_tmp = (a);                                                     \
		(a) = (b);                                                                         \
		(b) = _swap_tmp;                                                                   \
	} while (0)

static inline void *steal_ptr(void **p)
{
	void *q = *p;

	*p = NULL;
	return q;
}
#define steal_pointer(pp) steal_ptr((void **)(pp))

static inline int take_fd(int *fd)
{
	int r = *fd;

	*fd = -EBADF;
	return r;
}
#define TAKE_FD(fd) take_fd(&(fd))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

/* Room for element n of a growing array: when n reaches *cap, doubles it (from 16). 0 or
 * -ENOMEM, the array untouched. Use through ARRAY_RESERVE(array, cap, n). */
static inline int array_reserve(void **v, size_t *cap, size_t n, size_t size)
{
	size_t c;
	void *p;

	if (n < *cap)
		return 0;
	c = *cap ? 2 * *cap : 16;
	p = reallocarray(*v, c, size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}
#define ARRAY_RESERVE(v, cap, n) array_reserve((void **)&(v), &(cap), (n), sizeof(*(v)))

/* Defines name##p(type **) calling func on a non-NULL pointer, for use with _cleanup_. */
#define DEFINE_POINTER_CLEANUP(type, func)                                                         \
	static inline void func##p(type **p) /* NOLINT(bugprone-macro-parentheses): a type */      \
	{                                                                                          \
		if (*p)                                                                            \
			func(*p);                                                                  \
	}
