/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brnet gc: repair what killed operations and vanished containers left behind. */
#include <jansson.h>
#include <stdio.h>
#include <sys/resource.h>

#include "cli/cli.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(brnet_ctx, brnet_ctx_free)

static void help(void)
{
	printf("Usage: brnet gc [--dry-run] [--json] | --follow\n\n"
	       "Remove attachments whose namespace or process is gone, finish or roll back\n"
	       "setups and teardowns that were interrupted (from their journal), apply the\n"
	       "recorded policy of an interrupted 'brnet policy', and remove leases, host\n"
	       "veths on brnet's bridges, and published-port, anti-spoofing and egress-policy\n"
	       "elements that no attachment owns. Live attachments are otherwise left alone,\n"
	       "as is any that an operation is working on; gc is safe to run at any time.\n\n"
	       "  --dry-run          only list what would be done\n"
	       "  --json             print {\"dry_run\": bool, \"actions\": [...]}\n"
	       "  --follow           collect, then collect again whenever the host end of a live\n"
	       "                     attachment's veth is deleted (its container's namespace\n"
	       "                     went away) or the process of a --pid attachment ends; a\n"
	       "                     line per repair, until stopped (the brnet-gc.service unit\n"
	       "                     runs this)\n"
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

static int follow_fn(int repairs, const char *cause, const struct brnet_error *failed,
		     void *userdata)
{
	if (repairs < 0)
		cli_follow_failed("collect garbage", cause, repairs, failed);
	fflush(stdout);
	return 0;
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

	r = cli_parse_simple("gc", CLI_TAKES_JSON | CLI_TAKES_DRY_RUN | CLI_TAKES_FOLLOW, help,
			     argc, argv, &g, &o);
	if (r != CLI_PROCEED)
		return r;
	if (o.follow && (o.dry_run || o.json))
		return cli_usage_error("gc", "--follow takes neither --dry-run nor --json");
	r = cli_ctx(&g, &ctx);
	if (r != 0)
		return r;
	if (o.follow) {
		struct rlimit nofile;

		/* A descriptor per --pid attachment's process: the soft limit (1024 under
		 * systemd) up to the hard one, as systemd advises for a program that polls. */
		if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
			nofile.rlim_cur = nofile.rlim_max;
			(void)setrlimit(RLIMIT_NOFILE, &nofile);
		}
		/* Runs until a signal ends it: gc is safe to cut short. */
		r = brnet_gc_follow(ctx, print_action, follow_fn, NULL, &err);
		return r < 0 ? cli_fail("follow the kernel's notices", r, &err) : 0;
	}
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
