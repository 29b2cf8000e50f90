/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Base chains of other tables that drop forwarded packets by default. */
#include <errno.h>
#include <net/if.h> /* before the linux/ headers */
#include <netinet/in.h>
#include <stdlib.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>

#include "lib/nft/elems.h"
#include "lib/nft/hostfw.h"
#include "lib/nft/iptlegacy.h"
#include "lib/nft/nft.h"
#include "shared/error.h"
#include "shared/macro.h"

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
/* A table's rules past this size are not followed: its chains' verdicts stay unknown. */
#define TABLE_RULES_MAX (16U << 20)

/* The candidates: chains whose policy drops, and chains whose policy accepts (their last rule
 * may drop all the same). A host has a few forward base chains; past 16 the rest are not
 * looked at. */
struct chains {
	struct nft_chain_ref c[FORWARD_CHAINS_MAX];
	unsigned n;
	/* tables with a chain that tells who writes them */
	struct nft_chain_ref owned[FORWARD_CHAINS_MAX];
	unsigned n_owned;
};

enum nft_fw_owner nft_chain_owner(const char *chain)
{
	if (strcmp(chain, "DOCKER-USER") == 0)
		return NFT_FW_DOCKER;
	if (strcmp(chain, "ufw-user-forward") == 0)
		return NFT_FW_UFW;
	return NFT_FW_OTHER;
}

enum nft_fw_owner nft_rules_owner(const struct fw_rules *r)
{
	for (size_t i = 0; i < r->n_starts; i++) {
		enum nft_fw_owner o = nft_chain_owner(r->starts[i].name);

		if (o != NFT_FW_OTHER)
			return o;
	}
	return NFT_FW_OTHER;
}

/* A chain of family ip whose name tells the table's owner. */
static void chain_owner(const struct nlmsghdr *nlh, struct chains *d)
{
	const struct nlattr *tb[NFTA_CHAIN_MAX + 1] = { 0 };
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	struct nft_chain_ref o = { .family = g->nfgen_family };

	if (g->nfgen_family != NFPROTO_IPV4 || d->n_owned == FORWARD_CHAINS_MAX ||
	    nft_msg_attrs(nlh, tb, NFTA_CHAIN_MAX) < 0 || !tb[NFTA_CHAIN_TABLE] ||
	    !tb[NFTA_CHAIN_NAME] ||
	    !nft_attr_name(tb[NFTA_CHAIN_TABLE], o.table, sizeof(o.table)) ||
	    !nft_attr_name(tb[NFTA_CHAIN_NAME], o.chain, sizeof(o.chain)))
		return;
	o.owner = nft_chain_owner(o.chain);
	if (o.owner != NFT_FW_OTHER)
		d->owned[d->n_owned++] = o;
}

static int chain_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct chains *d = userdata;
	struct nft_chain_ref c;
	int r = nft_forward_drop_msg(nlh, &c);

	if (r < 0)
		return r;
	if (r == 0) {
		if (nlh->nlmsg_type == (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWCHAIN))
			chain_owner(nlh, d); /* a well-formed one: nft_forward_drop_msg() read it */
		return 0;
	}
	c.by_rule = r == 2;
	if (c.family == NFPROTO_INET && strcmp(c.table, "firewalld") == 0)
		c.owner = NFT_FW_FIREWALLD;
	if (d->n < FORWARD_CHAINS_MAX)
		d->c[d->n++] = c;
	return 0;
}

static void chains_owners(struct chains *d)
{
	for (unsigned i = 0; i < d->n; i++)
		for (unsigned j = 0; j < d->n_owned; j++)
			if (d->c[i].family == d->owned[j].family &&
			    strcmp(d->c[i].table, d->owned[j].table) == 0)
				d->c[i].owner = d->owned[j].owner;
}

#define SET_KEY_MAX 64
#define SET_ANSWERS_MAX 32

/* What the kernel said of a key in a set: every packet asks the same of a ct state set. */
struct set_answer {
	char set[NFT_NAME_MAXLEN];
	uint8_t key[SET_KEY_MAX];
	uint32_t klen;
	int in; /* as fw_lookup_fn returns */
	bool map;
	struct fw_map_verdict verdict; /* of a verdict map's element */
};

/* One table's rules, copied out of the dump, and the answers of its sets. */
struct table_rules {
	uint8_t family;
	char name[NFT_NAME_MAXLEN];
	struct fw_rules r;
	bool loaded;
	struct set_answer answers[SET_ANSWERS_MAX];
	unsigned n_answers;
};

static void table_rules_done(struct table_rules *t)
{
	fw_rules_done(&t->r);
	*t = (struct table_rules){ 0 };
}

static int rule_copy_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct table_rules *t = userdata;

	if (nlh->nlmsg_type != (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWRULE))
		return 0;
	return fw_rules_add(&t->r, nlh, TABLE_RULES_MAX);
}

/* Every rule of the chain's table, in the order the kernel runs each chain's. */
static int table_rules_load(struct nl_sock *s, const struct nft_chain_ref *c, struct table_rules *t)
{
	char buf[MNL_NLMSG_HDRLEN + 64 + (size_t)NFT_NAME_MAXLEN];
	struct nlmsghdr *nlh;
	int r;

	if (t->loaded && t->family == c->family && strcmp(t->name, c->table) == 0)
		return 0;
	table_rules_done(t);
	t->family = c->family;
	memcpy(t->name, c->table, sizeof(t->name));
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, c->family, NLM_F_DUMP, 0);
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, c->table);
	r = nl_sock_transact(s, nlh, nlh->nlmsg_len, rule_copy_cb, t, NULL);
	if (r < 0)
		return r;
	r = fw_rules_seal(&t->r);
	if (r < 0)
		return r;
	t->loaded = true;
	return 0;
}

/* Whether the chain's last rule drops everything that reaches it. */
static int last_rule_drops(const struct nlmsghdr *const *rules, size_t n, const char *chain)
{
	char name[NFT_NAME_MAXLEN];

	for (size_t i = n; i-- > 0;) {
		const struct nlattr *tb[NFTA_RULE_MAX + 1] = { 0 };

		if (nft_msg_attrs(rules[i], tb, NFTA_RULE_MAX) < 0 || !tb[NFTA_RULE_CHAIN] ||
		    !nft_attr_name(tb[NFTA_RULE_CHAIN], name, sizeof(name)))
			return -EBADMSG;
		if (strcmp(name, chain) == 0)
			return nft_rule_ends_all_msg(rules[i]);
	}
	return 0;
}

/* What GETSET tells of a set. */
struct set_query {
	uint32_t flags, klen, dtype;
};

static int set_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct set_query *q = userdata;
	const struct nlattr *tb[NFTA_SET_MAX + 1] = { 0 };

	if (nlh->nlmsg_type != (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWSET))
		return 0;
	if (nft_msg_attrs(nlh, tb, NFTA_SET_MAX) < 0 || !tb[NFTA_SET_KEY_LEN] ||
	    mnl_attr_get_payload_len(tb[NFTA_SET_KEY_LEN]) != sizeof(uint32_t) ||
	    (tb[NFTA_SET_FLAGS] &&
	     mnl_attr_get_payload_len(tb[NFTA_SET_FLAGS]) != sizeof(uint32_t)) ||
	    (tb[NFTA_SET_DATA_TYPE] &&
	     mnl_attr_get_payload_len(tb[NFTA_SET_DATA_TYPE]) != sizeof(uint32_t)))
		return -EBADMSG;
	q->klen = ntohl(mnl_attr_get_u32(tb[NFTA_SET_KEY_LEN]));
	q->flags = tb[NFTA_SET_FLAGS] ? ntohl(mnl_attr_get_u32(tb[NFTA_SET_FLAGS])) : 0;
	q->dtype = tb[NFTA_SET_DATA_TYPE] ? ntohl(mnl_attr_get_u32(tb[NFTA_SET_DATA_TYPE])) : 0;
	return 0;
}

/* The element the kernel gave for the key asked: there is one, and a map's is a verdict. */
struct elem_query {
	bool found;
	struct fw_map_verdict *verdict; /* NULL: a set */
};

static int elem_found(const struct nft_elem_view *e, void *userdata)
{
	struct elem_query *q = userdata;

	if (q->verdict) {
		if (!e->e.has_verdict ||
		    ((e->e.verdict == NFT_JUMP || e->e.verdict == NFT_GOTO) &&
		     (!e->e.jump || strlen(e->e.jump) >= sizeof(q->verdict->chain))))
			return -EBADMSG;
		q->verdict->code = e->e.verdict;
		snprintf(q->verdict->chain, sizeof(q->verdict->chain), "%s",
			 e->e.jump ? e->e.jump : "");
	}
	q->found = true;
	return 0;
}

/* Whether every bit of the key's first len bytes is known. */
static bool key_known(const uint8_t *known, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		if (known[i] != 0xff)
			return false;
	return true;
}

/* A set of an exact-match kind, or a verdict map, asked of the kernel: its key length, then
 * the element. */
static int set_ask(struct nl_sock *s, const struct table_rules *t, const char *set,
		   const uint8_t *key, const uint8_t *known, size_t room,
		   struct fw_map_verdict *verdict, uint32_t *klen)
{
	char buf[MNL_NLMSG_HDRLEN + 64 + 2 * (size_t)NFT_NAME_MAXLEN];
	struct set_query q = { 0 };
	struct elem_query eq = { .verdict = verdict };
	struct nlmsghdr *nlh;
	int r;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSET, t->family, NLM_F_ACK, 0);
	mnl_attr_put_strz(nlh, NFTA_SET_TABLE, t->name);
	mnl_attr_put_strz(nlh, NFTA_SET_NAME, set);
	r = nl_sock_transact(s, nlh, nlh->nlmsg_len, set_cb, &q, NULL);
	if (r < 0 || q.klen == 0 || q.klen > room || q.klen > SET_KEY_MAX ||
	    (q.flags & (NFT_SET_INTERVAL | NFT_SET_OBJECT)) ||
	    !(q.flags & NFT_SET_MAP) != !verdict ||
	    (verdict && q.dtype != (uint32_t)NFT_DATA_VERDICT))
		return -1;
	if (!key_known(known, q.klen))
		return -1;
	*klen = q.klen;
	r = nft_elems_get(
		s, &(struct nft_setref){ .family = t->family, .name = set, .table = t->name }, key,
		q.klen, elem_found, &eq, NULL);
	return r < 0 ? -1 : eq.found;
}

struct lookup {
	struct nl_sock *s;
	struct table_rules *t;
};

/* set_ask(), its answers kept per table: the kernel is asked once per set and key. */
static int set_lookup(const char *set, const uint8_t *key, const uint8_t *known, size_t room,
		      struct fw_map_verdict *verdict, void *userdata)
{
	struct lookup *l = userdata;
	struct table_rules *t = l->t;
	struct set_answer *a;
	uint32_t klen = 0;
	int in;

	for (unsigned i = 0; i < t->n_answers; i++) {
		a = &t->answers[i];
		if (strcmp(a->set, set) == 0 && a->map == !!verdict && a->klen <= room &&
		    key_known(known, a->klen) && memcmp(a->key, key, a->klen) == 0) {
			if (verdict && a->in > 0)
				*verdict = a->verdict;
			return a->in;
		}
	}
	in = set_ask(l->s, t, set, key, known, room, verdict, &klen);
	if (klen > 0 && t->n_answers < SET_ANSWERS_MAX) {
		a = &t->answers[t->n_answers++];
		snprintf(a->set, sizeof(a->set), "%s", set);
		memcpy(a->key, key, klen);
		a->klen = klen;
		a->in = in;
		a->map = verdict;
		if (verdict && in > 0)
			a->verdict = *verdict;
	}
	return in;
}

/* iptables-legacy's FORWARD, as a chain of its own: 1 when it drops, by policy or by its last
 * rule, and fn was called; 0 when it does not, or there is no such table or it cannot be read
 * (then nothing is known of it, as before brnet read it); -ENOMEM. */
static int legacy_forward(const struct fw_packet *packets, size_t n, enum fw_verdict *v,
			  nft_chain_ref_fn fn, void *userdata)
{
	_cleanup_(ipt_legacy_done) struct ipt_legacy t = { 0 };
	struct nft_chain_ref c = {
		.family = NFPROTO_IPV4,
		.table = "filter",
		.chain = "FORWARD",
		.legacy = true,
	};
	struct fw_table ft;
	int r;

	r = ipt_legacy_filter(&t);
	if (r == -ENOMEM)
		return r;
	if (r <= 0)
		return 0;
	if (t.forward_policy != NF_DROP) {
		if (last_rule_drops(t.r.msgs, t.r.n, c.chain) <= 0)
			return 0;
		c.by_rule = true;
	}
	c.owner = nft_rules_owner(&t.r);
	ft = fw_rules_table(&t.r);
	for (size_t j = 0; j < n; j++)
		v[j] = fw_eval(&ft, c.chain, t.forward_policy, &packets[j]);
	if (fn)
		fn(&c, v, userdata);
	return 1;
}

int nft_forward_drops(struct nl_sock *s, const struct fw_packet *packets, size_t n,
		      nft_chain_ref_fn fn, void *userdata, struct brnet_error *err)
{
	char buf[MNL_NLMSG_HDRLEN + 64];
	_cleanup_(freep) enum fw_verdict *v = calloc(n ? n : 1, sizeof(*v));
	_cleanup_(table_rules_done) struct table_rules t = { 0 };
	struct chains d = { 0 };
	struct nlmsghdr *nlh;
	int r, found = 0;

	if (!v)
		return -ENOMEM;
	/* every family: each chain says its own */
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, NLM_F_DUMP, 0);
	r = nl_sock_transact(s, nlh, nlh->nlmsg_len, chain_cb, &d, err);
	if (r < 0)
		return r;
	chains_owners(&d);
	for (unsigned i = 0; i < d.n; i++) {
		const struct nft_chain_ref *c = &d.c[i];
		struct lookup l = { .s = s, .t = &t };
		struct fw_table ft;

		r = table_rules_load(s, c, &t);
		if (r < 0)
			table_rules_done(&t);
		if (r == -ENOENT)
			continue; /* gone since the chains were listed */
		if (r < 0 && r != -E2BIG) /* too large to follow: its verdicts stay unknown */
			return brnet_err(err, -r, "cannot list the rules of table %s %s: %s",
					 nft_chain_ref_family(c), c->table, strerror(-r));
		if (c->by_rule) {
			r = t.loaded ? last_rule_drops(t.r.msgs, t.r.n, c->chain) : 0;
			if (r <= 0)
				continue; /* accepts what reaches its end (or cannot be read) */
		}
		ft = fw_rules_table(&t.r);
		ft.lookup = set_lookup;
		ft.userdata = &l;
		for (size_t j = 0; j < n; j++)
			v[j] = t.loaded ? fw_eval(&ft, c->chain, c->by_rule ? NF_ACCEPT : NF_DROP,
						  &packets[j])
					: FW_UNKNOWN;
		found++;
		if (fn)
			fn(c, v, userdata);
	}
	r = legacy_forward(packets, n, v, fn, userdata);
	if (r < 0)
		return brnet_err(err, -r, "cannot follow iptables-legacy's FORWARD: %s",
				 strerror(-r));
	return found + r;
}
