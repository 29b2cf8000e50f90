/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An nf_tables transaction: BEGIN, commands, END, in one bounded buffer. libnftnl's payload
 * builders do not check room, so each command slot must have NFT_MSG_ROOM bytes free before
 * it is written; a batch that runs out reports -EMSGSIZE once, at nft_batch_end().
 */
#pragma once

#include <linux/netlink.h>

#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NFT_MSG_ROOM 2048
#define NFT_BATCH_SMALL (8 * NFT_MSG_ROOM)

struct nft_batch {
	char *buf;
	size_t size;
	size_t len;
	unsigned commands;
	size_t last_command; /* offset of the last command, the one that asks for an ack */
	bool overflow;
	uint8_t family; /* of the commands appended next: NFPROTO_INET, or NFPROTO_BRIDGE */
};

void nft_batch_init(struct nft_batch *b, void *buf, size_t size);
void nft_batch_begin(struct nft_batch *b);
void nft_batch_table(struct nft_batch *b, uint16_t type, uint16_t flags,
		     const struct nftnl_table *t);
void nft_batch_chain(struct nft_batch *b, uint16_t type, uint16_t flags,
		     const struct nftnl_chain *c);
void nft_batch_rule(struct nft_batch *b, uint16_t type, uint16_t flags, struct nftnl_rule *r);
/* Closes the batch; 0 or -EMSGSIZE. */
int nft_batch_end(struct nft_batch *b);

void nft_batch_set(struct nft_batch *b, uint16_t type, uint16_t flags, const struct nftnl_set *s);
/* Set elements: the caller says how much room the payload needs (libnftnl does not check). */
void nft_batch_setelems(struct nft_batch *b, uint16_t type, uint16_t flags, struct nftnl_set *s,
			size_t room);

/* New elements that are a key alone, written straight into the batch: an allowlist is
 * thousands of them, and libnftnl's element objects cost a malloc, a copy and a free each.
 * nft_batch_keys_begin() opens a command for at most n keys of len bytes in the table's set
 * `set`; more keys than that, like too little room, make the batch overflow. */
struct nft_keys {
	struct nft_batch *b;
	struct nlmsghdr *nlh; /* NULL once the batch has overflowed */
	struct nlattr *list;
	size_t left;
	uint16_t len;
};

/* One key's bytes in a message: element, key and value attributes. */
#define NFT_KEY_ROOM(len) (3 * NLA_HDRLEN + NLA_ALIGN(len))

/* The next len bytes of the batch are about to be written whole (thousands of keys): their
 * pages mapped in one call (prefault()), not one fault each. */
void nft_batch_prefault(struct nft_batch *b, size_t len);
void nft_batch_keys_begin(struct nft_batch *b, struct nft_keys *k, uint16_t flags, const char *set,
			  size_t n, uint16_t len);
void nft_batch_key(struct nft_keys *k, const void *key);
void nft_batch_keys_end(struct nft_keys *k);
