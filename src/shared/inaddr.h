/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Family-tagged addresses and prefixes, and their strict textual forms. IPv4 is implemented;
 * the 16-byte storage keeps IPv6 an extension rather than a rewrite.
 */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define INADDR_STRLEN 46 /* INET6_ADDRSTRLEN */
#define PREFIX_STRLEN (46 + 4)

struct inaddr {
	int family; /* AF_INET; 0 when unset */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	};
};

struct inprefix {
	struct inaddr addr;
	unsigned char len;
};

/* Dotted quad, exactly four decimal octets 0-255, no leading zeros, no surrounding text. */
int inaddr_parse_v4(const char *s, struct inaddr *ret);
/* "A.B.C.D/N" with N 0-32 and no leading zeros. Host bits are not checked here. */
int inprefix_parse_v4(const char *s, struct inprefix *ret);
/* The same, or an address alone (inaddr_parse_v4()) as a /32. */
int inprefix_parse_v4_or_address(const char *s, struct inprefix *ret);

const char *inaddr_to_string(const struct inaddr *a, char buf[static INADDR_STRLEN]);
const char *inprefix_to_string(const struct inprefix *p, char buf[static PREFIX_STRLEN]);
/* The dotted quad of an IPv4 address, and an octet in decimal, at at, unterminated, without
 * printf (files of thousands of addresses are written at every setup); return the end. Both
 * copy whole four-byte pieces: they may write up to three bytes past the end they return, all
 * within INADDR_STRLEN of at. */
char *inaddr_put_v4(char *at, const struct inaddr *a);
char *put_octet(char *at, uint8_t v);

static inline uint32_t inaddr_v4_host(const struct inaddr *a)
{
	return ntohl(a->v4.s_addr);
}

static inline struct inaddr inaddr_v4_from_host(uint32_t h)
{
	struct inaddr a = { .family = AF_INET };

	a.v4.s_addr = htonl(h);
	return a;
}

static inline uint32_t prefix_v4_mask(unsigned len)
{
	return len == 0 ? 0 : UINT32_MAX << (32 - len);
}

bool inaddr_equal(const struct inaddr *a, const struct inaddr *b);
/* Whether this host (the caller's network namespace) has the IPv4 address a: a socket can be
 * bound to it. Not pure. */
bool inaddr_is_local(const struct inaddr *a);
bool inprefix_host_bits_clear(const struct inprefix *p);
bool inprefix_contains(const struct inprefix *p, const struct inaddr *a);
/* The first host address (network + 1): our gateway. */
struct inaddr inprefix_v4_first_host(const struct inprefix *p);
struct inaddr inprefix_v4_broadcast(const struct inprefix *p);
