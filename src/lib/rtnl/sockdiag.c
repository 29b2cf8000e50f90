/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Is a host port taken by a local socket? Asked through sock_diag (one dump per family and
 * protocol), because a published port would shadow such a service without a word.
 */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "lib/rtnl/rtnl.h"
#include "shared/macro.h"

struct port_scan {
	const struct inaddr *addr; /* family 0: every address */
	uint16_t first, last;
	bool found;
	struct inaddr found_addr;
	uint16_t found_port;
};

static int scan_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct port_scan *s = userdata;
	const struct inet_diag_msg *m;
	uint16_t port;
	bool wildcard, same;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
		return 0;
	m = NLMSG_DATA(nlh);
	port = ntohs(m->id.idiag_sport);
	if (port < s->first || port > s->last)
		return 0;
	if (m->idiag_family == AF_INET) {
		wildcard = m->id.idiag_src[0] == 0;
		same = s->addr->family && memcmp(m->id.idiag_src, &s->addr->v4, 4) == 0;
	} else {
		/* [::] may take IPv4 too; a v4-mapped address names one IPv4 address. */
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		const uint8_t *a = (const uint8_t *)m->id.idiag_src;
		static const uint8_t zero[16];

		wildcard = memcmp(a, zero, 16) == 0;
		same = s->addr->family && memcmp(a, mapped, 12) == 0 &&
		       memcmp(a + 12, &s->addr->v4, 4) == 0;
		if (!wildcard && memcmp(a, mapped, 12) != 0)
			return 0; /* an IPv6-only address: no IPv4 traffic reaches it */
	}
	if (!wildcard && !same && s->addr->family)
		return 0;
	if (!s->found) {
		s->found = true;
		s->found_port = port;
		s->found_addr = (struct inaddr){ .family = AF_INET };
		if (m->idiag_family == AF_INET)
			memcpy(&s->found_addr.v4, m->id.idiag_src, 4);
		else if (!wildcard)
			memcpy(&s->found_addr.v4, (const uint8_t *)m->id.idiag_src + 12, 4);
	}
	return 0;
}

int sockdiag_port_taken(uint8_t proto, const struct inaddr *addr, uint16_t first, uint16_t last,
			struct inaddr *ret_addr, uint16_t *ret_port, struct brnet_error *err)
{
	_cleanup_(nl_sock_freep) struct nl_sock *s = NULL;
	struct inaddr any = { 0 };
	struct port_scan scan = { .addr = addr ? addr : &any, .first = first, .last = last };
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	int r;

	r = nl_sock_open(NETLINK_SOCK_DIAG, -1, &s);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(families) && !scan.found; i++) {
		struct {
			struct nlmsghdr nlh;
			struct inet_diag_req_v2 req;
		} msg = {
			.nlh = { .nlmsg_len = sizeof(msg),
				 .nlmsg_type = SOCK_DIAG_BY_FAMILY,
				 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
			.req = { .sdiag_family = families[i],
				 .sdiag_protocol = proto,
				 /* TCP: listeners; UDP: every bound socket */
				 .idiag_states = proto == IPPROTO_TCP ? 1u << TCP_LISTEN : ~0u },
		};

		r = nl_sock_transact(s, &msg, sizeof(msg), scan_cb, &scan, err);
		if (r == -ENOENT || r == -EAFNOSUPPORT) { /* no such diag module: nothing to see */
			if (err)
				*err = (struct brnet_error){ 0 };
			continue;
		}
		if (r < 0)
			return r;
	}
	if (!scan.found)
		return 0;
	*ret_addr = scan.found_addr;
	*ret_port = scan.found_port;
	return 1;
}
