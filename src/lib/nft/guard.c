/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Anti-spoofing in table `bridge brnet`: its sets, chain and rules, and each container's elements.
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h> /* before the linux/ headers */
#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_bridge.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "lib/nft/batch.h"
#include "lib/nft/elems.h"
#include "lib/nft/expr.h"
#include "lib/nft/guard.h"
#include "lib/nft/nft.h"
#include "shared/error.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(struct nftnl_table, nftnl_table_free)
DEFINE_POINTER_CLEANUP(struct nftnl_chain, nftnl_chain_free)
DEFINE_POINTER_CLEANUP(struct nftnl_rule, nftnl_rule_free)
DEFINE_POINTER_CLEANUP(struct nftnl_set, nftnl_set_free)

/* nft's datatype numbers, so that `nft list` shows the sets' types. */
#define NFT_TYPE_IPADDR 7
#define NFT_TYPE_ETHERADDR 9
#define NFT_TYPE_IFNAME 41
#define NFT_TYPE_BITS 6
#define GUARD_PRIO (-300) /* before the bridge's filter chains (-200) */

enum { SET_GUARDED, SET_MAC, SET_ADDR, _SET_MAX };

static const struct {
	const char *name;
	uint32_t id, key_type, key_len;
} sets[_SET_MAX] = {
	[SET_GUARDED] = { NFT_SET_GUARDED, 11, NFT_TYPE_IFNAME, IFNAMSIZ },
	[SET_MAC] = { NFT_SET_GUARD_MAC, 12, NFT_TYPE_IFNAME << NFT_TYPE_BITS | NFT_TYPE_ETHERADDR,
		      IFNAMSIZ + 8 },
	[SET_ADDR] = { NFT_SET_GUARD_ADDR, 13, NFT_TYPE_IFNAME << NFT_TYPE_BITS | NFT_TYPE_IPADDR,
		       IFNAMSIZ + 4 },
};

static const struct nft_setref guard_sets[_SET_MAX] = {
	[SET_GUARDED] = { .family = NFPROTO_BRIDGE, .name = NFT_SET_GUARDED },
	[SET_MAC] = { .family = NFPROTO_BRIDGE, .name = NFT_SET_GUARD_MAC },
	[SET_ADDR] = { .family = NFPROTO_BRIDGE, .name = NFT_SET_GUARD_ADDR },
};

static const char *const rule_names[_NFT_GUARD_RULE_MAX] = {
	[NFT_GUARD_RULE_MAC] = "brnet guard mac",
	/* Before IPv6 was dropped too, this rule was "brnet guard ethertype": a chain holding
	 * that one lacks this one, and is written afresh. */
	[NFT_GUARD_RULE_TYPE] = "brnet guard ipv4 arp only",
	[NFT_GUARD_RULE_IP] = "brnet guard ip",
	[NFT_GUARD_RULE_ARP_IP] = "brnet guard arp ip",
	[NFT_GUARD_RULE_ARP_MAC] = "brnet guard arp mac",
};

const char *nft_guard_rule_name(enum nft_guard_rule id)
{
	return id < _NFT_GUARD_RULE_MAX ? rule_names[id] : NULL;
}

static struct nftnl_set *set_new(unsigned which)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_BRIDGE);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, sets[which].name);
	nftnl_set_set_u32(s, NFTNL_SET_ID, sets[which].id);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, sets[which].key_type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, sets[which].key_len);
	if (which == SET_GUARDED) {
		/* nft prints a plain ifname key as a string only when told its byte order is
		 * the host's, as nft itself records it; concatenations need no such hint. */
		struct nftnl_udata_buf *u = nftnl_udata_buf_alloc(32);

		if (!u || !nftnl_udata_put_u32(u, NFTNL_UDATA_SET_KEYBYTEORDER, 1)) {
			nftnl_udata_buf_free(u);
			nftnl_set_free(s);
			return NULL;
		}
		nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(u),
				   nftnl_udata_buf_len(u));
		nftnl_udata_buf_free(u);
	}
	return s;
}

/* Registers: the port's name in REG32_00..03, the checked field from REG32_04 on, the frame's
 * ethertype in REG32_08; a set key is the port name followed by the field. */
static int match_guarded_port(struct nftnl_rule *r)
{
	if (rule_add(r, expr_meta(NFT_META_IIFNAME, NFT_REG32_00)) < 0)
		return -ENOMEM;
	return rule_add(
		r, expr_lookup_match(NFT_SET_GUARDED, sets[SET_GUARDED].id, NFT_REG32_00, false));
}

static int match_ethertype(struct nftnl_rule *r, uint32_t op, uint16_t type)
{
	uint16_t be = htons(type);

	if (rule_add(r, expr_payload(NFT_PAYLOAD_LL_HEADER, 12, 2, NFT_REG32_08)) < 0)
		return -ENOMEM;
	return rule_add(r, expr_cmp_reg(NFT_REG32_08, op, &be, sizeof(be)));
}

/* port . field not in set: drop */
static int drop_unless(struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t len,
		       unsigned which)
{
	if (rule_add(r, expr_payload(base, offset, len, NFT_REG32_04)) < 0 ||
	    rule_add(r, expr_lookup_match(sets[which].name, sets[which].id, NFT_REG32_00, true)) <
		    0)
		return -ENOMEM;
	return rule_add(r, expr_verdict(NF_DROP));
}

static struct nftnl_rule *rule_build(enum nft_guard_rule id)
{
	_cleanup_(nftnl_rule_freep) struct nftnl_rule *r = nftnl_rule_alloc();
	int ret;

	if (!r)
		return NULL;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_BRIDGE);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, NFT_GUARD_CHAIN);
	ret = match_guarded_port(r);
	switch (id) {
	case NFT_GUARD_RULE_MAC: /* ether saddr */
		if (ret >= 0)
			ret = drop_unless(r, NFT_PAYLOAD_LL_HEADER, 6, ETH_ALEN, SET_MAC);
		break;
	case NFT_GUARD_RULE_TYPE:
		/* Anything but IPv4 and ARP (VLAN tags included) could carry traffic past the
		 * checks below. IPv6 too: our networks are IPv4 only, and the egress policy
		 * and these checks key on IPv4 addresses, so a container's IPv6 (link-local
		 * addresses need no configuration) would reach the host and the other
		 * containers whatever its policy says. */
		if (ret >= 0)
			ret = match_ethertype(r, NFT_CMP_NEQ, ETH_P_IP);
		if (ret >= 0)
			ret = rule_add(r, expr_cmp_reg(NFT_REG32_08, NFT_CMP_NEQ,
						       &(uint16_t){ htons(ETH_P_ARP) }, 2));
		if (ret >= 0)
			ret = rule_add(r, expr_verdict(NF_DROP));
		break;
	case NFT_GUARD_RULE_IP: /* ip saddr */
		if (ret >= 0)
			ret = match_ethertype(r, NFT_CMP_EQ, ETH_P_IP);
		if (ret >= 0)
			ret = drop_unless(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, SET_ADDR);
		break;
	case NFT_GUARD_RULE_ARP_IP: /* arp saddr ip: after hw type, proto, lengths, op, sha */
		if (ret >= 0)
			ret = match_ethertype(r, NFT_CMP_EQ, ETH_P_ARP);
		if (ret >= 0)
			ret = drop_unless(r, NFT_PAYLOAD_NETWORK_HEADER, 14, 4, SET_ADDR);
		break;
	case NFT_GUARD_RULE_ARP_MAC: /* arp saddr ether */
		if (ret >= 0)
			ret = match_ethertype(r, NFT_CMP_EQ, ETH_P_ARP);
		if (ret >= 0)
			ret = drop_unless(r, NFT_PAYLOAD_NETWORK_HEADER, 8, ETH_ALEN, SET_MAC);
		break;
	default:
		return NULL;
	}
	if (ret >= 0)
		ret = rule_set_comment(r, rule_names[id]);
	return ret < 0 ? NULL : steal_pointer(&r);
}

int nft_batch_add_guard_table(struct nft_batch *b)
{
	_cleanup_(nftnl_table_freep) struct nftnl_table *t = nftnl_table_alloc();
	_cleanup_(nftnl_chain_freep) struct nftnl_chain *c = nftnl_chain_alloc();
	_cleanup_(nftnl_rule_freep) struct nftnl_rule *flush = nftnl_rule_alloc();
	uint8_t family = b->family;

	if (!t || !c || !flush)
		return -ENOMEM;
	b->family = NFPROTO_BRIDGE;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_BRIDGE);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFT_TABLE);
	nft_batch_table(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, t);
	for (unsigned i = 0; i < _SET_MAX; i++) {
		_cleanup_(nftnl_set_freep) struct nftnl_set *s = set_new(i);

		if (!s)
			return -ENOMEM;
		nft_batch_set(b, NFT_MSG_NEWSET, NLM_F_CREATE, s);
	}
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_BRIDGE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NFT_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, NFT_GUARD_CHAIN);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_BR_PRE_ROUTING);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, GUARD_PRIO);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nft_batch_chain(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, c);
	/* The chain afresh, in the same transaction: a rule of an older brnet (or one added
	 * by hand) does not stay beside ours, and the bridge is never unguarded. */
	nftnl_rule_set_u32(flush, NFTNL_RULE_FAMILY, NFPROTO_BRIDGE);
	nftnl_rule_set_str(flush, NFTNL_RULE_TABLE, NFT_TABLE);
	nftnl_rule_set_str(flush, NFTNL_RULE_CHAIN, NFT_GUARD_CHAIN);
	nft_batch_rule(b, NFT_MSG_DELRULE, 0, flush);
	for (unsigned id = 0; id < _NFT_GUARD_RULE_MAX; id++) {
		_cleanup_(nftnl_rule_freep) struct nftnl_rule *r = rule_build(id);

		if (!r)
			return -ENOMEM;
		nft_batch_rule(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, r);
	}
	b->family = family;
	return b->overflow ? -EMSGSIZE : 0;
}

static int guard_scan_cb(const struct nlmsghdr *nlh, void *userdata)
{
	char chain[NFT_CHAIN_NAME_MAX], comment[NFT_COMMENT_MAX];
	unsigned *present = userdata;
	int r = nft_rule_msg_name(nlh, chain, comment);

	if (r <= 0)
		return r;
	for (unsigned id = 0; id < _NFT_GUARD_RULE_MAX; id++)
		if (strcmp(comment, rule_names[id]) == 0 && strcmp(chain, NFT_GUARD_CHAIN) == 0)
			*present |= 1u << id;
	return 0;
}

int nft_guard_missing(struct nl_sock *s, unsigned *ret_missing, struct brnet_error *err)
{
	_cleanup_(nftnl_rule_freep) struct nftnl_rule *r = nftnl_rule_alloc();
	unsigned present = 0;
	struct nlmsghdr *nlh;
	char buf[512];
	int ret;

	if (!r)
		return -ENOMEM;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_BRIDGE);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_BRIDGE, NLM_F_DUMP, 0);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	ret = nl_sock_transact(s, nlh, nlh->nlmsg_len, guard_scan_cb, &present, err);
	if (ret < 0 && ret != -ENOENT)
		return ret;
	if (ret == -ENOENT && err)
		*err = (struct brnet_error){ 0 };
	*ret_missing = NFT_GUARD_RULES_ALL & ~present;
	return 0;
}

int nft_guard_ensure(struct nl_sock *s, struct brnet_error *err)
{
	char buf[NFT_BATCH_SMALL];
	struct nft_batch b;
	unsigned missing;
	int r;

	r = nft_guard_missing(s, &missing, err);
	if (r < 0)
		return brnet_err_prefix(err, r, "nf_tables: cannot list table bridge " NFT_TABLE);
	if (missing == 0)
		return 0;
	nft_batch_init(&b, buf, sizeof(buf));
	nft_batch_begin(&b);
	r = nft_batch_add_guard_table(&b);
	if (r >= 0)
		r = nft_batch_end(&b);
	if (r < 0)
		return brnet_err(err, -r, "nf_tables: cannot build batch: %s", strerror(-r));
	r = nl_sock_transact(s, buf, b.len, NULL, NULL, err);
	if (r < 0)
		return brnet_err_prefix(err, r, "nf_tables: cannot set up table bridge " NFT_TABLE);
	return 1;
}

/* The key of each set for one container; returns its length. */
static uint32_t guard_key(unsigned which, const char *host_veth, const uint8_t mac[6],
			  const struct inaddr *addr, uint8_t key[static IFNAMSIZ + 8])
{
	memset(key, 0, IFNAMSIZ + 8);
	memcpy(key, host_veth, strnlen(host_veth, IFNAMSIZ - 1));
	if (which == SET_MAC)
		memcpy(key + IFNAMSIZ, mac, ETH_ALEN);
	else if (which == SET_ADDR)
		memcpy(key + IFNAMSIZ, &addr->v4, 4);
	return sets[which].key_len;
}

int nft_batch_add_guard(struct nft_batch *b, const char *host_veth, const uint8_t mac[6],
			const struct inaddr *addr, const char *owner, bool exclusive)
{
	uint8_t family = b->family;

	b->family = NFPROTO_BRIDGE;
	for (unsigned i = 0; i < _SET_MAX; i++) {
		_cleanup_(nftnl_set_freep) struct nftnl_set *s = nft_setref_alloc(&guard_sets[i]);
		uint8_t key[IFNAMSIZ + 8];

		if (!s || nft_elem_add(s, &(struct nft_elem){
						  .key = key,
						  .len = guard_key(i, host_veth, mac, addr, key),
						  .owner = owner }) < 0)
			return -ENOMEM;
		nft_batch_setelems(b, NFT_MSG_NEWSETELEM,
				   NLM_F_CREATE | (exclusive ? NLM_F_EXCL : 0), s, NFT_ELEM_ROOM);
	}
	b->family = family;
	return b->overflow ? -EMSGSIZE : 0;
}

int nft_guard_remove_owned(struct nl_sock *s, const char *owner, struct brnet_error *err)
{
	return nft_elems_remove_owned(s, guard_sets, _SET_MAX, owner, err);
}

int nft_guard_owners(struct nl_sock *s, int (*fn)(const char *owner, void *userdata),
		     void *userdata, struct brnet_error *err)
{
	return nft_elems_owners(s, guard_sets, _SET_MAX, fn, userdata, err);
}

struct guard_find {
	uint8_t keys[_SET_MAX][IFNAMSIZ + 8];
	uint32_t lens[_SET_MAX];
	unsigned found;
};

static int find_fn(const struct nft_elem_view *e, void *userdata)
{
	struct guard_find *f = userdata;

	if (e->e.len == f->lens[e->which] && memcmp(e->e.key, f->keys[e->which], e->e.len) == 0)
		f->found |= 1u << e->which;
	return 0;
}

int nft_guard_verify(struct nl_sock *s, const char *host_veth, const uint8_t mac[6],
		     const struct inaddr *addr, struct brnet_error *err)
{
	struct guard_find f = { .found = 0 };
	int r, missing = 0;

	for (unsigned i = 0; i < _SET_MAX; i++)
		f.lens[i] = guard_key(i, host_veth, mac, addr, f.keys[i]);
	r = nft_elems_walk(s, guard_sets, _SET_MAX, find_fn, &f, err);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < _SET_MAX; i++)
		missing += !(f.found & (1u << i));
	return missing;
}
