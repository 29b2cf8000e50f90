/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SHA-256 (FIPS 180-4), for names that must not collide even when someone chooses the input:
 * an egress allowlist is shared by every container whose list hashes to the same name.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE ((size_t)32)

struct sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes so far */
	uint8_t block[64];
	size_t used; /* bytes in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t digest[static SHA256_DIGEST_SIZE]);
/* Whether the CPU's SHA instructions are used where it has them (the default); off, the
 * portable code runs, which tests compare them against. */
void sha256_use_cpu_extensions(bool on);
