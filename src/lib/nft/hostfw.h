/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Other tables that drop what the host forwards. A packet goes on from the forward hook only
 * if every base chain there lets it, so a chain of another table whose policy is drop (the
 * FORWARD chain of iptables under Docker, through iptables-nft), or whose last rule drops or
 * rejects whatever reaches it (firewalld's filter_FORWARD; RHEL's iptables "-j REJECT"),
 * stops a container's traffic past the host whatever our table accepts, unless a rule before
 * accepts it (Docker's DOCKER-USER, firewalld's trusted zone): fweval.c follows the chain's
 * rules with our networks' packets. brnet writes only its own table: it can say so, not change
 * it. iptables-legacy's FORWARD, which nf_tables cannot see, is read too (iptlegacy.c).
 */
#pragma once

#include <netinet/in.h> /* before the linux/ headers */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <stdbool.h>
#include <stdint.h>

#include "brnet.h"
#include "lib/netlink/nlsock.h"
#include "lib/nft/fweval.h"

/* Who writes the chain's table, as its chains' names tell: whose command accepts a bridge. */
enum nft_fw_owner {
	NFT_FW_OTHER,
	NFT_FW_DOCKER, /* a DOCKER-USER chain (iptables-nft) */
	NFT_FW_UFW, /* a ufw-user-forward chain (iptables-nft) */
	NFT_FW_FIREWALLD, /* table inet firewalld */
};

struct nft_chain_ref {
	uint8_t family; /* NFPROTO_IPV4 or NFPROTO_INET */
	char table[NFT_NAME_MAXLEN], chain[NFT_NAME_MAXLEN];
	bool by_rule; /* its last rule drops, not its policy */
	bool legacy; /* iptables-legacy's table, not nf_tables' */
	enum nft_fw_owner owner;
};

/* "inet" or "ip", as nft names the chain's family. */
static inline const char *nft_chain_ref_family(const struct nft_chain_ref *c)
{
	return c->family == NFPROTO_INET ? "inet" : "ip";
}

/* Whose chain this is by its name (Docker's DOCKER-USER, ufw's ufw-user-forward), or
 * NFT_FW_OTHER. Pure. */
enum nft_fw_owner nft_chain_owner(const char *chain);
/* Who writes a table, by the chains among its rules. Pure. */
enum nft_fw_owner nft_rules_owner(const struct fw_rules *r);

/* One NEWCHAIN of a dump: with ret filled, when it is a base chain at the forward hook of
 * family ip or inet, in a table that is not ours, 1 when its policy is drop and 2 when it
 * accepts (its rules tell); 0 when it is anything else; -EBADMSG. Pure. */
int nft_forward_drop_msg(const struct nlmsghdr *nlh, struct nft_chain_ref *ret);
/* One NEWRULE: 1 when it drops or rejects every packet that reaches it (nothing but counters
 * or logs before a drop verdict, a reject or iptables' REJECT target), 0 when it is anything
 * else; -EBADMSG. Pure. */
int nft_rule_ends_all_msg(const struct nlmsghdr *nlh);

/* verdicts[i]: what the chain does with the i-th packet asked about (fweval.h). */
typedef void (*nft_chain_ref_fn)(const struct nft_chain_ref *c, const enum fw_verdict *verdicts,
				 void *userdata);
/* Calls fn for each such chain of the namespace s is in (at most 16, and iptables-legacy's
 * FORWARD), with what it does with each of the n packets; returns how many chains there
 * were. */
int nft_forward_drops(struct nl_sock *s, const struct fw_packet *packets, size_t n,
		      nft_chain_ref_fn fn, void *userdata, struct brnet_error *err);
