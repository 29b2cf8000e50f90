/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* FNV-1a, 64 bits: names and addresses derived from names (host veths, bridge MACs), and the
 * lease table's owner hash. Not for anything an attacker chooses to collide. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define FNV1A64_INIT UINT64_C(14695981039346656037)

/* Continues hash h over len bytes of data. */
static inline uint64_t fnv1a64(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * UINT64_C(1099511628211);
	return h;
}
