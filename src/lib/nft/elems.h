/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Set elements that carry their owner ("id/ifname") in the element comment, in any of our
 * sets: add, walk, find the owners of, and remove by owner. Anti-spoofing and the egress policy
 * are built on these; each names its sets with a struct nft_setref.
 */
#pragma once

#include <libnftnl/set.h>
#include <stdbool.h>
#include <stdint.h>

#include "brnet.h"
#include "lib/netlink/nlsock.h"

#define NFT_OWNER_MAX 128
#define NFT_ELEM_ROOM 192 /* bytes of one element in a message, comment included, generously */

struct nft_setref {
	uint8_t family; /* NFPROTO_INET or NFPROTO_BRIDGE (another table's: its own) */
	const char *name;
	const char *table; /* NULL: ours */
};

/* A set object naming ref, for element messages. */
struct nftnl_set *nft_setref_alloc(const struct nft_setref *ref);
/* One element: key_end (an interval's end), data (a map's value), jump (a verdict map's chain)
 * and owner may be NULL. As dumped, a verdict map's element has its verdict's code too. */
struct nft_elem {
	const void *key, *key_end, *data;
	uint32_t len, end_len, data_len;
	const char *jump;
	const char *owner;
	bool has_verdict;
	int32_t verdict; /* NF_ACCEPT, NF_DROP, NFT_JUMP (with jump)... */
};
int nft_elem_add(struct nftnl_set *s, const struct nft_elem *e);

/* An element as dumped; owner is "" when it has none. */
struct nft_elem_view {
	unsigned which; /* index into the sets walked */
	struct nft_elem e;
};
typedef int (*nft_elem_fn)(const struct nft_elem_view *e, void *userdata);

/* Each element of one NEWSETELEM message (a dump reply), or of a DELSETELEM notice (the kernel
 * names the element deleted as it was, comment included), through fn, as set number which, read
 * with pointers into the message (libnftnl's parser trusts what it reads, such as a verdict's
 * chain): 0 (another message is not looked at), what fn returned when negative, or -EBADMSG.
 * Pure. */
struct nlmsghdr;
int nft_elems_msg(const struct nlmsghdr *nlh, unsigned which, nft_elem_fn fn, void *userdata);
/* Every element of the n sets; a missing table or set holds none. */
int nft_elems_walk(struct nl_sock *s, const struct nft_setref *sets, unsigned n, nft_elem_fn fn,
		   void *userdata, struct brnet_error *err);
/* The element of set ref with that key, through fn (not called when there is none). */
int nft_elems_get(struct nl_sock *s, const struct nft_setref *ref, const void *key, uint32_t len,
		  nft_elem_fn fn, void *userdata, struct brnet_error *err);
/* Removes every element of the n sets whose owner is owner, in one transaction. */
int nft_elems_remove_owned(struct nl_sock *s, const struct nft_setref *sets, unsigned n,
			   const char *owner, struct brnet_error *err);
/* In one transaction: the owner's elements in the n sets out, and whatever add() appends to the
 * batch in (add may be NULL; add_room is the room it needs). Nothing to do, nothing sent. */
struct nft_batch;
int nft_elems_replace(struct nl_sock *s, const struct nft_setref *sets, unsigned n,
		      const char *owner, int (*add)(struct nft_batch *b, void *userdata),
		      size_t add_room, void *userdata, struct brnet_error *err);
/* Calls fn once per distinct owner found in the n sets. */
int nft_elems_owners(struct nl_sock *s, const struct nft_setref *sets, unsigned n,
		     int (*fn)(const char *owner, void *userdata), void *userdata,
		     struct brnet_error *err);
