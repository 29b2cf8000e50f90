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

struct chain_attrs {
	const struct nlattr *table, *name, *hook, *policy;
};

static int chain_attr_cb(const struct nlattr *a, void *data)
{
	struct chain_attrs *at = data;

	switch (mnl_attr_get_type(a)) {
	case NFTA_CHAIN_TABLE:
		at->table = a;
		break;
	case NFTA_CHAIN_NAME:
		at->name = a;
		break;
	case NFTA_CHAIN_HOOK:
		at->hook = a;
		break;
	case NFTA_CHAIN_POLICY:
		at->policy = a;
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static int hooknum_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == NFTA_HOOK_HOOKNUM)
		*(const struct nlattr **)data = a;
	return MNL_CB_OK;
}

int nft_forward_drop_msg(const struct nlmsghdr *nlh, struct nft_chain_ref *ret)
{
	const struct nfgenmsg *g;
	const struct nlattr *hooknum = NULL;
	struct chain_attrs at = { 0 };

	if (nlh->nlmsg_type != (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWCHAIN))
		return 0;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*g))
		return -EBADMSG;
	g = mnl_nlmsg_get_payload(nlh);
	if (g->nfgen_family != NFPROTO_IPV4 && g->nfgen_family != NFPROTO_INET)
		return 0;
	if (mnl_attr_parse(nlh, sizeof(*g), chain_attr_cb, &at) < 0 || !at.table || !at.name)
		return -EBADMSG;
	if (!at.hook || !at.policy) /* a regular chain: only jumped to */
		return 0;
	if (mnl_attr_parse_nested(at.hook, hooknum_cb, &hooknum) < 0 || !hooknum ||
	    mnl_attr_get_payload_len(hooknum) != sizeof(uint32_t) ||
	    mnl_attr_get_payload_len(at.policy) != sizeof(uint32_t))
		return -EBADMSG;
	if (ntohl(mnl_attr_get_u32(hooknum)) != NF_INET_FORWARD ||
	    ntohl(mnl_attr_get_u32(at.policy)) != NF_DROP)
		return 0;
	*ret = (struct nft_chain_ref){ .family = g->nfgen_family };
	if (!nft_attr_name(at.table, ret->table, sizeof(ret->table)) ||
	    !nft_attr_name(at.name, ret->chain, sizeof(ret->chain)))
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
