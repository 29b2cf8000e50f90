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
	       "1 listing what is missing.\n\n"
	       "  --id ID            attachment id\n"
	       "  --ifname NAME      interface name inside the namespace (default eth0)\n"
	       "  --json             print {\"id\", \"ifname\", \"ok\", \"problems\": [...]}\n"
	       "  --state-dir DIR    state directory (default $BRNET_STATE_DIR or /run/brnet)\n"
	       "  -h, --help         show this help\n");
}

static void print_problem(const char *problem, void *userdata)
{
	json_t *arr = userdata;

	if (arr)
		json_array_append_new(arr, json_string(problem));
	else
		printf("missing: %s\n", problem);
}

int verb_check(const struct cli_global *g0, int argc, char **argv)
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
	json_t *problems = NULL;
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
			return cli_usage_error("check", "unknown option or missing argument: %s",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("check", "unexpected argument \"%s\"", argv[optind]);
	if (!id)
		return cli_usage_error("check", "missing --id");
	r = cli_ctx(&g, &ctx);
	if (r != 0)
		return r;
	if (json)
		problems = json_array();
	r = brnet_check(ctx, id, ifname, print_problem, problems, &err);
	if (r < 0) {
		json_decref(problems);
		return cli_fail("check attachment", r, &err);
	}
	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:b, s:o}", "id", id, "ifname", ifname, "ok",
				      r == 0, "problems", problems);

		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(o);
	} else if (r == 0) {
		printf("%s/%s: ok\n", id, ifname);
	}
	return r == 0 ? 0 : 1;
}
