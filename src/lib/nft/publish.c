/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Elements of the publish maps: building, adding, deleting and looking up. */
#include <errno.h>
#include <netinet/in.h> /* before the linux/ headers */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/common.h>
#include <libnftnl/set.h>

#include "lib/nft/batch.h"
#include "lib/nft/elems.h"
#include "lib/nft/nft.h"
#include "lib/nft/publish.h"
#include "shared/error.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(struct nftnl_set, nftnl_set_free)

/* nft's datatype numbers, so that `nft list` prints the maps with their types. */
#define NFT_TYPE_IPADDR 7
#define NFT_TYPE_INET_PROTOCOL 12
#define NFT_TYPE_INET_SERVICE 13
#define NFT_TYPE_BITS 6
#define ELEMS_PER_MSG 256

struct nftnl_set *nft_publish_set_new(bool by_addr)
{
	struct nftnl_set *s = nftnl_set_alloc();
	uint32_t key_type = NFT_TYPE_INET_PROTOCOL << NFT_TYPE_BITS | NFT_TYPE_INET_SERVICE;

	if (!s)
		return NULL;
	if (by_addr)
		key_type |= NFT_TYPE_IPADDR << (2 * NFT_TYPE_BITS);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, by_addr ? NFT_SET_PUBLISH_ADDR : NFT_SET_PUBLISH);
	nftnl_set_set_u32(s, NFTNL_SET_ID, by_addr ? NFT_SET_ID_PUBLISH_ADDR : NFT_SET_ID_PUBLISH);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_MAP);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, key_type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, by_addr ? 12 : 8);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE,
			  NFT_TYPE_IPADDR << NFT_TYPE_BITS | NFT_TYPE_INET_SERVICE);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, 8);
	return s;
}

/* Concatenation fields are 32-bit aligned: a 1-byte protocol and a 2-byte port each take 4. */
size_t nft_publish_key(const struct inaddr *host_ip, uint8_t proto, uint16_t port, uint8_t key[12])
{
	uint16_t be = htons(port);
	size_t off = 0;

	memset(key, 0, 12);
	if (host_ip && host_ip->family) {
		memcpy(key, &host_ip->v4, 4);
		off = 4;
	}
	key[off] = proto;
	memcpy(key + off + 4, &be, 2);
	return off + 8;
}

void nft_publish_value(const struct inaddr *addr, uint16_t port, uint8_t value[8])
{
	uint16_t be = htons(port);

	memset(value, 0, 8);
	memcpy(value, &addr->v4, 4);
	memcpy(value + 4, &be, 2);
}

static const struct nft_setref maps[2] = {
	{ .family = NFPROTO_INET, .name = NFT_SET_PUBLISH },
	{ .family = NFPROTO_INET, .name = NFT_SET_PUBLISH_ADDR },
};

static int elem_add(struct nftnl_set *s, const struct publish *p, unsigned i,
		    const struct inaddr *addr, const char *owner)
{
	uint8_t key[12], value[8];
	size_t klen = nft_publish_key(&p->host_ip, p->proto, (uint16_t)(p->host_port + i), key);

	nft_publish_value(addr, (uint16_t)(p->container_port + i), value);
	return nft_elem_add(s, &(struct nft_elem){ .key = key,
						   .len = (uint32_t)klen,
						   .data = value,
						   .data_len = sizeof(value),
						   .owner = owner });
}

/* Appends the elements of one map (by_addr or not) in messages of ELEMS_PER_MSG. */
static int batch_map(struct nft_batch *b, const struct publish *pub, unsigned n, bool by_addr,
		     const struct inaddr *addr, const char *owner, uint16_t flags)
{
	_cleanup_(nftnl_set_freep) struct nftnl_set *s = NULL;
	unsigned in_msg = 0;
	int r;

	for (unsigned k = 0; k < n; k++) {
		if ((pub[k].host_ip.family != 0) != by_addr)
			continue;
		for (unsigned i = 0; i < publish_count(&pub[k]); i++) {
			if (!s) {
				s = nft_setref_alloc(&maps[by_addr]);
				if (!s)
					return -ENOMEM;
			}
			r = elem_add(s, &pub[k], i, addr, owner);
			if (r < 0)
				return r;
			if (++in_msg == ELEMS_PER_MSG) {
				nft_batch_setelems(b, NFT_MSG_NEWSETELEM, flags, s,
						   (size_t)in_msg * NFT_ELEM_ROOM);
				nftnl_set_free(steal_pointer(&s));
				in_msg = 0;
			}
		}
	}
	if (s)
		nft_batch_setelems(b, NFT_MSG_NEWSETELEM, flags, s, (size_t)in_msg * NFT_ELEM_ROOM);
	return 0;
}

size_t nft_publish_batch_room(const struct publish *pub, unsigned n)
{
	size_t total = 0;

	for (unsigned k = 0; k < n; k++)
		total += publish_count(&pub[k]);
	return total * NFT_ELEM_ROOM + (total / ELEMS_PER_MSG + 2) * NFT_MSG_ROOM;
}

int nft_batch_add_publish(struct nft_batch *b, const struct publish *pub, unsigned n,
			  const struct inaddr *addr, const char *owner, bool exclusive)
{
	uint16_t flags = NLM_F_CREATE | (exclusive ? NLM_F_EXCL : 0);
	int r;

	r = batch_map(b, pub, n, false, addr, owner, flags);
	if (r >= 0)
		r = batch_map(b, pub, n, true, addr, owner, flags);
	if (r < 0)
		return r;
	return b->overflow ? -EMSGSIZE : 0;
}

/* The map element's value: container address and port. */
static bool elem_target(const struct nft_elem *e, struct inaddr *ret, uint16_t *ret_port)
{
	const uint8_t *val = e->data;

	*ret = (struct inaddr){ 0 };
	*ret_port = 0;
	if (!val || e->data_len < 6)
		return false;
	ret->family = AF_INET;
	memcpy(&ret->v4, val, 4);
	*ret_port = (uint16_t)(val[4] << 8 | val[5]);
	return true;
}

int nft_publish_remove_owned(struct nl_sock *s, const char *owner, struct brnet_error *err)
{
	/* Only elements that carry our name go: a port someone else holds stays theirs. */
	return nft_elems_remove_owned(s, maps, ELEMENTSOF(maps), owner, err);
}

struct lookup {
	char *owner;
	struct inaddr *addr;
	uint16_t *port;
	bool found;
};

static int lookup_fn(const struct nft_elem_view *v, void *userdata)
{
	struct lookup *l = userdata;

	l->found = true;
	(void)elem_target(&v->e, l->addr, l->port);
	snprintf(l->owner, NFT_OWNER_MAX, "%s", v->e.owner);
	return 0;
}

int nft_publish_lookup(struct nl_sock *s, const struct inaddr *host_ip, uint8_t proto,
		       uint16_t port, char owner[static 128], struct inaddr *ret_addr,
		       uint16_t *ret_port, struct brnet_error *err)
{
	struct lookup l = { .owner = owner, .addr = ret_addr, .port = ret_port };
	bool by_addr = host_ip && host_ip->family;
	uint8_t key[12];
	size_t klen = nft_publish_key(host_ip, proto, port, key);
	int r;

	owner[0] = '\0';
	r = nft_elems_get(s, &maps[by_addr], key, (uint32_t)klen, lookup_fn, &l, err);
	if (r < 0)
		return r;
	return l.found ? 1 : 0;
}

struct owners {
	int (*fn)(const char *owner, const struct inaddr *target, void *userdata);
	void *userdata;
};

static int owners_fn(const struct nft_elem_view *v, void *userdata)
{
	struct owners *o = userdata;
	struct inaddr target;
	uint16_t port;

	if (!v->e.owner[0] || !elem_target(&v->e, &target, &port))
		return 0;
	return o->fn(v->e.owner, &target, o->userdata);
}

int nft_publish_owners(struct nl_sock *s,
		       int (*fn)(const char *owner, const struct inaddr *target, void *userdata),
		       void *userdata, struct brnet_error *err)
{
	struct owners o = { .fn = fn, .userdata = userdata };

	return nft_elems_walk(s, maps, ELEMENTSOF(maps), owners_fn, &o, err);
}

struct elem_copy {
	bool by_addr;
	uint8_t key[12];
	uint32_t key_len;
	struct inaddr target;
	uint16_t target_port;
	char owner[NFT_OWNER_MAX];
};

struct elem_copies {
	struct elem_copy *v;
	size_t n, cap;
};

static int copy_fn(const struct nft_elem_view *e, void *userdata)
{
	struct elem_copies *c = userdata;
	struct elem_copy *x;

	if (e->e.len > sizeof(x->key))
		return 0;
	if (ARRAY_RESERVE(c->v, c->cap, c->n) < 0)
		return -ENOMEM;
	x = &c->v[c->n++];
	*x = (struct elem_copy){ .by_addr = e->which == 1, .key_len = e->e.len };
	(void)elem_target(&e->e, &x->target, &x->target_port);
	memcpy(x->key, e->e.key, e->e.len);
	snprintf(x->owner, sizeof(x->owner), "%s", e->e.owner);
	return 0;
}

int nft_publish_verify(struct nl_sock *s, const struct publish *pub, unsigned n,
		       const struct inaddr *addr, const char *owner,
		       void (*bad)(const struct publish *p, uint16_t port, const char *found,
				   void *userdata),
		       void *userdata, struct brnet_error *err)
{
	struct elem_copies c = { 0 };
	int r, problems = 0;

	/* One dump of both maps, however many ports: check must not cost a round trip each. */
	r = nft_elems_walk(s, maps, ELEMENTSOF(maps), copy_fn, &c, err);
	if (r < 0) {
		free(c.v);
		return r;
	}
	for (unsigned k = 0; k < n; k++) {
		const struct publish *p = &pub[k];

		for (unsigned i = 0; i < publish_count(p); i++) {
			uint16_t port = (uint16_t)(p->host_port + i);
			uint8_t key[12];
			size_t klen = nft_publish_key(&p->host_ip, p->proto, port, key);
			const struct elem_copy *found = NULL;

			for (size_t e = 0; e < c.n && !found; e++)
				if (c.v[e].by_addr == (p->host_ip.family != 0) &&
				    c.v[e].key_len == klen && memcmp(c.v[e].key, key, klen) == 0)
					found = &c.v[e];
			if (found && strcmp(found->owner, owner) == 0 &&
			    inaddr_equal(&found->target, addr) &&
			    found->target_port == p->container_port + i)
				continue;
			problems++;
			bad(p, port, found ? found->owner : "", userdata);
		}
	}
	free(c.v);
	return problems;
}
