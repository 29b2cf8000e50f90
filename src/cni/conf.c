/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The network config on stdin: the keys of the reference bridge plugin, the CNI conventions
 * (args, CNI_ARGS, runtimeConfig capabilities) and ours. Unknown keys are ignored, as the spec
 * requires; known keys whose behaviour we do not implement are refused with code 2 rather than
 * silently giving a different network.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cni/cni.h"
#include "lib/config/config.h"

struct parser {
	const char *text;
	size_t len;
	struct cni_conf *conf;
	struct cni_error *e;
	enum cni_command cmd;
};

/* "line L, column C" of the value of parent.key in the text, found by scanning for the quoted
 * key names in order. jansson keeps no positions, and a config is small. */
static void locate(const struct parser *p, const char *parent, const char *key, char *buf,
		   size_t size)
{
	const char *path[2] = { parent, key }, *at = p->text, *end = p->text + p->len;
	unsigned line = 1, col = 1;

	buf[0] = '\0';
	for (int i = 0; i < 2; i++) {
		char quoted[80];
		size_t qlen;
		const char *hit = NULL;

		if (!path[i])
			continue;
		qlen = (size_t)snprintf(quoted, sizeof(quoted), "\"%s\"", path[i]);
		if (qlen >= sizeof(quoted))
			return;
		for (const char *s = at; s + qlen <= end; s++) {
			const char *c = s + qlen;

			if (memcmp(s, quoted, qlen) != 0)
				continue;
			while (c < end && strchr(" \t\r\n", *c))
				c++;
			if (c < end && *c == ':') {
				hit = c + 1;
				break;
			}
		}
		if (!hit)
			return;
		while (hit < end && strchr(" \t\r\n", *hit))
			hit++;
		at = hit;
	}
	for (const char *s = p->text; s < at; s++) {
		if (*s == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	snprintf(buf, size, " (line %u, column %u)", line, col);
}

static int bad(const struct parser *p, int code, const char *parent, const char *key,
	       const char *fmt_value, const char *why)
{
	char where[48], name[96];

	locate(p, parent, key, where, sizeof(where));
	snprintf(name, sizeof(name), "%s%s%s", parent ? parent : "", parent ? "." : "", key);
	if (fmt_value)
		return cni_fail(p->e, code, name, "%s %s: %s%s", name, fmt_value, why, where);
	return cni_fail(p->e, code, name, "%s: %s%s", name, why, where);
}

/*
 * A member of a runtime-made object as Go's encoding/json finds it: the exact key, else the
 * first one equal but for ASCII case. containerd (go-cni) sends each port mapping as a Go
 * struct without JSON tags, {"HostPort": 8080, "ContainerPort": 80, "Protocol": "tcp",
 * "HostIP": ""}, and the reference portmap plugin, in Go, reads it.
 */
static json_t *member(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	const char *k;

	if (v)
		return v;
	json_object_foreach (obj, k, v)
		if (strcasecmp(k, key) == 0)
			return v;
	return NULL;
}

static int string_value(const struct parser *p, json_t *v, const char *parent, const char *key,
			const char **ret)
{
	if (!v)
		return 0;
	if (!json_is_string(v))
		return bad(p, CNI_ERR_CONFIG, parent, key, NULL, "must be a string");
	*ret = json_string_value(v);
	return 1;
}

/* Typed getters: absent is fine (the value is left alone), a wrong type is code 7. */
static int get_string(const struct parser *p, json_t *obj, const char *parent, const char *key,
		      const char **ret)
{
	return string_value(p, json_object_get(obj, key), parent, key, ret);
}

static int get_bool(const struct parser *p, json_t *obj, const char *key, bool *ret)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return bad(p, CNI_ERR_CONFIG, NULL, key, NULL, "must be true or false");
	*ret = json_is_true(v);
	return 1;
}

static int get_object(const struct parser *p, json_t *obj, const char *parent, const char *key,
		      json_t **ret)
{
	json_t *v = json_object_get(obj, key);

	*ret = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return bad(p, CNI_ERR_CONFIG, parent, key, NULL, "must be an object");
	*ret = v;
	return 1;
}

static int get_port(const struct parser *p, json_t *obj, const char *key, bool required,
		    unsigned *ret)
{
	json_t *v = member(obj, key);

	if (!v) {
		if (required)
			return bad(p, CNI_ERR_CONFIG, "portMappings", key, NULL,
				   "is required in every mapping");
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 65535)
		return bad(p, CNI_ERR_CONFIG, "portMappings", key, NULL,
			   "must be an integer from 1 to 65535");
	*ret = (unsigned)json_integer_value(v);
	return 1;
}

/* A key we know but do not implement: refused when set to anything but its neutral value. */
static int refuse_bool(const struct parser *p, json_t *root, const char *key, bool neutral,
		       const char *why)
{
	bool v = neutral;
	int r = get_bool(p, root, key, &v);

	if (r < 0)
		return r;
	if (v != neutral)
		return bad(p, CNI_ERR_UNSUPPORTED, NULL, key, v ? "= true" : "= false", why);
	return 0;
}

/* Our extension: {"allow": [CIDR...], "tcpPorts": [N...], "udpPorts": [N...], "denyAll": bool,
 * "dns": bool, "log": bool, "reject": bool}. Values are checked here for type; CIDRs and ports
 * by the library. */
static int parse_egress(const struct parser *p, json_t *root)
{
	static const char *const known[] = { "allow", "tcpPorts", "udpPorts", "denyAll",
					     "dns",   "log",	  "reject" };
	static const char *const flags[] = { "denyAll", "dns", "log", "reject" };
	json_t *e, *v, *x;
	const char *key;
	size_t i;
	int r;

	r = get_object(p, root, NULL, "egress", &e);
	if (r <= 0)
		return r;
	json_object_foreach (e, key, v) {
		bool ok = false;

		for (size_t k = 0; k < ELEMENTSOF(known); k++)
			ok |= strcmp(key, known[k]) == 0;
		if (!ok)
			return bad(p, CNI_ERR_UNSUPPORTED, "egress", key, NULL,
				   "is not an egress key (allow, tcpPorts, udpPorts, denyAll, dns, "
				   "log, reject)");
	}
	if ((v = json_object_get(e, "allow"))) {
		if (!json_is_array(v))
			return bad(p, CNI_ERR_CONFIG, "egress", "allow", NULL,
				   "must be an array of CIDRs");
		json_array_foreach (v, i, x)
			if (!json_is_string(x))
				return bad(p, CNI_ERR_CONFIG, "egress", "allow", NULL,
					   "must be an array of CIDRs");
	}
	for (int t = 0; t < 2; t++) {
		const char *name = t ? "udpPorts" : "tcpPorts";

		if (!(v = json_object_get(e, name)))
			continue;
		if (!json_is_array(v))
			return bad(p, CNI_ERR_CONFIG, "egress", name, NULL,
				   "must be an array of ports");
		json_array_foreach (v, i, x)
			if (!json_is_integer(x) || json_integer_value(x) < 1 ||
			    json_integer_value(x) > 65535)
				return bad(p, CNI_ERR_CONFIG, "egress", name, NULL,
					   "must be an array of ports from 1 to 65535");
	}
	for (size_t k = 0; k < ELEMENTSOF(flags); k++)
		if ((v = json_object_get(e, flags[k])) && !json_is_boolean(v))
			return bad(p, CNI_ERR_CONFIG, "egress", flags[k], NULL,
				   "must be true or false");
	p->conf->egress = e;
	return 0;
}

static int parse_unsupported(const struct parser *p, json_t *root)
{
	static const struct {
		const char *key;
		bool neutral;
		const char *why;
	} bools[] = {
		{ "isGateway", true, "brnet always puts the gateway address on the bridge" },
		{ "promiscMode", false, "promiscuous bridges are not supported" },
		{ "forceAddress", false,
		  "brnet never replaces a bridge's address; a mismatch is an error" },
		{ "enabledad", false, "IPv6 is not supported" },
		{ "disableContainerInterface", false, "the container interface is always up" },
		{ "portIsolation", false, "port isolation is not supported" },
	};
	json_t *v;
	int r;

	for (size_t i = 0; i < ELEMENTSOF(bools); i++) {
		r = refuse_bool(p, root, bools[i].key, bools[i].neutral, bools[i].why);
		if (r < 0)
			return r;
	}
	v = json_object_get(root, "vlan");
	if (v && !(json_is_integer(v) && json_integer_value(v) == 0))
		return bad(p, CNI_ERR_UNSUPPORTED, NULL, "vlan", NULL,
			   "VLAN filtering is not supported");
	v = json_object_get(root, "vlanTrunk");
	if (v && !(json_is_array(v) && json_array_size(v) == 0))
		return bad(p, CNI_ERR_UNSUPPORTED, NULL, "vlanTrunk", NULL,
			   "VLAN trunks are not supported");
	return 0;
}

/* Capabilities a runtime fills only when the conflist declares them for this plugin: declared
 * for brnet-cni, they would be silently without effect. */
static int refuse_capabilities(const struct parser *p, json_t *rc)
{
	const char *ipam = p->conf->ipam_type;
	json_t *v;

	v = json_object_get(rc, "bandwidth");
	if (v && !json_is_null(v))
		return bad(p, CNI_ERR_UNSUPPORTED, "runtimeConfig", "bandwidth", NULL,
			   "brnet-cni does not shape traffic; declare the capability for a "
			   "chained \"bandwidth\" plugin instead");
	v = json_object_get(rc, "ipRanges");
	if (v && !json_is_null(v) && (!ipam || strcmp(ipam, "brnet") == 0))
		return bad(p, CNI_ERR_UNSUPPORTED, "runtimeConfig", "ipRanges", NULL,
			   "brnet's IPAM takes its range from the config (subnet, rangeStart, "
			   "rangeEnd); an IPAM plugin such as host-local reads ipRanges");
	return 0;
}

/* Ours: "noMasqueradeTo": [CIDR...], destinations a masquerading network leaves alone (the
 * CIDRs themselves are the library's to judge). */
static int parse_no_masquerade(const struct parser *p, json_t *root)
{
	json_t *v = json_object_get(root, "noMasqueradeTo"), *x;
	size_t i;

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return bad(p, CNI_ERR_CONFIG, NULL, "noMasqueradeTo", NULL,
			   "must be an array of strings");
	json_array_foreach (v, i, x)
		if (!json_is_string(x))
			return bad(p, CNI_ERR_CONFIG, NULL, "noMasqueradeTo", NULL,
				   "must be an array of strings");
	if (json_array_size(v) > 0 && p->conf->masquerade == 0)
		return bad(p, CNI_ERR_CONFIG, NULL, "noMasqueradeTo", NULL,
			   "is for a network that masquerades, and ipMasq is false");
	p->conf->no_masq = v;
	return 0;
}

/* "10.1.2.3" or "10.1.2.3/24" into the config's address; IPv6 and a second IPv4 are code 2. */
static int take_ip(const struct parser *p, const char *parent, const char *key, const char *s)
{
	struct cni_conf *c = p->conf;
	size_t n = strcspn(s, "/");

	if (strchr(s, ':'))
		return bad(p, CNI_ERR_UNSUPPORTED, parent, key, s, "IPv6 is not supported");
	if (c->ip)
		return bad(p, CNI_ERR_UNSUPPORTED, parent, key, s,
			   "only one IPv4 address per interface is supported");
	if (n == 0 || n >= sizeof(c->ip_buf))
		return bad(p, CNI_ERR_CONFIG, parent, key, s, "is not an IPv4 address");
	memcpy(c->ip_buf, s, n);
	c->ip_buf[n] = '\0';
	c->ip = c->ip_buf;
	return 0;
}

static int take_ip_list(const struct parser *p, json_t *obj, const char *parent)
{
	json_t *ips = json_object_get(obj, "ips"), *v;
	size_t i;
	int r;

	if (!ips || p->conf->ip)
		return 0;
	if (!json_is_array(ips))
		return bad(p, CNI_ERR_CONFIG, parent, "ips", NULL, "must be an array of strings");
	json_array_foreach (ips, i, v) {
		if (!json_is_string(v))
			return bad(p, CNI_ERR_CONFIG, parent, "ips", NULL,
				   "must be an array of strings");
		r = take_ip(p, parent, "ips", json_string_value(v));
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_port_mappings(const struct parser *p, json_t *rc)
{
	json_t *maps = json_object_get(rc, "portMappings"), *m;
	struct cni_conf *c = p->conf;
	size_t i;
	int r;

	if (!maps || json_is_null(maps))
		return 0;
	if (!json_is_array(maps))
		return bad(p, CNI_ERR_CONFIG, "runtimeConfig", "portMappings", NULL,
			   "must be an array of objects");
	if (json_array_size(maps) > CNI_PORTS_MAX)
		return bad(p, CNI_ERR_UNSUPPORTED, "runtimeConfig", "portMappings", NULL,
			   "more mappings than brnet supports per container (64)");
	json_array_foreach (maps, i, m) {
		const char *proto = "tcp", *host_ip = "";
		unsigned host_port = 0, container_port = 0;

		if (!json_is_object(m))
			return bad(p, CNI_ERR_CONFIG, "runtimeConfig", "portMappings", NULL,
				   "must be an array of objects");
		if ((r = get_port(p, m, "hostPort", true, &host_port)) < 0 ||
		    (r = get_port(p, m, "containerPort", true, &container_port)) < 0 ||
		    (r = string_value(p, member(m, "protocol"), "portMappings", "protocol",
				      &proto)) < 0 ||
		    (r = string_value(p, member(m, "hostIP"), "portMappings", "hostIP", &host_ip)) <
			    0)
			return r;
		if (strcasecmp(proto, "tcp") != 0 && strcasecmp(proto, "udp") != 0)
			return bad(p, CNI_ERR_UNSUPPORTED, "portMappings", "protocol", proto,
				   "only tcp and udp can be published");
		if (strchr(host_ip, ':'))
			return bad(p, CNI_ERR_UNSUPPORTED, "portMappings", "hostIP", host_ip,
				   "IPv6 is not supported");
		if (strlen(host_ip) > 15)
			return bad(p, CNI_ERR_CONFIG, "portMappings", "hostIP", host_ip,
				   "is not an IPv4 address");
		snprintf(c->ports[c->n_ports++], PUBLISH_STRLEN, "%s%s%u:%u/%s", host_ip,
			 *host_ip ? ":" : "", host_port, container_port,
			 strcasecmp(proto, "udp") == 0 ? "udp" : "tcp");
	}
	return 0;
}

static int parse_ipam(const struct parser *p, json_t *root)
{
	struct cni_conf *c = p->conf;
	json_t *ipam;
	int r;

	r = get_object(p, root, NULL, "ipam", &ipam);
	if (r < 0)
		return r;
	if (!ipam || json_object_size(ipam) == 0)
		return get_string(p, root, NULL, "subnet", &c->subnet) < 0 ? -1 : 0;
	r = get_string(p, ipam, "ipam", "type", &c->ipam_type);
	if (r < 0)
		return r;
	if (!c->ipam_type || !*c->ipam_type)
		return bad(p, CNI_ERR_CONFIG, "ipam", "type", NULL,
			   "is required when ipam is given (\"brnet\" for the built-in one)");
	if (strcmp(c->ipam_type, "brnet") != 0) {
		/* Delegated: the plugin name is a file name on CNI_PATH, nothing else. */
		if (strchr(c->ipam_type, '/') || c->ipam_type[0] == '.')
			return bad(p, CNI_ERR_CONFIG, "ipam", "type", c->ipam_type,
				   "is not a plugin name");
		return 0;
	}
	c->ipam_type = NULL;
	if ((r = get_string(p, ipam, "ipam", "subnet", &c->subnet)) < 0 ||
	    (r = get_string(p, ipam, "ipam", "rangeStart", &c->range_start)) < 0 ||
	    (r = get_string(p, ipam, "ipam", "rangeEnd", &c->range_end)) < 0 ||
	    (r = get_string(p, ipam, "ipam", "gateway", &c->gateway)) < 0)
		return r;
	if (!c->subnet)
		return get_string(p, root, NULL, "subnet", &c->subnet) < 0 ? -1 : 0;
	return 0;
}

/* CNI_ARGS: "K=V;K=V". IP and MAC are ours; anything else needs IgnoreUnknown. */
static int parse_cni_args(const struct parser *p, const char *args)
{
	struct cni_conf *c = p->conf;
	bool ignore_unknown = false;
	char unknown[64] = "";

	for (const char *s = args; s && *s;) {
		size_t n = strcspn(s, ";"), klen;
		const char *eq = memchr(s, '=', n);
		char key[64], val[128];

		if (n == 0) {
			s++;
			continue;
		}
		if (!eq || eq == s)
			return cni_fail(p->e, CNI_ERR_ENV, "CNI_ARGS",
					"invalid CNI_ARGS \"%.200s\": expected KEY=VALUE pairs "
					"separated by ';'",
					args);
		klen = (size_t)(eq - s);
		snprintf(key, sizeof(key), "%.*s", (int)klen, s);
		snprintf(val, sizeof(val), "%.*s", (int)(n - klen - 1), eq + 1);
		if (n - klen - 1 >= sizeof(val))
			return cni_fail(
				p->e, CNI_ERR_ENV, "CNI_ARGS",
				"invalid CNI_ARGS: the value of %s is longer than %zu bytes", key,
				sizeof(val) - 1);
		if (strcmp(key, "IgnoreUnknown") == 0) {
			ignore_unknown = strcmp(val, "1") == 0 || strcasecmp(val, "true") == 0;
		} else if (strcmp(key, "IP") == 0) {
			if (!c->ip && take_ip(p, "CNI_ARGS", "IP", val) < 0)
				return -1;
		} else if (strcmp(key, "MAC") == 0) {
			if (strlen(val) >= sizeof(c->mac_buf))
				return cni_fail(
					p->e, CNI_ERR_CONFIG, "CNI_ARGS",
					"invalid CNI_ARGS MAC \"%.64s\": expected six hex pairs",
					val);
			memcpy(c->mac_buf, val, strlen(val) + 1);
		} else if (!unknown[0]) {
			snprintf(unknown, sizeof(unknown), "%s", key);
		}
		s += n;
	}
	if (unknown[0] && !ignore_unknown)
		return cni_fail(
			p->e, CNI_ERR_UNSUPPORTED, "CNI_ARGS",
			"CNI_ARGS key %s is not supported (set IgnoreUnknown=1 to ignore it)",
			unknown);
	return 0;
}

static int check_name(const struct parser *p, const char *name)
{
	struct brnet_error err;

	/* The CNI name rule is the container id rule, without our length limit. */
	if (strlen(name) > 64 || config_check_id(name, &err) < 0)
		return bad(p, CNI_ERR_CONFIG, NULL, "name", name,
			   "must start with a letter or digit, then [A-Za-z0-9_.-], at most 64 "
			   "bytes");
	return 0;
}

static int parse_version(const struct parser *p, json_t *root, enum cni_command cmd)
{
	struct cni_conf *c = p->conf;
	const char *v = NULL;
	int r;

	r = get_string(p, root, NULL, "cniVersion", &v);
	if (r < 0)
		return r;
	if (!v)
		return bad(p, CNI_ERR_CONFIG, NULL, "cniVersion", NULL, "is required");
	/* Copied (bounded: longer is no version we speak) so that it survives the config. */
	snprintf(c->version_buf, sizeof(c->version_buf), "%s", v);
	c->version = c->version_buf;
	if (cmd == CNI_VERSION || cni_version_supported(c->version))
		return 0;
	return cni_fail(p->e, CNI_ERR_VERSION, c->version,
			"incompatible CNI version %s: brnet-cni supports 0.3.0, 0.3.1, 0.4.0, "
			"1.0.0 and 1.1.0",
			c->version);
}

static int parse_valid_attachments(const struct parser *p, json_t *root)
{
	json_t *v = json_object_get(root, "cni.dev/valid-attachments"), *a;
	size_t i;

	if (!v)
		return 0;
	if (!json_is_array(v))
		goto bad;
	json_array_foreach (v, i, a)
		if (!json_is_string(json_object_get(a, "containerID")) ||
		    !json_is_string(json_object_get(a, "ifname")))
			goto bad;
	p->conf->valid_attachments = v;
	return 0;
bad:
	return bad(p, CNI_ERR_CONFIG, NULL, "cni.dev/valid-attachments", NULL,
		   "must be an array of {\"containerID\": ..., \"ifname\": ...} objects");
}

static int parse_network(const struct parser *p, json_t *root, const char *cni_args)
{
	struct cni_conf *c = p->conf;
	json_t *rc, *args, *args_cni = NULL, *v;
	const char *top_mac = NULL, *rc_mac = NULL, *args_mac = NULL;
	bool masquerade = true;
	int r;

	r = get_string(p, root, NULL, "name", &c->name);
	if (r < 0)
		return r;
	if (!c->name)
		return bad(p, CNI_ERR_CONFIG, NULL, "name", NULL, "is required");
	if (check_name(p, c->name) < 0)
		return -1;
	snprintf(c->origin, sizeof(c->origin), "cni:%s", c->name);
	if ((r = get_string(p, root, NULL, "type", &c->type)) < 0)
		return r;
	if (!c->type)
		return bad(p, CNI_ERR_CONFIG, NULL, "type", NULL, "is required");
	c->bridge = "cni0";
	/* As the reference plugin, which filters nothing: other nodes reach pods by their
	 * address (the Kubernetes model). false keeps them to published ports. */
	c->routed = true;
	c->masquerade = -1;
	if ((r = get_string(p, root, NULL, "bridge", &c->bridge)) < 0 ||
	    (r = get_bool(p, root, "hairpinMode", &c->hairpin)) < 0 ||
	    (r = get_bool(p, root, "allowRouted", &c->routed)) < 0 ||
	    (r = get_bool(p, root, "checkHostSockets", &c->check_host_sockets)) < 0 ||
	    (r = get_string(p, root, NULL, "mac", &top_mac)) < 0 ||
	    (r = get_string(p, root, NULL, "stateDir", &c->state_dir)) < 0 ||
	    (r = get_object(p, root, NULL, "dns", &c->dns)) < 0 ||
	    (r = get_object(p, root, NULL, "prevResult", &c->prev_result)) < 0 ||
	    (r = get_object(p, root, NULL, "runtimeConfig", &rc)) < 0 ||
	    (r = get_object(p, root, NULL, "args", &args)) < 0)
		return r;
	if (config_check_ifname(c->bridge, "bridge", &(struct brnet_error){ 0 }) < 0)
		return bad(p, CNI_ERR_CONFIG, NULL, "bridge", c->bridge,
			   "is not an interface name (1-15 bytes of [A-Za-z0-9_.-])");
	if (c->state_dir && c->state_dir[0] != '/')
		return bad(p, CNI_ERR_CONFIG, NULL, "stateDir", c->state_dir,
			   "must be an absolute path");
	v = json_object_get(root, "mtu");
	if (v && (!json_is_integer(v) || json_integer_value(v) < BRNET_MTU_MIN ||
		  json_integer_value(v) > BRNET_MTU_MAX))
		return bad(p, CNI_ERR_CONFIG, NULL, "mtu", NULL,
			   "must be an integer from 68 to 65535");
	if (v)
		c->mtu = (unsigned)json_integer_value(v);
	r = parse_ipam(p, root);
	if (r < 0)
		return r;
	/* DEL, GC and STATUS must work whatever ADD was given (DEL follows a refused ADD): they
	 * need only what names the network and its IPAM. */
	if (p->cmd != CNI_ADD && p->cmd != CNI_CHECK)
		return parse_valid_attachments(p, root);
	r = parse_unsupported(p, root);
	if (r >= 0)
		r = parse_egress(p, root);
	if (r >= 0)
		r = get_bool(p, root, "ipMasq", &masquerade);
	if (r < 0)
		return r;
	/* Absent, the network's choice: a new network masquerades, where the reference plugin
	 * would not (false is its default; conflists that want it say true). */
	if (r > 0)
		c->masquerade = masquerade;
	r = parse_no_masquerade(p, root);
	if (r < 0)
		return r;

	r = refuse_capabilities(p, rc);
	if (r < 0)
		return r;
	/* Precedence of the conventions: runtimeConfig, then args, then CNI_ARGS, then the
	 * plain config key. */
	if (rc && ((r = parse_port_mappings(p, rc)) < 0 ||
		   (r = take_ip_list(p, rc, "runtimeConfig")) < 0 ||
		   (r = get_string(p, rc, "runtimeConfig", "mac", &rc_mac)) < 0))
		return r;
	if (args && (r = get_object(p, args, "args", "cni", &args_cni)) < 0)
		return r;
	if (args_cni && ((r = take_ip_list(p, args_cni, "cni")) < 0 ||
			 (r = get_string(p, args_cni, "cni", "mac", &args_mac)) < 0))
		return r;
	r = parse_cni_args(p, cni_args);
	if (r < 0)
		return r;
	c->mac = rc_mac ? rc_mac : args_mac ? args_mac : c->mac_buf[0] ? c->mac_buf : top_mac;
	return 0;
}

int cni_conf_parse(const char *text, size_t len, enum cni_command cmd, const char *cni_args,
		   struct cni_conf *ret, struct cni_error *e)
{
	struct parser p = { .text = text, .len = len, .conf = ret, .e = e, .cmd = cmd };
	json_error_t jerr;
	int r;

	/* Filled in place: the config points into its own buffers. */
	*ret = (struct cni_conf){ 0 };
	ret->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!ret->root)
		return cni_fail(e, CNI_ERR_DECODE, jerr.text,
				"cannot decode the network config: %s (line %d, column %d)",
				jerr.text, jerr.line, jerr.column);
	if (!json_is_object(ret->root))
		r = cni_fail(e, CNI_ERR_CONFIG, NULL,
			     "invalid network config: expected a JSON object");
	else
		r = parse_version(&p, ret->root, cmd);
	if (r >= 0 && cmd != CNI_VERSION)
		r = parse_network(&p, ret->root, cni_args);
	if (r < 0) {
		/* Only the version stays: the error object is written in it. */
		char version[sizeof(ret->version_buf)];

		memcpy(version, ret->version_buf, sizeof(version));
		cni_conf_done(ret);
		*ret = (struct cni_conf){ 0 };
		memcpy(ret->version_buf, version, sizeof(version));
		ret->version = ret->version_buf[0] ? ret->version_buf : NULL;
		return -1;
	}
	return 0;
}

void cni_conf_done(struct cni_conf *c)
{
	json_decref(c->root);
	c->root = NULL;
}
