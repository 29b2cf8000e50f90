/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The egress policy in table `inet brnet`: sets keyed by the container's address (which
 * anti-spoofing makes trustworthy), one chain of rules for all containers. A policy is
 * elements: the container in `egress_policed`, container . destination in `egress_allow8`,
 * `16`, `24` or `32`, container . proto . port in `egress_ports` (and the container in
 * `egress_portlimited` when ports are given), container . resolver in `egress_dns`.
 *
 * Allowed destinations are hash sets, one per prefix length 8, 16, 24 and 32, each matched by
 * one rule with the destination masked to that length: a CIDR goes into the set of the next
 * length up, as 2^(that - its length) elements (a /20 is sixteen /24s). Lookups and inserts
 * cost the same for one destination or a hundred thousand; a single set of address . interval
 * (the kernel's pipapo) took 0.7 s to load 10,000 and halved the connection rate.
 */
#pragma once

#include <libnftnl/set.h>

#include "brnet.h"
#include "lib/config/egress.h"
#include "lib/netlink/nlsock.h"
#include "shared/inaddr.h"

#define NFT_SET_EGRESS_POLICED "egress_policed"
#define NFT_SET_EGRESS_ALLOW8 "egress_allow8"
#define NFT_SET_EGRESS_ALLOW16 "egress_allow16"
#define NFT_SET_EGRESS_ALLOW24 "egress_allow24"
#define NFT_SET_EGRESS_ALLOW32 "egress_allow32"
#define NFT_SET_EGRESS_PORTLIMITED "egress_portlimited"
#define NFT_SET_EGRESS_PORTS "egress_ports"
#define NFT_SET_EGRESS_DNS "egress_dns"
#define NFT_SET_EGRESS_LOGGED "egress_logged"
#define NFT_SET_EGRESS_LOGRATE "egress_lograte" /* dynamic: a rate limit per container */
#define NFT_EGRESS_LOG_GROUP 4242 /* the NFLOG group brnet events reads */
#define NFT_EGRESS_LOG_PREFIX "brnet-egress"

enum nft_egress_set {
	NFT_EGRESS_POLICED,
	NFT_EGRESS_ALLOW8, /* the four allow sets in this order: one per EGRESS_BUCKETS */
	NFT_EGRESS_ALLOW16,
	NFT_EGRESS_ALLOW24,
	NFT_EGRESS_ALLOW32,
	NFT_EGRESS_PORTLIMITED,
	NFT_EGRESS_PORTS,
	NFT_EGRESS_DNS,
	NFT_EGRESS_LOGGED,
	_NFT_EGRESS_SET_MAX,
	NFT_EGRESS_LOGRATE = _NFT_EGRESS_SET_MAX, /* no owned elements: not walked */
	_NFT_EGRESS_SET_ALL,
};

/* The allow set of prefix length bucket (8, 16, 24 or 32). */
enum nft_egress_set nft_egress_allow_set(unsigned bucket);

/* The set's definition (for NEWSET) and its id, for rules in the same batch. */
struct nftnl_set *nft_egress_set_new(enum nft_egress_set which);
uint32_t nft_egress_set_id(enum nft_egress_set which);
const char *nft_egress_set_name(enum nft_egress_set which);

struct nft_batch;
/* The elements of addr's policy p (nothing when p is off). */
int nft_batch_add_egress(struct nft_batch *b, const struct egress_policy *p,
			 const struct inaddr *addr, const char *owner);
size_t nft_egress_batch_room(const struct egress_policy *p);
/* In one transaction: the owner's old elements out, p's in (p off: only out). */
int nft_egress_replace(struct nl_sock *s, const struct egress_policy *p, const struct inaddr *addr,
		       const char *owner, struct brnet_error *err);
int nft_egress_remove_owned(struct nl_sock *s, const char *owner, struct brnet_error *err);
int nft_egress_owners(struct nl_sock *s, int (*fn)(const char *owner, void *userdata),
		      void *userdata, struct brnet_error *err);
/* How many of p's elements for owner are missing or extra (0: exactly as recorded). */
int nft_egress_verify(struct nl_sock *s, const struct egress_policy *p, const char *owner,
		      struct brnet_error *err);
