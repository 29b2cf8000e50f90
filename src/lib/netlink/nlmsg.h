/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A bounded buffer of netlink requests. Builders append messages and attributes through libmnl's
 * checked puts; running out of room sets a sticky overflow flag, reported once as -EMSGSIZE by
 * nlbuf_finish(), so builder code reads straight through without a check after every put.
 */
#pragma once

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "shared/inaddr.h"

struct nlbuf {
	char *data;
	size_t size;
	size_t len; /* bytes of complete messages */
	struct nlmsghdr *cur;
	bool overflow;
};

static inline void nlbuf_init(struct nlbuf *b, void *data, size_t size)
{
	/* libmnl leaves attribute padding as it finds it; never send stale bytes to the kernel. */
	memset(data, 0, size);
	*b = (struct nlbuf){ .data = data, .size = size };
}

/* Starts a message with a family header of hdrlen bytes copied from hdr. */
struct nlmsghdr *nlbuf_begin(struct nlbuf *b, uint16_t type, uint16_t flags, const void *hdr,
			     size_t hdrlen);
void nlbuf_put(struct nlbuf *b, uint16_t type, size_t len, const void *data);
void nlbuf_put_u8(struct nlbuf *b, uint16_t type, uint8_t v);
void nlbuf_put_u32(struct nlbuf *b, uint16_t type, uint32_t v);
void nlbuf_put_strz(struct nlbuf *b, uint16_t type, const char *s);
struct nlattr *nlbuf_nest_start(struct nlbuf *b, uint16_t type);
void nlbuf_nest_end(struct nlbuf *b, struct nlattr *nest);
/* Closes the current message. */
void nlbuf_end(struct nlbuf *b);
/* 0, or -EMSGSIZE if anything did not fit. */
int nlbuf_finish(const struct nlbuf *b);
/* For rtnetlink requests sent together: an ack only from the last one that changes something.
 * The kernel runs them in order and answers a failing one whether asked or not, so the last
 * ack says that all are done; the others' acks were a buffer and a read each. Requests that
 * answer with data (a GET, a dump, an echo) keep theirs. */
void nlbuf_ack_last(struct nlbuf *b);

/* Reading replies: an attribute holding one IPv4 address (IFA_LOCAL, RTA_GATEWAY,
 * CTA_IP_V4_SRC...) into ret; -EBADMSG, ret untouched, when it is not four bytes long. */
int nlattr_get_in_addr(const struct nlattr *a, struct inaddr *ret);
