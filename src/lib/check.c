/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * brnet_check(): the record says what should exist; the kernel is asked whether it does. Each
 * object is checked on its own, so one report lists everything that is missing.
 */
#include <errno.h>
#include <netinet/in.h> /* before the linux/ headers */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/attach.h"
#include "lib/check.h"
#include "lib/config/config.h"
#include "lib/ctx.h"
#include "lib/ipam/ipam.h"
#include "lib/network.h"
#include "lib/nft/nft.h"
#include "lib/nft/egress.h"
#include "lib/nft/guard.h"
#include "lib/nft/hostfw.h"
#include "lib/nft/publish.h"
#include "lib/record.h"
#include "lib/rtnl/rtnl.h"
#include "lib/srcroute.h"
#include "shared/error.h"
#include "shared/macro.h"

struct report {
	brnet_problem_fn fn;
	void *userdata;
	int n;
};

static _printf_(2, 3) void problem(struct report *rep, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rep->n++;
	if (rep->fn)
		rep->fn(msg, rep->userdata);
}

static void check_host(const struct brnet_attachment *a, struct report *rep)
{
	_cleanup_(nl_sock_freep) struct nl_sock *s = NULL;
	struct link_info bridge, veth;
	struct addr_info addrs[16];
	struct inprefix gw = { .addr = a->gateway, .len = a->subnet.len };
	char buf[PREFIX_STRLEN], fwd[16];
	bool have_gw = false;
	int r, n;

	r = nl_sock_open(NETLINK_ROUTE, -1, &s);
	if (r < 0) {
		problem(rep, "cannot open rtnetlink: %s", strerror(-r));
		return;
	}
	r = rtnl_link_get(s, a->bridge, &bridge, NULL);
	if (r < 0) {
		problem(rep, "bridge %s is missing", a->bridge);
		bridge.ifindex = 0;
	} else {
		if (strcmp(bridge.kind, "bridge") != 0)
			problem(rep, "%s is not a bridge", a->bridge);
		if (!(bridge.flags & IFF_UP))
			problem(rep, "bridge %s is down", a->bridge);
		n = rtnl_addr_list_v4(s, bridge.ifindex, addrs, ELEMENTSOF(addrs), NULL);
		for (int i = 0; i < n && i < (int)ELEMENTSOF(addrs); i++)
			if (inaddr_equal(&addrs[i].prefix.addr, &a->gateway) &&
			    addrs[i].prefix.len == a->subnet.len)
				have_gw = true;
		if (!have_gw)
			problem(rep, "bridge %s does not carry the gateway %s", a->bridge,
				inprefix_to_string(&gw, buf));
		/* Published ports are reached as 127.0.0.1:PORT from the host through it. */
		if (a->n_publish > 0 && bridge.route_localnet == 0)
			problem(rep,
				"route_localnet is off on bridge %s: the host does not reach the "
				"published ports as 127.0.0.1",
				a->bridge);
	}
	/* Someone may have turned it off since (sysctl --system with a file that says 0). */
	r = sysctl_read(NETWORK_IP_FORWARD, fwd, sizeof(fwd));
	if (r >= 0 && strcmp(fwd, "1") != 0)
		problem(rep,
			"net.ipv4.ip_forward is %s: nothing %s sends leaves the host, and no other "
			"machine reaches its published ports",
			fwd, a->ifname);
	r = rtnl_link_get(s, a->host_veth, &veth, NULL);
	if (r < 0) {
		problem(rep, "host veth %s is missing", a->host_veth);
		return;
	}
	if (bridge.ifindex > 0 && veth.master != bridge.ifindex)
		problem(rep, "host veth %s is not on bridge %s", a->host_veth, a->bridge);
	if (!(veth.flags & IFF_UP))
		problem(rep, "host veth %s is down", a->host_veth);
}

/* A second network's: what leaves from its address goes out of its interface. */
static void check_source_route(struct nl_sock *s, const struct brnet_attachment *a, int ifindex,
			       struct report *rep)
{
	struct rule_info rule, want;
	char buf[INADDR_STRLEN];

	srcroute_rule(a, &want);
	rule = want;
	if (rtnl_rule_find(s, &rule, NULL) != 1 || rule.table != want.table)
		problem(rep,
			"no rule from %s to table %u in %s: its answers leave by another "
			"interface",
			inaddr_to_string(&a->address, buf), want.table, a->netns);
	else if (rtnl_has_default_route(s, want.table, &a->gateway, ifindex, NULL) != 1)
		problem(rep, "no default route via %s on %s in table %u in %s",
			inaddr_to_string(&a->gateway, buf), a->ifname, want.table, a->netns);
}

static void check_container(const struct brnet_attachment *a, struct report *rep)
{
	_cleanup_(nl_sock_freep) struct nl_sock *s = NULL;
	_cleanup_(closep) int fd = -EBADF;
	struct inprefix want = { .addr = a->address, .len = a->subnet.len };
	struct addr_info addrs[16];
	struct link_info link;
	char buf[PREFIX_STRLEN], gwbuf[INADDR_STRLEN];
	bool have_addr = false;
	int r, n;

	fd = attach_netns_open(a);
	if (fd == -ESRCH) {
		problem(rep, "process %d is gone, and with it namespace %s", (int)a->pid, a->netns);
		return;
	}
	if (fd < 0) {
		problem(rep, "namespace %s is gone", a->netns);
		return;
	}
	r = nl_sock_open(NETLINK_ROUTE, fd, &s);
	if (r < 0) {
		problem(rep, "cannot open rtnetlink in %s: %s", a->netns, strerror(-r));
		return;
	}
	r = rtnl_link_get(s, a->ifname, &link, NULL);
	if (r < 0) {
		problem(rep, "interface %s is missing in %s", a->ifname, a->netns);
		return;
	}
	if (!(link.flags & IFF_UP))
		problem(rep, "interface %s is down in %s", a->ifname, a->netns);
	n = rtnl_addr_list_v4(s, link.ifindex, addrs, ELEMENTSOF(addrs), NULL);
	for (int i = 0; i < n && i < (int)ELEMENTSOF(addrs); i++)
		if (inaddr_equal(&addrs[i].prefix.addr, &a->address) &&
		    addrs[i].prefix.len == a->subnet.len)
			have_addr = true;
	if (!have_addr)
		problem(rep, "interface %s does not carry %s", a->ifname,
			inprefix_to_string(&want, buf));
	if (rtnl_has_default_route(s, RT_TABLE_MAIN, &a->gateway, link.ifindex, NULL) != 1)
		problem(rep, "no default route via %s on %s in %s",
			inaddr_to_string(&a->gateway, gwbuf), a->ifname, a->netns);
	if (a->journal & (1u << STEP_SOURCE_ROUTE))
		check_source_route(s, a, link.ifindex, rep);
}

static void bad_port(const struct publish *p, uint16_t port, const char *found, void *userdata)
{
	char spec[PUBLISH_STRLEN];

	if (!found[0])
		problem(userdata, "published port %u/%s (%s) has no map element", port,
			publish_proto_name(p->proto), publish_to_string(p, spec));
	else
		problem(userdata, "published port %u/%s maps elsewhere (owner %s)", port,
			publish_proto_name(p->proto), found);
}

static void check_guard(struct nl_sock *nft, const struct brnet_attachment *a, struct report *rep)
{
	unsigned missing = 0;
	uint8_t mac[6];
	int r;

	r = nft_guard_missing(nft, &missing, NULL);
	if (r < 0) {
		problem(rep, "cannot read table bridge " NFT_TABLE ": %s", strerror(-r));
		return;
	}
	if (missing)
		problem(rep, "anti-spoofing rules are missing from table bridge " NFT_TABLE);
	if (config_parse_mac(a->mac, mac, NULL) < 0) {
		problem(rep, "the recorded MAC \"%s\" is not usable", a->mac);
		return;
	}
	r = nft_guard_verify(nft, a->host_veth, mac, &a->address, NULL);
	if (r < 0)
		problem(rep, "cannot read the anti-spoofing elements: %s", strerror(-r));
	else if (r > 0)
		problem(rep, "%d of the 3 anti-spoofing elements of %s are missing", r,
			a->host_veth);
}

/* The attachment's own elements: published ports, anti-spoofing, egress policy. */
static void check_elements(struct nl_sock *nft, const struct brnet_attachment *a,
			   struct report *rep)
{
	char owner[RECORD_NAME_MAX];
	int r;

	record_owner(a, owner);
	r = nft_publish_verify(nft, a->publish, a->n_publish, &a->address, owner, bad_port, rep,
			       NULL);
	if (r < 0)
		problem(rep, "cannot read the published ports: %s", strerror(-r));
	check_guard(nft, a, rep);
	r = nft_egress_verify(nft, &a->egress, owner, NULL);
	if (r < 0)
		problem(rep, "cannot read the egress policy's elements: %s", strerror(-r));
	else if (r > 0)
		problem(rep,
			"the egress policy in nf_tables differs from the record (%d element%s "
			"missing or extra)%s",
			r, r == 1 ? "" : "s",
			a->journal & (1u << STEP_POLICY) ? ": brnet policy was interrupted before "
							   "the kernel had it (brnet gc "
							   "applies the recorded one)"
							 : "");
}

int check_elements_problems(const struct brnet_attachment *a)
{
	_cleanup_(nl_sock_freep) struct nl_sock *nft = NULL;
	struct report rep = { 0 };

	if (nl_sock_open(NETLINK_NETFILTER, -1, &nft) < 0)
		return 1;
	check_elements(nft, a, &rep);
	return rep.n;
}

static void check_firewall(const struct brnet_attachment *a, unsigned rules, struct report *rep)
{
	_cleanup_(nl_sock_freep) struct nl_sock *nft = NULL;
	char name[NFT_COMMENT_MAX];
	unsigned missing = 0;
	int r;

	r = nl_sock_open(NETLINK_NETFILTER, -1, &nft);
	if (r >= 0)
		r = nft_network_missing(nft, a->bridge, &missing, NULL);
	if (r < 0) {
		problem(rep, "cannot read table inet " NFT_TABLE ": %s", strerror(-r));
		return;
	}
	missing &= rules;
	for (unsigned id = 0; id < _NFT_RULE_MAX; id++)
		if ((missing & (1u << id)) && nft_rule_name(id, a->bridge, name) >= 0)
			problem(rep, "rule \"%s\" is missing from table inet " NFT_TABLE, name);

	check_elements(nft, a, rep);
	if (a->egress.on) {
		struct brnet_error e = { 0 };

		/* Someone may have turned the switch off since: the policy still holds towards
		 * the host and the outside, not between containers of the bridge. */
		if (network_bridged_filtering(a->bridge, false, &e) < 0)
			problem(rep, "the egress policy does not hold between containers: %s",
				e.msg);
	}
}

/* The owner of address a, read without changing anything: from the lease directory, or from
 * an older brnet's leases.json where the directory was never made (a setup or gc moves it).
 * 0, -ENOENT when a is not leased, or -errno with a message. */
static int lease_owner(const struct network *net, const struct inaddr *a,
		       char id[static BRNET_ID_MAX + 1], char ifname[static IFNAMSIZ],
		       struct brnet_error *e)
{
	_cleanup_(closep) int leases = lease_store_open(net->dirfd, net->path, &net->subnet, false,
							e);
	const struct lease *l;
	struct lease_db db;
	int r;

	if (leases != -ENOENT)
		return leases < 0 ? leases : lease_store_owner(leases, net->path, a, id, ifname, e);
	lease_db_init(&db, &net->subnet);
	r = lease_db_load(net->dirfd, net->path, &db, e);
	if (r >= 0) {
		l = lease_db_find_address(&db, a);
		r = l ? 0 : -ENOENT;
		if (l) {
			strcpy(id, l->id);
			strcpy(ifname, l->ifname);
		}
	}
	lease_db_done(&db);
	return r;
}

static void check_state(brnet_ctx *ctx, const struct brnet_attachment *a, struct report *rep)
{
	struct network net = { .dirfd = -EBADF, .lockfd = -EBADF };
	struct brnet_error e = { 0 };
	char id[BRNET_ID_MAX + 1], ifname[IFNAMSIZ], buf[INADDR_STRLEN];
	unsigned rules = NFT_NETWORK_RULES(false, true);
	int r;

	r = network_open_locked(ctx, a->bridge, &a->subnet, NULL, &net, &e);
	if (r < 0) {
		problem(rep, "network %s: %s", a->bridge, e.msg);
	} else {
		inaddr_to_string(&a->address, buf);
		r = a->address.family ? lease_owner(&net, &a->address, id, ifname, &e) : -ENOENT;
		if (r == -ENOENT)
			problem(rep, "no lease for %s/%s: address %s is not leased", a->id,
				a->ifname, a->address.family ? buf : "(none recorded)");
		else if (r < 0)
			problem(rep, "%s", e.msg);
		else if (strcmp(id, a->id) != 0 || strcmp(ifname, a->ifname) != 0)
			problem(rep, "no lease for %s/%s: address %s is leased to %s/%s", a->id,
				a->ifname, buf, id, ifname);
		rules = network_rules(&net);
		network_close(&net);
	}
	check_firewall(a, rules, rep);
}

int brnet_check(brnet_ctx *ctx, const char *id, const char *ifname, brnet_problem_fn fn,
		void *userdata, struct brnet_error *err)
{
	_cleanup_(attachment_done) struct brnet_attachment a = { 0 };
	struct report rep = { .fn = fn, .userdata = userdata };
	int r;

	if (!ctx)
		return -EINVAL;
	r = attach_load(ctx, id, ifname, &a, err);
	if (r < 0)
		return r;
	if (a.state != ATTACH_ACTIVE)
		problem(&rep, "state is %s, not active", attach_state_to_string(a.state));
	check_host(&a, &rep);
	check_container(&a, &rep);
	check_state(ctx, &a, &rep);
	return rep.n;
}

struct host_report {
	brnet_warning_fn fn;
	void *userdata;
	int n;
};

static void warn(struct host_report *rep, const char *msg)
{
	rep->n++;
	if (rep->fn)
		rep->fn(msg, rep->userdata);
}

/* The packets each network's containers need a forward chain to accept. */
enum {
	PACKET_OUT, /* a container's new connection past the host */
	PACKET_IN, /* a connection to a published port, DNATed to a container */
	PACKET_BETWEEN, /* bridged between two containers, when br_netfilter shows it to IP */
	PACKETS_PER_NETWORK,
};

/* A recorded network, as the host checks need it. */
struct host_network {
	char bridge[IFNAMSIZ];
	unsigned mtu; /* its containers' */
	bool bridged; /* its PACKET_BETWEEN goes through the IP hooks */
};

/* The recorded networks (or only one), read once for every host check. */
struct host_networks {
	brnet_ctx *ctx;
	const char *only; /* NULL: every recorded network */
	char uplink[IFNAMSIZ];
	unsigned uplink_mtu; /* 0: no route out */
	struct host_network *v;
	struct fw_packet *packets; /* PACKETS_PER_NETWORK for each of v */
	size_t n, cap, packets_cap;
	struct host_report *rep;
};

static void host_networks_done(struct host_networks *h)
{
	free(h->v);
	free(h->packets);
}

static int network_packets(const char *bridge, void *userdata)
{
	struct host_networks *h = userdata;
	struct network_file f;
	struct fw_packet *p, base;

	if ((h->only && strcmp(bridge, h->only) != 0) || strlen(bridge) >= IFNAMSIZ ||
	    network_read(h->ctx, bridge, &f, NULL) < 0)
		return 0; /* not a network (yet), or one `ls` reports as unreadable */
	if (ARRAY_RESERVE(h->packets, h->packets_cap, (h->n + 1) * PACKETS_PER_NETWORK - 1) < 0 ||
	    ARRAY_RESERVE(h->v, h->cap, h->n) < 0)
		return -ENOMEM;
	h->v[h->n] = (struct host_network){
		.mtu = f.mtu ? f.mtu : NETWORK_KERNEL_MTU,
		.bridged = network_bridged_filtering(bridge, false, NULL) >= 0,
	};
	strcpy(h->v[h->n].bridge, bridge);
	p = h->packets + h->n * PACKETS_PER_NETWORK;
	base = (struct fw_packet){
		.nfproto = NFPROTO_IPV4,
		.ct_state = NF_CT_STATE_BIT(IP_CT_NEW),
		/* in the forward hook a new connection is not confirmed, has seen no reply,
		 * and is NATed to its destination only if a DNAT took it (masquerading comes
		 * after) */
		.ct_status_known = IPS_EXPECTED | IPS_SEEN_REPLY | IPS_ASSURED | IPS_CONFIRMED |
				   IPS_SRC_NAT | IPS_DST_NAT,
	};
	p[PACKET_OUT] = base;
	p[PACKET_IN] = base;
	p[PACKET_BETWEEN] = base;
	strcpy(p[PACKET_OUT].iifname, bridge);
	strcpy(p[PACKET_OUT].oifname, h->uplink);
	p[PACKET_OUT].iif = if_nametoindex(bridge);
	p[PACKET_OUT].oif = h->uplink[0] ? if_nametoindex(h->uplink) : 0;
	p[PACKET_OUT].saddr = f.subnet.addr.v4;
	p[PACKET_OUT].saddr_bits = f.subnet.len;
	strcpy(p[PACKET_IN].iifname, h->uplink);
	strcpy(p[PACKET_IN].oifname, bridge);
	p[PACKET_IN].iif = p[PACKET_OUT].oif;
	p[PACKET_IN].oif = p[PACKET_OUT].iif;
	p[PACKET_IN].daddr = f.subnet.addr.v4;
	p[PACKET_IN].daddr_bits = f.subnet.len;
	p[PACKET_IN].ct_status = IPS_DST_NAT;
	strcpy(p[PACKET_BETWEEN].iifname, bridge);
	strcpy(p[PACKET_BETWEEN].oifname, bridge);
	p[PACKET_BETWEEN].iif = p[PACKET_BETWEEN].oif = p[PACKET_OUT].iif;
	p[PACKET_BETWEEN].saddr = p[PACKET_BETWEEN].daddr = f.subnet.addr.v4;
	p[PACKET_BETWEEN].saddr_bits = p[PACKET_BETWEEN].daddr_bits = f.subnet.len;
	h->n++;
	return 0;
}

/* The command that accepts a bridge's traffic before chain c drops it, as its table's owner
 * would have it written. */
static void accept_hint(const struct nft_chain_ref *c, const char *bridge, char *buf, size_t size)
{
	const char *iptables = c->legacy ? "iptables-legacy" : "iptables";

	switch (c->owner) {
	case NFT_FW_DOCKER:
		snprintf(buf, size,
			 "for Docker, in its DOCKER-USER chain: %s -I DOCKER-USER -i %s -j "
			 "ACCEPT, and again with -o %s",
			 iptables, bridge, bridge);
		return;
	case NFT_FW_UFW:
		snprintf(buf, size,
			 "for ufw: ufw route allow in on %s, and ufw route allow out on %s", bridge,
			 bridge);
		return;
	case NFT_FW_FIREWALLD:
		snprintf(buf, size,
			 "for firewalld, the bridge in its trusted zone: "
			 "firewall-cmd --zone=trusted --add-interface=%s",
			 bridge);
		return;
	case NFT_FW_OTHER:
	default:
		break;
	}
	if (c->family == NFPROTO_IPV4 && strcmp(c->table, "filter") == 0) /* iptables' own */
		snprintf(buf, size, "%s -I %s -i %s -j ACCEPT, and again with -o %s", iptables,
			 c->chain, bridge, bridge);
	else
		snprintf(buf, size,
			 "nft insert rule %s %s %s iifname %s accept, and again with oifname",
			 nft_chain_ref_family(c), c->table, c->chain, bridge);
}

static void forward_drop(const struct nft_chain_ref *c, const enum fw_verdict *v, void *userdata)
{
	const struct host_networks *h = userdata;
	char msg[4 * NFT_NAME_MAXLEN + 8 * IFNAMSIZ + 640];
	const char *why = c->by_rule ? "its last rule drops or rejects all" : "policy drop";
	char hint[2 * NFT_NAME_MAXLEN + 4 * IFNAMSIZ + 128];
	char table[NFT_NAME_MAXLEN + 32];

	if (c->legacy)
		snprintf(table, sizeof(table), "iptables-legacy's table %s", c->table);
	else
		snprintf(table, sizeof(table), "table %s %s", nft_chain_ref_family(c), c->table);
	if (h->n == 0) {
		if (h->only)
			return;
		accept_hint(c, "BRIDGE", hint, sizeof(hint));
		snprintf(msg, sizeof(msg),
			 "%s, chain %s, drops forwarded packets by default (%s): "
			 "containers reach nothing past this host, nor other hosts their published "
			 "ports (nor, with br_netfilter, each other), unless a rule there accepts "
			 "them first (%s)",
			 table, c->chain, why, hint);
		warn(h->rep, msg);
		return;
	}
	for (size_t i = 0; i < h->n; i++) {
		const enum fw_verdict *nv = v + i * PACKETS_PER_NETWORK;
		const char *bridge = h->v[i].bridge;
		bool out = nv[PACKET_OUT] != FW_ACCEPT, in = nv[PACKET_IN] != FW_ACCEPT,
		     between = h->v[i].bridged && nv[PACKET_BETWEEN] != FW_ACCEPT;

		if (!out && !in && !between)
			continue;
		accept_hint(c, bridge, hint, sizeof(hint));
		snprintf(
			msg, sizeof(msg),
			"%s, chain %s, drops forwarded packets by default (%s), and no "
			"rule before that is seen to accept, of network %s,%s%s%s%s%s: accept them "
			"there first (%s)",
			table, c->chain, why, bridge,
			out ? " what its containers send past this host" : "",
			out && (in || between) ? "," : "",
			in ? " connections to its published ports from other hosts" : "",
			in && between ? "," : "", between ? " traffic between its containers" : "",
			hint);
		warn(h->rep, msg);
	}
}

/* A network whose containers' MTU is more than the host's route out now takes: the host moved
 * onto a VPN or a tunnel after the network was made (or an older brnet made it). */
static void network_mtu(const struct host_networks *h, const struct host_network *net)
{
	char msg[IFNAMSIZ * 3 + 512];

	if (h->uplink_mtu == 0 || net->mtu <= h->uplink_mtu)
		return; /* no route out: nothing to compare with */
	snprintf(msg, sizeof(msg),
		 "network %s gives its containers MTU %u (those set up without --mtu), more "
		 "than the host's route out takes now (%u, by %s): what they send past this host "
		 "relies on path MTU discovery, which fails where ICMP is dropped; once its "
		 "containers are gone, `brnet teardown --network %s` lets the next setup choose "
		 "again, or give setups --mtu %u (brnet-cni: \"mtu\")",
		 net->bridge, net->mtu, h->uplink_mtu, h->uplink, net->bridge, h->uplink_mtu);
	warn(h->rep, msg);
}

/* The host's warnings about the recorded networks (or only network only): the forward chains
 * of other tables that drop what they send or receive, then (for every network) an MTU the
 * route out no longer takes. */
static int host_warnings(brnet_ctx *ctx, const char *only, struct host_report *rep,
			 struct brnet_error *err)
{
	_cleanup_(nl_sock_freep) struct nl_sock *nft = NULL, *rtnl = NULL;
	_cleanup_(host_networks_done) struct host_networks h = { .ctx = ctx,
								 .only = only,
								 .rep = rep };
	int r;

	r = nl_sock_open(NETLINK_ROUTE, -1, &rtnl);
	if (r < 0)
		return brnet_err(err, -r, "cannot open rtnetlink: %s", strerror(-r));
	h.uplink_mtu = network_uplink_mtu(rtnl, h.uplink);
	r = network_foreach(ctx, network_packets, &h, err);
	if (r < 0)
		return r == -ENOMEM ? brnet_err(err, ENOMEM, "out of memory") : r;
	if (only && h.n == 0)
		return 0; /* not recorded: nothing to ask about */
	r = nl_sock_open(NETLINK_NETFILTER, -1, &nft);
	if (r < 0)
		return brnet_err(err, -r, "cannot open nf_tables netlink: %s", strerror(-r));
	r = nft_forward_drops(nft, h.packets, h.n * PACKETS_PER_NETWORK, forward_drop, &h, err);
	if (r < 0)
		return r;
	for (size_t i = 0; !only && i < h.n; i++)
		network_mtu(&h, &h.v[i]);
	return 0;
}

int brnet_check_host(brnet_ctx *ctx, brnet_warning_fn fn, void *userdata, struct brnet_error *err)
{
	struct host_report rep = { .fn = fn, .userdata = userdata };
	int r;

	if (!ctx)
		return -EINVAL;
	r = host_warnings(ctx, NULL, &rep, err);
	return r < 0 ? r : rep.n;
}

int brnet_check_network_firewall(brnet_ctx *ctx, const char *bridge, brnet_warning_fn fn,
				 void *userdata, struct brnet_error *err)
{
	struct host_report rep = { .fn = fn, .userdata = userdata };
	int r;

	if (!ctx || !bridge)
		return -EINVAL;
	r = host_warnings(ctx, bridge, &rep, err);
	return r < 0 ? r : rep.n;
}

int brnet_attachment_warnings(const brnet_attachment *a, brnet_warning_fn warning, void *userdata)
{
	char msg[INADDR_STRLEN + PUBLISH_STRLEN + 64], ip[INADDR_STRLEN];
	int n = 0;

	if (!a)
		return -EINVAL;
	for (unsigned i = 0; i < a->n_publish; i++) {
		const struct inaddr *host = &a->publish[i].host_ip;

		if (host->family != AF_INET || inaddr_is_local(host))
			continue;
		snprintf(msg, sizeof(msg),
			 "%s is not an address of this host: nothing reaches %s until it is",
			 inaddr_to_string(host, ip), a->publish_str[i]);
		if (warning)
			warning(msg, userdata);
		n++;
	}
	return n;
}
