/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shared/memory.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

int prefault(void *p, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)p & ~(page - 1),
		  end = ((uintptr_t)p + len + page - 1) & ~(page - 1);

	/* Whole pages: the bytes around p's that share its first and last page are someone
	 * else's, but populating changes no content. */
	if (len == 0)
		return 0;
	return madvise((void *)start, end - start, MADV_POPULATE_WRITE) < 0 ? -errno : 0;
}
