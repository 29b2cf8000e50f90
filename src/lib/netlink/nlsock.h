/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A netlink socket that sends a buffer of one or more requests in one sendmsg(), numbers them,
 * and drains every reply: data messages go to a callback, acks and errors are matched to their
 * request by sequence number (only the kernel's messages are read). The first error wins and
 * keeps the extended-ack text.
 */
#pragma once

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "brnet.h"
#include "shared/macro.h"

struct nl_sock;

/*
 * Message iteration that cannot be walked off the end. glibc's NLMSG_NEXT wraps a size_t
 * length, and libmnl's mnl_nlmsg_ok() casts nlmsg_len to int, so a length of 2^31 or more
 * passes its check; both were found by fuzzing with hostile replies.
 */
static inline bool nlmsg_ok(const struct nlmsghdr *nlh, size_t rest)
{
	return rest >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) && nlh->nlmsg_len <= rest;
}

static inline struct nlmsghdr *nlmsg_next(const struct nlmsghdr *nlh, size_t *rest)
{
	size_t step = NLMSG_ALIGN(nlh->nlmsg_len); /* nlmsg_ok() bounds it by the buffer */

	if (step > *rest)
		step = *rest;
	*rest -= step;
	return (struct nlmsghdr *)((char *)nlh + step);
}

typedef int (*nl_data_cb)(const struct nlmsghdr *nlh, void *userdata);

/* Opens a socket of protocol (NETLINK_ROUTE, NETLINK_NETFILTER) in the network namespace
 * netns_fd, or in the caller's when netns_fd < 0. Extended acks and strict checking on. */
int nl_sock_open(int protocol, int netns_fd, struct nl_sock **ret);
void nl_sock_free(struct nl_sock *s);
DEFINE_POINTER_CLEANUP(struct nl_sock, nl_sock_free)
/* For sockets that also receive unsolicited messages (NFLOG): poll and read it directly. */
int nl_sock_fd(const struct nl_sock *s);

/* Sends the len bytes of requests at buf and waits for every reply. Each request with
 * NLM_F_ACK or NLM_F_DUMP must be answered; requests are renumbered in place. Returns 0, or
 * the first kernel error (-errno) with err->msg holding the extended-ack text if there was
 * one, or the callback's first negative return. */
int nl_sock_transact(struct nl_sock *s, void *buf, size_t len, nl_data_cb cb, void *userdata,
		     struct brnet_error *err);

/* Parses an NLMSG_ERROR or NLMSG_DONE message: *ret_error is 0 or -errno; *ret_msg points
 * into nlh at the extended-ack message, or is NULL. Returns -EBADMSG if malformed. Pure. */
int nl_parse_ack(const struct nlmsghdr *nlh, size_t len, int *ret_error, const char **ret_msg);
