/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Strict address parsing. inet_pton() is lenient in ways that matter for injection-safe
 * configuration (it is fine with the dotted quad, but we want to name the exact rule broken),
 * so the grammar is checked here by hand: digits only, no leading zeros, ranges enforced.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "shared/inaddr.h"
#include "shared/macro.h"

/* Parses a decimal number without sign or leading zeros, at most max; advances *p. */
static int parse_decimal(const char **p, unsigned max, unsigned *ret)
{
	const char *s = *p;
	unsigned v = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return -ERANGE;
	}
	*p = s;
	*ret = v;
	return 0;
}

static int parse_v4(const char **p, struct inaddr *ret)
{
	const char *s = *p;
	uint32_t h = 0;

	for (int i = 0; i < 4; i++) {
		unsigned octet;
		int r;

		if (i > 0) {
			if (*s != '.')
				return -EINVAL;
			s++;
		}
		r = parse_decimal(&s, 255, &octet);
		if (r < 0)
			return r;
		h = h << 8 | octet;
	}
	*p = s;
	*ret = inaddr_v4_from_host(h);
	return 0;
}

int inaddr_parse_v4(const char *s, struct inaddr *ret)
{
	struct inaddr a;
	int r;

	if (!s)
		return -EINVAL;
	r = parse_v4(&s, &a);
	if (r < 0)
		return r;
	if (*s != '\0')
		return -EINVAL;
	*ret = a;
	return 0;
}

static int parse_prefix_v4(const char *s, bool address_alone, struct inprefix *ret)
{
	struct inaddr a;
	unsigned len = 32;
	int r;

	if (!s)
		return -EINVAL;
	r = parse_v4(&s, &a);
	if (r < 0)
		return r;
	if (*s == '/') {
		s++;
		r = parse_decimal(&s, 32, &len);
		if (r < 0)
			return r;
	} else if (!address_alone) {
		return -EINVAL;
	}
	if (*s != '\0')
		return -EINVAL;
	*ret = (struct inprefix){ .addr = a, .len = (unsigned char)len };
	return 0;
}

int inprefix_parse_v4(const char *s, struct inprefix *ret)
{
	return parse_prefix_v4(s, false, ret);
}

int inprefix_parse_v4_or_address(const char *s, struct inprefix *ret)
{
	return parse_prefix_v4(s, true, ret);
}

const char *inaddr_to_string(const struct inaddr *a, char buf[static INADDR_STRLEN])
{
	if (!inet_ntop(a->family, a->bytes, buf, INADDR_STRLEN))
		snprintf(buf, INADDR_STRLEN, "(unset)");
	return buf;
}

/* Each octet's decimal digits and a dot, in four bytes (NULs after the dot, overwritten next):
 * a dotted quad is four copies of four bytes, where counting out the digits of each took a
 * division and three branches, 20 ns a list entry. Spelled out by the preprocessor. */
#define OCTET_LEN(i) (1 + ((i) >= 10) + ((i) >= 100))
#define POW10(e) ((e) == 2 ? 100 : (e) == 1 ? 10 : 1)
#define OCTET_CHAR(i, k)                                                                           \
	((k) < OCTET_LEN(i)    ? (char)('0' + (i) / POW10(OCTET_LEN(i) - 1 - (k)) % 10)            \
	 : (k) == OCTET_LEN(i) ? '.'                                                               \
			       : '\0')
#define OCTET_TEXT(i)                                                                              \
	{                                                                                          \
		OCTET_CHAR(i, 0), OCTET_CHAR(i, 1), OCTET_CHAR(i, 2), OCTET_CHAR(i, 3)             \
	}
#define OCTET_TEXT4(i) OCTET_TEXT(i), OCTET_TEXT((i) + 1), OCTET_TEXT((i) + 2), OCTET_TEXT((i) + 3)
#define OCTET_TEXT16(i)                                                                            \
	OCTET_TEXT4(i), OCTET_TEXT4((i) + 4), OCTET_TEXT4((i) + 8), OCTET_TEXT4((i) + 12)
#define OCTET_TEXT64(i)                                                                            \
	OCTET_TEXT16(i), OCTET_TEXT16((i) + 16), OCTET_TEXT16((i) + 32), OCTET_TEXT16((i) + 48)

static const char octet_text[256][4] = { OCTET_TEXT64(0), OCTET_TEXT64(64), OCTET_TEXT64(128),
					 OCTET_TEXT64(192) };

/* v and its dot at at; returns the end, after the dot. */
static char *put_octet_dot(char *at, uint8_t v)
{
	memcpy(at, octet_text[v], 4);
	return at + OCTET_LEN(v) + 1;
}

char *put_octet(char *at, uint8_t v)
{
	return put_octet_dot(at, v) - 1;
}

char *inaddr_put_v4(char *at, const struct inaddr *a)
{
	uint32_t h = inaddr_v4_host(a);

	at = put_octet_dot(at, (uint8_t)(h >> 24));
	at = put_octet_dot(at, (uint8_t)(h >> 16));
	at = put_octet_dot(at, (uint8_t)(h >> 8));
	return put_octet(at, (uint8_t)h);
}

const char *inprefix_to_string(const struct inprefix *p, char buf[static PREFIX_STRLEN])
{
	char a[INADDR_STRLEN];

	snprintf(buf, PREFIX_STRLEN, "%s/%u", inaddr_to_string(&p->addr, a), p->len);
	return buf;
}

bool inaddr_equal(const struct inaddr *a, const struct inaddr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4.s_addr == b->v4.s_addr;
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

bool inprefix_host_bits_clear(const struct inprefix *p)
{
	return (inaddr_v4_host(&p->addr) & ~prefix_v4_mask(p->len)) == 0;
}

bool inprefix_contains(const struct inprefix *p, const struct inaddr *a)
{
	uint32_t mask = prefix_v4_mask(p->len);

	if (a->family != AF_INET || p->addr.family != AF_INET)
		return false;
	return (inaddr_v4_host(a) & mask) == (inaddr_v4_host(&p->addr) & mask);
}

struct inaddr inprefix_v4_first_host(const struct inprefix *p)
{
	return inaddr_v4_from_host((inaddr_v4_host(&p->addr) & prefix_v4_mask(p->len)) + 1);
}

struct inaddr inprefix_v4_broadcast(const struct inprefix *p)
{
	return inaddr_v4_from_host(inaddr_v4_host(&p->addr) | ~prefix_v4_mask(p->len));
}

bool inaddr_is_local(const struct inaddr *a)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = a->v4 };
	_cleanup_(closep) int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	return fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) >= 0 ||
	       errno != EADDRNOTAVAIL;
}
