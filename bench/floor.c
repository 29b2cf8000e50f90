/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/floor: the least a tool can do to attach a namespace, as a whole process, for the
 * benchmark to measure every tool against: one RTM_NEWLINK creating the veth pair with its
 * peer in the target namespace and its host end on the bridge, one request bringing the host
 * end up, one round trip inside the namespace (lo up, eth0 up, address, default route), and
 * one nf_tables element. No state, no checks, no rollback: not a tool, a floor.
 *   floor NETNS-PATH BRIDGE HOST-VETH ADDRESS/PREFIX GATEWAY NFT-SET
 *   floor down HOST-VETH ADDRESS NFT-SET
 * NETNS-PATH must name a fresh namespace, only lo in it: the peer is taken to be its ifindex
 * 2, the first free one, so that no lookup is made.
 * NFT-SET names an existing set of type ipv4_addr in table inet floor. The second form is
 * the floor of a teardown: one RTM_DELLINK of the host end (the peer goes with it) and the
 * element out, in one process.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>

#define EIFINDEX 2 /* the peer's index inside: the first free one in a fresh namespace */

static char buf[16384];

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static struct nlmsghdr *put(char **at, uint16_t type, uint16_t flags, void *hdr, size_t len)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(*at);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	memcpy(mnl_nlmsg_put_extra_header(nlh, len), hdr, len);
	return nlh;
}

/* Sends the messages from buf to end and reads one ack per message. */
static void transact(struct mnl_socket *nl, char *end, int n)
{
	if (mnl_socket_sendto(nl, buf, (size_t)(end - buf)) < 0)
		die("sendto");
	while (n > 0) {
		ssize_t len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

		if (len < 0)
			die("recvfrom");
		for (; mnl_nlmsg_ok(nlh, (int)len); nlh = mnl_nlmsg_next(nlh, (int *)&len)) {
			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			int error = ((struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error;

			if (error) {
				fprintf(stderr, "netlink request: %s\n", strerror(-error));
				exit(1);
			}
			n--;
		}
	}
}

static struct mnl_socket *open_rtnl(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("rtnetlink");
	return nl;
}

/* One nf_tables element in or out of set, in one batch. */
static void element(uint16_t type, const char *set, const struct in_addr *addr)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	struct nlmsghdr *nlh;
	char *at = buf;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("nfnetlink");
	if (!s || !e)
		die("nftnl");
	nftnl_set_set_str(s, NFTNL_SET_TABLE, "floor");
	nftnl_set_set_str(s, NFTNL_SET_NAME, set);
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &addr->s_addr, 4);
	nftnl_set_elem_add(s, e);
	nlh = nftnl_batch_begin(at, 1);
	at += nlh->nlmsg_len;
	nlh = nftnl_nlmsg_build_hdr(at, type, NFPROTO_INET,
				    (type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0) | NLM_F_ACK, 2);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	at += nlh->nlmsg_len;
	nlh = nftnl_batch_end(at, 3);
	at += nlh->nlmsg_len;
	transact(nl, at, 1);
}

static int down(char **argv)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlmsghdr *nlh;
	struct in_addr addr;
	char *at = buf;

	if (inet_pton(AF_INET, argv[3], &addr) != 1)
		return 2;
	nlh = put(&at, RTM_DELLINK, 0, &ifi, sizeof(ifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, argv[2]);
	at += nlh->nlmsg_len;
	transact(open_rtnl(), at, 1);
	element(NFT_MSG_DELSETELEM, argv[4], &addr);
	return 0;
}

int main(int argc, char **argv)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct ifaddrmsg ifa = { .ifa_family = AF_INET };
	struct rtmsg rtm = { .rtm_family = AF_INET,
			     .rtm_table = RT_TABLE_MAIN,
			     .rtm_protocol = RTPROT_STATIC,
			     .rtm_scope = RT_SCOPE_UNIVERSE,
			     .rtm_type = RTN_UNICAST };
	struct in_addr addr, gw;
	struct mnl_socket *nl, *inside;
	struct nlattr *info, *data, *peer;
	struct nlmsghdr *nlh;
	int netns, self, prefix;
	char *at, *slash;

	if (argc == 5 && strcmp(argv[1], "down") == 0)
		return down(argv);
	if (argc != 7) {
		fprintf(stderr, "usage: floor NETNS BRIDGE HOST-VETH ADDR/PREFIX GATEWAY NFT-SET\n"
				"       floor down HOST-VETH ADDR NFT-SET\n");
		return 2;
	}
	slash = strchr(argv[4], '/');
	if (!slash || inet_pton(AF_INET, argv[5], &gw) != 1)
		return 2;
	*slash = '\0';
	prefix = atoi(slash + 1);
	if (inet_pton(AF_INET, argv[4], &addr) != 1)
		return 2;
	netns = open(argv[1], O_RDONLY | O_CLOEXEC);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (netns < 0 || self < 0)
		die("netns");

	/* The pair, its peer born in the namespace as ifindex 2 (the first free one in a fresh
	 * namespace, so no lookup is needed later), its host end on the bridge; then up. */
	nl = open_rtnl();
	at = buf;
	nlh = put(&at, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, argv[3]);
	mnl_attr_put_u32(nlh, IFLA_MASTER, if_nametoindex(argv[2]));
	/* One queue each way on both ends, as brnet asks: otherwise the kernel makes one per
	 * CPU and cuts them to one after registering each end, waiting for RCU each time. */
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 1);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 1);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	ifi.ifi_index = EIFINDEX;
	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(ifi)), &ifi, sizeof(ifi));
	ifi.ifi_index = 0;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns);
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 1);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 1);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	at += nlh->nlmsg_len;
	ifi.ifi_flags = ifi.ifi_change = IFF_UP;
	nlh = put(&at, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, argv[3]);
	at += nlh->nlmsg_len;
	transact(nl, at, 2);

	/* Inside, one round trip: lo up, eth0 up, address, default route. */
	if (setns(netns, CLONE_NEWNET) < 0)
		die("setns");
	inside = open_rtnl();
	if (setns(self, CLONE_NEWNET) < 0)
		die("setns back");
	at = buf;
	ifi.ifi_index = 1;
	nlh = put(&at, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	at += nlh->nlmsg_len;
	ifi.ifi_index = EIFINDEX;
	nlh = put(&at, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	at += nlh->nlmsg_len;
	ifa.ifa_prefixlen = (unsigned char)prefix;
	ifa.ifa_index = EIFINDEX;
	nlh = put(&at, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
	mnl_attr_put_u32(nlh, IFA_LOCAL, addr.s_addr);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, addr.s_addr);
	at += nlh->nlmsg_len;
	nlh = put(&at, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof(rtm));
	mnl_attr_put_u32(nlh, RTA_GATEWAY, gw.s_addr);
	mnl_attr_put_u32(nlh, RTA_OIF, EIFINDEX);
	at += nlh->nlmsg_len;
	transact(inside, at, 4);

	element(NFT_MSG_NEWSETELEM, argv[6], &addr);
	return 0;
}
