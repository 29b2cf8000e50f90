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
#include "shared/memory.h"

/* In the room of a long list, the entries up to the next multiple of EGRESS_ALLOW_STRETCH are
 * about to be written, a page at a time: mapped at once. */
static void prefault_stretch(struct egress_policy *p)
{
	size_t end = (p->n_allow / EGRESS_ALLOW_STRETCH + 1) * EGRESS_ALLOW_STRETCH;

	if (end > EGRESS_ALLOW_MAX)
		end = EGRESS_ALLOW_MAX;
	(void)prefault(p->allow + p->n_allow, (end - p->n_allow) * sizeof(p->allow[0]));
}

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
	if (p->n_allow == p->allow_size && p->allow_size >= EGRESS_ALLOW_SMALL) {
		/* A long list: room for the longest at once. The array is not moved again, and
		 * what the list does not fill is address space, never touched: doubling its way
		 * to 10,000 copied it eleven times, 23 pages' faults of a setup's 54 extra. */
		struct egress_prefix *v = reallocarray(p->allow, EGRESS_ALLOW_MAX, sizeof(*v));

		if (!v)
			return brnet_err(err, ENOMEM, "cannot allow %s: out of memory", cidr);
		p->allow = v;
		p->allow_size = EGRESS_ALLOW_MAX;
		prefault_stretch(p);
	} else if (ARRAY_RESERVE(p->allow, p->allow_size, p->n_allow) < 0) {
		return brnet_err(err, ENOMEM, "cannot allow %s: out of memory", cidr);
	} else if (p->allow_size == EGRESS_ALLOW_MAX && p->n_allow % EGRESS_ALLOW_STRETCH == 0) {
		prefault_stretch(p);
	}
	p->on = true;
	p->allow[p->n_allow++] = (struct egress_prefix){ inaddr_v4_host(&pre.addr), pre.len };
	return 0;
}

char *egress_prefix_put(char *at, const struct egress_prefix *x)
{
	struct inaddr a = inaddr_v4_from_host(x->net);

	at = inaddr_put_v4(at, &a);
	*at++ = '/';
	return put_octet(at, x->len);
}

const char *egress_prefix_to_string(const struct egress_prefix *x, char buf[static PREFIX_STRLEN])
{
	*egress_prefix_put(buf, x) = '\0';
	return buf;
}

/* A prefix as one number that orders by network address, then length (a covering prefix
 * before the ones it covers). */
static uint64_t prefix_key(const struct egress_prefix *x)
{
	return (uint64_t)x->net << 8 | x->len;
}

static unsigned prefix_byte(const struct egress_prefix *x, unsigned shift)
{
	return (unsigned)(prefix_key(x) >> shift) & 0xff;
}

/* Orders v, whose prefixes agree in the key's bytes above shift, by its byte at shift, in
 * place: counts give each byte value its bucket, and the prefixes move there by swaps along
 * cycles (one pass of an American flag sort). A few are sorted whole, by insertion. */
static void sort_prefixes_by_byte(struct egress_prefix *v, size_t n, unsigned shift)
{
	uint32_t next[256], end[256]; /* n <= EGRESS_ALLOW_MAX */
	uint32_t at = 0;

	if (n < 32) {
		for (size_t i = 1; i < n; i++) {
			struct egress_prefix x = v[i];
			size_t j = i;

			for (; j > 0 && prefix_key(&v[j - 1]) > prefix_key(&x); j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
		return;
	}
	/* Zeroed here, not for the many short runs each level hands the insertion sort: that
	 * cost more than the sort. */
	memset(end, 0, sizeof(end));
	for (size_t i = 0; i < n; i++)
		end[prefix_byte(&v[i], shift)]++;
	if (end[prefix_byte(&v[0], shift)] == n)
		return; /* all in one bucket */
	for (unsigned b = 0; b < 256; b++) {
		next[b] = at;
		at += end[b];
		end[b] = at;
	}
	for (unsigned b = 0; b < 256; b++) {
		while (next[b] < end[b]) {
			/* Carry the prefix at next[b] to its bucket and the one it displaces on,
			 * until one belongs here. */
			struct egress_prefix x = v[next[b]];
			unsigned d;

			while ((d = prefix_byte(&x, shift)) != b) {
				struct egress_prefix *slot = &v[next[d]++];

				SWAP_TWO(x, *slot);
			}
			v[next[b]++] = x;
		}
	}
}

/* Sorts v by prefix_key() in place, O(n), most significant byte first: each pass orders every
 * run of prefixes alike in the bytes before by its next byte. A radix sort from one array into
 * another touched the second's pages, 20 of a 10,000-CIDR setup's page faults. */
static void sort_prefixes(struct egress_prefix *v, size_t n)
{
	for (unsigned shift = 32;; shift -= 8) {
		for (size_t i = 0, j; i < n; i = j) {
			uint64_t above = prefix_key(&v[i]) >> (shift + 8);

			for (j = i + 1; j < n && prefix_key(&v[j]) >> (shift + 8) == above; j++)
				;
			if (j - i > 1)
				sort_prefixes_by_byte(v + i, j - i, shift);
		}
		if (shift == 0)
			break;
	}
}

void egress_policy_digest(const struct egress_policy *p, uint8_t digest[static SHA256_DIGEST_SIZE])
{
	struct sha256 h;

	sha256_init(&h);
	for (size_t i = 0; i < p->n_allow;) {
		/* prefixes as address (network order) and length, 64 at a time */
		uint8_t v[5 * 64];
		size_t n = 0;

		for (; i < p->n_allow && n < sizeof(v); i++, n += 5) {
			uint32_t net = htonl(p->allow[i].net);

			memcpy(v + n, &net, 4);
			v[n + 4] = p->allow[i].len;
		}
		sha256_update(&h, v, n);
	}
	sha256_final(&h, digest);
}

void egress_policy_normalize(struct egress_policy *p)
{
	size_t kept = 0;
	bool sorted = true;

	for (size_t i = 1; i < p->n_allow && sorted; i++)
		sorted = prefix_key(&p->allow[i - 1]) <= prefix_key(&p->allow[i]);
	if (!sorted)
		sort_prefixes(p->allow, p->n_allow);
	/* Prefixes nest or are disjoint, so in this order one inside any kept prefix is inside
	 * the last one kept. */
	for (size_t i = 1; i < p->n_allow; i++) {
		const struct egress_prefix *last = &p->allow[kept];

		if (last->len <= p->allow[i].len && egress_prefix_contains(last, p->allow[i].net))
			continue;
		p->allow[++kept] = p->allow[i];
	}
	if (p->n_allow > 0)
		p->n_allow = kept + 1;
	egress_policy_digest(p, p->digest);
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
	if (src->n_allow * sizeof(src->allow[0]) >= PREFAULT_MIN)
		(void)prefault(dst->allow, src->n_allow * sizeof(src->allow[0]));
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
