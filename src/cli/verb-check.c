/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brnet check: does the kernel hold everything the record says it should? */
#include <jansson.h>
#include <stdio.h>

#include "cli/cli.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(brnet_ctx, brnet_ctx_free)

static void help(void)
{
	printf("Usage: brnet check --id ID [--ifname NAME] [--json]\n\n"
	       "Verify against the kernel that every object of an attachment exists as recorded:\n"
	       "host veth on its bridge and up, the interface in the namespace with its address\n"
	       "and default route, the lease, and the firewall rules. Exit 0 when all is there,\n"
	       "1 with a \"problem:\" line for each object missing or not as recorded. Warns\n"
	       "(on stderr, without failing) of other tables whose policy drops forwarded\n"
	       "packets, as Docker's FORWARD chain does, and of networks whose containers'\n"
	       "MTU is more than the host's route out now takes (after joining a VPN).\n\n"
	       "  --id ID            attachment id\n"
	       "  --ifname NAME      interface name inside the namespace (default eth0)\n"
	       "  --json             print {\"id\", \"ifname\", \"ok\", \"problems\": [...],\n"
	       "                     \"warnings\": [...]}\n"
	       "  --state-dir DIR    state directory (default $BRNET_STATE_DIR or /run/brnet)\n"
	       "  -h, --help         show this help\n");
}

static void print_problem(const char *problem, void *userdata)
{
	json_t *arr = userdata;

	if (arr)
		json_array_append_new(arr, json_string(problem));
	else
		printf("problem: %s\n", problem);
}

static void print_warning(const char *warning, void *userdata)
{
	json_t *arr = userdata;

	if (arr)
		json_array_append_new(arr, json_string(warning));
	else
		fprintf(stderr, "warning: %s\n", warning);
}

int verb_check(const struct cli_global *g0, int argc, char **argv)
{
	_cleanup_(brnet_ctx_freep) brnet_ctx *ctx = NULL;
	struct brnet_error err = { 0 };
	struct cli_global g = *g0;
	struct cli_opts o;
	json_t *problems = NULL, *warnings = NULL;
	int r;

	r = cli_parse_simple("check", CLI_TAKES_ID | CLI_TAKES_JSON, help, argc, argv, &g, &o);
	if (r != CLI_PROCEED)
		return r;
	r = cli_ctx(&g, &ctx);
	if (r != 0)
		return r;
	if (o.json) {
		problems = json_array();
		warnings = json_array();
	}
	r = brnet_check(ctx, o.id, o.ifname, print_problem, problems, &err);
	if (r >= 0) {
		int w = brnet_check_host(ctx, print_warning, warnings, &err);

		if (w < 0)
			r = w;
	}
	if (r < 0) {
		json_decref(problems);
		json_decref(warnings);
		if (r == -ENOENT && !o.ifname_given)
			cli_append_ifname_hint(ctx, o.id, &err);
		return cli_fail("check attachment", r, &err);
	}
	if (o.json) {
		json_t *out = json_pack("{s:s, s:s, s:b, s:o, s:o}", "id", o.id, "ifname", o.ifname,
					"ok", r == 0, "problems", problems, "warnings", warnings);

		json_dumpf(out, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(out);
	} else if (r == 0) {
		printf("%s/%s: ok\n", o.id, o.ifname);
	}
	return r == 0 ? 0 : 1;
}
