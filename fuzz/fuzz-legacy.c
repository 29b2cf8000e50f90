/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* iptables-legacy's table blob (struct ipt_getinfo, then the entries, as the corpus keeps
 * what the kernel gave), written out as rules and followed from FORWARD. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/nft/fweval.h"
#include "lib/nft/iptlegacy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipt_getinfo info;
	struct ipt_legacy t;
	struct fw_packet p = {
		.nfproto = NFPROTO_IPV4,
		.iifname = "brnet0",
		.oifname = "eth0",
		.iif = 3,
		.saddr = { htonl(0x0a002a00) },
		.saddr_bits = 24,
		.ct_state = 8,
		.ct_status_known = 0x3f,
	};
	void *entries;
	enum fw_verdict v;

	if (size < sizeof(info))
		return 0;
	memcpy(&info, data, sizeof(info));
	/* the kernel's entries are aligned; so are these */
	entries = malloc(size - sizeof(info) + 1);
	if (!entries)
		return 0;
	memcpy(entries, data + sizeof(info), size - sizeof(info));
	if (ipt_legacy_rules(&info, entries, size - sizeof(info), &t) == 0) {
		struct fw_table ft = fw_rules_table(&t.r);

		v = fw_eval(&ft, "FORWARD", t.forward_policy, &p);
		if (v != FW_UNKNOWN && v != FW_ACCEPT && v != FW_DROP)
			abort();
		ipt_legacy_done(&t);
	}
	free(entries);
	return 0;
}
