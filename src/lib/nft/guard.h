/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Anti-spoofing, in table `bridge brnet`: a frame entering the bridge from one of our host
 * veths must carry the MAC of the container behind it, and its IPv4 packets and ARP messages
 * that container's address. The bridge family sees the port a frame came in on, which the IP
 * layer does not; and the host's namespace is where the workload cannot reach. Per container:
 * three set elements (the port, port . MAC, port . address), no rules.
 */
#pragma once

#include <stdint.h>

#include "brnet.h"
#include "lib/netlink/nlsock.h"
#include "shared/inaddr.h"

#define NFT_GUARD_CHAIN "guard"
#define NFT_SET_GUARDED "guarded" /* ifname: ports under the guard */
#define NFT_SET_GUARD_MAC "guard_mac" /* ifname . ether_addr */
#define NFT_SET_GUARD_ADDR "guard_addr" /* ifname . ipv4_addr */

enum nft_guard_rule {
	NFT_GUARD_RULE_MAC, /* ether saddr */
	NFT_GUARD_RULE_TYPE, /* only IPv4 and ARP frames */
	NFT_GUARD_RULE_IP, /* ip saddr */
	NFT_GUARD_RULE_ARP_IP, /* arp saddr ip */
	NFT_GUARD_RULE_ARP_MAC, /* arp saddr ether */
	_NFT_GUARD_RULE_MAX,
};
#define NFT_GUARD_RULES_ALL ((1u << _NFT_GUARD_RULE_MAX) - 1)

struct nft_batch;

/* The comment that names one of the guard chain's rules. */
const char *nft_guard_rule_name(enum nft_guard_rule id);
/* The table, sets and chain, and the chain's rules written afresh (all of them, nothing else). */
int nft_batch_add_guard_table(struct nft_batch *b);
/* Which of our rules the kernel lacks (all of them when there is no table). */
int nft_guard_missing(struct nl_sock *s, unsigned *ret_missing, struct brnet_error *err);
/* The table, its sets, chain and rules: 0 when all was there, 1 when something was added. */
int nft_guard_ensure(struct nl_sock *s, struct brnet_error *err);

/* The three elements of one container; exclusive: fail with -EEXIST if one is there. */
int nft_batch_add_guard(struct nft_batch *b, const char *host_veth, const uint8_t mac[6],
			const struct inaddr *addr, const char *owner, bool exclusive);
/* Removes every element whose owner is owner; none is fine. */
int nft_guard_remove_owned(struct nl_sock *s, const char *owner, struct brnet_error *err);
/* Calls fn once per element with an owner (so an owner may come several times). */
int nft_guard_owners(struct nl_sock *s, int (*fn)(const char *owner, void *userdata),
		     void *userdata, struct brnet_error *err);
/* How many of the container's three elements are missing (0: all there). */
int nft_guard_verify(struct nl_sock *s, const char *host_veth, const uint8_t mac[6],
		     const struct inaddr *addr, struct brnet_error *err);
