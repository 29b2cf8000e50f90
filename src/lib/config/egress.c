/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Egress policy values: each refused with a message naming it. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config/egress.h"
#include "shared/error.h"
#include "shared/macro.h"

int egress_add_allow(struct egress_policy *p, const char *cidr, struct brnet_error *err)
{
	struct inprefix pre;
	char buf[PREFIX_STRLEN];

	if (!cidr)
		return -EINVAL;
	if (strchr(cidr, '/')) {
		if (inprefix_parse_v4(cidr, &pre) < 0)
			return brnet_err(err, EINVAL,
					 "invalid CIDR \"%.64s\": expected IPv4 A.B.C.D/N, N 0-32",
					 cidr);
		if (!inprefix_host_bits_clear(&pre)) {
			struct inprefix net = pre;

			net.addr = inaddr_v4_from_host(inaddr_v4_host(&pre.addr) &
						       prefix_v4_mask(pre.len));
			return brnet_err(err, EINVAL,
					 "invalid CIDR %s: host bits are set (did you mean %s?)",
					 cidr, inprefix_to_string(&net, buf));
		}
	} else {
		if (inaddr_parse_v4(cidr, &pre.addr) < 0)
			return brnet_err(err, EINVAL,
					 "invalid CIDR \"%.64s\": expected IPv4 A.B.C.D/N or an "
					 "address",
					 cidr);
		pre.len = 32;
	}
	if (p->n_allow == EGRESS_ALLOW_MAX)
		return brnet_err(err, EINVAL, "invalid CIDR %s: at most %d allowed destinations",
				 cidr, EGRESS_ALLOW_MAX);
	if (ARRAY_RESERVE(p->allow, p->allow_size, p->n_allow) < 0)
		return brnet_err(err, ENOMEM, "cannot allow %s: out of memory", cidr);
	p->on = true;
	p->allow[p->n_allow++] = pre;
	return 0;
}

/* By network address, and a covering prefix before the ones it covers. */
static int prefix_cmp(const void *x, const void *y)
{
	const struct inprefix *a = x, *b = y;
	uint32_t ha = inaddr_v4_host(&a->addr), hb = inaddr_v4_host(&b->addr);

	if (ha != hb)
		return ha < hb ? -1 : 1;
	return (a->len > b->len) - (a->len < b->len);
}

void egress_policy_normalize(struct egress_policy *p)
{
	size_t kept = 0;

	if (p->n_allow == 0)
		return;
	qsort(p->allow, p->n_allow, sizeof(p->allow[0]), prefix_cmp);
	/* Prefixes nest or are disjoint, so in this order one inside any kept prefix is inside
	 * the last one kept. */
	for (size_t i = 1; i < p->n_allow; i++) {
		const struct inprefix *last = &p->allow[kept];

		if (last->len <= p->allow[i].len && inprefix_contains(last, &p->allow[i].addr))
			continue;
		p->allow[++kept] = p->allow[i];
	}
	p->n_allow = kept + 1;
}

unsigned egress_bucket(unsigned len)
{
	return len == 0 ? 8 : (len + 7) / 8 * 8;
}

size_t egress_allow_elements(const struct egress_policy *p, unsigned bucket)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_allow; i++) {
		unsigned b = egress_bucket(p->allow[i].len);

		if (bucket == 0 || b == bucket)
			n += (size_t)1 << (b - p->allow[i].len);
	}
	return n;
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
