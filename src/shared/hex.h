/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lower-case hexadecimal, for digests in names (allowlist chains and files). */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* 2 * n digits and a NUL at out. */
static inline void hex_encode(const uint8_t *data, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Exactly 2 * n lower-case digits into n bytes: 0, or -1 for anything else. */
static inline int hex_decode(const char *s, uint8_t *out, size_t n)
{
	if (strnlen(s, 2 * n + 1) != 2 * n)
		return -1;
	for (size_t i = 0; i < 2 * n; i++) {
		int v = s[i] >= '0' && s[i] <= '9'   ? s[i] - '0'
			: s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10
						     : -1;

		if (v < 0)
			return -1;
		out[i / 2] = (uint8_t)(i % 2 ? out[i / 2] | v : v << 4);
	}
	return 0;
}
