/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A fingerprint of our two tables in one round trip, without dumping a rule: each table's
 * handle and use count (its chains and sets) and each of our chains' handle and use count (its
 * rules and the jumps to it). Handles come from counters that only grow (per namespace for
 * tables, per table for chains), so a table or chain deleted and made again has a new one; a
 * rule added or deleted changes its chain's count.
 *
 * A setup checks the rules with a dump of each table and remembers the fingerprint it saw
 * afterwards; while the fingerprint is unchanged the rules are as checked, and the dumps are
 * skipped. What it cannot see is a rule of ours deleted and another added to the same chain
 * between two setups: `brnet check` still compares every rule.
 */
#pragma once

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "brnet.h"
#include "lib/netlink/nlsock.h"

/* The objects the fingerprint covers: two tables and seven chains. */
#define NFT_FP_OBJECTS 10
/* "netns N" and, per object, " family:name:handle:use". */
#define NFT_FINGERPRINT_MAX (32 + NFT_FP_OBJECTS * 64)

struct nft_fingerprint {
	uint64_t netns_cookie;
	struct {
		uint64_t handle;
		uint32_t use;
		bool seen;
	} obj[NFT_FP_OBJECTS];
};

/* The requests (GETTABLE and GETCHAIN, the last one acked) into buf; returns their length, or
 * -EMSGSIZE. Pure. */
int nft_fingerprint_request(void *buf, size_t size);
/* Takes one reply (NEWTABLE or NEWCHAIN) into fp; a reply about anything else is ignored.
 * -EBADMSG when malformed. Pure. */
int nft_fingerprint_msg(const struct nlmsghdr *nlh, struct nft_fingerprint *fp);
/* fp as one line; -ENOENT when an object was not seen, -ENOBUFS when size is too small. */
int nft_fingerprint_format(const struct nft_fingerprint *fp, char *buf, size_t size);

/* Reads the fingerprint from the kernel and formats it: 0, -ENOENT when a table or chain is
 * missing, or another -errno. */
int nft_fingerprint_read(struct nl_sock *s, char buf[static NFT_FINGERPRINT_MAX],
			 struct brnet_error *err);
