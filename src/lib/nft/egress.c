/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The egress policy's sets and each container's elements in them. */
#include <errno.h>
#include <netinet/in.h> /* before the linux/ headers */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>

#include "lib/nft/batch.h"
#include "lib/nft/egress.h"
#include "lib/nft/elems.h"
#include "lib/nft/expr.h"
#include "lib/nft/nft.h"
#include "shared/error.h"
#include "shared/hex.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(struct nftnl_set, nftnl_set_free)
DEFINE_POINTER_CLEANUP(struct nftnl_chain, nftnl_chain_free)
DEFINE_POINTER_CLEANUP(struct nftnl_rule, nftnl_rule_free)

#define NFT_TYPE_IPADDR 7
#define NFT_TYPE_INET_PROTOCOL 12
#define NFT_TYPE_INET_SERVICE 13
#define NFT_TYPE_BITS 6
#define T2(a, b) ((a) << NFT_TYPE_BITS | (b))
#define T3(a, b, c) ((a) << (2 * NFT_TYPE_BITS) | (b) << NFT_TYPE_BITS | (c))

static const struct {
	const char *name;
	uint32_t id, key_type, key_len;
} sets[_NFT_EGRESS_SET_ALL] = {
	[NFT_EGRESS_POLICED] = { NFT_SET_EGRESS_POLICED, 21, NFT_TYPE_IPADDR, 4 },
	[NFT_EGRESS_LIST] = { NFT_SET_EGRESS_LIST, 22, NFT_TYPE_IPADDR, 4 },
	[NFT_EGRESS_PORTLIMITED] = { NFT_SET_EGRESS_PORTLIMITED, 23, NFT_TYPE_IPADDR, 4 },
	[NFT_EGRESS_PORTS] = { NFT_SET_EGRESS_PORTS, 24,
			       T3(NFT_TYPE_IPADDR, NFT_TYPE_INET_PROTOCOL, NFT_TYPE_INET_SERVICE),
			       12 },
	[NFT_EGRESS_DNS] = { NFT_SET_EGRESS_DNS, 25, T2(NFT_TYPE_IPADDR, NFT_TYPE_IPADDR), 8 },
	[NFT_EGRESS_LOGGED] = { NFT_SET_EGRESS_LOGGED, 26, NFT_TYPE_IPADDR, 4 },
	[NFT_EGRESS_REJECTED] = { NFT_SET_EGRESS_REJECTED, 28, NFT_TYPE_IPADDR, 4 },
	[NFT_EGRESS_LOGRATE] = { NFT_SET_EGRESS_LOGRATE, 27, NFT_TYPE_IPADDR, 4 },
};

static const struct nft_setref refs[_NFT_EGRESS_SET_MAX] = {
	[NFT_EGRESS_POLICED] = { .family = NFPROTO_INET, .name = NFT_SET_EGRESS_POLICED },
	[NFT_EGRESS_LIST] = { .family = NFPROTO_INET, .name = NFT_SET_EGRESS_LIST },
	[NFT_EGRESS_PORTLIMITED] = { .family = NFPROTO_INET, .name = NFT_SET_EGRESS_PORTLIMITED },
	[NFT_EGRESS_PORTS] = { .family = NFPROTO_INET, .name = NFT_SET_EGRESS_PORTS },
	[NFT_EGRESS_DNS] = { .family = NFPROTO_INET, .name = NFT_SET_EGRESS_DNS },
	[NFT_EGRESS_LOGGED] = { .family = NFPROTO_INET, .name = NFT_SET_EGRESS_LOGGED },
	[NFT_EGRESS_REJECTED] = { .family = NFPROTO_INET, .name = NFT_SET_EGRESS_REJECTED },
};

uint32_t nft_egress_set_id(enum nft_egress_set which)
{
	return sets[which].id;
}

const char *nft_egress_set_name(enum nft_egress_set which)
{
	return sets[which].name;
}

struct nftnl_set *nft_egress_set_new(enum nft_egress_set which)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, sets[which].name);
	nftnl_set_set_u32(s, NFTNL_SET_ID, sets[which].id);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, sets[which].key_type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, sets[which].key_len);
	if (which == NFT_EGRESS_LIST) {
		nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_MAP);
		nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
	}
	if (which == NFT_EGRESS_LOGRATE) {
		/* Filled by the log rule itself, one limiter per container, forgotten after a
		 * quiet minute. */
		nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_EVAL | NFT_SET_TIMEOUT);
		nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT, (uint64_t)60 * 1000);
		nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, 65536);
	}
	return s;
}

static int add_one(struct nft_batch *b, enum nft_egress_set which, const void *key,
		   const char *owner)
{
	_cleanup_(nftnl_set_freep) struct nftnl_set *s = nft_setref_alloc(&refs[which]);
	uint32_t len = sets[which].key_len;

	if (!s || nft_elem_add(s, &(struct nft_elem){ .key = key, .len = len, .owner = owner }) < 0)
		return -ENOMEM;
	nft_batch_setelems(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE, s, NFT_ELEM_ROOM);
	return b->overflow ? -EMSGSIZE : 0;
}

/* Allowed destinations go in messages of this many elements: a policy of thousands of CIDRs
 * is a few messages, not thousands. */
#define ALLOW_PER_MSG 256
/* Commands that create a list besides its elements: chain, sets, rules. */
#define LIST_COMMANDS (1 + 3 * EGRESS_BUCKETS)

size_t nft_egress_batch_room(const struct egress_policy *p)
{
	/* policed, list, port-limited, logged, rejected; the ports; the resolvers */
	size_t n = 5 + p->n_tcp + p->n_udp + p->n_dns * 2, allow = egress_allow_elements(p, 0);

	if (!p->on)
		return 0;
	/* As if the list were created: the room a batch needs at most. */
	return n * (NFT_MSG_ROOM + NFT_ELEM_ROOM) + allow * NFT_KEY_ROOM(4) +
	       (allow / ALLOW_PER_MSG + EGRESS_BUCKETS + LIST_COMMANDS) * NFT_MSG_ROOM;
}

void nft_egress_list_init(struct nft_egress_list *l, const struct egress_policy *p)
{
	const uint8_t *d = p->digest;

	*l = (struct nft_egress_list){ 0 };
	if (!p->on || p->n_allow == 0)
		return;
	/* Ids only tell apart the sets created in one batch (restore creates many lists): from
	 * the hash, clear of the small ids of our other sets. */
	l->set_id = 1u << 30 | (uint32_t)d[16] << 16 | (uint32_t)d[17] << 8 |
		    (uint32_t)(d[18] & 0xf0);
	hex_encode(d, 16, stpcpy(l->chain, NFT_EGRESS_LIST_PREFIX));
}

/* The list's set for one prefix length: "allow_<hash>_24". */
static void list_set_name(const struct nft_egress_list *l, unsigned bucket,
			  char name[static NFT_EGRESS_LIST_NAME_MAX + 3])
{
	snprintf(name, NFT_EGRESS_LIST_NAME_MAX + 3, "%s_%u", l->chain, bucket);
}

/* The chain's use count: its rules and the jumps to it (map elements). */
static int chain_use_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct nft_egress_list *l = userdata;
	int r = nft_chain_msg_use(nlh, &l->use);

	return r < 0 ? r : 0;
}

int nft_egress_list_probe(struct nl_sock *s, struct nft_egress_list *l, struct brnet_error *err)
{
	char buf[512];
	struct nlmsghdr *nlh;
	int r;

	l->exists = false;
	l->use = 0;
	if (!l->chain[0])
		return 0;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_INET, NLM_F_ACK, 0);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, NFT_TABLE);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, l->chain);
	r = nl_sock_transact(s, nlh, nlh->nlmsg_len, chain_use_cb, l, err);
	if (r == -ENOENT) { /* no such chain, or no table yet */
		if (err)
			*err = (struct brnet_error){ 0 };
		return 0;
	}
	if (r < 0)
		return r;
	l->exists = true;
	return 0;
}

/* After a refused transaction: 1 when it is worth another try with l as it now is. */
static int list_retry(struct nl_sock *s, struct nft_egress_list *l, int error)
{
	bool existed = l->exists;

	if (!l->chain[0] || (error != -EEXIST && error != -ENOENT))
		return 0;
	if (nft_egress_list_probe(s, l, NULL) < 0)
		return 0;
	/* ENOENT joining it: it was not there, or its last container took it away; the probe says
	 * whether to create it or, when another setup just did, to join again. EEXIST creating
	 * it: another setup was first. */
	return (error == -ENOENT && existed) || (error == -EEXIST && !existed && l->exists);
}

int nft_egress_list_transact(struct nl_sock *s, struct nft_egress_list *l,
			     int (*attempt)(struct nl_sock *s, const struct nft_egress_list *l,
					    void *userdata, struct brnet_error *err),
			     void *userdata, struct brnet_error *err)
{
	int r;

	/* A question first, though most containers join a list that is there: a transaction
	 * the kernel refuses costs its abort (about 13 ms on a 2-CPU machine, waiting for the
	 * other CPUs), a question one round trip (tens of microseconds). */
	r = nft_egress_list_probe(s, l, err);
	if (r < 0)
		return r;
	for (int tries = 1;; tries++) {
		r = attempt(s, l, userdata, err);
		if (r >= 0 || tries == 4 || list_retry(s, l, r) <= 0)
			return r;
		if (err)
			*err = (struct brnet_error){ 0 };
	}
}

/* "ip daddr & /bucket @set" into the rule: destination in reg 9, masked, looked up. */
static int match_dest(struct nftnl_rule *r, const char *set, uint32_t set_id, unsigned bucket)
{
	uint32_t mask = htonl(prefix_v4_mask(bucket));

	if (rule_add(r, expr_payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG32_01)) < 0 ||
	    (bucket < 32 && rule_add(r, expr_mask_reg(NFT_REG32_01, &mask, 4)) < 0) ||
	    rule_add(r, expr_lookup_match(set, set_id, NFT_REG32_01, false)) < 0)
		return -ENOMEM;
	return 0;
}

/* The list chain's two rules for one prefix length: to the listed destinations on any port
 * when the container's ports are not limited, or on one of its ports when they are. */
static struct nftnl_rule *list_rule(const struct nft_egress_list *l, unsigned bucket, bool ports)
{
	_cleanup_(nftnl_rule_freep) struct nftnl_rule *r = nftnl_rule_alloc();
	char set[NFT_EGRESS_LIST_NAME_MAX + 3];

	if (!r)
		return NULL;
	list_set_name(l, bucket, set);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, l->chain);
	/* meta nfproto ipv4 (what lets nft show the payloads as ip daddr and ip saddr), then
	 * ip daddr & /N @allow_<hash>_N, then ip saddr != @egress_portlimited, or
	 * ip saddr . meta l4proto . th dport @egress_ports; accept */
	if (rule_add(r, expr_meta(NFT_META_NFPROTO, NFT_REG_1)) < 0 ||
	    rule_add(r, expr_cmp(NFT_CMP_EQ, &(uint8_t){ NFPROTO_IPV4 }, 1)) < 0 ||
	    match_dest(r, set, l->set_id + bucket / EGRESS_BUCKET_STEP, bucket) < 0 ||
	    rule_add(r, expr_payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG32_00)) < 0)
		return NULL;
	if (!ports) {
		if (rule_add(r, expr_lookup_match(NFT_SET_EGRESS_PORTLIMITED,
						  sets[NFT_EGRESS_PORTLIMITED].id, NFT_REG32_00,
						  true)) < 0)
			return NULL;
	} else if (rule_add(r, expr_meta(NFT_META_L4PROTO, NFT_REG32_01)) < 0 ||
		   rule_add(r, expr_payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_02)) <
			   0 ||
		   rule_add(r, expr_lookup_match(NFT_SET_EGRESS_PORTS, sets[NFT_EGRESS_PORTS].id,
						 NFT_REG32_00, false)) < 0) {
		return NULL;
	}
	if (rule_add(r, expr_verdict(NF_ACCEPT)) < 0)
		return NULL;
	return steal_pointer(&r);
}

/* One prefix length's part of p's list: its set, the destinations in it (no owner: the list is
 * no container's), and the chain's two rules that look it up. */
static int add_list_bucket(struct nft_batch *b, const struct egress_policy *p,
			   const struct nft_egress_list *l, unsigned bucket, size_t elements)
{
	_cleanup_(nftnl_set_freep) struct nftnl_set *s = NULL;
	char name[NFT_EGRESS_LIST_NAME_MAX + 3];
	struct nft_keys keys;
	size_t n = 0;

	list_set_name(l, bucket, name);
	s = nft_setref_alloc(&(struct nft_setref){ .family = NFPROTO_INET, .name = name });
	if (!s)
		return -ENOMEM;
	nftnl_set_set_u32(s, NFTNL_SET_ID, l->set_id + bucket / EGRESS_BUCKET_STEP);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, NFT_TYPE_IPADDR);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, 4);
	/* The kernel sizes the hash table for this many at once. */
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, (uint32_t)elements);
	nft_batch_set(b, NFT_MSG_NEWSET, NLM_F_CREATE | NLM_F_EXCL, s);

	for (size_t i = 0; i < p->n_allow; i++) {
		unsigned len = p->allow[i].len;
		uint32_t net = p->allow[i].net;

		if (egress_bucket(len) != bucket)
			continue;
		for (uint32_t k = 0; k < 1u << (bucket - len); k++) {
			uint32_t dest = htonl(net + (k << (32 - bucket)));

			if (n == 0)
				nft_batch_keys_begin(b, &keys, NLM_F_CREATE, name,
						     elements < ALLOW_PER_MSG ? elements
									      : ALLOW_PER_MSG,
						     sizeof(dest));
			nft_batch_key(&keys, &dest);
			elements--;
			if (++n == ALLOW_PER_MSG) {
				nft_batch_keys_end(&keys);
				n = 0;
			}
		}
	}
	if (n > 0)
		nft_batch_keys_end(&keys);
	for (int ports = 0; ports <= 1; ports++) {
		_cleanup_(nftnl_rule_freep) struct nftnl_rule *r = list_rule(l, bucket, ports);

		if (!r)
			return -ENOMEM;
		nft_batch_rule(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, r);
	}
	return 0;
}

/* The list of p: its chain (exclusively), then each prefix length it uses. */
static int add_list(struct nft_batch *b, const struct egress_policy *p,
		    const struct nft_egress_list *l)
{
	_cleanup_(nftnl_chain_freep) struct nftnl_chain *c = nft_chain_new(l->chain, NULL, 0, 0);
	size_t n[EGRESS_BUCKETS + 1];
	int r = 0;

	if (!c)
		return -ENOMEM;
	nft_batch_chain(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL, c);
	egress_allow_count(p, n);
	/* The keys are most of the batch: 160 KB for 10,000. */
	nft_batch_prefault(b, n[0] * NFT_KEY_ROOM(4));
	for (unsigned bucket = EGRESS_BUCKET_STEP; r >= 0 && bucket <= 32;
	     bucket += EGRESS_BUCKET_STEP)
		if (n[bucket / EGRESS_BUCKET_STEP] > 0)
			r = add_list_bucket(b, p, l, bucket, n[bucket / EGRESS_BUCKET_STEP]);
	return r < 0 ? r : b->overflow ? -EMSGSIZE : 0;
}

int nft_batch_add_egress(struct nft_batch *b, const struct egress_policy *p,
			 const struct nft_egress_list *l, const struct inaddr *addr,
			 const char *owner)
{
	uint8_t key[12];
	int r;

	if (!p->on)
		return 0;
	r = add_one(b, NFT_EGRESS_POLICED, &addr->v4, owner);
	if (r >= 0 && l->chain[0]) {
		_cleanup_(nftnl_set_freep) struct nftnl_set *s = nft_setref_alloc(
			&refs[NFT_EGRESS_LIST]);

		if (!l->exists)
			r = add_list(b, p, l);
		if (r >= 0 && (!s || nft_elem_add(s, &(struct nft_elem){ .key = &addr->v4,
									 .len = 4,
									 .jump = l->chain,
									 .owner = owner }) < 0))
			r = -ENOMEM;
		if (r >= 0)
			nft_batch_setelems(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE, s, NFT_ELEM_ROOM);
	}
	if (r >= 0 && p->n_tcp + p->n_udp > 0)
		r = add_one(b, NFT_EGRESS_PORTLIMITED, &addr->v4, owner);
	for (unsigned i = 0; r >= 0 && i < p->n_tcp + p->n_udp; i++) {
		bool tcp = i < p->n_tcp;
		uint16_t port = htons(tcp ? p->tcp[i] : p->udp[i - p->n_tcp]);

		/* 32-bit aligned fields: address, protocol, port */
		memset(key, 0, sizeof(key));
		memcpy(key, &addr->v4, 4);
		key[4] = tcp ? IPPROTO_TCP : IPPROTO_UDP;
		memcpy(key + 8, &port, 2);
		r = add_one(b, NFT_EGRESS_PORTS, key, owner);
	}
	for (unsigned i = 0; r >= 0 && !p->no_dns && i < p->n_dns; i++) {
		memcpy(key, &addr->v4, 4);
		memcpy(key + 4, &p->dns[i].v4, 4);
		r = add_one(b, NFT_EGRESS_DNS, key, owner);
	}
	if (r >= 0 && p->log)
		r = add_one(b, NFT_EGRESS_LOGGED, &addr->v4, owner);
	if (r >= 0 && p->reject)
		r = add_one(b, NFT_EGRESS_REJECTED, &addr->v4, owner);
	return r < 0 ? r : b->overflow ? -EMSGSIZE : 0;
}

struct egress_add {
	const struct egress_policy *p;
	const struct nft_egress_list *l;
	const struct inaddr *addr;
	const char *owner;
};

static int add_egress(struct nft_batch *b, void *userdata)
{
	const struct egress_add *x = userdata;

	return nft_batch_add_egress(b, x->p, x->l, x->addr, x->owner);
}

static int replace_attempt(struct nl_sock *s, const struct nft_egress_list *l, void *userdata,
			   struct brnet_error *err)
{
	const struct egress_add *x = userdata;
	struct egress_add with = { .p = x->p, .l = l, .addr = x->addr, .owner = x->owner };

	return nft_elems_replace(s, refs, _NFT_EGRESS_SET_MAX, x->owner, add_egress,
				 nft_egress_batch_room(x->p), &with, err);
}

int nft_egress_replace(struct nl_sock *s, const struct egress_policy *p, const struct inaddr *addr,
		       const char *owner, struct brnet_error *err)
{
	struct nft_egress_list l;
	struct egress_add x = { .p = p, .addr = addr, .owner = owner };

	nft_egress_list_init(&l, p);
	return nft_egress_list_transact(s, &l, replace_attempt, &x, err);
}

int nft_egress_remove_owned(struct nl_sock *s, const char *owner, struct brnet_error *err)
{
	return nft_elems_remove_owned(s, refs, _NFT_EGRESS_SET_MAX, owner, err);
}

int nft_egress_owners(struct nl_sock *s, int (*fn)(const char *owner, void *userdata),
		      void *userdata, struct brnet_error *err)
{
	return nft_elems_owners(s, refs, _NFT_EGRESS_SET_MAX, fn, userdata, err);
}

struct count {
	const char *owner;
	const char *chain; /* the allowlist the owner's element should jump to */
	unsigned n[_NFT_EGRESS_SET_MAX];
	unsigned wrong_list;
};

static int count_fn(const struct nft_elem_view *e, void *userdata)
{
	struct count *c = userdata;

	if (strcmp(e->e.owner, c->owner) != 0)
		return 0;
	c->n[e->which]++;
	if (e->which == NFT_EGRESS_LIST &&
	    (!e->e.jump || !c->chain || strcmp(e->e.jump, c->chain) != 0))
		c->wrong_list++;
	return 0;
}

static int count_any(const struct nft_elem_view *e, void *userdata)
{
	(void)e;
	++*(size_t *)userdata;
	return 0;
}

static int count_rule(const struct nlmsghdr *nlh, void *userdata)
{
	if (NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_NEWRULE)
		++*(size_t *)userdata;
	return 0;
}

/* How many rules the chain has (a dump the kernel filters by chain). */
static int count_rules(struct nl_sock *s, const char *chain, size_t *ret, struct brnet_error *err)
{
	char buf[512];
	struct nlmsghdr *nlh;
	int r;

	*ret = 0;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_INET, NLM_F_DUMP, 0);
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, NFT_TABLE);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, chain);
	r = nl_sock_transact(s, nlh, nlh->nlmsg_len, count_rule, ret, err);
	if (r == -ENOENT) {
		if (err)
			*err = (struct brnet_error){ 0 };
		return 0;
	}
	return r;
}

/* The rules of p's list chain: two for each prefix length it uses (list_rule()). */
static size_t list_rule_count(const struct egress_policy *p)
{
	size_t n[EGRESS_BUCKETS + 1], rules = 0;

	egress_allow_count(p, n);
	for (unsigned i = 1; i <= EGRESS_BUCKETS; i++)
		if (n[i] > 0)
			rules += 2;
	return rules;
}

/* How far the list is from what p makes of it: its sets' elements, and its chain's rules. */
static int verify_list(struct nl_sock *s, const struct egress_policy *p,
		       const struct nft_egress_list *l, struct brnet_error *err)
{
	size_t rules = 0, want_rules = list_rule_count(p), count[EGRESS_BUCKETS + 1];
	int r, off = 0;

	egress_allow_count(p, count);
	for (unsigned bucket = EGRESS_BUCKET_STEP; bucket <= 32; bucket += EGRESS_BUCKET_STEP) {
		char name[NFT_EGRESS_LIST_NAME_MAX + 3];
		size_t want = count[bucket / EGRESS_BUCKET_STEP], n = 0;

		list_set_name(l, bucket, name);
		r = nft_elems_walk(s, &(struct nft_setref){ .family = NFPROTO_INET, .name = name },
				   1, count_any, &n, err);
		if (r < 0)
			return r;
		off += (int)(n > want ? n - want : want - n);
	}
	r = count_rules(s, l->chain, &rules, err);
	if (r < 0)
		return r;
	return off + (int)(rules > want_rules ? rules - want_rules : want_rules - rules);
}

int nft_egress_verify(struct nl_sock *s, const struct egress_policy *p, const char *owner,
		      struct brnet_error *err)
{
	struct nft_egress_list l;
	struct count c = { .owner = owner };
	unsigned want[_NFT_EGRESS_SET_MAX] = { 0 };
	int r, off = 0;

	nft_egress_list_init(&l, p);
	c.chain = l.chain[0] ? l.chain : NULL;
	if (p->on) {
		want[NFT_EGRESS_POLICED] = 1;
		want[NFT_EGRESS_LIST] = l.chain[0] != '\0';
		want[NFT_EGRESS_PORTLIMITED] = p->n_tcp + p->n_udp > 0;
		want[NFT_EGRESS_PORTS] = p->n_tcp + p->n_udp;
		want[NFT_EGRESS_DNS] = p->no_dns ? 0 : p->n_dns;
		want[NFT_EGRESS_LOGGED] = p->log;
		want[NFT_EGRESS_REJECTED] = p->reject;
	}
	r = nft_elems_walk(s, refs, _NFT_EGRESS_SET_MAX, count_fn, &c, err);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < _NFT_EGRESS_SET_MAX; i++)
		off += abs((int)c.n[i] - (int)want[i]);
	off += (int)c.wrong_list;
	if (p->on && l.chain[0]) {
		r = nft_egress_list_probe(s, &l, err);
		if (r < 0)
			return r;
		if (!l.exists)
			return off + 1 + (int)egress_allow_elements(p, 0);
		r = verify_list(s, p, &l, err);
		if (r < 0)
			return r;
		off += r;
	}
	return off;
}

/* gc: the list chains in our table, and which of them some element jumps to. */
struct names {
	char (*v)[NFT_EGRESS_LIST_NAME_MAX + 3];
	size_t n, cap;
};

static bool names_has(const struct names *x, const char *name)
{
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->v[i], name) == 0)
			return true;
	return false;
}

static int names_add(struct names *x, const char *name)
{
	if (strlen(name) >= sizeof(x->v[0]) || names_has(x, name))
		return 0;
	if (ARRAY_RESERVE(x->v, x->cap, x->n) < 0)
		return -ENOMEM;
	strcpy(x->v[x->n++], name);
	return 0;
}

static bool is_list_name(const char *name)
{
	return strncmp(name, NFT_EGRESS_LIST_PREFIX, strlen(NFT_EGRESS_LIST_PREFIX)) == 0;
}

/* Every list's chain and sets in our table, by name. */
struct lists {
	struct names chains, sets;
};

static int found(const char *name, void *userdata)
{
	return is_list_name(name) ? names_add(userdata, name) : 0;
}

static int referenced_cb(const struct nft_elem_view *e, void *userdata)
{
	return e->e.jump && is_list_name(e->e.jump) ? names_add(userdata, e->e.jump) : 0;
}

static int dump_lists(struct nl_sock *s, struct lists *x, struct brnet_error *err)
{
	int r = nft_dump_names(s, NFT_MSG_GETCHAIN, found, &x->chains, err);

	if (r >= 0)
		r = nft_dump_names(s, NFT_MSG_GETSET, found, &x->sets, err);
	if (r == -ENOENT) { /* no table */
		if (err)
			*err = (struct brnet_error){ 0 };
		return 0;
	}
	return r;
}

/* Whether set is one of chain's ("allow_<hash>_24" of "allow_<hash>"). */
static bool set_of(const char *set, const char *chain)
{
	size_t n = strlen(chain);

	return strncmp(set, chain, n) == 0 && set[n] == '_';
}

/* In one transaction: the chain (its rules with it) and its sets. While a map element still
 * jumps to the chain the kernel refuses with EBUSY, and nothing goes. */
static int delete_list(struct nl_sock *s, const struct lists *x, const char *chain,
		       struct brnet_error *err)
{
	char buf[(3 + EGRESS_BUCKETS) * NFT_MSG_ROOM];
	struct nft_batch b;
	int r;

	nft_batch_init(&b, buf, sizeof(buf));
	nft_batch_begin(&b);
	if (names_has(&x->chains, chain)) {
		_cleanup_(nftnl_chain_freep) struct nftnl_chain *c = nft_chain_new(chain, NULL, 0,
										   0);

		if (!c)
			return -ENOMEM;
		nft_batch_chain(&b, NFT_MSG_DELCHAIN, 0, c);
	}
	for (size_t i = 0, n = 0; i < x->sets.n && n < EGRESS_BUCKETS + 1; i++) {
		_cleanup_(nftnl_set_freep) struct nftnl_set *set = NULL;

		if (!set_of(x->sets.v[i], chain))
			continue;
		set = nft_setref_alloc(
			&(struct nft_setref){ .family = NFPROTO_INET, .name = x->sets.v[i] });
		if (!set)
			return -ENOMEM;
		nft_batch_set(&b, NFT_MSG_DELSET, 0, set);
		n++;
	}
	r = nft_batch_end(&b);
	if (r < 0)
		return r;
	return nl_sock_transact(s, buf, b.len, NULL, NULL, err);
}

int nft_egress_list_release(struct nl_sock *s, const struct egress_policy *p,
			    struct brnet_error *err)
{
	struct nft_egress_list l;
	struct lists x = { 0 };
	size_t n[EGRESS_BUCKETS + 1];
	int r;

	nft_egress_list_init(&l, p);
	if (!l.chain[0])
		return 0;
	/* Asked first, as the kernel would refuse (EBUSY, after an abort that costs far more
	 * than the question) while another container's element jumps to it. The chain's use
	 * counts its rules, two per prefix length, and the jumps to it. (A kernel that counted
	 * only the jumps would see a deletion refused, which is slow, not wrong.) */
	r = nft_egress_list_probe(s, &l, err);
	if (r < 0 || !l.exists)
		return r;
	if (l.use > list_rule_count(p))
		return 0;
	r = names_add(&x.chains, l.chain);
	egress_allow_count(p, n);
	for (unsigned bucket = EGRESS_BUCKET_STEP; r >= 0 && bucket <= 32;
	     bucket += EGRESS_BUCKET_STEP) {
		char name[NFT_EGRESS_LIST_NAME_MAX + 3];

		list_set_name(&l, bucket, name);
		if (n[bucket / EGRESS_BUCKET_STEP] > 0)
			r = names_add(&x.sets, name);
	}
	if (r >= 0)
		r = delete_list(s, &x, l.chain, err);
	free(x.chains.v);
	free(x.sets.v);
	/* EBUSY: another container uses it. ENOENT: gone already (or not as we made it, which
	 * gc's look at what is there settles). */
	if (r == -EBUSY || r == -ENOENT) {
		if (err)
			*err = (struct brnet_error){ 0 };
		return 0;
	}
	return r < 0 ? r : 1;
}

int nft_egress_lists_gc(struct nl_sock *s, bool dry_run,
			void (*fn)(const char *chain, void *userdata), void *userdata,
			struct brnet_error *err)
{
	struct lists x = { 0 };
	struct names used = { 0 }, groups = { 0 };
	int r, removed = 0;

	/* The lists first, then the jumps: a list created in between is not in the first. */
	r = dump_lists(s, &x, err);
	if (r >= 0)
		r = nft_elems_walk(s, &refs[NFT_EGRESS_LIST], 1, referenced_cb, &used, err);
	/* Every list by its chain's name, a set left without its chain included. */
	for (size_t i = 0; r >= 0 && i < x.chains.n; i++)
		r = names_add(&groups, x.chains.v[i]);
	for (size_t i = 0; r >= 0 && i < x.sets.n; i++) {
		char *cut = strrchr(x.sets.v[i], '_');
		char chain[sizeof(x.sets.v[i])];

		if (!cut || cut == x.sets.v[i] + strlen(NFT_EGRESS_LIST_PREFIX) - 1)
			continue;
		memcpy(chain, x.sets.v[i], (size_t)(cut - x.sets.v[i]));
		chain[cut - x.sets.v[i]] = '\0';
		r = names_add(&groups, chain);
	}
	for (size_t i = 0; r >= 0 && i < groups.n; i++) {
		if (names_has(&used, groups.v[i]))
			continue;
		r = dry_run ? 0 : delete_list(s, &x, groups.v[i], err);
		if (r == -EBUSY) { /* a setup took it since */
			if (err)
				*err = (struct brnet_error){ 0 };
			r = 0;
			continue;
		}
		if (r >= 0 && fn)
			fn(groups.v[i], userdata);
		if (r >= 0)
			removed++;
	}
	free(x.chains.v);
	free(x.sets.v);
	free(used.v);
	free(groups.v);
	return r < 0 ? r : removed;
}
