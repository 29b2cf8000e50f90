/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The egress policy in table `inet brnet`: sets keyed by the container's address (which
 * anti-spoofing makes trustworthy), one chain of rules for all containers. A policy is
 * elements: the container in `egress_policed`, container : its allowlist in `egress_list`,
 * container . proto . port in `egress_ports` (and the container in `egress_portlimited` when
 * ports are given), container . resolver in `egress_dns`.
 *
 * An allowlist is stored once however many containers use it: a chain `allow_<hash>` and a
 * hash set for each multiple of 4 among the prefix lengths it uses (`allow_<hash>_24`), named
 * by the SHA-256 of the normalized list, each matched with the destination masked to that
 * length (a CIDR goes into the set of the next multiple of 4 up, as 2^(that - its length)
 * elements: a /18 is four /20s). The chain has two rules per set, so a new connection is
 * looked up at most sixteen times.
 * The container's element in the verdict map `egress_list` jumps to it; the chain accepts what
 * the list allows and returns, and the egress chain drops the rest. So the first container with
 * a list of 10,000 CIDRs pays for loading them and every other one costs one map element. The
 * last container to go takes its list with it: the kernel refuses to delete a chain that a map
 * element still jumps to, so a teardown (or gc) cannot take a list from under another container,
 * and a setup that finds its list gone meanwhile creates it again.
 */
#pragma once

#include <libnftnl/set.h>

#include "brnet.h"
#include "lib/config/egress.h"
#include "lib/netlink/nlsock.h"
#include "shared/inaddr.h"

#define NFT_SET_EGRESS_POLICED "egress_policed"
#define NFT_SET_EGRESS_LIST "egress_list" /* container : jump allow_<hash> */
#define NFT_SET_EGRESS_PORTLIMITED "egress_portlimited"
#define NFT_SET_EGRESS_PORTS "egress_ports"
#define NFT_SET_EGRESS_DNS "egress_dns"
#define NFT_SET_EGRESS_LOGGED "egress_logged"
#define NFT_SET_EGRESS_LOGRATE "egress_lograte" /* dynamic: a rate limit per container */
#define NFT_SET_EGRESS_REJECTED "egress_rejected" /* denied packets answered, not dropped */
#define NFT_EGRESS_LOG_GROUP 4242 /* the NFLOG group brnet events reads */
#define NFT_EGRESS_LOG_PREFIX "brnet-egress"

enum nft_egress_set {
	NFT_EGRESS_POLICED,
	NFT_EGRESS_LIST,
	NFT_EGRESS_PORTLIMITED,
	NFT_EGRESS_PORTS,
	NFT_EGRESS_DNS,
	NFT_EGRESS_LOGGED,
	NFT_EGRESS_REJECTED,
	_NFT_EGRESS_SET_MAX,
	NFT_EGRESS_LOGRATE = _NFT_EGRESS_SET_MAX, /* no owned elements: not walked */
	_NFT_EGRESS_SET_ALL,
};

/* The set's definition (for NEWSET) and its id, for rules in the same batch. */
struct nftnl_set *nft_egress_set_new(enum nft_egress_set which);
uint32_t nft_egress_set_id(enum nft_egress_set which);
const char *nft_egress_set_name(enum nft_egress_set which);

/* A policy's allowlist in the kernel: its chain's name ("" for a policy that allows no
 * destination), and whether it is there already. */
#define NFT_EGRESS_LIST_PREFIX "allow_"
#define NFT_EGRESS_LIST_NAME_MAX (sizeof(NFT_EGRESS_LIST_PREFIX) + 32) /* 128 bits of hash */
struct nft_egress_list {
	char chain[NFT_EGRESS_LIST_NAME_MAX];
	uint32_t set_id; /* its sets' ids in a batch that creates them: this, plus 1 to 4 */
	bool exists;
	uint32_t use; /* when it exists: its rules and the jumps to it (containers using it) */
};
/* Names p's allowlist (pure): by p->digest, so p must be normalized. */
void nft_egress_list_init(struct nft_egress_list *l, const struct egress_policy *p);
/* Asks the kernel whether l's chain exists. */
int nft_egress_list_probe(struct nl_sock *s, struct nft_egress_list *l, struct brnet_error *err);

struct nft_batch;
/* The elements of addr's policy p (nothing when p is off), with its allowlist l: created in the
 * same batch unless l->exists (the chain exclusively: a racing creator fails with EEXIST). */
int nft_batch_add_egress(struct nft_batch *b, const struct egress_policy *p,
			 const struct nft_egress_list *l, const struct inaddr *addr,
			 const char *owner);
/* The room nft_batch_add_egress() needs at most (with the list created). */
size_t nft_egress_batch_room(const struct egress_policy *p);
/* Runs attempt (one transaction that joins l, or creates it too when !l->exists) until the
 * kernel takes it: after asking whether the list is there (a refused transaction costs far
 * more than the question); when the kernel says the list's chain is missing (ENOENT: its
 * last container took it since), again creating it; when a racing setup created it first
 * (EEXIST), again joining. At most four tries; any other error is returned at once. */
int nft_egress_list_transact(struct nl_sock *s, struct nft_egress_list *l,
			     int (*attempt)(struct nl_sock *s, const struct nft_egress_list *l,
					    void *userdata, struct brnet_error *err),
			     void *userdata, struct brnet_error *err);
/* In one transaction: the owner's old elements out, p's in (p off: only out). */
int nft_egress_replace(struct nl_sock *s, const struct egress_policy *p, const struct inaddr *addr,
		       const char *owner, struct brnet_error *err);
int nft_egress_remove_owned(struct nl_sock *s, const char *owner, struct brnet_error *err);
int nft_egress_owners(struct nl_sock *s, int (*fn)(const char *owner, void *userdata),
		      void *userdata, struct brnet_error *err);
/* How many of p's elements for owner (its allowlist's included) are missing or extra (0:
 * exactly as recorded). */
int nft_egress_verify(struct nl_sock *s, const struct egress_policy *p, const char *owner,
		      struct brnet_error *err);
/* Removes p's allowlist unless a container still uses it (or it is gone): 1 removed, 0 not. */
int nft_egress_list_release(struct nl_sock *s, const struct egress_policy *p,
			    struct brnet_error *err);
/* Removes every allowlist no container's element jumps to, one transaction each, and tells fn
 * (may be NULL) each one's chain; dry_run removes nothing. A list that a setup took meanwhile
 * is left (the kernel refuses: EBUSY). Returns how many were (or would be) removed. */
int nft_egress_lists_gc(struct nl_sock *s, bool dry_run,
			void (*fn)(const char *chain, void *userdata), void *userdata,
			struct brnet_error *err);
