/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Memory that is about to be written whole. */
#pragma once

#include <stddef.h>

/* Below this, prefault() is not worth its system call. */
#define PREFAULT_MIN ((size_t)32 * 1024)

/*
 * Maps in the pages under [p, p + len) before they are written, in one system call
 * (MADV_POPULATE_WRITE), instead of one page fault at each page's first write. On a VM with
 * shadow page tables (as on the one docs/performance.md measures) a fault costs about 14 us,
 * and a page populated ahead then costs about 2 us at its first write; elsewhere it saves
 * less, and costs nothing the writes would not. Content is unchanged. 0 or -errno; only a
 * help, so callers go on whatever it returns: a kernel without it (before 5.14) leaves the
 * pages to fault as before.
 */
int prefault(void *p, size_t len);
