/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The typed configuration of one attachment and the validation rules for every field. */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "brnet.h"
#include "lib/config/egress.h"
#include "lib/config/publish.h"
#include "lib/dns/resolv.h"
#include "shared/inaddr.h"

#define BRNET_DEFAULT_BRIDGE "brnet0"
#define BRNET_DEFAULT_SUBNET "10.0.42.0/24"
#define BRNET_DEFAULT_IFNAME "eth0"
#define BRNET_PREFIX_MIN 8
#define BRNET_PREFIX_MAX 30
#define BRNET_MTU_MIN 68
#define BRNET_MTU_MAX 65535

/* Masquerade exceptions of a network: each is three expressions in its masquerade rule, which
 * must fit a batch's command slot (NFT_MSG_ROOM; tests/unit/test-nft.c checks). */
#define CONFIG_NO_MASQ_MAX 8

struct brnet_config {
	char id[BRNET_ID_MAX + 1];
	char ifname[IFNAMSIZ];
	char bridge[IFNAMSIZ];
	struct inprefix subnet;
	bool subnet_set; /* given by the user, rather than the default */
	struct inaddr address; /* family 0: allocate */
	unsigned mtu; /* 0: kernel default */
	char *netns_path;
	pid_t pid; /* 0: not given */
	struct publish publish[PUBLISH_SPEC_MAX];
	unsigned n_publish;
	uint8_t mac[6];
	bool mac_set;
	bool hairpin;
	bool skip_host_sockets; /* publish even where a host socket holds the port */
	int routed; /* -1: not given (the network's, or no for a new one) */
	int masquerade; /* -1: not given (the network's, or yes for a new one) */
	struct inprefix no_masq[CONFIG_NO_MASQ_MAX]; /* none: not given (the network's) */
	unsigned n_no_masq;
	char origin[BRNET_ORIGIN_MAX + 1];
	struct inaddr pool_start, pool_end; /* family 0: the subnet's bounds */
	struct dns_config dns;
	struct egress_policy egress;
};

/* Interface names: 1-15 bytes of [A-Za-z0-9_.-], not "." or "..". what names the option. */
int config_check_ifname(const char *name, const char *what, struct brnet_error *err);
/* Attachment ids: 1-64 bytes, [A-Za-z0-9] then [A-Za-z0-9_.-] (the CNI container id rule). */
int config_check_id(const char *id, struct brnet_error *err);
/* A MAC address: six colon-separated hex pairs, unicast and not all zero. */
int config_parse_mac(const char *s, uint8_t ret[static 6], struct brnet_error *err);
/* A subnet: strict CIDR, prefix /8-/30, no host bits set. */
int config_parse_subnet(const char *s, struct inprefix *ret, struct brnet_error *err);
/* A destination: "10.1.0.0/16" (/0-/32, no host bits set), or an address alone for /32. what
 * names it in the message ("CIDR"). */
int config_parse_cidr(const char *s, const char *what, struct inprefix *ret,
		      struct brnet_error *err);
/* Adds p to the set v of n prefixes, kept sorted (by address, then length) and without
 * duplicates: 1 added, 0 already there, -E2BIG when max are there. */
int config_prefix_set_add(struct inprefix *v, unsigned *n, unsigned max, const struct inprefix *p);
