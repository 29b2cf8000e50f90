/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Addresses: add one, list a link's IPv4 addresses. */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/rtnl/rtnl.h"
#include "shared/error.h"

void rtnl_build_addr_new(struct nlbuf *b, int ifindex, const struct inprefix *local)
{
	struct ifaddrmsg ifa = {
		.ifa_family = AF_INET,
		.ifa_prefixlen = local->len,
		.ifa_scope = RT_SCOPE_UNIVERSE,
		.ifa_index = (uint32_t)ifindex,
	};
	struct inaddr brd = inprefix_v4_broadcast(local);

	nlbuf_begin(b, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, &ifa, sizeof(ifa));
	nlbuf_put(b, IFA_LOCAL, sizeof(struct in_addr), &local->addr.v4);
	nlbuf_put(b, IFA_ADDRESS, sizeof(struct in_addr), &local->addr.v4);
	/* /31 and /32 have no broadcast address (RFC 3021); we allow /8../30 only anyway. */
	if (local->len < 31)
		nlbuf_put(b, IFA_BROADCAST, sizeof(struct in_addr), &brd.v4);
	nlbuf_end(b);
}

void rtnl_build_addr_dump(struct nlbuf *b, int family, int ifindex)
{
	/* With NETLINK_GET_STRICT_CHK the kernel filters the dump by ifa_index for us. */
	struct ifaddrmsg ifa = { .ifa_family = (uint8_t)family, .ifa_index = (uint32_t)ifindex };

	nlbuf_begin(b, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa));
	nlbuf_end(b);
}

static int parse_addr_cb(const struct nlattr *attr, void *data)
{
	struct addr_info *info = data;
	uint16_t type = mnl_attr_get_type(attr);
	struct inaddr a;

	if (type != IFA_LOCAL && type != IFA_ADDRESS)
		return MNL_CB_OK;
	if (nlattr_get_in_addr(attr, &a) < 0)
		return MNL_CB_ERROR;
	/* IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on point-to-point links. */
	if (type == IFA_LOCAL || info->prefix.addr.family == 0)
		info->prefix.addr = a;
	return MNL_CB_OK;
}

int rtnl_parse_addr(const struct nlmsghdr *nlh, struct addr_info *ret)
{
	const struct ifaddrmsg *ifa;
	struct addr_info info = { 0 };

	if (nlh->nlmsg_type != RTM_NEWADDR || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*ifa))
		return -EBADMSG;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family != AF_INET)
		return -EAFNOSUPPORT;
	info.ifindex = (int)ifa->ifa_index;
	info.prefix.len = ifa->ifa_prefixlen;
	if (ifa->ifa_prefixlen > 32)
		return -EBADMSG;
	if (mnl_attr_parse(nlh, sizeof(*ifa), parse_addr_cb, &info) < 0)
		return -EBADMSG;
	if (info.prefix.addr.family != AF_INET)
		return -EBADMSG;
	*ret = info;
	return 0;
}

struct addr_list {
	int ifindex;
	struct addr_info *out;
	size_t max, n;
};

static int addr_list_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct addr_list *l = userdata;
	struct addr_info info;
	int r;

	r = rtnl_parse_addr(nlh, &info);
	if (r == -EAFNOSUPPORT)
		return 0;
	if (r < 0)
		return r;
	if (info.ifindex != l->ifindex)
		return 0; /* older kernels ignore the filter */
	if (l->n < l->max)
		l->out[l->n] = info;
	l->n++;
	return 0;
}

int rtnl_addr_list_v4(struct nl_sock *s, int ifindex, struct addr_info *ret, size_t max,
		      struct brnet_error *err)
{
	char buf[256];
	struct addr_list l = { .ifindex = ifindex, .out = ret, .max = max };
	struct nlbuf b;
	int r;

	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_addr_dump(&b, AF_INET, ifindex);
	r = nlbuf_finish(&b);
	if (r < 0)
		return r;
	r = nl_sock_transact(s, b.data, b.len, addr_list_cb, &l, err);
	if (r < 0)
		return r;
	return (int)l.n;
}
