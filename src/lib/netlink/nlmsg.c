/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded request building on top of libmnl's *_check puts. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "lib/netlink/nlmsg.h"

static size_t room(const struct nlbuf *b)
{
	return b->size - (size_t)((char *)b->cur - b->data);
}

struct nlmsghdr *nlbuf_begin(struct nlbuf *b, uint16_t type, uint16_t flags, const void *hdr,
			     size_t hdrlen)
{
	struct nlmsghdr *nlh;

	b->cur = NULL;
	if (b->overflow || b->size - b->len < MNL_NLMSG_HDRLEN + MNL_ALIGN(hdrlen)) {
		b->overflow = true;
		return NULL;
	}
	nlh = mnl_nlmsg_put_header(b->data + b->len);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	if (hdrlen > 0)
		memcpy(mnl_nlmsg_put_extra_header(nlh, hdrlen), hdr, hdrlen);
	b->cur = nlh;
	return nlh;
}

void nlbuf_put(struct nlbuf *b, uint16_t type, size_t len, const void *data)
{
	if (!b->cur || b->overflow)
		return;
	if (!mnl_attr_put_check(b->cur, room(b), type, len, data))
		b->overflow = true;
}

void nlbuf_put_u8(struct nlbuf *b, uint16_t type, uint8_t v)
{
	nlbuf_put(b, type, sizeof(v), &v);
}

void nlbuf_put_u32(struct nlbuf *b, uint16_t type, uint32_t v)
{
	nlbuf_put(b, type, sizeof(v), &v);
}

void nlbuf_put_strz(struct nlbuf *b, uint16_t type, const char *s)
{
	nlbuf_put(b, type, strlen(s) + 1, s);
}

struct nlattr *nlbuf_nest_start(struct nlbuf *b, uint16_t type)
{
	struct nlattr *nest;

	if (!b->cur || b->overflow)
		return NULL;
	nest = mnl_attr_nest_start_check(b->cur, room(b), type);
	if (!nest)
		b->overflow = true;
	return nest;
}

void nlbuf_nest_end(struct nlbuf *b, struct nlattr *nest)
{
	if (!b->cur || b->overflow || !nest)
		return;
	mnl_attr_nest_end(b->cur, nest);
}

void nlbuf_end(struct nlbuf *b)
{
	if (!b->cur || b->overflow)
		return;
	b->len += NLMSG_ALIGN(b->cur->nlmsg_len);
	b->cur = NULL;
}

int nlbuf_finish(const struct nlbuf *b)
{
	return b->overflow ? -EMSGSIZE : 0;
}

/* RTM_NEW*, RTM_DEL*, RTM_SET* asking for no echo. (Only an RTM_GET* can be a dump: on these,
 * the bits of NLM_F_DUMP are NLM_F_EXCL and NLM_F_REPLACE.) */
static bool rtnl_answers_nothing(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_type >= RTM_BASE && (nlh->nlmsg_type - RTM_BASE) % 4 != 2 &&
	       !(nlh->nlmsg_flags & NLM_F_ECHO);
}

void nlbuf_ack_last(struct nlbuf *b)
{
	struct nlmsghdr *last = NULL;
	int rest = (int)b->len;

	for (struct nlmsghdr *nlh = (struct nlmsghdr *)b->data; mnl_nlmsg_ok(nlh, rest);
	     nlh = mnl_nlmsg_next(nlh, &rest)) {
		if (!rtnl_answers_nothing(nlh))
			continue;
		if (last)
			last->nlmsg_flags &= ~NLM_F_ACK;
		last = nlh;
	}
}

int nlattr_get_in_addr(const struct nlattr *a, struct inaddr *ret)
{
	if (mnl_attr_get_payload_len(a) != sizeof(ret->v4))
		return -EBADMSG;
	*ret = (struct inaddr){ .family = AF_INET };
	memcpy(&ret->v4, mnl_attr_get_payload(a), sizeof(ret->v4));
	return 0;
}
