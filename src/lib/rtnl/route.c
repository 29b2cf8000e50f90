/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Routes: the container's default route via the gateway, and the table of its source route. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/rtnl/rtnl.h"
#include "shared/error.h"

void rtnl_build_route_default(struct nlbuf *b, const struct inaddr *gateway, int ifindex)
{
	struct rtmsg rtm = {
		.rtm_family = AF_INET,
		.rtm_dst_len = 0,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_STATIC,
		.rtm_scope = RT_SCOPE_UNIVERSE,
		.rtm_type = RTN_UNICAST,
	};

	/* Appended: a container on a second network (eth1) already has a default route, its
	 * first network's, which stays the one in use; this one takes over if that goes. */
	nlbuf_begin(b, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, &rtm, sizeof(rtm));
	nlbuf_put(b, RTA_GATEWAY, sizeof(struct in_addr), &gateway->v4);
	nlbuf_put_u32(b, RTA_OIF, (uint32_t)ifindex);
	nlbuf_end(b);
}

void rtnl_build_route_source_table(struct nlbuf *b, uint32_t table, const struct inprefix *local,
				   const struct inaddr *gateway, int ifindex)
{
	struct inaddr net = inaddr_v4_from_host(inaddr_v4_host(&local->addr) &
						prefix_v4_mask(local->len));
	struct rtmsg rtm = {
		.rtm_family = AF_INET,
		.rtm_dst_len = local->len,
		.rtm_table = RT_TABLE_UNSPEC, /* RTA_TABLE: the number may not fit eight bits */
		.rtm_protocol = RTPROT_STATIC,
		.rtm_scope = RT_SCOPE_LINK,
		.rtm_type = RTN_UNICAST,
	};

	/* Replacing: a route left by a setup killed before its rule is the same route. */
	nlbuf_begin(b, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK, &rtm, sizeof(rtm));
	nlbuf_put_u32(b, RTA_TABLE, table);
	nlbuf_put(b, RTA_DST, sizeof(struct in_addr), &net.v4);
	nlbuf_put(b, RTA_PREFSRC, sizeof(struct in_addr), &local->addr.v4);
	nlbuf_put_u32(b, RTA_OIF, (uint32_t)ifindex);
	nlbuf_end(b);

	rtm.rtm_dst_len = 0;
	rtm.rtm_scope = RT_SCOPE_UNIVERSE;
	nlbuf_begin(b, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE | NLM_F_ACK, &rtm, sizeof(rtm));
	nlbuf_put_u32(b, RTA_TABLE, table);
	nlbuf_put(b, RTA_GATEWAY, sizeof(struct in_addr), &gateway->v4);
	nlbuf_put_u32(b, RTA_OIF, (uint32_t)ifindex);
	nlbuf_end(b);
}

void rtnl_build_route_get(struct nlbuf *b, const struct inaddr *dst)
{
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 32 };

	nlbuf_begin(b, RTM_GETROUTE, NLM_F_ACK, &rtm, sizeof(rtm));
	nlbuf_put(b, RTA_DST, sizeof(struct in_addr), &dst->v4);
	nlbuf_end(b);
}

static int route_get_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct route_info *info = userdata;

	return rtnl_parse_route(nlh, info) < 0 ? -EBADMSG : 0;
}

int rtnl_route_get(struct nl_sock *s, const struct inaddr *dst, struct route_info *ret,
		   struct brnet_error *err)
{
	struct route_info info = { 0 };
	char buf[128];
	struct nlbuf b;
	int r;

	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_route_get(&b, dst);
	r = rtnl_run_cb(s, &b, route_get_cb, &info, err);
	if (r < 0)
		return r;
	if (info.family != AF_INET)
		return brnet_err(err, EBADMSG, "no route in the kernel's answer");
	*ret = info;
	return 0;
}

void rtnl_build_route_dump(struct nlbuf *b, int family)
{
	struct rtmsg rtm = { .rtm_family = (unsigned char)family };

	nlbuf_begin(b, RTM_GETROUTE, NLM_F_DUMP, &rtm, sizeof(rtm));
	nlbuf_end(b);
}

void rtnl_build_route_dump_main(struct nlbuf *b)
{
	/* With strict checking (4.20 on) the kernel sends only these; older ones send every
	 * route, which the reader must filter anyway. */
	struct rtmsg rtm = { .rtm_family = AF_INET,
			     .rtm_table = RT_TABLE_MAIN,
			     .rtm_type = RTN_UNICAST };

	nlbuf_begin(b, RTM_GETROUTE, NLM_F_DUMP, &rtm, sizeof(rtm));
	nlbuf_end(b);
}

static int parse_route_cb(const struct nlattr *attr, void *data)
{
	struct route_info *info = data;
	const struct nlattr *metric;

	switch (mnl_attr_get_type(attr)) {
	case RTA_DST:
	case RTA_GATEWAY:
		if (nlattr_get_in_addr(attr, mnl_attr_get_type(attr) == RTA_DST
						     ? &info->dst
						     : &info->gateway) < 0)
			return MNL_CB_ERROR;
		break;
	case RTA_OIF:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		info->oif = (int)mnl_attr_get_u32(attr);
		break;
	case RTA_TABLE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		info->table = mnl_attr_get_u32(attr);
		break;
	case RTA_METRICS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		mnl_attr_for_each_nested (metric, attr)
			if (mnl_attr_get_type(metric) == RTAX_MTU) {
				if (mnl_attr_validate(metric, MNL_TYPE_U32) < 0)
					return MNL_CB_ERROR;
				info->mtu = mnl_attr_get_u32(metric);
			}
		break;
	}
	return MNL_CB_OK;
}

int rtnl_parse_route(const struct nlmsghdr *nlh, struct route_info *ret)
{
	const struct rtmsg *rtm;
	struct route_info info = { 0 };

	if (nlh->nlmsg_type != RTM_NEWROUTE || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*rtm))
		return -EBADMSG;
	rtm = mnl_nlmsg_get_payload(nlh);
	info.family = rtm->rtm_family;
	info.dst_len = rtm->rtm_dst_len;
	info.type = rtm->rtm_type;
	info.table = rtm->rtm_table;
	if (rtm->rtm_family != AF_INET)
		return -EAFNOSUPPORT;
	if (mnl_attr_parse(nlh, sizeof(*rtm), parse_route_cb, &info) < 0)
		return -EBADMSG;
	*ret = info;
	return 0;
}

struct default_find {
	const struct inaddr *gateway;
	int ifindex;
	uint32_t table;
	bool found;
};

static int default_find_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct default_find *f = userdata;
	struct route_info r;

	if (rtnl_parse_route(nlh, &r) < 0)
		return 0; /* other families, and routes we cannot read, are not ours */
	if (r.dst_len == 0 && r.table == f->table && r.oif == f->ifindex &&
	    inaddr_equal(&r.gateway, f->gateway))
		f->found = true;
	return 0;
}

/* Every IPv4 route of the host, through cb. */
static int route_dump(struct nl_sock *s, nl_data_cb cb, void *userdata, struct brnet_error *err)
{
	char buf[256];
	struct nlbuf b;
	int r;

	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_route_dump(&b, AF_INET);
	r = nlbuf_finish(&b);
	return r < 0 ? r : nl_sock_transact(s, b.data, b.len, cb, userdata, err);
}

int rtnl_has_default_route(struct nl_sock *s, uint32_t table, const struct inaddr *gateway,
			   int ifindex, struct brnet_error *err)
{
	struct default_find f = { .gateway = gateway, .ifindex = ifindex, .table = table };
	int r = route_dump(s, default_find_cb, &f, err);

	return r < 0 ? r : f.found;
}

struct within_find {
	const struct inprefix *p;
	struct route_info *ret;
	bool found;
};

static int within_find_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct within_find *f = userdata;
	struct route_info r;

	if (f->found || rtnl_parse_route(nlh, &r) < 0 || r.dst.family != AF_INET)
		return 0;
	if ((r.table != RT_TABLE_MAIN && r.table != RT_TABLE_LOCAL) ||
	    (r.type != RTN_UNICAST && r.type != RTN_LOCAL && r.type != RTN_BLACKHOLE &&
	     r.type != RTN_UNREACHABLE && r.type != RTN_PROHIBIT) ||
	    r.dst_len < f->p->len || !inprefix_contains(f->p, &r.dst))
		return 0;
	*f->ret = r;
	f->found = true;
	return 0;
}

int rtnl_route_within(struct nl_sock *s, const struct inprefix *p, struct route_info *ret,
		      struct brnet_error *err)
{
	struct within_find f = { .p = p, .ret = ret };
	int r = route_dump(s, within_find_cb, &f, err);

	return r < 0 ? r : f.found;
}
