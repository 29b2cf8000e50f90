/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's resolv.conf: rendered from the configuration (pure), then written into a root
 * filesystem without ever following a symlink out of it (here), or bound read-only into a
 * container's mount namespace (bind.c).
 */
#pragma once

#include <stddef.h>

#include "brnet.h"
#include "shared/inaddr.h"

#define DNS_SERVERS_MAX 3 /* what glibc and musl read (MAXNS) */
#define DNS_SEARCH_MAX 6
#define DNS_OPTIONS_MAX 8
#define DNS_NAME_MAX 253
#define DNS_OPTION_MAX 64

struct dns_config {
	struct inaddr servers[DNS_SERVERS_MAX];
	unsigned n_servers;
	char search[DNS_SEARCH_MAX][DNS_NAME_MAX + 1];
	unsigned n_search;
	char options[DNS_OPTIONS_MAX][DNS_OPTION_MAX + 1];
	unsigned n_options;
};

int dns_add_server(struct dns_config *d, const char *addr, struct brnet_error *err);
/* A domain name: labels of [A-Za-z0-9-] (1-63 bytes, not starting or ending with '-'),
 * separated by single dots, at most 253 bytes; one trailing dot allowed. */
int dns_add_search(struct dns_config *d, const char *domain, struct brnet_error *err);
/* A resolver option: [a-z0-9-]+ with an optional ":N" (ndots:2, edns0, timeout:1). */
int dns_add_option(struct dns_config *d, const char *option, struct brnet_error *err);

/* What a container's network namespace can use of a resolv.conf (the host's), added to d: its
 * IPv4 resolvers not on loopback (as many as d has room for); and, when d has none of them
 * yet, the search list of its last search or domain line and its options. Anything else
 * (resolvers on IPv6 or on the host's loopback, malformed entries) is left out, as a
 * resolver skips what it cannot use. Pure; returns how many resolvers it added. */
unsigned dns_parse(const char *text, size_t len, struct dns_config *d);

/* The file's text into buf; returns its length, or -ENOBUFS. Pure. */
int dns_format(const struct dns_config *d, char *buf, size_t size);

/* Writes text as ROOTFS/etc/resolv.conf: etc is looked up with every symlink resolved inside
 * rootfs, and the file is replaced by rename, so a symlink in its place is replaced, never
 * followed. */
int dns_write_rootfs(const char *rootfs, const char *text, size_t len, struct brnet_error *err);
