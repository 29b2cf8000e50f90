/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brnet: dispatch to one verb per file, and the error conventions all verbs share. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "shared/jsonseed.h"

static const struct verb verbs[] = {
	{ "run", verb_run, "run a command in a new network namespace attached to a network" },
	{ "setup", verb_setup, "attach an existing network namespace to a bridge network" },
	{ "teardown", verb_teardown,
	  "remove what setup made for an attachment, or an unused network" },
	{ "check", verb_check, "verify an attachment against the kernel" },
	{ "policy", verb_policy, "replace the egress policy of a running attachment" },
	{ "events", verb_events, "print packets the egress policies drop, as they happen" },
	{ "ls", verb_ls, "list attachments, or networks" },
	{ "gc", verb_gc, "repair what killed operations and vanished containers left" },
	{ "restore", verb_restore, "re-apply the firewall state after a flush or reload" },
	{ "version", verb_version, "print the version" },
	{ "help", verb_help, "show this help, or a verb's (brnet help VERB)" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: brnet [--state-dir DIR] VERB [OPTIONS]\n\n"
		   "Container bridge networking over rtnetlink and nf_tables.\n\nVerbs:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "\nOptions:\n"
		   "  --state-dir DIR  state directory (default $BRNET_STATE_DIR or /run/brnet)\n"
		   "  -h, --help       show this help\n\n"
		   "Run 'brnet VERB --help' for the options of a verb. Exit status: 0 success,\n"
		   "1 operation failed, 2 usage error or invalid input. See brnet(8).\n");
}

static const struct verb *find_verb(const char *name)
{
	for (size_t v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++)
		if (strcmp(name, verbs[v].name) == 0)
			return &verbs[v];
	return NULL;
}

/* brnet help [VERB]: what --help says, for users of git and ip. */
int verb_help(const struct cli_global *g, int argc, char **argv)
{
	const struct verb *v;

	if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	v = find_verb(argv[1]);
	if (!v) {
		fprintf(stderr, "brnet: unknown verb \"%s\"\nTry 'brnet --help'.\n", argv[1]);
		return EXIT_USAGE;
	}
	return v->run(g, 2, (char *[]){ argv[1], "--help", NULL });
}

int verb_version(const struct cli_global *g, int argc, char **argv)
{
	printf("brnet %s\n", brnet_version());
	return 0;
}

int main(int argc, char **argv)
{
	struct cli_global g = { 0 };
	const struct verb *v;
	int i = 1;

	json_seed_random();
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			return verb_version(&g, 0, NULL);
		} else if (strcmp(argv[i], "--state-dir") == 0 && i + 1 < argc) {
			g.state_dir = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--state-dir=", 12) == 0) {
			g.state_dir = argv[i] + 12;
			i++;
		} else {
			fprintf(stderr, "brnet: unknown option %s\nTry 'brnet --help'.\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	v = find_verb(argv[i]);
	if (v)
		return v->run(&g, argc - i, argv + i);
	fprintf(stderr, "brnet: unknown verb \"%s\"\nTry 'brnet --help'.\n", argv[i]);
	return EXIT_USAGE;
}
