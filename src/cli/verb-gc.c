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
	       "setups and teardowns that were interrupted (from their journal), and remove\n"
	       "leases, host veths on brnet's bridges and published-port elements that no\n"
	       "attachment owns. Live attachments, and any that a setup or teardown is working\n"
	       "on, are left alone; gc is safe to run at any time.\n\n"
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
	static const struct option options[] = { { "dry-run", no_argument, NULL, OPT_DRY_RUN },
						 { "json", no_argument, NULL, OPT_JSON },
						 { "state-dir", required_argument, NULL,
						   OPT_STATE_DIR },
						 { "help", no_argument, NULL, 'h' },
						 {} };
	_cleanup_(brnet_ctx_freep) brnet_ctx *ctx = NULL;
	struct brnet_error err = { 0 };
	struct cli_global g = *g0;
	bool json = false, dry_run = false;
	json_t *actions = NULL;
	int c, r;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_DRY_RUN:
			dry_run = true;
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
			return cli_usage_error("gc", "unknown option or missing argument: %s",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("gc", "unexpected argument \"%s\"", argv[optind]);
	r = cli_ctx(&g, &ctx);
	if (r != 0)
		return r;
	if (json)
		actions = json_array();
	r = brnet_gc(ctx, dry_run, print_action, actions, &err);
	if (json) {
		json_t *o = json_pack("{s:b, s:o}", "dry_run", dry_run, "actions", actions);

		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(o);
	} else if (r == 0) {
		printf("nothing to do\n");
	}
	if (r < 0)
		return cli_fail("collect garbage", r, &err);
	return 0;
}
