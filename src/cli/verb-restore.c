/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brnet restore: put table inet brnet back after a flush or a firewall reload. */
#include <stdio.h>

#include "cli/cli.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(brnet_ctx, brnet_ctx_free)

static void help(void)
{
	printf("Usage: brnet restore\n\n"
	       "Re-apply, in one nf_tables transaction, the firewall state that the records\n"
	       "describe: every network's rules that are missing from table inet brnet and every\n"
	       "active attachment's published ports. Use it after 'nft flush ruleset' or a\n"
	       "firewall reload (see docs/reliability.md for a systemd unit). Running it on an\n"
	       "intact table changes nothing.\n\n"
	       "  --state-dir DIR    state directory (default $BRNET_STATE_DIR or /run/brnet)\n"
	       "  -h, --help         show this help\n");
}

int verb_restore(const struct cli_global *g0, int argc, char **argv)
{
	static const struct option options[] = { { "state-dir", required_argument, NULL,
						   OPT_STATE_DIR },
						 { "help", no_argument, NULL, 'h' },
						 {} };
	_cleanup_(brnet_ctx_freep) brnet_ctx *ctx = NULL;
	struct brnet_error err = { 0 };
	struct cli_global g = *g0;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_STATE_DIR:
			g.state_dir = optarg;
			break;
		case 'h':
			help();
			return 0;
		default:
			return cli_usage_error("restore", "unknown option or missing argument: %s",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("restore", "unexpected argument \"%s\"", argv[optind]);
	r = cli_ctx(&g, &ctx);
	if (r != 0)
		return r;
	r = brnet_restore(ctx, &err);
	if (r < 0)
		return cli_fail("restore the firewall state", r, &err);
	printf("restored table inet brnet for %d network%s\n", r, r == 1 ? "" : "s");
	return 0;
}
