/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Our nf_tables table, `inet brnet`. Builders produce libnftnl objects and whole batches without
 * a kernel; operations send each batch as one transaction.
 *
 *   table inet brnet {
 *     chain postrouting { type nat hook postrouting priority srcnat; policy accept;
 *       ip saddr 10.0.42.0/24 oifname != "brnet0" masquerade comment "brnet network brnet0"
 *     }
 *   }
 */
#pragma once

#include <libnftnl/rule.h>
#include <stdint.h>

#include "brnet.h"
#include "lib/netlink/nlsock.h"
#include "shared/inaddr.h"

#define NFT_TABLE "brnet"
#define NFT_CHAIN_POSTROUTING "postrouting"
#define NFT_COMMENT_MAX 128

/* The comment that marks a network's masquerade rule. */
int nft_network_comment(const char *bridge, char buf[static NFT_COMMENT_MAX]);

/* The masquerade rule for one network (pure). */
struct nftnl_rule *nft_rule_masquerade(const char *bridge, const struct inprefix *subnet);

/* A batch that creates table and chain if missing and, when add_rule, adds the network's
 * masquerade rule. Returns the batch length, or -EMSGSIZE. */
int nft_build_network_batch(void *buf, size_t size, const char *bridge,
			    const struct inprefix *subnet, bool add_rule);

/* The comment stored in a rule's userdata, or NULL. */
const char *nft_rule_comment(const struct nftnl_rule *r, char buf[static NFT_COMMENT_MAX]);

/* Makes sure table, chain and the network's masquerade rule exist; adds what is missing in one
 * transaction. The caller holds the network lock, so the check-then-add cannot race. */
int nft_network_ensure(struct nl_sock *s, const char *bridge, const struct inprefix *subnet,
		       struct brnet_error *err);

/* Returns 1 if the network's masquerade rule exists, 0 if not. */
int nft_network_rule_exists(struct nl_sock *s, const char *bridge, struct brnet_error *err);
