/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nf_tables over libnftnl: table, chains, maps and named rules, each change one batch. */
#include <endian.h>
#include <errno.h>
#include <netinet/in.h> /* before the linux/ headers, which would define in_addr too */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "lib/config/config.h"
#include "lib/nft/batch.h"
#include "lib/nft/egress.h"
#include "lib/nft/elems.h"
#include "lib/nft/expr.h"
#include "lib/nft/nft.h"
#include "lib/nft/publish.h"
#include "shared/error.h"
#include "shared/macro.h"

#define NF_NAT_PRI_DST (-100) /* "dstnat" */
#define NF_NAT_PRI_SRC 100 /* "srcnat" */
#define NF_FILTER_PRI 0 /* "filter" */
#define NF_RAW_PRI (-300) /* "raw" */

DEFINE_POINTER_CLEANUP(struct nftnl_rule, nftnl_rule_free)
DEFINE_POINTER_CLEANUP(struct nftnl_chain, nftnl_chain_free)
DEFINE_POINTER_CLEANUP(struct nftnl_table, nftnl_table_free)
DEFINE_POINTER_CLEANUP(struct nftnl_set, nftnl_set_free)

static const char *const rule_chain[_NFT_RULE_MAX] = {
	[NFT_RULE_PUBLISH_ADDR_PREROUTING] = NFT_CHAIN_PREROUTING,
	[NFT_RULE_PUBLISH_PREROUTING] = NFT_CHAIN_PREROUTING,
	[NFT_RULE_PUBLISH_ADDR_OUTPUT] = NFT_CHAIN_OUTPUT,
	[NFT_RULE_PUBLISH_OUTPUT] = NFT_CHAIN_OUTPUT,
	[NFT_RULE_LOCALNET_GUARD] = NFT_CHAIN_INPUT,
	[NFT_RULE_LOCALNET_DROP] = NFT_CHAIN_RAW,
	[NFT_RULE_EGRESS_FORWARD] = NFT_CHAIN_FORWARD,
	[NFT_RULE_EGRESS_INPUT] = NFT_CHAIN_INPUT,
	[NFT_RULE_EGRESS_DNS_UDP] = NFT_CHAIN_EGRESS,
	[NFT_RULE_EGRESS_DNS_TCP] = NFT_CHAIN_EGRESS,
	[NFT_RULE_EGRESS_LIST] = NFT_CHAIN_EGRESS,
	[NFT_RULE_EGRESS_LOG] = NFT_CHAIN_EGRESS,
	[NFT_RULE_EGRESS_REJECT] = NFT_CHAIN_EGRESS,
	[NFT_RULE_EGRESS_DROP] = NFT_CHAIN_EGRESS,
	[NFT_RULE_MASQUERADE] = NFT_CHAIN_POSTROUTING,
	[NFT_RULE_HAIRPIN] = NFT_CHAIN_POSTROUTING,
	[NFT_RULE_LOCALNET_MASQUERADE] = NFT_CHAIN_POSTROUTING,
	[NFT_RULE_ROUTED_IN] = NFT_CHAIN_FORWARD,
};

int nft_rule_name(enum nft_rule_id id, const char *bridge, char buf[static NFT_COMMENT_MAX])
{
	/* Global rules are named as is; a network's rules get the bridge appended. */
	static const char *const names[_NFT_RULE_MAX] = {
		[NFT_RULE_PUBLISH_ADDR_PREROUTING] = "brnet publish addr (prerouting)",
		[NFT_RULE_PUBLISH_PREROUTING] = "brnet publish (prerouting)",
		[NFT_RULE_PUBLISH_ADDR_OUTPUT] = "brnet publish addr (output)",
		[NFT_RULE_PUBLISH_OUTPUT] = "brnet publish (output)",
		[NFT_RULE_LOCALNET_GUARD] = "brnet localnet guard",
		[NFT_RULE_LOCALNET_DROP] = "brnet localnet drop",
		[NFT_RULE_EGRESS_FORWARD] = "brnet egress (forward)",
		[NFT_RULE_EGRESS_INPUT] = "brnet egress (input)",
		[NFT_RULE_EGRESS_DNS_UDP] = "brnet egress dns udp",
		[NFT_RULE_EGRESS_DNS_TCP] = "brnet egress dns tcp",
		[NFT_RULE_EGRESS_LIST] = "brnet egress allowlist",
		[NFT_RULE_EGRESS_LOG] = "brnet egress log",
		[NFT_RULE_EGRESS_REJECT] = "brnet egress reject",
		[NFT_RULE_EGRESS_DROP] = "brnet egress drop",
		[NFT_RULE_MASQUERADE] = "brnet network",
		[NFT_RULE_HAIRPIN] = "brnet hairpin",
		[NFT_RULE_LOCALNET_MASQUERADE] = "brnet localnet",
		[NFT_RULE_ROUTED_IN] = "brnet routed in",
	};
	size_t n, b;

	if (id >= _NFT_RULE_MAX)
		return -EINVAL;
	/* Joined by hand: every setup names each rule (rules_digest()), and printf is slow. */
	n = strlen(names[id]);
	b = id < _NFT_RULE_GLOBAL_MAX ? 0 : strlen(bridge ? bridge : "") + 1;
	if (n + b >= NFT_COMMENT_MAX)
		return -ENAMETOOLONG;
	memcpy(buf, names[id], n);
	if (b > 0) {
		buf[n] = ' ';
		memcpy(buf + n + 1, bridge ? bridge : "", b - 1);
	}
	buf[n + b] = '\0';
	return 0;
}

static int match_ipv4(struct nftnl_rule *r)
{
	uint8_t nfproto = NFPROTO_IPV4;

	/* meta nfproto ipv4: the inet family sees both; our matches are IPv4 only. */
	if (rule_add(r, expr_meta(NFT_META_NFPROTO, NFT_REG_1)) < 0)
		return -ENOMEM;
	return rule_add(r, expr_cmp(NFT_CMP_EQ, &nfproto, sizeof(nfproto)));
}

/* ip saddr|daddr within prefix (op NFT_CMP_EQ), or not (NFT_CMP_NEQ) */
static int match_prefix_op(struct nftnl_rule *r, uint32_t offset, uint32_t net_host, unsigned len,
			   uint32_t op)
{
	uint32_t mask = htonl(prefix_v4_mask(len)), net = htonl(net_host & prefix_v4_mask(len));

	if (rule_add(r, expr_payload(NFT_PAYLOAD_NETWORK_HEADER, offset, 4, NFT_REG_1)) < 0 ||
	    rule_add(r, expr_mask(&mask, sizeof(mask))) < 0)
		return -ENOMEM;
	return rule_add(r, expr_cmp(op, &net, sizeof(net)));
}

static int match_prefix(struct nftnl_rule *r, uint32_t offset, uint32_t net_host, unsigned len)
{
	return match_prefix_op(r, offset, net_host, len, NFT_CMP_EQ);
}

static int match_ifname(struct nftnl_rule *r, uint32_t key, uint32_t op, const char *name)
{
	char ifname[IFNAMSIZ] = { 0 };

	memcpy(ifname, name, strnlen(name, IFNAMSIZ - 1));
	if (rule_add(r, expr_meta(key, NFT_REG_1)) < 0)
		return -ENOMEM;
	return rule_add(r, expr_cmp(op, ifname, sizeof(ifname)));
}

/* fib daddr type local */
static int match_local_daddr(struct nftnl_rule *r)
{
	uint32_t local = RTN_LOCAL;

	if (rule_add(r, expr_fib_daddr_type()) < 0)
		return -ENOMEM;
	return rule_add(r, expr_cmp(NFT_CMP_EQ, &local, sizeof(local)));
}

/* ct status & mask != 0 (or == 0 with op EQ and zero) */
static int match_ct_bits(struct nftnl_rule *r, uint32_t key, uint32_t bits, uint32_t op)
{
	uint32_t zero = 0;

	if (rule_add(r, expr_ct(key, NFT_REG_1)) < 0 || rule_add(r, expr_mask(&bits, 4)) < 0)
		return -ENOMEM;
	return rule_add(r, expr_cmp(op, &zero, sizeof(zero)));
}

/* ct state != { established, related }: neither a reply nor related to a connection */
static int match_ct_new(struct nftnl_rule *r)
{
	return match_ct_bits(r, NFT_CT_STATE,
			     NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED),
			     NFT_CMP_EQ);
}

static int build_publish(struct nftnl_rule *r, bool by_addr)
{
	int ret = match_ipv4(r);

	if (ret >= 0)
		ret = match_local_daddr(r);
	if (ret < 0)
		return ret;
	if (by_addr) {
		/* ip daddr . meta l4proto . th dport -> ip . port */
		if (rule_add(r, expr_payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG32_00)) <
			    0 ||
		    rule_add(r, expr_meta(NFT_META_L4PROTO, NFT_REG32_01)) < 0 ||
		    rule_add(r, expr_payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_02)) <
			    0 ||
		    rule_add(r, expr_lookup(NFT_SET_PUBLISH_ADDR, NFT_SET_ID_PUBLISH_ADDR,
					    NFT_REG_1, NFT_REG_1)) < 0)
			return -ENOMEM;
	} else {
		/* meta l4proto . th dport -> ip . port */
		if (rule_add(r, expr_meta(NFT_META_L4PROTO, NFT_REG32_00)) < 0 ||
		    rule_add(r, expr_payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_01)) <
			    0 ||
		    rule_add(r, expr_lookup(NFT_SET_PUBLISH, NFT_SET_ID_PUBLISH, NFT_REG_1,
					    NFT_REG_1)) < 0)
			return -ENOMEM;
	}
	return rule_add(r, expr_dnat_v4());
}

/* Registers for the egress lookups: source address, then what follows it in the key. */
static int load_saddr(struct nftnl_rule *r)
{
	return rule_add(r, expr_payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG32_00));
}

static int match_in(struct nftnl_rule *r, enum nft_egress_set which, bool invert)
{
	return rule_add(r, expr_lookup_match(nft_egress_set_name(which), nft_egress_set_id(which),
					     NFT_REG32_00, invert));
}

static int build_egress(struct nftnl_rule *r, enum nft_rule_id id)
{
	uint8_t proto = id == NFT_RULE_EGRESS_DNS_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	uint16_t dns = htons(53);
	int ret = match_ipv4(r);

	if (ret < 0)
		return ret;
	switch (id) {
	case NFT_RULE_EGRESS_FORWARD:
	case NFT_RULE_EGRESS_INPUT:
		/* ip saddr @egress_policed ct state != established,related jump egress */
		if (load_saddr(r) < 0 || match_in(r, NFT_EGRESS_POLICED, false) < 0 ||
		    match_ct_new(r) < 0)
			return -ENOMEM;
		return rule_add(r, expr_jump(NFT_CHAIN_EGRESS));
	case NFT_RULE_EGRESS_DNS_UDP:
	case NFT_RULE_EGRESS_DNS_TCP:
		/* meta l4proto udp|tcp th dport 53 ip saddr . ip daddr @egress_dns accept */
		if (rule_add(r, expr_meta(NFT_META_L4PROTO, NFT_REG_1)) < 0 ||
		    rule_add(r, expr_cmp(NFT_CMP_EQ, &proto, 1)) < 0 ||
		    rule_add(r, expr_payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1)) < 0 ||
		    rule_add(r, expr_cmp(NFT_CMP_EQ, &dns, 2)) < 0 || load_saddr(r) < 0 ||
		    rule_add(r, expr_payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG32_01)) <
			    0 ||
		    match_in(r, NFT_EGRESS_DNS, false) < 0)
			return -ENOMEM;
		return rule_add(r, expr_verdict(NF_ACCEPT));
	case NFT_RULE_EGRESS_LIST:
		/* ip saddr vmap @egress_list: a jump to the container's allowlist chain */
		if (load_saddr(r) < 0 ||
		    rule_add(r, expr_vmap(NFT_SET_EGRESS_LIST, nft_egress_set_id(NFT_EGRESS_LIST),
					  NFT_REG32_00)) < 0)
			return -ENOMEM;
		return 0;
	case NFT_RULE_EGRESS_LOG:
		/* ip saddr @egress_logged update @egress_lograte { ip saddr limit rate 5/minute }
		 * log prefix "brnet-egress" group 4242 */
		if (load_saddr(r) < 0 || match_in(r, NFT_EGRESS_LOGGED, false) < 0 ||
		    rule_add(r, expr_dynset_limit(NFT_SET_EGRESS_LOGRATE,
						  nft_egress_set_id(NFT_EGRESS_LOGRATE),
						  NFT_REG32_00, 5, 60)) < 0 ||
		    rule_add(r, expr_log_group(NFT_EGRESS_LOG_PREFIX, NFT_EGRESS_LOG_GROUP)) < 0)
			return -ENOMEM;
		return 0;
	case NFT_RULE_EGRESS_REJECT:
		/* ip saddr @egress_rejected reject with icmpx admin-prohibited: the container's
		 * connect() fails at once (EHOSTUNREACH) instead of waiting out its retries */
		if (load_saddr(r) < 0 || match_in(r, NFT_EGRESS_REJECTED, false) < 0)
			return -ENOMEM;
		return rule_add(r, expr_reject_icmpx(NFT_REJECT_ICMPX_ADMIN_PROHIBITED));
	case NFT_RULE_EGRESS_DROP:
		return rule_add(r, expr_verdict(NF_DROP));
	default:
		return -EINVAL;
	}
}

struct nftnl_rule *nft_network_rule(enum nft_rule_id id, const struct nft_network *n)
{
	_cleanup_(nftnl_rule_freep) struct nftnl_rule *r = nftnl_rule_alloc();
	const char *bridge = n->bridge;
	const struct inprefix *subnet = n->subnet;
	char comment[NFT_COMMENT_MAX];
	uint32_t net = subnet ? inaddr_v4_host(&subnet->addr) : 0;
	int ret;

	if (!r || id >= _NFT_RULE_MAX || (id >= _NFT_RULE_GLOBAL_MAX && !subnet) ||
	    (bridge && strlen(bridge) >= IFNAMSIZ) || n->n_no_masq > CONFIG_NO_MASQ_MAX ||
	    nft_rule_name(id, bridge, comment) < 0)
		return NULL;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, rule_chain[id]);

	if (id >= NFT_RULE_EGRESS_FORWARD && id <= NFT_RULE_EGRESS_DROP) { /* in enum order */
		ret = build_egress(r, id);
		goto done;
	}
	switch (id) {
	case NFT_RULE_PUBLISH_ADDR_PREROUTING:
	case NFT_RULE_PUBLISH_ADDR_OUTPUT:
		/* Ports published on one host address come first: they are the more specific. */
		ret = build_publish(r, true);
		break;
	case NFT_RULE_PUBLISH_PREROUTING:
	case NFT_RULE_PUBLISH_OUTPUT:
		/* Only traffic for this host is published: never hijack other destinations. */
		ret = build_publish(r, false);
		break;
	case NFT_RULE_LOCALNET_GUARD:
		/* route_localnet lets 127/8 in from the bridge; only replies may come
		 * (CVE-2020-8558). */
		ret = match_ipv4(r);
		if (ret >= 0)
			ret = match_ifname(r, NFT_META_IIFNAME, NFT_CMP_NEQ, "lo");
		if (ret >= 0)
			ret = match_prefix(r, 16, 0x7f000000, 8);
		if (ret >= 0)
			ret = match_ct_new(r);
		if (ret >= 0)
			ret = rule_add(r, expr_verdict(NF_DROP));
		break;
	case NFT_RULE_LOCALNET_DROP:
		/* Nothing addressed to 127/8 comes in from a network, as the kernel's routing
		 * knows (a martian), but the publish rules' DNAT runs before routing: a neighbour
		 * sending to 127.0.0.1:PORT with the host's MAC reached a port published on
		 * 127.0.0.1 only, and the input guard never saw it (it was forwarded). Before
		 * conntrack, so such a packet neither makes an entry nor joins one. */
		ret = match_ipv4(r);
		if (ret >= 0)
			ret = match_prefix(r, 16, 0x7f000000, 8);
		if (ret >= 0)
			ret = match_ifname(r, NFT_META_IIFNAME, NFT_CMP_NEQ, "lo");
		if (ret >= 0)
			ret = rule_add(r, expr_verdict(NF_DROP));
		break;
	case NFT_RULE_MASQUERADE:
		/* From the subnet out through another interface; between containers, sources stay.
		 * Nor to the exceptions: each an ip daddr != prefix, all of which must hold. */
		ret = match_ipv4(r);
		if (ret >= 0)
			ret = match_prefix(r, 12, net, subnet->len);
		if (ret >= 0)
			ret = match_ifname(r, NFT_META_OIFNAME, NFT_CMP_NEQ, bridge);
		for (unsigned i = 0; ret >= 0 && i < n->n_no_masq; i++)
			ret = match_prefix_op(r, 16, inaddr_v4_host(&n->no_masq[i].addr),
					      n->no_masq[i].len, NFT_CMP_NEQ);
		if (ret >= 0)
			ret = rule_add(r, nftnl_expr_alloc("masq"));
		break;
	case NFT_RULE_HAIRPIN:
		/* A container reaching a published port through the host comes back out the
		 * bridge: without masquerade the reply would bypass the host and its un-NAT. */
		ret = match_ipv4(r);
		if (ret >= 0)
			ret = match_prefix(r, 12, net, subnet->len);
		if (ret >= 0)
			ret = match_ifname(r, NFT_META_OIFNAME, NFT_CMP_EQ, bridge);
		if (ret >= 0)
			ret = match_ct_bits(r, NFT_CT_STATUS, IPS_DST_NAT, NFT_CMP_NEQ);
		if (ret >= 0)
			ret = rule_add(r, nftnl_expr_alloc("masq"));
		break;
	case NFT_RULE_LOCALNET_MASQUERADE:
		/* 127.0.0.1:PORT from the host leaves through the bridge with a 127/8 source the
		 * container could not answer. */
		ret = match_ipv4(r);
		if (ret >= 0)
			ret = match_prefix(r, 12, 0x7f000000, 8);
		if (ret >= 0)
			ret = match_ifname(r, NFT_META_OIFNAME, NFT_CMP_EQ, bridge);
		if (ret >= 0)
			ret = rule_add(r, nftnl_expr_alloc("masq"));
		break;
	case NFT_RULE_ROUTED_IN:
		/* Another machine (or network) with a route to the subnet via this host reaches
		 * a container only through a published port (DNAT'ed) or a connection the
		 * container made (defect 15). Traffic between the bridge's own ports comes in by
		 * the bridge. Both families: the network is IPv4, nothing else is let in. */
		ret = match_ifname(r, NFT_META_OIFNAME, NFT_CMP_EQ, bridge);
		if (ret >= 0)
			ret = match_ifname(r, NFT_META_IIFNAME, NFT_CMP_NEQ, bridge);
		if (ret >= 0)
			ret = match_ct_bits(r, NFT_CT_STATUS, IPS_DST_NAT, NFT_CMP_EQ);
		if (ret >= 0)
			ret = match_ct_new(r);
		if (ret >= 0)
			ret = rule_add(r, expr_verdict(NF_DROP));
		break;
	default:
		return NULL;
	}
done:
	if (ret < 0 || rule_set_comment(r, comment) < 0)
		return NULL;
	return steal_pointer(&r);
}

struct nftnl_rule *nft_rule_build(enum nft_rule_id id, const char *bridge,
				  const struct inprefix *subnet)
{
	return nft_network_rule(id, &(struct nft_network){ .bridge = bridge, .subnet = subnet });
}

struct nftnl_rule *nft_rule_masquerade(const char *bridge, const struct inprefix *subnet)
{
	return nft_rule_build(NFT_RULE_MASQUERADE, bridge, subnet);
}

static struct nftnl_table *table_new(void)
{
	struct nftnl_table *t = nftnl_table_alloc();

	if (t) {
		nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
		nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFT_TABLE);
	}
	return t;
}

struct nftnl_chain *nft_chain_new(const char *name, const char *type, uint32_t hook, int prio)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (c) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NFT_TABLE);
		nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
		if (!type)
			return c;
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	}
	return c;
}

int nft_batch_add_network(struct nft_batch *b, const struct nft_network *net, unsigned rules)
{
	static const struct {
		const char *name, *type;
		uint32_t hook;
		int prio;
	} chains[] = {
		{ NFT_CHAIN_PREROUTING, "nat", NF_INET_PRE_ROUTING, NF_NAT_PRI_DST },
		{ NFT_CHAIN_OUTPUT, "nat", NF_INET_LOCAL_OUT, NF_NAT_PRI_DST },
		{ NFT_CHAIN_POSTROUTING, "nat", NF_INET_POST_ROUTING, NF_NAT_PRI_SRC },
		{ NFT_CHAIN_INPUT, "filter", NF_INET_LOCAL_IN, NF_FILTER_PRI },
		{ NFT_CHAIN_FORWARD, "filter", NF_INET_FORWARD, NF_FILTER_PRI },
		{ NFT_CHAIN_EGRESS, NULL, 0, 0 },
		{ NFT_CHAIN_RAW, "filter", NF_INET_PRE_ROUTING, NF_RAW_PRI },
	};
	_cleanup_(nftnl_table_freep) struct nftnl_table *t = table_new();

	if (!t)
		return -ENOMEM;
	/* NLM_F_CREATE without EXCL: "add table/chain/map" are no-ops when they exist. */
	nft_batch_table(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, t);
	for (size_t i = 0; i < ELEMENTSOF(chains); i++) {
		_cleanup_(nftnl_chain_freep) struct nftnl_chain *c = nft_chain_new(
			chains[i].name, chains[i].type, chains[i].hook, chains[i].prio);

		if (!c)
			return -ENOMEM;
		nft_batch_chain(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, c);
	}
	for (int by_addr = 0; by_addr <= 1; by_addr++) {
		_cleanup_(nftnl_set_freep) struct nftnl_set *s = nft_publish_set_new(by_addr);

		if (!s)
			return -ENOMEM;
		nft_batch_set(b, NFT_MSG_NEWSET, NLM_F_CREATE, s);
	}
	for (unsigned i = 0; i < _NFT_EGRESS_SET_ALL; i++) {
		_cleanup_(nftnl_set_freep) struct nftnl_set *s = nft_egress_set_new(i);

		if (!s)
			return -ENOMEM;
		nft_batch_set(b, NFT_MSG_NEWSET, NLM_F_CREATE, s);
	}
	/* The egress chain's rules act in order: one missing means all are written again. */
	if (rules & NFT_RULES_EGRESS_CHAIN) {
		_cleanup_(nftnl_rule_freep) struct nftnl_rule *flush = nftnl_rule_alloc();

		if (!flush)
			return -ENOMEM;
		nftnl_rule_set_u32(flush, NFTNL_RULE_FAMILY, NFPROTO_INET);
		nftnl_rule_set_str(flush, NFTNL_RULE_TABLE, NFT_TABLE);
		nftnl_rule_set_str(flush, NFTNL_RULE_CHAIN, NFT_CHAIN_EGRESS);
		nft_batch_rule(b, NFT_MSG_DELRULE, 0, flush);
		rules |= NFT_RULES_EGRESS_CHAIN;
	}
	for (unsigned id = 0; id < _NFT_RULE_MAX; id++) {
		_cleanup_(nftnl_rule_freep) struct nftnl_rule *r = NULL;

		if (!(rules & (1u << id)))
			continue;
		r = nft_network_rule(id, net);
		if (!r)
			return -ENOMEM;
		nft_batch_rule(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, r);
	}
	return b->overflow ? -EMSGSIZE : 0;
}

int nft_build_network_batch(void *buf, size_t size, const struct nft_network *net, unsigned rules)
{
	struct nft_batch b;
	int ret;

	nft_batch_init(&b, buf, size);
	nft_batch_begin(&b);
	ret = nft_batch_add_network(&b, net, rules);
	if (ret >= 0)
		ret = nft_batch_end(&b);
	return ret < 0 ? ret : (int)b.len;
}

bool nft_udata_string(const void *data, size_t len, uint8_t type, char *out, size_t size)
{
	const uint8_t *p = data;

	/* Each TLV: a byte of type, a byte of length, the value. */
	while (len >= 2 && (size_t)p[1] <= len - 2) {
		uint8_t vlen = p[1];
		const char *val = (const char *)p + 2;

		if (p[0] == type) {
			if (vlen == 0 || vlen > size || val[vlen - 1] != '\0')
				return false;
			memcpy(out, val, vlen);
			return true;
		}
		p += 2 + vlen;
		len -= 2 + (size_t)vlen;
	}
	return false;
}

const char *nft_rule_comment(const struct nftnl_rule *r, char buf[static NFT_COMMENT_MAX])
{
	const void *data;
	uint32_t len;

	if (!nftnl_rule_is_set(r, NFTNL_RULE_USERDATA))
		return NULL;
	data = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
	if (!data || !nft_udata_string(data, len, NFTNL_UDATA_RULE_COMMENT, buf, NFT_COMMENT_MAX))
		return NULL;
	return buf;
}

bool nft_attr_name(const struct nlattr *a, char *out, size_t size)
{
	uint16_t len = mnl_attr_get_payload_len(a);
	const char *s = mnl_attr_get_payload(a);

	if (len == 0 || len > size || s[len - 1] != '\0')
		return false;
	memcpy(out, s, len);
	return true;
}

struct attr_table {
	const struct nlattr **tb;
	uint16_t max;
};

static int attr_table_cb(const struct nlattr *a, void *data)
{
	const struct attr_table *t = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= t->max)
		t->tb[type] = a;
	return MNL_CB_OK;
}

static struct attr_table attr_table_init(const struct nlattr **tb, uint16_t max)
{
	for (uint16_t i = 0; i <= max; i++)
		tb[i] = NULL;
	return (struct attr_table){ tb, max };
}

int nft_nest_attrs(const struct nlattr *nest, const struct nlattr **tb, uint16_t max)
{
	struct attr_table t = attr_table_init(tb, max);

	return mnl_attr_parse_nested(nest, attr_table_cb, &t) < 0 ? -EBADMSG : 0;
}

int nft_msg_attrs(const struct nlmsghdr *nlh, const struct nlattr **tb, uint16_t max)
{
	struct attr_table t = attr_table_init(tb, max);

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg) ||
	    mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_table_cb, &t) < 0)
		return -EBADMSG;
	return 0;
}

int nft_rule_msg_name(const struct nlmsghdr *nlh, char chain[static NFT_CHAIN_NAME_MAX],
		      char comment[static NFT_COMMENT_MAX])
{
	const struct nlattr *tb[NFTA_RULE_MAX + 1], *udata;

	if (nft_msg_attrs(nlh, tb, NFTA_RULE_MAX) < 0)
		return -EBADMSG;
	udata = tb[NFTA_RULE_USERDATA];
	if (!tb[NFTA_RULE_CHAIN] || !udata)
		return 0;
	if (!nft_attr_name(tb[NFTA_RULE_CHAIN], chain, NFT_CHAIN_NAME_MAX))
		return -EBADMSG;
	/* A comment that is not ours in form (too long, unterminated) names none of our rules. */
	return nft_udata_string(mnl_attr_get_payload(udata), mnl_attr_get_payload_len(udata),
				NFTNL_UDATA_RULE_COMMENT, comment, NFT_COMMENT_MAX)
		       ? 1
		       : 0;
}

int nft_chain_msg_use(const struct nlmsghdr *nlh, uint32_t *use)
{
	const struct nlattr *tb[NFTA_CHAIN_MAX + 1], *a;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWCHAIN)
		return 0;
	if (nft_msg_attrs(nlh, tb, NFTA_CHAIN_MAX) < 0)
		return -EBADMSG;
	a = tb[NFTA_CHAIN_USE];
	if (!a)
		return 0;
	if (mnl_attr_get_payload_len(a) != sizeof(uint32_t))
		return -EBADMSG;
	*use = ntohl(mnl_attr_get_u32(a));
	return 1;
}

struct rule_scan {
	char names[_NFT_RULE_MAX][NFT_COMMENT_MAX];
	unsigned present;
};

/* Only the chain and the comment are read: a dump of the table's rules is parsed no
 * further than the names it is searched for. */
static int rule_scan_cb(const struct nlmsghdr *nlh, void *userdata)
{
	char chain[NFT_CHAIN_NAME_MAX], comment[NFT_COMMENT_MAX];
	struct rule_scan *scan = userdata;
	int r = nft_rule_msg_name(nlh, chain, comment);

	if (r <= 0)
		return r;
	for (unsigned id = 0; id < _NFT_RULE_MAX; id++)
		if (strcmp(comment, scan->names[id]) == 0 && strcmp(chain, rule_chain[id]) == 0)
			scan->present |= 1u << id;
	return 0;
}

/* Our rules' names for bridge, from id first on. */
static int rule_names(const char *bridge, unsigned first, char names[][NFT_COMMENT_MAX])
{
	for (unsigned id = first; id < _NFT_RULE_MAX; id++) {
		int r = nft_rule_name(id, bridge, names[id]);

		if (r < 0)
			return r;
	}
	return 0;
}

/* One dump of the whole table, every chain's rules, to cb; -ENOENT without the table. */
static int dump_rules(struct nl_sock *s, nl_data_cb cb, void *userdata, struct brnet_error *err)
{
	_cleanup_(nftnl_rule_freep) struct nftnl_rule *q = nftnl_rule_alloc();
	char buf[1024];
	struct nlmsghdr *nlh;

	if (!q)
		return -ENOMEM;
	nftnl_rule_set_u32(q, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(q, NFTNL_RULE_TABLE, NFT_TABLE);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_INET, NLM_F_DUMP, 0);
	nftnl_rule_nlmsg_build_payload(nlh, q);
	return nl_sock_transact(s, nlh, nlh->nlmsg_len, cb, userdata, err);
}

int nft_network_missing(struct nl_sock *s, const char *bridge, unsigned *ret_missing,
			struct brnet_error *err)
{
	struct rule_scan scan = { 0 };
	int ret = rule_names(bridge, 0, scan.names);

	if (ret >= 0)
		ret = dump_rules(s, rule_scan_cb, &scan, err);
	if (ret < 0 && ret != -ENOENT) /* ENOENT: no table yet */
		return ret;
	*ret_missing = NFT_RULES_ALL & ~scan.present;
	return 0;
}

/* The handles of a network's rules, from a dump of the table's. */
struct network_rules_found {
	char names[_NFT_RULE_MAX][NFT_COMMENT_MAX];
	struct {
		char chain[NFT_CHAIN_NAME_MAX];
		uint64_t handle;
	} v[4 * (_NFT_RULE_MAX - _NFT_RULE_GLOBAL_MAX)];
	unsigned n;
};

static int network_rule_cb(const struct nlmsghdr *nlh, void *userdata)
{
	char chain[NFT_CHAIN_NAME_MAX], comment[NFT_COMMENT_MAX];
	const struct nlattr *tb[NFTA_RULE_MAX + 1];
	struct network_rules_found *f = userdata;
	int r = nft_rule_msg_name(nlh, chain, comment);

	if (r <= 0)
		return r;
	for (unsigned id = _NFT_RULE_GLOBAL_MAX; id < _NFT_RULE_MAX; id++) {
		if (strcmp(comment, f->names[id]) != 0)
			continue;
		if (nft_msg_attrs(nlh, tb, NFTA_RULE_MAX) < 0 || !tb[NFTA_RULE_HANDLE] ||
		    mnl_attr_get_payload_len(tb[NFTA_RULE_HANDLE]) != sizeof(uint64_t))
			return -EBADMSG;
		if (f->n == ELEMENTSOF(f->v))
			return -E2BIG; /* copies of our rules that nobody made */
		snprintf(f->v[f->n].chain, sizeof(f->v[f->n].chain), "%s", chain);
		f->v[f->n++].handle = be64toh(mnl_attr_get_u64(tb[NFTA_RULE_HANDLE]));
	}
	return 0;
}

int nft_network_remove(struct nl_sock *s, const char *bridge, struct brnet_error *err)
{
	struct network_rules_found f = { 0 };
	char buf[NFT_BATCH_SMALL * 2];
	struct nft_batch b;
	int r = rule_names(bridge, _NFT_RULE_GLOBAL_MAX, f.names);

	if (r >= 0)
		r = dump_rules(s, network_rule_cb, &f, err);
	if (r == -ENOENT)
		return 0; /* no table */
	if (r < 0)
		return brnet_err_prefix(err, r, "nf_tables: cannot list table inet " NFT_TABLE);
	if (f.n == 0)
		return 0;
	nft_batch_init(&b, buf, sizeof(buf));
	nft_batch_begin(&b);
	for (unsigned i = 0; i < f.n; i++) {
		_cleanup_(nftnl_rule_freep) struct nftnl_rule *d = nftnl_rule_alloc();

		if (!d)
			return -ENOMEM;
		nftnl_rule_set_u32(d, NFTNL_RULE_FAMILY, NFPROTO_INET);
		nftnl_rule_set_str(d, NFTNL_RULE_TABLE, NFT_TABLE);
		nftnl_rule_set_str(d, NFTNL_RULE_CHAIN, f.v[i].chain);
		nftnl_rule_set_u64(d, NFTNL_RULE_HANDLE, f.v[i].handle);
		nft_batch_rule(&b, NFT_MSG_DELRULE, 0, d);
	}
	r = nft_batch_end(&b);
	if (r >= 0)
		r = nl_sock_transact(s, buf, b.len, NULL, NULL, err);
	if (r < 0)
		return brnet_err_prefix(err, r, "nf_tables: cannot remove the rules of %s", bridge);
	return 1;
}

/*
 * Older brnets kept allowlists per container: first in one interval set, "egress_allow", then
 * in one hash set per prefix length, "egress_allow8" to "egress_allow32". The egress chain
 * written afresh no longer refers to them, so they can go, with the elements of containers set
 * up by those versions (`brnet restore` puts their policies into lists). A table without them
 * answers ENOENT, which is fine.
 */
static const char *const legacy_sets[] = {
	"egress_allow", "egress_allow8", "egress_allow16", "egress_allow24", "egress_allow32",
};

struct dump_names {
	uint16_t table_attr, name_attr; /* NFTA_SET_* or NFTA_CHAIN_* */
	int (*fn)(const char *name, void *userdata);
	void *userdata;
};

/* Only the table's and the object's names are read: the rest of a set or chain is not
 * parsed. */
static int dump_names_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct dump_names *d = userdata;
	const char *table = NULL, *name = NULL;
	const struct nlattr *attr;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg))
		return -EBADMSG;
	mnl_attr_for_each (attr, nlh, sizeof(struct nfgenmsg)) {
		uint16_t type = mnl_attr_get_type(attr);

		if (type != d->table_attr && type != d->name_attr)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return -EBADMSG;
		*(type == d->table_attr ? &table : &name) = mnl_attr_get_str(attr);
	}
	return table && name && strcmp(table, NFT_TABLE) == 0 ? d->fn(name, d->userdata) : 0;
}

int nft_dump_names(struct nl_sock *s, int type, int (*fn)(const char *name, void *userdata),
		   void *userdata, struct brnet_error *err)
{
	struct dump_names d = { .fn = fn, .userdata = userdata };
	char buf[512];
	struct nlmsghdr *nlh;

	if (type == NFT_MSG_GETSET) {
		d.table_attr = NFTA_SET_TABLE;
		d.name_attr = NFTA_SET_NAME;
	} else if (type == NFT_MSG_GETCHAIN) {
		d.table_attr = NFTA_CHAIN_TABLE;
		d.name_attr = NFTA_CHAIN_NAME;
	} else {
		return -EINVAL;
	}
	nlh = nftnl_nlmsg_build_hdr(buf, (uint16_t)type, NFPROTO_INET, NLM_F_DUMP, 0);
	mnl_attr_put_strz(nlh, d.table_attr, NFT_TABLE);
	return nl_sock_transact(s, nlh, nlh->nlmsg_len, dump_names_cb, &d, err);
}

static int legacy_set_cb(const char *name, void *userdata)
{
	unsigned *present = userdata;

	for (size_t i = 0; i < ELEMENTSOF(legacy_sets); i++)
		if (strcmp(name, legacy_sets[i]) == 0)
			*present |= 1u << i;
	return 0;
}

/* Which are there is asked first (one dump of our table's sets): deleting a set that is not
 * there is a refused transaction, whose abort costs far more than the question. */
static int drop_legacy_sets(struct nl_sock *s, struct brnet_error *err)
{
	char buf[NFT_BATCH_SMALL * 2];
	unsigned present = 0;
	struct nft_batch b;
	int r;

	r = nft_dump_names(s, NFT_MSG_GETSET, legacy_set_cb, &present, err);
	if (r < 0)
		return brnet_err_prefix(err, r,
					"nf_tables: cannot list the sets of table inet " NFT_TABLE);
	if (!present)
		return 0;
	nft_batch_init(&b, buf, sizeof(buf));
	nft_batch_begin(&b);
	for (size_t i = 0; i < ELEMENTSOF(legacy_sets); i++) {
		_cleanup_(nftnl_set_freep) struct nftnl_set *set = NULL;

		if (!(present & (1u << i)))
			continue;
		set = nft_setref_alloc(
			&(struct nft_setref){ .family = NFPROTO_INET, .name = legacy_sets[i] });
		if (!set)
			return -ENOMEM;
		nft_batch_set(&b, NFT_MSG_DELSET, 0, set);
	}
	r = nft_batch_end(&b);
	if (r >= 0)
		r = nl_sock_transact(s, buf, b.len, NULL, NULL, err);
	if (r < 0)
		return brnet_err_prefix(err, r,
					"nf_tables: cannot remove the sets of an older brnet");
	return 0;
}

int nft_network_ensure(struct nl_sock *s, const struct nft_network *net, unsigned wanted,
		       struct brnet_error *err)
{
	char buf[NFT_BATCH_SMALL * 2];
	unsigned missing;
	int r, len;

	r = nft_network_missing(s, net->bridge, &missing, err);
	if (r < 0)
		return brnet_err_prefix(err, r, "nf_tables: cannot list table inet " NFT_TABLE);
	missing &= wanted;
	if (missing == 0)
		return 0; /* every rule is there, so are the table, chains and maps they use */
	len = nft_build_network_batch(buf, sizeof(buf), net, missing);
	if (len < 0)
		return brnet_err(err, -len, "nf_tables: cannot build batch: %s", strerror(-len));
	r = nl_sock_transact(s, buf, (size_t)len, NULL, NULL, err);
	if (r < 0)
		return brnet_err_prefix(err, r,
					"nf_tables: cannot set up table inet " NFT_TABLE " for %s",
					net->bridge);
	if (missing & NFT_RULES_EGRESS_CHAIN) {
		r = drop_legacy_sets(s, err);
		if (r < 0)
			return r;
	}
	return 1;
}
