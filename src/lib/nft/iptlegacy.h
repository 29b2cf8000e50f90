/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * iptables-legacy's filter table, which nf_tables does not show: a host whose Docker or ufw
 * writes through iptables-legacy drops forwarded packets there just the same. The kernel gives
 * the table as one blob of entries (IPT_SO_GET_ENTRIES); each is written out here as the
 * NEWRULE message iptables-nft would have made of it, so that fweval.c follows it like any
 * other table's rules: interfaces, addresses and protocol as nft expressions, matches as
 * xtables matches (not followed), standard verdicts and jumps as verdicts, other targets as
 * xtables targets.
 */
#pragma once

#include <net/if.h> /* before linux/if.h, which ip_tables.h includes */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netfilter_ipv4/ip_tables.h>

#include "lib/nft/fweval.h"

struct ipt_legacy {
	struct fw_rules r;
	uint32_t forward_policy; /* NF_ACCEPT or NF_DROP */
};

void ipt_legacy_done(struct ipt_legacy *t);

/* The table's entries (size bytes, as IPT_SO_GET_ENTRIES gives them, after info from
 * IPT_SO_GET_INFO) as rules in *t, each chain's together. -EBADMSG for a blob that does not
 * hold together, -ENOMEM. Pure. */
int ipt_legacy_rules(const struct ipt_getinfo *info, const void *entries, size_t size,
		     struct ipt_legacy *t);

/* The filter table of the namespace we are in: 1 with *t filled, 0 when there is none (nor is
 * one made: the kernel's module is not asked for), -errno. */
int ipt_legacy_filter(struct ipt_legacy *t);
