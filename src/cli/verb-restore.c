/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brnet restore: put table inet brnet back after a flush or a firewall reload. */
#include <stdio.h>

#include "cli/cli.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(brnet_ctx, brnet_ctx_free)

static void help(void)
{
	printf("Usage: brnet restore\n\n"
	       "Re-apply what the records describe: each network's bridge and gateway, the\n"
	       "host ends of live attachments on it, and, in one nf_tables transaction, the\n"
	       "rules missing from brnet's tables and every active attachment's published\n"
	       "ports, anti-spoofing elements and egress policy (then the policy of an\n"
	       "interrupted 'brnet policy'). Use it after 'nft flush ruleset' or a firewall\n"
	       "reload (see docs/reliability.md for a systemd unit). Running it on an intact\n"
	       "system changes nothing.\n\n"
	       "  --state-dir DIR    state directory (default $BRNET_STATE_DIR or /run/brnet)\n"
	       "  -h, --help         show this help\n");
}

int verb_restore(const struct cli_global *g0, int argc, char **argv)
{
	_cleanup_(brnet_ctx_freep) brnet_ctx *ctx = NULL;
	struct brnet_error err = { 0 };
	struct cli_global g = *g0;
	struct cli_opts o;
	int r;

	r = cli_parse_simple("restore", 0, help, argc, argv, &g, &o);
	if (r != CLI_PROCEED)
		return r;
	r = cli_ctx(&g, &ctx);
	if (r != 0)
		return r;
	r = brnet_restore(ctx, &err);
	if (r < 0)
		return cli_fail("restore the firewall state", r, &err);
	printf("restored table inet brnet for %d network%s\n", r, r == 1 ? "" : "s");
	return 0;
}
