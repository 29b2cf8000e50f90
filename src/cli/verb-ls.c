/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brnet ls: the recorded attachments, or with --networks the recorded networks; with
 * --network, those of one bridge. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(brnet_ctx, brnet_ctx_free)
DEFINE_POINTER_CLEANUP(brnet_config, brnet_config_free)

static void help(void)
{
	printf("Usage: brnet ls [--networks] [--network BRIDGE] [--json]\n\n"
	       "List attachments: id, interface, address, bridge, host veth, state, namespace,\n"
	       "published ports, egress policy (\"allow:N\" destinations or \"deny-all\", then\n"
	       "its ports and flags). With --json, also the gateway, MAC, origin (\"cni:NETWORK\"\n"
	       "for the CNI plugin's) and the whole policy (\"egress\", null without one).\n\n"
	       "With --networks, list networks instead: bridge, subnet, gateway, attachments,\n"
	       "the MTU its containers get when a setup asks none (\"-\": the kernel's default),\n"
	       "whether connections routed in from elsewhere reach containers (\"-\": not chosen\n"
	       "yet, by a network an older brnet recorded), and whether it masquerades (and\n"
	       "where not).\n\n"
	       "With --network, only the attachments (or with --networks, the network) of that\n"
	       "bridge: none, and exit 0, when it has none.\n\n"
	       "  --networks         list networks\n"
	       "  --network BRIDGE   only those of this bridge\n"
	       "  --json             print a JSON array\n"
	       "  --state-dir DIR    state directory (default $BRNET_STATE_DIR or /run/brnet)\n"
	       "  -h, --help         show this help\n");
}

#define CELL_MAX 4096

/* A table's cell (row NULL: the heading) into buf, or a string of its own. */
typedef const char *(*cell_fn)(const void *row, int col, char buf[static CELL_MAX]);

/* Each column as wide as its widest value (a runtime's ids are 64 characters); the last is
 * not padded. */
static void print_table(const void *const *rows, size_t n, int n_cols, cell_fn cell)
{
	char buf[CELL_MAX];
	int width[16] = { 0 };

	for (int c = 0; c < n_cols && c < (int)ELEMENTSOF(width); c++)
		for (size_t i = 0; i <= n; i++) {
			int len = (int)strlen(cell(i ? rows[i - 1] : NULL, c, buf));

			if (len > width[c])
				width[c] = len;
		}
	for (size_t i = 0; i <= n; i++) {
		for (int c = 0; c < n_cols; c++)
			printf(c < n_cols - 1 ? "%-*s " : "%-*s\n", c < n_cols - 1 ? width[c] : 0,
			       cell(i ? rows[i - 1] : NULL, c, buf));
	}
}

static void print_attachments_json(brnet_attachment **list, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < n; i++) {
		const brnet_attachment *a = list[i];
		json_t *o, *ports = json_array();

		for (unsigned k = 0; ports && brnet_attachment_publish(a, k); k++)
			json_array_append_new(ports, json_string(brnet_attachment_publish(a, k)));
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
			      brnet_attachment_id(a), "ifname", brnet_attachment_ifname(a), "netns",
			      brnet_attachment_netns(a), "address", brnet_attachment_address(a),
			      "gateway", brnet_attachment_gateway(a), "bridge",
			      brnet_attachment_bridge(a), "host_veth",
			      brnet_attachment_host_veth(a), "mac", brnet_attachment_mac(a),
			      "state", brnet_attachment_state(a), "origin",
			      brnet_attachment_origin(a));
		if (o && ports)
			json_object_set_new(o, "publish", ports);
		else
			json_decref(ports);
		if (o)
			json_object_set_new(o, "egress", cli_egress_json(a));
		json_array_append_new(arr, o);
	}
	json_dumpf(arr, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(arr);
}

static const char *attachment_cell(const void *row, int col, char buf[static CELL_MAX])
{
	static const char *const heading[] = { "ID",	"IFNAME", "ADDRESS", "BRIDGE", "HOST-VETH",
					       "STATE", "NETNS",  "PUBLISH", "EGRESS" };
	const brnet_attachment *a = row;
	size_t len = 0;

	if (!a)
		return heading[col];
	switch (col) {
	case 0:
		return brnet_attachment_id(a);
	case 1:
		return brnet_attachment_ifname(a);
	case 2:
		return brnet_attachment_address(a);
	case 3:
		return brnet_attachment_bridge(a);
	case 4:
		return brnet_attachment_host_veth(a);
	case 5:
		return brnet_attachment_state(a);
	case 6:
		return brnet_attachment_netns(a);
	case 8:
		return cli_egress_summary(a, buf, CELL_MAX);
	}
	buf[0] = '\0';
	for (unsigned k = 0; brnet_attachment_publish(a, k) && len < CELL_MAX; k++)
		len += (size_t)snprintf(buf + len, CELL_MAX - len, "%s%s", k ? "," : "",
					brnet_attachment_publish(a, k));
	return buf;
}

/* Of the n rows, those whose bridge is bridge (all when NULL), moved to the front of a new
 * array of pointers to them in *ret. Returns how many, or -ENOMEM. */
static ssize_t rows_of(void *const *rows, size_t n, const char *(*bridge_of)(const void *),
		       const char *bridge, void ***ret)
{
	void **kept = calloc(n ? n : 1, sizeof(*kept));
	size_t k = 0;

	if (!kept)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!bridge || strcmp(bridge_of(rows[i]), bridge) == 0)
			kept[k++] = rows[i];
	*ret = kept;
	return (ssize_t)k;
}

static const char *attachment_bridge(const void *a)
{
	return brnet_attachment_bridge(a);
}

static int list_attachments(brnet_ctx *ctx, const char *bridge, bool json)
{
	struct brnet_error err = { 0 };
	brnet_attachment **list = NULL;
	_cleanup_(freep) void **shown = NULL;
	size_t n = 0;
	ssize_t k;
	int r;

	r = brnet_list(ctx, &list, &n, &err);
	if (r < 0)
		return cli_fail("list attachments", r, &err);
	k = rows_of((void *const *)list, n, attachment_bridge, bridge, &shown);
	if (k < 0) {
		brnet_attachment_list_free(list, n);
		return cli_fail("list attachments", (int)k, NULL);
	}
	if (json)
		print_attachments_json((brnet_attachment **)shown, (size_t)k);
	else
		print_table((const void *const *)shown, (size_t)k, 9, attachment_cell);
	brnet_attachment_list_free(list, n);
	return 0;
}

static const char *yes_no(int v)
{
	return v < 0 ? "-" : v ? "yes" : "no";
}

static const char *network_cell(const void *row, int col, char buf[static CELL_MAX])
{
	static const char *const heading[] = { "BRIDGE", "SUBNET",    "GATEWAY",   "ATTACHMENTS",
					       "MTU",	 "ROUTED-IN", "MASQUERADE" };
	const brnet_network *net = row;
	size_t len;

	if (!net)
		return heading[col];
	switch (col) {
	case 0:
		return brnet_network_bridge(net);
	case 1:
		return brnet_network_subnet(net);
	case 2:
		return brnet_network_gateway(net);
	case 3:
		snprintf(buf, CELL_MAX, "%u", brnet_network_attachments(net));
		return buf;
	case 4:
		if (!brnet_network_mtu(net))
			return "-";
		snprintf(buf, CELL_MAX, "%u", brnet_network_mtu(net));
		return buf;
	case 5:
		return yes_no(brnet_network_routed(net));
	}
	if (!brnet_network_masquerade(net) || !brnet_network_masquerade_exception(net, 0))
		return yes_no(brnet_network_masquerade(net));
	/* "yes, not to 10.244.0.0/16,10.0.0.0/8" */
	len = (size_t)snprintf(buf, CELL_MAX, "yes, not to ");
	for (unsigned k = 0; brnet_network_masquerade_exception(net, k) && len < CELL_MAX; k++)
		len += (size_t)snprintf(buf + len, CELL_MAX - len, "%s%s", k ? "," : "",
					brnet_network_masquerade_exception(net, k));
	return buf;
}

static void print_networks_json(brnet_network **list, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < n; i++) {
		const brnet_network *net = list[i];
		int routed = brnet_network_routed(net);
		json_t *except = json_array();

		for (unsigned k = 0; except && brnet_network_masquerade_exception(net, k); k++)
			json_array_append_new(
				except, json_string(brnet_network_masquerade_exception(net, k)));
		json_array_append_new(
			arr,
			json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:b, s:o}", "bridge",
				  brnet_network_bridge(net), "subnet", brnet_network_subnet(net),
				  "gateway", brnet_network_gateway(net), "attachments",
				  (json_int_t)brnet_network_attachments(net), "mtu",
				  brnet_network_mtu(net) ? json_integer(brnet_network_mtu(net))
							 : json_null(),
				  "routed", routed < 0 ? json_null() : json_boolean(routed),
				  "masquerade", brnet_network_masquerade(net), "masquerade_except",
				  except));
	}
	json_dumpf(arr, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(arr);
}

static const char *network_bridge(const void *net)
{
	return brnet_network_bridge(net);
}

static int list_networks(brnet_ctx *ctx, const char *bridge, bool json)
{
	struct brnet_error err = { 0 };
	brnet_network **list = NULL;
	_cleanup_(freep) void **shown = NULL;
	size_t n = 0;
	ssize_t k;
	int r;

	r = brnet_network_list(ctx, &list, &n, &err);
	if (r < 0)
		return cli_fail("list networks", r, &err);
	k = rows_of((void *const *)list, n, network_bridge, bridge, &shown);
	if (k < 0) {
		brnet_network_list_free(list, n);
		return cli_fail("list networks", (int)k, NULL);
	}
	if (json)
		print_networks_json((brnet_network **)shown, (size_t)k);
	else
		print_table((const void *const *)shown, (size_t)k, 7, network_cell);
	brnet_network_list_free(list, n);
	return 0;
}

int verb_ls(const struct cli_global *g0, int argc, char **argv)
{
	_cleanup_(brnet_ctx_freep) brnet_ctx *ctx = NULL;
	struct cli_global g = *g0;
	struct cli_opts o;
	int r;

	r = cli_parse_simple("ls", CLI_TAKES_JSON | CLI_TAKES_NETWORKS | CLI_TAKES_NETWORK, help,
			     argc, argv, &g, &o);
	if (r != CLI_PROCEED)
		return r;
	if (o.network) {
		/* a name no bridge can have is a mistake, not an empty list */
		_cleanup_(brnet_config_freep) brnet_config *cfg = NULL;
		struct brnet_error err = { 0 };

		r = brnet_config_new(&cfg);
		if (r < 0)
			return cli_fail("list", r, NULL);
		r = brnet_config_set_bridge(cfg, o.network, &err);
		if (r < 0)
			return cli_usage_error("ls", "--network: %s", err.msg);
	}
	r = cli_ctx(&g, &ctx);
	if (r != 0)
		return r;
	return o.networks ? list_networks(ctx, o.network, o.json)
			  : list_attachments(ctx, o.network, o.json);
}
