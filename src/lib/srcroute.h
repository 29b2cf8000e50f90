/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Source routing for a container on more than one network. A namespace uses one default route,
 * its first network's: a second network's interface (eth1) would answer the clients of its
 * published ports from its address along that route, out of eth0, where the anti-spoofing
 * guard drops a frame with another port's address (as a strict rp_filter would). A rule sends
 * what leaves from eth1's address to a table of its own, holding eth1's subnet and a default
 * route via eth1's gateway. It is made only where the namespace already has a default route
 * through another interface: a namespace with a rule of its own takes every route lookup off the
 * kernel's fast path. The table's routes go with the interface; the rule is the teardown's to
 * remove.
 */
#pragma once

#include "lib/netlink/nlmsg.h"
#include "lib/record.h"
#include "lib/rtnl/rtnl.h"

/* Just before the main table's rule (32766): the rules a namespace's owner makes without a
 * priority come before it. */
#define SRCROUTE_PRIORITY 32765

/* a's rule: from its address, at SRCROUTE_PRIORITY, to the table numbered as its address
 * (unique in a namespace, and known again at teardown). */
void srcroute_rule(const struct brnet_attachment *a, struct rule_info *ret);
/* Appends the table's two routes, on ifindex, and the rule. */
void srcroute_build(struct nlbuf *b, const struct brnet_attachment *a, int ifindex);
/* Removes a's rule from its namespace: 0 also when the rule or the namespace is gone. */
int srcroute_remove(const struct brnet_attachment *a, struct brnet_error *err);
