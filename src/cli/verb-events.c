/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brnet events: the packets egress policies drop, one line each, as they happen. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>

#include "cli/cli.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(brnet_ctx, brnet_ctx_free)

static void help(void)
{
	printf("Usage: brnet events [--json] [--follow | --timeout SECONDS] [--count N]\n\n"
	       "Print each packet an egress policy denies for an attachment set up with\n"
	       "--egress-log: dropped or rejected, attachment, protocol, destination address\n"
	       "and port. Events are read from NFLOG in the host's namespace as they happen;\n"
	       "none are stored. One listener at a time: the kernel gives the group's packets\n"
	       "to one socket, and a second brnet events exits naming the process that has it.\n\n"
	       "  --json             one JSON object per line\n"
	       "  --follow           run until interrupted\n"
	       "  --timeout SECONDS  stop after SECONDS without an event (default 5)\n"
	       "  --count N          stop after N events\n"
	       "  --state-dir DIR    state directory (default $BRNET_STATE_DIR or /run/brnet)\n"
	       "  -h, --help         show this help\n");
}

struct printer {
	bool json;
	unsigned count, max;
};

static int print_event(const struct brnet_event *ev, void *userdata)
{
	struct printer *p = userdata;

	if (p->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "id", ev->id, "ifname",
				      ev->ifname, "source", ev->source, "protocol", ev->protocol,
				      "destination", ev->destination, "port", (int)ev->port,
				      "action", ev->rejected ? "reject" : "drop");

		if (o) {
			json_dumpf(o, stdout, JSON_COMPACT);
			json_decref(o);
		}
		putchar('\n');
	} else {
		printf("%s %s/%s (%s): %s %s", ev->rejected ? "rejected" : "dropped",
		       ev->id[0] ? ev->id : "?", ev->ifname[0] ? ev->ifname : "?", ev->source,
		       ev->protocol, ev->destination);
		if (ev->port)
			printf(" port %u", ev->port);
		putchar('\n');
	}
	fflush(stdout);
	return p->max && ++p->count >= p->max;
}

int verb_events(const struct cli_global *g0, int argc, char **argv)
{
	enum { OPT_FOLLOW = 1000, OPT_TIMEOUT, OPT_COUNT };
	static const struct option options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "follow", no_argument, NULL, OPT_FOLLOW },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_(brnet_ctx_freep) brnet_ctx *ctx = NULL;
	struct printer p = { .json = false };
	struct brnet_error err = { 0 };
	struct cli_global g = *g0;
	unsigned timeout = 5;
	bool follow = false;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			p.json = true;
			break;
		case OPT_FOLLOW:
			follow = true;
			break;
		case OPT_TIMEOUT:
			if (cli_parse_uint(optarg, 1, 86400, &timeout) < 0)
				return cli_usage_error(
					"events", "invalid --timeout \"%s\": 1 to 86400 seconds",
					optarg);
			break;
		case OPT_COUNT:
			if (cli_parse_uint(optarg, 1, 1000000000, &p.max) < 0)
				return cli_usage_error("events", "invalid --count \"%s\"", optarg);
			break;
		case OPT_STATE_DIR:
			g.state_dir = optarg;
			break;
		case 'h':
			help();
			return 0;
		default:
			return cli_usage_error("events", "unknown option or missing argument: %s",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("events", "unexpected argument \"%s\"", argv[optind]);
	r = cli_ctx(&g, &ctx);
	if (r != 0)
		return r;
	r = brnet_events(ctx, follow ? -1 : (int)timeout * 1000, print_event, &p, &err);
	if (r < 0)
		return cli_fail("read events", r, &err);
	return 0;
}
