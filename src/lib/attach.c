/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Orchestration of one attachment. Setup runs a fixed list of steps; each is written to the
 * record's journal before it runs, and undoing any journaled step is idempotent, so rollback
 * (now, on failure) and recovery (later, after a kill) are the same code: attach_undo().
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "lib/attach.h"
#include "lib/config/config.h"
#include "lib/ctx.h"
#include "lib/hooks.h"
#include "lib/ipam/ipam.h"
#include "lib/netlink/ct.h"
#include "lib/network.h"
#include "lib/nft/batch.h"
#include "lib/nft/egress.h"
#include "lib/nft/guard.h"
#include "lib/nft/publish.h"
#include "lib/netns/netns.h"
#include "lib/record.h"
#include "lib/rtnl/rtnl.h"
#include "lib/srcroute.h"
#include "shared/error.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(brnet_attachment, brnet_attachment_free)

/* Takes the attachment's lock, held until the fd is closed (the operation's end). */
static int attach_lock(brnet_ctx *ctx, const char *id, const char *ifname, struct brnet_error *err)
{
	int fd = record_lock(ctx->attachments_dirfd, id, ifname, true);

	if (fd < 0)
		return brnet_err(err, fd, "cannot lock attachment %s/%s: %s", id, ifname,
				 strerror(-fd));
	return fd;
}

static int lease_release(brnet_ctx *ctx, const struct brnet_attachment *a, struct brnet_error *err)
{
	_cleanup_(network_closep) struct network net = { .dirfd = -EBADF, .lockfd = -EBADF };
	_cleanup_(closep) int leases = -EBADF;
	int r;

	r = network_open_locked(ctx, a->bridge, &a->subnet, NULL, &net, err);
	if (r < 0)
		return r;
	r = leases = lease_store_open(net.dirfd, net.path, &net.subnet, true, err);
	if (r >= 0)
		r = lease_store_release(leases, net.path, &net.subnet, &a->address, a->id,
					a->ifname, err);
	return r < 0 ? r : 0;
}

/* Marks a step undone in the record, so a kill later in the undo does not repeat it. */
static void journal_undone(brnet_ctx *ctx, struct brnet_attachment *a, enum attach_step step)
{
	a->journal &= ~(1u << step);
	(void)record_save(ctx->attachments_dirfd, a, false, NULL);
}

/* The steps whose undo is removing owned set elements, latest first. */
static const struct {
	enum attach_step step;
	const char *hook, *what;
	int (*remove)(struct nl_sock *s, const char *owner, struct brnet_error *err);
} owned_steps[] = {
	{ STEP_EGRESS, "undo-egress", "the egress policy", nft_egress_remove_owned },
	{ STEP_GUARD, "undo-guard", "the anti-spoofing elements", nft_guard_remove_owned },
	{ STEP_PUBLISH, "undo-publish", "the published ports", nft_publish_remove_owned },
};

/* a's host end, by the index of the link that has its name, unless that link carries another
 * attachment's mark: a setup killed after journaling its veth and before creating it must not
 * take a link whose name another attachment's hash also gives. */
static int host_veth_del(struct nl_sock *rtnl, const struct brnet_attachment *a,
			 struct brnet_error *err)
{
	struct link_info link;
	int r;

	r = rtnl_link_get(rtnl, a->host_veth, &link, err);
	if (r < 0)
		return r;
	if (!record_host_alias_ours(a, link.alias))
		return 0;
	return rtnl_link_del(rtnl, link.ifindex, a->host_veth, err);
}

/*
 * A UDP flow's conntrack entry lives as long as its client keeps sending, NAT binding and all:
 * one made before a port was published takes the client's datagrams to the host, one bound to a
 * container that went takes them to its address, whoever publishes the port now. Setup forgets
 * those for its UDP ports; teardown forgets the flows its container answered. Only for UDP
 * ports, since finding them walks the kernel's whole conntrack table (milliseconds), and a TCP
 * client's next connection is a new entry anyway. Best effort: where the kernel lacks
 * ctnetlink, the entries expire once their client stops.
 */
static bool publishes_udp(const struct brnet_attachment *a)
{
	for (unsigned i = 0; i < a->n_publish; i++)
		if (a->publish[i].proto == IPPROTO_UDP)
			return true;
	return false;
}

/* going: a teardown's (the flows its address answered); else a setup's (its UDP ports'
 * flows to this host, but those its container answers already). nft: a NETLINK_NETFILTER
 * socket, or NULL to open one. */
static void forget_stale_flows(struct nl_sock **nft, const struct brnet_attachment *a, bool going)
{
	struct ct_filter f[PUBLISH_SPEC_MAX];
	size_t n = 0;

	/* Without an address (a rollback before the lease) every entry would match. */
	if (a->address.family != AF_INET || !publishes_udp(a))
		return;
	if (going)
		f[n++] = (struct ct_filter){ .reply_src = a->address };
	else
		for (unsigned i = 0; i < a->n_publish; i++) {
			const struct publish *p = &a->publish[i];

			if (p->proto == IPPROTO_UDP)
				f[n++] = (struct ct_filter){
					.proto = IPPROTO_UDP,
					.dport = p->host_port,
					.dport_end = p->host_port_end,
					.orig_dst = p->host_ip,
					.to_host = p->host_ip.family == 0,
					.spare_reply_src = a->address,
				};
		}
	if (*nft || nl_sock_open(NETLINK_NETFILTER, -1, nft) >= 0)
		(void)ct_forget(*nft, f, n, NULL);
}

int attach_undo(brnet_ctx *ctx, struct brnet_attachment *a, struct brnet_error *err)
{
	_cleanup_(nl_sock_freep) struct nl_sock *rtnl = NULL, *nft = NULL;
	struct brnet_error e2 = { 0 };
	char owner[RECORD_NAME_MAX];
	int r;

	/* The rule stays in the namespace when the interface goes (its table's routes do not). */
	if (a->journal & (1u << STEP_SOURCE_ROUTE)) {
		r = step_hook("undo-source-route", err);
		if (r >= 0)
			r = srcroute_remove(a, err);
		if (r < 0)
			return r;
		journal_undone(ctx, a, STEP_SOURCE_ROUTE);
	}
	/* Deleting the host end takes the peer, its address and its route with it. */
	if (a->journal & (1u << STEP_VETH | 1u << STEP_CONTAINER)) {
		r = step_hook("undo-veth", err);
		if (r < 0)
			return r;
		r = nl_sock_open(NETLINK_ROUTE, -1, &rtnl);
		if (r >= 0)
			r = host_veth_del(rtnl, a, &e2);
		if (r < 0 && r != -ENODEV)
			return brnet_err(err, r, "cannot delete %s: %s", a->host_veth,
					 e2.code ? e2.msg : strerror(-r));
		a->journal &= ~(1u << STEP_CONTAINER);
		journal_undone(ctx, a, STEP_VETH);
	}
	/* The firewall steps, in the reverse of their order in setup: each removes the elements
	 * that carry the attachment's name, so undoing one twice, or one that never ran, is
	 * harmless. One socket serves them all. */
	record_owner(a, owner);
	for (size_t i = 0; i < ELEMENTSOF(owned_steps); i++) {
		if (!(a->journal & (1u << owned_steps[i].step)))
			continue;
		r = step_hook(owned_steps[i].hook, err);
		if (r < 0)
			return r;
		r = nft ? 0 : nl_sock_open(NETLINK_NETFILTER, -1, &nft);
		if (r >= 0)
			r = owned_steps[i].remove(nft, owner, err);
		if (r < 0)
			return brnet_err_prefix(err, r, "cannot remove %s of %s/%s",
						owned_steps[i].what, a->id, a->ifname);
		journal_undone(ctx, a, owned_steps[i].step);
	}
	forget_stale_flows(&nft, a, true);
	/* The allowlist goes with its last container (EBUSY from the kernel: not the last). Not
	 * journaled: a list left by a kill is one that no element uses, which gc removes. */
	if (a->egress.on && a->egress.n_allow > 0) {
		r = nft ? 0 : nl_sock_open(NETLINK_NETFILTER, -1, &nft);
		if (r >= 0)
			r = nft_egress_list_release(nft, &a->egress, err);
		if (r < 0)
			return brnet_err_prefix(err, r,
						"cannot remove the egress allowlist of %s/%s",
						a->id, a->ifname);
	}
	if (a->journal & (1u << STEP_LEASE)) {
		r = step_hook("undo-lease", err);
		if (r < 0)
			return r;
		r = lease_release(ctx, a, err);
		if (r < 0)
			return r;
		journal_undone(ctx, a, STEP_LEASE);
	}
	/* Whatever failed above kept the record, listing what is left for teardown or gc. */
	r = record_remove(ctx->attachments_dirfd, a);
	if (r < 0)
		return brnet_err(err, r, "cannot remove record of %s/%s: %s", a->id, a->ifname,
				 strerror(-r));
	return 0;
}

static void format_mac(const uint8_t mac[6], char ret[static 18])
{
	snprintf(ret, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}

static int step_lease(brnet_ctx *ctx, struct network *net, struct brnet_attachment *a,
		      const brnet_config *cfg, struct brnet_error *err)
{
	_cleanup_(closep) int leases = -EBADF;
	struct lease_db db;
	int r;

	lease_db_init(&db, &net->subnet);
	if (cfg->pool_start.family)
		db.pool_first = inaddr_v4_host(&cfg->pool_start);
	if (cfg->pool_end.family)
		db.pool_last = inaddr_v4_host(&cfg->pool_end);
	r = leases = lease_store_open(net->dirfd, net->path, &net->subnet, true, err);
	if (r >= 0)
		r = lease_store_allocate(leases, net->path, &db, a->id, a->ifname, &cfg->address,
					 &a->address, err);
	lease_db_done(&db);
	return r;
}

/*
 * The container's MAC is chosen here, not by the kernel, so that the anti-spoofing elements
 * exist before the interface can send its first frame. Unless given, it is a function of its
 * address (02:62 and the four bytes of the IPv4 address; locally administered, unicast, unique
 * on the bridge as the address is).
 * An address that goes to another container keeps its MAC, so the neighbour caches of the
 * host and of the other containers, which keep the old pair for up to a minute, stay right:
 * with a MAC of its own, a container given a recent one's address was unreachable from them
 * (published ports included) until their entries went stale. Docker, kubenet and OpenShift
 * chose this for the same reason.
 */
static void mac_from_address(const struct inaddr *a, uint8_t mac[static 6])
{
	mac[0] = 0x02;
	mac[1] = 0x62;
	memcpy(mac + 2, &a->v4, 4);
}

/* A MAC given in the range addresses' own are drawn from must come with that address: another
 * would be the MAC of the container that gets the address it stands for, on the same bridge
 * (the same MAC twice, each port taking the other's frames). Copying a container's MAC to its
 * successor at the same address stays possible. Asked before anything changes. */
static int check_given_mac(const brnet_config *cfg, struct brnet_error *err)
{
	struct inaddr stands_for = { .family = AF_INET };
	char ip[INADDR_STRLEN], mac[18];

	if (!cfg->mac_set || cfg->mac[0] != 0x02 || cfg->mac[1] != 0x62)
		return 0;
	memcpy(&stands_for.v4, cfg->mac + 2, 4);
	if (inaddr_equal(&cfg->address, &stands_for))
		return 0;
	format_mac(cfg->mac, mac);
	return brnet_err(
		err, EINVAL,
		"invalid MAC %s: 02:62:... is where brnet draws each address's own MAC, and "
		"this is %s's; give that address with it, or a MAC outside 02:62:...",
		mac, inaddr_to_string(&stands_for, ip));
}

struct veth_echo {
	const char *host_name;
	struct link_info info; /* ifindex 0: not echoed (a kernel before 6.3) */
};

/* The echo of the new host end (the name must match): its index, MAC and MTU, and in
 * IFLA_LINK the peer's index inside. */
static int veth_echo_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct veth_echo *e = userdata;
	struct link_info info;

	if (rtnl_parse_link(nlh, &info) < 0 || strcmp(info.name, e->host_name) != 0)
		return 0;
	e->info = info;
	return 0;
}

static int bridge_cb(const struct nlmsghdr *nlh, void *userdata)
{
	(void)rtnl_parse_link(nlh, userdata);
	return 0;
}

/* What a kernel that does not echo a new link is assumed to give it: IPv6 state unless its
 * MTU is below IPv6's minimum. */
#define IPV6_MIN_MTU 1280

/* ret_inet6: whether the pair has IPv6 (both ends have the same MTU, and the kernel is the
 * same), so that the container's end is configured as the host's is. Out of line, as is
 * step_container(): their buffers are then on the stack only while they run, not under every
 * call brnet_setup() makes before them (each page of stack is a page fault). */
static _noinline_ int step_veth(struct nl_sock *rtnl, const struct network *net,
				struct brnet_attachment *a, const uint8_t mac[6], int netns_fd,
				int *ret_peer_ifindex, bool *ret_inet6, struct brnet_error *err)
{
	struct veth_spec spec = {
		.host_name = a->host_veth,
		.peer_name = a->ifname,
		.peer_netns_fd = netns_fd,
		.master_ifindex = net->bridge_ifindex,
		.mtu = a->mtu,
		.hairpin = a->hairpin || a->n_publish > 0,
		.peer_mac = mac,
	};
	struct veth_echo echo = { .host_name = a->host_veth };
	struct link_info existing, bridge = { 0 };
	bool ask_bridge, inet6;
	char buf[1024], alias[RECORD_ALIAS_MAX];
	struct nlbuf b;
	int r;

	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_veth_new(&b, &spec);
	r = rtnl_run_cb(rtnl, &b, veth_echo_cb, &echo, err);
	if (r == -EEXIST) {
		/* Nothing was created, and what exists is not ours: the rollback must leave it. */
		a->journal &= ~(1u << STEP_VETH);
		/* The name clash is on one side or the other; say which, and whose. */
		if (rtnl_link_get(rtnl, a->host_veth, &existing, NULL) >= 0) {
			if (!record_host_alias_ours(a, existing.alias))
				return brnet_err(
					err, EEXIST,
					"host interface %s is taken: its mark is \"%s\" "
					"(names are a hash of id and interface; use another "
					"--id)",
					a->host_veth, existing.alias);
			return brnet_err(err, EEXIST,
					 "host interface %s already exists (a leftover? try brnet "
					 "teardown or gc)",
					 a->host_veth);
		}
		return brnet_err(err, EEXIST, "interface %s already exists in the namespace %s",
				 a->ifname, a->netns);
	}
	if (r == -EXFULL) /* br_add_if(): every port number is taken */
		return brnet_err(err, EXFULL,
				 "bridge %s is full: a Linux bridge takes at most 1023 ports; use "
				 "another network (--bridge) for more containers",
				 net->bridge);
	if (r < 0)
		return brnet_err_prefix(err, r, "cannot create veth %s", a->host_veth);
	/* A link without IPv6 state (an MTU below 1280, or ipv6.disable=1) refuses any IPv6
	 * setting, even one turning IPv6 off: the whole request would fail. */
	inet6 = echo.info.ifindex > 0 ? echo.info.has_inet6 : !a->mtu || a->mtu >= IPV6_MIN_MTU;
	/* Only now, and by the index the kernel gave it when there is one: sent in the same
	 * round trip, this request would also reach a link of that name that is not ours. */
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_bridge_port_up(&b, echo.info.ifindex, a->host_veth, spec.hairpin,
				  record_host_alias(a, alias), inet6);
	/* And, in the same round trip, the bridge as it is with the new port (a CNI result
	 * reports it): a bridge whose address was never set takes its ports' lowest, and one
	 * whose MTU was never set takes its ports' lowest too. With the address brnet set and the
	 * port's MTU the bridge's, neither moves, and the bridge as ensured is the answer. */
	ask_bridge = !net->bridge_mac_fixed || echo.info.ifindex <= 0 ||
		     echo.info.mtu != net->bridge_mtu;
	if (ask_bridge) {
		rtnl_build_link_get(&b, net->bridge_ifindex, net->bridge);
	} else {
		bridge = (struct link_info){ .ifindex = net->bridge_ifindex,
					     .mtu = net->bridge_mtu,
					     .has_mac = true };
		memcpy(bridge.mac, net->bridge_mac, sizeof(bridge.mac));
	}
	r = rtnl_run_cb(rtnl, &b, ask_bridge ? bridge_cb : NULL, &bridge, err);
	if (r < 0)
		return brnet_err_prefix(err, r, "cannot bring %s up", a->host_veth);
	*ret_peer_ifindex = echo.info.link > 0 && echo.info.link_other_netns ? echo.info.link : 0;
	*ret_inet6 = inet6;
	if (echo.info.ifindex > 0 && echo.info.has_mac) {
		format_mac(echo.info.mac, a->host_mac);
		a->host_mtu = echo.info.mtu;
	}
	if (bridge.ifindex == net->bridge_ifindex && bridge.has_mac) {
		format_mac(bridge.mac, a->bridge_mac);
		a->bridge_mtu = bridge.mtu;
	}
	return 0;
}

/* Whether the main table has a default route that does not leave by ifindex. */
struct other_default {
	int ifindex;
	bool found;
};

static int other_default_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct other_default *f = userdata;
	struct route_info r;

	/* A multipath route has no RTA_OIF (oif 0): another interface's too. */
	if (rtnl_parse_route(nlh, &r) >= 0 && r.table == RT_TABLE_MAIN && r.dst_len == 0 &&
	    r.type == RTN_UNICAST && r.oif != f->ifindex)
		f->found = true;
	return 0;
}

/* peer_ifindex: the interface's index inside, 0 to look it up by name; inet6: it has IPv6. */
static _noinline_ int step_container(brnet_ctx *ctx, struct brnet_attachment *a, int netns_fd,
				     int peer_ifindex, bool inet6, struct brnet_error *err)
{
	_cleanup_(nl_sock_freep) struct nl_sock *s = NULL;
	struct inprefix local = { .addr = a->address, .len = a->subnet.len };
	struct link_info peer = { .ifindex = peer_ifindex };
	struct other_default other = { 0 };
	char buf[2048];
	struct nlbuf b;
	int r;

	r = nl_sock_open(NETLINK_ROUTE, netns_fd, &s);
	if (r < 0)
		return brnet_err(err, r, "cannot open netlink in namespace %s: %s", a->netns,
				 strerror(-r));
	if (peer.ifindex <= 0) {
		r = rtnl_link_get(s, a->ifname, &peer, err);
		if (r < 0)
			return brnet_err_prefix(err, r, "cannot find %s in namespace %s", a->ifname,
						a->netns);
	}
	/* One round trip: lo up (ifindex 1 in every namespace), the interface up, address,
	 * default route, and which default routes the namespace now has. The kernel runs them
	 * in order, so the route finds its subnet. The network is IPv4 only and the guard drops
	 * IPv6 frames: an IPv6 link-local address would only send duplicate address detection,
	 * MLD reports and router solicitations that the bridge would have to drop. */
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_link_set_up(&b, 1);
	rtnl_build_link_set_up_ipv4(&b, peer.ifindex, inet6);
	rtnl_build_addr_new(&b, peer.ifindex, &local);
	rtnl_build_route_default(&b, &a->gateway, peer.ifindex);
	rtnl_build_route_dump_main(&b);
	other.ifindex = peer.ifindex;
	r = rtnl_run_cb(s, &b, other_default_cb, &other, err);
	if (r < 0)
		return brnet_err_prefix(err, r, "cannot configure %s in namespace %s", a->ifname,
					a->netns);
	if (!other.found)
		return 0;

	/* Ours came after another interface's default route, which stays the one in use: what
	 * leaves from our address needs a route of its own. Journaled first: the rule outlives
	 * the interface. */
	a->journal |= 1u << STEP_SOURCE_ROUTE;
	r = record_save(ctx->attachments_dirfd, a, false, err);
	if (r >= 0)
		r = step_hook(attach_step_to_string(STEP_SOURCE_ROUTE), err);
	if (r < 0)
		return r;
	nlbuf_init(&b, buf, sizeof(buf));
	srcroute_build(&b, a, peer.ifindex);
	r = rtnl_run(s, &b, err);
	if (r < 0)
		return brnet_err_prefix(err, r, "cannot add the source route of %s in namespace %s",
					a->ifname, a->netns);
	return 0;
}

/* Refuses ports that a local socket holds: DNAT would silently shadow that service. */
static int check_host_sockets(const struct brnet_attachment *a, struct brnet_error *err)
{
	char spec[PUBLISH_STRLEN], where[INADDR_STRLEN];

	for (unsigned i = 0; i < a->n_publish; i++) {
		const struct publish *p = &a->publish[i];
		struct inaddr addr;
		uint16_t port;
		int r;

		r = sockdiag_port_taken(p->proto, &p->host_ip, p->host_port, p->host_port_end,
					&addr, &port, err);
		if (r < 0)
			return brnet_err_prefix(err, r, "cannot list the host's sockets");
		if (r > 0)
			return brnet_err(
				err, EADDRINUSE,
				"cannot publish %s: port %u/%s is in use on the host by a "
				"socket bound to %s",
				publish_to_string(p, spec), port, publish_proto_name(p->proto),
				addr.v4.s_addr ? inaddr_to_string(&addr, where) : "every address");
	}
	return 0;
}

/* The kernel refused an element as existing (NLM_F_EXCL): find the port and its owner;
 * -EADDRINUSE with the error told, or 0 when no published port clashes. */
static int explain_publish_conflict(struct nl_sock *nft, const struct brnet_attachment *a,
				    struct brnet_error *err)
{
	char owner[128], spec[PUBLISH_STRLEN], where[INADDR_STRLEN];

	for (unsigned i = 0; i < a->n_publish; i++) {
		const struct publish *p = &a->publish[i];

		for (unsigned k = 0; k < publish_count(p); k++) {
			uint16_t port = (uint16_t)(p->host_port + k), target_port;
			struct inaddr target;

			if (nft_publish_lookup(nft, &p->host_ip, p->proto, port, owner, &target,
					       &target_port, NULL) != 1)
				continue;
			return brnet_err(err, EADDRINUSE,
					 "cannot publish %s: port %u/%s on %s is already published "
					 "by %s",
					 publish_to_string(p, spec), port,
					 publish_proto_name(p->proto),
					 p->host_ip.family ? inaddr_to_string(&p->host_ip, where)
							   : "every address",
					 owner[0] ? owner : "another attachment");
		}
	}
	return 0; /* none of ours: the clash is elsewhere */
}

size_t attach_elements_room(const struct brnet_attachment *a)
{
	return 4 * (size_t)NFT_MSG_ROOM + nft_publish_batch_room(a->publish, a->n_publish) +
	       nft_egress_batch_room(&a->egress);
}

int attach_batch_elements(struct nft_batch *b, const struct brnet_attachment *a,
			  const struct nft_egress_list *l, const uint8_t mac[6], bool exclusive)
{
	char owner[RECORD_NAME_MAX];
	int r = 0;

	record_owner(a, owner);
	if (a->n_publish)
		r = nft_batch_add_publish(b, a->publish, a->n_publish, &a->address, owner,
					  exclusive);
	if (r >= 0 && mac)
		r = nft_batch_add_guard(b, a->host_veth, mac, &a->address, owner, exclusive);
	if (r >= 0 && l)
		r = nft_batch_add_egress(b, &a->egress, l, &a->address, owner);
	return r;
}

struct elements {
	const struct brnet_attachment *a;
	const uint8_t *mac;
	char *buf;
	size_t size;
};

static int elements_attempt(struct nl_sock *nft, const struct nft_egress_list *l, void *userdata,
			    struct brnet_error *err)
{
	struct elements *x = userdata;
	struct nft_batch b;
	int r;

	nft_batch_init(&b, x->buf, x->size);
	nft_batch_begin(&b);
	r = attach_batch_elements(&b, x->a, l, x->mac, true);
	if (r >= 0)
		r = nft_batch_end(&b);
	if (r < 0)
		return brnet_err(err, -r, "nf_tables: cannot build batch: %s", strerror(-r));
	return nl_sock_transact(nft, x->buf, b.len, NULL, NULL, err);
}

/*
 * The published ports, the anti-spoofing elements and the egress policy go into the kernel as
 * one transaction: one round trip, and all of them or none. Each part is journaled with the
 * record, so a rollback removes whatever of it is there. An allowlist that is not in the kernel
 * yet is created in a transaction tried again (nft_egress_list_transact()).
 */
static int step_elements(struct nl_sock *nft, const struct brnet_attachment *a,
			 const uint8_t mac[6], struct brnet_error *err)
{
	_cleanup_(freep) char *buf = NULL;
	size_t size = 4 * (size_t)NFT_MSG_ROOM + attach_elements_room(a);
	char owner[RECORD_NAME_MAX];
	struct nft_egress_list l;
	int r;

	record_owner(a, owner);
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	nft_egress_list_init(&l, &a->egress);
	r = nft_egress_list_transact(
		nft, &l, elements_attempt,
		&(struct elements){ .a = a, .mac = mac, .buf = buf, .size = size }, err);
	if (r == -EEXIST && a->n_publish > 0) {
		int q = explain_publish_conflict(nft, a, err);

		if (q < 0)
			return q;
	}
	if (r == -EEXIST)
		return brnet_err(err, EEXIST,
				 "anti-spoofing elements for %s already exist (a leftover? try "
				 "brnet gc)",
				 a->host_veth);
	if (r < 0)
		return brnet_err_prefix(err, r, "cannot install the firewall elements of %s",
					owner);
	return 0;
}

/*
 * Traffic between two containers on one bridge is bridged, not routed: the egress policy's
 * chain sees it only when br_netfilter hands bridged IPv4 to the IP hooks. Without the module
 * a policy would not hold between containers, so it is refused before anything is done
 * rather than half applied; the bridge's own switch is turned on, if need be, once the bridge
 * exists (network_bridged_filtering()).
 */
static int check_policy_enforceable(struct brnet_error *err)
{
	if (network_br_netfilter_loaded())
		return 0;
	return brnet_err(err, EOPNOTSUPP,
			 "an egress policy needs bridged traffic to pass the IP hooks, and "
			 "br_netfilter is not loaded: load it (as Kubernetes requires)");
}

/* The policy cfg asks for: ports need destinations to apply to; the DNS exception goes to cfg's
 * resolvers, or, when it names none, to those of current (a policy being replaced). */
static int policy_from_config(const brnet_config *cfg, const struct egress_policy *current,
			      struct egress_policy *ret, struct brnet_error *err)
{
	_cleanup_(egress_policy_done) struct egress_policy p = { 0 };
	int r;

	if (cfg->egress.n_tcp + cfg->egress.n_udp > 0 && !cfg->egress.on)
		return brnet_err(err, EINVAL,
				 "egress ports need a policy: give an allowed destination or deny "
				 "all");
	if (cfg->egress.reject && !cfg->egress.on)
		return brnet_err(err, EINVAL,
				 "rejecting denied packets needs a policy: give an allowed "
				 "destination or deny all");
	r = egress_policy_copy(&p, &cfg->egress);
	if (r < 0)
		return brnet_err(err, -r, "cannot copy the egress policy: %s", strerror(-r));
	egress_policy_normalize(&p);
	if (egress_allow_elements(&p, 0) > EGRESS_ELEMENTS_MAX)
		return brnet_err(
			err, EINVAL,
			"egress policy too large: its %zu destinations make %zu set elements, "
			"at most %d (a /N is 2^(M - N) elements, M being N rounded up to a "
			"multiple of %d)",
			p.n_allow, egress_allow_elements(&p, 0), EGRESS_ELEMENTS_MAX,
			EGRESS_BUCKET_STEP);
	p.n_dns = 0;
	for (unsigned i = 0; i < cfg->dns.n_servers && i < EGRESS_DNS_MAX; i++)
		p.dns[p.n_dns++] = cfg->dns.servers[i];
	for (unsigned i = 0; current && cfg->dns.n_servers == 0 && i < current->n_dns; i++)
		p.dns[p.n_dns++] = current->dns[i];
	if (p.on) {
		r = check_policy_enforceable(err);
		if (r < 0)
			return r;
	}
	*ret = p;
	p = (struct egress_policy){ 0 }; /* moved */
	return 0;
}

static int attachment_init(struct brnet_attachment *a, const brnet_config *cfg,
			   struct brnet_error *err)
{
	int r;

	*a = (struct brnet_attachment){ .state = ATTACH_UNCONFIGURED, .mtu = cfg->mtu };
	strcpy(a->id, cfg->id);
	strcpy(a->ifname, cfg->ifname);
	strcpy(a->bridge, cfg->bridge);
	attach_host_veth_name(a->id, a->ifname, a->host_veth);
	memcpy(a->publish, cfg->publish, cfg->n_publish * sizeof(cfg->publish[0]));
	a->n_publish = cfg->n_publish;
	a->hairpin = cfg->hairpin;
	r = policy_from_config(cfg, NULL, &a->egress, err);
	if (r < 0)
		return r;
	strcpy(a->origin, cfg->origin);
	if (cfg->netns_path) {
		a->netns = strdup(cfg->netns_path);
		if (!a->netns)
			return -ENOMEM;
	} else {
		if (asprintf(&a->netns, "/proc/%d/ns/net", (int)cfg->pid) < 0) {
			a->netns = NULL;
			return -ENOMEM;
		}
		a->pid = cfg->pid;
		r = proc_start_time(cfg->pid, &a->pid_start);
		if (r < 0)
			return brnet_err(err, EINVAL, "invalid pid %d: no such process",
					 (int)cfg->pid);
	}
	return 0;
}

static int check_assignable(const struct inprefix *subnet, const struct inaddr *addr,
			    const char *what, struct brnet_error *err)
{
	char abuf[INADDR_STRLEN], pbuf[PREFIX_STRLEN];
	uint32_t first, last, h = inaddr_v4_host(addr);

	if (!addr->family)
		return 0;
	ipam_range(subnet, &first, &last);
	if (!inprefix_contains(subnet, addr) || h < first || h > last)
		return brnet_err(err, EINVAL,
				 "invalid %s %s: not an assignable host address of %s (network, "
				 "gateway and broadcast are reserved)",
				 what, inaddr_to_string(addr, abuf),
				 inprefix_to_string(subnet, pbuf));
	return 0;
}

int brnet_setup(brnet_ctx *ctx, const brnet_config *cfg, brnet_attachment **ret,
		struct brnet_error *err)
{
	_cleanup_(network_closep) struct network net = { .dirfd = -EBADF, .lockfd = -EBADF };
	_cleanup_(closep) int alock = -EBADF;
	_cleanup_(nl_sock_freep) struct nl_sock *rtnl = NULL, *nft = NULL;
	_cleanup_(closep) int netns_fd = -EBADF;
	_cleanup_(brnet_attachment_freep) struct brnet_attachment *a = NULL;
	struct brnet_error undo_err = { 0 };
	int peer_ifindex = 0;
	bool inet6 = true;
	uint8_t mac[6] = { 0 };
	int r;

	if (!ctx || !cfg)
		return -EINVAL;
	if (!cfg->id[0])
		return brnet_err(err, EINVAL, "missing id: every attachment needs --id");
	if (!cfg->netns_path && cfg->pid <= 0)
		return brnet_err(err, EINVAL, "missing target: give --pid or --netns");

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	r = attachment_init(a, cfg, err);
	if (r >= 0)
		r = check_given_mac(cfg, err);
	if (r < 0)
		return r;
	/* The MAC given, or, once the address is leased, the address's. */
	if (cfg->mac_set) {
		memcpy(mac, cfg->mac, 6);
		format_mac(mac, a->mac);
	}
	netns_fd = cfg->netns_path ? netns_open_path(cfg->netns_path, err)
				   : netns_open_pid(cfg->pid, err);
	if (netns_fd < 0)
		return netns_fd;
	r = nl_sock_open(NETLINK_ROUTE, -1, &rtnl);
	if (r < 0)
		return brnet_err(err, r, "cannot open rtnetlink socket: %s", strerror(-r));
	/* The container's end would land beside the bridge, with the container's address and
	 * route on the host. */
	r = netns_is_own(netns_fd, nl_sock_fd(rtnl));
	if (r < 0)
		return brnet_err(err, r, "cannot compare the namespace with our own: %s",
				 strerror(-r));
	if (r > 0 && cfg->netns_path)
		return brnet_err(err, EINVAL,
				 "invalid netns path \"%s\": it is this process's own network "
				 "namespace, the bridge's; a container needs its own",
				 cfg->netns_path);
	if (r > 0)
		return brnet_err(
			err, EINVAL,
			"invalid pid %d: it is in this process's own network namespace, the "
			"bridge's; a container needs its own",
			(int)cfg->pid);
	if (!cfg->skip_host_sockets) {
		r = check_host_sockets(a, err);
		if (r < 0)
			return r;
	}
	r = nl_sock_open(NETLINK_NETFILTER, -1, &nft);
	if (r < 0)
		return brnet_err(err, r, "cannot open nf_tables netlink socket: %s", strerror(-r));

	r = alock = attach_lock(ctx, a->id, a->ifname, err);
	if (r < 0)
		return r;

	r = network_open_locked(ctx, cfg->bridge, cfg->subnet_set ? &cfg->subnet : NULL,
				&(struct network_choice){ cfg->routed, cfg->masquerade,
							  cfg->no_masq, cfg->n_no_masq },
				&net, err);
	if (r < 0)
		return r;
	a->subnet = net.subnet;
	a->gateway = net.gateway;
	r = record_update_strings(a);
	/* Refuse a bad address or range before touching the kernel. */
	if (r >= 0)
		r = check_assignable(&net.subnet, &cfg->address, "address", err);
	if (r >= 0)
		r = check_assignable(&net.subnet, &cfg->pool_start, "range start", err);
	if (r >= 0)
		r = check_assignable(&net.subnet, &cfg->pool_end, "range end", err);
	if (r < 0)
		return r;
	r = network_settle_routed(&net, cfg->routed, err);
	if (r >= 0)
		r = network_ensure(ctx, &net, rtnl, nft, err);
	if (r >= 0 && !a->mtu)
		a->mtu = net.mtu; /* the network's, chosen when it was made */
	if (r >= 0)
		a->network_made = net.made;
	if (r >= 0 && a->egress.on)
		r = network_bridged_filtering(net.bridge, true, err);
	if (r < 0)
		return r;

	r = attach_state_transition(a, ATTACH_CONFIGURING, err);
	if (r < 0)
		return r;
	/* The record is born with every step journaled: one write, not one per step. Undoing
	 * a step that never ran is harmless; for the veth, whose name is a hash that another
	 * attachment's link may also have, because the undo deletes only a link with our mark. */
	a->journal = 1u << STEP_LEASE | 1u << STEP_GUARD | 1u << STEP_VETH;
	if (a->n_publish)
		a->journal |= 1u << STEP_PUBLISH;
	if (a->egress.on)
		a->journal |= 1u << STEP_EGRESS;
	r = record_save(ctx->attachments_dirfd, a, true, err);
	if (r < 0)
		return r;

	r = step_hook(attach_step_to_string(STEP_LEASE), err);
	if (r >= 0)
		r = step_lease(ctx, &net, a, cfg, err);
	network_unlock(&net);
	if (r >= 0 && !cfg->mac_set) {
		mac_from_address(&a->address, mac);
		format_mac(mac, a->mac);
	}
	/* The same number of ports as before: nothing to allocate, so nothing to fail. */
	(void)record_update_strings(a);
	/* The hooks of the three element steps, in their order, then their one transaction:
	 * the policy is in force before the interface exists. */
	if (r >= 0 && a->n_publish)
		r = step_hook(attach_step_to_string(STEP_PUBLISH), err);
	if (r >= 0)
		r = step_hook(attach_step_to_string(STEP_GUARD), err);
	if (r >= 0 && a->egress.on)
		r = step_hook(attach_step_to_string(STEP_EGRESS), err);
	if (r >= 0)
		r = step_elements(nft, a, mac, err);
	if (r >= 0)
		r = step_hook(attach_step_to_string(STEP_VETH), err);
	if (r >= 0)
		r = step_veth(rtnl, &net, a, mac, netns_fd, &peer_ifindex, &inet6, err);
	if (r >= 0) {
		/* No write of its own: what it adds goes away with the veth, which is journaled. */
		a->journal |= 1u << STEP_CONTAINER;
		r = step_hook(attach_step_to_string(STEP_CONTAINER), err);
	}
	if (r >= 0)
		r = step_container(ctx, a, netns_fd, peer_ifindex, inet6, err);
	if (r >= 0)
		r = attach_state_transition(a, ATTACH_ACTIVE, err);
	if (r >= 0)
		r = record_save(ctx->attachments_dirfd, a, false, err);
	if (r < 0) {
		(void)attach_state_transition(a, ATTACH_CLEANED, NULL);
		if (attach_undo(ctx, a, &undo_err) < 0)
			brnet_err_append(err, " (and rollback failed: %s)", undo_err.msg);
		return r;
	}
	forget_stale_flows(&nft, a, false);
	if (ret)
		*ret = steal_pointer(&a);
	return 0;
}

int attach_teardown_locked(brnet_ctx *ctx, const char *id, const char *ifname,
			   struct brnet_error *err)
{
	_cleanup_(attachment_done) struct brnet_attachment a = { 0 };
	int r;

	r = record_load(ctx->attachments_dirfd, id, ifname, &a, err);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	/* "cleaned" is recorded first: a teardown killed half-way is finished by the next one. */
	if (a.state != ATTACH_CLEANED) {
		r = attach_state_transition(&a, ATTACH_CLEANED, err);
		if (r >= 0)
			r = record_save(ctx->attachments_dirfd, &a, false, err);
		if (r < 0)
			return r;
	}
	r = attach_undo(ctx, &a, err);
	return r < 0 ? r : 1;
}

int brnet_teardown(brnet_ctx *ctx, const char *id, const char *ifname, struct brnet_error *err)
{
	_cleanup_(closep) int alock = -EBADF;
	int r;

	if (!ctx)
		return -EINVAL;
	r = attach_names(id, &ifname, err);
	if (r < 0)
		return r;
	r = alock = attach_lock(ctx, id, ifname, err);
	if (r < 0)
		return r;
	return attach_teardown_locked(ctx, id, ifname, err);
}

int brnet_policy(brnet_ctx *ctx, const char *id, const char *ifname, const brnet_config *cfg,
		 struct brnet_error *err)
{
	_cleanup_(closep) int alock = -EBADF;
	_cleanup_(nl_sock_freep) struct nl_sock *nft = NULL;
	_cleanup_(brnet_attachment_freep) struct brnet_attachment *a = calloc(1, sizeof(*a));
	_cleanup_(egress_policy_done) struct egress_policy p = { 0 };
	char owner[RECORD_NAME_MAX];
	int r;

	if (!ctx || !cfg)
		return -EINVAL;
	if (!a)
		return -ENOMEM;
	r = attach_names(id, &ifname, err);
	if (r < 0)
		return r;
	r = alock = attach_lock(ctx, id, ifname, err);
	if (r < 0)
		return r;
	r = attach_load(ctx, id, ifname, a, err);
	if (r < 0)
		return r;
	if (a->state != ATTACH_ACTIVE)
		return brnet_err(err, EBUSY, "attachment %s/%s is %s, not active", id, ifname,
				 attach_state_to_string(a->state));
	r = policy_from_config(cfg, &a->egress, &p, err);
	if (r >= 0 && p.on)
		r = network_bridged_filtering(a->bridge, true, err);
	if (r < 0)
		return r;
	r = nl_sock_open(NETLINK_NETFILTER, -1, &nft);
	if (r < 0)
		return brnet_err(err, r, "cannot open nf_tables netlink socket: %s", strerror(-r));
	/* The record first, journaled as a replacement under way: a kill before the transaction
	 * leaves a record that check reports against the kernel, and that gc or restore (or a
	 * second `brnet policy`) carries out. p keeps the old policy for a refused transaction. */
	SWAP_TWO(a->egress, p);
	a->journal |= 1u << STEP_EGRESS | 1u << STEP_POLICY;
	r = record_save(ctx->attachments_dirfd, a, false, err);
	if (r < 0)
		return r;
	record_owner(a, owner);
	r = step_hook(attach_step_to_string(STEP_POLICY), err);
	if (r >= 0)
		r = nft_egress_replace(nft, &a->egress, &a->address, owner, err);
	if (r < 0) {
		/* Nothing changed in the kernel: the record says so again. */
		struct brnet_error e2 = { 0 };

		SWAP_TWO(a->egress, p);
		a->journal &= ~(1u << STEP_POLICY);
		if (record_save(ctx->attachments_dirfd, a, false, &e2) < 0)
			brnet_err_append(err, " (and the record keeps the new policy: %s)", e2.msg);
		return brnet_err_prefix(err, r, "cannot replace the egress policy of %s", owner);
	}
	/* Done. A record left saying otherwise only has gc replace the elements with the same
	 * ones again. */
	a->journal &= ~(1u << STEP_POLICY);
	(void)record_save(ctx->attachments_dirfd, a, false, NULL);
	/* The old allowlist, if this was its last container. The policy is replaced either way;
	 * a list left here is one no element uses, which gc removes. */
	(void)nft_egress_list_release(nft, &p, NULL);
	return 0;
}

int attach_policy_finish(brnet_ctx *ctx, struct brnet_attachment *a, struct brnet_error *err)
{
	_cleanup_(nl_sock_freep) struct nl_sock *nft = NULL;
	char owner[RECORD_NAME_MAX];
	int r;

	if (a->state != ATTACH_ACTIVE || !(a->journal & (1u << STEP_POLICY)))
		return 0;
	r = nl_sock_open(NETLINK_NETFILTER, -1, &nft);
	if (r < 0)
		return brnet_err(err, r, "cannot open nf_tables netlink socket: %s", strerror(-r));
	record_owner(a, owner);
	r = nft_egress_replace(nft, &a->egress, &a->address, owner, err);
	if (r < 0)
		return brnet_err_prefix(err, r, "cannot replace the egress policy of %s", owner);
	a->journal &= ~(1u << STEP_POLICY);
	r = record_save(ctx->attachments_dirfd, a, false, err);
	return r < 0 ? r : 1;
}

int attach_netns_open(const struct brnet_attachment *a)
{
	if (a->pid > 0 && !proc_alive(a->pid, a->pid_start))
		return -ESRCH;
	return netns_open_path(a->netns, NULL);
}

int attach_names(const char *id, const char **ifname, struct brnet_error *err)
{
	int r;

	if (!*ifname)
		*ifname = BRNET_DEFAULT_IFNAME;
	r = config_check_id(id, err);
	if (r < 0)
		return r;
	return config_check_ifname(*ifname, "interface name", err);
}

int attach_load(brnet_ctx *ctx, const char *id, const char *ifname, struct brnet_attachment *ret,
		struct brnet_error *err)
{
	int r = attach_names(id, &ifname, err);

	if (r < 0)
		return r;
	r = record_load(ctx->attachments_dirfd, id, ifname, ret, err);
	if (r == -ENOENT)
		return brnet_err(err, ENOENT, "no attachment %s/%s", id, ifname);
	return r;
}

int brnet_attachment_load(brnet_ctx *ctx, const char *id, const char *ifname,
			  brnet_attachment **ret, struct brnet_error *err)
{
	_cleanup_(brnet_attachment_freep) struct brnet_attachment *a = NULL;
	int r;

	if (!ctx || !ret)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	r = attach_load(ctx, id, ifname, a, err);
	if (r < 0)
		return r;
	*ret = steal_pointer(&a);
	return 0;
}

void brnet_attachment_free(brnet_attachment *a)
{
	if (!a)
		return;
	attachment_done(a);
	free(a);
}

const char *brnet_attachment_id(const brnet_attachment *a)
{
	return a->id;
}
const char *brnet_attachment_ifname(const brnet_attachment *a)
{
	return a->ifname;
}
const char *brnet_attachment_bridge(const brnet_attachment *a)
{
	return a->bridge;
}
const char *brnet_attachment_subnet(const brnet_attachment *a)
{
	return a->subnet_str;
}
const char *brnet_attachment_address(const brnet_attachment *a)
{
	return a->address_str;
}
const char *brnet_attachment_gateway(const brnet_attachment *a)
{
	return a->gateway_str;
}
const char *brnet_attachment_host_veth(const brnet_attachment *a)
{
	return a->host_veth;
}
const char *brnet_attachment_mac(const brnet_attachment *a)
{
	return a->mac;
}
const char *brnet_attachment_host_mac(const brnet_attachment *a)
{
	return a->host_mac;
}
unsigned brnet_attachment_host_mtu(const brnet_attachment *a)
{
	return a->host_mtu;
}
const char *brnet_attachment_bridge_mac(const brnet_attachment *a)
{
	return a->bridge_mac;
}
unsigned brnet_attachment_bridge_mtu(const brnet_attachment *a)
{
	return a->bridge_mtu;
}
bool brnet_attachment_network_made(const brnet_attachment *a)
{
	return a->network_made;
}
const char *brnet_attachment_netns(const brnet_attachment *a)
{
	return a->netns ? a->netns : "";
}
pid_t brnet_attachment_pid(const brnet_attachment *a)
{
	return a->pid > 0 && proc_alive(a->pid, a->pid_start) ? a->pid : 0;
}
const char *brnet_attachment_state(const brnet_attachment *a)
{
	return attach_state_to_string(a->state);
}
unsigned brnet_attachment_mtu(const brnet_attachment *a)
{
	return a->mtu;
}
const char *brnet_attachment_origin(const brnet_attachment *a)
{
	return a->origin;
}

const char *brnet_attachment_publish(const brnet_attachment *a, unsigned i)
{
	return i < a->n_publish ? a->publish_str[i] : NULL;
}

_Static_assert(BRNET_PREFIX_STRLEN >= PREFIX_STRLEN, "a prefix's text fits the caller's buffer");

bool brnet_attachment_egress(const brnet_attachment *a)
{
	return a->egress.on;
}
size_t brnet_attachment_egress_n_allow(const brnet_attachment *a)
{
	return a->egress.on ? a->egress.n_allow : 0;
}
int brnet_attachment_egress_allow(const brnet_attachment *a, size_t i,
				  char buf[static BRNET_PREFIX_STRLEN])
{
	if (i >= brnet_attachment_egress_n_allow(a))
		return -ENOENT;
	egress_prefix_to_string(&a->egress.allow[i], buf);
	return 0;
}
unsigned brnet_attachment_egress_port(const brnet_attachment *a, int proto, unsigned i)
{
	const struct egress_policy *p = &a->egress;

	if (!p->on)
		return 0;
	if (proto == IPPROTO_TCP)
		return i < p->n_tcp ? p->tcp[i] : 0;
	if (proto == IPPROTO_UDP)
		return i < p->n_udp ? p->udp[i] : 0;
	return 0;
}
int brnet_attachment_egress_dns(const brnet_attachment *a, unsigned i,
				char buf[static BRNET_PREFIX_STRLEN])
{
	if (!a->egress.on || a->egress.no_dns || i >= a->egress.n_dns)
		return -ENOENT;
	inaddr_to_string(&a->egress.dns[i], buf);
	return 0;
}
bool brnet_attachment_egress_dns_allowed(const brnet_attachment *a)
{
	return a->egress.on && !a->egress.no_dns;
}
bool brnet_attachment_egress_log(const brnet_attachment *a)
{
	return a->egress.on && a->egress.log;
}
bool brnet_attachment_egress_reject(const brnet_attachment *a)
{
	return a->egress.on && a->egress.reject;
}

const char *brnet_version(void)
{
	return BRNET_VERSION;
}
