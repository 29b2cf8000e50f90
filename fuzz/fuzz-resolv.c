/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A host's resolv.conf, any bytes: what is taken is what a container can use (at most three
 * IPv4 resolvers, none on loopback), and brnet's rendering of it reads back the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dns/resolv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const struct dns_config *a, const struct dns_config *b)
{
	if (a->n_servers != b->n_servers || a->n_search != b->n_search ||
	    a->n_options != b->n_options)
		return false;
	for (unsigned i = 0; i < a->n_servers; i++)
		if (!inaddr_equal(&a->servers[i], &b->servers[i]))
			return false;
	for (unsigned i = 0; i < a->n_search; i++)
		if (strcmp(a->search[i], b->search[i]) != 0)
			return false;
	for (unsigned i = 0; i < a->n_options; i++)
		if (strcmp(a->options[i], b->options[i]) != 0)
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_config d = { 0 }, again = { 0 };
	char buf[4096];
	unsigned n = dns_parse((const char *)data, size, &d);

	if (n != d.n_servers || n > DNS_SERVERS_MAX || d.n_search > DNS_SEARCH_MAX ||
	    d.n_options > DNS_OPTIONS_MAX)
		abort();
	for (unsigned i = 0; i < n; i++)
		if (d.servers[i].family != AF_INET || inaddr_v4_host(&d.servers[i]) >> 24 == 127)
			abort();
	if (dns_format(&d, buf, sizeof(buf)) < 0)
		abort(); /* three addresses, six names and eight options always fit */
	if (dns_parse(buf, strlen(buf), &again) != n || !same(&d, &again))
		abort();
	return 0;
}
