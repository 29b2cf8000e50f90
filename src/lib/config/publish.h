/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Published ports: [HOST_IP:]HOST_PORT[-END]:CONTAINER_PORT[-END][/tcp|/udp]. */
#pragma once

#include <stdint.h>

#include "brnet.h"
#include "shared/inaddr.h"

#define PUBLISH_SPEC_MAX 64 /* specs per attachment */
#define PUBLISH_PORTS_MAX 4096 /* ports per attachment, ranges expanded */
#define PUBLISH_STRLEN 64

struct publish {
	struct inaddr host_ip; /* family 0: every local address of the host */
	uint16_t host_port, host_port_end;
	uint16_t container_port, container_port_end;
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
};

static inline unsigned publish_count(const struct publish *p)
{
	return (unsigned)p->host_port_end - p->host_port + 1;
}

/* Parses one spec strictly; -EINVAL with a message naming the spec and the rule. Pure. */
int publish_parse(const char *spec, struct publish *ret, struct brnet_error *err);
/* The canonical text of a spec: "8080:80/tcp", "127.0.0.1:8000-8001:80-81/udp". */
const char *publish_to_string(const struct publish *p, char buf[static PUBLISH_STRLEN]);
const char *publish_proto_name(uint8_t proto);
/* True when two specs publish a common (address, protocol, port): the same address or both
 * on every address. */
bool publish_overlap(const struct publish *a, const struct publish *b);
