/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lease files: any bytes are refused cleanly or parsed into a consistent table (an older
 * brnet's leases.json), or into an owner that a setup would accept (a file of the lease
 * directory). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ipam/ipam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lease_db db;
	struct inprefix subnet;
	struct inaddr a;
	char why[256], id[BRNET_ID_MAX + 1], ifname[IFNAMSIZ];

	inprefix_parse_v4("10.0.42.0/24", &subnet);
	lease_db_init(&db, &subnet);
	if (lease_db_parse((const char *)data, size, &db, why, sizeof(why)) >= 0) {
		/* a table we accepted never holds an address twice, so allocation must agree */
		for (size_t i = 0; i < db.n; i++)
			if (lease_db_find_address(&db, &db.leases[i].address) != &db.leases[i])
				abort();
		(void)lease_db_allocate(&db, "fuzz", "eth0", NULL, &a, NULL);
	}
	lease_db_done(&db);
	if (lease_owner_parse((const char *)data, size, id, ifname) >= 0 &&
	    (strlen(id) + strlen(ifname) + 2 != size || strchr(id, ' ') || strchr(ifname, '\n')))
		abort();
	return 0;
}
