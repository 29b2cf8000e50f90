/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brnet policy: replace the egress policy of a running attachment, atomically. */
#include <errno.h>
#include <stdio.h>

#include "cli/cli.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(brnet_ctx, brnet_ctx_free)
DEFINE_POINTER_CLEANUP(brnet_config, brnet_config_free)
DEFINE_POINTER_CLEANUP(brnet_attachment, brnet_attachment_free)

static void help(void)
{
	printf("Usage: brnet policy --id ID [--ifname NAME] [POLICY OPTIONS]\n\n"
	       "Replace the egress policy of a running attachment in one nf_tables transaction:\n"
	       "connections it already has stay up, new ones follow the new policy. With no\n"
	       "policy option, the policy is removed.\n\n"
	       "  --id ID            attachment id\n"
	       "  --ifname NAME      interface name inside the namespace (default eth0)\n"
	       "  --egress-allow CIDR, --egress-allow-file FILE, --egress-deny-all,\n"
	       "  --egress-tcp-port N, --egress-udp-port N, --no-egress-dns, --egress-log,\n"
	       "  --egress-reject\n"
	       "                     as for brnet setup\n"
	       "  --dns ADDR         the resolvers DNS is allowed to (default: the attachment's)\n"
	       "  --state-dir DIR    state directory (default $BRNET_STATE_DIR or /run/brnet)\n"
	       "  -h, --help         show this help\n");
}

int verb_policy(const struct cli_global *g0, int argc, char **argv)
{
	static const struct option options[] = {
		{ "id", required_argument, NULL, OPT_ID },
		{ "ifname", required_argument, NULL, OPT_IFNAME },
		{ "dns", required_argument, NULL, OPT_DNS },
		{ "egress-allow", required_argument, NULL, OPT_EGRESS_ALLOW },
		{ "egress-allow-file", required_argument, NULL, OPT_EGRESS_ALLOW_FILE },
		{ "egress-tcp-port", required_argument, NULL, OPT_EGRESS_TCP },
		{ "egress-udp-port", required_argument, NULL, OPT_EGRESS_UDP },
		{ "egress-deny-all", no_argument, NULL, OPT_EGRESS_DENY_ALL },
		{ "no-egress-dns", no_argument, NULL, OPT_NO_EGRESS_DNS },
		{ "egress-log", no_argument, NULL, OPT_EGRESS_LOG },
		{ "egress-reject", no_argument, NULL, OPT_EGRESS_REJECT },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_(brnet_config_freep) brnet_config *cfg = NULL;
	_cleanup_(brnet_ctx_freep) brnet_ctx *ctx = NULL;
	_cleanup_(brnet_attachment_freep) brnet_attachment *a = NULL;
	const char *id = NULL, *ifname = NULL;
	struct brnet_error err = { 0 };
	struct cli_global g = *g0;
	int c, r;

	if (brnet_config_new(&cfg) < 0)
		return cli_fail("set policy", -ENOMEM, NULL);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_ID:
			id = optarg;
			continue;
		case OPT_IFNAME:
			ifname = optarg;
			continue;
		case 'h':
			help();
			return 0;
		case '?':
		case ':':
			return cli_usage_error("policy", "unknown option or missing argument: %s",
					       argv[optind - 1]);
		}
		r = cli_network_option(c, optarg, cfg, &g, "policy", &err);
		if (r < 0)
			return cli_fail("set policy", r, &err);
	}
	if (optind < argc)
		return cli_usage_error("policy", "unexpected argument \"%s\"", argv[optind]);
	if (!id)
		return cli_usage_error("policy", "missing --id");
	r = cli_ctx(&g, &ctx);
	if (r != 0)
		return r;
	r = brnet_policy(ctx, id, ifname ? ifname : "eth0", cfg, &err);
	if (r == -ENOENT) {
		if (!ifname)
			cli_append_ifname_hint(ctx, id, &err);
		cli_fail("set policy", r, &err);
		return EXIT_USAGE;
	}
	if (r < 0)
		return cli_fail("set policy", r, &err);
	/* The warning setup --pid gives, now that a policy may be on: the attachment read back
	 * (a failure to read it only loses the warning), its process if it still runs. */
	if (brnet_attachment_load(ctx, id, ifname, &a, NULL) >= 0 && brnet_attachment_pid(a) > 0)
		cli_warn_escapable(a, brnet_attachment_pid(a));
	printf("policy of %s/%s replaced\n", id, ifname ? ifname : "eth0");
	return 0;
}
