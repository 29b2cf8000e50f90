/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An egress policy: with one, a container reaches only the allowed destinations (on the allowed
 * ports, when ports are given) and its DNS resolvers; everything else it sends is dropped in the
 * host's namespace, where it cannot be undone from inside.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "brnet.h"
#include "shared/inaddr.h"
#include "shared/sha256.h"

#define EGRESS_ALLOW_MAX 65536 /* destinations given */
#define EGRESS_ALLOW_SMALL 1024 /* past as many, room for EGRESS_ALLOW_MAX is taken at once */
#define EGRESS_ALLOW_STRETCH 4096 /* entries of that room prefaulted at once (32 KB, memory.h) */
#define EGRESS_ELEMENTS_MAX 262144 /* the set elements they become (see egress_bucket()) */
#define EGRESS_BUCKET_STEP 4 /* the firewall matches prefix lengths 4, 8, 12, ..., 32 */
#define EGRESS_BUCKETS (32 / EGRESS_BUCKET_STEP)
#define EGRESS_PORTS_MAX 64
#define EGRESS_DNS_MAX 3

/* An allowed IPv4 destination, in 8 bytes rather than struct inprefix's 24: a list of 10,000
 * is 80 KB, and every page a setup touches costs it a page fault (about 14 us on a VM seen
 * here, against 0.3 ms for a whole setup's netlink). IPv6 destinations would be an array of
 * their own, as they would be sets of their own. */
struct egress_prefix {
	uint32_t net; /* host byte order, host bits clear */
	uint8_t len;
};

/* Owns its allow array: copy with egress_policy_copy(), release with egress_policy_done(). */
struct egress_policy {
	bool on;
	bool no_dns; /* DNS to the resolvers is not allowed by itself */
	bool log; /* denied packets are reported (NFLOG), at most 5 a minute */
	bool reject; /* denied packets are answered (ICMP administratively prohibited) */
	struct egress_prefix *allow; /* malloc'd; normalized: sorted, none inside another */
	size_t n_allow, allow_size;
	uint16_t tcp[EGRESS_PORTS_MAX], udp[EGRESS_PORTS_MAX];
	unsigned n_tcp, n_udp;
	struct inaddr dns[EGRESS_DNS_MAX]; /* the resolvers it allows (filled at setup) */
	unsigned n_dns;
	/* SHA-256 of the allowed prefixes (address and length, 5 bytes each, in order), set by
	 * egress_policy_normalize(): the allowlist's name in the kernel and on disk. */
	uint8_t digest[SHA256_DIGEST_SIZE];
};

/* Appends "10.1.0.0/16", or an address alone for /32; host bits must be clear. The policy is
 * normalized again only by egress_policy_normalize(). */
int egress_add_allow(struct egress_policy *p, const char *cidr, struct brnet_error *err);
/* "10.1.0.0/16" at at, unterminated, without printf (lists of thousands are written); returns
 * the end. Like inaddr_put_v4(), it may write up to three bytes past it, all within
 * PREFIX_STRLEN of at. */
char *egress_prefix_put(char *at, const struct egress_prefix *x);
/* x as text, in buf. */
const char *egress_prefix_to_string(const struct egress_prefix *x, char buf[static PREFIX_STRLEN]);
static inline bool egress_prefix_contains(const struct egress_prefix *x, uint32_t addr)
{
	return (addr & prefix_v4_mask(x->len)) == x->net;
}
/* Sorts the allowed prefixes in place and drops each one inside another, in O(n) (a covered
 * prefix adds nothing), and sets p->digest: the same list in any order has the same digest. */
void egress_policy_normalize(struct egress_policy *p);
/* p->digest of p's prefixes as they are (pure; normalize first). */
void egress_policy_digest(const struct egress_policy *p, uint8_t digest[static SHA256_DIGEST_SIZE]);
/* The prefix length a CIDR of length len is matched at: the next multiple of 4 up (4 for a
 * /0). It becomes 2^(bucket - len) set elements there, at most 16. Inline: the list's builder
 * asks it of every destination. */
static inline unsigned egress_bucket(unsigned len)
{
	unsigned step = EGRESS_BUCKET_STEP;

	return len == 0 ? step : (len + step - 1) / step * step;
}
/* How many set elements p's allowed destinations become, in one pass: n[0] in all,
 * n[bucket / EGRESS_BUCKET_STEP] in each bucket. */
void egress_allow_count(const struct egress_policy *p, size_t n[static EGRESS_BUCKETS + 1]);
/* How many set elements p's allowed destinations become in bucket (0: in all). */
size_t egress_allow_elements(const struct egress_policy *p, unsigned bucket);
/* dst, empty, becomes a copy of src; -ENOMEM leaves it empty. */
int egress_policy_copy(struct egress_policy *dst, const struct egress_policy *src);
/* Frees what p owns and empties it. */
void egress_policy_done(struct egress_policy *p);
/* proto is IPPROTO_TCP or IPPROTO_UDP; port 1-65535. */
int egress_add_port(struct egress_policy *p, uint8_t proto, unsigned port, struct brnet_error *err);
