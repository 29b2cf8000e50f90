/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nfnetlink_log: the requests that bind an NFLOG group, and the packets it delivers (parsed
 * without trusting a byte of them). */
#pragma once

#include <linux/netlink.h>
#include <stdint.h>

#include "lib/netlink/nlmsg.h"
#include "shared/inaddr.h"

struct nflog_packet {
	char prefix[64];
	struct inaddr source, destination;
	uint8_t protocol;
	uint16_t port; /* destination port for TCP and UDP, else 0 */
};

/* Bind group, copying the first copy_range bytes of each packet, each sent at once (a queue
 * threshold of one). Two requests. */
void nflog_build_bind(struct nlbuf *b, uint16_t group, uint32_t copy_range);
/* 1 and ret filled for an IPv4 packet message, 0 for any other message, -EBADMSG if it is
 * malformed. Pure. */
int nflog_parse(const struct nlmsghdr *nlh, struct nflog_packet *ret);
/* The netlink port bound to group, from the text of /proc/net/netfilter/nfnetlink_log (one
 * line per bound group: group, port, then counters): 1 and *port, 0 when no line has group,
 * -EBADMSG for a line that does not start with two numbers. The port of a process's first
 * netlink socket is its pid. Pure. */
int nflog_group_port(const char *text, uint16_t group, uint32_t *port);
