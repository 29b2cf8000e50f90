/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libbrnet: container bridge networking over rtnetlink and nf_tables.
 *
 * Every function that can fail returns an int: >= 0 on success, -errno on failure. Functions
 * that take a struct brnet_error * (which may be NULL) also fill it with a one-line message that
 * names the bad value or the kernel's extended-ack text. The library never prints or exits.
 */
#ifndef BRNET_H
#define BRNET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct brnet_error {
	int code; /* positive errno */
	char msg[512]; /* one line, NUL-terminated */
};

#define BRNET_ID_MAX 64
#define BRNET_IFNAME_MAX 15
#define BRNET_ORIGIN_MAX 80

typedef struct brnet_ctx brnet_ctx;
typedef struct brnet_config brnet_config;
typedef struct brnet_attachment brnet_attachment;

/* A context owns the state directory: state_dir, or $BRNET_STATE_DIR, or /run/brnet. */
int brnet_ctx_new(const char *state_dir, brnet_ctx **ret, struct brnet_error *err);
void brnet_ctx_free(brnet_ctx *ctx);
const char *brnet_ctx_state_dir(const brnet_ctx *ctx);

/* Configuration of one attachment. Setters validate and refuse bad values with -EINVAL. */
int brnet_config_new(brnet_config **ret);
void brnet_config_free(brnet_config *cfg);
int brnet_config_set_id(brnet_config *cfg, const char *id, struct brnet_error *err);
int brnet_config_set_ifname(brnet_config *cfg, const char *ifname, struct brnet_error *err);
int brnet_config_set_bridge(brnet_config *cfg, const char *bridge, struct brnet_error *err);
int brnet_config_set_subnet(brnet_config *cfg, const char *cidr, struct brnet_error *err);
int brnet_config_set_address(brnet_config *cfg, const char *addr, struct brnet_error *err);
int brnet_config_set_mtu(brnet_config *cfg, unsigned mtu, struct brnet_error *err);
/* The target network namespace: a path (/run/netns/x, /proc/PID/ns/net) or a live process. */
int brnet_config_set_netns_path(brnet_config *cfg, const char *path, struct brnet_error *err);
int brnet_config_set_pid(brnet_config *cfg, pid_t pid, struct brnet_error *err);
/* Publishes ports: "[HOST_IP:]HOST_PORT[-END]:CONTAINER_PORT[-END][/tcp|/udp]", repeatable. */
int brnet_config_add_publish(brnet_config *cfg, const char *spec, struct brnet_error *err);
/* DNS for the container: resolvers (at most 3), search domains and resolver options. They go
 * into the container's resolv.conf through brnet_resolv_*(); with no resolver, there is none. */
int brnet_config_add_dns(brnet_config *cfg, const char *addr, struct brnet_error *err);
int brnet_config_add_dns_search(brnet_config *cfg, const char *domain, struct brnet_error *err);
int brnet_config_add_dns_option(brnet_config *cfg, const char *option, struct brnet_error *err);
/* Adds what a container's namespace can use of a resolv.conf file (such as the host's): its
 * IPv4 resolvers not on loopback, and its search domains and options unless cfg has its own.
 * Returns how many resolvers it added (0: none usable, cfg unchanged), or -errno when the file
 * cannot be read. */
int brnet_config_add_dns_from_file(brnet_config *cfg, const char *path, struct brnet_error *err);
/* The resolv.conf text of cfg in *ret (free() it); returns its length, or 0 (and NULL) when
 * cfg has no resolver. */
int brnet_resolv_conf(const brnet_config *cfg, char **ret, struct brnet_error *err);
/* Writes ROOTFS/etc/resolv.conf with every symlink resolved inside ROOTFS; an existing file or
 * symlink there is replaced, never followed. 0 without writing when cfg has no resolver. */
int brnet_resolv_write_rootfs(const brnet_config *cfg, const char *rootfs, struct brnet_error *err);
/* The egress policy. Allowing a destination (a CIDR, or an address) or denying all turns it on;
 * then the container reaches only the allowed destinations, on the given TCP and UDP ports
 * when there are any (on all ports when there are none), plus DNS (udp and tcp 53) to the
 * brnet_config_add_dns() resolvers unless that is turned off. Everything else it sends, to
 * other machines, to the host itself or to other containers, is dropped in the host's
 * namespace. Replies to connections made to the container pass. */
int brnet_config_egress_allow(brnet_config *cfg, const char *cidr, struct brnet_error *err);
int brnet_config_egress_deny_all(brnet_config *cfg);
int brnet_config_egress_tcp_port(brnet_config *cfg, unsigned port, struct brnet_error *err);
int brnet_config_egress_udp_port(brnet_config *cfg, unsigned port, struct brnet_error *err);
int brnet_config_egress_dns(brnet_config *cfg, bool allow);
/* Reports packets the policy drops through NFLOG (see brnet_events()), at most 5 a minute
 * (after a burst of 5) per attachment. */
int brnet_config_egress_log(brnet_config *cfg, bool log);
/* Answers what the policy denies with an ICMP error (administratively prohibited) instead of
 * dropping it, so that the workload's connections fail at once rather than time out. */
int brnet_config_egress_reject(brnet_config *cfg, bool reject);
/* Binds the resolv.conf of cfg read-only over /etc/resolv.conf in the mount namespace of pid
 * (a running container), from outside it; the host's namespaces are not changed. 0 without
 * doing anything when cfg has no resolver. */
int brnet_resolv_bind(const brnet_config *cfg, pid_t pid, struct brnet_error *err);
/* Narrows automatic allocation to start..end (either may be NULL: the subnet's bound). An
 * explicit address may still be anywhere in the subnet. */
int brnet_config_set_pool(brnet_config *cfg, const char *start, const char *end,
			  struct brnet_error *err);
/* The container interface's MAC address, "02:42:ac:11:00:02" (unicast, not all zero); by
 * default the kernel picks a random one. */
int brnet_config_set_mac(brnet_config *cfg, const char *mac, struct brnet_error *err);
/* Hairpin mode on the host end for every container (it is always on for publishers), so a
 * container reaches itself through the host's addresses. */
int brnet_config_set_hairpin(brnet_config *cfg, bool hairpin);
/* Whether setup refuses to publish a port that a socket on the host holds (listening on TCP,
 * bound on UDP) on the published address or on every address: DNAT would take that service's
 * traffic. On by default. A runtime that reserves its containers' host ports itself, by
 * holding such a socket for the container's life (Podman with CNI does), turns it off; a
 * port another attachment has published is refused either way. */
int brnet_config_set_host_socket_check(brnet_config *cfg, bool check);
/* Whether connections routed in from elsewhere (another machine with a route to the subnet via
 * this host, another network) may reach the containers directly, rather than only through
 * published ports. A property of the network, chosen by its first setup: by default a new
 * network keeps them out, and a later setup that asks otherwise is refused. CNI networks let
 * them in (pods are reachable by their address). */
int brnet_config_set_routed(brnet_config *cfg, bool routed);
/* Whether traffic from the subnet that leaves the host (to another machine, or another
 * network) is masqueraded behind the host's address. A property of the network, chosen by its
 * first setup: by default a new network masquerades, and a later setup that asks otherwise is
 * refused. Without it the containers' own addresses are seen past the host, which then needs
 * routes back to the subnet; that is the Kubernetes model, where pods reach each other across
 * nodes without translation and something else (or nothing) translates traffic to the outside
 * world. Traffic between containers is never masqueraded either way; a container reaching a
 * published port through the host, and 127.0.0.1 publishing, are translated as before. */
int brnet_config_set_masquerade(brnet_config *cfg, bool masquerade);
/* A destination a masquerading network leaves alone: "10.244.0.0/16" or an address; at most
 * 8. For the other nodes' pod subnets of a cluster whose nodes route them to each other,
 * while traffic to the outside world is still masqueraded. A property of the network like the
 * above: a later setup may give none, or the same set, and is refused with another. */
int brnet_config_add_masquerade_exception(brnet_config *cfg, const char *cidr,
					  struct brnet_error *err);
/* Who made the attachment, e.g. "cni:mynet": recorded and listed; a CNI GC removes only the
 * attachments of its own origin. 1-80 bytes of [A-Za-z0-9_.:-]; default empty. */
int brnet_config_set_origin(brnet_config *cfg, const char *origin, struct brnet_error *err);

/* Attaches the namespace to the network. Fully done or, on failure, fully undone. */
int brnet_setup(brnet_ctx *ctx, const brnet_config *cfg, brnet_attachment **ret,
		struct brnet_error *err);

/* Removes what setup created for (id, ifname; NULL means "eth0"). Returns 1 when something
 * was removed, 0 when there was nothing to do. */
int brnet_teardown(brnet_ctx *ctx, const char *id, const char *ifname, struct brnet_error *err);

/* Replaces the egress policy of an active attachment with cfg's (cfg without a policy removes
 * it), in one nf_tables transaction: connections already established stay up. The resolvers DNS
 * is allowed to are cfg's --dns when it has any, else the attachment's. -ENOENT for an
 * unknown attachment. */
int brnet_policy(brnet_ctx *ctx, const char *id, const char *ifname, const brnet_config *cfg,
		 struct brnet_error *err);

/* A packet an egress policy denied, for an attachment with egress logging. */
struct brnet_event {
	char id[BRNET_ID_MAX + 1]; /* "" when no attachment has the source address (any more) */
	char ifname[BRNET_IFNAME_MAX + 1];
	char source[46]; /* the container's address */
	char protocol[8]; /* "tcp", "udp", "icmp", or the protocol number */
	char destination[46];
	unsigned port; /* destination port for tcp and udp, else 0 */
	bool rejected; /* answered with an ICMP error (brnet_config_egress_reject()), not dropped */
};
/* Return non-zero to stop. */
typedef int (*brnet_event_fn)(const struct brnet_event *ev, void *userdata);
/* Reads denied packets from NFLOG as they happen (nothing is stored: only those while it runs),
 * until fn returns non-zero or timeout_ms pass without one (< 0: no timeout). Needs
 * CAP_NET_ADMIN. Returns the number of events. */
int brnet_events(brnet_ctx *ctx, int timeout_ms, brnet_event_fn fn, void *userdata,
		 struct brnet_error *err);

/* The recorded attachment (id, ifname; NULL means "eth0"); -ENOENT if there is none. */
int brnet_attachment_load(brnet_ctx *ctx, const char *id, const char *ifname,
			  brnet_attachment **ret, struct brnet_error *err);

/* Every recorded attachment, sorted by id then ifname. Free with brnet_attachment_list_free. */
int brnet_list(brnet_ctx *ctx, brnet_attachment ***ret, size_t *ret_n, struct brnet_error *err);
void brnet_attachment_list_free(brnet_attachment **list, size_t n);

/* Every recorded network (a bridge some setup created), sorted by bridge, with how many
 * recorded attachments it has. Free with brnet_network_list_free. */
typedef struct brnet_network brnet_network;
int brnet_network_list(brnet_ctx *ctx, brnet_network ***ret, size_t *ret_n,
		       struct brnet_error *err);
void brnet_network_list_free(brnet_network **list, size_t n);
const char *brnet_network_bridge(const brnet_network *n);
const char *brnet_network_subnet(const brnet_network *n); /* "10.0.42.0/24" */
const char *brnet_network_gateway(const brnet_network *n); /* "10.0.42.1" */
/* Whether connections routed in from elsewhere reach its containers (brnet_config_set_routed()):
 * 1 or 0, -1 for a network recorded by an older brnet, whose next setup chooses. */
int brnet_network_routed(const brnet_network *n);
/* Whether it masquerades what leaves the host (brnet_config_set_masquerade()). */
bool brnet_network_masquerade(const brnet_network *n);
/* Its i-th masquerade exception ("10.244.0.0/16"), or NULL past the last. */
const char *brnet_network_masquerade_exception(const brnet_network *n, unsigned i);
unsigned brnet_network_attachments(const brnet_network *n);
/* Its containers' MTU when a setup asks none, chosen when it was made (the host's towards the
 * internet); 0: the kernel's default (no route out then, or an older brnet's network). */
unsigned brnet_network_mtu(const brnet_network *n);
/* Removes a network that has no attachments: its rules, its bridge, its state (leases of
 * attachments that died with it). 1 when removed, 0 when there was none; 2 when only its
 * record here was, because the bridge is the network of another state directory (its mark
 * says so), whose bridge and rules stay; -EBUSY (err names them) while attachments or bridge
 * ports remain. A setup may then make it again, with other choices. */
int brnet_network_remove(brnet_ctx *ctx, const char *bridge, struct brnet_error *err);

/* Compares an attachment with the kernel: host veth on its bridge and up, the interface in
 * the namespace with its address and default route, the lease, the firewall rules. Calls
 * problem() once per missing or wrong object and returns how many there were (0: healthy). */
typedef void (*brnet_problem_fn)(const char *problem, void *userdata);
int brnet_check(brnet_ctx *ctx, const char *id, const char *ifname, brnet_problem_fn problem,
		void *userdata, struct brnet_error *err);

/* What on this host, outside brnet, stops containers' traffic, each told to warning(): a base
 * chain of another table whose policy drops forwarded packets (iptables' FORWARD chain under
 * Docker, through iptables-nft) or whose last rule drops all (firewalld's), one warning per
 * recorded network whose traffic out, to published ports or between its containers no rule
 * there is seen to accept first (its rules are followed; what they match beyond interfaces,
 * addresses, family and conntrack state is taken as unknown). No rule in brnet's table can
 * overrule it, and brnet writes no other table. iptables-legacy is not seen: a warning, not a
 * verdict. And a network whose containers' MTU (chosen when it was made) is more than the
 * host's route out takes now, as after the host joined a VPN. Returns how many warnings there
 * were. */
typedef void (*brnet_warning_fn)(const char *warning, void *userdata);
int brnet_check_host(brnet_ctx *ctx, brnet_warning_fn warning, void *userdata,
		     struct brnet_error *err);
/* Of those, only the firewall warnings about network bridge (none when it is not recorded):
 * what `brnet run` says before CMD starts. Returns how many there were. */
int brnet_check_network_firewall(brnet_ctx *ctx, const char *bridge, brnet_warning_fn warning,
				 void *userdata, struct brnet_error *err);
/* What of an attachment set up as asked reaches nothing yet, each told to warning(): a port
 * published to an address this host does not have (accepted, since a floating address may
 * come later; nothing reaches it until it does). Returns how many warnings there were. */
int brnet_attachment_warnings(const brnet_attachment *a, brnet_warning_fn warning, void *userdata);

/* Repairs what interrupted or abandoned operations left: attachments whose namespace or
 * process is gone, half-done setups and teardowns (finished from their journal), leases,
 * host veths and map elements that no record owns. Never touches a live attachment or one
 * an operation holds. With dry_run, only reports. action() is called once per repair; the
 * return value is how many there were. */
typedef void (*brnet_action_fn)(const char *action, void *userdata);
int brnet_gc(brnet_ctx *ctx, bool dry_run, brnet_action_fn action, void *userdata,
	     struct brnet_error *err);

/* Re-applies the firewall state of every recorded network and active attachment in one
 * transaction, for use after `nft flush ruleset` or a firewall reload. Idempotent. Returns the
 * number of networks. */
int brnet_restore(brnet_ctx *ctx, struct brnet_error *err);

/* What a follower did (brnet_restore_follow(), brnet_gc_follow()): result as the operation
 * returned it, or -errno with failed saying why; cause is what set it off ("start" for the
 * first run, "table inet brnet deleted", "host veth vb... of web/eth0 deleted", ...). Return
 * non-zero to stop. */
typedef int (*brnet_follow_fn)(int result, const char *cause, const struct brnet_error *failed,
			       void *userdata);
/* brnet_restore() at once, then again whenever the kernel says that something it puts back was
 * taken away: a table, chain, set or rule of brnet's tables deleted (`nft flush ruleset`, a
 * firewall reload, `nft delete table`), an element of an active attachment whose elements are
 * then not all there (`nft flush map`), a recorded network's bridge, or net.ipv4.ip_forward
 * turned off. A restore that fails
 * is reported and the next notice tries again. Runs until fn returns non-zero (0), or it
 * cannot listen (-errno). Needs CAP_NET_ADMIN. While it runs, the kernel writes it a notice of
 * every change to any nf_tables table, which costs the writers (a list of 10,000 CIDRs took
 * 2.4 times as long to load). */
int brnet_restore_follow(brnet_ctx *ctx, brnet_follow_fn fn, void *userdata,
			 struct brnet_error *err);
/* brnet_gc() at once, then again whenever the host end of a live attachment's veth is deleted:
 * its container's namespace went away (its last process ended, or its pinning path was
 * removed), or someone deleted the link; and whenever the process of an attachment set up by
 * pid ends, though something else keeps its namespace (a pidfd each, polled: one descriptor
 * per such attachment; where none can be had, the next run finds it). action() hears of each
 * repair, fn of each run (result: the number of repairs). Runs until fn returns non-zero (0),
 * or it cannot listen (-errno). */
int brnet_gc_follow(brnet_ctx *ctx, brnet_action_fn action, brnet_follow_fn fn, void *userdata,
		    struct brnet_error *err);

void brnet_attachment_free(brnet_attachment *a);
const char *brnet_attachment_id(const brnet_attachment *a);
const char *brnet_attachment_ifname(const brnet_attachment *a);
const char *brnet_attachment_bridge(const brnet_attachment *a);
const char *brnet_attachment_subnet(const brnet_attachment *a); /* "10.0.42.0/24" */
const char *brnet_attachment_address(const brnet_attachment *a); /* "10.0.42.2/24" */
const char *brnet_attachment_gateway(const brnet_attachment *a); /* "10.0.42.1" */
const char *brnet_attachment_host_veth(const brnet_attachment *a);
const char *brnet_attachment_mac(const brnet_attachment *a); /* of the container interface */
/* The host end's and the bridge's MAC address and MTU as the setup that returned a saw them
 * ("" and 0 for an attachment read back from its record: ask the kernel). */
const char *brnet_attachment_host_mac(const brnet_attachment *a);
unsigned brnet_attachment_host_mtu(const brnet_attachment *a);
const char *brnet_attachment_bridge_mac(const brnet_attachment *a);
unsigned brnet_attachment_bridge_mtu(const brnet_attachment *a);
/* Whether the setup that returned a made its network (recorded it and created its bridge):
 * the moment to ask brnet_check_network_firewall() whether the host lets its traffic
 * through. false for an attachment read back from its record. */
bool brnet_attachment_network_made(const brnet_attachment *a);
const char *brnet_attachment_netns(const brnet_attachment *a);
/* The process whose namespace a was set up in (by pid) while it still runs: 0 for one set up
 * by a namespace path, or once that process has gone (its pid reused by another counts as
 * gone). */
pid_t brnet_attachment_pid(const brnet_attachment *a);
const char *brnet_attachment_state(const brnet_attachment *a);
unsigned brnet_attachment_mtu(const brnet_attachment *a);
const char *brnet_attachment_origin(const brnet_attachment *a); /* "" when none was set */
/* Published port specs, in canonical form ("8080:80/tcp"); NULL past the last. */
const char *brnet_attachment_publish(const brnet_attachment *a, unsigned i);

/* Its egress policy, as set up or last replaced: whether it has one (the rest says nothing
 * when not); how many destinations it allows (0: it denies all but DNS), and the i-th
 * ("10.1.0.0/16"; sorted, none inside another, as the policy holds them) into buf, or
 * -ENOENT past the last; its i-th allowed TCP or UDP port
 * (proto IPPROTO_TCP or IPPROTO_UDP; 0 past the last: then every port is allowed); the i-th
 * resolver DNS is allowed to into buf, or -ENOENT past the last (none with
 * brnet_config_egress_dns(cfg, false)); whether DNS to those is allowed; whether denied
 * packets are logged, and rejected. */
#define BRNET_PREFIX_STRLEN 50 /* an IPv6 address's text, "/", the length */
bool brnet_attachment_egress(const brnet_attachment *a);
size_t brnet_attachment_egress_n_allow(const brnet_attachment *a);
int brnet_attachment_egress_allow(const brnet_attachment *a, size_t i,
				  char buf[static BRNET_PREFIX_STRLEN]);
unsigned brnet_attachment_egress_port(const brnet_attachment *a, int proto, unsigned i);
int brnet_attachment_egress_dns(const brnet_attachment *a, unsigned i,
				char buf[static BRNET_PREFIX_STRLEN]);
bool brnet_attachment_egress_dns_allowed(const brnet_attachment *a);
bool brnet_attachment_egress_log(const brnet_attachment *a);
bool brnet_attachment_egress_reject(const brnet_attachment *a);

/* Whether a setup can work now: the state directory is writable, rtnetlink and nf_tables
 * answer. 0, or -errno with a message naming what is not usable. */
int brnet_status(brnet_ctx *ctx, struct brnet_error *err);

const char *brnet_version(void);

#ifdef __cplusplus
}
#endif
#endif
