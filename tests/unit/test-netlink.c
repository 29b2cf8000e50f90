/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rtnetlink builders (byte-exact and round trip), reply parsers, and ack/extended-ack parsing. */
#include <errno.h>
#include <stdio.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netinet/in.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <net/if.h>

#include "lib/netlink/nlsock.h"
#include "lib/rtnl/rtnl.h"
#include "lib/netlink/nflog.h"
#include "test-common.h"

static void test_link_del_golden(void **state)
{
	static const uint8_t golden[] = {
		48,  0,	  0,	       0,   RTM_DELLINK, 0,   0x05, 0x00,
		0,   0,	  0,	       0,   0,		 0,   0,    0, /* nlmsghdr */
		0,   0,	  0,	       0,   0,		 0,   0,    0,
		0,   0,	  0,	       0,   0,		 0,   0,    0, /* ifinfomsg */
		15,  0,	  IFLA_IFNAME, 0,   'v',	 'b', '0',  '1',
		'2', '3', '4',	       '5', '6',	 '7', 0,    0,
	};
	char buf[256];
	struct nlbuf b;

	memset(buf, 0xaa, sizeof(buf));
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_link_del(&b, 0, "vb01234567");
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(b.len, sizeof(golden));
	/* the padding byte after the name is whatever libmnl leaves: it zeroes it */
	assert_memory_equal(buf, golden, sizeof(golden));

	/* By index: the index in the header, no name. */
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_link_del(&b, 42, "vb01234567");
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(b.len, NLMSG_LENGTH(sizeof(struct ifinfomsg)));
	assert_int_equal(((struct ifinfomsg *)NLMSG_DATA((struct nlmsghdr *)buf))->ifi_index, 42);
}

/* The attribute of that type at the top of a link request, or NULL. */
static const struct nlattr *link_attr(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *attr;

	mnl_attr_for_each (attr, nlh, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(attr) == type)
			return attr;
	return NULL;
}

/* Lookups by name or index and the dump ask the kernel to leave out the counters: nothing reads
 * them, and gathering them visits every CPU. */
static void test_link_get(void **state)
{
	char buf[256];
	struct nlbuf b;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	const struct nlattr *mask, *name;

	for (int ifindex = 0; ifindex <= 7; ifindex += 7) {
		nlbuf_init(&b, buf, sizeof(buf));
		rtnl_build_link_get(&b, ifindex, "br0");
		assert_ok(nlbuf_finish(&b));
		assert_int_equal(nlh->nlmsg_type, RTM_GETLINK);
		assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
		assert_int_equal(((struct ifinfomsg *)NLMSG_DATA(nlh))->ifi_index, ifindex);
		/* By index, no name: a name would have to match as well. */
		name = link_attr(nlh, IFLA_IFNAME);
		if (ifindex)
			assert_null(name);
		else
			assert_string_equal(mnl_attr_get_str(name), "br0");
		mask = link_attr(nlh, IFLA_EXT_MASK);
		assert_non_null(mask);
		assert_int_equal(mnl_attr_get_u32(mask), RTEXT_FILTER_SKIP_STATS);
	}
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_link_dump(&b);
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	mask = link_attr(nlh, IFLA_EXT_MASK);
	assert_non_null(mask);
	assert_int_equal(mnl_attr_get_u32(mask), RTEXT_FILTER_SKIP_STATS);
}

/* Requests sent together: only the last that changes something asks for an ack; those that
 * answer with data keep theirs. */
static void test_ack_last(void **state)
{
	char buf[2048];
	struct nlbuf b;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 2 };
	struct inprefix p;
	struct inaddr gw;
	struct {
		uint16_t type, flags;
	} want[] = {
		{ RTM_NEWLINK, 0 }, /* lo up */
		{ RTM_NEWLINK, NLM_F_ECHO | NLM_F_ACK }, /* an echo answers with data */
		{ RTM_GETLINK, NLM_F_ACK }, /* so does a lookup */
		{ RTM_NEWADDR, 0 },
		{ RTM_NEWROUTE, NLM_F_ACK }, /* the last change */
		{ RTM_GETROUTE, 0 }, /* a dump after it answers with data */
	};
	size_t rest, n = 0;

	assert_ok(inprefix_parse_v4("10.0.42.2/24", &p));
	assert_ok(inaddr_parse_v4("10.0.42.1", &gw));
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_link_set_up(&b, 1);
	nlbuf_begin(&b, RTM_NEWLINK, NLM_F_ECHO | NLM_F_ACK, &ifi, sizeof(ifi));
	nlbuf_end(&b);
	rtnl_build_link_get(&b, 7, "br0");
	rtnl_build_addr_new(&b, 2, &p);
	rtnl_build_route_default(&b, &gw, 2);
	rtnl_build_route_dump_main(&b);
	assert_ok(nlbuf_finish(&b));
	nlbuf_ack_last(&b);
	rest = b.len;
	for (struct nlmsghdr *nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, rest);
	     nlh = nlmsg_next(nlh, &rest), n++) {
		assert_true(n < ELEMENTSOF(want));
		assert_int_equal(nlh->nlmsg_type, want[n].type);
		assert_int_equal(nlh->nlmsg_flags & (NLM_F_ACK | NLM_F_ECHO), want[n].flags);
		if (nlh->nlmsg_type == RTM_GETROUTE) {
			const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

			assert_int_equal(nlh->nlmsg_flags & NLM_F_DUMP, NLM_F_DUMP);
			assert_int_equal(rtm->rtm_table, RT_TABLE_MAIN);
			assert_int_equal(rtm->rtm_type, RTN_UNICAST);
		}
	}
	assert_int_equal(n, ELEMENTSOF(want));
}

static void test_route_default_golden(void **state)
{
	static const uint8_t golden[] = {
		44,
		0,
		0,
		0,
		RTM_NEWROUTE,
		0,
		0x05,
		0x0c, /* NLM_F_REQUEST | NLM_F_ACK, NLM_F_CREATE | NLM_F_APPEND */
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		AF_INET,
		0,
		0,
		0,
		RT_TABLE_MAIN,
		RTPROT_STATIC,
		RT_SCOPE_UNIVERSE,
		RTN_UNICAST,
		0,
		0,
		0,
		0,
		8,
		0,
		RTA_GATEWAY,
		0,
		10,
		0,
		42,
		1,
		8,
		0,
		RTA_OIF,
		0,
		7,
		0,
		0,
		0,
	};
	char buf[256];
	struct nlbuf b;
	struct inaddr gw;

	assert_ok(inaddr_parse_v4("10.0.42.1", &gw));
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_route_default(&b, &gw, 7);
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(b.len, sizeof(golden));
	assert_memory_equal(buf, golden, sizeof(golden));
}

static void test_addr_new_golden(void **state)
{
	static const uint8_t golden[] = {
		48,
		0,
		0,
		0,
		RTM_NEWADDR,
		0,
		0x05,
		0x06,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		0,
		AF_INET,
		25,
		0,
		RT_SCOPE_UNIVERSE,
		3,
		0,
		0,
		0,
		8,
		0,
		IFA_LOCAL,
		0,
		10,
		0,
		42,
		130,
		8,
		0,
		IFA_ADDRESS,
		0,
		10,
		0,
		42,
		130,
		8,
		0,
		IFA_BROADCAST,
		0,
		10,
		0,
		42,
		255,
	};
	char buf[256];
	struct nlbuf b;
	struct inprefix p;

	assert_ok(inprefix_parse_v4("10.0.42.130/25", &p));
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_addr_new(&b, 3, &p);
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(b.len, sizeof(golden));
	assert_memory_equal(buf, golden, sizeof(golden));
}

struct peer_seen {
	char name[IFNAMSIZ];
	uint32_t netns_fd, mtu, tx_queues, rx_queues;
};

static int peer_attr_cb(const struct nlattr *attr, void *data)
{
	struct peer_seen *p = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_IFNAME:
		snprintf(p->name, sizeof(p->name), "%s", mnl_attr_get_str(attr));
		break;
	case IFLA_NET_NS_FD:
		p->netns_fd = mnl_attr_get_u32(attr);
		break;
	case IFLA_MTU:
		p->mtu = mnl_attr_get_u32(attr);
		break;
	case IFLA_NUM_TX_QUEUES:
		p->tx_queues = mnl_attr_get_u32(attr);
		break;
	case IFLA_NUM_RX_QUEUES:
		p->rx_queues = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

static void test_veth_round_trip(void **state)
{
	struct veth_spec spec = {
		.host_name = "vbdeadbeef",
		.peer_name = "eth1",
		.peer_netns_fd = 9,
		.master_ifindex = 4,
		.mtu = 1400,
	};
	char buf[1024];
	struct nlbuf b;
	struct link_info info;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	const struct ifinfomsg *ifi;
	struct nlattr *attr, *linkinfo = NULL, *data = NULL, *peer = NULL;
	struct peer_seen seen = { 0 }, host = { 0 };

	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_veth_new(&b, &spec);
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(nlh->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(nlh->nlmsg_flags,
			 NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO | NLM_F_CREATE | NLM_F_EXCL);
	ifi = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifi->ifi_flags, 0); /* up comes in the second request */

	/* Our own parser reads the outer attributes back. */
	/* a request carries no ifindex: not a valid answer */
	assert_errno(rtnl_parse_link(nlh, &info), EBADMSG);
	{
		struct ifinfomsg *w = mnl_nlmsg_get_payload(nlh);

		w->ifi_index = 12; /* a request has no index; pretend it is an answer */
		assert_ok(rtnl_parse_link(nlh, &info));
		w->ifi_index = 0;
	}
	assert_string_equal(info.name, "vbdeadbeef");
	assert_int_equal(info.master, 4);
	assert_int_equal(info.mtu, 1400);
	assert_string_equal(info.kind, "veth");
	/* One queue each way, asked for: a veth left to its default of one per CPU is cut down
	 * to one after it is registered, and each cut waits for an RCU grace period. */
	assert_ok(mnl_attr_parse(nlh, sizeof(struct ifinfomsg), peer_attr_cb, &host) < 0 ? -EBADMSG
											 : 0);
	assert_int_equal(host.tx_queues, 1);
	assert_int_equal(host.rx_queues, 1);

	/* And the peer nest holds an ifinfomsg (flags 0: veth cannot open a half pair) and the
	 * peer's name, namespace and MTU. */
	mnl_attr_for_each (attr, nlh, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(attr) == IFLA_LINKINFO)
			linkinfo = attr;
	assert_non_null(linkinfo);
	mnl_attr_for_each_nested (attr, linkinfo)
		if (mnl_attr_get_type(attr) == IFLA_INFO_DATA)
			data = attr;
	assert_non_null(data);
	mnl_attr_for_each_nested (attr, data)
		if (mnl_attr_get_type(attr) == VETH_INFO_PEER)
			peer = attr;
	assert_non_null(peer);
	{
		const struct ifinfomsg *pifi = mnl_attr_get_payload(peer);
		const char *pattrs = (const char *)pifi + MNL_ALIGN(sizeof(*pifi));
		size_t plen = mnl_attr_get_payload_len(peer) - MNL_ALIGN(sizeof(*pifi));

		assert_int_equal(pifi->ifi_flags, 0);
		assert_ok(mnl_attr_parse_payload(pattrs, plen, peer_attr_cb, &seen) < 0 ? -EBADMSG
											: 0);
	}
	assert_string_equal(seen.name, "eth1");
	assert_int_equal(seen.netns_fd, 9);
	assert_int_equal(seen.mtu, 1400);
	assert_int_equal(seen.tx_queues, 1);
	assert_int_equal(seen.rx_queues, 1);

	assert_int_equal(b.len, nlh->nlmsg_len); /* one request: up comes once it exists */
}

/* A link request's IFLA_AF_SPEC / AF_INET6 / IFLA_INET6_ADDR_GEN_MODE; -1 without one. */
static int addr_gen_mode(const struct nlmsghdr *nlh)
{
	const struct nlattr *attr, *af = NULL, *in6 = NULL;

	mnl_attr_for_each (attr, nlh, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(attr) == IFLA_AF_SPEC)
			af = attr;
	if (!af)
		return -1;
	mnl_attr_for_each_nested (attr, af)
		if (mnl_attr_get_type(attr) == AF_INET6)
			in6 = attr;
	if (!in6)
		return -1;
	mnl_attr_for_each_nested (attr, in6)
		if (mnl_attr_get_type(attr) == IFLA_INET6_ADDR_GEN_MODE)
			return mnl_attr_get_u8(attr);
	return -1;
}

/* The host end up, without an IPv6 link-local address: by the index the kernel echoed, so
 * that it can reach no other link of that name. Two requests: what would make the kernel
 * notify a change of an up device (alias, IPv6 settings, port mode) while it is down, then
 * the up alone. */
static void test_bridge_port_up(void **state)
{
	char buf[512] __attribute__((aligned(4))) = { 0 };
	struct nlbuf b;
	struct nlmsghdr *set = (struct nlmsghdr *)buf, *up;
	const struct ifinfomsg *sifi = mnl_nlmsg_get_payload(set), *uifi;
	struct nlattr *attr, *alias = NULL, *linkinfo = NULL;
	bool named = false;

	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_bridge_port_up(&b, 17, "vbdeadbeef", false, NULL, true);
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(set->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(set->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK); /* no CREATE */
	assert_int_equal(sifi->ifi_index, 17);
	assert_int_equal(sifi->ifi_change, 0);
	assert_int_equal(addr_gen_mode(set), IN6_ADDR_GEN_MODE_NONE);
	up = mnl_nlmsg_next(set, &(int){ (int)b.len });
	assert_true(mnl_nlmsg_ok(up, (int)(b.len - set->nlmsg_len)));
	uifi = mnl_nlmsg_get_payload(up);
	assert_int_equal(up->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(up->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(uifi->ifi_index, 17);
	assert_int_equal(uifi->ifi_flags, IFF_UP);
	assert_int_equal(uifi->ifi_change, IFF_UP);
	assert_int_equal(up->nlmsg_len, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifinfomsg)));
	assert_int_equal(b.len, set->nlmsg_len + up->nlmsg_len);
	mnl_attr_for_each (attr, set, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(attr) == IFLA_IFNAME)
			named = true;
	assert_false(named);

	/* Without an index (a kernel that does not echo), both by name; the owner's mark and
	 * the hairpin go in the first. */
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_bridge_port_up(&b, 0, "vbdeadbeef", true, "brnet web/eth0", true);
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(sifi->ifi_index, 0);
	assert_int_equal(sifi->ifi_change, 0);
	mnl_attr_for_each (attr, set, sizeof(struct ifinfomsg)) {
		if (mnl_attr_get_type(attr) == IFLA_IFNAME) {
			assert_string_equal(mnl_attr_get_str(attr), "vbdeadbeef");
			named = true;
		}
		if (mnl_attr_get_type(attr) == IFLA_IFALIAS)
			alias = attr;
		if (mnl_attr_get_type(attr) == IFLA_LINKINFO)
			linkinfo = attr;
	}
	assert_true(named);
	assert_non_null(alias);
	assert_string_equal(mnl_attr_get_str(alias), "brnet web/eth0");
	assert_non_null(linkinfo);
	up = (struct nlmsghdr *)(buf + set->nlmsg_len);
	uifi = mnl_nlmsg_get_payload(up);
	assert_int_equal(uifi->ifi_index, 0);
	assert_int_equal(uifi->ifi_flags, IFF_UP);
	named = false;
	mnl_attr_for_each (attr, up, sizeof(struct ifinfomsg)) {
		assert_int_equal(mnl_attr_get_type(attr), IFLA_IFNAME);
		named = true;
	}
	assert_true(named);

	/* A port without IPv6 (an MTU below 1280): no IPv6 setting, which the kernel would
	 * refuse, and so the whole request; the rest as before. */
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_bridge_port_up(&b, 17, "vbdeadbeef", true, "brnet web/eth0", false);
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(sifi->ifi_index, 17);
	assert_int_equal(addr_gen_mode(set), -1);
	alias = linkinfo = NULL;
	mnl_attr_for_each (attr, set, sizeof(struct ifinfomsg)) {
		assert_int_not_equal(mnl_attr_get_type(attr), IFLA_AF_SPEC);
		if (mnl_attr_get_type(attr) == IFLA_IFALIAS)
			alias = attr;
		if (mnl_attr_get_type(attr) == IFLA_LINKINFO)
			linkinfo = attr;
	}
	assert_non_null(alias);
	assert_non_null(linkinfo);
	up = (struct nlmsghdr *)(buf + set->nlmsg_len);
	uifi = mnl_nlmsg_get_payload(up);
	assert_int_equal(uifi->ifi_flags, IFF_UP);
	assert_int_equal(b.len, set->nlmsg_len + up->nlmsg_len);
}

/* The container's interface: IPv6 address generation off in a request of its own, before
 * the one that brings it up (the kernel applies a request's flags before its IFLA_AF_SPEC,
 * and a link-local address made at the up would stay). */
static void test_link_set_up_ipv4(void **state)
{
	char buf[512] __attribute__((aligned(4))) = { 0 };
	struct nlbuf b;
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	const struct ifinfomsg *ifi;

	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_link_set_up_ipv4(&b, 2, true);
	assert_ok(nlbuf_finish(&b));

	ifi = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(ifi->ifi_index, 2);
	assert_int_equal(ifi->ifi_change, 0);
	assert_int_equal(addr_gen_mode(nlh), IN6_ADDR_GEN_MODE_NONE);

	nlh = (const struct nlmsghdr *)(buf + NLMSG_ALIGN(nlh->nlmsg_len));
	assert_true((const char *)nlh < buf + b.len);
	ifi = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(ifi->ifi_index, 2);
	assert_int_equal(ifi->ifi_flags, IFF_UP);
	assert_int_equal(ifi->ifi_change, IFF_UP);
	assert_int_equal(addr_gen_mode(nlh), -1);
	assert_int_equal((const char *)nlh + nlh->nlmsg_len, buf + b.len);

	/* Without IPv6 on the interface: the up alone. */
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_link_set_up_ipv4(&b, 2, false);
	assert_ok(nlbuf_finish(&b));
	nlh = (const struct nlmsghdr *)buf;
	ifi = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifi->ifi_flags, IFF_UP);
	assert_int_equal(ifi->ifi_change, IFF_UP);
	assert_int_equal(addr_gen_mode(nlh), -1);
	assert_int_equal(nlh->nlmsg_len, b.len);
}

/* The kernel's echo of a new veth's host end: IFLA_LINK is the peer's index, and only
 * IFLA_LINK_NETNSID says that index is in another namespace. */
static void test_parse_veth_echo(void **state)
{
	char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct link_info info;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 9;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "vbdeadbeef");
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, "brnet web/eth0");
	mnl_attr_put_u32(nlh, IFLA_LINK, 2);
	assert_ok(rtnl_parse_link(nlh, &info));
	assert_int_equal(info.link, 2);
	assert_string_equal(info.alias, "brnet web/eth0");
	assert_false(info.link_other_netns); /* same namespace: not the peer we want */
	mnl_attr_put_u32(nlh, IFLA_LINK_NETNSID, 0);
	assert_ok(rtnl_parse_link(nlh, &info));
	assert_int_equal(info.link, 2);
	assert_true(info.link_other_netns);

	/* IPv6 state: an AF_INET6 nest in IFLA_AF_SPEC, absent from a link without it. */
	assert_false(info.has_inet6);
	{
		struct nlattr *af = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
		struct nlattr *in6 = mnl_attr_nest_start(nlh, AF_INET6);

		mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_EUI64);
		mnl_attr_nest_end(nlh, in6);
		mnl_attr_nest_end(nlh, af);
	}
	assert_ok(rtnl_parse_link(nlh, &info));
	assert_true(info.has_inet6);
}

/* A link of kind with IFLA_INFO_DATA holding attribute 'type' (a u8 of value v) when type > 0. */
static struct nlmsghdr *link_with_data(char *buf, const char *kind, uint16_t type, uint8_t v)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct nlattr *info, *data;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 4;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "brnet0");
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	if (type > 0)
		mnl_attr_put_u8(nlh, type, v);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nlh;
}

/* The u8 attribute of that type in the bridge data (IFLA_LINKINFO/IFLA_INFO_DATA, kind
 * "bridge") of the request in buf, or -1 when it is not there. */
static int bridge_data_u8(const char *buf, uint16_t type)
{
	const struct nlattr *attr, *linkinfo = NULL, *data = NULL;
	const char *kind = NULL;

	mnl_attr_for_each (attr, (const struct nlmsghdr *)buf, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(attr) == IFLA_LINKINFO)
			linkinfo = attr;
	assert_non_null(linkinfo);
	mnl_attr_for_each_nested (attr, linkinfo) {
		if (mnl_attr_get_type(attr) == IFLA_INFO_KIND)
			kind = mnl_attr_get_str(attr);
		if (mnl_attr_get_type(attr) == IFLA_INFO_DATA)
			data = attr;
	}
	assert_non_null(kind);
	assert_string_equal(kind, "bridge");
	assert_non_null(data);
	mnl_attr_for_each_nested (attr, data)
		if (mnl_attr_get_type(attr) == type)
			return mnl_attr_get_u8(attr);
	return -1;
}

/* A bridge's own br_netfilter switch, read from its link and turned on by ours. */
static void test_bridge_nf_call_iptables(void **state)
{
	char buf[256] __attribute__((aligned(4))) = { 0 };
	struct link_info info;
	struct nlbuf b;

	assert_ok(
		rtnl_parse_link(link_with_data(buf, "bridge", IFLA_BR_NF_CALL_IPTABLES, 1), &info));
	assert_int_equal(info.nf_call_iptables, 1);
	assert_ok(
		rtnl_parse_link(link_with_data(buf, "bridge", IFLA_BR_NF_CALL_IPTABLES, 0), &info));
	assert_int_equal(info.nf_call_iptables, 0);
	assert_ok(rtnl_parse_link(link_with_data(buf, "bridge", 0, 0), &info));
	assert_int_equal(info.nf_call_iptables, -1); /* not reported */
	/* Data attributes are numbered per kind: the same number means nothing for a veth. */
	assert_ok(rtnl_parse_link(link_with_data(buf, "veth", IFLA_BR_NF_CALL_IPTABLES, 1), &info));
	assert_int_equal(info.nf_call_iptables, -1);

	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_bridge_nf_call_iptables(&b, 4);
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(((const struct nlmsghdr *)buf)->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(((const struct ifinfomsg *)(buf + NLMSG_HDRLEN))->ifi_index, 4);
	assert_int_equal(((const struct ifinfomsg *)(buf + NLMSG_HDRLEN))->ifi_change, 0);
	assert_int_equal(bridge_data_u8(buf, IFLA_BR_NF_CALL_IPTABLES), 1);
}

/* A bridge is born with multicast snooping off, an older one is switched off, and the setting
 * is read from a bridge's answer. */
static void test_bridge_mcast_snooping(void **state)
{
	char buf[256] __attribute__((aligned(4))) = { 0 };
	const uint8_t mac[6] = { 0x02, 1, 2, 3, 4, 5 };
	struct link_info info;
	struct nlbuf b;

	assert_ok(rtnl_parse_link(link_with_data(buf, "bridge", IFLA_BR_MCAST_SNOOPING, 1), &info));
	assert_int_equal(info.mcast_snooping, 1);
	assert_ok(rtnl_parse_link(link_with_data(buf, "bridge", IFLA_BR_MCAST_SNOOPING, 0), &info));
	assert_int_equal(info.mcast_snooping, 0);
	assert_ok(rtnl_parse_link(link_with_data(buf, "bridge", 0, 0), &info));
	assert_int_equal(info.mcast_snooping, -1);

	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_bridge_new(&b, "br0", mac);
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(((const struct nlmsghdr *)buf)->nlmsg_flags & NLM_F_CREATE, NLM_F_CREATE);
	assert_int_equal(bridge_data_u8(buf, IFLA_BR_MCAST_SNOOPING), 0);

	/* Its mark, set once it exists (the kernel ignores an alias in a creation). */
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_link_set_alias(&b, 4, "brnet state /run/brnet");
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(((const struct nlmsghdr *)buf)->nlmsg_flags & NLM_F_CREATE, 0);
	assert_int_equal(((const struct ifinfomsg *)(buf + NLMSG_HDRLEN))->ifi_index, 4);
	{
		const struct nlattr *attr, *alias = NULL;

		mnl_attr_for_each (attr, (const struct nlmsghdr *)buf, sizeof(struct ifinfomsg))
			if (mnl_attr_get_type(attr) == IFLA_IFALIAS)
				alias = attr;
		assert_non_null(alias);
		assert_string_equal(mnl_attr_get_str(alias), "brnet state /run/brnet");
	}

	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_bridge_mcast_snooping_off(&b, 4);
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(((const struct nlmsghdr *)buf)->nlmsg_flags & NLM_F_CREATE, 0);
	assert_int_equal(((const struct ifinfomsg *)(buf + NLMSG_HDRLEN))->ifi_index, 4);
	assert_int_equal(bridge_data_u8(buf, IFLA_BR_MCAST_SNOOPING), 0);
	assert_int_equal(bridge_data_u8(buf, IFLA_BR_NF_CALL_IPTABLES), -1);
}

static void test_builder_overflow(void **state)
{
	char buf[40];
	struct nlbuf b;
	struct veth_spec spec = { .host_name = "vb00000000",
				  .peer_name = "eth0",
				  .peer_netns_fd = 3 };

	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_veth_new(&b, &spec);
	assert_errno(nlbuf_finish(&b), EMSGSIZE);
	assert_int_equal(b.len, 0);
}

/* A route as a dump gives it: destination (none for a default route), type, table, gateway
 * and link, which the check of a new network's subnet reads. */
static void test_parse_route(void **state)
{
	char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct rtmsg *rtm;
	struct route_info info;
	struct inaddr gw, dst;
	char s[INADDR_STRLEN];
	struct nlbuf b;

	assert_ok(inaddr_parse_v4("10.0.42.1", &gw));
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_route_default(&b, &gw, 7);
	assert_ok(nlbuf_finish(&b));
	nlh->nlmsg_type = RTM_NEWROUTE; /* the dump's answers are RTM_NEWROUTE too */
	assert_ok(rtnl_parse_route(nlh, &info));
	assert_int_equal(info.dst.family, 0);
	assert_int_equal(info.dst_len, 0);
	assert_int_equal(info.type, RTN_UNICAST);
	assert_int_equal(info.table, RT_TABLE_MAIN);
	assert_int_equal(info.oif, 7);
	assert_true(inaddr_equal(&info.gateway, &gw));

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	*rtm = (struct rtmsg){ .rtm_family = AF_INET,
			       .rtm_dst_len = 32,
			       .rtm_table = RT_TABLE_LOCAL,
			       .rtm_type = RTN_LOCAL };
	assert_ok(inaddr_parse_v4("10.78.0.9", &dst));
	mnl_attr_put(nlh, RTA_DST, sizeof(dst.v4), &dst.v4);
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	assert_ok(rtnl_parse_route(nlh, &info));
	assert_string_equal(inaddr_to_string(&info.dst, s), "10.78.0.9");
	assert_int_equal(info.dst_len, 32);
	assert_int_equal(info.type, RTN_LOCAL);
	assert_int_equal(info.table, RT_TABLE_LOCAL);
	assert_int_equal(info.gateway.family, 0);

	/* A destination of the wrong length is a malformed answer. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	*rtm = (struct rtmsg){ .rtm_family = AF_INET, .rtm_dst_len = 24 };
	mnl_attr_put(nlh, RTA_DST, 3, &dst.v4);
	assert_errno(rtnl_parse_route(nlh, &info), EBADMSG);
}

/* A lookup, and its answer as the kernel sent it (captured from 6.1: the route to 192.0.2.1 by
 * a default route of MTU 1300 on link 3, with RTA_CACHEINFO and RTA_UID beside), whose route
 * MTU a new network takes when lower than its link's; a malformed one is refused. */
static void test_route_get(void **state)
{
	static const uint8_t kernel[] __attribute__((aligned(4))) = {
		0x7c, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x20, 0x52,
		0x00, 0x00, 0x02, 0x20, 0x00, 0x00, 0xfe, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00,
		0x08, 0x00, 0x0f, 0x00, 0xfe, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0xc0, 0x00,
		0x02, 0x01, 0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x07, 0x00,
		0xc6, 0x33, 0x64, 0x02, 0x08, 0x00, 0x05, 0x00, 0xc6, 0x33, 0x64, 0x01, 0x0c, 0x00,
		0x08, 0x00, 0x08, 0x00, 0x02, 0x00, 0x14, 0x05, 0x00, 0x00, 0x08, 0x00, 0x19, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x24, 0x00, 0x0c, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	const struct nlattr *attr;
	struct route_info info;
	struct inaddr dst, got = { 0 };
	char s[INADDR_STRLEN];
	struct nlattr *metrics;
	struct nlbuf b;

	assert_ok(inaddr_parse_v4("192.0.2.1", &dst));
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_route_get(&b, &dst);
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(nlh->nlmsg_type, RTM_GETROUTE);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK); /* a lookup, no dump */
	assert_int_equal(((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_dst_len, 32);
	mnl_attr_for_each (attr, nlh, sizeof(struct rtmsg))
		if (mnl_attr_get_type(attr) == RTA_DST)
			assert_int_equal(nlattr_get_in_addr(attr, &got), 0);
	assert_true(inaddr_equal(&got, &dst));

	assert_ok(rtnl_parse_route((const struct nlmsghdr *)kernel, &info));
	assert_int_equal(info.type, RTN_UNICAST);
	assert_int_equal(info.oif, 3);
	assert_int_equal(info.mtu, 1300);
	assert_string_equal(inaddr_to_string(&info.gateway, s), "198.51.100.1");

	/* Without metrics, no MTU; an RTAX_MTU that is not four bytes is malformed. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	*(struct rtmsg *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg)) = (struct rtmsg){
		.rtm_family = AF_INET, .rtm_type = RTN_UNICAST
	};
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	assert_ok(rtnl_parse_route(nlh, &info));
	assert_int_equal(info.mtu, 0);
	metrics = mnl_attr_nest_start(nlh, RTA_METRICS);
	mnl_attr_put_u16(nlh, RTAX_MTU, 1300);
	mnl_attr_nest_end(nlh, metrics);
	assert_errno(rtnl_parse_route(nlh, &info), EBADMSG);
}

/* A source route's table: the address's subnet on link from the address, and the default
 * route via the gateway, both in the table (a number past eight bits: RTA_TABLE), replacing. */
static void test_route_source_table(void **state)
{
	char buf[512] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct inprefix local;
	struct inaddr gw, prefsrc = { 0 };
	const struct nlattr *attr;
	struct route_info info;
	char s[INADDR_STRLEN];
	struct nlbuf b;
	size_t rest;

	assert_ok(inprefix_parse_v4("10.0.43.2/24", &local));
	assert_ok(inaddr_parse_v4("10.0.43.1", &gw));
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_route_source_table(&b, 167783170, &local, &gw, 9);
	assert_ok(nlbuf_finish(&b));
	rest = b.len;

	assert_true(nlmsg_ok(nlh, rest));
	assert_int_equal(nlh->nlmsg_type, RTM_NEWROUTE);
	assert_int_equal(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_REPLACE | NLM_F_EXCL),
			 NLM_F_CREATE | NLM_F_REPLACE);
	assert_int_equal(((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_scope, RT_SCOPE_LINK);
	assert_ok(rtnl_parse_route(nlh, &info));
	assert_string_equal(inaddr_to_string(&info.dst, s), "10.0.43.0");
	assert_int_equal(info.dst_len, 24);
	assert_int_equal(info.table, 167783170);
	assert_int_equal(info.gateway.family, 0);
	assert_int_equal(info.oif, 9);
	mnl_attr_for_each (attr, nlh, sizeof(struct rtmsg))
		if (mnl_attr_get_type(attr) == RTA_PREFSRC)
			assert_int_equal(nlattr_get_in_addr(attr, &prefsrc), 0);
	assert_true(inaddr_equal(&prefsrc, &local.addr));

	nlh = nlmsg_next(nlh, &rest);
	assert_true(nlmsg_ok(nlh, rest));
	assert_int_equal(nlh->nlmsg_type, RTM_NEWROUTE);
	assert_int_equal(((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_scope,
			 RT_SCOPE_UNIVERSE);
	assert_ok(rtnl_parse_route(nlh, &info));
	assert_int_equal(info.dst_len, 0);
	assert_int_equal(info.table, 167783170);
	assert_true(inaddr_equal(&info.gateway, &gw));
	assert_int_equal(info.oif, 9);
	nlh = nlmsg_next(nlh, &rest);
	assert_false(nlmsg_ok(nlh, rest));
}

/* A source route's rule as the kernel dumps it (captured from 6.1, table past eight bits and
 * FRA_SUPPRESS_PREFIXLEN, FRA_PROTOCOL beside ours); the builder's, read back; and what the
 * reader refuses. */
static void test_rule(void **state)
{
	static const uint8_t kernel[] __attribute__((aligned(4))) = {
		0x44, 0x00, 0x00, 0x00, 0x20, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0xfa, 0x1d,
		0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0xfc, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x08, 0x00, 0x0f, 0x00, 0x02, 0x2b, 0x00, 0x0a, 0x08, 0x00, 0x0e, 0x00, 0xff, 0xff,
		0xff, 0xff, 0x05, 0x00, 0x15, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x06, 0x00,
		0xfd, 0x7f, 0x00, 0x00, 0x08, 0x00, 0x02, 0x00, 0x0a, 0x00, 0x2b, 0x02,
	};
	char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct rule_info want = { .src_len = 32, .table = 167783170, .priority = 32765 };
	struct rule_info got;
	char s[INADDR_STRLEN];
	struct nlbuf b;

	assert_ok(inaddr_parse_v4("10.0.43.2", &want.src));
	assert_ok(rtnl_parse_rule((const struct nlmsghdr *)kernel, &got));
	assert_string_equal(inaddr_to_string(&got.src, s), "10.0.43.2");
	assert_int_equal(got.src_len, 32);
	assert_int_equal(got.action, FR_ACT_TO_TBL);
	assert_int_equal(got.table, 167783170);
	assert_int_equal(got.priority, 32765);

	/* Made exclusive, removed without: each names source, priority and table. */
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_rule(&b, RTM_NEWRULE, &want);
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK),
			 NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
	assert_ok(rtnl_parse_rule(nlh, &got));
	assert_true(inaddr_equal(&got.src, &want.src));
	assert_int_equal(got.action, FR_ACT_TO_TBL);
	assert_int_equal(got.table, want.table);
	assert_int_equal(got.priority, want.priority);
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_rule(&b, RTM_DELRULE, &want);
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL), 0);
	nlh->nlmsg_type = RTM_NEWRULE; /* as a dump would answer */
	assert_ok(rtnl_parse_rule(nlh, &got));
	assert_int_equal(got.table, want.table);

	/* Another family, a short header, a source of the wrong length. */
	((struct fib_rule_hdr *)mnl_nlmsg_get_payload(nlh))->family = AF_INET6;
	assert_errno(rtnl_parse_rule(nlh, &got), EAFNOSUPPORT);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWRULE;
	assert_errno(rtnl_parse_rule(nlh, &got), EBADMSG);
	*(struct fib_rule_hdr *)mnl_nlmsg_put_extra_header(
		nlh, sizeof(struct fib_rule_hdr)) = (struct fib_rule_hdr){ .family = AF_INET,
									   .src_len = 32 };
	mnl_attr_put(nlh, FRA_SRC, 3, &want.src.v4);
	assert_errno(rtnl_parse_rule(nlh, &got), EBADMSG);
}

static void test_parse_addr(void **state)
{
	char buf[256];
	struct nlbuf b;
	struct inprefix p;
	struct addr_info info;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	char s[PREFIX_STRLEN];

	assert_ok(inprefix_parse_v4("10.0.42.1/24", &p));
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_addr_new(&b, 5, &p);
	assert_ok(rtnl_parse_addr(nlh, &info));
	assert_int_equal(info.ifindex, 5);
	assert_string_equal(inprefix_to_string(&info.prefix, s), "10.0.42.1/24");

	nlh->nlmsg_type = RTM_NEWLINK;
	assert_errno(rtnl_parse_addr(nlh, &info), EBADMSG);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_len = 20; /* shorter than its ifaddrmsg */
	assert_errno(rtnl_parse_addr(nlh, &info), EBADMSG);
}

/* Builds an NLMSG_ERROR as the kernel does, optionally with the echoed request and TLVs. */
static size_t make_error(char *buf, int error, bool capped, const char *extmsg)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;
	struct nlmsghdr req = { .nlmsg_len = 32, .nlmsg_type = RTM_NEWLINK, .nlmsg_seq = 7 };

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = 7;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = error;
	e->msg = req;
	if (capped) {
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	} else {
		/* echo the 16-byte payload of the request */
		mnl_nlmsg_put_extra_header(nlh, 16);
	}
	if (extmsg) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_OFFS + 10, "ignored-unknown");
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, extmsg);
	}
	return nlh->nlmsg_len;
}

static void test_parse_ack(void **state)
{
	char buf[512];
	const char *msg;
	int e;
	size_t len;

	len = make_error(buf, 0, true, NULL);
	assert_ok(nl_parse_ack((struct nlmsghdr *)buf, len, &e, &msg));
	assert_int_equal(e, 0);
	assert_null(msg);

	len = make_error(buf, -EEXIST, true, "Device already exists");
	assert_ok(nl_parse_ack((struct nlmsghdr *)buf, len, &e, &msg));
	assert_int_equal(e, -EEXIST);
	assert_string_equal(msg, "Device already exists");

	len = make_error(buf, -ENODEV, false, "no such device here");
	assert_ok(nl_parse_ack((struct nlmsghdr *)buf, len, &e, &msg));
	assert_int_equal(e, -ENODEV);
	assert_string_equal(msg, "no such device here");

	len = make_error(buf, -EPERM, false, NULL);
	assert_ok(nl_parse_ack((struct nlmsghdr *)buf, len, &e, &msg));
	assert_int_equal(e, -EPERM);
	assert_null(msg);

	/* truncated: claims more than was received */
	len = make_error(buf, -EPERM, true, NULL);
	assert_errno(nl_parse_ack((struct nlmsghdr *)buf, len - 4, &e, &msg), EBADMSG);

	/* an ext-ack message without its NUL is refused rather than read past */
	len = make_error(buf, -EINVAL, true, "x");
	{
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
		struct nlattr *last = (struct nlattr *)(buf + len -
							MNL_ALIGN(sizeof(struct nlattr) + 2));

		assert_int_equal(mnl_attr_get_type(last), NLMSGERR_ATTR_MSG);
		((char *)mnl_attr_get_payload(last))[1] = 'y';
		assert_errno(nl_parse_ack(nlh, len, &e, &msg), EBADMSG);
	}
}

static void test_parse_done(void **state)
{
	char buf[64];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int v = -ENOENT, e;
	const char *msg;

	nlh->nlmsg_type = NLMSG_DONE;
	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(v)), &v, sizeof(v));
	assert_ok(nl_parse_ack(nlh, nlh->nlmsg_len, &e, &msg));
	assert_int_equal(e, -ENOENT);
}

/* /proc/net/netfilter/nfnetlink_log as the kernel writes it: who has a group. */
static void test_nflog_group_port(void **state)
{
	const char *text = " 4241   1200     0 2   128    100  1\n"
			   " 4242   6486     0 2   128    100  1\n";
	uint32_t port = 0;

	(void)state;
	assert_int_equal(nflog_group_port(text, 4242, &port), 1);
	assert_int_equal(port, 6486);
	assert_int_equal(nflog_group_port(text, 4241, &port), 1);
	assert_int_equal(port, 1200);
	assert_int_equal(nflog_group_port(text, 7, &port), 0);
	assert_int_equal(nflog_group_port("", 4242, &port), 0);
	assert_int_equal(nflog_group_port(" 4242\n", 4242, &port), -EBADMSG);
	assert_int_equal(nflog_group_port("x 1\n", 4242, &port), -EBADMSG);
	assert_int_equal(nflog_group_port(" 70000 1\n", 4242, &port), -EBADMSG);
}

static void test_parse_nflog(void **state)
{
	static const uint8_t ip[] = {
		0x45, 0, 0,   28, 0,   0, 0,	0,    64,   17,	  0, 0, 10, 0,
		42,   2, 198, 51, 100, 1, 0x9c, 0x40, 0x14, 0xe9, 0, 8, 0,  0
	};
	struct nfgenmsg g = { .nfgen_family = AF_INET, .res_id = htons(4242) };
	struct nflog_packet p;
	char buf[256], addr[INADDR_STRLEN];
	struct nlbuf b;

	nlbuf_init(&b, buf, sizeof(buf));
	nlbuf_begin(&b, NFNL_SUBSYS_ULOG << 8 | NFULNL_MSG_PACKET, 0, &g, sizeof(g));
	nlbuf_put_strz(&b, NFULA_PREFIX, "brnet-egress");
	nlbuf_put(&b, NFULA_PAYLOAD, sizeof(ip), ip);
	nlbuf_end(&b);
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(nflog_parse((struct nlmsghdr *)buf, &p), 1);
	assert_string_equal(p.prefix, "brnet-egress");
	assert_string_equal(inaddr_to_string(&p.source, addr), "10.0.42.2");
	assert_string_equal(inaddr_to_string(&p.destination, addr), "198.51.100.1");
	assert_int_equal(p.protocol, 17);
	assert_int_equal(p.port, 5353);

	/* an IHL that points past the payload is refused; another message type is ignored */
	buf[NLMSG_HDRLEN + sizeof(g) + NLA_ALIGN(NLA_HDRLEN + sizeof("brnet-egress")) +
	    NLA_HDRLEN] = 0x4f;
	assert_int_equal(nflog_parse((struct nlmsghdr *)buf, &p), -EBADMSG);
	((struct nlmsghdr *)buf)->nlmsg_type = NFNL_SUBSYS_ULOG << 8 | NFULNL_MSG_CONFIG;
	assert_int_equal(nflog_parse((struct nlmsghdr *)buf, &p), 0);

	/* the bind request: two acked config messages for the group, the second with the copy
	 * mode and a queue threshold of one packet */
	nlbuf_init(&b, buf, sizeof(buf));
	nflog_build_bind(&b, 4242, 128);
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(((struct nlmsghdr *)buf)->nlmsg_type,
			 NFNL_SUBSYS_ULOG << 8 | NFULNL_MSG_CONFIG);
	assert_true(((struct nlmsghdr *)buf)->nlmsg_flags & NLM_F_ACK);
	assert_int_equal(ntohs(((struct nfgenmsg *)NLMSG_DATA(buf))->res_id), 4242);
	{
		const struct nlmsghdr *second =
			(const struct nlmsghdr *)(buf +
						  NLMSG_ALIGN(((struct nlmsghdr *)buf)->nlmsg_len));
		const struct nlattr *a, *mode = NULL, *qthresh = NULL;
		const struct nfulnl_msg_config_mode *m;

		assert_int_equal(second->nlmsg_type, NFNL_SUBSYS_ULOG << 8 | NFULNL_MSG_CONFIG);
		assert_true(second->nlmsg_flags & NLM_F_ACK);
		mnl_attr_for_each (a, second, sizeof(struct nfgenmsg)) {
			if (mnl_attr_get_type(a) == NFULA_CFG_MODE)
				mode = a;
			else if (mnl_attr_get_type(a) == NFULA_CFG_QTHRESH)
				qthresh = a;
		}
		assert_non_null(mode);
		m = mnl_attr_get_payload(mode);
		assert_int_equal(ntohl(m->copy_range), 128);
		assert_int_equal(m->copy_mode, NFULNL_COPY_PACKET);
		assert_non_null(qthresh);
		assert_int_equal(mnl_attr_get_payload_len(qthresh), sizeof(uint32_t));
		assert_int_equal(ntohl(mnl_attr_get_u32(qthresh)), 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_del_golden),
		cmocka_unit_test(test_link_get),
		cmocka_unit_test(test_ack_last),
		cmocka_unit_test(test_route_default_golden),
		cmocka_unit_test(test_addr_new_golden),
		cmocka_unit_test(test_veth_round_trip),
		cmocka_unit_test(test_parse_veth_echo),
		cmocka_unit_test(test_bridge_port_up),
		cmocka_unit_test(test_link_set_up_ipv4),
		cmocka_unit_test(test_bridge_nf_call_iptables),
		cmocka_unit_test(test_bridge_mcast_snooping),
		cmocka_unit_test(test_builder_overflow),
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_parse_route),
		cmocka_unit_test(test_route_get),
		cmocka_unit_test(test_route_source_table),
		cmocka_unit_test(test_rule),
		cmocka_unit_test(test_parse_ack),
		cmocka_unit_test(test_parse_done),
		cmocka_unit_test(test_parse_nflog),
		cmocka_unit_test(test_nflog_group_port),
	};

	return cmocka_run_group_tests_name("netlink", tests, NULL, NULL);
}
