/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Conntrack entries over ctnetlink: the filtered dump, the parse of an entry, its delete. */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h> /* before the linux/ headers */
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "lib/netlink/ct.h"
#include "shared/error.h"
#include "shared/macro.h"

/* The kernel's CTA_FILTER flags (net/netfilter/nf_internals.h, not in its UAPI headers; the
 * values are fixed by libnetfilter_conntrack, which sends them). */
#define CT_FILTER_IP_SRC (1u << 0)
#define CT_FILTER_IP_DST (1u << 1)
#define CT_FILTER_PROTO_NUM (1u << 3)
#define CT_FILTER_PROTO_DST_PORT (1u << 5)

#define CT_DELETE_BUF ((size_t)32 * 1024) /* ~270 deletes a round trip, under its 256 acks */
#define CT_DELETE_MAX 200

static bool has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_UDPLITE ||
	       proto == IPPROTO_SCTP || proto == IPPROTO_DCCP;
}

static void begin(struct nlbuf *b, uint16_t msg, uint16_t flags)
{
	struct nfgenmsg g = { .nfgen_family = AF_INET, .version = NFNETLINK_V0 };

	nlbuf_begin(b, NFNL_SUBSYS_CTNETLINK << 8 | msg, flags, &g, sizeof(g));
}

static void put_be16(struct nlbuf *b, uint16_t type, uint16_t host)
{
	uint16_t v = htons(host);

	nlbuf_put(b, type, sizeof(v), &v);
}

/* A tuple, or the part of one that a filter names: src/dst only when their family is set;
 * ports: none, those that are set (a filter's), or both (a whole tuple, port 0 included). */
enum ports { PORTS_NONE, PORTS_SET, PORTS_BOTH };

static void put_tuple(struct nlbuf *b, uint16_t type, const struct ct_tuple *t, enum ports ports)
{
	struct nlattr *tuple = nlbuf_nest_start(b, type), *nest;

	if (t->src.family || t->dst.family) {
		nest = nlbuf_nest_start(b, CTA_TUPLE_IP);
		if (t->src.family)
			nlbuf_put(b, CTA_IP_V4_SRC, 4, &t->src.v4);
		if (t->dst.family)
			nlbuf_put(b, CTA_IP_V4_DST, 4, &t->dst.v4);
		nlbuf_nest_end(b, nest);
	}
	if (t->proto) {
		nest = nlbuf_nest_start(b, CTA_TUPLE_PROTO);
		nlbuf_put_u8(b, CTA_PROTO_NUM, t->proto);
		if (ports == PORTS_BOTH || (ports == PORTS_SET && t->sport))
			put_be16(b, CTA_PROTO_SRC_PORT, t->sport);
		if (ports == PORTS_BOTH || (ports == PORTS_SET && t->dport))
			put_be16(b, CTA_PROTO_DST_PORT, t->dport);
		nlbuf_nest_end(b, nest);
	}
	nlbuf_nest_end(b, tuple);
}

void ct_build_dump(struct nlbuf *b, const struct ct_filter *f)
{
	struct ct_tuple orig = { .proto = f->proto, .dst = f->orig_dst };
	struct ct_tuple reply = { .src = f->reply_src };
	uint32_t oflags = 0, rflags = 0;
	struct nlattr *nest;

	begin(b, IPCTNL_MSG_CT_GET, NLM_F_DUMP);
	if (f->proto)
		oflags |= CT_FILTER_PROTO_NUM;
	/* One port is the kernel's to match; a range is ours. */
	if (f->proto && has_ports(f->proto) && f->dport && f->dport == f->dport_end) {
		oflags |= CT_FILTER_PROTO_DST_PORT;
		orig.dport = f->dport;
	}
	if (f->orig_dst.family == AF_INET)
		oflags |= CT_FILTER_IP_DST;
	if (f->reply_src.family == AF_INET)
		rflags |= CT_FILTER_IP_SRC;
	if (oflags)
		put_tuple(b, CTA_TUPLE_ORIG, &orig, PORTS_SET);
	if (rflags)
		put_tuple(b, CTA_TUPLE_REPLY, &reply, PORTS_NONE);
	if (oflags || rflags) {
		nest = nlbuf_nest_start(b, CTA_FILTER);
		if (oflags)
			nlbuf_put_u32(b, CTA_FILTER_ORIG_FLAGS, oflags);
		if (rflags)
			nlbuf_put_u32(b, CTA_FILTER_REPLY_FLAGS, rflags);
		nlbuf_nest_end(b, nest);
	}
	nlbuf_end(b);
}

void ct_build_delete(struct nlbuf *b, const struct ct_entry *e)
{
	begin(b, IPCTNL_MSG_CT_DELETE, NLM_F_ACK);
	put_tuple(b, CTA_TUPLE_ORIG, &e->orig, has_ports(e->orig.proto) ? PORTS_BOTH : PORTS_NONE);
	if (e->has_id)
		nlbuf_put(b, CTA_ID, sizeof(e->id), &e->id);
	nlbuf_end(b);
}

/* Parsing: every attribute is checked for its length before it is read. */

static int ip_cb(const struct nlattr *a, void *data)
{
	struct ct_tuple *t = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type != CTA_IP_V4_SRC && type != CTA_IP_V4_DST)
		return MNL_CB_OK;
	return nlattr_get_in_addr(a, type == CTA_IP_V4_SRC ? &t->src : &t->dst) < 0 ? MNL_CB_ERROR
										    : MNL_CB_OK;
}

struct proto_attrs {
	struct ct_tuple *t;
	bool has_num;
};

static int proto_cb(const struct nlattr *a, void *data)
{
	struct proto_attrs *p = data;
	uint16_t type = mnl_attr_get_type(a);

	switch (type) {
	case CTA_PROTO_NUM:
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		p->t->proto = mnl_attr_get_u8(a);
		p->has_num = true;
		return MNL_CB_OK;
	case CTA_PROTO_SRC_PORT:
	case CTA_PROTO_DST_PORT:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		if (type == CTA_PROTO_SRC_PORT)
			p->t->sport = ntohs(mnl_attr_get_u16(a));
		else
			p->t->dport = ntohs(mnl_attr_get_u16(a));
		return MNL_CB_OK;
	default:
		return MNL_CB_OK;
	}
}

struct tuple_attrs {
	struct ct_tuple *t;
	bool has_proto, zoned;
};

static int tuple_cb(const struct nlattr *a, void *data)
{
	struct tuple_attrs *ta = data;

	switch (mnl_attr_get_type(a)) {
	case CTA_TUPLE_IP:
		return mnl_attr_parse_nested(a, ip_cb, ta->t) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
	case CTA_TUPLE_PROTO: {
		struct proto_attrs p = { .t = ta->t };

		if (mnl_attr_parse_nested(a, proto_cb, &p) < 0 || !p.has_num)
			return MNL_CB_ERROR;
		ta->has_proto = true;
		return MNL_CB_OK;
	}
	case CTA_TUPLE_ZONE:
		ta->zoned = true;
		return MNL_CB_OK;
	default:
		return MNL_CB_OK;
	}
}

struct entry_attrs {
	struct ct_entry *e;
	bool has_orig, has_reply;
};

static int entry_cb(const struct nlattr *a, void *data)
{
	struct entry_attrs *ea = data;
	struct tuple_attrs ta = { 0 };

	switch (mnl_attr_get_type(a)) {
	case CTA_TUPLE_ORIG:
	case CTA_TUPLE_REPLY:
		if (mnl_attr_get_type(a) == CTA_TUPLE_ORIG) {
			ta.t = &ea->e->orig;
			ea->has_orig = true;
		} else {
			ta.t = &ea->e->reply;
			ea->has_reply = true;
		}
		if (mnl_attr_parse_nested(a, tuple_cb, &ta) < 0 || !ta.has_proto)
			return MNL_CB_ERROR;
		if (ta.zoned)
			ea->e->has_zone = true;
		return MNL_CB_OK;
	case CTA_ZONE:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		ea->e->has_zone = true;
		ea->e->zone = ntohs(mnl_attr_get_u16(a));
		return MNL_CB_OK;
	case CTA_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		ea->e->has_id = true;
		ea->e->id = mnl_attr_get_u32(a);
		return MNL_CB_OK;
	default:
		return MNL_CB_OK;
	}
}

int ct_parse(const struct nlmsghdr *nlh, struct ct_entry *ret)
{
	struct entry_attrs ea = { .e = ret };
	const struct nfgenmsg *g;

	if (nlh->nlmsg_type != (NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW))
		return 0;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*g))
		return -EBADMSG;
	g = mnl_nlmsg_get_payload(nlh);
	if (g->nfgen_family != AF_INET)
		return 0;
	*ret = (struct ct_entry){ 0 };
	if (mnl_attr_parse(nlh, sizeof(*g), entry_cb, &ea) < 0 || !ea.has_orig || !ea.has_reply ||
	    ret->orig.src.family != AF_INET || ret->orig.dst.family != AF_INET ||
	    ret->reply.src.family != AF_INET || ret->reply.dst.family != AF_INET)
		return -EBADMSG;
	return 1;
}

bool ct_filter_match(const struct ct_filter *f, const struct ct_entry *e)
{
	const struct ct_tuple *o = &e->orig, *r = &e->reply;

	if (f->proto && o->proto != f->proto)
		return false;
	if (f->dport && (!has_ports(o->proto) || o->dport < f->dport || o->dport > f->dport_end))
		return false;
	if (f->orig_dst.family && !inaddr_equal(&o->dst, &f->orig_dst))
		return false;
	if (f->reply_src.family && !inaddr_equal(&r->src, &f->reply_src))
		return false;
	if (f->spare_reply_src.family && inaddr_equal(&r->src, &f->spare_reply_src))
		return false;
	return true;
}

struct collect {
	const struct ct_filter *f;
	size_t n;
	struct ct_entry *found;
	size_t n_found, cap;
};

static int collect_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct collect *c = userdata;
	struct ct_entry e;
	int r = ct_parse(nlh, &e);

	if (r <= 0)
		return r;
	/* Only what brnet can name exactly: entries with ports, outside conntrack zones (brnet
	 * makes none; another tool's zone is its business). */
	if (!has_ports(e.orig.proto) || e.has_zone)
		return 0;
	for (size_t i = 0; i < c->n; i++) {
		if (!ct_filter_match(&c->f[i], &e) ||
		    (c->f[i].to_host && !inaddr_is_local(&e.orig.dst)))
			continue;
		if (ARRAY_RESERVE(c->found, c->cap, c->n_found) < 0)
			return -ENOMEM;
		c->found[c->n_found++] = e;
		break;
	}
	return 0;
}

int ct_forget(struct nl_sock *s, const struct ct_filter *f, size_t n, struct brnet_error *err)
{
	_cleanup_(freep) char *buf = NULL;
	struct collect c = { .f = f, .n = n };
	struct ct_filter common = { 0 };
	struct nlbuf b;
	size_t done = 0;
	int r;

	if (n == 0)
		return 0;
	buf = malloc(CT_DELETE_BUF);
	if (!buf)
		return -ENOMEM;
	/* Several filters share one dump, narrowed by the kernel to what they have in common. */
	if (n == 1)
		common = f[0];
	else {
		common.proto = f[0].proto;
		for (size_t i = 1; i < n; i++)
			if (f[i].proto != common.proto)
				common.proto = 0;
	}
	nlbuf_init(&b, buf, CT_DELETE_BUF);
	ct_build_dump(&b, &common);
	r = nlbuf_finish(&b);
	if (r >= 0)
		r = nl_sock_transact(s, buf, b.len, collect_cb, &c, err);
	while (r >= 0 && done < c.n_found) {
		size_t k = 0;

		nlbuf_init(&b, buf, CT_DELETE_BUF);
		for (; done < c.n_found && k < CT_DELETE_MAX; done++, k++)
			ct_build_delete(&b, &c.found[done]);
		r = nlbuf_finish(&b);
		if (r >= 0)
			r = nl_sock_transact(s, buf, b.len, NULL, NULL, err);
		if (r == -ENOENT) { /* gone meanwhile (timed out, or its id is another's now) */
			if (err)
				*err = (struct brnet_error){ 0 };
			r = 0;
		}
	}
	free(c.found);
	if (r < 0)
		return brnet_err_prefix(err, r, "cannot forget connection tracking entries");
	return c.n_found > INT_MAX ? INT_MAX : (int)c.n_found;
}
