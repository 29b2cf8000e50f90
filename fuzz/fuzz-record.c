/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Attachment records: refused with a reason, or parsed and re-written identically. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The destinations b was written with: a's own, or (as a record writes an inline list) the
 * digest naming the allowlist file that holds them. */
static bool same_allowed(const struct brnet_attachment *a, const struct brnet_attachment *b)
{
	if (a->egress.n_allow > 0)
		return b->egress.n_allow == 0 && b->allow_pending &&
		       memcmp(b->allow_file, a->egress.digest, sizeof(b->allow_file)) == 0;
	return b->egress.n_allow == 0 && b->allow_pending == a->allow_pending &&
	       memcmp(b->allow_file, a->allow_file, sizeof(b->allow_file)) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct brnet_attachment a, b;
	char why[256];
	char *text;

	if (record_parse((const char *)data, size, &a, why, sizeof(why)) < 0)
		return 0;
	text = record_format(&a);
	if (!text) {
		attachment_done(&a);
		return 0;
	}
	if (record_parse(text, strlen(text), &b, why, sizeof(why)) < 0 || strcmp(a.id, b.id) != 0 ||
	    strcmp(a.netns, b.netns) != 0 || a.journal != b.journal || a.state != b.state ||
	    !same_allowed(&a, &b))
		abort();
	free(text);
	attachment_done(&a);
	attachment_done(&b);
	return 0;
}
