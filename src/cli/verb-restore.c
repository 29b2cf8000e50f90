/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brnet restore: put table inet brnet back after a flush or a firewall reload. */
#include <stdio.h>

#include "cli/cli.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(brnet_ctx, brnet_ctx_free)

static void help(void)
{
	printf("Usage: brnet restore [--follow]\n\n"
	       "Re-apply what the records describe: each network's bridge and gateway, the\n"
	       "host ends of live attachments on it, and, in one nf_tables transaction, the\n"
	       "rules missing from brnet's tables and every active attachment's published\n"
	       "ports, anti-spoofing elements and egress policy (then the policy of an\n"
	       "interrupted 'brnet policy'). Use it after 'nft flush ruleset' or a firewall\n"
	       "reload. Running it on an intact system changes nothing; setups and teardowns\n"
	       "may run beside it.\n\n"
	       "  --follow           restore, then restore again whenever the kernel reports\n"
	       "                     a table, chain, set or rule of brnet's tables deleted, a\n"
	       "                     network's bridge, or net.ipv4.ip_forward turned off; a line\n"
	       "                     per restore, until stopped (brnet-restore.service runs it)\n"
	       "  --state-dir DIR    state directory (default $BRNET_STATE_DIR or /run/brnet)\n"
	       "  -h, --help         show this help\n");
}

static void print_restored(int networks, const char *cause)
{
	if (networks == 0)
		printf("nothing to restore: no network is recorded");
	else
		printf("restored table inet brnet for %d network%s", networks,
		       networks == 1 ? "" : "s");
	if (cause)
		printf(" (%s)", cause);
	putchar('\n');
}

static int follow_fn(int networks, const char *cause, const struct brnet_error *failed,
		     void *userdata)
{
	if (networks >= 0)
		print_restored(networks, cause);
	else
		cli_follow_failed("restore", cause, networks, failed);
	fflush(stdout);
	return 0;
}

int verb_restore(const struct cli_global *g0, int argc, char **argv)
{
	_cleanup_(brnet_ctx_freep) brnet_ctx *ctx = NULL;
	struct brnet_error err = { 0 };
	struct cli_global g = *g0;
	struct cli_opts o;
	int r;

	r = cli_parse_simple("restore", CLI_TAKES_FOLLOW, help, argc, argv, &g, &o);
	if (r != CLI_PROCEED)
		return r;
	r = cli_ctx(&g, &ctx);
	if (r != 0)
		return r;
	if (o.follow) {
		/* Runs until a signal ends it: a restore cut short is one to run again. */
		r = brnet_restore_follow(ctx, follow_fn, NULL, &err);
		return r < 0 ? cli_fail("follow the kernel's notices", r, &err) : 0;
	}
	r = brnet_restore(ctx, &err);
	if (r < 0)
		return cli_fail("restore the firewall state", r, &err);
	print_restored(r, NULL);
	return 0;
}
