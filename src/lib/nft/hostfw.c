/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Base chains of other tables that drop forwarded packets by default. */
#include <errno.h>
#include <netinet/in.h> /* before the linux/ headers */
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>

#include "lib/nft/hostfw.h"
#include "lib/nft/nft.h"

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
	if (ntohl(mnl_attr_get_u32(hook[NFTA_HOOK_HOOKNUM])) != NF_INET_FORWARD ||
	    ntohl(mnl_attr_get_u32(tb[NFTA_CHAIN_POLICY])) != NF_DROP)
		return 0;
	*ret = (struct nft_chain_ref){ .family = g->nfgen_family };
	if (!nft_attr_name(tb[NFTA_CHAIN_TABLE], ret->table, sizeof(ret->table)) ||
	    !nft_attr_name(tb[NFTA_CHAIN_NAME], ret->chain, sizeof(ret->chain)))
		return -EBADMSG;
	if (g->nfgen_family == NFPROTO_INET && strcmp(ret->table, NFT_TABLE) == 0)
		return 0; /* ours: its forward chain accepts what brnet allows */
	return 1;
}

struct drops {
	nft_chain_ref_fn fn;
	void *userdata;
	int n;
};

static int drop_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct drops *d = userdata;
	struct nft_chain_ref c;
	int r = nft_forward_drop_msg(nlh, &c);

	if (r <= 0)
		return r;
	d->n++;
	if (d->fn)
		d->fn(&c, d->userdata);
	return 0;
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
	return r < 0 ? r : d.n;
}
