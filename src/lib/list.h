/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The records, as brnet_list() reads them, for callers inside the library. */
#pragma once

#include "brnet.h"

/* brnet_list(), each attachment's lock taken first on locks (record_locks_open(); held until
 * it is closed) and its record read under it: one that an operation holds is counted in *busy
 * and left out. With locks < 0, no locks (brnet_list()). */
int list_locked(brnet_ctx *ctx, int locks, unsigned *busy, brnet_attachment ***ret, size_t *ret_n,
		struct brnet_error *err);
