/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The source route of a container's second network (srcroute.h). */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "lib/attach.h"
#include "lib/srcroute.h"
#include "shared/error.h"
#include "shared/macro.h"

void srcroute_rule(const struct brnet_attachment *a, struct rule_info *ret)
{
	/* Never 0 or a table of the kernel's (253-255): no container has an address in 0/8. */
	*ret = (struct rule_info){
		.src = a->address,
		.src_len = 32,
		.table = inaddr_v4_host(&a->address),
		.priority = SRCROUTE_PRIORITY,
	};
}

void srcroute_build(struct nlbuf *b, const struct brnet_attachment *a, int ifindex)
{
	struct inprefix local = { .addr = a->address, .len = a->subnet.len };
	struct rule_info rule;

	srcroute_rule(a, &rule);
	rtnl_build_route_source_table(b, rule.table, &local, &a->gateway, ifindex);
	rtnl_build_rule(b, RTM_NEWRULE, &rule);
}

int srcroute_remove(const struct brnet_attachment *a, struct brnet_error *err)
{
	_cleanup_(nl_sock_freep) struct nl_sock *s = NULL;
	_cleanup_(closep) int fd = -EBADF;
	struct rule_info rule;
	char buf[128];
	struct nlbuf b;
	int r;

	fd = attach_netns_open(a);
	if (fd < 0)
		return 0; /* the namespace went, and the rule with it */
	r = nl_sock_open(NETLINK_ROUTE, fd, &s);
	if (r < 0)
		return brnet_err(err, r, "cannot open netlink in namespace %s: %s", a->netns,
				 strerror(-r));
	srcroute_rule(a, &rule);
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_rule(&b, RTM_DELRULE, &rule);
	r = rtnl_run(s, &b, err);
	if (r == -ENOENT)
		return 0;
	return r < 0 ? brnet_err_prefix(err, r, "cannot remove the source route of %s/%s in %s",
					a->id, a->ifname, a->netns)
		     : 0;
}
