/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * jansson's hash seed from getrandom(): left to itself, jansson opens and reads /dev/urandom
 * when it makes its first object, three system calls and a path walk in every container
 * operation. For the programs' main(), before any JSON is read; jansson keeps the first seed it
 * is given, so a library caller that seeded before keeps its own.
 */
#pragma once

#include <jansson.h>
#include <stdint.h>
#include <sys/random.h>

static inline void json_seed_random(void)
{
	uint32_t seed = 0;

	/* Without entropy yet (early boot), jansson's own fallback (time and pid) is as good. */
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed) && seed != 0)
		json_object_seed(seed);
}
