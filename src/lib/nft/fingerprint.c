/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fingerprint of our tables: ten GETs in one send, no dump. */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h> /* before the linux/ headers */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>

#include "lib/nft/fingerprint.h"
#include "lib/nft/guard.h"
#include "lib/nft/nft.h"
#include "shared/error.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

static const struct fp_object {
	uint8_t family;
	const char *chain; /* NULL: the table itself */
} objects[NFT_FP_OBJECTS] = {
	{ NFPROTO_INET, NULL },
	{ NFPROTO_INET, NFT_CHAIN_PREROUTING },
	{ NFPROTO_INET, NFT_CHAIN_OUTPUT },
	{ NFPROTO_INET, NFT_CHAIN_POSTROUTING },
	{ NFPROTO_INET, NFT_CHAIN_INPUT },
	{ NFPROTO_INET, NFT_CHAIN_FORWARD },
	{ NFPROTO_INET, NFT_CHAIN_EGRESS },
	{ NFPROTO_INET, NFT_CHAIN_RAW },
	{ NFPROTO_BRIDGE, NULL },
	{ NFPROTO_BRIDGE, NFT_GUARD_CHAIN },
};

int nft_fingerprint_request(void *buf, size_t size)
{
	size_t len = 0;

	for (unsigned i = 0; i < NFT_FP_OBJECTS; i++) {
		const struct fp_object *o = &objects[i];
		struct nlmsghdr *nlh;

		/* A header, the table's and the chain's names, with room to spare. */
		if (size - len < 128)
			return -EMSGSIZE;
		/* Only the last is acked: the kernel answers in order, so its ack comes after
		 * every reply, and an error always comes, acked or not. */
		nlh = nftnl_nlmsg_build_hdr((char *)buf + len,
					    o->chain ? NFT_MSG_GETCHAIN : NFT_MSG_GETTABLE,
					    o->family, i == NFT_FP_OBJECTS - 1 ? NLM_F_ACK : 0, 0);
		if (o->chain) {
			mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, NFT_TABLE);
			mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, o->chain);
		} else {
			mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, NFT_TABLE);
		}
		len += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	return (int)len;
}

/* The attribute numbers of a table's and of a chain's table name, own name (a table's is its
 * table name), handle and use count: the two kinds number them differently. */
static const struct {
	uint16_t table, name, handle, use;
} fp_attr_ids[2] = {
	[false] = { NFTA_TABLE_NAME, NFTA_TABLE_NAME, NFTA_TABLE_HANDLE, NFTA_TABLE_USE },
	[true] = { NFTA_CHAIN_TABLE, NFTA_CHAIN_NAME, NFTA_CHAIN_HANDLE, NFTA_CHAIN_USE },
};

static bool attr_is_str(const struct nlattr *a, const char *s)
{
	uint16_t len = mnl_attr_get_payload_len(a);

	return len == strlen(s) + 1 && memcmp(mnl_attr_get_payload(a), s, len) == 0;
}

int nft_fingerprint_msg(const struct nlmsghdr *nlh, struct nft_fingerprint *fp)
{
	/* NFTA_CHAIN_MAX is the larger of the two kinds' maxima. */
	const struct nlattr *tb[NFTA_CHAIN_MAX + 1], *table, *name, *handle, *use;
	const struct nfgenmsg *g;
	uint16_t type;
	bool chain;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
		return 0;
	type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	if (type != NFT_MSG_NEWTABLE && type != NFT_MSG_NEWCHAIN)
		return 0;
	chain = type == NFT_MSG_NEWCHAIN;
	if (nft_msg_attrs(nlh, tb, chain ? NFTA_CHAIN_MAX : NFTA_TABLE_MAX) < 0)
		return -EBADMSG;
	g = mnl_nlmsg_get_payload(nlh);
	table = tb[fp_attr_ids[chain].table];
	name = tb[fp_attr_ids[chain].name];
	handle = tb[fp_attr_ids[chain].handle];
	use = tb[fp_attr_ids[chain].use];
	if (!table || !handle || !use || !name ||
	    mnl_attr_get_payload_len(handle) != sizeof(uint64_t) ||
	    mnl_attr_get_payload_len(use) != sizeof(uint32_t))
		return -EBADMSG;
	if (!attr_is_str(table, NFT_TABLE))
		return 0;
	for (unsigned i = 0; i < NFT_FP_OBJECTS; i++) {
		const struct fp_object *o = &objects[i];

		if (o->family != g->nfgen_family || !o->chain != !chain ||
		    (chain && !attr_is_str(name, o->chain)))
			continue;
		fp->obj[i].handle = be64toh(mnl_attr_get_u64(handle));
		fp->obj[i].use = ntohl(mnl_attr_get_u32(use));
		fp->obj[i].seen = true;
		return 1;
	}
	return 0;
}

int nft_fingerprint_format(const struct nft_fingerprint *fp, char *buf, size_t size)
{
	size_t len;
	int n;

	n = snprintf(buf, size, "netns %" PRIu64, fp->netns_cookie);
	if (n < 0 || (size_t)n >= size)
		return -ENOBUFS;
	len = (size_t)n;
	for (unsigned i = 0; i < NFT_FP_OBJECTS; i++) {
		const struct fp_object *o = &objects[i];

		if (!fp->obj[i].seen)
			return -ENOENT;
		n = snprintf(buf + len, size - len, " %s:%s:%" PRIu64 ":%" PRIu32,
			     o->family == NFPROTO_INET ? "inet" : "bridge",
			     o->chain ? o->chain : NFT_TABLE, fp->obj[i].handle, fp->obj[i].use);
		if (n < 0 || (size_t)n >= size - len)
			return -ENOBUFS;
		len += (size_t)n;
	}
	return 0;
}

static int fp_cb(const struct nlmsghdr *nlh, void *userdata)
{
	int r = nft_fingerprint_msg(nlh, userdata);

	return r < 0 ? r : 0;
}

int nft_fingerprint_read(struct nl_sock *s, char buf[static NFT_FINGERPRINT_MAX],
			 struct brnet_error *err)
{
	struct nft_fingerprint fp = { 0 };
	socklen_t len = sizeof(fp.netns_cookie);
	char req[NFT_FP_OBJECTS * 128];
	int r;

	/* The namespace's cookie (never reused while the system runs): a state directory
	 * moved to another namespace must not match the tables there. 0 before Linux 5.14. */
	if (getsockopt(nl_sock_fd(s), SOL_SOCKET, SO_NETNS_COOKIE, &fp.netns_cookie, &len) < 0)
		fp.netns_cookie = 0;
	r = nft_fingerprint_request(req, sizeof(req));
	if (r < 0)
		return r;
	r = nl_sock_transact(s, req, (size_t)r, fp_cb, &fp, err);
	if (r < 0)
		return r;
	return nft_fingerprint_format(&fp, buf, NFT_FINGERPRINT_MAX);
}
