/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An egress policy: with one, a container reaches only the allowed destinations (on the allowed
 * ports, when ports are given) and its DNS resolvers; everything else it sends is dropped in the
 * host's namespace, where it cannot be undone from inside.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "brnet.h"
#include "shared/inaddr.h"

#define EGRESS_ALLOW_MAX 256
#define EGRESS_PORTS_MAX 64
#define EGRESS_DNS_MAX 3

struct egress_policy {
	bool on;
	bool no_dns; /* DNS to the resolvers is not allowed by itself */
	bool log; /* denied packets are reported (NFLOG), at most 5 a minute */
	struct inprefix allow[EGRESS_ALLOW_MAX];
	unsigned n_allow;
	uint16_t tcp[EGRESS_PORTS_MAX], udp[EGRESS_PORTS_MAX];
	unsigned n_tcp, n_udp;
	struct inaddr dns[EGRESS_DNS_MAX]; /* the resolvers it allows (filled at setup) */
	unsigned n_dns;
};

/* "10.1.0.0/16", or an address alone for /32; host bits must be clear. */
int egress_add_allow(struct egress_policy *p, const char *cidr, struct brnet_error *err);
/* proto is IPPROTO_TCP or IPPROTO_UDP; port 1-65535. */
int egress_add_port(struct egress_policy *p, uint8_t proto, unsigned port, struct brnet_error *err);
