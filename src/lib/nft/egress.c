/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The egress policy's sets and each container's elements in them. */
#include <errno.h>
#include <netinet/in.h> /* before the linux/ headers */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>

#include "lib/nft/batch.h"
#include "lib/nft/egress.h"
#include "lib/nft/elems.h"
#include "lib/nft/nft.h"
#include "shared/error.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(struct nftnl_set, nftnl_set_free)

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
	[NFT_EGRESS_ALLOW8] = { NFT_SET_EGRESS_ALLOW8, 22, T2(NFT_TYPE_IPADDR, NFT_TYPE_IPADDR),
				8 },
	[NFT_EGRESS_ALLOW16] = { NFT_SET_EGRESS_ALLOW16, 28, T2(NFT_TYPE_IPADDR, NFT_TYPE_IPADDR),
				 8 },
	[NFT_EGRESS_ALLOW24] = { NFT_SET_EGRESS_ALLOW24, 29, T2(NFT_TYPE_IPADDR, NFT_TYPE_IPADDR),
				 8 },
	[NFT_EGRESS_ALLOW32] = { NFT_SET_EGRESS_ALLOW32, 30, T2(NFT_TYPE_IPADDR, NFT_TYPE_IPADDR),
				 8 },
	[NFT_EGRESS_PORTLIMITED] = { NFT_SET_EGRESS_PORTLIMITED, 23, NFT_TYPE_IPADDR, 4 },
	[NFT_EGRESS_PORTS] = { NFT_SET_EGRESS_PORTS, 24,
			       T3(NFT_TYPE_IPADDR, NFT_TYPE_INET_PROTOCOL, NFT_TYPE_INET_SERVICE),
			       12 },
	[NFT_EGRESS_DNS] = { NFT_SET_EGRESS_DNS, 25, T2(NFT_TYPE_IPADDR, NFT_TYPE_IPADDR), 8 },
	[NFT_EGRESS_LOGGED] = { NFT_SET_EGRESS_LOGGED, 26, NFT_TYPE_IPADDR, 4 },
	[NFT_EGRESS_LOGRATE] = { NFT_SET_EGRESS_LOGRATE, 27, NFT_TYPE_IPADDR, 4 },
};

static const struct nft_setref refs[_NFT_EGRESS_SET_MAX] = {
	[NFT_EGRESS_POLICED] = { NFPROTO_INET, NFT_SET_EGRESS_POLICED },
	[NFT_EGRESS_ALLOW8] = { NFPROTO_INET, NFT_SET_EGRESS_ALLOW8 },
	[NFT_EGRESS_ALLOW16] = { NFPROTO_INET, NFT_SET_EGRESS_ALLOW16 },
	[NFT_EGRESS_ALLOW24] = { NFPROTO_INET, NFT_SET_EGRESS_ALLOW24 },
	[NFT_EGRESS_ALLOW32] = { NFPROTO_INET, NFT_SET_EGRESS_ALLOW32 },
	[NFT_EGRESS_PORTLIMITED] = { NFPROTO_INET, NFT_SET_EGRESS_PORTLIMITED },
	[NFT_EGRESS_PORTS] = { NFPROTO_INET, NFT_SET_EGRESS_PORTS },
	[NFT_EGRESS_DNS] = { NFPROTO_INET, NFT_SET_EGRESS_DNS },
	[NFT_EGRESS_LOGGED] = { NFPROTO_INET, NFT_SET_EGRESS_LOGGED },
};

enum nft_egress_set nft_egress_allow_set(unsigned bucket)
{
	return (enum nft_egress_set)(NFT_EGRESS_ALLOW8 + bucket / 8 - 1);
}

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

size_t nft_egress_batch_room(const struct egress_policy *p)
{
	size_t n = 3 + p->n_tcp + p->n_udp + p->n_dns * 2, allow = egress_allow_elements(p, 0);

	if (!p->on)
		return 0;
	return n * (NFT_MSG_ROOM + NFT_ELEM_ROOM) + allow * NFT_ELEM_ROOM +
	       (allow / ALLOW_PER_MSG + EGRESS_BUCKETS) * NFT_MSG_ROOM;
}

/* The allowed destinations of the container at addr: each CIDR as the elements of its bucket's
 * set, container . destination masked to the bucket. */
static int add_allow(struct nft_batch *b, const struct egress_policy *p, const struct inaddr *addr,
		     const char *owner)
{
	for (unsigned bucket = 8; bucket <= 32; bucket += 8) {
		_cleanup_(nftnl_set_freep) struct nftnl_set *s = NULL;
		size_t n = 0;

		for (size_t i = 0; i < p->n_allow; i++) {
			unsigned len = p->allow[i].len;
			uint32_t net, count;

			if (egress_bucket(len) != bucket)
				continue;
			net = inaddr_v4_host(&p->allow[i].addr) & prefix_v4_mask(len);
			count = 1u << (bucket - len);
			for (uint32_t k = 0; k < count; k++) {
				uint32_t dest = htonl(net + (k << (32 - bucket)));
				uint8_t key[8];

				if (!s &&
				    !(s = nft_setref_alloc(&refs[nft_egress_allow_set(bucket)])))
					return -ENOMEM;
				memcpy(key, &addr->v4, 4);
				memcpy(key + 4, &dest, 4);
				if (nft_elem_add(s, &(struct nft_elem){ .key = key,
									.len = sizeof(key),
									.owner = owner }) < 0)
					return -ENOMEM;
				if (++n == ALLOW_PER_MSG) {
					nft_batch_setelems(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE, s,
							   n * NFT_ELEM_ROOM);
					nftnl_set_free(steal_pointer(&s));
					n = 0;
				}
			}
		}
		if (n > 0)
			nft_batch_setelems(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE, s,
					   n * NFT_ELEM_ROOM);
	}
	return b->overflow ? -EMSGSIZE : 0;
}

int nft_batch_add_egress(struct nft_batch *b, const struct egress_policy *p,
			 const struct inaddr *addr, const char *owner)
{
	uint8_t key[12];
	int r;

	if (!p->on)
		return 0;
	r = add_one(b, NFT_EGRESS_POLICED, &addr->v4, owner);
	if (r >= 0)
		r = add_allow(b, p, addr, owner);
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
	return r;
}

struct egress_add {
	const struct egress_policy *p;
	const struct inaddr *addr;
	const char *owner;
};

static int add_egress(struct nft_batch *b, void *userdata)
{
	const struct egress_add *x = userdata;

	return nft_batch_add_egress(b, x->p, x->addr, x->owner);
}

int nft_egress_replace(struct nl_sock *s, const struct egress_policy *p, const struct inaddr *addr,
		       const char *owner, struct brnet_error *err)
{
	struct egress_add x = { .p = p, .addr = addr, .owner = owner };

	return nft_elems_replace(s, refs, _NFT_EGRESS_SET_MAX, owner, add_egress,
				 nft_egress_batch_room(p), &x, err);
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
	unsigned n[_NFT_EGRESS_SET_MAX];
};

static int count_fn(const struct nft_elem_view *e, void *userdata)
{
	struct count *c = userdata;

	if (strcmp(e->e.owner, c->owner) == 0)
		c->n[e->which]++;
	return 0;
}

int nft_egress_verify(struct nl_sock *s, const struct egress_policy *p, const char *owner,
		      struct brnet_error *err)
{
	struct count c = { .owner = owner };
	unsigned want[_NFT_EGRESS_SET_MAX] = { 0 };
	int r, off = 0;

	if (p->on) {
		want[NFT_EGRESS_POLICED] = 1;
		for (unsigned bucket = 8; bucket <= 32; bucket += 8)
			want[nft_egress_allow_set(bucket)] = (unsigned)egress_allow_elements(
				p, bucket);
		want[NFT_EGRESS_PORTLIMITED] = p->n_tcp + p->n_udp > 0;
		want[NFT_EGRESS_PORTS] = p->n_tcp + p->n_udp;
		want[NFT_EGRESS_DNS] = p->no_dns ? 0 : p->n_dns;
		want[NFT_EGRESS_LOGGED] = p->log;
	}
	r = nft_elems_walk(s, refs, _NFT_EGRESS_SET_MAX, count_fn, &c, err);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < _NFT_EGRESS_SET_MAX; i++)
		off += abs((int)c.n[i] - (int)want[i]);
	return off;
}
