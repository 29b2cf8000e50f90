/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Our nf_tables table, `inet brnet`. Builders produce libnftnl objects and whole batches without
 * a kernel; operations send each batch as one transaction. Every rule carries a comment that
 * names it, which is how brnet finds its own rules again.
 *
 *   table inet brnet {
 *     map publish { type inet_proto . inet_service : ipv4_addr . inet_service }
 *     map publish_addr { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service }
 *     chain prerouting { type nat hook prerouting priority dstnat;
 *       fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @publish_addr
 *       fib daddr type local dnat ip to meta l4proto . th dport map @publish }
 *     chain output { type nat hook output priority dstnat; the same two rules }
 *     chain postrouting { type nat hook postrouting priority srcnat;
 *       per network:
 *       ip saddr 10.0.42.0/24 oifname != "brnet0" masquerade        # to the outside, unless
 *                                                                   # it does not masquerade
 *       ip saddr 10.0.42.0/24 oifname "brnet0" ct status dnat masquerade  # hairpin
 *       ip saddr 127.0.0.0/8 oifname "brnet0" masquerade           # 127.0.0.1 publishing }
 *     chain input { type filter hook input priority filter;
 *       iifname != "lo" ip daddr 127.0.0.0/8 ct state != { established, related } drop }
 *   }
 */
#pragma once

#include <libnftnl/rule.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "brnet.h"
#include "lib/netlink/nlsock.h"
#include "shared/inaddr.h"

#define NFT_TABLE "brnet"
#define NFT_CHAIN_POSTROUTING "postrouting"
#define NFT_CHAIN_PREROUTING "prerouting"
#define NFT_CHAIN_OUTPUT "output"
#define NFT_CHAIN_INPUT "input"
#define NFT_CHAIN_FORWARD "forward"
#define NFT_CHAIN_EGRESS "egress" /* no hook: jumped to for containers under a policy */
#define NFT_CHAIN_RAW "raw" /* prerouting, before conntrack and NAT */
#define NFT_SET_PUBLISH "publish"
#define NFT_SET_PUBLISH_ADDR "publish_addr"
#define NFT_COMMENT_MAX 128

/* The rules brnet keeps, by name; a bit each in a mask of rules. */
enum nft_rule_id {
	NFT_RULE_PUBLISH_ADDR_PREROUTING,
	NFT_RULE_PUBLISH_PREROUTING,
	NFT_RULE_PUBLISH_ADDR_OUTPUT,
	NFT_RULE_PUBLISH_OUTPUT,
	NFT_RULE_LOCALNET_GUARD,
	NFT_RULE_LOCALNET_DROP, /* 127/8 from a network interface, before anything translates it */
	NFT_RULE_EGRESS_FORWARD, /* new traffic from a policed container: to the egress chain */
	NFT_RULE_EGRESS_INPUT,
	NFT_RULE_EGRESS_DNS_UDP, /* the egress chain, in this order */
	NFT_RULE_EGRESS_DNS_TCP,
	NFT_RULE_EGRESS_LIST, /* to the container's allowlist, which accepts or returns */
	NFT_RULE_EGRESS_LOG,
	NFT_RULE_EGRESS_REJECT, /* containers that asked: refused with an ICMP error */
	NFT_RULE_EGRESS_DROP,
	_NFT_RULE_GLOBAL_MAX,
	NFT_RULE_MASQUERADE = _NFT_RULE_GLOBAL_MAX, /* per network from here on */
	NFT_RULE_HAIRPIN,
	NFT_RULE_LOCALNET_MASQUERADE,
	NFT_RULE_ROUTED_IN, /* new connections routed in from elsewhere: dropped unless published */
	_NFT_RULE_MAX,
};
#define NFT_RULES_ALL ((1u << _NFT_RULE_MAX) - 1)
/* The rules a network wants: all but NFT_RULE_ROUTED_IN when it lets routed connections in,
 * and but NFT_RULE_MASQUERADE when it does not masquerade. */
#define NFT_NETWORK_RULES(routed, masquerade)                                                      \
	(NFT_RULES_ALL & ~((routed) ? 1u << NFT_RULE_ROUTED_IN : 0u) &                             \
	 ~((masquerade) ? 0u : 1u << NFT_RULE_MASQUERADE))
/* The egress chain's rules: DNS_UDP to DROP, contiguous in the enum and in the chain. */
#define NFT_RULES_EGRESS_CHAIN                                                                     \
	((1u << (NFT_RULE_EGRESS_DROP + 1)) - (1u << NFT_RULE_EGRESS_DNS_UDP))

/* A network as its rules see it. */
struct nft_network {
	const char *bridge;
	const struct inprefix *subnet;
	/* destinations its masquerade leaves alone, at most CONFIG_NO_MASQ_MAX: an ip daddr !=
	 * each in its rule */
	const struct inprefix *no_masq;
	unsigned n_no_masq;
};

/* The comment that names a rule ("brnet network brnet0", "brnet publish (output)"...). */
int nft_rule_name(enum nft_rule_id id, const char *bridge, char buf[static NFT_COMMENT_MAX]);
/* One of our rules (pure); NULL on a bad bridge name or ENOMEM. nft_rule_build() is
 * nft_network_rule() of a network without masquerade exceptions (NULLs for a global rule). */
struct nftnl_rule *nft_network_rule(enum nft_rule_id id, const struct nft_network *net);
struct nftnl_rule *nft_rule_build(enum nft_rule_id id, const char *bridge,
				  const struct inprefix *subnet);
/* The masquerade rule of a network (pure): nft_rule_build(NFT_RULE_MASQUERADE, ...). */
struct nftnl_rule *nft_rule_masquerade(const char *bridge, const struct inprefix *subnet);

/* A chain of table inet brnet: a base chain, or a regular one (type NULL) for jumps. */
struct nftnl_chain *nft_chain_new(const char *name, const char *type, uint32_t hook, int prio);

struct nft_batch;
/* Appends to b: table, chains and maps (created if missing) and the rules in the mask. */
int nft_batch_add_network(struct nft_batch *b, const struct nft_network *net, unsigned rules);
/* A batch that creates table, chains and maps if missing and adds the rules in the mask.
 * Returns the batch length, or -EMSGSIZE. */
int nft_build_network_batch(void *buf, size_t size, const struct nft_network *net, unsigned rules);

/* From libnftnl's user data (type, length and value; the kernel keeps it as the rule's or the
 * element's writer gave it), the first value of the given type into out when it is a
 * NUL-terminated string of at most size bytes with the NUL: false when it is not one, when
 * there is none, or when a TLV before it runs past len. libnftnl's nftnl_udata_parse() checks
 * no length against the buffer. Pure. */
bool nft_udata_string(const void *data, size_t len, uint8_t type, char *out, size_t size);
/* The comment stored in a rule's userdata, or NULL. */
const char *nft_rule_comment(const struct nftnl_rule *r, char buf[static NFT_COMMENT_MAX]);
/* Copies a's payload, a NUL-terminated name of at most size bytes with the NUL, into out;
 * false when it is not one. */
struct nlattr;
bool nft_attr_name(const struct nlattr *a, char *out, size_t size);
/* The attributes of a nest, or of an nf_tables message after its nfgenmsg, by type up to max
 * into tb (max + 1 slots; of a type given twice, the last): 0, or -EBADMSG when one does not
 * fit. Pure. */
struct nlmsghdr;
int nft_nest_attrs(const struct nlattr *nest, const struct nlattr **tb, uint16_t max);
int nft_msg_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb, uint16_t max);
/* From a NEWRULE message (a dump reply), the rule's chain and comment, without parsing its
 * expressions: 1, 0 when it has no comment, -EBADMSG when malformed. Pure. */
#define NFT_CHAIN_NAME_MAX 256
int nft_rule_msg_name(const struct nlmsghdr *nlh, char chain[static NFT_CHAIN_NAME_MAX],
		      char comment[static NFT_COMMENT_MAX]);

/* From a NEWCHAIN message (a GETCHAIN's answer), the chain's use count (its rules and the jumps
 * to it): 1, 0 for another message or one without it, -EBADMSG when malformed. Pure. */
int nft_chain_msg_use(const struct nlmsghdr *nlh, uint32_t *use);

/* Which of the network's rules (and the global ones) are missing from the kernel: a mask. */
int nft_network_missing(struct nl_sock *s, const char *bridge, unsigned *ret_missing,
			struct brnet_error *err);

/* Deletes the network's own rules (every rule named as one of them, whichever chain), in one
 * transaction: 1 when there were some, 0 when none (or no table). The global rules stay. */
int nft_network_remove(struct nl_sock *s, const char *bridge, struct brnet_error *err);

/* The names of the sets (type NFT_MSG_GETSET) or chains (NFT_MSG_GETCHAIN) of table inet
 * brnet, in one dump: fn(name, userdata) for each. -ENOENT without the table. */
int nft_dump_names(struct nl_sock *s, int type, int (*fn)(const char *name, void *userdata),
		   void *userdata, struct brnet_error *err);
/* Makes sure table, chains, maps and the rules in wanted (NFT_NETWORK_RULES()) exist; adds
 * what is missing in one transaction. The caller holds the network lock. Returns 0 when all
 * was there, 1 when something was added. */
int nft_network_ensure(struct nl_sock *s, const struct nft_network *net, unsigned wanted,
		       struct brnet_error *err);
