/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nf_tables over libnftnl: table, NAT chain and per-network masquerade, each change one batch. */
#include <errno.h>
#include <netinet/in.h> /* before the linux/ headers, which would define in_addr too */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "lib/nft/batch.h"
#include "lib/nft/nft.h"
#include "shared/error.h"
#include "shared/macro.h"

#define NF_NAT_PRI_SRC 100 /* "srcnat" */

DEFINE_POINTER_CLEANUP(struct nftnl_rule, nftnl_rule_free)
DEFINE_POINTER_CLEANUP(struct nftnl_chain, nftnl_chain_free)
DEFINE_POINTER_CLEANUP(struct nftnl_table, nftnl_table_free)

int nft_network_comment(const char *bridge, char buf[static NFT_COMMENT_MAX])
{
	int n = snprintf(buf, NFT_COMMENT_MAX, "brnet network %s", bridge);

	return n < 0 || n >= NFT_COMMENT_MAX ? -ENAMETOOLONG : 0;
}

static int add_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return -ENOMEM;
	nftnl_rule_add_expr(r, e);
	return 0;
}

static struct nftnl_expr *expr_meta(uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	}
	return e;
}

static struct nftnl_expr *expr_cmp(uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	return e;
}

static struct nftnl_expr *expr_payload(uint32_t base, uint32_t offset, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	}
	return e;
}

static struct nftnl_expr *expr_mask(const void *mask, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");
	uint8_t zero[16] = { 0 };

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
	}
	return e;
}

static int rule_set_comment(struct nftnl_rule *r, const char *comment)
{
	struct nftnl_udata_buf *udata = nftnl_udata_buf_alloc(NFT_COMMENT_MAX + 8);
	int r2 = 0;

	if (!udata)
		return -ENOMEM;
	if (!nftnl_udata_put_strz(udata, NFTNL_UDATA_RULE_COMMENT, comment))
		r2 = -EMSGSIZE;
	else
		nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(udata),
				    nftnl_udata_buf_len(udata));
	nftnl_udata_buf_free(udata);
	return r2;
}

struct nftnl_rule *nft_rule_masquerade(const char *bridge, const struct inprefix *subnet)
{
	_cleanup_(nftnl_rule_freep) struct nftnl_rule *r = nftnl_rule_alloc();
	char comment[NFT_COMMENT_MAX], ifname[IFNAMSIZ] = { 0 };
	uint8_t nfproto = NFPROTO_IPV4;
	uint32_t mask = htonl(prefix_v4_mask(subnet->len));
	uint32_t net = htonl(inaddr_v4_host(&subnet->addr) & prefix_v4_mask(subnet->len));

	if (!r || strlen(bridge) >= IFNAMSIZ || nft_network_comment(bridge, comment) < 0)
		return NULL;
	memcpy(ifname, bridge, strlen(bridge));
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, NFT_CHAIN_POSTROUTING);

	/* meta nfproto ipv4: the inet family sees both; the address match below is IPv4 only. */
	if (add_expr(r, expr_meta(NFT_META_NFPROTO, NFT_REG_1)) < 0 ||
	    add_expr(r, expr_cmp(NFT_CMP_EQ, &nfproto, sizeof(nfproto))) < 0 ||
	    /* ip saddr <subnet>: from one of this network's containers */
	    add_expr(r, expr_payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4)) < 0 ||
	    add_expr(r, expr_mask(&mask, sizeof(mask))) < 0 ||
	    add_expr(r, expr_cmp(NFT_CMP_EQ, &net, sizeof(net))) < 0 ||
	    /* oifname != <bridge>: leaving the bridge; container-to-container keeps its source */
	    add_expr(r, expr_meta(NFT_META_OIFNAME, NFT_REG_1)) < 0 ||
	    add_expr(r, expr_cmp(NFT_CMP_NEQ, ifname, sizeof(ifname))) < 0 ||
	    add_expr(r, nftnl_expr_alloc("masq")) < 0)
		return NULL;
	if (rule_set_comment(r, comment) < 0)
		return NULL;
	return steal_pointer(&r);
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

static struct nftnl_chain *chain_postrouting_new(void)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (c) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NFT_TABLE);
		nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, NFT_CHAIN_POSTROUTING);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "nat");
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_POST_ROUTING);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, NF_NAT_PRI_SRC);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	}
	return c;
}

int nft_build_network_batch(void *buf, size_t size, const char *bridge,
			    const struct inprefix *subnet, bool add_rule)
{
	_cleanup_(nftnl_table_freep) struct nftnl_table *t = table_new();
	_cleanup_(nftnl_chain_freep) struct nftnl_chain *c = chain_postrouting_new();
	_cleanup_(nftnl_rule_freep) struct nftnl_rule *r = NULL;
	struct nft_batch b;
	int ret;

	if (!t || !c)
		return -ENOMEM;
	if (add_rule) {
		r = nft_rule_masquerade(bridge, subnet);
		if (!r)
			return -ENOMEM;
	}
	nft_batch_init(&b, buf, size);
	nft_batch_begin(&b);
	/* NLM_F_CREATE without EXCL: "add table", "add chain" are no-ops when they exist. */
	nft_batch_table(&b, NFT_MSG_NEWTABLE, NLM_F_CREATE, t);
	nft_batch_chain(&b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, c);
	if (r)
		nft_batch_rule(&b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, r);
	ret = nft_batch_end(&b);
	return ret < 0 ? ret : (int)b.len;
}

struct comment_find {
	char *buf;
	bool found;
};

static int comment_cb(const struct nftnl_udata *attr, void *data)
{
	struct comment_find *f = data;
	const char *val = nftnl_udata_get(attr);
	uint8_t len = nftnl_udata_len(attr);

	if (nftnl_udata_type(attr) != NFTNL_UDATA_RULE_COMMENT)
		return 0;
	if (len == 0 || len > NFT_COMMENT_MAX || val[len - 1] != '\0')
		return -1;
	memcpy(f->buf, val, len);
	f->found = true;
	return 0;
}

const char *nft_rule_comment(const struct nftnl_rule *r, char buf[static NFT_COMMENT_MAX])
{
	struct comment_find f = { .buf = buf };
	const void *data;
	uint32_t len;

	if (!nftnl_rule_is_set(r, NFTNL_RULE_USERDATA))
		return NULL;
	data = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
	if (!data || nftnl_udata_parse(data, len, comment_cb, &f) < 0 || !f.found)
		return NULL;
	return buf;
}

struct rule_find {
	const char *comment;
	uint64_t handle;
	bool found;
};

static int rule_find_cb(const struct nlmsghdr *nlh, void *userdata)
{
	_cleanup_(nftnl_rule_freep) struct nftnl_rule *r = nftnl_rule_alloc();
	struct rule_find *f = userdata;
	char buf[NFT_COMMENT_MAX];
	const char *comment;

	if (!r)
		return -ENOMEM;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0)
		return -EBADMSG;
	comment = nft_rule_comment(r, buf);
	if (comment && strcmp(comment, f->comment) == 0) {
		f->found = true;
		f->handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	}
	return 0;
}

int nft_network_rule_exists(struct nl_sock *s, const char *bridge, struct brnet_error *err)
{
	_cleanup_(nftnl_rule_freep) struct nftnl_rule *r = nftnl_rule_alloc();
	char buf[1024], comment[NFT_COMMENT_MAX];
	struct rule_find f = { .comment = comment };
	struct nlmsghdr *nlh;
	int ret;

	if (!r)
		return -ENOMEM;
	ret = nft_network_comment(bridge, comment);
	if (ret < 0)
		return ret;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, NFT_CHAIN_POSTROUTING);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_INET, NLM_F_DUMP, 0);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	ret = nl_sock_transact(s, nlh, nlh->nlmsg_len, rule_find_cb, &f, err);
	if (ret == -ENOENT)
		return 0; /* no table or chain yet */
	if (ret < 0)
		return ret;
	return f.found ? 1 : 0;
}

int nft_network_ensure(struct nl_sock *s, const char *bridge, const struct inprefix *subnet,
		       struct brnet_error *err)
{
	char buf[NFT_BATCH_SMALL];
	int r, len;

	r = nft_network_rule_exists(s, bridge, err);
	if (r < 0)
		return brnet_err_prefix(err, r, "nf_tables: cannot list table inet " NFT_TABLE);
	if (r == 1)
		return 0; /* the rule exists, so its table and chain do too */
	len = nft_build_network_batch(buf, sizeof(buf), bridge, subnet, r == 0);
	if (len < 0)
		return brnet_err(err, -len, "nf_tables: cannot build batch: %s", strerror(-len));
	r = nl_sock_transact(s, buf, (size_t)len, NULL, NULL, err);
	if (r < 0)
		return brnet_err_prefix(err, r, "nf_tables: cannot add masquerade for %s", bridge);
	return 0;
}
