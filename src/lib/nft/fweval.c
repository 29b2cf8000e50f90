/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Following another table's forward chain with a packet known in part. */
#include <errno.h>
#include <netinet/in.h> /* before the linux/ headers */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_tuple_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "lib/nft/fweval.h"
#include "lib/nft/nft.h"
#include "shared/macro.h"

/* The kernel's registers: the verdict's 16 bytes, then four of 16 bytes that are also sixteen
 * of 4. Each byte has a value and a mask of the bits of it that are known. */
#define REG_BYTES (NFT_REG_SIZE + NFT_REG32_COUNT * NFT_REG32_SIZE)
/* The kernel refuses rulesets that jump deeper (NFT_JUMP_STACK_SIZE). */
#define JUMP_DEPTH_MAX 16
/* Rules looked at in all (without an index, a chain's start is searched for from the first),
 * so that chains jumping to chains that jump cannot take long. */
#define STEPS_MAX 50000
/* Returns and gotos that may be taken, each a way followed besides the rest's: past this
 * many, the answer is not known. */
#define FORKS_MAX 8

struct regs {
	uint8_t v[REG_BYTES], k[REG_BYTES];
};

/* How a rule applies to the packet. */
enum match {
	M_NO,
	M_YES,
	M_MAYBE,
};

/* What a rule does when it applies. */
enum action {
	A_NONE, /* nothing that decides: the next rule */
	A_ACCEPT,
	A_DROP,
	A_JUMP,
	A_GOTO,
	A_RETURN,
	A_UNKNOWN, /* something that may end the packet (a queue, an unknown target) */
};

struct rule_out {
	enum match m;
	enum action a;
	char chain[NFT_NAME_MAXLEN];
};

struct eval {
	const struct fw_table *t;
	const struct fw_packet *p;
	uint32_t policy; /* the base chain's */
	unsigned steps;
};

static bool attr_u32(const struct nlattr *a, uint32_t *ret)
{
	if (!a || mnl_attr_get_payload_len(a) != sizeof(uint32_t))
		return false;
	*ret = ntohl(mnl_attr_get_u32(a));
	return true;
}

/* The byte offset of register reg for len bytes, or -1. */
static int reg_off(const struct nlattr *a, uint32_t len)
{
	uint32_t reg, off;

	if (!attr_u32(a, &reg))
		return -1;
	if (reg >= NFT_REG_1 && reg <= NFT_REG_4)
		off = reg * NFT_REG_SIZE;
	else if (reg >= NFT_REG32_00 && reg <= NFT_REG32_15)
		off = NFT_REG_SIZE + (reg - NFT_REG32_00) * NFT_REG32_SIZE;
	else
		return -1;
	if (len == 0 || len > REG_BYTES - off)
		return -1;
	return (int)off;
}

static void reg_unknown(struct regs *r, int off, size_t len)
{
	if (off < 0)
		return;
	if (len > REG_BYTES - (size_t)off)
		len = REG_BYTES - (size_t)off;
	memset(r->k + off, 0, len);
}

static void reg_set(struct regs *r, int off, const void *v, size_t len)
{
	memcpy(r->v + off, v, len);
	memset(r->k + off, 0xff, len);
}

/* What the kernel loads for a value of 8 bits: the value in the first byte of a zeroed word. */
static void reg_set8(struct regs *r, int off, uint8_t v)
{
	uint8_t w[4] = { v };

	reg_set(r, off, w, sizeof(w));
}

/* Bytes of an address of which the first bits bits are known. */
static void reg_set_addr(struct regs *r, int off, const struct in_addr *a, unsigned bits,
			 unsigned from, unsigned len)
{
	const uint8_t *b = (const uint8_t *)&a->s_addr;

	for (unsigned i = from; i < from + len; i++) {
		unsigned known = bits > i * 8 ? bits - i * 8 : 0;

		r->v[off + i - from] = b[i];
		r->k[off + i - from] = known >= 8 ? 0xff : (uint8_t)(0xff00 >> known);
	}
}

/* A value of a nest holding NFTA_DATA_VALUE: its bytes, or NULL. */
static const void *data_value(const struct nlattr *a, uint32_t *len)
{
	const struct nlattr *d[NFTA_DATA_MAX + 1] = { 0 };

	if (!a || nft_nest_attrs(a, d, NFTA_DATA_MAX) < 0 || !d[NFTA_DATA_VALUE])
		return NULL;
	*len = mnl_attr_get_payload_len(d[NFTA_DATA_VALUE]);
	return mnl_attr_get_payload(d[NFTA_DATA_VALUE]);
}

static int expr_meta(const struct eval *e, const struct nlattr *data, struct regs *r)
{
	const struct nlattr *tb[NFTA_META_MAX + 1] = { 0 };
	const struct fw_packet *p = e->p;
	uint32_t key;
	int off;

	if (!data || nft_nest_attrs(data, tb, NFTA_META_MAX) < 0 ||
	    !attr_u32(tb[NFTA_META_KEY], &key))
		return -EBADMSG;
	if (!tb[NFTA_META_DREG])
		return 0; /* meta ... set: changes nothing we match on */
	off = reg_off(tb[NFTA_META_DREG], NFT_REG32_SIZE);
	if (off < 0)
		return -EBADMSG;
	switch (key) {
	case NFT_META_IIFNAME:
	case NFT_META_OIFNAME: {
		const char *name = key == NFT_META_IIFNAME ? p->iifname : p->oifname;
		char pad[IFNAMSIZ] = { 0 };

		if (off + IFNAMSIZ > REG_BYTES)
			return -EBADMSG;
		if (!name[0]) {
			reg_unknown(r, off, IFNAMSIZ);
			return 0;
		}
		memcpy(pad, name, strnlen(name, sizeof(pad) - 1));
		reg_set(r, off, pad, sizeof(pad));
		return 0;
	}
	case NFT_META_IIF:
	case NFT_META_OIF: {
		uint32_t i = key == NFT_META_IIF ? p->iif : p->oif;

		if (i)
			reg_set(r, off, &i, sizeof(i));
		else
			reg_unknown(r, off, sizeof(i));
		return 0;
	}
	case NFT_META_NFPROTO:
		reg_set8(r, off, p->nfproto);
		return 0;
	default:
		reg_unknown(r, off, NFT_REG_SIZE);
		return 0;
	}
}

static int expr_ct(const struct eval *e, const struct nlattr *data, struct regs *r)
{
	const struct nlattr *tb[NFTA_CT_MAX + 1] = { 0 };
	uint32_t key;
	int off;

	if (!data || nft_nest_attrs(data, tb, NFTA_CT_MAX) < 0 || !attr_u32(tb[NFTA_CT_KEY], &key))
		return -EBADMSG;
	if (!tb[NFTA_CT_DREG])
		return 0; /* ct ... set */
	off = reg_off(tb[NFTA_CT_DREG], NFT_REG32_SIZE);
	if (off < 0)
		return -EBADMSG;
	switch (key) {
	case NFT_CT_STATE:
		reg_set(r, off, &e->p->ct_state, sizeof(uint32_t));
		return 0;
	case NFT_CT_STATUS: {
		uint32_t known = e->p->ct_status_known;

		reg_set(r, off, &e->p->ct_status, sizeof(uint32_t));
		memcpy(r->k + off, &known, sizeof(known));
		return 0;
	}
	case NFT_CT_DIRECTION:
		reg_set8(r, off, IP_CT_DIR_ORIGINAL);
		return 0;
	default:
		reg_unknown(r, off, NFT_REG_SIZE);
		return 0;
	}
}

/* The IPv4 header's addresses are what we know of it. */
static int expr_payload(const struct eval *e, const struct nlattr *data, struct regs *r)
{
	const struct nlattr *tb[NFTA_PAYLOAD_MAX + 1] = { 0 };
	uint32_t base, offset, len;
	int off;

	if (!data || nft_nest_attrs(data, tb, NFTA_PAYLOAD_MAX) < 0 ||
	    !attr_u32(tb[NFTA_PAYLOAD_BASE], &base) ||
	    !attr_u32(tb[NFTA_PAYLOAD_OFFSET], &offset) || !attr_u32(tb[NFTA_PAYLOAD_LEN], &len))
		return -EBADMSG;
	if (!tb[NFTA_PAYLOAD_DREG])
		return 0; /* a payload write */
	off = reg_off(tb[NFTA_PAYLOAD_DREG], len);
	if (off < 0)
		return -EBADMSG;
	reg_unknown(r, off, len);
	if (base != NFT_PAYLOAD_NETWORK_HEADER || e->p->nfproto != NFPROTO_IPV4)
		return 0;
	/* (offset is the dump's: it may be anything) */
	if (offset >= 12 && offset < 16 && len <= 16 - offset)
		reg_set_addr(r, off, &e->p->saddr, e->p->saddr_bits, offset - 12, len);
	else if (offset >= 16 && offset < 20 && len <= 20 - offset)
		reg_set_addr(r, off, &e->p->daddr, e->p->daddr_bits, offset - 16, len);
	return 0;
}

static int expr_bitwise(const struct nlattr *data, struct regs *r)
{
	const struct nlattr *tb[NFTA_BITWISE_MAX + 1] = { 0 };
	const uint8_t *mask, *xor;
	uint32_t len, op = NFT_BITWISE_BOOL, mlen, xlen;
	int soff, doff;

	if (!data || nft_nest_attrs(data, tb, NFTA_BITWISE_MAX) < 0 ||
	    !attr_u32(tb[NFTA_BITWISE_LEN], &len) ||
	    (tb[NFTA_BITWISE_OP] && !attr_u32(tb[NFTA_BITWISE_OP], &op)))
		return -EBADMSG;
	soff = reg_off(tb[NFTA_BITWISE_SREG], len);
	doff = reg_off(tb[NFTA_BITWISE_DREG], len);
	if (soff < 0 || doff < 0)
		return -EBADMSG;
	if (op != NFT_BITWISE_BOOL) { /* a shift: not followed */
		reg_unknown(r, doff, len);
		return 0;
	}
	mask = data_value(tb[NFTA_BITWISE_MASK], &mlen);
	xor = data_value(tb[NFTA_BITWISE_XOR], &xlen);
	if (!mask || !xor || mlen != len || xlen != len)
		return -EBADMSG;
	for (uint32_t i = 0; i < len; i++) {
		uint8_t v = r->v[soff + i], k = r->k[soff + i];

		/* bits the mask clears are known to be 0, then flipped as xor says */
		r->v[doff + i] = (uint8_t)((v & mask[i]) ^ xor[i]);
		r->k[doff + i] = (uint8_t)((k & mask[i]) | ~mask[i]);
	}
	return 0;
}

/* The least and the most len bytes of a register at off can be, read as a big-endian number
 * (as the kernel's memcmp() compares them): the unknown bits all 0, then all 1. */
static void reg_bounds(const struct regs *r, int off, uint32_t len, uint8_t *lo, uint8_t *hi)
{
	for (uint32_t i = 0; i < len; i++) {
		lo[i] = r->v[off + i] & r->k[off + i];
		hi[i] = r->v[off + i] | (uint8_t)~r->k[off + i];
	}
}

/* Whether memcmp()'s answer d satisfies the ordered comparison op. */
static int ordered(uint32_t op, int d)
{
	switch (op) {
	case NFT_CMP_LT:
		return d < 0;
	case NFT_CMP_LTE:
		return d <= 0;
	case NFT_CMP_GT:
		return d > 0;
	default: /* NFT_CMP_GTE */
		return d >= 0;
	}
}

static int expr_cmp(const struct nlattr *data, const struct regs *r, enum match *m)
{
	const struct nlattr *tb[NFTA_CMP_MAX + 1] = { 0 };
	uint8_t lo[NFT_DATA_VALUE_MAXLEN], hi[NFT_DATA_VALUE_MAXLEN];
	const uint8_t *d;
	uint32_t op, len;
	bool known = true, differ = false;
	int off, c;

	if (!data || nft_nest_attrs(data, tb, NFTA_CMP_MAX) < 0 || !attr_u32(tb[NFTA_CMP_OP], &op))
		return -EBADMSG;
	d = data_value(tb[NFTA_CMP_DATA], &len);
	if (!d)
		return -EBADMSG;
	off = reg_off(tb[NFTA_CMP_SREG], len);
	if (off < 0)
		return -EBADMSG;
	for (uint32_t i = 0; i < len; i++) {
		known = known && r->k[off + i] == 0xff;
		differ = differ || ((r->v[off + i] ^ d[i]) & r->k[off + i]);
	}
	if (op == NFT_CMP_EQ || op == NFT_CMP_NEQ) {
		/* one known bit that differs is enough to tell */
		enum match eq = differ ? M_NO : known ? M_YES : M_MAYBE;

		if (op == NFT_CMP_NEQ && eq != M_MAYBE)
			eq = eq == M_YES ? M_NO : M_YES;
		if (eq == M_NO || *m == M_NO)
			*m = M_NO;
		else if (eq == M_MAYBE)
			*m = M_MAYBE;
		return 0;
	}
	/* Ordered (nft writes ip saddr 10.0.0.0-10.0.42.255 as gte and lte): the comparison is
	 * monotone, so the least and the most the register can be tell it, when they agree. */
	if ((op != NFT_CMP_LT && op != NFT_CMP_LTE && op != NFT_CMP_GT && op != NFT_CMP_GTE) ||
	    len > sizeof(lo))
		return -EBADMSG;
	reg_bounds(r, off, len, lo, hi);
	c = ordered(op, memcmp(lo, d, len)) + ordered(op, memcmp(hi, d, len));
	if (c == 0)
		*m = M_NO;
	else if (c == 1 && *m == M_YES)
		*m = M_MAYBE;
	return 0;
}

/* tcp dport 1024-65535, ip saddr 10.0.0.1-10.0.0.99: the register, read as a big-endian
 * number as the kernel's memcmp() does, between two values. The least and the most it can be
 * (its unknown bits all 0, then all 1) tell, when both are on one side of a bound. */
static int expr_range(const struct nlattr *data, const struct regs *r, enum match *m)
{
	const struct nlattr *tb[NFTA_RANGE_MAX + 1] = { 0 };
	uint8_t lo[NFT_DATA_VALUE_MAXLEN], hi[NFT_DATA_VALUE_MAXLEN];
	const uint8_t *from, *to;
	uint32_t op, len, to_len;
	enum match in;
	int off;

	if (!data || nft_nest_attrs(data, tb, NFTA_RANGE_MAX) < 0 ||
	    !attr_u32(tb[NFTA_RANGE_OP], &op) || (op != NFT_RANGE_EQ && op != NFT_RANGE_NEQ))
		return -EBADMSG;
	from = data_value(tb[NFTA_RANGE_FROM_DATA], &len);
	to = data_value(tb[NFTA_RANGE_TO_DATA], &to_len);
	if (!from || !to || to_len != len || len > sizeof(lo))
		return -EBADMSG;
	off = reg_off(tb[NFTA_RANGE_SREG], len);
	if (off < 0)
		return -EBADMSG;
	reg_bounds(r, off, len, lo, hi);
	if (memcmp(hi, from, len) < 0 || memcmp(lo, to, len) > 0)
		in = M_NO;
	else if (memcmp(lo, from, len) >= 0 && memcmp(hi, to, len) <= 0)
		in = M_YES;
	else
		in = M_MAYBE;
	if (op == NFT_RANGE_NEQ && in != M_MAYBE)
		in = in == M_YES ? M_NO : M_YES;
	if (in == M_NO)
		*m = M_NO;
	else if (in == M_MAYBE && *m == M_YES)
		*m = M_MAYBE;
	return 0;
}

/* What a verdict does; a jump's or goto's chain is the caller's to take. */
static enum action verdict_action(int32_t code)
{
	switch (code) {
	case NF_ACCEPT:
		return A_ACCEPT;
	case NF_DROP:
		return A_DROP;
	case NFT_CONTINUE:
		return A_NONE;
	case NFT_RETURN:
		return A_RETURN;
	case NFT_JUMP:
		return A_JUMP;
	case NFT_GOTO:
		return A_GOTO;
	default: /* a queue, a break */
		return A_UNKNOWN;
	}
}

static int expr_lookup(const struct eval *e, const struct nlattr *data, struct regs *r,
		       struct rule_out *out)
{
	const struct nlattr *tb[NFTA_LOOKUP_MAX + 1] = { 0 };
	char set[NFT_NAME_MAXLEN];
	uint32_t flags = 0;
	int off, in = -1;

	if (!data || nft_nest_attrs(data, tb, NFTA_LOOKUP_MAX) < 0 || !tb[NFTA_LOOKUP_SET] ||
	    !nft_attr_name(tb[NFTA_LOOKUP_SET], set, sizeof(set)) ||
	    (tb[NFTA_LOOKUP_FLAGS] && !attr_u32(tb[NFTA_LOOKUP_FLAGS], &flags)))
		return -EBADMSG;
	off = reg_off(tb[NFTA_LOOKUP_SREG], 1);
	if (off < 0)
		return -EBADMSG;
	if (tb[NFTA_LOOKUP_DREG]) {
		struct fw_map_verdict mv = { 0 };
		uint32_t dreg;

		if (!attr_u32(tb[NFTA_LOOKUP_DREG], &dreg))
			return -EBADMSG;
		if (dreg != NFT_REG_VERDICT) {
			/* a map of data (meta mark set iifname map { ... }): it may have no
			 * element for the key, and what it loads, and where, is not followed */
			memset(r->k, 0, sizeof(r->k));
			if (out->m == M_YES)
				out->m = M_MAYBE;
			return 0;
		}
		/* A verdict map (ct state vmap { established : accept, ... }): the element of a
		 * known key decides, or, with none, the rule ends there. */
		if (e->t->lookup)
			in = e->t->lookup(set, r->v + off, r->k + off, REG_BYTES - (size_t)off, &mv,
					  e->t->userdata);
		if (in < 0) {
			if (out->m == M_YES)
				out->m = M_MAYBE;
			out->a = A_UNKNOWN; /* what it decides, and for which, is not known */
			return 0;
		}
		if (!in) {
			out->m = M_NO;
			return 0;
		}
		out->a = verdict_action(mv.code);
		if (out->a == A_JUMP || out->a == A_GOTO) {
			if (!memchr(mv.chain, 0, sizeof(mv.chain)) || !mv.chain[0])
				return -EBADMSG;
			memcpy(out->chain, mv.chain, sizeof(out->chain));
		}
		return 0;
	}
	if (e->t->lookup)
		in = e->t->lookup(set, r->v + off, r->k + off, REG_BYTES - (size_t)off, NULL,
				  e->t->userdata);
	if (in < 0) {
		if (out->m == M_YES)
			out->m = M_MAYBE;
		return 0;
	}
	if (flags & NFT_LOOKUP_F_INV)
		in = !in;
	if (!in)
		out->m = M_NO;
	return 0;
}

static int expr_immediate(const struct nlattr *data, struct regs *r, struct rule_out *out)
{
	const struct nlattr *tb[NFTA_IMMEDIATE_MAX + 1] = { 0 }, *d[NFTA_DATA_MAX + 1] = { 0 },
						     *v[NFTA_VERDICT_MAX + 1] = { 0 };
	uint32_t dreg, code;

	if (!data || nft_nest_attrs(data, tb, NFTA_IMMEDIATE_MAX) < 0 ||
	    !attr_u32(tb[NFTA_IMMEDIATE_DREG], &dreg) || !tb[NFTA_IMMEDIATE_DATA])
		return -EBADMSG;
	if (dreg != NFT_REG_VERDICT) {
		uint32_t len;
		const void *val = data_value(tb[NFTA_IMMEDIATE_DATA], &len);
		int off = reg_off(tb[NFTA_IMMEDIATE_DREG], len);

		if (!val || off < 0)
			return -EBADMSG;
		reg_set(r, off, val, len);
		return 0;
	}
	if (nft_nest_attrs(tb[NFTA_IMMEDIATE_DATA], d, NFTA_DATA_MAX) < 0 ||
	    !d[NFTA_DATA_VERDICT] ||
	    nft_nest_attrs(d[NFTA_DATA_VERDICT], v, NFTA_VERDICT_MAX) < 0 ||
	    !attr_u32(v[NFTA_VERDICT_CODE], &code))
		return -EBADMSG;
	if (((int32_t)code == NFT_JUMP || (int32_t)code == NFT_GOTO) &&
	    (!v[NFTA_VERDICT_CHAIN] ||
	     !nft_attr_name(v[NFTA_VERDICT_CHAIN], out->chain, sizeof(out->chain))))
		return -EBADMSG;
	out->a = verdict_action((int32_t)code);
	return 0;
}

/* iptables-nft's targets that go on to the next rule. */
static bool target_passes(const char *name)
{
	static const char *const pass[] = { "LOG", "NFLOG", "MARK", "CONNMARK", "TCPMSS", "CT" };

	for (size_t i = 0; i < ELEMENTSOF(pass); i++)
		if (strcmp(name, pass[i]) == 0)
			return true;
	return false;
}

static int expr_target(const struct nlattr *data, struct rule_out *out)
{
	const struct nlattr *t[NFTA_TARGET_MAX + 1] = { 0 };
	char name[32];

	if (!data || nft_nest_attrs(data, t, NFTA_TARGET_MAX) < 0 || !t[NFTA_TARGET_NAME] ||
	    !nft_attr_name(t[NFTA_TARGET_NAME], name, sizeof(name)))
		return -EBADMSG;
	if (strcmp(name, "REJECT") == 0)
		out->a = A_DROP;
	else if (!target_passes(name))
		out->a = A_UNKNOWN;
	return 0;
}

/* Expressions that load something we do not know, or match it; none decides on its own. */
static bool expr_loads(const char *name)
{
	static const char *const load[] = { "match", "fib",    "rt",	 "exthdr",    "socket",
					    "osf",   "hash",   "numgen", "xfrm",      "limit",
					    "quota", "dynset", "objref", "connlimit", "tunnel" };

	for (size_t i = 0; i < ELEMENTSOF(load); i++)
		if (strcmp(name, load[i]) == 0)
			return true;
	return false;
}

/* Statements that neither match nor decide. */
static bool expr_passes(const char *name)
{
	return strcmp(name, "counter") == 0 || strcmp(name, "log") == 0 ||
	       strcmp(name, "notrack") == 0 || strcmp(name, "last") == 0 ||
	       strcmp(name, "flow_offload") == 0; /* flow add @ft: the connection, offloaded */
}

/* How one rule applies to the packet, and what it does then. */
static int eval_rule(const struct eval *e, const struct nlattr *exprs, struct rule_out *out)
{
	const struct nlattr *x, *tb[NFTA_EXPR_MAX + 1];
	struct regs r = { 0 }; /* every bit unknown: a rule loads what it compares */
	char name[32];
	int ret;

	*out = (struct rule_out){ .m = M_YES, .a = A_NONE };
	mnl_attr_for_each_nested (x, exprs) {
		const struct nlattr *data;

		memset(tb, 0, sizeof(tb));
		if (nft_nest_attrs(x, tb, NFTA_EXPR_MAX) < 0 || !tb[NFTA_EXPR_NAME] ||
		    !nft_attr_name(tb[NFTA_EXPR_NAME], name, sizeof(name)))
			return -EBADMSG;
		data = tb[NFTA_EXPR_DATA];
		if (strcmp(name, "meta") == 0)
			ret = expr_meta(e, data, &r);
		else if (strcmp(name, "ct") == 0)
			ret = expr_ct(e, data, &r);
		else if (strcmp(name, "payload") == 0)
			ret = expr_payload(e, data, &r);
		else if (strcmp(name, "bitwise") == 0)
			ret = expr_bitwise(data, &r);
		else if (strcmp(name, "cmp") == 0)
			ret = expr_cmp(data, &r, &out->m);
		else if (strcmp(name, "range") == 0)
			ret = expr_range(data, &r, &out->m);
		else if (strcmp(name, "byteorder") == 0) {
			/* it converts what a register holds, and cannot fail: not followed */
			memset(r.k, 0, sizeof(r.k));
			ret = 0;
		} else if (strcmp(name, "lookup") == 0)
			ret = expr_lookup(e, data, &r, out);
		else if (strcmp(name, "immediate") == 0)
			ret = expr_immediate(data, &r, out);
		else if (strcmp(name, "reject") == 0) {
			out->a = A_DROP;
			ret = 0;
		} else if (strcmp(name, "target") == 0)
			ret = expr_target(data, out);
		else if (expr_loads(name)) {
			/* it may not match, and what it loads, and where, is not followed */
			memset(r.k, 0, sizeof(r.k));
			if (out->m == M_YES)
				out->m = M_MAYBE;
			ret = 0;
		} else if (expr_passes(name))
			ret = 0;
		else {
			out->a =
				A_UNKNOWN; /* a NAT, a queue, a forward...: it may end the packet */
			ret = 0;
		}
		if (ret < 0)
			return ret;
		/* The kernel stops at the first that fails to match or decides. */
		if (out->m == M_NO || out->a != A_NONE)
			return 0;
	}
	return 0;
}

/* Where the packet is: a chain, and the next of the table's rules to look at. */
struct frame {
	char chain[NFT_NAME_MAXLEN];
	size_t next;
};

/* The chain's name in a rule, pointing into it, or NULL. */
static const char *rule_chain(const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NFTA_RULE_MAX + 1] = { 0 };
	const char *s;
	uint16_t len;

	if (nft_msg_attrs(nlh, tb, NFTA_RULE_MAX) < 0 || !tb[NFTA_RULE_CHAIN])
		return NULL;
	len = mnl_attr_get_payload_len(tb[NFTA_RULE_CHAIN]);
	s = mnl_attr_get_payload(tb[NFTA_RULE_CHAIN]);
	if (len == 0 || len > NFT_NAME_MAXLEN || s[len - 1] != '\0')
		return NULL;
	return s;
}

static int start_cmp(const void *a, const void *b)
{
	const struct fw_chain_start *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	if (r != 0)
		return r;
	return (x->first > y->first) - (x->first < y->first);
}

ssize_t fw_chain_starts(const struct nlmsghdr *const *rules, size_t n, struct fw_chain_start **ret)
{
	struct fw_chain_start *s = calloc(n ? n : 1, sizeof(*s));
	const char *prev = NULL;
	size_t k = 0, m = 0;

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *name = rule_chain(rules[i]);

		if (name && (!prev || strcmp(name, prev) != 0))
			s[k++] = (struct fw_chain_start){ .name = name, .first = i };
		prev = name;
	}
	/* by name, and of a name's runs (a table no dump gives) the first, as a search finds */
	qsort(s, k, sizeof(*s), start_cmp);
	for (size_t i = 0; i < k; i++)
		if (m == 0 || strcmp(s[i].name, s[m - 1].name) != 0)
			s[m++] = s[i];
	*ret = s;
	return (ssize_t)m;
}

void fw_rules_done(struct fw_rules *r)
{
	free(r->buf);
	free(r->msgs);
	free(r->starts);
	*r = (struct fw_rules){ 0 };
}

int fw_rules_add(struct fw_rules *r, const struct nlmsghdr *nlh, size_t max)
{
	size_t room = NLMSG_ALIGN(nlh->nlmsg_len);

	if (r->len + room > max)
		return -E2BIG;
	if (r->len + room > r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16384;
		uint8_t *buf;

		while (cap < r->len + room)
			cap *= 2;
		buf = realloc(r->buf, cap);
		if (!buf)
			return -ENOMEM;
		r->buf = buf;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, nlh, nlh->nlmsg_len);
	r->len += room;
	r->n++;
	return 0;
}

int fw_rules_seal(struct fw_rules *r)
{
	size_t off = 0;
	ssize_t n;

	free(r->msgs);
	free(r->starts);
	r->starts = NULL;
	r->msgs = calloc(r->n ? r->n : 1, sizeof(*r->msgs)); // NOLINT(bugprone-sizeof-expression)
	if (!r->msgs)
		return -ENOMEM;
	for (size_t i = 0; i < r->n; i++) {
		r->msgs[i] = (const struct nlmsghdr *)(r->buf + off);
		off += NLMSG_ALIGN(r->msgs[i]->nlmsg_len);
	}
	n = fw_chain_starts(r->msgs, r->n, &r->starts);
	if (n < 0)
		return (int)n;
	r->n_starts = (size_t)n;
	return 0;
}

static int start_find(const void *key, const void *elem)
{
	return strcmp(key, ((const struct fw_chain_start *)elem)->name);
}

/* The rule at *i of chain, or, when none has been seen yet (*i is 0), its first: found in the
 * table's index, or searched for from the first rule. A dump gives each chain's rules
 * together. NULL at the chain's end, or with *unknown set when a rule cannot be read or the
 * search has looked at too many. */
static const struct nlattr *next_rule(struct eval *e, const char *chain, size_t *i, bool *unknown)
{
	bool started = *i > 0;
	char name[NFT_NAME_MAXLEN];

	if (!started && e->t->starts) {
		const struct fw_chain_start *s = bsearch(chain, e->t->starts, e->t->n_starts,
							 sizeof(*s), start_find);

		if (!s)
			return NULL; /* a chain without rules */
		*i = s->first;
	}
	for (; *i < e->t->n_rules; (*i)++) {
		const struct nlattr *tb[NFTA_RULE_MAX + 1] = { 0 };

		if (++e->steps > STEPS_MAX ||
		    nft_msg_attrs(e->t->rules[*i], tb, NFTA_RULE_MAX) < 0 || !tb[NFTA_RULE_CHAIN] ||
		    !nft_attr_name(tb[NFTA_RULE_CHAIN], name, sizeof(name))) {
			*unknown = true;
			return NULL;
		}
		if (strcmp(name, chain) != 0) {
			if (started)
				return NULL;
			continue;
		}
		started = true;
		if (tb[NFTA_RULE_EXPRESSIONS])
			return tb[NFTA_RULE_EXPRESSIONS];
	}
	return NULL;
}

/* The answer at the base chain's end: its policy's. */
static int policy_verdict(const struct eval *e)
{
	return e->policy == NF_ACCEPT ? FW_ACCEPT : e->policy == NF_DROP ? FW_DROP : FW_UNKNOWN;
}

/* A way through the rules: where it is, with the kernel's stack of jumps, and, when pending,
 * what a rule does before the next is looked at. */
struct way {
	struct frame stack[JUMP_DEPTH_MAX + 1];
	size_t top;
	bool pending;
	struct rule_out first;
};

/*
 * The rules as the kernel runs them, along way w, for the packets of the class that no rule
 * which may or may not apply to them catches. The verdict of such a rule is the table owner's
 * choice for some of them (a port, a protocol), and a jump it may take comes back, if at all,
 * to the rule after it: either way those that go on meet the same rules. A return or goto
 * that may be taken is a way to other rules, added to ways (*n of them, at most
 * FORKS_MAX + 1), for the caller to follow as well. Returns the verdict at the end of w, the
 * base chain's policy's at its end, or FW_UNKNOWN (a queue, a map, too many ways).
 */
static int follow(struct eval *e, struct way *w, struct way *ways, size_t *n)
{
	struct frame *f = w->stack + w->top;

	for (;;) {
		const struct nlattr *exprs;
		struct rule_out o;
		bool unknown = false;

		if (w->pending) {
			o = w->first;
			w->pending = false;
		} else if ((exprs = next_rule(e, f->chain, &f->next, &unknown))) {
			f->next++;
			if (eval_rule(e, exprs, &o) < 0)
				return FW_UNKNOWN;
			if (o.m == M_NO || o.a == A_NONE)
				continue;
		} else if (unknown) {
			return FW_UNKNOWN;
		} else {
			o = (struct rule_out){ .m = M_YES, .a = A_RETURN }; /* the chain's end */
		}
		if (o.m == M_MAYBE && (o.a == A_ACCEPT || o.a == A_DROP || o.a == A_JUMP))
			continue;
		if (o.m == M_MAYBE && (o.a == A_RETURN || o.a == A_GOTO)) {
			struct way *x;

			if (*n == FORKS_MAX + 1)
				return FW_UNKNOWN;
			x = &ways[(*n)++];
			x->top = (size_t)(f - w->stack);
			memcpy(x->stack, w->stack, (x->top + 1) * sizeof(*f));
			x->pending = true;
			x->first = o;
			x->first.m = M_YES;
			continue; /* the rest go on */
		}
		switch (o.a) {
		case A_ACCEPT:
			return FW_ACCEPT;
		case A_DROP:
			return FW_DROP;
		case A_RETURN:
			if (f == w->stack)
				return policy_verdict(e);
			f--;
			continue;
		case A_JUMP:
			if (f == w->stack + JUMP_DEPTH_MAX)
				return FW_UNKNOWN;
			f++;
			*f = (struct frame){ 0 };
			memcpy(f->chain, o.chain, sizeof(f->chain));
			continue;
		case A_GOTO:
			/* the chain takes this one's place: its end goes back past this one */
			memcpy(f->chain, o.chain, sizeof(f->chain));
			f->next = 0;
			continue;
		case A_NONE:
		case A_UNKNOWN:
		default:
			return FW_UNKNOWN;
		}
	}
}

/* Every way is followed, those a return or goto that may be taken adds too: the answer is
 * theirs when they all end alike (a mark's return to a policy that drops, before a drop). */
enum fw_verdict fw_eval(const struct fw_table *t, const char *chain, uint32_t policy,
			const struct fw_packet *p)
{
	struct eval e = { .t = t, .p = p, .policy = policy };
	_cleanup_(freep) struct way *ways = malloc((FORKS_MAX + 1) * sizeof(*ways));
	size_t n = 1;
	int answer = FW_UNKNOWN;

	if (!ways)
		return FW_UNKNOWN;
	ways[0].stack[0] = (struct frame){ 0 };
	memcpy(ways[0].stack[0].chain, chain, strnlen(chain, sizeof(ways[0].stack[0].chain) - 1));
	ways[0].top = 0;
	ways[0].pending = false;
	for (size_t i = 0; i < n; i++) {
		int v = follow(&e, &ways[i], ways, &n);

		if (v == FW_UNKNOWN || (i > 0 && v != answer))
			return FW_UNKNOWN;
		answer = v;
	}
	return (enum fw_verdict)answer;
}
