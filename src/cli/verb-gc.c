/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brnet gc: repair what killed operations and vanished containers left behind. */
#include <jansson.h>
#include <stdio.h>

#include "cli/cli.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(brnet_ctx, brnet_ctx_free)

static void help(void)
{
	printf("Usage: brnet gc [--dry-run] [--json]\n\n"
	       "Remove attachments whose namespace or process is gone, finish or roll back\n"
	       "setups and teardowns that were interrupted (from their journal), apply the\n"
	       "recorded policy of an interrupted 'brnet policy', and remove leases, host\n"
	       "veths on brnet's bridges, and published-port, anti-spoofing and egress-policy\n"
	       "elements that no attachment owns. Live attachments are otherwise left alone,\n"
	       "as is any that an operation is working on; gc is safe to run at any time.\n\n"
	       "  --dry-run          only list what would be done\n"
	       "  --json             print {\"dry_run\": bool, \"actions\": [...]}\n"
	       "  --state-dir DIR    state directory (default $BRNET_STATE_DIR or /run/brnet)\n"
	       "  -h, --help         show this help\n");
}

static void print_action(const char *action, void *userdata)
{
	json_t *arr = userdata;

	if (arr)
		json_array_append_new(arr, json_string(action));
	else
		printf("%s\n", action);
}

int verb_gc(const struct cli_global *g0, int argc, char **argv)
{
	enum { OPT_DRY_RUN = 1000 };
	_cleanup_(brnet_ctx_freep) brnet_ctx *ctx = NULL;
	struct brnet_error err = { 0 };
	struct cli_global g = *g0;
	struct cli_opts o;
	json_t *actions = NULL;
	int r;

	r = cli_parse_simple("gc", CLI_TAKES_JSON | CLI_TAKES_DRY_RUN, help, argc, argv, &g, &o);
	if (r != CLI_PROCEED)
		return r;
	r = cli_ctx(&g, &ctx);
	if (r != 0)
		return r;
	if (o.json)
		actions = json_array();
	r = brnet_gc(ctx, o.dry_run, print_action, actions, &err);
	if (o.json) {
		json_t *out = json_pack("{s:b, s:o}", "dry_run", o.dry_run, "actions", actions);

		json_dumpf(out, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(out);
	} else if (r == 0) {
		printf("nothing to do\n");
	}
	if (r < 0)
		return cli_fail("collect garbage", r, &err);
	return 0;
}
