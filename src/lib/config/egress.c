/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Egress policy values: each refused with a message naming it. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config/config.h"
#include "lib/config/egress.h"
#include "shared/error.h"
#include "shared/macro.h"

int egress_add_allow(struct egress_policy *p, const char *cidr, struct brnet_error *err)
{
	struct inprefix pre;
	int r;

	if (!cidr)
		return -EINVAL;
	r = config_parse_cidr(cidr, "CIDR", &pre, err);
	if (r < 0)
		return r;
	if (p->n_allow == EGRESS_ALLOW_MAX)
		return brnet_err(err, EINVAL, "invalid CIDR %s: at most %d allowed destinations",
				 cidr, EGRESS_ALLOW_MAX);
	if (ARRAY_RESERVE(p->allow, p->allow_size, p->n_allow) < 0)
		return brnet_err(err, ENOMEM, "cannot allow %s: out of memory", cidr);
	p->on = true;
	p->allow[p->n_allow++] = pre;
	return 0;
}

/* A prefix as one number that orders by network address, then length (a covering prefix
 * before the ones it covers): address << 8 | length. */
static uint64_t prefix_key(const struct inprefix *x)
{
	return (uint64_t)inaddr_v4_host(&x->addr) << 8 | x->len;
}

/* Sorts by prefix_key() with a radix sort of its five bytes: O(n), where qsort() of the
 * structures spent a 10,000-CIDR setup's time copying them. */
static int sort_prefixes(struct inprefix *v, size_t n)
{
	_cleanup_(freep) uint64_t *keys = NULL;
	uint64_t *from, *to;
	bool sorted = true;

	for (size_t i = 1; i < n && sorted; i++)
		sorted = prefix_key(&v[i - 1]) <= prefix_key(&v[i]);
	if (sorted)
		return 0;
	keys = malloc(2 * n * sizeof(uint64_t));
	if (!keys)
		return -ENOMEM;
	from = keys;
	to = keys + n;
	for (size_t i = 0; i < n; i++)
		from[i] = prefix_key(&v[i]);
	for (unsigned shift = 0; shift < 40; shift += 8) {
		size_t count[257] = { 0 };

		for (size_t i = 0; i < n; i++)
			count[(from[i] >> shift & 0xff) + 1]++;
		for (unsigned d = 1; d < 257; d++)
			count[d] += count[d - 1];
		for (size_t i = 0; i < n; i++)
			to[count[from[i] >> shift & 0xff]++] = from[i];
		SWAP_TWO(from, to);
	}
	for (size_t i = 0; i < n; i++) {
		v[i].addr = inaddr_v4_from_host((uint32_t)(from[i] >> 8));
		v[i].len = (unsigned char)(from[i] & 0xff);
	}
	return 0;
}

void egress_policy_digest(const struct egress_policy *p, uint8_t digest[static SHA256_DIGEST_SIZE])
{
	struct sha256 h;

	sha256_init(&h);
	for (size_t i = 0; i < p->n_allow;) {
		uint8_t v[5 * 64]; /* prefixes as address and length, 64 at a time */
		size_t n = 0;

		for (; i < p->n_allow && n < sizeof(v); i++, n += 5) {
			memcpy(v + n, &p->allow[i].addr.v4, 4);
			v[n + 4] = p->allow[i].len;
		}
		sha256_update(&h, v, n);
	}
	sha256_final(&h, digest);
}

int egress_policy_normalize(struct egress_policy *p)
{
	size_t kept = 0;
	int r;

	r = sort_prefixes(p->allow, p->n_allow);
	if (r < 0)
		return r;
	/* Prefixes nest or are disjoint, so in this order one inside any kept prefix is inside
	 * the last one kept. */
	for (size_t i = 1; i < p->n_allow; i++) {
		const struct inprefix *last = &p->allow[kept];

		if (last->len <= p->allow[i].len && inprefix_contains(last, &p->allow[i].addr))
			continue;
		p->allow[++kept] = p->allow[i];
	}
	if (p->n_allow > 0)
		p->n_allow = kept + 1;
	egress_policy_digest(p, p->digest);
	return 0;
}

void egress_allow_count(const struct egress_policy *p, size_t n[static EGRESS_BUCKETS + 1])
{
	memset(n, 0, (EGRESS_BUCKETS + 1) * sizeof(n[0]));
	for (size_t i = 0; i < p->n_allow; i++) {
		unsigned b = egress_bucket(p->allow[i].len);

		n[b / EGRESS_BUCKET_STEP] += (size_t)1 << (b - p->allow[i].len);
	}
	for (unsigned b = 1; b <= EGRESS_BUCKETS; b++)
		n[0] += n[b];
}

size_t egress_allow_elements(const struct egress_policy *p, unsigned bucket)
{
	size_t n[EGRESS_BUCKETS + 1];

	egress_allow_count(p, n);
	return n[bucket / EGRESS_BUCKET_STEP];
}

int egress_policy_copy(struct egress_policy *dst, const struct egress_policy *src)
{
	*dst = *src;
	dst->allow = NULL;
	dst->allow_size = 0;
	if (src->n_allow == 0) {
		dst->n_allow = 0;
		return 0;
	}
	dst->allow = reallocarray(NULL, src->n_allow, sizeof(src->allow[0]));
	if (!dst->allow) {
		*dst = (struct egress_policy){ 0 };
		return -ENOMEM;
	}
	memcpy(dst->allow, src->allow, src->n_allow * sizeof(src->allow[0]));
	dst->allow_size = src->n_allow;
	return 0;
}

void egress_policy_done(struct egress_policy *p)
{
	free(p->allow);
	*p = (struct egress_policy){ 0 };
}

int egress_add_port(struct egress_policy *p, uint8_t proto, unsigned port, struct brnet_error *err)
{
	const char *name = proto == IPPROTO_TCP ? "tcp" : "udp";
	uint16_t *v = proto == IPPROTO_TCP ? p->tcp : p->udp;
	unsigned *n = proto == IPPROTO_TCP ? &p->n_tcp : &p->n_udp;

	if (port < 1 || port > 65535)
		return brnet_err(err, EINVAL, "invalid %s port %u: must be 1-65535", name, port);
	if (*n == EGRESS_PORTS_MAX)
		return brnet_err(err, EINVAL, "invalid %s port %u: at most %d ports", name, port,
				 EGRESS_PORTS_MAX);
	v[(*n)++] = (uint16_t)port;
	return 0;
}
