/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Egress policy values: each refused with a message naming it. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "lib/config/egress.h"
#include "shared/error.h"

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
	p->on = true;
	/* Overlaps are merged (the kernel's interval set refuses them): a CIDR inside one
	 * already allowed adds nothing; one that covers others replaces them. */
	for (unsigned i = 0; i < p->n_allow; i++)
		if (p->allow[i].len <= pre.len && inprefix_contains(&p->allow[i], &pre.addr))
			return 0;
	for (unsigned i = 0; i < p->n_allow;)
		if (inprefix_contains(&pre, &p->allow[i].addr))
			p->allow[i] = p->allow[--p->n_allow];
		else
			i++;
	if (p->n_allow == EGRESS_ALLOW_MAX)
		return brnet_err(err, EINVAL, "invalid CIDR %s: at most %d allowed destinations",
				 cidr, EGRESS_ALLOW_MAX);
	p->allow[p->n_allow++] = pre;
	return 0;
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
