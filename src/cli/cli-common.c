/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The error and parsing conventions every verb shares. */
#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "shared/capability.h"

int cli_fail(const char *what, int r, const struct brnet_error *err)
{
	const char *reason = err && err->code && err->msg[0] ? err->msg : strerror(-r);
	bool unprivileged = (r == -EPERM || r == -EACCES) && !capability_effective(CAP_NET_ADMIN);

	fprintf(stderr, "brnet: failed to %s: %s%s\n", what, reason,
		unprivileged ? " (brnet needs CAP_NET_ADMIN: run it as root)" : "");
	return (r == -EINVAL || r == -EADDRINUSE) ? EXIT_USAGE : EXIT_FAILURE;
}

void cli_follow_failed(const char *what, const char *cause, int r, const struct brnet_error *err)
{
	fprintf(stderr, "brnet: failed to %s (%s): %s; trying again at the next notice\n", what,
		cause, err && err->msg[0] ? err->msg : strerror(-r));
}

int cli_usage_error(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "brnet %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'brnet %s --help'.\n", verb);
	return EXIT_USAGE;
}

const char *cli_ifname_hint(brnet_ctx *ctx, const char *id, char *buf, size_t size)
{
	brnet_attachment **list = NULL;
	const char *ifname = NULL;
	char names[256] = "";
	size_t n = 0, len = 0, found = 0;

	buf[0] = '\0';
	if (brnet_list(ctx, &list, &n, NULL) < 0)
		return buf;
	for (size_t i = 0; i < n && len < sizeof(names); i++)
		if (strcmp(brnet_attachment_id(list[i]), id) == 0) {
			ifname = brnet_attachment_ifname(list[i]);
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s/%s",
						found++ ? ", " : "", id, ifname);
		}
	if (found == 1)
		snprintf(buf, size, " (%s is attached as %s: give --ifname %s)", id, names, ifname);
	else if (found > 1)
		snprintf(buf, size, " (%s is attached as %s: give --ifname)", id, names);
	brnet_attachment_list_free(list, n);
	return buf;
}

void cli_append_ifname_hint(brnet_ctx *ctx, const char *id, struct brnet_error *err)
{
	char hint[sizeof(err->msg)];
	size_t len = strlen(err->msg);

	cli_ifname_hint(ctx, id, hint, sizeof(hint));
	snprintf(err->msg + len, sizeof(err->msg) - len, "%s", hint);
}

int cli_parse_uint(const char *s, unsigned min, unsigned max, unsigned *ret)
{
	unsigned long v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			return -ERANGE;
	}
	if (v < min)
		return -ERANGE;
	*ret = (unsigned)v;
	return 0;
}

int cli_ctx(const struct cli_global *g, brnet_ctx **ret)
{
	struct brnet_error err = { 0 };
	int r;

	r = brnet_ctx_new(g->state_dir, ret, &err);
	if (r < 0)
		return cli_fail("open state directory", r, &err);
	return 0;
}

int cli_parse_simple(const char *verb, unsigned takes, void (*help)(void), int argc, char **argv,
		     struct cli_global *g, struct cli_opts *ret)
{
	enum { OPT_DRY_RUN = 1000, OPT_NETWORKS, OPT_NETWORK, OPT_ALL, OPT_FOLLOW };
	static const struct option options[] = {
		{ "id", required_argument, NULL, OPT_ID },
		{ "ifname", required_argument, NULL, OPT_IFNAME },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "networks", no_argument, NULL, OPT_NETWORKS },
		{ "network", required_argument, NULL, OPT_NETWORK },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "follow", no_argument, NULL, OPT_FOLLOW },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct cli_opts o = { .ifname = "eth0" };
	int c, idx;

	optind = 0;
	opterr = 0;
	while ((idx = -1, c = getopt_long(argc, argv, "h", options, &idx)) != -1) {
		if (c == OPT_ID && (takes & CLI_TAKES_ID))
			o.id = optarg;
		else if (c == OPT_IFNAME && (takes & CLI_TAKES_ID)) {
			o.ifname = optarg;
			o.ifname_given = true;
		} else if (c == OPT_JSON && (takes & CLI_TAKES_JSON))
			o.json = true;
		else if (c == OPT_DRY_RUN && (takes & CLI_TAKES_DRY_RUN))
			o.dry_run = true;
		else if (c == OPT_NETWORKS && (takes & CLI_TAKES_NETWORKS))
			o.networks = true;
		else if (c == OPT_NETWORK && (takes & CLI_TAKES_NETWORK))
			o.network = optarg;
		else if (c == OPT_ALL && (takes & CLI_TAKES_ALL))
			o.all = true;
		else if (c == OPT_FOLLOW && (takes & CLI_TAKES_FOLLOW))
			o.follow = true;
		else if (c == OPT_STATE_DIR)
			g->state_dir = optarg;
		else if (c == 'h') {
			help();
			return 0;
		} else if (c != '?' && c != ':' && idx >= 0)
			/* one of the options above, that this verb does not take */
			return cli_usage_error(verb, "--%s is not an option of brnet %s",
					       options[idx].name, verb);
		else
			return cli_usage_error(verb, "unknown option or missing argument: %s",
					       argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error(verb, "unexpected argument \"%s\"", argv[optind]);
	if (o.network && o.id)
		return cli_usage_error(verb, "--network and --id: one or the other");
	if (o.all && (o.id || o.ifname_given))
		return cli_usage_error(verb, "--all and --id or --ifname: one or the other");
	if ((takes & CLI_TAKES_ID) && !o.id && !o.network && !o.all)
		return cli_usage_error(verb, (takes & CLI_TAKES_NETWORK)
						     ? "missing --id or --network"
					     : (takes & CLI_TAKES_ALL) ? "missing --id or --all"
								       : "missing --id");
	*ret = o;
	return CLI_PROCEED;
}
