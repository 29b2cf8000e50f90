/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The published-port grammar, checked by hand so that each refusal names its rule. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "lib/config/publish.h"
#include "shared/error.h"

const char *publish_proto_name(uint8_t proto)
{
	return proto == IPPROTO_UDP ? "udp" : "tcp";
}

/* A port 1-65535 in decimal without leading zeros, exactly the n bytes at s. */
static int parse_port(const char *s, size_t n, uint16_t *ret)
{
	unsigned v = 0;

	if (n == 0 || n > 5 || (s[0] == '0'))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -ERANGE;
	*ret = (uint16_t)v;
	return 0;
}

/* "P" or "P-Q" with P <= Q. */
static int parse_range(const char *s, size_t n, uint16_t *ret_first, uint16_t *ret_last)
{
	const char *dash = memchr(s, '-', n);
	int r;

	if (!dash) {
		r = parse_port(s, n, ret_first);
		*ret_last = *ret_first;
		return r;
	}
	r = parse_port(s, (size_t)(dash - s), ret_first);
	if (r >= 0)
		r = parse_port(dash + 1, n - (size_t)(dash - s) - 1, ret_last);
	if (r >= 0 && *ret_last < *ret_first)
		r = -EDOM;
	return r;
}

int publish_parse(const char *spec, struct publish *ret, struct brnet_error *err)
{
	struct publish p = { .proto = IPPROTO_TCP };
	char ip[INADDR_STRLEN];
	const char *end, *slash, *c1, *c2, *ports;
	size_t len;
	int r;

	if (!spec || !*spec)
		return brnet_err(err, EINVAL,
				 "invalid port spec \"\": expected "
				 "[HOST_IP:]HOST_PORT[-END]:CONTAINER_PORT[-END][/tcp|/udp]");
	len = strlen(spec);
	if (len >= PUBLISH_STRLEN)
		return brnet_err(err, EINVAL, "invalid port spec \"%.32s...\": too long", spec);
	end = spec + len;
	slash = strchr(spec, '/');
	if (slash) {
		if (strcmp(slash, "/tcp") == 0)
			p.proto = IPPROTO_TCP;
		else if (strcmp(slash, "/udp") == 0)
			p.proto = IPPROTO_UDP;
		else
			return brnet_err(err, EINVAL,
					 "invalid port spec \"%s\": protocol must be tcp or udp",
					 spec);
		end = slash;
	}
	c2 = NULL;
	for (const char *q = spec; q < end; q++)
		if (*q == ':')
			c2 = q;
	c1 = memchr(spec, ':', (size_t)(end - spec));
	if (!c1)
		return brnet_err(err, EINVAL,
				 "invalid port spec \"%s\": expected HOST_PORT:CONTAINER_PORT",
				 spec);
	ports = spec;
	if (c1 != c2) {
		/* HOST_IP:HOST_PORT:CONTAINER_PORT */
		if (memchr(c1 + 1, ':', (size_t)(c2 - c1 - 1)))
			return brnet_err(err, EINVAL, "invalid port spec \"%s\": too many ':'",
					 spec);
		if ((size_t)(c1 - spec) >= sizeof(ip))
			return brnet_err(err, EINVAL, "invalid port spec \"%s\": bad host address",
					 spec);
		memcpy(ip, spec, (size_t)(c1 - spec));
		ip[c1 - spec] = '\0';
		if (inaddr_parse_v4(ip, &p.host_ip) < 0)
			return brnet_err(err, EINVAL,
					 "invalid port spec \"%s\": \"%s\" is not an IPv4 address",
					 spec, ip);
		/* Every address, as Docker's and Podman's users write it: no packet is sent to
		 * 0.0.0.0, so as a HOST_IP it would publish nothing. */
		if (p.host_ip.v4.s_addr == htonl(INADDR_ANY))
			p.host_ip = (struct inaddr){ 0 };
		ports = c1 + 1;
	}
	r = parse_range(ports, (size_t)(c2 - ports), &p.host_port, &p.host_port_end);
	if (r >= 0)
		r = parse_range(c2 + 1, (size_t)(end - c2 - 1), &p.container_port,
				&p.container_port_end);
	if (r == -EDOM)
		return brnet_err(err, EINVAL,
				 "invalid port spec \"%s\": a range must not end "
				 "before it starts",
				 spec);
	if (r < 0)
		return brnet_err(err, EINVAL,
				 "invalid port spec \"%s\": ports must be 1-65535 in "
				 "decimal without leading zeros",
				 spec);
	if (p.host_port_end - p.host_port != p.container_port_end - p.container_port)
		return brnet_err(
			err, EINVAL,
			"invalid port spec \"%s\": host and container ranges must have the "
			"same length",
			spec);
	*ret = p;
	return 0;
}

static int format_range(char *buf, size_t size, uint16_t a, uint16_t b)
{
	return a == b ? snprintf(buf, size, "%u", a) : snprintf(buf, size, "%u-%u", a, b);
}

const char *publish_to_string(const struct publish *p, char buf[static PUBLISH_STRLEN])
{
	char ip[INADDR_STRLEN], h[16], c[16];

	format_range(h, sizeof(h), p->host_port, p->host_port_end);
	format_range(c, sizeof(c), p->container_port, p->container_port_end);
	if (p->host_ip.family)
		snprintf(buf, PUBLISH_STRLEN, "%s:%s:%s/%s", inaddr_to_string(&p->host_ip, ip), h,
			 c, publish_proto_name(p->proto));
	else
		snprintf(buf, PUBLISH_STRLEN, "%s:%s/%s", h, c, publish_proto_name(p->proto));
	return buf;
}

bool publish_overlap(const struct publish *a, const struct publish *b)
{
	if (a->proto != b->proto || a->host_ip.family != b->host_ip.family)
		return false;
	if (a->host_ip.family && !inaddr_equal(&a->host_ip, &b->host_ip))
		return false;
	return a->host_port <= b->host_port_end && b->host_port <= a->host_port_end;
}
