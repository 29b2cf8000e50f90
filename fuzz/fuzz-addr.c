/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Addresses, CIDRs, subnets, names and ids: every text a user types. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config/config.h"
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
	(void)config_parse_subnet(s, &p, &err);
	(void)config_check_ifname(s, "ifname", &err);
	(void)config_check_id(s, &err);
	free(s);
	return 0;
}
