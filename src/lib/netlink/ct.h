/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Connection tracking entries that outlive what they were made for. A published UDP port's
 * entry keeps its NAT binding for as long as its client keeps sending (each datagram renews
 * it), so a container that replaces another on the same port, or a port published after the
 * client started, never sees that client. These entries are found with one filtered dump
 * (ctnetlink) and deleted one by one, each by its original tuple and id.
 *
 * A dump walks the kernel's whole conntrack hash (about 10 ms for 262,144 buckets), so callers
 * ask only where a stale entry would hold traffic. Pure builders and parser, then the one
 * operation.
 */
#pragma once

#include <linux/netlink.h>
#include <stdbool.h>
#include <stdint.h>

#include "brnet.h"
#include "lib/netlink/nlmsg.h"
#include "lib/netlink/nlsock.h"
#include "shared/inaddr.h"

struct ct_tuple {
	struct inaddr src, dst;
	uint8_t proto;
	uint16_t sport, dport; /* host order; 0 for protocols without ports */
};

struct ct_entry {
	struct ct_tuple orig, reply;
	uint32_t id; /* CTA_ID as the kernel sent it (network order) */
	bool has_id;
	uint16_t zone; /* host order */
	bool has_zone;
};

/* Which IPv4 entries to forget. Unset fields match anything. */
struct ct_filter {
	uint8_t proto; /* 0: every protocol */
	uint16_t dport, dport_end; /* the original destination port within these; 0: any */
	struct inaddr orig_dst; /* the original destination; family 0: any */
	struct inaddr reply_src; /* who answers (after DNAT, the container); family 0: any */
	/* Only flows to an address of this host (the original destination), not ones this host
	 * or a container sends out to the same port elsewhere; not pure, asked of the kernel
	 * per entry that matches the rest (checked by the caller of ct_filter_match()). */
	bool to_host;
	/* Kept although it matches: entries already answered from here (made after the element
	 * that routes them here was in place). */
	struct inaddr spare_reply_src;
};

/* The dump request, with the kernel's filter (CTA_FILTER, Linux 5.8) for what can be given
 * to it exactly; older kernels ignore it and the caller's ct_filter_match() decides. */
void ct_build_dump(struct nlbuf *b, const struct ct_filter *f);
/* A delete of exactly this entry: its original tuple, its zone, and its id, so that a new
 * entry with the same tuple is not taken instead. */
void ct_build_delete(struct nlbuf *b, const struct ct_entry *e);
/* 1 and ret filled for an IPv4 conntrack entry, 0 for any other message, -EBADMSG if it is
 * malformed. Pure. */
int ct_parse(const struct nlmsghdr *nlh, struct ct_entry *ret);
/* Everything but to_host. Pure. */
bool ct_filter_match(const struct ct_filter *f, const struct ct_entry *e);

/* Deletes every entry that matches one of the n filters (one dump for all) over s, a
 * NETLINK_NETFILTER socket. Returns how many were deleted, or -errno. Entries that went away
 * on their own meanwhile do not count as errors. */
int ct_forget(struct nl_sock *s, const struct ct_filter *f, size_t n, struct brnet_error *err);
