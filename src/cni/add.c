/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ADD: the config becomes a brnet_config, brnet_setup() does the work, the attachment becomes
 * the result. With a delegated IPAM plugin, its address is the one we set up. */
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cni/cni.h"
#include "lib/netlink/nlsock.h"
#include "lib/netns/netns.h"
#include "lib/rtnl/rtnl.h"
#include "shared/inaddr.h"

DEFINE_POINTER_CLEANUP(brnet_config, brnet_config_free)
DEFINE_POINTER_CLEANUP(brnet_attachment, brnet_attachment_free)

/* brnet's gateway is the subnet's first host; a config or IPAM result that says otherwise
 * would give the container a route to nowhere. */
static int check_gateway(const char *subnet, const char *gateway, const char *what,
			 struct cni_error *e)
{
	struct inprefix p;
	struct inaddr gw, first;
	char buf[INADDR_STRLEN];

	if (!gateway || !*gateway || inprefix_parse_v4(subnet, &p) < 0)
		return 0;
	p.addr = inaddr_v4_from_host(inaddr_v4_host(&p.addr) & prefix_v4_mask(p.len));
	first = inprefix_v4_first_host(&p);
	if (inaddr_parse_v4(gateway, &gw) < 0)
		return cni_fail(e, CNI_ERR_CONFIG, gateway, "%s %s is not an IPv4 address", what,
				gateway);
	if (!inaddr_equal(&gw, &first))
		return cni_fail(e, CNI_ERR_UNSUPPORTED, gateway,
				"%s %s is not supported: brnet's gateway is the first host address "
				"of the subnet, %s",
				what, gateway, inaddr_to_string(&first, buf));
	return 0;
}

/* After a setup refused as invalid: was it CNI_NETNS, not a network namespace or ours? The
 * library says so as EINVAL, code 7 (config); this is code 4, naming the variable. Asked only
 * then, so that an ADD does not open the namespace twice. */
static bool netns_at_fault(const char *path)
{
	_cleanup_(closep) int fd = netns_open_path(path, NULL);

	return fd < 0 || netns_is_own(fd, -1) > 0;
}

/* "10.88.0.5/16" -> subnet "10.88.0.0/16" and address "10.88.0.5". */
static int split_address(const char *cidr, char subnet[static PREFIX_STRLEN],
			 char address[static INADDR_STRLEN], struct cni_error *e)
{
	struct inprefix p, net;

	if (inprefix_parse_v4(cidr, &p) < 0)
		return cni_fail(e, CNI_ERR_IPAM, cidr,
				"the IPAM result's address %s is not IPv4 CIDR", cidr);
	net = p;
	net.addr = inaddr_v4_from_host(inaddr_v4_host(&p.addr) & prefix_v4_mask(p.len));
	inprefix_to_string(&net, subnet);
	inaddr_to_string(&p.addr, address);
	return 0;
}

/* The "egress" key onto cfg; the resolvers DNS is allowed to are dns.nameservers (IPv4). */
static int apply_egress(brnet_config *cfg, const struct cni_conf *c, struct brnet_error *err)
{
	json_t *allow = json_object_get(c->egress, "allow"), *v;
	json_t *servers = json_object_get(c->dns, "nameservers");
	size_t i;
	int r = 0;

	if (json_is_true(json_object_get(c->egress, "denyAll")))
		r = brnet_config_egress_deny_all(cfg);
	json_array_foreach (allow, i, v)
		if (r >= 0)
			r = brnet_config_egress_allow(cfg, json_string_value(v), err);
	json_array_foreach (json_object_get(c->egress, "tcpPorts"), i, v)
		if (r >= 0)
			r = brnet_config_egress_tcp_port(cfg, (unsigned)json_integer_value(v), err);
	json_array_foreach (json_object_get(c->egress, "udpPorts"), i, v)
		if (r >= 0)
			r = brnet_config_egress_udp_port(cfg, (unsigned)json_integer_value(v), err);
	if (r >= 0 && json_is_false(json_object_get(c->egress, "dns")))
		r = brnet_config_egress_dns(cfg, false);
	if (r >= 0 && json_is_true(json_object_get(c->egress, "log")))
		r = brnet_config_egress_log(cfg, true);
	if (r >= 0 && json_is_true(json_object_get(c->egress, "reject")))
		r = brnet_config_egress_reject(cfg, true);
	json_array_foreach (servers, i, v)
		if (r >= 0 && json_is_string(v) && !strchr(json_string_value(v), ':'))
			r = brnet_config_add_dns(cfg, json_string_value(v), err);
	return r;
}

/* skip: specs of c->ports left out (NULL: none). */
static int build_config(struct cni_request *req, const char *subnet, const char *address,
			const bool *skip, brnet_config **ret, struct cni_error *e)
{
	_cleanup_(brnet_config_freep) brnet_config *cfg = NULL;
	const struct cni_conf *c = &req->conf;
	struct brnet_error err = { 0 };
	int r;

	r = brnet_config_new(&cfg);
	if (r < 0)
		return cni_fail_brnet(e, r, NULL);
	r = brnet_config_set_id(cfg, req->env.containerid, &err);
	if (r >= 0)
		r = brnet_config_set_ifname(cfg, req->env.ifname, &err);
	if (r >= 0)
		r = brnet_config_set_bridge(cfg, c->bridge, &err);
	if (r >= 0)
		r = brnet_config_set_netns_path(cfg, req->env.netns, &err);
	if (r >= 0)
		r = brnet_config_set_origin(cfg, c->origin, &err);
	if (r >= 0)
		r = brnet_config_set_hairpin(cfg, c->hairpin);
	if (r >= 0)
		r = brnet_config_set_routed(cfg, c->routed);
	if (r >= 0 && c->masquerade >= 0)
		r = brnet_config_set_masquerade(cfg, c->masquerade);
	for (size_t i = 0; r >= 0 && i < json_array_size(c->no_masq); i++)
		r = brnet_config_add_masquerade_exception(
			cfg, json_string_value(json_array_get(c->no_masq, i)), &err);
	if (r >= 0)
		r = brnet_config_set_host_socket_check(cfg, c->check_host_sockets);
	if (r >= 0 && c->mtu)
		r = brnet_config_set_mtu(cfg, c->mtu, &err);
	if (r >= 0 && subnet)
		r = brnet_config_set_subnet(cfg, subnet, &err);
	if (r >= 0 && address)
		r = brnet_config_set_address(cfg, address, &err);
	if (r >= 0 && (c->range_start || c->range_end))
		r = brnet_config_set_pool(cfg, c->range_start, c->range_end, &err);
	if (r >= 0 && c->mac)
		r = brnet_config_set_mac(cfg, c->mac, &err);
	for (unsigned i = 0; r >= 0 && i < c->n_ports; i++)
		if (!skip || !skip[i])
			r = brnet_config_add_publish(cfg, c->ports[i], &err);
	if (r >= 0 && c->egress)
		r = apply_egress(cfg, c, &err);
	if (r < 0)
		return cni_fail_brnet(e, r, &err);
	*ret = steal_pointer(&cfg);
	return 0;
}

static void fill_iface(struct nl_sock *rtnl, const char *name, struct cni_iface *ret)
{
	struct link_info link;

	snprintf(ret->name, sizeof(ret->name), "%s", name);
	if (!rtnl || rtnl_link_get(rtnl, name, &link, NULL) < 0 || !link.has_mac)
		return;
	snprintf(ret->mac, sizeof(ret->mac), "%02x:%02x:%02x:%02x:%02x:%02x", link.mac[0],
		 link.mac[1], link.mac[2], link.mac[3], link.mac[4], link.mac[5]);
	ret->mtu = link.mtu;
}

static bool known_iface(const char *name, const char *mac, unsigned mtu, struct cni_iface *ret)
{
	if (!mac[0] || !mtu)
		return false;
	snprintf(ret->name, sizeof(ret->name), "%s", name);
	snprintf(ret->mac, sizeof(ret->mac), "%s", mac);
	ret->mtu = mtu;
	return true;
}

static void log_warning(const char *warning, void *userdata)
{
	fprintf(stderr, "brnet-cni: warning: %s\n", warning);
}

static int make_result(struct cni_request *req, const brnet_attachment *a, json_t *ipam_dns,
		       struct cni_error *e)
{
	_cleanup_(nl_sock_freep) struct nl_sock *rtnl = NULL;
	struct cni_add_result res = {
		.address = brnet_attachment_address(a),
		.gateway = brnet_attachment_gateway(a),
		.dns = req->conf.dns ? req->conf.dns : ipam_dns,
	};

	/* What the setup saw; asked of the kernel only when it did not say. */
	if (!known_iface(brnet_attachment_bridge(a), brnet_attachment_bridge_mac(a),
			 brnet_attachment_bridge_mtu(a), &res.ifaces[0]) ||
	    !known_iface(brnet_attachment_host_veth(a), brnet_attachment_host_mac(a),
			 brnet_attachment_host_mtu(a), &res.ifaces[1])) {
		(void)nl_sock_open(NETLINK_ROUTE, -1, &rtnl);
		fill_iface(rtnl, brnet_attachment_bridge(a), &res.ifaces[0]);
		fill_iface(rtnl, brnet_attachment_host_veth(a), &res.ifaces[1]);
	}
	snprintf(res.ifaces[2].name, sizeof(res.ifaces[2].name), "%s", brnet_attachment_ifname(a));
	snprintf(res.ifaces[2].mac, sizeof(res.ifaces[2].mac), "%s", brnet_attachment_mac(a));
	res.ifaces[2].mtu = brnet_attachment_mtu(a) ? brnet_attachment_mtu(a) : res.ifaces[1].mtu;
	res.ifaces[2].sandbox = req->env.netns;
	req->result = cni_result_build(req->conf.version, &res, req->conf.prev_result);
	if (!req->result)
		return cni_fail(e, CNI_ERR_FAILED, NULL, "out of memory");
	return 0;
}

/* Podman sends a container's port mappings to each network it joins, and a port can lead to
 * one address only: the interface that published a spec first keeps it, and another interface
 * of the same container (CNI_CONTAINERID) publishes the rest. Marks in skip the specs such a
 * sibling publishes, compared as brnet_attachment_publish() and conf.c both write them;
 * returns how many. Asked only after a setup was refused for a port: the list reads every
 * record. */
static unsigned sibling_ports(struct cni_request *req, bool skip[static CNI_PORTS_MAX])
{
	const struct cni_conf *c = &req->conf;
	brnet_attachment **list = NULL;
	struct brnet_error err = { 0 };
	unsigned n_skip = 0;
	size_t n = 0;

	if (brnet_list(req->ctx, &list, &n, &err) < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const brnet_attachment *a = list[i];
		const char *spec;

		if (strcmp(brnet_attachment_id(a), req->env.containerid) != 0 ||
		    strcmp(brnet_attachment_ifname(a), req->env.ifname) == 0)
			continue;
		for (unsigned k = 0; (spec = brnet_attachment_publish(a, k)); k++)
			for (unsigned p = 0; p < c->n_ports; p++)
				if (!skip[p] && strcmp(spec, c->ports[p]) == 0) {
					skip[p] = true;
					n_skip++;
				}
	}
	brnet_attachment_list_free(list, n);
	return n_skip;
}

static void ipam_release(struct cni_request *req)
{
	struct cni_error ignored;

	(void)cni_delegate(req->conf.ipam_type, req->env.path, "DEL", req->stdin_text,
			   req->stdin_len, NULL, &ignored);
}

int cni_add(struct cni_request *req, struct cni_error *e)
{
	_cleanup_(brnet_config_freep) brnet_config *cfg = NULL;
	_cleanup_(brnet_attachment_freep) brnet_attachment *a = NULL;
	_cleanup_(json_decrefp) json_t *ipam = NULL;
	const struct cni_conf *c = &req->conf;
	char subnet[PREFIX_STRLEN], address[INADDR_STRLEN];
	const char *want_subnet = c->subnet, *want_address = c->ip;
	struct cni_ipam_result ipres = { 0 };
	struct brnet_error err = { 0 };
	bool skip[CNI_PORTS_MAX] = { false };
	int r;

	if (access(req->env.netns, F_OK) < 0)
		return cni_fail(e, CNI_ERR_ENV, "CNI_NETNS", "CNI_NETNS %s: %s", req->env.netns,
				strerror(errno));
	if (c->ipam_type) {
		if (cni_delegate(c->ipam_type, req->env.path, "ADD", req->stdin_text,
				 req->stdin_len, &ipam, e) < 0)
			return -1;
		if (cni_result_parse_ipam(ipam, &ipres, e) < 0 ||
		    split_address(ipres.address, subnet, address, e) < 0 ||
		    check_gateway(subnet, ipres.gateway, "the IPAM gateway", e) < 0 ||
		    build_config(req, subnet, address, NULL, &cfg, e) < 0) {
			/* The spec: a failed ADD after the IPAM ADD releases what it got. */
			ipam_release(req);
			return -1;
		}
	} else {
		if (c->subnet && check_gateway(c->subnet, c->gateway, "ipam gateway", e) < 0)
			return -1;
		if (build_config(req, c->subnet, c->ip, NULL, &cfg, e) < 0)
			return -1;
	}
	if (c->ipam_type) {
		want_subnet = subnet;
		want_address = address;
	}
	r = brnet_setup(req->ctx, cfg, &a, &err);
	if (r == -EADDRINUSE && c->n_ports > 0 && sibling_ports(req, skip) > 0) {
		/* Refused as a whole, nothing left behind: again without the siblings' ports. */
		brnet_config_free(steal_pointer(&cfg));
		err = (struct brnet_error){ 0 };
		r = build_config(req, want_subnet, want_address, skip, &cfg, e);
		if (r < 0) {
			if (c->ipam_type)
				ipam_release(req);
			return -1;
		}
		r = brnet_setup(req->ctx, cfg, &a, &err);
	}
	if (r < 0) {
		if (c->ipam_type)
			ipam_release(req);
		if (r == -EINVAL && netns_at_fault(req->env.netns))
			return cni_fail(e, CNI_ERR_ENV, "CNI_NETNS", "CNI_NETNS: %s", err.msg);
		return cni_fail_brnet(e, r, &err);
	}
	/* Once per network, when this ADD made it: a host firewall that drops its traffic, on
	 * stderr, which runtimes pass on to their logs. */
	if (brnet_attachment_network_made(a))
		(void)brnet_check_network_firewall(req->ctx, brnet_attachment_bridge(a),
						   log_warning, NULL, NULL);
	return make_result(req, a, ipres.dns, e);
}
