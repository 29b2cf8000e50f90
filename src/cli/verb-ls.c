/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brnet ls: the recorded attachments. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(brnet_ctx, brnet_ctx_free)

static void help(void)
{
	printf("Usage: brnet ls [--json]\n\n"
	       "List attachments: id, interface, address, bridge, host veth, state, namespace.\n"
	       "With --json, also the gateway, MAC, published ports and origin (\"cni:NETWORK\" "
	       "for\n"
	       "the CNI plugin's).\n\n"
	       "  --json             print a JSON array\n"
	       "  --state-dir DIR    state directory (default $BRNET_STATE_DIR or /run/brnet)\n"
	       "  -h, --help         show this help\n");
}

static void print_json(brnet_attachment **list, size_t n)
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
		json_array_append_new(arr, o);
	}
	json_dumpf(arr, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(arr);
}

enum { COL_ID, COL_IFNAME, COL_ADDRESS, COL_BRIDGE, COL_VETH, COL_STATE, COL_NETNS, N_COLS };

/* A column's value, or with a NULL attachment its heading. */
static const char *column(const brnet_attachment *a, int col)
{
	switch (col) {
	case COL_ID:
		return a ? brnet_attachment_id(a) : "ID";
	case COL_IFNAME:
		return a ? brnet_attachment_ifname(a) : "IFNAME";
	case COL_ADDRESS:
		return a ? brnet_attachment_address(a) : "ADDRESS";
	case COL_BRIDGE:
		return a ? brnet_attachment_bridge(a) : "BRIDGE";
	case COL_VETH:
		return a ? brnet_attachment_host_veth(a) : "HOST-VETH";
	case COL_STATE:
		return a ? brnet_attachment_state(a) : "STATE";
	default:
		return a ? brnet_attachment_netns(a) : "NETNS";
	}
}

/* Each column as wide as its widest value (a runtime's ids are 64 characters); the published
 * ports last. */
static void print_table(brnet_attachment **list, size_t n)
{
	int width[N_COLS];

	for (int c = 0; c < N_COLS; c++) {
		width[c] = (int)strlen(column(NULL, c));
		for (size_t i = 0; i < n; i++) {
			int len = (int)strlen(column(list[i], c));

			if (len > width[c])
				width[c] = len;
		}
	}
	for (size_t i = 0; i <= n; i++) {
		const brnet_attachment *a = i ? list[i - 1] : NULL;

		for (int c = 0; c < N_COLS; c++)
			printf("%-*s ", width[c], column(a, c));
		if (!a)
			fputs("PUBLISH", stdout);
		for (unsigned k = 0; a && brnet_attachment_publish(a, k); k++)
			printf("%s%s", k ? "," : "", brnet_attachment_publish(a, k));
		putchar('\n');
	}
}

int verb_ls(const struct cli_global *g0, int argc, char **argv)
{
	_cleanup_(brnet_ctx_freep) brnet_ctx *ctx = NULL;
	struct brnet_error err = { 0 };
	struct cli_global g = *g0;
	struct cli_opts o;
	brnet_attachment **list = NULL;
	size_t n = 0;
	int r;

	r = cli_parse_simple("ls", CLI_TAKES_JSON, help, argc, argv, &g, &o);
	if (r != CLI_PROCEED)
		return r;
	r = cli_ctx(&g, &ctx);
	if (r != 0)
		return r;
	r = brnet_list(ctx, &list, &n, &err);
	if (r < 0)
		return cli_fail("list attachments", r, &err);
	if (o.json)
		print_json(list, n);
	else
		print_table(list, n);
	brnet_attachment_list_free(list, n);
	return 0;
}
