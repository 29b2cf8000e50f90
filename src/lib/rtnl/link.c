/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Links: bridge and veth creation, lookup by name, up, delete. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <string.h>

#include "lib/rtnl/rtnl.h"
#include "shared/error.h"

/* A GETLINK or DELLINK, by index or by name (with the stats mask): under 64 bytes. Kept
 * small: these run deep in a setup, and every page of stack is a page fault. */
#define RTNL_SMALL_BUF 128

void rtnl_build_link_get(struct nlbuf *b, int ifindex, const char *name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex > 0 ? ifindex : 0 };

	nlbuf_begin(b, RTM_GETLINK, NLM_F_ACK, &ifi, sizeof(ifi));
	if (ifindex <= 0)
		nlbuf_put_strz(b, IFLA_IFNAME, name);
	/* Nothing here reads the counters: the kernel need not gather them (from every CPU). */
	nlbuf_put_u32(b, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	nlbuf_end(b);
}

/* A bridge option of IFLA_INFO_DATA, one byte, into the current request. */
static void put_bridge_option(struct nlbuf *b, uint16_t type, uint8_t v)
{
	struct nlattr *info = nlbuf_nest_start(b, IFLA_LINKINFO), *data;

	nlbuf_put_strz(b, IFLA_INFO_KIND, "bridge");
	data = nlbuf_nest_start(b, IFLA_INFO_DATA);
	nlbuf_put_u8(b, type, v);
	nlbuf_nest_end(b, data);
	nlbuf_nest_end(b, info);
}

static void build_bridge_option(struct nlbuf *b, int ifindex, uint16_t type, uint8_t v)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };

	nlbuf_begin(b, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof(ifi));
	put_bridge_option(b, type, v);
	nlbuf_end(b);
}

void rtnl_build_bridge_new(struct nlbuf *b, const char *name, const uint8_t mac[6])
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_flags = IFF_UP,
				 .ifi_change = IFF_UP };

	/* EXCL: a bridge that appeared meanwhile must be validated, not silently adopted. */
	nlbuf_begin(b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, &ifi, sizeof(ifi));
	nlbuf_put_strz(b, IFLA_IFNAME, name);
	if (mac)
		nlbuf_put(b, IFLA_ADDRESS, 6, mac);
	put_bridge_option(b, IFLA_BR_MCAST_SNOOPING, 0);
	nlbuf_end(b);
}

void rtnl_build_veth_new(struct nlbuf *b, const struct veth_spec *spec)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_flags = IFF_UP,
				 .ifi_change = IFF_UP };
	struct nlattr *info, *data, *peer;

	/* The peer is born in the target namespace under its final name, the host end is born
	 * enslaved to the bridge and is brought up by rtnl_build_bridge_port_up() once it
	 * exists. The peer cannot be born up: veth_open() refuses (-ENOTCONN) before the pair
	 * is linked. */
	ifi.ifi_flags = ifi.ifi_change = 0;
	/* ECHO: the kernel (6.3 and later) answers with the new host end, whose IFLA_LINK is
	 * the peer's index in its namespace, sparing a lookup there. */
	nlbuf_begin(b, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK | NLM_F_ECHO, &ifi,
		    sizeof(ifi));
	nlbuf_put_strz(b, IFLA_IFNAME, spec->host_name);
	if (spec->mtu)
		nlbuf_put_u32(b, IFLA_MTU, spec->mtu);
	if (spec->master_ifindex > 0)
		nlbuf_put_u32(b, IFLA_MASTER, (uint32_t)spec->master_ifindex);
	/* One queue each way, on both ends. Left out, a veth is made with one per possible CPU
	 * and cut to one once registered (veth_init_queues()), and each cut of the transmit
	 * queues waits for an RCU grace period under the RTNL lock: two per pair, about 80 us
	 * of a setup here. A container's veth uses one queue unless told otherwise (ethtool
	 * -L, for XDP), which this leaves out. */
	nlbuf_put_u32(b, IFLA_NUM_TX_QUEUES, 1);
	nlbuf_put_u32(b, IFLA_NUM_RX_QUEUES, 1);
	info = nlbuf_nest_start(b, IFLA_LINKINFO);
	nlbuf_put_strz(b, IFLA_INFO_KIND, "veth");
	data = nlbuf_nest_start(b, IFLA_INFO_DATA);
	peer = nlbuf_nest_start(b, VETH_INFO_PEER);
	/* VETH_INFO_PEER carries a struct ifinfomsg before its attributes. */
	ifi.ifi_flags = ifi.ifi_change = 0;
	if (b->cur && !b->overflow) {
		if (mnl_nlmsg_get_payload_len(b->cur) + MNL_ALIGN(sizeof(ifi)) + MNL_NLMSG_HDRLEN >
		    b->size - (size_t)((char *)b->cur - b->data))
			b->overflow = true;
		else
			memcpy(mnl_nlmsg_put_extra_header(b->cur, sizeof(ifi)), &ifi, sizeof(ifi));
	}
	nlbuf_put_strz(b, IFLA_IFNAME, spec->peer_name);
	if (spec->peer_netns_fd >= 0)
		nlbuf_put_u32(b, IFLA_NET_NS_FD, (uint32_t)spec->peer_netns_fd);
	if (spec->peer_mac)
		nlbuf_put(b, IFLA_ADDRESS, 6, spec->peer_mac);
	if (spec->mtu)
		nlbuf_put_u32(b, IFLA_MTU, spec->mtu);
	nlbuf_put_u32(b, IFLA_NUM_TX_QUEUES, 1);
	nlbuf_put_u32(b, IFLA_NUM_RX_QUEUES, 1);
	nlbuf_nest_end(b, peer);
	nlbuf_nest_end(b, data);
	nlbuf_nest_end(b, info);
	nlbuf_end(b);
}

/* IPv6 addresses are not generated. The kernel takes this only once the device exists, and
 * after the flags of the same message: a device that comes up with its carrier makes its
 * link-local address first. So it goes before the message that brings the device up, or
 * with it when the device has no carrier yet (a veth whose peer is down). */
static void put_no_ipv6_link_local(struct nlbuf *b)
{
	struct nlattr *af = nlbuf_nest_start(b, IFLA_AF_SPEC);
	struct nlattr *in6 = nlbuf_nest_start(b, AF_INET6);

	nlbuf_put_u8(b, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	nlbuf_nest_end(b, in6);
	nlbuf_nest_end(b, af);
}

void rtnl_build_bridge_port_up(struct nlbuf *b, int ifindex, const char *name, bool hairpin,
			       const char *alias, bool inet6)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex > 0 ? ifindex : 0 };

	/* Two requests. The first, while the port is down, sets what the kernel answers with
	 * a NETDEV_CHANGE notification when the device is up: on a port that is up without
	 * its carrier (the peer is still down), IPv6 then walks the whole routing table of the
	 * host (rt6_sync_down_dev()), which holds a route per bridge port: 0.2 ms at the
	 * thousandth container. The second only brings it up. */
	nlbuf_begin(b, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof(ifi));
	if (ifindex <= 0)
		nlbuf_put_strz(b, IFLA_IFNAME, name);
	if (alias)
		nlbuf_put_strz(b, IFLA_IFALIAS, alias);
	/* A bridge port needs no IPv6 link-local address: not generating one spares the host
	 * end addrconf, DAD and MLD work. */
	if (inet6)
		put_no_ipv6_link_local(b);
	if (hairpin) {
		/* With br_netfilter, a container's connection to its own published port is
		 * DNAT'ed while bridged and must leave through the port it came in by. */
		struct nlattr *info = nlbuf_nest_start(b, IFLA_LINKINFO), *data;

		nlbuf_put_strz(b, IFLA_INFO_SLAVE_KIND, "bridge");
		data = nlbuf_nest_start(b, IFLA_INFO_SLAVE_DATA);
		nlbuf_put_u8(b, IFLA_BRPORT_MODE, 1);
		nlbuf_nest_end(b, data);
		nlbuf_nest_end(b, info);
	}
	nlbuf_end(b);

	ifi.ifi_flags = ifi.ifi_change = IFF_UP;
	nlbuf_begin(b, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof(ifi));
	if (ifindex <= 0)
		nlbuf_put_strz(b, IFLA_IFNAME, name);
	nlbuf_end(b);
}

void rtnl_build_link_set_alias(struct nlbuf *b, int ifindex, const char *alias)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };

	nlbuf_begin(b, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof(ifi));
	nlbuf_put_strz(b, IFLA_IFALIAS, alias);
	nlbuf_end(b);
}

void rtnl_build_link_set_up(struct nlbuf *b, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_index = ifindex,
				 .ifi_flags = IFF_UP,
				 .ifi_change = IFF_UP };

	nlbuf_begin(b, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof(ifi));
	nlbuf_end(b);
}

void rtnl_build_link_set_up_ipv4(struct nlbuf *b, int ifindex, bool inet6)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };

	if (inet6) {
		nlbuf_begin(b, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof(ifi));
		put_no_ipv6_link_local(b);
		nlbuf_end(b);
	}
	rtnl_build_link_set_up(b, ifindex);
}

void rtnl_build_link_set_master(struct nlbuf *b, int ifindex, int master)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_index = ifindex,
				 .ifi_flags = IFF_UP,
				 .ifi_change = IFF_UP };

	nlbuf_begin(b, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof(ifi));
	nlbuf_put_u32(b, IFLA_MASTER, (uint32_t)master);
	nlbuf_end(b);
}

void rtnl_build_link_del(struct nlbuf *b, int ifindex, const char *name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex > 0 ? ifindex : 0 };

	nlbuf_begin(b, RTM_DELLINK, NLM_F_ACK, &ifi, sizeof(ifi));
	if (ifindex <= 0)
		nlbuf_put_strz(b, IFLA_IFNAME, name);
	nlbuf_end(b);
}

static int parse_bridge_data_cb(const struct nlattr *attr, void *data)
{
	struct link_info *info = data;

	if (mnl_attr_get_type(attr) == IFLA_BR_NF_CALL_IPTABLES &&
	    mnl_attr_validate(attr, MNL_TYPE_U8) >= 0)
		info->nf_call_iptables = mnl_attr_get_u8(attr) ? 1 : 0;
	if (mnl_attr_get_type(attr) == IFLA_BR_MCAST_SNOOPING &&
	    mnl_attr_validate(attr, MNL_TYPE_U8) >= 0)
		info->mcast_snooping = mnl_attr_get_u8(attr) ? 1 : 0;
	return MNL_CB_OK;
}

static int parse_linkinfo_cb(const struct nlattr *attr, void *data)
{
	struct link_info *info = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND) {
		if (mnl_attr_validate(attr, MNL_TYPE_STRING) < 0)
			return MNL_CB_ERROR;
		snprintf(info->kind, sizeof(info->kind), "%.*s",
			 (int)mnl_attr_get_payload_len(attr), mnl_attr_get_str(attr));
		/* A NUL inside the payload ends the kind early, as the kernel means it. */
	}
	/* The data's attributes are numbered per kind; the kernel puts the kind first. */
	if (mnl_attr_get_type(attr) == IFLA_INFO_DATA && strcmp(info->kind, "bridge") == 0 &&
	    mnl_attr_validate(attr, MNL_TYPE_NESTED) >= 0)
		(void)mnl_attr_parse_nested(attr, parse_bridge_data_cb, data);
	return MNL_CB_OK;
}

static int parse_inet_cb(const struct nlattr *attr, void *data)
{
	struct link_info *info = data;

	/* IFLA_INET_CONF: an array of u32 indexed by IPV4_DEVCONF_* - 1. */
	if (mnl_attr_get_type(attr) == IFLA_INET_CONF &&
	    mnl_attr_get_payload_len(attr) >= IPV4_DEVCONF_ROUTE_LOCALNET * sizeof(uint32_t)) {
		uint32_t v;

		memcpy(&v,
		       (const char *)mnl_attr_get_payload(attr) +
			       (IPV4_DEVCONF_ROUTE_LOCALNET - 1) * sizeof(uint32_t),
		       sizeof(v));
		info->route_localnet = v ? 1 : 0;
	}
	return MNL_CB_OK;
}

static int parse_af_cb(const struct nlattr *attr, void *data)
{
	struct link_info *info = data;

	if (mnl_attr_get_type(attr) == AF_INET && mnl_attr_validate(attr, MNL_TYPE_NESTED) >= 0)
		(void)mnl_attr_parse_nested(attr, parse_inet_cb, data);
	if (mnl_attr_get_type(attr) == AF_INET6)
		info->has_inet6 = true;
	return MNL_CB_OK;
}

static int parse_link_cb(const struct nlattr *attr, void *data)
{
	struct link_info *info = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
		    mnl_attr_get_payload_len(attr) > IFNAMSIZ)
			return MNL_CB_ERROR;
		snprintf(info->name, sizeof(info->name), "%s", mnl_attr_get_str(attr));
		break;
	case IFLA_MASTER:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		info->master = (int)mnl_attr_get_u32(attr);
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		info->mtu = mnl_attr_get_u32(attr);
		break;
	case IFLA_LINK:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		info->link = (int)mnl_attr_get_u32(attr);
		break;
	case IFLA_LINK_NETNSID:
		info->link_other_netns = true;
		break;
	case IFLA_IFALIAS:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		if (mnl_attr_get_payload_len(attr) <= sizeof(info->alias))
			snprintf(info->alias, sizeof(info->alias), "%s", mnl_attr_get_str(attr));
		break;
	case IFLA_ADDRESS:
		if (mnl_attr_get_payload_len(attr) == sizeof(info->mac)) {
			memcpy(info->mac, mnl_attr_get_payload(attr), sizeof(info->mac));
			info->has_mac = true;
		}
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(attr, parse_linkinfo_cb, info) < 0)
			return MNL_CB_ERROR;
		break;
	case IFLA_AF_SPEC:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(attr, parse_af_cb, info) < 0)
			return MNL_CB_ERROR;
		break;
	}
	return MNL_CB_OK;
}

int rtnl_parse_link(const struct nlmsghdr *nlh, struct link_info *ret)
{
	const struct ifinfomsg *ifi;
	struct link_info info = { .route_localnet = -1,
				  .nf_call_iptables = -1,
				  .mcast_snooping = -1 };

	if ((nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*ifi))
		return -EBADMSG;
	ifi = mnl_nlmsg_get_payload(nlh);
	info.ifindex = ifi->ifi_index;
	info.flags = ifi->ifi_flags;
	if (mnl_attr_parse(nlh, sizeof(*ifi), parse_link_cb, &info) < 0)
		return -EBADMSG;
	if (info.name[0] == '\0' || info.ifindex <= 0)
		return -EBADMSG;
	*ret = info;
	return 0;
}

int rtnl_run_cb(struct nl_sock *s, struct nlbuf *b, nl_data_cb cb, void *userdata,
		struct brnet_error *err)
{
	int r = nlbuf_finish(b);

	if (r < 0)
		return brnet_err(err, -r, "netlink request does not fit its buffer");
	nlbuf_ack_last(b);
	return nl_sock_transact(s, b->data, b->len, cb, userdata, err);
}

int rtnl_run(struct nl_sock *s, struct nlbuf *b, struct brnet_error *err)
{
	return rtnl_run_cb(s, b, NULL, NULL, err);
}

struct link_get {
	struct link_info *info;
	bool found;
};

static int link_get_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct link_get *g = userdata;
	int r;

	r = rtnl_parse_link(nlh, g->info);
	if (r < 0)
		return r;
	g->found = true;
	return 0;
}

/* By ifindex, or by name when ifindex is 0. */
static int link_get(struct nl_sock *s, int ifindex, const char *name, struct link_info *ret,
		    struct brnet_error *err)
{
	char buf[RTNL_SMALL_BUF];
	struct link_info info;
	struct link_get g = { .info = &info };
	struct nlbuf b;
	int r;

	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_link_get(&b, ifindex, name);
	r = nlbuf_finish(&b);
	if (r < 0)
		return r;
	r = nl_sock_transact(s, b.data, b.len, link_get_cb, &g, err);
	if (r == -ENODEV)
		return r; /* decided by callers: often "not there yet" */
	if (r < 0)
		return r;
	if (!g.found)
		return brnet_err(err, EBADMSG, "no link in the kernel's answer for %s",
				 ifindex > 0 ? "an index" : name);
	*ret = info;
	return 0;
}

int rtnl_link_get(struct nl_sock *s, const char *name, struct link_info *ret,
		  struct brnet_error *err)
{
	return link_get(s, 0, name, ret, err);
}

int rtnl_link_get_index(struct nl_sock *s, int ifindex, struct link_info *ret,
			struct brnet_error *err)
{
	return link_get(s, ifindex, "", ret, err);
}

int rtnl_link_del(struct nl_sock *s, int ifindex, const char *name, struct brnet_error *err)
{
	char buf[RTNL_SMALL_BUF];
	struct nlbuf b;

	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_link_del(&b, ifindex, name);
	return rtnl_run(s, &b, err);
}

void rtnl_build_bridge_nf_call_iptables(struct nlbuf *b, int ifindex)
{
	build_bridge_option(b, ifindex, IFLA_BR_NF_CALL_IPTABLES, 1);
}

void rtnl_build_bridge_mcast_snooping_off(struct nlbuf *b, int ifindex)
{
	build_bridge_option(b, ifindex, IFLA_BR_MCAST_SNOOPING, 0);
}

void rtnl_build_link_route_localnet(struct nlbuf *b, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nlattr *af, *in, *conf;

	nlbuf_begin(b, RTM_NEWLINK, NLM_F_ACK, &ifi, sizeof(ifi));
	af = nlbuf_nest_start(b, IFLA_AF_SPEC);
	in = nlbuf_nest_start(b, AF_INET);
	conf = nlbuf_nest_start(b, IFLA_INET_CONF);
	nlbuf_put_u32(b, IPV4_DEVCONF_ROUTE_LOCALNET, 1);
	nlbuf_nest_end(b, conf);
	nlbuf_nest_end(b, in);
	nlbuf_nest_end(b, af);
	nlbuf_end(b);
}

void rtnl_build_link_dump(struct nlbuf *b)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };

	nlbuf_begin(b, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi));
	nlbuf_put_u32(b, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	nlbuf_end(b);
}

struct link_dump {
	int (*fn)(const struct link_info *link, void *userdata);
	void *userdata;
};

static int link_dump_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct link_dump *d = userdata;
	struct link_info info;

	if (rtnl_parse_link(nlh, &info) < 0)
		return 0; /* a link we cannot read is not one of ours */
	return d->fn(&info, d->userdata);
}

int rtnl_link_dump(struct nl_sock *s, int (*fn)(const struct link_info *link, void *userdata),
		   void *userdata, struct brnet_error *err)
{
	struct link_dump d = { .fn = fn, .userdata = userdata };
	char buf[256];
	struct nlbuf b;

	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_link_dump(&b);
	if (nlbuf_finish(&b) < 0)
		return -EMSGSIZE;
	return nl_sock_transact(s, b.data, b.len, link_dump_cb, &d, err);
}
