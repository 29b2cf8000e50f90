/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Base chains of other tables that drop forwarded packets by default. */
#include <errno.h>
#include <netinet/in.h> /* before the linux/ headers */
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>

#include "lib/nft/hostfw.h"
#include "lib/nft/nft.h"
#include "shared/error.h"

int nft_forward_drop_msg(const struct nlmsghdr *nlh, struct nft_chain_ref *ret)
{
	const struct nlattr *tb[NFTA_CHAIN_MAX + 1], *hook[NFTA_HOOK_MAX + 1];
	const struct nfgenmsg *g;

	if (nlh->nlmsg_type != (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWCHAIN))
		return 0;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*g))
		return -EBADMSG;
	g = mnl_nlmsg_get_payload(nlh);
	if (g->nfgen_family != NFPROTO_IPV4 && g->nfgen_family != NFPROTO_INET)
		return 0;
	if (nft_msg_attrs(nlh, tb, NFTA_CHAIN_MAX) < 0 || !tb[NFTA_CHAIN_TABLE] ||
	    !tb[NFTA_CHAIN_NAME])
		return -EBADMSG;
	if (!tb[NFTA_CHAIN_HOOK] || !tb[NFTA_CHAIN_POLICY]) /* a regular chain: only jumped to */
		return 0;
	if (nft_nest_attrs(tb[NFTA_CHAIN_HOOK], hook, NFTA_HOOK_MAX) < 0 ||
	    !hook[NFTA_HOOK_HOOKNUM] ||
	    mnl_attr_get_payload_len(hook[NFTA_HOOK_HOOKNUM]) != sizeof(uint32_t) ||
	    mnl_attr_get_payload_len(tb[NFTA_CHAIN_POLICY]) != sizeof(uint32_t))
		return -EBADMSG;
	if (ntohl(mnl_attr_get_u32(hook[NFTA_HOOK_HOOKNUM])) != NF_INET_FORWARD)
		return 0;
	*ret = (struct nft_chain_ref){ .family = g->nfgen_family };
	if (!nft_attr_name(tb[NFTA_CHAIN_TABLE], ret->table, sizeof(ret->table)) ||
	    !nft_attr_name(tb[NFTA_CHAIN_NAME], ret->chain, sizeof(ret->chain)))
		return -EBADMSG;
	if (g->nfgen_family == NFPROTO_INET && strcmp(ret->table, NFT_TABLE) == 0)
		return 0; /* ours: its forward chain accepts what brnet allows */
	return ntohl(mnl_attr_get_u32(tb[NFTA_CHAIN_POLICY])) == NF_DROP ? 1 : 2;
}

/* An expression that matches nothing and decides nothing: the rule goes on past it. */
static bool expr_passes(const char *name)
{
	return strcmp(name, "counter") == 0 || strcmp(name, "log") == 0 ||
	       strcmp(name, "notrack") == 0;
}

/* 1 when the expression ends every packet that reaches it: a drop verdict, a reject (nft's, or
 * iptables-nft's REJECT target); 0 for anything else; -EBADMSG. */
static int expr_ends(const char *name, const struct nlattr *data)
{
	const struct nlattr *tb[NFTA_IMMEDIATE_MAX + 1], *d[NFTA_DATA_MAX + 1],
		*v[NFTA_VERDICT_MAX + 1];
	char target[32];

	if (strcmp(name, "reject") == 0)
		return 1;
	if (strcmp(name, "target") == 0) {
		const struct nlattr *t[NFTA_TARGET_MAX + 1];

		if (!data || nft_nest_attrs(data, t, NFTA_TARGET_MAX) < 0 || !t[NFTA_TARGET_NAME])
			return -EBADMSG;
		return nft_attr_name(t[NFTA_TARGET_NAME], target, sizeof(target)) &&
		       strcmp(target, "REJECT") == 0;
	}
	if (strcmp(name, "immediate") != 0)
		return 0;
	if (!data || nft_nest_attrs(data, tb, NFTA_IMMEDIATE_MAX) < 0 || !tb[NFTA_IMMEDIATE_DREG] ||
	    !tb[NFTA_IMMEDIATE_DATA] ||
	    mnl_attr_get_payload_len(tb[NFTA_IMMEDIATE_DREG]) != sizeof(uint32_t))
		return -EBADMSG;
	if (ntohl(mnl_attr_get_u32(tb[NFTA_IMMEDIATE_DREG])) != NFT_REG_VERDICT)
		return 0;
	if (nft_nest_attrs(tb[NFTA_IMMEDIATE_DATA], d, NFTA_DATA_MAX) < 0 ||
	    !d[NFTA_DATA_VERDICT] ||
	    nft_nest_attrs(d[NFTA_DATA_VERDICT], v, NFTA_VERDICT_MAX) < 0 ||
	    !v[NFTA_VERDICT_CODE] ||
	    mnl_attr_get_payload_len(v[NFTA_VERDICT_CODE]) != sizeof(uint32_t))
		return -EBADMSG;
	return ntohl(mnl_attr_get_u32(v[NFTA_VERDICT_CODE])) == NF_DROP;
}

int nft_rule_ends_all_msg(const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NFTA_RULE_MAX + 1], *e, *x[NFTA_EXPR_MAX + 1];
	char name[32];

	if (nlh->nlmsg_type != (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWRULE))
		return 0;
	if (nft_msg_attrs(nlh, tb, NFTA_RULE_MAX) < 0)
		return -EBADMSG;
	if (!tb[NFTA_RULE_EXPRESSIONS])
		return 0;
	mnl_attr_for_each_nested (e, tb[NFTA_RULE_EXPRESSIONS]) {
		if (nft_nest_attrs(e, x, NFTA_EXPR_MAX) < 0 || !x[NFTA_EXPR_NAME] ||
		    !nft_attr_name(x[NFTA_EXPR_NAME], name, sizeof(name)))
			return -EBADMSG;
		if (expr_passes(name))
			continue;
		/* The first that does something decides: it ends the packet, or it is a match
		 * (or a jump, a NAT...) and the rule is not one that takes everything. */
		return expr_ends(name, x[NFTA_EXPR_DATA]);
	}
	return 0;
}

#define FORWARD_CHAINS_MAX 16

struct drops {
	nft_chain_ref_fn fn;
	void *userdata;
	int n;
	/* Chains whose policy accepts: their last rule may drop all the same. A host has a
	 * few forward base chains; past 16 the rest are not looked at. */
	struct nft_chain_ref accepting[FORWARD_CHAINS_MAX];
	unsigned n_accepting;
};

static int drop_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct drops *d = userdata;
	struct nft_chain_ref c;
	int r = nft_forward_drop_msg(nlh, &c);

	if (r <= 0)
		return r;
	if (r == 2) {
		if (d->n_accepting < FORWARD_CHAINS_MAX)
			d->accepting[d->n_accepting++] = c;
		return 0;
	}
	d->n++;
	if (d->fn)
		d->fn(&c, d->userdata);
	return 0;
}

static int last_rule_cb(const struct nlmsghdr *nlh, void *userdata)
{
	int *last = userdata;
	int r = nft_rule_ends_all_msg(nlh);

	if (r < 0)
		return r;
	if (nlh->nlmsg_type == (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWRULE))
		*last = r;
	return 0;
}

/* Whether the chain's last rule drops everything that reaches it (the rules come in order). */
static int last_rule_drops(struct nl_sock *s, const struct nft_chain_ref *c)
{
	char buf[MNL_NLMSG_HDRLEN + 64 + 2 * (size_t)NFT_NAME_MAXLEN];
	struct nlmsghdr *nlh;
	int last = 0, r;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, c->family, NLM_F_DUMP, 0);
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, c->table);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, c->chain);
	r = nl_sock_transact(s, nlh, nlh->nlmsg_len, last_rule_cb, &last, NULL);
	if (r == -ENOENT)
		return 0; /* gone since the chains were listed */
	return r < 0 ? r : last;
}

int nft_forward_drops(struct nl_sock *s, nft_chain_ref_fn fn, void *userdata,
		      struct brnet_error *err)
{
	char buf[MNL_NLMSG_HDRLEN + 64];
	struct drops d = { .fn = fn, .userdata = userdata };
	struct nlmsghdr *nlh;
	int r;

	/* every family: each chain says its own */
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, NLM_F_DUMP, 0);
	r = nl_sock_transact(s, nlh, nlh->nlmsg_len, drop_cb, &d, err);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < d.n_accepting; i++) {
		r = last_rule_drops(s, &d.accepting[i]);
		if (r < 0)
			return brnet_err(err, -r,
					 "cannot list the rules of table %s %s, chain %s: %s",
					 nft_chain_ref_family(&d.accepting[i]),
					 d.accepting[i].table, d.accepting[i].chain, strerror(-r));
		if (r == 0)
			continue;
		d.accepting[i].by_rule = true;
		d.n++;
		if (fn)
			fn(&d.accepting[i], userdata);
	}
	return d.n;
}
