/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Following another table's forward chain with a packet known in part, without a kernel: the
 * rules are built as libnftnl writes them, which is how the kernel dumps them. */
#include <errno.h>
#include <netinet/in.h> /* before the linux/ headers */
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "lib/nft/fweval.h"
#include "shared/macro.h"
#include "test-common.h"

#define RULES_MAX 32

struct table {
	uint32_t buf[RULES_MAX * 256];
	size_t used;
	const struct nlmsghdr *rules[RULES_MAX];
	size_t n;
	int in_set; /* what the lookup callback answers */
	bool map; /* the callback is asked of a verdict map, whose element has verdict */
	struct fw_map_verdict verdict;
};

static struct table *table_new(void)
{
	struct table *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->in_set = -1;
	return t;
}

/* Appends a rule of chain made of exprs (a NULL-terminated list), as a dump reply. */
static void rule(struct table *t, const char *chain, struct nftnl_expr **exprs)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	assert_non_null(r);
	assert_true(t->n < RULES_MAX);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, "filter");
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	for (; *exprs; exprs++)
		nftnl_rule_add_expr(r, *exprs);
	nlh = nftnl_nlmsg_build_hdr((char *)t->buf + t->used, NFT_MSG_NEWRULE, NFPROTO_INET,
				    NLM_F_MULTI, 1);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	t->rules[t->n++] = nlh;
	t->used += NLMSG_ALIGN(nlh->nlmsg_len);
	assert_true(t->used < sizeof(t->buf) - 4096);
}

static struct nftnl_expr *expr(const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	assert_non_null(e);
	return e;
}

static struct nftnl_expr *meta(uint32_t key)
{
	struct nftnl_expr *e = expr("meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	return e;
}

static struct nftnl_expr *ct(uint32_t key)
{
	struct nftnl_expr *e = expr("ct");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	return e;
}

static struct nftnl_expr *cmp(uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = expr("cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	return e;
}

/* An interface name as nft compares it: with its NUL, or without for "name*". */
static struct nftnl_expr *cmp_name(uint32_t op, const char *name)
{
	size_t len = strlen(name);

	return name[len - 1] == '*' ? cmp(op, name, (uint32_t)len - 1)
				    : cmp(op, name, (uint32_t)len + 1);
}

static struct nftnl_expr *mask(uint32_t m, uint32_t x)
{
	struct nftnl_expr *e = expr("bitwise");

	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, sizeof(uint32_t));
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &m, sizeof(m));
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &x, sizeof(x));
	return e;
}

static struct nftnl_expr *saddr(void)
{
	struct nftnl_expr *e = expr("payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, 12);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, 4);
	return e;
}

static struct nftnl_expr *lookup(uint32_t flags)
{
	struct nftnl_expr *e = expr("lookup");

	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, "__set0");
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, flags);
	return e;
}

static struct nftnl_expr *verdict(int code, const char *chain)
{
	struct nftnl_expr *e = expr("immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)code);
	if (chain)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
	return e;
}

static struct nftnl_expr *xt(const char *kind, const char *name)
{
	struct nftnl_expr *e = expr(kind);
	void *info = calloc(1, 8); /* libnftnl keeps it, and frees it */

	assert_non_null(info);
	nftnl_expr_set_str(e, strcmp(kind, "target") == 0 ? NFTNL_EXPR_TG_NAME : NFTNL_EXPR_MT_NAME,
			   name);
	nftnl_expr_set(e, strcmp(kind, "target") == 0 ? NFTNL_EXPR_TG_INFO : NFTNL_EXPR_MT_INFO,
		       info, 8);
	return e;
}

#define R(t, chain, ...) rule(t, chain, (struct nftnl_expr *[]){ __VA_ARGS__, NULL })

static int set_cb(const char *set, const uint8_t *key, const uint8_t *known, size_t room,
		  struct fw_map_verdict *verdict, void *userdata)
{
	const struct table *t = userdata;

	assert_string_equal(set, "__set0");
	assert_true(room >= 4);
	assert_true(!verdict == !t->map);
	if (verdict && t->in_set > 0)
		*verdict = t->verdict;
	return t->in_set;
}

/* fw_eval(), which must answer the same with an index of the chains' starts. */
static enum fw_verdict eval_indexed(struct fw_table *ft, const char *chain, uint32_t policy,
				    const struct fw_packet *p)
{
	_cleanup_(freep) struct fw_chain_start *starts = NULL;
	enum fw_verdict v;
	ssize_t n;

	assert_null(ft->starts);
	v = fw_eval(ft, chain, policy, p);
	n = fw_chain_starts(ft->rules, ft->n_rules, &starts);
	assert_true(n >= 0);
	ft->starts = starts;
	ft->n_starts = (size_t)n;
	assert_int_equal(fw_eval(ft, chain, policy, p), v);
	ft->starts = NULL;
	ft->n_starts = 0;
	return v;
}

static enum fw_verdict eval(const struct table *t, uint32_t policy, const struct fw_packet *p)
{
	struct fw_table ft = {
		.rules = t->rules, .n_rules = t->n, .lookup = set_cb, .userdata = (void *)t
	};

	return eval_indexed(&ft, "FORWARD", policy, p);
}

/* A new connection out of bridge brnet0, subnet 10.0.42.0/24, to eth0. */
static struct fw_packet out_packet(void)
{
	struct fw_packet p = {
		.nfproto = NFPROTO_IPV4,
		.iifname = "brnet0",
		.oifname = "eth0",
		.iif = 7,
		.oif = 2,
		.saddr_bits = 24,
		.ct_state = NF_CT_STATE_BIT(IP_CT_NEW),
		.ct_status_known = IPS_SEEN_REPLY | IPS_DST_NAT,
	};

	assert_int_equal(inet_pton(AF_INET, "10.0.42.0", &p.saddr), 1);
	return p;
}

static void test_policy_and_names(void **state)
{
	struct table *t = table_new();
	struct fw_packet p = out_packet(), other = out_packet();

	strcpy(other.iifname, "br1");
	assert_int_equal(eval(t, NF_DROP, &p), FW_DROP);
	assert_int_equal(eval(t, NF_ACCEPT, &p), FW_ACCEPT);
	R(t, "FORWARD", meta(NFT_META_IIFNAME), cmp_name(NFT_CMP_EQ, "brnet0"),
	  verdict(NF_ACCEPT, NULL));
	assert_int_equal(eval(t, NF_DROP, &p), FW_ACCEPT);
	assert_int_equal(eval(t, NF_DROP, &other), FW_DROP);
	/* the other chain's rules are not this chain's */
	R(t, "INPUT", verdict(NF_DROP, NULL));
	assert_int_equal(eval(t, NF_DROP, &other), FW_DROP);
	/* an interface not known: the accept may apply, the rest are dropped */
	strcpy(other.iifname, "");
	assert_int_equal(eval(t, NF_DROP, &other), FW_DROP);
	assert_int_equal(eval(t, NF_ACCEPT, &other), FW_ACCEPT);
	free(t);

	/* "brnet*", and != */
	t = table_new();
	R(t, "FORWARD", meta(NFT_META_IIFNAME), cmp_name(NFT_CMP_EQ, "brnet*"),
	  meta(NFT_META_OIFNAME), cmp_name(NFT_CMP_NEQ, "brnet0"), verdict(NF_ACCEPT, NULL));
	assert_int_equal(eval(t, NF_DROP, &p), FW_ACCEPT);
	strcpy(p.oifname, "brnet0");
	assert_int_equal(eval(t, NF_DROP, &p), FW_DROP);
	free(t);

	/* by index, and the family: an IPv6 rule is not met */
	t = table_new();
	R(t, "FORWARD", meta(NFT_META_NFPROTO), cmp(NFT_CMP_EQ, (uint8_t[]){ NFPROTO_IPV6 }, 1),
	  verdict(NF_DROP, NULL));
	R(t, "FORWARD", meta(NFT_META_IIF), cmp(NFT_CMP_EQ, &(uint32_t){ 7 }, 4),
	  verdict(NF_ACCEPT, NULL));
	p = out_packet();
	assert_int_equal(eval(t, NF_DROP, &p), FW_ACCEPT);
	p.iif = 0;
	assert_int_equal(eval(t, NF_DROP, &p), FW_DROP);
	free(t);
}

/* Jumps come back, gotos do not, a return goes back; a loop is not followed forever. */
static void test_jumps(void **state)
{
	struct table *t = table_new();
	struct fw_packet p = out_packet();

	R(t, "FORWARD", verdict(NFT_JUMP, "DOCKER-USER"));
	R(t, "FORWARD", meta(NFT_META_OIFNAME), cmp_name(NFT_CMP_EQ, "brnet0"),
	  verdict(NF_ACCEPT, NULL));
	R(t, "DOCKER-USER", verdict(NFT_RETURN, NULL));
	assert_int_equal(eval(t, NF_DROP, &p), FW_DROP);
	/* inserted before the return */
	t->n = 0;
	t->used = 0;
	R(t, "FORWARD", verdict(NFT_JUMP, "DOCKER-USER"));
	R(t, "DOCKER-USER", meta(NFT_META_IIFNAME), cmp_name(NFT_CMP_EQ, "brnet0"),
	  verdict(NF_ACCEPT, NULL));
	R(t, "DOCKER-USER", verdict(NFT_RETURN, NULL));
	assert_int_equal(eval(t, NF_DROP, &p), FW_ACCEPT);
	free(t);

	/* a goto's chain that ends goes back past the chain that went to it */
	t = table_new();
	R(t, "FORWARD", verdict(NFT_JUMP, "zones"));
	R(t, "FORWARD", verdict(NF_ACCEPT, NULL));
	R(t, "zones", verdict(NFT_GOTO, "public"));
	R(t, "zones", verdict(NF_DROP, NULL));
	assert_int_equal(eval(t, NF_DROP, &p), FW_ACCEPT);
	/* a loop */
	R(t, "public", verdict(NFT_JUMP, "zones"));
	assert_int_equal(eval(t, NF_DROP, &p), FW_UNKNOWN);
	free(t);

	/* a jump that may be taken: what its chain decides is for the marked packets; the rest
	 * go on */
	t = table_new();
	R(t, "FORWARD", meta(NFT_META_MARK), cmp(NFT_CMP_EQ, &(uint32_t){ 1 }, 4),
	  verdict(NFT_JUMP, "marked"));
	R(t, "FORWARD", verdict(NF_ACCEPT, NULL));
	R(t, "marked", xt("target", "LOG"));
	assert_int_equal(eval(t, NF_DROP, &p), FW_ACCEPT);
	R(t, "marked", verdict(NF_DROP, NULL));
	assert_int_equal(eval(t, NF_DROP, &p), FW_ACCEPT);
	t->n = 1;
	assert_int_equal(eval(t, NF_DROP, &p), FW_DROP);
	free(t);
}

/* firewalld's first rules: ct state in an anonymous set, ct status dnat. */
static void test_conntrack(void **state)
{
	struct table *t = table_new();
	struct fw_packet p = out_packet();

	R(t, "FORWARD", ct(NFT_CT_STATE), lookup(0), verdict(NF_ACCEPT, NULL));
	R(t, "FORWARD", ct(NFT_CT_STATUS), mask(IPS_DST_NAT, 0),
	  cmp(NFT_CMP_NEQ, &(uint32_t){ 0 }, 4), verdict(NF_ACCEPT, NULL));
	R(t, "FORWARD", xt("target", "REJECT"));
	t->in_set = -1; /* the set cannot be read: the accept may apply, the rest are rejected */
	assert_int_equal(eval(t, NF_ACCEPT, &p), FW_DROP);
	t->in_set = 0;
	assert_int_equal(eval(t, NF_ACCEPT, &p), FW_DROP);
	p.ct_status = IPS_DST_NAT;
	assert_int_equal(eval(t, NF_ACCEPT, &p), FW_ACCEPT);
	t->in_set = 1;
	p.ct_status = 0;
	assert_int_equal(eval(t, NF_ACCEPT, &p), FW_ACCEPT);
	free(t);

	/* a bit of the status that is not known; ct state new as a mask */
	t = table_new();
	R(t, "FORWARD", ct(NFT_CT_STATUS), mask(IPS_DST_NAT_DONE, 0),
	  cmp(NFT_CMP_NEQ, &(uint32_t){ 0 }, 4), verdict(NF_DROP, NULL));
	R(t, "FORWARD", ct(NFT_CT_STATE), lookup(NFT_LOOKUP_F_INV), verdict(NF_DROP, NULL));
	R(t, "FORWARD", ct(NFT_CT_STATE), mask(NF_CT_STATE_BIT(IP_CT_NEW), 0),
	  cmp(NFT_CMP_NEQ, &(uint32_t){ 0 }, 4), verdict(NF_ACCEPT, NULL));
	t->in_set = 1; /* a drop that may apply, then the new connection's accept */
	assert_int_equal(eval(t, NF_DROP, &p), FW_ACCEPT);
	t->rules[0] = t->rules[1];
	t->rules[1] = t->rules[2];
	t->n = 2;
	assert_int_equal(eval(t, NF_DROP, &p), FW_ACCEPT);
	t->in_set = 0; /* not in the set, inverted: dropped */
	assert_int_equal(eval(t, NF_DROP, &p), FW_DROP);
	free(t);
}

/* ip saddr PREFIX: known as far as the subnet tells. */
static void test_addresses(void **state)
{
	struct table *t = table_new();
	struct fw_packet p = out_packet();
	struct in_addr net;

	assert_int_equal(inet_pton(AF_INET, "10.0.0.0", &net), 1);
	R(t, "FORWARD", saddr(), mask(htonl(0xff000000), 0), cmp(NFT_CMP_EQ, &net, 4),
	  verdict(NF_ACCEPT, NULL));
	assert_int_equal(eval(t, NF_DROP, &p), FW_ACCEPT);
	free(t);

	t = table_new();
	assert_int_equal(inet_pton(AF_INET, "10.0.42.0", &net), 1);
	R(t, "FORWARD", saddr(), mask(htonl(0xffffff80), 0), cmp(NFT_CMP_EQ, &net, 4),
	  verdict(NF_ACCEPT, NULL));
	assert_int_equal(eval(t, NF_DROP, &p), FW_DROP); /* half the /24: the rest dropped */
	assert_int_equal(inet_pton(AF_INET, "192.168.0.0", &net), 1);
	R(t, "FORWARD", saddr(), mask(htonl(0xffff0000), 0), cmp(NFT_CMP_EQ, &net, 4),
	  verdict(NF_DROP, NULL));
	t->rules[0] = t->rules[1];
	t->n = 1;
	assert_int_equal(eval(t, NF_ACCEPT, &p), FW_ACCEPT); /* another network's drop */
	free(t);
}

static struct nftnl_expr *range(uint32_t op, const char *from, const char *to)
{
	struct nftnl_expr *e = expr("range");
	struct in_addr a, b;

	assert_int_equal(inet_pton(AF_INET, from, &a), 1);
	assert_int_equal(inet_pton(AF_INET, to, &b), 1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, &a, 4);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, &b, 4);
	return e;
}

/* Ranges (ip saddr 10.0.42.0-10.0.42.255, which nft writes as two ordered compares, or != as a
 * range): judged where what is known of the address puts it inside or outside, else they may
 * apply. */
static void test_ranges(void **state)
{
	static const struct {
		uint32_t op;
		const char *from, *to;
		enum fw_verdict want; /* of an accept, the policy dropping */
	} cases[] = {
		{ NFT_RANGE_EQ, "10.0.42.0", "10.0.42.255", FW_ACCEPT },
		{ NFT_RANGE_EQ, "10.0.0.0", "10.255.255.255", FW_ACCEPT },
		{ NFT_RANGE_EQ, "10.0.43.0", "10.0.43.255", FW_DROP },
		{ NFT_RANGE_EQ, "10.0.41.0", "10.0.41.255", FW_DROP },
		{ NFT_RANGE_EQ, "10.0.42.10", "10.0.42.20", FW_DROP }, /* some: passed over */
		{ NFT_RANGE_NEQ, "10.0.43.0", "10.0.43.255", FW_ACCEPT },
		{ NFT_RANGE_NEQ, "10.0.42.0", "10.0.42.255", FW_DROP },
		{ NFT_RANGE_NEQ, "10.0.42.10", "10.0.42.20", FW_DROP },
	};
	struct fw_packet p = out_packet();
	struct table *t;

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		t = table_new();
		R(t, "FORWARD", saddr(), range(cases[i].op, cases[i].from, cases[i].to),
		  verdict(NF_ACCEPT, NULL));
		assert_int_equal(eval(t, NF_DROP, &p), cases[i].want);
		free(t);
	}

	/* the same as nft writes ip saddr A-B: two ordered compares */
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct in_addr a, b;

		if (cases[i].op != NFT_RANGE_EQ)
			continue;
		assert_int_equal(inet_pton(AF_INET, cases[i].from, &a), 1);
		assert_int_equal(inet_pton(AF_INET, cases[i].to, &b), 1);
		t = table_new();
		R(t, "FORWARD", saddr(), cmp(NFT_CMP_GTE, &a, 4), cmp(NFT_CMP_LTE, &b, 4),
		  verdict(NF_ACCEPT, NULL));
		assert_int_equal(eval(t, NF_DROP, &p), cases[i].want);
		free(t);
	}
	t = table_new();
	R(t, "FORWARD", saddr(), cmp(NFT_CMP_LT, &(struct in_addr){ htonl(0x0a002b00) }, 4),
	  verdict(NF_ACCEPT, NULL));
	assert_int_equal(eval(t, NF_DROP, &p), FW_ACCEPT); /* below 10.0.43.0 */
	R(t, "FORWARD", saddr(), cmp(NFT_CMP_GT, &(struct in_addr){ htonl(0x0a002a00) }, 4),
	  verdict(NF_ACCEPT, NULL));
	t->rules[0] = t->rules[1];
	t->n = 1;
	assert_int_equal(eval(t, NF_DROP, &p), FW_DROP); /* above 10.0.42.0: some */
	free(t);

	/* what byteorder gives is not known; flow add @ft neither matches nor decides */
	t = table_new();
	R(t, "FORWARD", saddr(), expr("byteorder"), range(NFT_RANGE_EQ, "10.0.42.0", "10.0.42.255"),
	  verdict(NF_ACCEPT, NULL));
	assert_int_equal(eval(t, NF_DROP, &p), FW_DROP);
	R(t, "FORWARD", expr("flow_offload"), verdict(NF_ACCEPT, NULL));
	assert_int_equal(eval(t, NF_DROP, &p), FW_ACCEPT);
	free(t);
}

/* What is not followed makes a rule one that may apply; what may end the packet, unknown. */
static void test_not_followed(void **state)
{
	struct table *t = table_new();
	struct fw_packet p = out_packet();

	R(t, "FORWARD", xt("match", "conntrack"), verdict(NF_ACCEPT, NULL));
	assert_int_equal(eval(t, NF_DROP, &p), FW_DROP);
	free(t);

	/* a match not followed, then one that fails: the rule does not apply */
	t = table_new();
	R(t, "FORWARD", xt("match", "conntrack"), meta(NFT_META_IIFNAME),
	  cmp_name(NFT_CMP_EQ, "docker0"), verdict(NF_ACCEPT, NULL));
	R(t, "FORWARD", expr("counter"), xt("target", "LOG"));
	assert_int_equal(eval(t, NF_DROP, &p), FW_DROP);
	R(t, "FORWARD", expr("queue"));
	assert_int_equal(eval(t, NF_DROP, &p), FW_UNKNOWN);
	free(t);

	/* a queue for some: what a program answers for them is not known */
	t = table_new();
	R(t, "FORWARD", xt("match", "tcp"), expr("queue"));
	assert_int_equal(eval(t, NF_DROP, &p), FW_UNKNOWN);
	free(t);
}

/* A map's lookup into register reg. */
static struct nftnl_expr *map(uint32_t reg)
{
	struct nftnl_expr *m = lookup(0);

	nftnl_expr_set_u32(m, NFTNL_EXPR_LOOKUP_DREG, reg);
	return m;
}

/* Verdict maps: the hand-written ruleset's ct state vmap { established : accept, related :
 * accept, invalid : drop } (the nftables wiki's, Arch's), an iifname vmap; a key's element
 * decides, no element ends the rule, a key not known leaves the answer unknown. */
static void test_verdict_map(void **state)
{
	static const struct {
		int32_t code;
		const char *chain;
		enum fw_verdict want;
	} elems[] = {
		{ NF_ACCEPT, NULL, FW_ACCEPT },	 { NF_DROP, NULL, FW_DROP },
		{ NFT_JUMP, "a", FW_ACCEPT },	 { NFT_GOTO, "a", FW_ACCEPT },
		{ NFT_JUMP, "none", FW_DROP },	 { NFT_GOTO, "none", FW_ACCEPT },
		{ NFT_RETURN, NULL, FW_ACCEPT }, { NFT_CONTINUE, NULL, FW_ACCEPT },
		{ NF_QUEUE, NULL, FW_UNKNOWN },
	};
	struct fw_packet p = out_packet();
	struct table *t = table_new();

	t->map = true;
	R(t, "FORWARD", ct(NFT_CT_STATE), map(NFT_REG_VERDICT));
	R(t, "FORWARD", meta(NFT_META_IIFNAME), cmp_name(NFT_CMP_EQ, "brnet0"),
	  verdict(NF_ACCEPT, NULL));
	t->in_set = 0; /* a new connection's state is not in it */
	assert_int_equal(eval(t, NF_DROP, &p), FW_ACCEPT);
	t->in_set = 1;
	t->verdict = (struct fw_map_verdict){ .code = NF_DROP };
	assert_int_equal(eval(t, NF_DROP, &p), FW_DROP);
	t->in_set = -1; /* cannot be asked: what it does, to which, is not known */
	assert_int_equal(eval(t, NF_DROP, &p), FW_UNKNOWN);
	free(t);

	/* each verdict an element may have, in a base chain whose policy accepts: the map's rule
	 * accepts when the element goes on (continue), the next rule drops what a jump brings
	 * back, chain a accepts */
	for (size_t i = 0; i < ELEMENTSOF(elems); i++) {
		t = table_new();
		t->map = true;
		t->in_set = 1;
		t->verdict.code = elems[i].code;
		if (elems[i].chain)
			strcpy(t->verdict.chain, elems[i].chain);
		R(t, "FORWARD", meta(NFT_META_IIFNAME), map(NFT_REG_VERDICT),
		  verdict(NF_ACCEPT, NULL));
		R(t, "FORWARD", verdict(NF_DROP, NULL));
		R(t, "a", verdict(NF_ACCEPT, NULL));
		assert_int_equal(eval(t, NF_ACCEPT, &p), elems[i].want);
		free(t);
	}

	/* a map of data (meta mark set iifname map { ... }): it may have no element, and what it
	 * loads is not known */
	t = table_new();
	R(t, "FORWARD", meta(NFT_META_IIFNAME), map(NFT_REG_1),
	  cmp(NFT_CMP_EQ, &(uint32_t){ 1 }, 4), verdict(NF_ACCEPT, NULL));
	assert_int_equal(eval(t, NF_DROP, &p), FW_DROP);
	R(t, "FORWARD", meta(NFT_META_IIFNAME), map(NFT_REG_1), verdict(NF_ACCEPT, NULL));
	assert_int_equal(eval(t, NF_DROP, &p), FW_DROP);
	free(t);
}

/* A rule that may apply (a protocol, a mark): its verdict is for some of the class; the answer
 * is where the rest end (ufw's and firewalld's ICMP and port accepts before the bridge's; an
 * admin's port drop before Docker's DOCKER-USER accepts the bridge). */
static void test_may_apply(void **state)
{
	struct table *t = table_new();
	struct fw_packet p = out_packet();
	uint8_t icmp = IPPROTO_ICMP;

	R(t, "FORWARD", meta(NFT_META_L4PROTO), cmp(NFT_CMP_EQ, &icmp, 1),
	  verdict(NF_ACCEPT, NULL));
	assert_int_equal(eval(t, NF_DROP, &p), FW_DROP);
	R(t, "FORWARD", meta(NFT_META_IIFNAME), cmp_name(NFT_CMP_EQ, "brnet0"),
	  verdict(NF_ACCEPT, NULL));
	assert_int_equal(eval(t, NF_DROP, &p), FW_ACCEPT);
	free(t);

	t = table_new();
	R(t, "FORWARD", meta(NFT_META_L4PROTO), cmp(NFT_CMP_EQ, &icmp, 1), verdict(NF_DROP, NULL));
	R(t, "FORWARD", verdict(NF_ACCEPT, NULL));
	assert_int_equal(eval(t, NF_DROP, &p), FW_ACCEPT);
	free(t);

	/* jumps that may be taken, one in another: whatever is decided inside, the rest reach
	 * the policy */
	for (int last = NF_DROP; last <= NF_ACCEPT; last++) {
		t = table_new();
		R(t, "FORWARD", meta(NFT_META_MARK), cmp(NFT_CMP_EQ, &(uint32_t){ 1 }, 4),
		  verdict(NFT_JUMP, "a"));
		R(t, "a", meta(NFT_META_MARK), cmp(NFT_CMP_EQ, &(uint32_t){ 2 }, 4),
		  verdict(NFT_JUMP, "b"));
		R(t, "a", verdict(last, NULL));
		R(t, "b", verdict(NF_ACCEPT, NULL));
		assert_int_equal(eval(t, NF_ACCEPT, &p), FW_ACCEPT);
		assert_int_equal(eval(t, NF_DROP, &p), FW_DROP);
		free(t);
	}

	/* inside a jump that is taken: a port's drop, then the bridge's accept */
	t = table_new();
	R(t, "FORWARD", verdict(NFT_JUMP, "DOCKER-USER"));
	R(t, "DOCKER-USER", xt("match", "tcp"), verdict(NF_DROP, NULL));
	R(t, "DOCKER-USER", meta(NFT_META_IIFNAME), cmp_name(NFT_CMP_EQ, "brnet0"),
	  verdict(NF_ACCEPT, NULL));
	assert_int_equal(eval(t, NF_DROP, &p), FW_ACCEPT);
	free(t);

	/* a return or a goto that may be taken: both ways are followed (the return's to the
	 * policy, the goto's to b); alike, theirs is the answer, else it is not known */
	for (int code = NFT_RETURN; code <= NFT_GOTO; code++) {
		for (int taken = NF_DROP; taken <= NF_ACCEPT; taken++) {
			for (int rest = NF_DROP; rest <= NF_ACCEPT; rest++) {
				t = table_new();
				R(t, "FORWARD", verdict(NFT_JUMP, "a"));
				R(t, "a", meta(NFT_META_MARK), cmp(NFT_CMP_EQ, &(uint32_t){ 3 }, 4),
				  verdict(code, code == NFT_GOTO ? "b" : NULL));
				R(t, "a", verdict(rest, NULL));
				R(t, "b", verdict(taken, NULL));
				assert_int_equal(eval(t, (uint32_t)taken, &p),
						 taken != rest	     ? FW_UNKNOWN
						 : rest == NF_ACCEPT ? FW_ACCEPT
								     : FW_DROP);
				free(t);
			}
		}
	}

	/* returns that may be taken, each a way besides the first: eight are followed, not nine */
	for (unsigned n = 8; n <= 9; n++) {
		t = table_new();
		for (unsigned i = 0; i < n; i++)
			R(t, "FORWARD", meta(NFT_META_MARK), cmp(NFT_CMP_EQ, &i, 4),
			  verdict(NFT_RETURN, NULL));
		R(t, "FORWARD", verdict(NF_ACCEPT, NULL));
		assert_int_equal(eval(t, NF_ACCEPT, &p), n == 8 ? FW_ACCEPT : FW_UNKNOWN);
		free(t);
	}
}

/* Exact sets answered as for firewalld's ct state { established, related }: a new
 * connection's state is not in them. */
static int not_in_set(const char *set, const uint8_t *key, const uint8_t *known, size_t room,
		      struct fw_map_verdict *verdict, void *userdata)
{
	return 0;
}

/* The rules Debian 12's firewalld (1.3) wrote, with brnet0 in its trusted zone (the dump the
 * kernel sent, kept in the netlink corpus): brnet0's containers are accepted every way; a
 * bridge in no zone is rejected, but for published ports ("ct status dnat accept"). */
static void test_firewalld_dump(void **state)
{
	_cleanup_(freep) char *buf = NULL;
	const struct nlmsghdr *rules[1024], *nlh;
	struct fw_table t = { .rules = rules, .lookup = not_in_set };
	struct fw_packet out = out_packet(), in = out_packet(), between = out_packet();
	size_t len;

	test_read_corpus("netlink", "rules-firewalld-trusted", 1 << 20, &buf, &len);
	for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, (int)len);
	     nlh = mnl_nlmsg_next(nlh, (int *)&len)) {
		assert_true(t.n_rules < ELEMENTSOF(rules));
		rules[t.n_rules++] = nlh;
	}
	assert_true(t.n_rules > 100);
	strcpy(in.iifname, "eth0");
	strcpy(in.oifname, "brnet0");
	in.iif = 2;
	in.oif = 7;
	in.ct_status = IPS_DST_NAT;
	strcpy(between.oifname, "brnet0");
	between.oif = 7;
	assert_int_equal(eval_indexed(&t, "filter_FORWARD", NF_ACCEPT, &out), FW_ACCEPT);
	assert_int_equal(eval_indexed(&t, "filter_FORWARD", NF_ACCEPT, &in), FW_ACCEPT);
	assert_int_equal(eval_indexed(&t, "filter_FORWARD", NF_ACCEPT, &between), FW_ACCEPT);
	strcpy(out.iifname, "br1");
	out.iif = 8;
	assert_int_equal(eval_indexed(&t, "filter_FORWARD", NF_ACCEPT, &out), FW_DROP);
	strcpy(in.oifname, "br1");
	in.oif = 8;
	assert_int_equal(eval_indexed(&t, "filter_FORWARD", NF_ACCEPT, &in), FW_ACCEPT);
}

static void test_malformed(void **state)
{
	struct table *t = table_new();
	struct fw_packet p = out_packet();
	struct nlmsghdr *nlh;
	struct nlattr *list, *elem;

	/* an expression without a name */
	nlh = nftnl_nlmsg_build_hdr((char *)t->buf, NFT_MSG_NEWRULE, NFPROTO_INET, NLM_F_MULTI, 1);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "FORWARD");
	list = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put_u32(nlh, NFTA_EXPR_DATA, 0);
	mnl_attr_nest_end(nlh, elem);
	mnl_attr_nest_end(nlh, list);
	t->rules[0] = nlh;
	t->n = 1;
	assert_int_equal(eval(t, NF_ACCEPT, &p), FW_UNKNOWN);
	/* a cmp on a register past the end */
	nlh = nftnl_nlmsg_build_hdr((char *)t->buf, NFT_MSG_NEWRULE, NFPROTO_INET, NLM_F_MULTI, 1);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "FORWARD");
	list = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, "cmp");
	{
		struct nlattr *d = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA), *v;

		mnl_attr_put_u32(nlh, NFTA_CMP_SREG, htonl(NFT_REG32_15));
		mnl_attr_put_u32(nlh, NFTA_CMP_OP, htonl(NFT_CMP_EQ));
		v = mnl_attr_nest_start(nlh, NFTA_CMP_DATA);
		mnl_attr_put(nlh, NFTA_DATA_VALUE, 16, "0123456789abcdef");
		mnl_attr_nest_end(nlh, v);
		mnl_attr_nest_end(nlh, d);
	}
	mnl_attr_nest_end(nlh, elem);
	mnl_attr_nest_end(nlh, list);
	assert_int_equal(eval(t, NF_ACCEPT, &p), FW_UNKNOWN);
	free(t);

	/* an offset that wraps past the address: nothing of it is known */
	t = table_new();
	{
		struct nftnl_expr *pl = saddr();

		nftnl_expr_set_u32(pl, NFTNL_EXPR_PAYLOAD_OFFSET, UINT32_MAX - 1);
		R(t, "FORWARD", pl, cmp(NFT_CMP_EQ, "\x0a\0\x2a\0", 4), verdict(NF_ACCEPT, NULL));
	}
	assert_int_equal(eval(t, NF_DROP, &p), FW_DROP);
	free(t);
}

/* A table of 20,000 rules of another chain before the forward chain and the chains it jumps
 * to (as a node's kube-proxy or Calico chains may come first): a search from the first rule
 * at every jump looks at more rules than fw_eval() allows itself, the index finds each start
 * at once. */
static void test_large_table(void **state)
{
	enum { FILLER = 20000 };
	struct table *t = table_new();
	_cleanup_(freep) const struct nlmsghdr **rules = calloc(FILLER + RULES_MAX, sizeof(*rules));
	_cleanup_(freep) struct fw_chain_start *starts = NULL;
	struct fw_packet p = out_packet();
	struct fw_table ft = { .rules = rules };
	ssize_t n;

	assert_non_null(rules);
	R(t, "big", meta(NFT_META_IIFNAME), cmp_name(NFT_CMP_EQ, "eth9"), verdict(NF_DROP, NULL));
	R(t, "FORWARD", verdict(NFT_JUMP, "a"));
	R(t, "FORWARD", verdict(NFT_JUMP, "b"));
	R(t, "FORWARD", verdict(NFT_JUMP, "c"));
	R(t, "FORWARD", meta(NFT_META_IIFNAME), cmp_name(NFT_CMP_EQ, "brnet0"),
	  verdict(NF_ACCEPT, NULL));
	R(t, "a", meta(NFT_META_IIFNAME), cmp_name(NFT_CMP_EQ, "eth9"), verdict(NF_DROP, NULL));
	R(t, "b", meta(NFT_META_IIFNAME), cmp_name(NFT_CMP_EQ, "eth9"), verdict(NF_DROP, NULL));
	R(t, "c", meta(NFT_META_IIFNAME), cmp_name(NFT_CMP_EQ, "eth9"), verdict(NF_DROP, NULL));
	for (size_t i = 0; i < FILLER; i++)
		rules[ft.n_rules++] = t->rules[0];
	for (size_t i = 1; i < t->n; i++)
		rules[ft.n_rules++] = t->rules[i];

	assert_int_equal(fw_eval(&ft, "FORWARD", NF_DROP, &p), FW_UNKNOWN);
	n = fw_chain_starts(rules, ft.n_rules, &starts);
	assert_int_equal(n, 5);
	ft.starts = starts;
	ft.n_starts = (size_t)n;
	assert_int_equal(fw_eval(&ft, "FORWARD", NF_DROP, &p), FW_ACCEPT);
	strcpy(p.iifname, "br1");
	assert_int_equal(fw_eval(&ft, "FORWARD", NF_DROP, &p), FW_DROP);
	/* a jump to a chain with no rules comes straight back */
	R(t, "FORWARD", verdict(NFT_JUMP, "empty"));
	rules[FILLER] = t->rules[t->n - 1];
	strcpy(p.iifname, "brnet0");
	assert_int_equal(fw_eval(&ft, "FORWARD", NF_DROP, &p), FW_ACCEPT);
	free(t);
}

/* The index: a chain's first rule, a second run of a chain's rules not taken for its start, a
 * rule without a chain starting nothing. */
static void test_chain_starts(void **state)
{
	struct table *t = table_new();
	_cleanup_(freep) struct fw_chain_start *starts = NULL;
	struct nlmsghdr *nlh;
	ssize_t n;

	assert_int_equal(fw_chain_starts(t->rules, 0, &starts), 0);
	free(starts);
	starts = NULL;
	R(t, "b", verdict(NF_ACCEPT, NULL));
	R(t, "b", verdict(NF_ACCEPT, NULL));
	R(t, "a", verdict(NF_ACCEPT, NULL));
	R(t, "b", verdict(NF_DROP, NULL));
	nlh = nftnl_nlmsg_build_hdr((char *)t->buf + t->used, NFT_MSG_NEWRULE, NFPROTO_INET,
				    NLM_F_MULTI, 1);
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, "filter");
	t->rules[t->n++] = nlh;
	t->used += NLMSG_ALIGN(nlh->nlmsg_len);
	R(t, "c", verdict(NF_ACCEPT, NULL));
	n = fw_chain_starts(t->rules, t->n, &starts);
	assert_int_equal(n, 3);
	assert_string_equal(starts[0].name, "a");
	assert_int_equal(starts[0].first, 2);
	assert_string_equal(starts[1].name, "b");
	assert_int_equal(starts[1].first, 0);
	assert_string_equal(starts[2].name, "c");
	assert_int_equal(starts[2].first, 5);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_and_names), cmocka_unit_test(test_jumps),
		cmocka_unit_test(test_conntrack),	 cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_ranges),		 cmocka_unit_test(test_not_followed),
		cmocka_unit_test(test_verdict_map),	 cmocka_unit_test(test_may_apply),
		cmocka_unit_test(test_firewalld_dump),	 cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_large_table),	 cmocka_unit_test(test_chain_starts),
	};

	return cmocka_run_group_tests_name("fweval", tests, NULL, NULL);
}
