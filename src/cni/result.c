/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Success results: written in the requested version, and read back (prevResult, IPAM output). */
#include <string.h>
#include <strings.h>

#include "cni/cni.h"

static json_t *iface_json(const struct cni_iface *i, const char *version)
{
	json_t *o = json_pack("{s:s, s:s}", "name", i->name, "mac", i->mac);

	if (!o)
		return NULL;
	/* "mtu" on interfaces is new in 1.1.0. */
	if (i->mtu && cni_version_cmp(version, "1.1.0") >= 0)
		json_object_set_new(o, "mtu", json_integer(i->mtu));
	if (i->sandbox)
		json_object_set_new(o, "sandbox", json_string(i->sandbox));
	return o;
}

static json_t *array_member(json_t *obj, const char *key)
{
	json_t *a = json_object_get(obj, key);

	if (json_is_array(a))
		return a;
	a = json_array();
	json_object_set_new(obj, key, a);
	return a;
}

json_t *cni_result_build(const char *version, const struct cni_add_result *r, json_t *prev)
{
	_cleanup_(json_decrefp) json_t *res = prev ? json_deep_copy(prev) : json_object();
	json_t *ifaces, *ips, *routes, *ip, *dns;
	size_t base;

	if (!res)
		return NULL;
	json_object_set_new(res, "cniVersion", json_string(version));
	ifaces = array_member(res, "interfaces");
	ips = array_member(res, "ips");
	routes = array_member(res, "routes");
	if (!ifaces || !ips || !routes)
		return NULL;
	/* Chained after another plugin: our interfaces follow its ones. */
	base = json_array_size(ifaces);
	for (size_t i = 0; i < ELEMENTSOF(r->ifaces); i++)
		json_array_append_new(ifaces, iface_json(&r->ifaces[i], version));
	ip = json_pack("{s:s, s:s, s:I}", "address", r->address, "gateway", r->gateway, "interface",
		       (json_int_t)base + 2);
	if (!ip)
		return NULL;
	if (cni_version_is_legacy(version))
		json_object_set_new(ip, "version", json_string("4"));
	json_array_append_new(ips, ip);
	json_array_append_new(routes,
			      json_pack("{s:s, s:s}", "dst", "0.0.0.0/0", "gw", r->gateway));
	dns = json_object_get(res, "dns");
	if (!json_is_object(dns) || json_object_size(dns) == 0)
		json_object_set_new(res, "dns", r->dns ? json_deep_copy(r->dns) : json_object());
	return steal_pointer(&res);
}

int cni_result_parse_ipam(json_t *result, struct cni_ipam_result *ret, struct cni_error *e)
{
	json_t *ips = json_object_get(result, "ips"), *routes = json_object_get(result, "routes");
	json_t *v;
	size_t i;

	*ret = (struct cni_ipam_result){ .dns = json_object_get(result, "dns") };
	if (!json_is_object(ret->dns))
		ret->dns = NULL;
	json_array_foreach (ips, i, v) {
		const char *addr = json_string_value(json_object_get(v, "address"));
		const char *gw = json_string_value(json_object_get(v, "gateway"));

		if (!addr)
			continue;
		/* Another address would be reserved by the plugin and never configured: a
		 * dual-stack range list would give pods no IPv6 and no error. */
		if (strchr(addr, ':') || ret->address[0])
			return cni_fail(
				e, CNI_ERR_UNSUPPORTED, addr,
				"the IPAM result's address %s is not supported: brnet gives "
				"an interface one IPv4 address (%s)",
				addr,
				strchr(addr, ':') ? "no IPv6; leave the IPv6 range out"
						  : "give the IPAM plugin one IPv4 range");
		if (strlen(addr) >= sizeof(ret->address) ||
		    (gw && strlen(gw) >= sizeof(ret->gateway)))
			return cni_fail(e, CNI_ERR_IPAM, addr,
					"the IPAM result has a malformed address");
		strcpy(ret->address, addr);
		if (gw)
			strcpy(ret->gateway, gw);
	}
	if (!ret->address[0])
		return cni_fail(e, CNI_ERR_IPAM, NULL, "the IPAM result has no IPv4 address");
	/* brnet gives the container one route, the default one via the gateway. */
	json_array_foreach (routes, i, v) {
		const char *dst = json_string_value(json_object_get(v, "dst"));

		if (dst && strcmp(dst, "0.0.0.0/0") != 0 && !strchr(dst, ':'))
			return cni_fail(
				e, CNI_ERR_UNSUPPORTED, dst,
				"ipam route to %s is not supported: brnet installs only the "
				"default route via the gateway",
				dst);
	}
	return 0;
}

int cni_result_find(json_t *result, const char *ifname, const char *netns, const char *mac,
		    const char *address, struct cni_error *e)
{
	json_t *ifaces = json_object_get(result, "interfaces"), *v;
	json_t *ips = json_object_get(result, "ips");
	json_int_t index = -1;
	size_t i;

	json_array_foreach (ifaces, i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		const char *sandbox = json_string_value(json_object_get(v, "sandbox"));

		if (name && strcmp(name, ifname) == 0 && sandbox && strcmp(sandbox, netns) == 0) {
			const char *m = json_string_value(json_object_get(v, "mac"));

			if (m && mac && strcasecmp(m, mac) != 0)
				return cni_fail(e, CNI_ERR_CHECK, ifname,
						"interface %s has MAC %s, but prevResult says %s",
						ifname, mac, m);
			index = (json_int_t)i;
			break;
		}
	}
	if (index < 0)
		return cni_fail(e, CNI_ERR_CHECK, ifname,
				"prevResult has no interface %s in sandbox %s", ifname, netns);
	json_array_foreach (ips, i, v) {
		const char *addr = json_string_value(json_object_get(v, "address"));
		json_t *idx = json_object_get(v, "interface");

		if (addr && strcmp(addr, address) == 0 &&
		    (!idx || json_integer_value(idx) == index))
			return 0;
	}
	return cni_fail(e, CNI_ERR_CHECK, address,
			"address %s of %s is not in prevResult, or prevResult lists another",
			address, ifname);
}
