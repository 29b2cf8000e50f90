/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Netlink replies: a stream of messages as the kernel (or anything else) might send. */
#include <libmnl/libmnl.h>
#include <netinet/in.h> /* before the linux/ headers */
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/netlink/ct.h"
#include "lib/netlink/nflog.h"
#include "lib/netlink/nlsock.h"
#include "lib/nft/elems.h"
#include "lib/nft/fingerprint.h"
#include "lib/nft/fweval.h"
#include "lib/nft/hostfw.h"
#include "lib/nft/nft.h"
#include "lib/rtnl/rtnl.h"
#include "lib/watch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touches every byte an element is said to have, for the sanitizers to check the lengths. */
static int elem_cb(const struct nft_elem_view *v, void *userdata)
{
	const struct nft_elem *e = &v->e;
	unsigned *sum = userdata;

	for (uint32_t i = 0; i < e->len; i++)
		*sum += ((const uint8_t *)e->key)[i];
	for (uint32_t i = 0; e->key_end && i < e->end_len; i++)
		*sum += ((const uint8_t *)e->key_end)[i];
	for (uint32_t i = 0; e->data && i < e->data_len; i++)
		*sum += ((const uint8_t *)e->data)[i];
	*sum += (unsigned)strlen(e->owner) + (e->jump ? (unsigned)strlen(e->jump) : 0) +
		(e->has_verdict ? (unsigned)e->verdict : 0);
	return 0;
}

/* A set's answer, from the key, unless its bytes are not known; a verdict map's element's
 * verdict from it too. */
static int lookup_cb(const char *set, const uint8_t *key, const uint8_t *known, size_t room,
		     struct fw_map_verdict *verdict, void *userdata)
{
	static const int32_t codes[] = { NF_ACCEPT, NF_DROP,  NFT_RETURN, NFT_CONTINUE,
					 NFT_JUMP,  NFT_GOTO, NF_QUEUE,	  NFT_BREAK };

	(void)set;
	(void)userdata;
	if (room == 0 || known[0] != 0xff)
		return -1;
	if (verdict) {
		verdict->code = codes[(key[0] >> 1) % (sizeof(codes) / sizeof(codes[0]))];
		snprintf(verdict->chain, sizeof(verdict->chain), "%s", set);
	}
	return key[0] & 1;
}

#define RULES_MAX 512

/* The rules among the messages, as one table's, followed from each rule's chain with a packet
 * out of a bridge. */
static void follow(const struct nlmsghdr *const *rules, size_t n)
{
	struct fw_packet p = {
		.nfproto = NFPROTO_IPV4,
		.iifname = "brnet0",
		.oifname = "eth0",
		.iif = 3,
		.saddr = { htonl(0x0a002a00) },
		.saddr_bits = 24,
		.ct_state = 8,
		.ct_status_known = 0x3f,
	};
	struct fw_table t = { .rules = rules, .n_rules = n, .lookup = lookup_cb };
	struct fw_table indexed = t;
	struct fw_chain_start *starts = NULL;
	char chain[NFT_CHAIN_NAME_MAX];
	ssize_t n_starts = fw_chain_starts(rules, n, &starts);

	if (n_starts < 0)
		return;
	indexed.starts = starts;
	indexed.n_starts = (size_t)n_starts;

	for (size_t i = 0; i < n; i++) {
		enum fw_verdict v;

		const struct nlattr *tb[NFTA_RULE_MAX + 1] = { 0 };

		if (nft_msg_attrs(rules[i], tb, NFTA_RULE_MAX) < 0 || !tb[NFTA_RULE_CHAIN] ||
		    !nft_attr_name(tb[NFTA_RULE_CHAIN], chain, sizeof(chain)))
			strcpy(chain, "FORWARD");
		v = fw_eval(&t, chain, i % 2 ? NF_DROP : NF_ACCEPT, &p);
		if (v != FW_UNKNOWN && v != FW_ACCEPT && v != FW_DROP)
			abort();
		/* the index looks at fewer rules, never at others: what is known stays so */
		if (v != FW_UNKNOWN &&
		    fw_eval(&indexed, chain, i % 2 ? NF_DROP : NF_ACCEPT, &p) != v)
			abort();
	}
	free(starts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nlmsghdr *rules[RULES_MAX];
	size_t n_rules = 0;
	/* The kernel hands us aligned buffers; so does this. */
	uint32_t *buf = malloc(size + 4);
	const struct nlmsghdr *nlh;
	size_t rest = size;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	/* The same iteration as nl_sock_transact() uses on replies. */
	for (nlh = (const struct nlmsghdr *)buf; nlmsg_ok(nlh, rest);
	     nlh = nlmsg_next(nlh, &rest)) {
		struct link_info link;
		struct addr_info addr;
		struct route_info route;
		struct rule_info rule;
		struct nflog_packet pkt;
		struct ct_entry ct;
		struct nft_fingerprint fp = { 0 };
		struct nft_chain_ref ref;
		char chain[NFT_CHAIN_NAME_MAX], comment[NFT_COMMENT_MAX];
		char what[WATCH_WHAT_MAX], bridge[IFNAMSIZ], id[BRNET_ID_MAX + 1],
			owner[NFT_OWNER_MAX];
		const char *msg;
		unsigned sum = 0;
		uint32_t use;
		int e;

		(void)nl_parse_ack(nlh, nlh->nlmsg_len, &e, &msg);
		(void)rtnl_parse_link(nlh, &link);
		(void)rtnl_parse_addr(nlh, &addr);
		/* what it reads of a route is what the subnet check compares */
		if (rtnl_parse_route(nlh, &route) >= 0 &&
		    (route.dst.family != 0 && route.dst.family != AF_INET))
			abort();
		/* what it reads of a rule is what check and teardown compare */
		if (rtnl_parse_rule(nlh, &rule) >= 0 && rule.src.family != 0 &&
		    rule.src.family != AF_INET)
			abort();
		(void)nflog_parse(nlh, &pkt);
		/* a notice it names is named in a string that ends */
		if ((watch_nft_notice(nlh, what) != WATCH_NONE && !memchr(what, 0, sizeof(what))) ||
		    (watch_link_notice(nlh, bridge, what) != WATCH_NONE &&
		     !memchr(bridge, 0, sizeof(bridge))) ||
		    (watch_netconf_notice(nlh, what) != WATCH_NONE &&
		     !memchr(what, 0, sizeof(what))) ||
		    (watch_veth_notice(nlh, id, bridge, what) != WATCH_NONE &&
		     (!id[0] || !memchr(id, 0, sizeof(id)) ||
		      !memchr(bridge, 0, sizeof(bridge)))) ||
		    (watch_elem_notice(nlh, owner, what) != WATCH_NONE &&
		     (!owner[0] || !memchr(owner, 0, sizeof(owner)) ||
		      !memchr(what, 0, sizeof(what)))) ||
		    (watch_veth_added(nlh, id, bridge) &&
		     (!id[0] || !memchr(id, 0, sizeof(id)) || !memchr(bridge, 0, sizeof(bridge)))))
			abort();
		/* an entry it accepts has the four addresses a delete names */
		if (ct_parse(nlh, &ct) == 1 &&
		    (ct.orig.src.family != AF_INET || ct.orig.dst.family != AF_INET ||
		     ct.reply.src.family != AF_INET || ct.reply.dst.family != AF_INET))
			abort();
		(void)nft_rule_msg_name(nlh, chain, comment);
		(void)nft_fingerprint_msg(nlh, &fp);
		(void)nft_forward_drop_msg(nlh, &ref);
		if (nft_rule_ends_all_msg(nlh) > 1)
			abort();
		(void)nft_elems_msg(nlh, 0, elem_cb, &sum);
		(void)nft_chain_msg_use(nlh, &use);
		if (nlh->nlmsg_type == (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWRULE) &&
		    n_rules < RULES_MAX)
			rules[n_rules++] = nlh;
	}
	follow(rules, n_rules);
	free(buf);
	return 0;
}
