/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Published ports as map elements: a port costs one element, never a rule. Elements carry the
 * owner's "id/ifname" as their comment, so conflicts name the owner and teardown and gc find
 * exactly their own.
 */
#pragma once

#include <libnftnl/set.h>
#include <stdbool.h>
#include <stdint.h>

#include "brnet.h"
#include "lib/config/publish.h"
#include "lib/netlink/nlsock.h"
#include "shared/inaddr.h"

/* Set ids for referring to the maps from rules in the same batch that creates them. */
#define NFT_SET_ID_PUBLISH 1
#define NFT_SET_ID_PUBLISH_ADDR 2

/* One of the two maps, as created: by_addr selects publish_addr. */
struct nftnl_set *nft_publish_set_new(bool by_addr);

/* Keys and values (pure). key: 8 bytes (proto . port) or 12 (addr . proto . port). */
size_t nft_publish_key(const struct inaddr *host_ip, uint8_t proto, uint16_t port, uint8_t key[12]);
void nft_publish_value(const struct inaddr *addr, uint16_t port, uint8_t value[8]);

struct nft_batch;
/* Appends the elements of every port in pub[], mapped to addr and named for owner. With
 * exclusive (NLM_F_EXCL), a port held by anyone fails the transaction; without, adding an
 * element that exists as it is succeeds (restore). */
int nft_batch_add_publish(struct nft_batch *b, const struct publish *pub, unsigned n,
			  const struct inaddr *addr, const char *owner, bool exclusive);
/* Bytes of batch room the elements of pub[] need. */
size_t nft_publish_batch_room(const struct publish *pub, unsigned n);

/* Removes, in one transaction, exactly the elements whose comment names owner ("id/ifname"),
 * found in a dump of both maps. Idempotent. */
int nft_publish_remove_owned(struct nl_sock *s, const char *owner, struct brnet_error *err);

/* Calls fn once per element of both maps with its owner comment and target address. */
int nft_publish_owners(struct nl_sock *s,
		       int (*fn)(const char *owner, const struct inaddr *target, void *userdata),
		       void *userdata, struct brnet_error *err);

/* Checks, from one dump of the maps, that every port of pub[] has its element, mapped to
 * addr and named for owner; calls bad() for each that has not (found: the owner of the
 * element there, "" when there is none). Returns how many had not. */
int nft_publish_verify(struct nl_sock *s, const struct publish *pub, unsigned n,
		       const struct inaddr *addr, const char *owner,
		       void (*bad)(const struct publish *p, uint16_t port, const char *found,
				   void *userdata),
		       void *userdata, struct brnet_error *err);

/* Looks one host port up: 1 and its owner ("" if it has no comment) and target when an
 * element exists, 0 when none. */
int nft_publish_lookup(struct nl_sock *s, const struct inaddr *host_ip, uint8_t proto,
		       uint16_t port, char owner[static 128], struct inaddr *ret_addr,
		       uint16_t *ret_port, struct brnet_error *err);
