/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Configuration setters. Each refuses a bad value with -EINVAL and a message that names the
 * value and the rule it breaks, before anything touches the kernel or the state directory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config/config.h"
#include "shared/error.h"
#include "shared/jsonw.h"

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_name_char(char c)
{
	return is_alnum(c) || c == '_' || c == '.' || c == '-';
}

int config_check_ifname(const char *name, const char *what, struct brnet_error *err)
{
	size_t len;

	if (!name || !*name)
		return brnet_err(err, EINVAL, "invalid %s \"\": must not be empty", what);
	len = strlen(name);
	if (len > BRNET_IFNAME_MAX)
		return brnet_err(err, EINVAL, "invalid %s \"%.64s\": longer than %d bytes", what,
				 name, BRNET_IFNAME_MAX);
	for (size_t i = 0; i < len; i++)
		if (!is_name_char(name[i]))
			return brnet_err(err, EINVAL,
					 "invalid %s \"%s\": only [A-Za-z0-9_.-] are allowed", what,
					 name);
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return brnet_err(err, EINVAL, "invalid %s \"%s\": not a usable interface name",
				 what, name);
	return 0;
}

int config_check_id(const char *id, struct brnet_error *err)
{
	size_t len;

	if (!id || !*id)
		return brnet_err(err, EINVAL, "invalid id \"\": must not be empty");
	len = strlen(id);
	if (len > BRNET_ID_MAX)
		return brnet_err(err, EINVAL, "invalid id \"%.32s...\": longer than %d bytes", id,
				 BRNET_ID_MAX);
	if (!is_alnum(id[0]))
		return brnet_err(err, EINVAL,
				 "invalid id \"%s\": must start with a letter or digit", id);
	for (size_t i = 1; i < len; i++)
		if (!is_name_char(id[i]))
			return brnet_err(err, EINVAL,
					 "invalid id \"%s\": only [A-Za-z0-9_.-] are allowed", id);
	return 0;
}

int config_parse_subnet(const char *s, struct inprefix *ret, struct brnet_error *err)
{
	struct inprefix p;
	char buf[PREFIX_STRLEN];

	if (!s || inprefix_parse_v4(s, &p) < 0)
		return brnet_err(
			err, EINVAL,
			"invalid subnet \"%.64s\": expected IPv4 CIDR A.B.C.D/N in decimal "
			"without leading zeros",
			s ? s : "");
	if (p.len < BRNET_PREFIX_MIN || p.len > BRNET_PREFIX_MAX)
		return brnet_err(err, EINVAL, "invalid subnet \"%s\": prefix must be /%d to /%d", s,
				 BRNET_PREFIX_MIN, BRNET_PREFIX_MAX);
	if (!inprefix_host_bits_clear(&p)) {
		struct inprefix net = p;

		net.addr = inaddr_v4_from_host(inaddr_v4_host(&p.addr) & prefix_v4_mask(p.len));
		return brnet_err(err, EINVAL,
				 "invalid subnet \"%s\": host bits are set (did you mean %s?)", s,
				 inprefix_to_string(&net, buf));
	}
	*ret = p;
	return 0;
}

int config_parse_cidr(const char *s, const char *what, struct inprefix *ret,
		      struct brnet_error *err)
{
	struct inprefix p = { 0 };
	char buf[PREFIX_STRLEN];

	if (!s)
		return -EINVAL;
	if (inprefix_parse_v4_or_address(s, &p) < 0) {
		if (!strchr(s, '/'))
			return brnet_err(err, EINVAL,
					 "invalid %s \"%.64s\": expected IPv4 A.B.C.D/N or an "
					 "address",
					 what, s);
		return brnet_err(err, EINVAL,
				 "invalid %s \"%.64s\": expected IPv4 A.B.C.D/N, N 0-32", what, s);
	}
	if (!inprefix_host_bits_clear(&p)) {
		struct inprefix net = p;

		net.addr = inaddr_v4_from_host(inaddr_v4_host(&p.addr) & prefix_v4_mask(p.len));
		return brnet_err(err, EINVAL, "invalid %s %s: host bits are set (did you mean %s?)",
				 what, s, inprefix_to_string(&net, buf));
	}
	*ret = p;
	return 0;
}

static int prefix_cmp(const struct inprefix *a, const struct inprefix *b)
{
	uint32_t x = inaddr_v4_host(&a->addr), y = inaddr_v4_host(&b->addr);

	if (x != y)
		return x < y ? -1 : 1;
	return (int)a->len - (int)b->len;
}

int config_prefix_set_add(struct inprefix *v, unsigned *n, unsigned max, const struct inprefix *p)
{
	unsigned i = 0;

	while (i < *n && prefix_cmp(&v[i], p) < 0)
		i++;
	if (i < *n && prefix_cmp(&v[i], p) == 0)
		return 0;
	if (*n == max)
		return -E2BIG;
	memmove(&v[i + 1], &v[i], (*n - i) * sizeof(*v));
	v[i] = *p;
	(*n)++;
	return 1;
}

int brnet_config_new(brnet_config **ret)
{
	brnet_config *cfg;

	if (!ret)
		return -EINVAL;
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	strcpy(cfg->ifname, BRNET_DEFAULT_IFNAME);
	strcpy(cfg->bridge, BRNET_DEFAULT_BRIDGE);
	(void)inprefix_parse_v4(BRNET_DEFAULT_SUBNET, &cfg->subnet);
	cfg->routed = -1;
	cfg->masquerade = -1;
	*ret = cfg;
	return 0;
}

void brnet_config_free(brnet_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->netns_path);
	egress_policy_done(&cfg->egress);
	free(cfg);
}

int brnet_config_set_id(brnet_config *cfg, const char *id, struct brnet_error *err)
{
	int r;

	if (!cfg)
		return -EINVAL;
	r = config_check_id(id, err);
	if (r < 0)
		return r;
	strcpy(cfg->id, id);
	return 0;
}

int brnet_config_set_ifname(brnet_config *cfg, const char *ifname, struct brnet_error *err)
{
	int r;

	if (!cfg)
		return -EINVAL;
	r = config_check_ifname(ifname, "interface name", err);
	if (r < 0)
		return r;
	strcpy(cfg->ifname, ifname);
	return 0;
}

int brnet_config_set_bridge(brnet_config *cfg, const char *bridge, struct brnet_error *err)
{
	int r;

	if (!cfg)
		return -EINVAL;
	r = config_check_ifname(bridge, "bridge name", err);
	if (r < 0)
		return r;
	strcpy(cfg->bridge, bridge);
	return 0;
}

/* Ranges no interface of a network can have: the kernel refuses a gateway in the first,
 * brnet's own rules drop the second arriving from a bridge, the third is not unicast. A new
 * network's subnet is refused in them; a network recorded by an older brnet is still read. */
static const struct {
	uint32_t net;
	unsigned len;
	const char *why;
} unusable[] = {
	{ 0x00000000, 8, "\"this network\", an address no host has" },
	{ 0x7f000000, 8, "the loopback range" },
	{ 0xe0000000, 4, "the multicast range" },
};

int brnet_config_set_subnet(brnet_config *cfg, const char *cidr, struct brnet_error *err)
{
	char buf[PREFIX_STRLEN];
	struct inprefix p;
	int r;

	if (!cfg)
		return -EINVAL;
	r = config_parse_subnet(cidr, &p, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(unusable); i++) {
		struct inprefix u = { .addr = inaddr_v4_from_host(unusable[i].net),
				      .len = unusable[i].len };

		/* No subnet is shorter than /8: it lies within u or beside it. */
		if (inprefix_contains(&u, &p.addr))
			return brnet_err(err, EINVAL, "invalid subnet \"%s\": within %s, %s", cidr,
					 inprefix_to_string(&u, buf), unusable[i].why);
	}
	cfg->subnet = p;
	cfg->subnet_set = true;
	return 0;
}

int brnet_config_set_address(brnet_config *cfg, const char *addr, struct brnet_error *err)
{
	struct inaddr a;

	if (!cfg)
		return -EINVAL;
	if (!addr || inaddr_parse_v4(addr, &a) < 0)
		return brnet_err(
			err, EINVAL,
			"invalid address \"%.64s\": expected IPv4 A.B.C.D in decimal without "
			"leading zeros",
			addr ? addr : "");
	cfg->address = a;
	return 0;
}

int brnet_config_set_mtu(brnet_config *cfg, unsigned mtu, struct brnet_error *err)
{
	if (!cfg)
		return -EINVAL;
	if (mtu < BRNET_MTU_MIN || mtu > BRNET_MTU_MAX)
		return brnet_err(err, EINVAL, "invalid MTU %u: must be %d to %d", mtu,
				 BRNET_MTU_MIN, BRNET_MTU_MAX);
	cfg->mtu = mtu;
	return 0;
}

int brnet_config_set_netns_path(brnet_config *cfg, const char *path, struct brnet_error *err)
{
	char *p;

	if (!cfg)
		return -EINVAL;
	if (!path || path[0] != '/')
		return brnet_err(err, EINVAL, "invalid netns path \"%.200s\": must be absolute",
				 path ? path : "");
	/* The record keeps it, as JSON text. */
	if (!utf8_valid(path, strlen(path)))
		return brnet_err(err, EINVAL, "invalid netns path \"%.200s\": not valid UTF-8",
				 path);
	p = strdup(path);
	if (!p)
		return -ENOMEM;
	free(cfg->netns_path);
	cfg->netns_path = p;
	cfg->pid = 0;
	return 0;
}

int brnet_config_set_pid(brnet_config *cfg, pid_t pid, struct brnet_error *err)
{
	if (!cfg)
		return -EINVAL;
	if (pid <= 0)
		return brnet_err(err, EINVAL, "invalid pid %d: must be a positive process id",
				 (int)pid);
	cfg->pid = pid;
	free(cfg->netns_path);
	cfg->netns_path = NULL;
	return 0;
}

int brnet_config_add_publish(brnet_config *cfg, const char *spec, struct brnet_error *err)
{
	char a[PUBLISH_STRLEN], b[PUBLISH_STRLEN];
	struct publish p;
	unsigned total;
	int r;

	if (!cfg)
		return -EINVAL;
	r = publish_parse(spec, &p, err);
	if (r < 0)
		return r;
	if (cfg->n_publish == PUBLISH_SPEC_MAX)
		return brnet_err(err, EINVAL, "invalid port spec \"%s\": at most %d specs", spec,
				 PUBLISH_SPEC_MAX);
	total = publish_count(&p);
	for (unsigned i = 0; i < cfg->n_publish; i++) {
		if (publish_overlap(&cfg->publish[i], &p))
			return brnet_err(err, EINVAL, "invalid port spec \"%s\": overlaps \"%s\"",
					 publish_to_string(&p, a),
					 publish_to_string(&cfg->publish[i], b));
		total += publish_count(&cfg->publish[i]);
	}
	if (total > PUBLISH_PORTS_MAX)
		return brnet_err(err, EINVAL, "invalid port spec \"%s\": more than %d ports in all",
				 spec, PUBLISH_PORTS_MAX);
	cfg->publish[cfg->n_publish++] = p;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int config_parse_mac(const char *s, uint8_t ret[static 6], struct brnet_error *err)
{
	uint8_t mac[6];
	bool zero = true;

	if (!s || strlen(s) != 17)
		goto bad;
	for (unsigned i = 0; i < 6; i++) {
		size_t at = 3 * (size_t)i;
		int hi = hex_digit(s[at]), lo = hex_digit(s[at + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[at + 2] != ':'))
			goto bad;
		mac[i] = (uint8_t)(hi << 4 | lo);
		zero = zero && mac[i] == 0;
	}
	if (zero || (mac[0] & 1))
		return brnet_err(err, EINVAL,
				 "invalid MAC address \"%s\": must be unicast and not all zero", s);
	memcpy(ret, mac, 6);
	return 0;
bad:
	return brnet_err(err, EINVAL,
			 "invalid MAC address \"%.64s\": expected six hex pairs, 02:42:ac:11:00:02",
			 s ? s : "");
}

int brnet_config_set_mac(brnet_config *cfg, const char *mac, struct brnet_error *err)
{
	int r;

	if (!cfg)
		return -EINVAL;
	r = config_parse_mac(mac, cfg->mac, err);
	if (r < 0)
		return r;
	cfg->mac_set = true;
	return 0;
}

int brnet_config_set_hairpin(brnet_config *cfg, bool hairpin)
{
	if (!cfg)
		return -EINVAL;
	cfg->hairpin = hairpin;
	return 0;
}

int brnet_config_set_host_socket_check(brnet_config *cfg, bool check)
{
	if (!cfg)
		return -EINVAL;
	cfg->skip_host_sockets = !check;
	return 0;
}

int brnet_config_set_routed(brnet_config *cfg, bool routed)
{
	if (!cfg)
		return -EINVAL;
	cfg->routed = routed;
	return 0;
}

int brnet_config_set_masquerade(brnet_config *cfg, bool masquerade)
{
	if (!cfg)
		return -EINVAL;
	cfg->masquerade = masquerade;
	return 0;
}

int brnet_config_add_masquerade_exception(brnet_config *cfg, const char *cidr,
					  struct brnet_error *err)
{
	struct inprefix p;
	int r;

	if (!cfg || !cidr)
		return -EINVAL;
	r = config_parse_cidr(cidr, "masquerade exception", &p, err);
	if (r < 0)
		return r;
	if (p.len == 0)
		return brnet_err(err, EINVAL,
				 "invalid masquerade exception %s: every destination (a network "
				 "that masquerades nothing is made with --no-masquerade)",
				 cidr);
	r = config_prefix_set_add(cfg->no_masq, &cfg->n_no_masq, CONFIG_NO_MASQ_MAX, &p);
	if (r == -E2BIG)
		return brnet_err(err, EINVAL, "invalid masquerade exception %s: at most %d", cidr,
				 CONFIG_NO_MASQ_MAX);
	return 0;
}

int brnet_config_set_origin(brnet_config *cfg, const char *origin, struct brnet_error *err)
{
	size_t len;

	if (!cfg)
		return -EINVAL;
	len = origin ? strlen(origin) : 0;
	if (len == 0 || len > BRNET_ORIGIN_MAX)
		return brnet_err(err, EINVAL, "invalid origin \"%.100s\": must be 1-%d bytes",
				 origin ? origin : "", BRNET_ORIGIN_MAX);
	for (size_t i = 0; i < len; i++)
		if (!is_name_char(origin[i]) && origin[i] != ':')
			return brnet_err(err, EINVAL,
					 "invalid origin \"%s\": only [A-Za-z0-9_.:-] are allowed",
					 origin);
	memcpy(cfg->origin, origin, len + 1);
	return 0;
}

int brnet_config_set_pool(brnet_config *cfg, const char *start, const char *end,
			  struct brnet_error *err)
{
	struct inaddr a = { 0 }, b = { 0 };

	if (!cfg)
		return -EINVAL;
	if (start && inaddr_parse_v4(start, &a) < 0)
		return brnet_err(err, EINVAL,
				 "invalid range start \"%.64s\": expected IPv4 A.B.C.D", start);
	if (end && inaddr_parse_v4(end, &b) < 0)
		return brnet_err(err, EINVAL, "invalid range end \"%.64s\": expected IPv4 A.B.C.D",
				 end);
	if (start && end && inaddr_v4_host(&a) > inaddr_v4_host(&b))
		return brnet_err(err, EINVAL, "invalid range %s-%s: the start is after the end",
				 start, end);
	cfg->pool_start = a;
	cfg->pool_end = b;
	return 0;
}

int brnet_config_add_dns(brnet_config *cfg, const char *addr, struct brnet_error *err)
{
	return cfg ? dns_add_server(&cfg->dns, addr, err) : -EINVAL;
}

int brnet_config_add_dns_search(brnet_config *cfg, const char *domain, struct brnet_error *err)
{
	return cfg ? dns_add_search(&cfg->dns, domain, err) : -EINVAL;
}

int brnet_config_add_dns_option(brnet_config *cfg, const char *option, struct brnet_error *err)
{
	return cfg ? dns_add_option(&cfg->dns, option, err) : -EINVAL;
}

int brnet_config_egress_allow(brnet_config *cfg, const char *cidr, struct brnet_error *err)
{
	return cfg ? egress_add_allow(&cfg->egress, cidr, err) : -EINVAL;
}

int brnet_config_egress_deny_all(brnet_config *cfg)
{
	if (!cfg)
		return -EINVAL;
	cfg->egress.on = true;
	return 0;
}

int brnet_config_egress_tcp_port(brnet_config *cfg, unsigned port, struct brnet_error *err)
{
	return cfg ? egress_add_port(&cfg->egress, IPPROTO_TCP, port, err) : -EINVAL;
}

int brnet_config_egress_udp_port(brnet_config *cfg, unsigned port, struct brnet_error *err)
{
	return cfg ? egress_add_port(&cfg->egress, IPPROTO_UDP, port, err) : -EINVAL;
}

int brnet_config_egress_dns(brnet_config *cfg, bool allow)
{
	if (!cfg)
		return -EINVAL;
	cfg->egress.no_dns = !allow;
	return 0;
}

int brnet_config_egress_log(brnet_config *cfg, bool log)
{
	if (!cfg)
		return -EINVAL;
	cfg->egress.log = log;
	return 0;
}

int brnet_config_egress_reject(brnet_config *cfg, bool reject)
{
	if (!cfg)
		return -EINVAL;
	cfg->egress.reject = reject;
	return 0;
}
