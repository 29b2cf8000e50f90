/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brnet teardown: remove exactly what setup created for one attachment; idempotent. */
#include <stdio.h>

#include "cli/cli.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(brnet_ctx, brnet_ctx_free)

static void help(void)
{
	printf("Usage: brnet teardown --id ID [--ifname NAME]\n"
	       "       brnet teardown --network BRIDGE\n\n"
	       "Remove the host veth (and with it the container interface), the address lease\n"
	       "and the record of an attachment. Shared objects (bridge, masquerade rule) stay.\n"
	       "Tearing down an attachment that does not exist succeeds and says so.\n\n"
	       "With --network, remove a network that has no attachments left: its rules, its\n"
	       "bridge and its state. Its next setup chooses its subnet and properties anew.\n\n"
	       "  --id ID            attachment id\n"
	       "  --ifname NAME      interface name inside the namespace (default eth0)\n"
	       "  --network BRIDGE   the network to remove\n"
	       "  --json             print the result as JSON\n"
	       "  --state-dir DIR    state directory (default $BRNET_STATE_DIR or /run/brnet)\n"
	       "  -h, --help         show this help\n");
}

static int remove_network(brnet_ctx *ctx, const char *bridge, bool json)
{
	struct brnet_error err = { 0 };
	int r = brnet_network_remove(ctx, bridge, &err);

	if (r < 0)
		return cli_fail("remove network", r, &err);
	if (json)
		printf("{\"network\": \"%s\", \"removed\": %s, \"bridge_kept\": %s}\n", bridge,
		       r > 0 ? "true" : "false", r == 2 ? "true" : "false");
	else if (r == 2)
		printf("removed network %s from this state directory (bridge %s and its rules are "
		       "another state directory's network: left)\n",
		       bridge, bridge);
	else if (r > 0)
		printf("removed network %s\n", bridge);
	else
		printf("nothing to do: no network %s\n", bridge);
	return 0;
}

int verb_teardown(const struct cli_global *g0, int argc, char **argv)
{
	_cleanup_(brnet_ctx_freep) brnet_ctx *ctx = NULL;
	struct brnet_error err = { 0 };
	struct cli_global g = *g0;
	struct cli_opts o;
	int r;

	r = cli_parse_simple("teardown", CLI_TAKES_ID | CLI_TAKES_JSON | CLI_TAKES_NETWORK, help,
			     argc, argv, &g, &o);
	if (r != CLI_PROCEED)
		return r;
	r = cli_ctx(&g, &ctx);
	if (r != 0)
		return r;
	if (o.network)
		return remove_network(ctx, o.network, o.json);
	r = brnet_teardown(ctx, o.id, o.ifname, &err);
	if (r < 0)
		return cli_fail("tear down attachment", r, &err);
	if (o.json)
		printf("{\"id\": \"%s\", \"ifname\": \"%s\", \"removed\": %s}\n", o.id, o.ifname,
		       r > 0 ? "true" : "false");
	else if (r > 0)
		printf("detached %s/%s\n", o.id, o.ifname);
	else {
		char hint[512] = "";

		if (!o.ifname_given)
			cli_ifname_hint(ctx, o.id, hint, sizeof(hint));
		printf("nothing to do: no attachment %s/%s%s\n", o.id, o.ifname, hint);
	}
	return 0;
}
