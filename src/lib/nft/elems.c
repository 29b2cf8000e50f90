/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Owned set elements: the comment of each element names its attachment. */
#include <errno.h>
#include <netinet/in.h> /* before the linux/ headers */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/udata.h>

#include "lib/nft/batch.h"
#include "lib/nft/elems.h"
#include "lib/nft/nft.h"
#include "shared/error.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(struct nftnl_set, nftnl_set_free)

#define SETS_MAX 16

struct nftnl_set *nft_setref_alloc(const struct nft_setref *ref)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (s) {
		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, ref->family);
		nftnl_set_set_str(s, NFTNL_SET_TABLE, ref->table ? ref->table : NFT_TABLE);
		nftnl_set_set_str(s, NFTNL_SET_NAME, ref->name);
	}
	return s;
}

int nft_elem_add(struct nftnl_set *s, const struct nft_elem *x)
{
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	struct nftnl_udata_buf *udata = x->owner ? nftnl_udata_buf_alloc(NFT_OWNER_MAX) : NULL;

	if (!e || (x->owner && (!udata || !nftnl_udata_put_strz(udata, NFTNL_UDATA_SET_ELEM_COMMENT,
								x->owner)))) {
		nftnl_udata_buf_free(udata);
		nftnl_set_elem_free(e);
		return -ENOMEM;
	}
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, x->key, x->len);
	if (x->key_end)
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY_END, x->key_end, x->end_len);
	if (x->data)
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, x->data, x->data_len);
	if (x->jump) {
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, (uint32_t)NFT_JUMP);
		nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, x->jump);
	}
	/* The owner's name: conflicts name it, teardown and gc find their own by it. */
	if (udata)
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA, nftnl_udata_buf_data(udata),
				   nftnl_udata_buf_len(udata));
	nftnl_udata_buf_free(udata);
	nftnl_set_elem_add(s, e);
	return 0;
}

/* A key, an interval's end or a map's value (NFTA_DATA_VALUE, 1 to 64 bytes), or, where e is
 * given, a verdict: its code, and the chain a jump or goto names (NULL for any other). */
static int parse_data(const struct nlattr *nest, const void **value, uint32_t *len,
		      struct nft_elem *e)
{
	const struct nlattr *tb[NFTA_DATA_MAX + 1], *vt[NFTA_VERDICT_MAX + 1];
	uint32_t code;

	if (nft_nest_attrs(nest, tb, NFTA_DATA_MAX) < 0)
		return -EBADMSG;
	if (tb[NFTA_DATA_VALUE]) {
		*value = mnl_attr_get_payload(tb[NFTA_DATA_VALUE]);
		*len = mnl_attr_get_payload_len(tb[NFTA_DATA_VALUE]);
		/* At most what a register holds, as the kernel and libnftnl take it. */
		return *len > 0 && *len <= NFT_DATA_VALUE_MAXLEN ? 0 : -EBADMSG;
	}
	if (!e || !tb[NFTA_DATA_VERDICT] ||
	    nft_nest_attrs(tb[NFTA_DATA_VERDICT], vt, NFTA_VERDICT_MAX) < 0 ||
	    !vt[NFTA_VERDICT_CODE] ||
	    mnl_attr_get_payload_len(vt[NFTA_VERDICT_CODE]) != sizeof(code))
		return -EBADMSG;
	code = ntohl(mnl_attr_get_u32(vt[NFTA_VERDICT_CODE]));
	e->has_verdict = true;
	e->verdict = (int32_t)code;
	if (code != (uint32_t)NFT_JUMP && code != (uint32_t)NFT_GOTO)
		return 0;
	if (!vt[NFTA_VERDICT_CHAIN] ||
	    mnl_attr_validate(vt[NFTA_VERDICT_CHAIN], MNL_TYPE_NUL_STRING) < 0)
		return -EBADMSG;
	e->jump = mnl_attr_get_str(vt[NFTA_VERDICT_CHAIN]);
	return 0;
}

static int parse_elem(const struct nlattr *nest, unsigned which, nft_elem_fn fn, void *userdata)
{
	const struct nlattr *tb[NFTA_SET_ELEM_MAX + 1];
	char owner[NFT_OWNER_MAX] = "";
	struct nft_elem_view v = { .which = which, .e.owner = owner };
	const struct nlattr *ud;

	if (nft_nest_attrs(nest, tb, NFTA_SET_ELEM_MAX) < 0)
		return -EBADMSG;
	if (!tb[NFTA_SET_ELEM_KEY])
		return 0;
	if (parse_data(tb[NFTA_SET_ELEM_KEY], &v.e.key, &v.e.len, NULL) < 0 ||
	    (tb[NFTA_SET_ELEM_KEY_END] &&
	     parse_data(tb[NFTA_SET_ELEM_KEY_END], &v.e.key_end, &v.e.end_len, NULL) < 0) ||
	    (tb[NFTA_SET_ELEM_DATA] &&
	     parse_data(tb[NFTA_SET_ELEM_DATA], &v.e.data, &v.e.data_len, &v.e) < 0))
		return -EBADMSG;
	ud = tb[NFTA_SET_ELEM_USERDATA];
	if (ud)
		(void)nft_udata_string(mnl_attr_get_payload(ud), mnl_attr_get_payload_len(ud),
				       NFTNL_UDATA_SET_ELEM_COMMENT, owner, NFT_OWNER_MAX);
	return fn(&v, userdata);
}

int nft_elems_msg(const struct nlmsghdr *nlh, unsigned which, nft_elem_fn fn, void *userdata)
{
	const struct nlattr *tb[NFTA_SET_ELEM_LIST_MAX + 1], *elem;
	int r;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWSETELEM &&
	     NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_DELSETELEM))
		return 0;
	if (nft_msg_attrs(nlh, tb, NFTA_SET_ELEM_LIST_MAX) < 0)
		return -EBADMSG;
	if (!tb[NFTA_SET_ELEM_LIST_ELEMENTS])
		return 0;
	/* Each nest is an element whatever its type: the kernel numbers them NFTA_LIST_ELEM, and
	 * takes them numbered 1, 2, 3 as libnftnl writes them. */
	mnl_attr_for_each_nested (elem, tb[NFTA_SET_ELEM_LIST_ELEMENTS]) {
		r = parse_elem(elem, which, fn, userdata);
		if (r < 0)
			return r;
	}
	return 0;
}

struct walk {
	unsigned which;
	nft_elem_fn fn;
	void *userdata;
};

static int walk_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct walk *w = userdata;

	return nft_elems_msg(nlh, w->which, w->fn, w->userdata);
}

int nft_elems_walk(struct nl_sock *s, const struct nft_setref *sets, unsigned n, nft_elem_fn fn,
		   void *userdata, struct brnet_error *err)
{
	for (unsigned i = 0; i < n; i++) {
		_cleanup_(nftnl_set_freep) struct nftnl_set *q = nft_setref_alloc(&sets[i]);
		struct walk w = { .which = i, .fn = fn, .userdata = userdata };
		struct nlmsghdr *nlh;
		char qbuf[512];
		int r;

		if (!q)
			return -ENOMEM;
		nlh = nftnl_nlmsg_build_hdr(qbuf, NFT_MSG_GETSETELEM, sets[i].family, NLM_F_DUMP,
					    0);
		nftnl_set_elems_nlmsg_build_payload(nlh, q);
		r = nl_sock_transact(s, nlh, nlh->nlmsg_len, walk_cb, &w, err);
		if (r == -ENOENT) {
			if (err)
				*err = (struct brnet_error){ 0 };
			continue;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int nft_elems_get(struct nl_sock *s, const struct nft_setref *ref, const void *key, uint32_t len,
		  nft_elem_fn fn, void *userdata, struct brnet_error *err)
{
	_cleanup_(nftnl_set_freep) struct nftnl_set *q = nft_setref_alloc(ref);
	struct walk w = { .which = 0, .fn = fn, .userdata = userdata };
	struct nlmsghdr *nlh;
	char qbuf[1024];
	int r;

	if (!q || nft_elem_add(q, &(struct nft_elem){ .key = key, .len = len }) < 0)
		return -ENOMEM;
	nlh = nftnl_nlmsg_build_hdr(qbuf, NFT_MSG_GETSETELEM, ref->family, NLM_F_ACK, 0);
	nftnl_set_elems_nlmsg_build_payload(nlh, q);
	r = nl_sock_transact(s, nlh, nlh->nlmsg_len, walk_cb, &w, err);
	if (r == -ENOENT) { /* no such element, or no table yet */
		if (err)
			*err = (struct brnet_error){ 0 };
		return 0;
	}
	return r;
}

/* A message's element list is one attribute, whose length has 16 bits: deletions go in
 * messages of at most this many elements (a policy may own thousands). */
#define ELEMS_PER_MSG 256

/* The owner's elements, collected per set into deletion messages. */
struct owned {
	const char *owner;
	const struct nft_setref *sets;
	struct del_msg {
		unsigned which, n;
		struct nftnl_set *s;
	} * msgs;
	size_t n_msgs, msgs_size;
	ssize_t last[SETS_MAX]; /* each set's message being filled, -1 for none */
};

static int collect_fn(const struct nft_elem_view *e, void *userdata)
{
	struct owned *o = userdata;
	struct del_msg *m;

	if (strcmp(e->e.owner, o->owner) != 0)
		return 0;
	if (o->last[e->which] < 0 || o->msgs[o->last[e->which]].n == ELEMS_PER_MSG) {
		struct nftnl_set *set;

		if (ARRAY_RESERVE(o->msgs, o->msgs_size, o->n_msgs) < 0)
			return -ENOMEM;
		set = nft_setref_alloc(&o->sets[e->which]);
		if (!set)
			return -ENOMEM;
		o->msgs[o->n_msgs] = (struct del_msg){ .which = e->which, .s = set };
		o->last[e->which] = (ssize_t)o->n_msgs++;
	}
	m = &o->msgs[o->last[e->which]];
	m->n++;
	/* A deletion names the key (and an interval's end), nothing else. */
	return nft_elem_add(m->s, &(struct nft_elem){ .key = e->e.key,
						      .len = e->e.len,
						      .key_end = e->e.key_end,
						      .end_len = e->e.end_len });
}

static int replace(struct nl_sock *s, const struct nft_setref *sets, unsigned n, struct owned *o,
		   int (*add)(struct nft_batch *b, void *userdata), size_t add_room, void *userdata,
		   struct brnet_error *err)
{
	_cleanup_(freep) char *buf = NULL;
	size_t size = 4 * (size_t)NFT_MSG_ROOM + add_room;
	struct nft_batch b;
	int r;

	r = nft_elems_walk(s, sets, n, collect_fn, o, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < o->n_msgs; i++)
		size += NFT_MSG_ROOM + (size_t)o->msgs[i].n * NFT_ELEM_ROOM;
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	nft_batch_init(&b, buf, size);
	nft_batch_begin(&b);
	for (size_t i = 0; i < o->n_msgs; i++) {
		b.family = sets[o->msgs[i].which].family;
		nft_batch_setelems(&b, NFT_MSG_DELSETELEM, 0, o->msgs[i].s,
				   (size_t)o->msgs[i].n * NFT_ELEM_ROOM);
	}
	b.family = NFPROTO_INET;
	r = add ? add(&b, userdata) : 0;
	if (r >= 0)
		r = nft_batch_end(&b);
	if (r < 0)
		return brnet_err(err, -r, "nf_tables: cannot build batch: %s", strerror(-r));
	if (b.commands == 0)
		return 0;
	return nl_sock_transact(s, buf, b.len, NULL, NULL, err);
}

int nft_elems_replace(struct nl_sock *s, const struct nft_setref *sets, unsigned n,
		      const char *owner, int (*add)(struct nft_batch *b, void *userdata),
		      size_t add_room, void *userdata, struct brnet_error *err)
{
	struct owned o = { .owner = owner, .sets = sets };
	int r;

	if (n > SETS_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < SETS_MAX; i++)
		o.last[i] = -1;
	r = replace(s, sets, n, &o, add, add_room, userdata, err);
	for (size_t i = 0; i < o.n_msgs; i++)
		nftnl_set_free(o.msgs[i].s);
	free(o.msgs);
	return r;
}

int nft_elems_remove_owned(struct nl_sock *s, const struct nft_setref *sets, unsigned n,
			   const char *owner, struct brnet_error *err)
{
	int r;

	/* An element that another process removed between our dump and our deletion fails the
	 * whole transaction with ENOENT, and nothing was removed: look again (the elements
	 * still there are still to go). Three looks settle any race short of a livelock. */
	for (int tries = 1;; tries++) {
		r = nft_elems_replace(s, sets, n, owner, NULL, 0, NULL, err);
		if (r != -ENOENT || tries == 3)
			return r;
		if (err)
			*err = (struct brnet_error){ 0 };
	}
}

struct owners {
	int (*fn)(const char *owner, void *userdata);
	void *userdata;
	char (*seen)[NFT_OWNER_MAX];
	size_t n, cap;
};

static int owners_fn(const struct nft_elem_view *e, void *userdata)
{
	struct owners *o = userdata;

	if (!e->e.owner[0])
		return 0;
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->seen[i], e->e.owner) == 0)
			return 0;
	if (ARRAY_RESERVE(o->seen, o->cap, o->n) < 0)
		return -ENOMEM;
	memcpy(o->seen[o->n++], e->e.owner, strlen(e->e.owner) + 1);
	return o->fn(e->e.owner, o->userdata);
}

int nft_elems_owners(struct nl_sock *s, const struct nft_setref *sets, unsigned n,
		     int (*fn)(const char *owner, void *userdata), void *userdata,
		     struct brnet_error *err)
{
	struct owners o = { .fn = fn, .userdata = userdata };
	int r = nft_elems_walk(s, sets, n, owners_fn, &o, err);

	free(o.seen);
	return r;
}
