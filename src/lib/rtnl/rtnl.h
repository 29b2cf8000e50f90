/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rtnetlink: pure builders that append one request to an nlbuf (testable without a kernel),
 * reply parsers, and the few operations the orchestration needs on top of them.
 */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "brnet.h"
#include "lib/netlink/nlmsg.h"
#include "lib/netlink/nlsock.h"
#include "shared/inaddr.h"

struct link_info {
	int ifindex;
	char name[IFNAMSIZ];
	char kind[32]; /* IFLA_INFO_KIND, "" when none */
	int master; /* ifindex, 0 when none */
	int link; /* IFLA_LINK (a veth's peer), 0 when none */
	bool link_other_netns; /* link is an index in another namespace (IFLA_LINK_NETNSID) */
	unsigned flags; /* IFF_* */
	unsigned mtu;
	uint8_t mac[6];
	bool has_mac;
	int route_localnet; /* -1: not reported */
	int nf_call_iptables; /* a bridge's IFLA_BR_NF_CALL_IPTABLES; -1: not reported */
	int mcast_snooping; /* a bridge's IFLA_BR_MCAST_SNOOPING; -1: not reported */
	/* The link has IPv6 state (IFLA_AF_SPEC/AF_INET6): not with an MTU below 1280, nor
	 * under a kernel booted with ipv6.disable=1. Its settings are refused without it. */
	bool has_inet6;
	char alias[128]; /* IFLA_IFALIAS, "" when none (or longer than this) */
};

struct addr_info {
	int ifindex;
	struct inprefix prefix; /* the local address with its prefix length */
};

struct veth_spec {
	const char *host_name;
	const char *peer_name;
	int peer_netns_fd;
	int master_ifindex;
	unsigned mtu; /* 0: kernel default */
	bool hairpin; /* reflect frames back out of the host end (for published ports) */
	const uint8_t *peer_mac; /* 6 bytes, or NULL for a random one */
};

/* Builders: append one request (with NLM_F_ACK, or NLM_F_DUMP for dumps). */
/* By ifindex, or by name when ifindex is 0. */
void rtnl_build_link_get(struct nlbuf *b, int ifindex, const char *name);
/* A new bridge, up; with mac, its address for good (a bridge whose address was never set
 * takes the lowest of its ports', which changes as containers come and go). */
void rtnl_build_bridge_new(struct nlbuf *b, const char *name, const uint8_t mac[6]);
/* A link's IFLA_IFALIAS (which the kernel takes only from a link that exists). */
void rtnl_build_link_set_alias(struct nlbuf *b, int ifindex, const char *alias);
/* Two requests: create the pair, then bring the host end up as a bridge port. */
void rtnl_build_veth_new(struct nlbuf *b, const struct veth_spec *spec);
/* A new bridge port up, without IPv6 link-local address (inet6: it has IPv6 to turn off,
 * link_info.has_inet6), hairpin if asked, and with alias (NULL: none) as its IFLA_IFALIAS: the
 * owner's mark, checked before a delete by name. By ifindex, or by name when ifindex is 0. Two
 * requests: the settings while it is down, then up. */
void rtnl_build_bridge_port_up(struct nlbuf *b, int ifindex, const char *name, bool hairpin,
			       const char *alias, bool inet6);
void rtnl_build_link_set_up(struct nlbuf *b, int ifindex);
/* Up, generating no IPv6 address (a link-local one included) where it has IPv6 (inet6): an
 * interface on an IPv4 network. */
void rtnl_build_link_set_up_ipv4(struct nlbuf *b, int ifindex, bool inet6);
void rtnl_build_link_set_master(struct nlbuf *b, int ifindex, int master);
/* By ifindex, or by name when ifindex is 0. An index is never given to another link soon
 * after: deleting by the index seen in a dump cannot reach a link made since under that name. */
void rtnl_build_link_del(struct nlbuf *b, int ifindex, const char *name);
void rtnl_build_addr_new(struct nlbuf *b, int ifindex, const struct inprefix *local);
void rtnl_build_addr_dump(struct nlbuf *b, int family, int ifindex);
/* After any default route already there (another network's). */
void rtnl_build_route_default(struct nlbuf *b, const struct inaddr *gateway, int ifindex);
/* Two requests: in table, local's subnet on link ifindex from local's address, and the default
 * route via gateway (a source route's table: srcroute.h). */
void rtnl_build_route_source_table(struct nlbuf *b, uint32_t table, const struct inprefix *local,
				   const struct inaddr *gateway, int ifindex);
/* A lookup of the route to dst. */
void rtnl_build_route_get(struct nlbuf *b, const struct inaddr *dst);
void rtnl_build_route_dump(struct nlbuf *b, int family);
/* The unicast routes of the main table. */
void rtnl_build_route_dump_main(struct nlbuf *b);

/* Parsers: -EBADMSG for malformed messages, unknown attributes skipped. */
/* RTM_NEWLINK, or RTM_DELLINK (the notice of a link deleted). */
int rtnl_parse_link(const struct nlmsghdr *nlh, struct link_info *ret);
int rtnl_parse_addr(const struct nlmsghdr *nlh, struct addr_info *ret);

/* Operations. */
int rtnl_link_get(struct nl_sock *s, const char *name, struct link_info *ret,
		  struct brnet_error *err);
int rtnl_link_get_index(struct nl_sock *s, int ifindex, struct link_info *ret,
			struct brnet_error *err);
int rtnl_link_del(struct nl_sock *s, int ifindex, const char *name, struct brnet_error *err);
/* Fills up to max IPv4 addresses of ifindex; returns how many there are. */
int rtnl_addr_list_v4(struct nl_sock *s, int ifindex, struct addr_info *ret, size_t max,
		      struct brnet_error *err);
/* Runs a buffer that holds one or more requests built above; of those sent together, only the
 * last that changes something asks for an ack (nlbuf_ack_last()). */
int rtnl_run(struct nl_sock *s, struct nlbuf *b, struct brnet_error *err);
/* The same, with cb called for each message the kernel answers with (an NLM_F_ECHO). */
int rtnl_run_cb(struct nl_sock *s, struct nlbuf *b, nl_data_cb cb, void *userdata,
		struct brnet_error *err);

/* A sysctl of the namespace the process is in. Writes only when the value differs. */
int sysctl_write(const char *path, const char *value);
int sysctl_read(const char *path, char *buf, size_t size);

struct route_info {
	int family;
	struct inaddr dst; /* family 0 for a default route */
	unsigned char dst_len;
	unsigned char type; /* RTN_* */
	unsigned table;
	struct inaddr gateway; /* family 0 when none */
	int oif;
	unsigned mtu; /* the route's own (RTAX_MTU), 0 when none */
};

int rtnl_parse_route(const struct nlmsghdr *nlh, struct route_info *ret);
/* The first route of the host's main or local table to p or to part of it (a prefix within
 * it, an address of the host in it, a blackhole of it): 1 and *ret, or 0. Broader routes (a
 * default one, a VPN's /8 around p, a blackhole aggregating a range) do not count. */
int rtnl_route_within(struct nl_sock *s, const struct inprefix *p, struct route_info *ret,
		      struct brnet_error *err);
/* The route the namespace of s takes to dst (a lookup, policy rules included): 0 and *ret, or
 * the kernel's error (-ENETUNREACH when there is none; a blackhole's -EINVAL...). */
int rtnl_route_get(struct nl_sock *s, const struct inaddr *dst, struct route_info *ret,
		   struct brnet_error *err);
/* Returns 1 if table (RT_TABLE_MAIN...) has a default route via gateway out of ifindex, else 0. */
int rtnl_has_default_route(struct nl_sock *s, uint32_t table, const struct inaddr *gateway,
			   int ifindex, struct brnet_error *err);

/* A rule sending what leaves from one address (src, a /32) to a table. */
struct rule_info {
	struct inaddr src; /* family 0 when the rule has none */
	unsigned char src_len;
	unsigned char action; /* FR_ACT_* */
	uint32_t table;
	uint32_t priority;
};

/* RTM_NEWRULE (exclusive) or RTM_DELRULE of rule. */
void rtnl_build_rule(struct nlbuf *b, uint16_t type, const struct rule_info *rule);
void rtnl_build_rule_dump(struct nlbuf *b);
int rtnl_parse_rule(const struct nlmsghdr *nlh, struct rule_info *ret);
/* 1 and rule->table when the namespace of s has a rule to a table from rule->src (a /32) at
 * rule->priority, else 0. */
int rtnl_rule_find(struct nl_sock *s, struct rule_info *rule, struct brnet_error *err);

/* 1 if a local socket holds a port in [first, last] for proto on addr (NULL or family 0: any
 * address; a socket on every address always counts), with its address and port; else 0. */
int sockdiag_port_taken(uint8_t proto, const struct inaddr *addr, uint16_t first, uint16_t last,
			struct inaddr *ret_addr, uint16_t *ret_port, struct brnet_error *err);

/* A bridge's multicast snooping off (as rtnl_build_bridge_new() makes them): see network.c. */
void rtnl_build_bridge_mcast_snooping_off(struct nlbuf *b, int ifindex);
/* route_localnet on a link (IFLA_AF_SPEC/AF_INET/IFLA_INET_CONF), needed to send 127/8 out. */
void rtnl_build_link_route_localnet(struct nlbuf *b, int ifindex);
/* The bridge's own br_netfilter switch (IFLA_BR_NF_CALL_IPTABLES) on: its bridged IPv4 passes
 * the IP hooks whatever net.bridge.bridge-nf-call-iptables says. */
void rtnl_build_bridge_nf_call_iptables(struct nlbuf *b, int ifindex);

/* Calls fn for every link of the namespace s belongs to. */
void rtnl_build_link_dump(struct nlbuf *b);
int rtnl_link_dump(struct nl_sock *s, int (*fn)(const struct link_info *link, void *userdata),
		   void *userdata, struct brnet_error *err);
