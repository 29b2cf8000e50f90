/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A network: a bridge, its IPv4 subnet and gateway, its rules, and the state
 * directory networks/<bridge>/ (network.json, leases.json, lock, and nft-checked: the
 * fingerprint of our tables when its rules were last checked). All of it is changed only
 * under the network's OFD lock, which is what makes two first setups race safely.
 */
#pragma once

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>

#include "brnet.h"
#include "lib/config/config.h"
#include "lib/ctx.h"
#include "lib/netlink/nlsock.h"
#include "lib/nft/nft.h"
#include "shared/inaddr.h"

struct network {
	char bridge[IFNAMSIZ];
	struct inprefix subnet;
	struct inaddr gateway;
	int bridge_ifindex;
	/* The bridge as ensured, when its MAC address is the one brnet gives a bridge at birth:
	 * set, so a new port does not change it (a bridge whose address was never set takes its
	 * ports' lowest). A setup then reports the bridge without asking again. */
	bool bridge_mac_fixed;
	uint8_t bridge_mac[6];
	unsigned bridge_mtu;
	bool recorded; /* network.json existed when opened: we created this network */
	bool made; /* this process recorded the network and created its bridge */
	bool routed; /* connections routed in from elsewhere may reach containers directly */
	bool routed_recorded; /* network.json says which (an older brnet's does not) */
	bool masquerade; /* traffic from the subnet leaving the host is masqueraded */
	struct inprefix no_masq[CONFIG_NO_MASQ_MAX]; /* but not to these, sorted */
	unsigned n_no_masq;
	/* Its containers' MTU when a setup asks none: the host's towards the internet when the
	 * network was made (0: the kernel's default, as for a network an older brnet made). */
	unsigned mtu;
	int networks_dirfd; /* borrowed from the context */
	int dirfd;
	int lockfd;
	char *path; /* "<state dir>/networks/<bridge>", owned: network_close() frees it */
};

/* Properties of a network that its first setup chooses; another answer later is an error.
 * -1: no choice (the network's, or the default for a new one). */
struct network_choice {
	int routed; /* connections routed in from elsewhere may reach the containers directly
		     * (default no) */
	int masquerade; /* traffic from the subnet leaving the host is masqueraded (default
			 * yes; no where something else translates, or nothing must) */
	const struct inprefix *no_masq; /* but not to these (sorted; none: no choice) */
	unsigned n_no_masq;
};

/* Opens networks/<bridge>/ and takes its lock. If the network is recorded, its subnet and
 * properties are loaded; a different subnet, or a property contradicted, is an error. subnet
 * may be NULL (use recorded or the default), want NULL (no choice). */
int network_open_locked(brnet_ctx *ctx, const char *bridge, const struct inprefix *subnet,
			const struct network_choice *want, struct network *ret,
			struct brnet_error *err);
/* A network recorded by an older brnet does not say whether routed connections may come in:
 * the next setup decides (routed as network_open_locked() takes it) and records it. Until then
 * its routed-in rule is neither added nor asked for. */
int network_settle_routed(struct network *net, int routed, struct brnet_error *err);
/* The rules (enum nft_rule_id mask) the network wants. */
static inline unsigned network_rules(const struct network *net)
{
	return NFT_NETWORK_RULES(net->routed || !net->routed_recorded, net->masquerade);
}
/* Calls fn(bridge) for each entry of networks/ that can name a bridge (recorded or not: fn
 * opens or reads it), until fn returns < 0, which is returned. -errno, err set, when the
 * directory cannot be read. */
int network_foreach(brnet_ctx *ctx, int (*fn)(const char *bridge, void *userdata), void *userdata,
		    struct brnet_error *err);
/* What network.json says. */
struct network_file {
	struct inprefix subnet;
	int routed; /* -1: not recorded (an older brnet's network) */
	bool masquerade; /* true when not recorded: older brnets always masqueraded */
	struct inprefix no_masq[CONFIG_NO_MASQ_MAX]; /* sorted */
	unsigned n_no_masq;
	unsigned mtu; /* 0 when not recorded */
};
/* A recorded network as its network.json says, without taking its lock (the file is replaced
 * whole): 0, -ENOENT when bridge has no recorded network, or -errno with err set. */
int network_read(brnet_ctx *ctx, const char *bridge, struct network_file *ret,
		 struct brnet_error *err);
/*
 * The MTU a new network's containers get when a setup asks none: the host's towards the
 * internet, so that a host on a VPN, a cloud network (1460) or a tunnel does not give them
 * 1500 and leave their large packets to path MTU discovery, which a network that filters ICMP
 * turns into connections that hang once data flows (Podman chooses its default route's since
 * netavark 1.16). The route the host takes to an address of the internet, so a VPN's routes
 * and policy rules count: the link's MTU, or the route's own when lower, and the link's name
 * in ifname (unless NULL). 0, the kernel's default, where there is no such route, or only a
 * blackhole or the loopback (netavark#1381).
 */
unsigned network_uplink_mtu(struct nl_sock *rtnl, char ifname[IFNAMSIZ]);
/* A veth's MTU when none is given: a network that records none gives its containers this. */
#define NETWORK_KERNEL_MTU 1500U
/* What the network's rules are built from. */
static inline struct nft_network network_nft(const struct network *net)
{
	return (struct nft_network){ .bridge = net->bridge,
				     .subnet = &net->subnet,
				     .no_masq = net->no_masq,
				     .n_no_masq = net->n_no_masq };
}
void network_unlock(struct network *net);
void network_close(struct network *net);
static inline void network_closep(struct network *net)
{
	network_close(net);
}

/* Whether a bridge's alias is the mark of another state directory's network (a bridge without
 * a mark, an older brnet's, is nobody else's). */
bool network_bridge_of_another(const struct network *net, const char *alias);

/* Forwarding, which brnet turns on for its first network and never off: without it nothing a
 * container sends leaves the host, and no other machine reaches a published port. */
#define NETWORK_IP_FORWARD "/proc/sys/net/ipv4/ip_forward"

/* Makes the kernel match the network: bridge present (validated if it was there already), up,
 * carrying the gateway, route_localnet on; our nf_tables table with the network's rules;
 * ip_forward on. */
/* The kernel side only: bridge, gateway, route_localnet, ip_forward (not nf_tables). */
int network_ensure_links(struct network *net, struct nl_sock *rtnl, struct brnet_error *err);
int network_ensure(brnet_ctx *ctx, struct network *net, struct nl_sock *rtnl, struct nl_sock *nft,
		   struct brnet_error *err);

/* Whether bridged IPv4 on bridge passes the IP hooks, as an egress policy needs (traffic
 * between two containers of one bridge is bridged, not routed): br_netfilter loaded, and
 * net.bridge.bridge-nf-call-iptables on or the bridge's own switch. With fix, a bridge whose
 * switch alone is missing gets it. 0: it does (1: now, fixed); -EOPNOTSUPP (err says why):
 * it does not. */
int network_bridged_filtering(const char *bridge, bool fix, struct brnet_error *err);
/* Whether br_netfilter is there at all (its sysctl exists): asked before anything changes. */
bool network_br_netfilter_loaded(void);
