/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brnet teardown: remove exactly what setup created for one attachment; idempotent. */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(brnet_ctx, brnet_ctx_free)

static void help(void)
{
	printf("Usage: brnet teardown --id ID [--ifname NAME]\n\n"
	       "Remove the host veth (and with it the container interface), the address lease\n"
	       "and the record of an attachment. Shared objects (bridge, masquerade rule) stay.\n"
	       "Tearing down an attachment that does not exist succeeds and says so.\n\n"
	       "  --id ID            attachment id\n"
	       "  --ifname NAME      interface name inside the namespace (default eth0)\n"
	       "  --json             print the result as JSON\n"
	       "  --state-dir DIR    state directory (default $BRNET_STATE_DIR or /run/brnet)\n"
	       "  -h, --help         show this help\n");
}

int verb_teardown(const struct cli_global *g0, int argc, char **argv)
{
	static const struct option options[] = {
		{ "id", required_argument, NULL, OPT_ID },
		{ "ifname", required_argument, NULL, OPT_IFNAME },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	_cleanup_(brnet_ctx_freep) brnet_ctx *ctx = NULL;
	struct brnet_error err = { 0 };
	struct cli_global g = *g0;
	const char *id = NULL, *ifname = "eth0";
	bool json = false;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_ID:
			id = optarg;
			break;
		case OPT_IFNAME:
			ifname = optarg;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_STATE_DIR:
			g.state_dir = optarg;
			break;
		case 'h':
			help();
			return 0;
		default:
			return cli_usage_error("teardown", "unknown option or missing argument: %s",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("teardown", "unexpected argument \"%s\"", argv[optind]);
	if (!id)
		return cli_usage_error("teardown", "missing --id");
	r = cli_ctx(&g, &ctx);
	if (r != 0)
		return r;
	r = brnet_teardown(ctx, id, ifname, &err);
	if (r < 0)
		return cli_fail("tear down attachment", r, &err);
	if (json)
		printf("{\"id\": \"%s\", \"ifname\": \"%s\", \"removed\": %s}\n", id, ifname,
		       r > 0 ? "true" : "false");
	else if (r > 0)
		printf("detached %s/%s\n", id, ifname);
	else
		printf("nothing to do: no attachment %s/%s\n", id, ifname);
	return 0;
}
