/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Addresses, CIDRs, subnets, port specs, names and ids: every text a user types. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config/config.h"
#include "lib/config/publish.h"
#include "shared/inaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct inaddr a;
	struct inprefix p;
	struct brnet_error err;
	char buf[PREFIX_STRLEN];

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (inaddr_parse_v4(s, &a) >= 0) {
		/* what we accept, we print back identically */
		if (strcmp(inaddr_to_string(&a, buf), s) != 0)
			abort();
	}
	if (inprefix_parse_v4(s, &p) >= 0) {
		if (strcmp(inprefix_to_string(&p, buf), s) != 0)
			abort();
	}
	/* the same, or an address alone as a /32; and the dotted quad written without printf */
	if (inprefix_parse_v4_or_address(s, &p) >= 0) {
		const char *slash = strchr(s, '/');
		char put[PREFIX_STRLEN];

		*inaddr_put_v4(put, &p.addr) = '\0';
		if (strcmp(put, inaddr_to_string(&p.addr, buf)) != 0)
			abort();
		if (slash ? strcmp(inprefix_to_string(&p, buf), s) != 0
			  : p.len != 32 || strcmp(put, s) != 0)
			abort();
	}
	{
		/* port specs: what we accept prints canonically and parses back the same */
		struct publish pub, again;
		char canon[PUBLISH_STRLEN];

		if (publish_parse(s, &pub, &err) >= 0) {
			publish_to_string(&pub, canon);
			if (publish_parse(canon, &again, &err) < 0 ||
			    memcmp(&pub, &again, sizeof(pub)) != 0)
				abort();
		}
	}
	(void)config_parse_subnet(s, &p, &err);
	(void)config_check_ifname(s, "ifname", &err);
	(void)config_check_id(s, &err);
	free(s);
	return 0;
}
